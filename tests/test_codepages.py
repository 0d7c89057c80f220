"""Code pages decided by evidence (issue 15, item 3): the same text in every code page that can
hold it must come back as written, and "how the file was read" says why.

The samples are short statement excerpts written for these tests in Czech, Polish, German,
French and Swedish (a header and two rows each, as those banks' exports print them).
"""

from __future__ import annotations

import codecs

import pytest

from chargecheck.importers import read_statement
from chargecheck.importers.codepages import CANDIDATES, choose_code_page

SAMPLES = {
    "czech": "Datum;Položka;Popis;Částka\n01.05.2026;Platba kartou;Úhrada předplatného, Žďár nad Sázavou;-259,00\n"
             "02.05.2026;Příchozí platba;Vrácení peněz za květen;259,00\n",
    "polish": "Data operacji;Opis operacji;Kwota\n2026-05-01;Płatność kartą Łódź, zakupy spożywcze;-45,10\n"
              "2026-05-02;Przelew przychodzący: zwrot środków;20,00\n",
    "german": "Buchungstag;Verwendungszweck;Betrag;Währung\n01.05.26;Lastschrift Gebühr für Überweisung München;-12,99;EUR\n"
              "02.05.26;Gutschrift Rückgabe Lastschrift, Straße;12,99;EUR\n",
    "french": "Date;Libellé;Montant\n01/05/2026;Carte Crème Brûlée S.à r.l. Genève;-8,50\n"
              "02/05/2026;Prélèvement électricité reçu;-45,00\n",
    "swedish": "Bokföringsdag;Text;Belopp\n2026-05-01;Återbetalning från Spotify, Göteborg;99,00\n"
               "2026-05-02;Kortköp Överföring;-45,00\n",
}


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


CASES = [pytest.param(language, codec, id=f"{language}-{name}")
         for language, text in SAMPLES.items() for codec, name in CANDIDATES if _encodable(text, codec)]


@pytest.mark.parametrize("language, codec", CASES)
def test_text_in_any_code_page_decodes_as_written(language, codec):
    text = SAMPLES[language]
    choice = choose_code_page(text.encode(codec))
    assert choice.text == text, choice.reason
    # Another name is right only when it reads these very bytes the same way.
    assert choice.text == text.encode(codec).decode(codecs.lookup(choice.encoding).name)


def test_every_sample_is_tried_in_several_code_pages():
    per_language = {language: sum(1 for case in CASES if case.values[0] == language) for language in SAMPLES}
    assert all(count >= 3 for count in per_language.values()), per_language


def test_cp1252_french_is_not_read_as_cp1250():
    # The case: cp1250 turns these into "S.ŕ r.l.", "Crčme", "Brűlée".
    choice = choose_code_page("Carte Crème Brûlée S.à r.l.;-8,50".encode("cp1252"))
    assert choice.encoding == "cp1252"
    assert "are French" in choice.reason and "cp1250 mixes alphabets" in choice.reason


def test_central_european_csv_in_windows_1250_reads_with_its_dates(tmp_path):
    path = tmp_path / "pohyby.csv"
    path.write_bytes(SAMPLES["czech"].encode("cp1250"))
    statement = read_statement(path)
    assert statement.encoding == "cp1250"
    assert statement.transactions.description.tolist()[0].endswith("Úhrada předplatného, Žďár nad Sázavou")
    assert statement.transactions.amount_cents.tolist() == [-25900, 25900]
    assert statement.notes[0].startswith("encoding cp1250 by evidence: accented letters")


def test_sparkasse_cp1252_keeps_its_accents(tmp_path):
    path = tmp_path / "umsatz.CSV"
    text = ('"Buchungstag";"Beguenstigter/Zahlungspflichtiger";"Betrag"\n'
            '"02.05.26";"Crème Brûlée S.à r.l.";"-12,50"\n"03.05.26";"Bäckerei Müller";"-3,20"\n')
    path.write_bytes(text.encode("cp1252"))
    statement = read_statement(path)
    assert statement.encoding == "cp1252"
    assert statement.transactions.description.tolist() == ["Crème Brûlée S.à r.l.", "Bäckerei Müller"]
