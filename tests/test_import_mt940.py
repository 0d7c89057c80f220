"""MT940 importer: the development corpus, a framed cp1250 fixture and one inline file per quirk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chargecheck.errors import StatementError
from chargecheck.importers import ImportOptions, identify
from chargecheck.importers.mt940 import IMPORTER
from chargecheck.importers.mt940_text import describe_86, describe_ns
from conftest import corpus_params
from importer_checks import check_corpus_entry, check_read_statement, read_with, rows

FIXTURES = Path(__file__).parent / "fixtures" / "mt940"

# (date, posted_date = value date, cents) per corpus file, from MANIFEST.tsv expected_notes;
# sums reconcile with the statements' balances where the notes say they do.
D = "2014-02-20"
CORPUS_ROWS = {
    "OCA__bank-statement-import__test-ing.940": [
        (D, D, 156), (D, D, -157), (D, D, 157), (D, D, -114), (D, D, 145), (D, D, -1275),
        (D, D, 3200), (D, D, -11900)],
    "OCA__bank-statement-import__test-wrong-file.940": [("2014-01-02", "2014-01-02", 40000)],
    "actualbudget__actual__data.sta": [
        ("2025-08-01", "2025-08-01", -4250), ("2025-08-02", "2025-08-02", 120000),
        ("2025-08-03", "2025-08-03", -8999), ("2025-08-04", "2025-08-04", -1500),
        ("2025-08-05", "2025-08-05", -2480), ("2025-08-06", "2025-08-06", -3100)],
    "fruitl00p__php-mt940__Btrl-sample.sta": [
        ("2021-04-06", "2021-04-06", 98042), ("2021-04-06", "2021-04-06", 41837)],
    "wolph__mt940__citi-mt940.txt": [
        ("2024-03-12", "2024-03-12", -21239), ("2024-03-12", "2024-03-12", -36928),
        ("2024-03-12", "2024-03-12", 0), ("2024-03-12", "2024-03-12", 0),
        ("2024-03-12", "2024-03-12", -56108)],
    "wolph__mt940__cmxl-mt940.sta": [
        ("2013-10-17", "2013-10-17", -680000), ("2013-10-17", "2013-10-17", -62030),
        ("2013-10-17", "2013-10-17", 1850000), ("2013-10-15", "2013-10-15", -1422000),
        ("2013-10-17", "2013-10-17", -150700), ("2013-10-24", "2013-10-24", 420000),
        ("2013-10-17", "2013-10-17", -1990000), ("2013-10-17", "2013-10-17", -40000),
        ("2013-10-18", "2013-10-18", 365674), ("2013-10-19", "2013-10-19", 2304000),
        ("2013-10-27", "2013-10-27", -586214), ("2002-11-02", "2002-11-01", -80000),
        ("2002-11-02", "2002-11-02", 300000), ("2003-10-20", "2003-10-20", 2000000),
        ("2003-10-20", "2003-10-20", -1000000), ("2003-10-20", "2003-10-20", 4000)],
    "wolph__mt940__jejik-ing.sta": [
        ("2010-07-22", "2010-07-22", -2503), ("2010-07-22", "2010-07-22", -303),
        ("2010-07-22", "2010-07-22", -111), ("2010-07-22", "2010-07-22", -2000),
        ("2010-07-22", "2010-07-22", -110), ("2010-07-22", "2010-07-22", 368),
        ("2010-07-23", "2010-07-23", 100)],
    "wolph__mt940__jejik-knab.sta": [
        ("2014-05-07", "2014-05-07", 50000), ("2014-07-29", "2014-07-29", -726000),
        ("2014-07-29", "2014-07-29", 50000)],
    "wolph__mt940__jejik-rabobank.sta": [
        ("2011-05-27", "2011-05-27", -121328), ("2011-06-17", "2011-06-17", -4495),
        ("2011-07-21", "2011-07-21", -23656), ("2012-08-29", "2012-08-29", -8810),
        ("2012-08-29", "2012-08-29", -620)],
    "wolph__mt940__sberbank-171011_01234945.sta": [
        ("2017-10-11", "2017-10-11", -240200), ("2017-10-11", "2017-10-11", -346000),
        ("2017-10-11", "2017-10-11", -357500)],
}




def write(tmp_path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / "statement.sta"
    body = textwrap.dedent(text).lstrip("\n").replace("\n", newline)
    path.write_bytes(body.encode(encoding))
    return path


@pytest.mark.parametrize("entry", corpus_params("mt940"))
def test_corpus_file(entry, shared_dir):
    check_corpus_entry(IMPORTER, entry, shared_dir, CORPUS_ROWS)


@pytest.mark.parametrize("entry", corpus_params("mt940"))
def test_corpus_file_through_read_statement(entry, shared_dir):
    check_read_statement("mt940", entry, shared_dir)


def test_corpus_ing_dash_inside_86_and_wrapped_codes(shared_dir):
    statement = read_with(IMPORTER, shared_dir / "corpus/mt940/OCA__bank-statement-import__test-ing.940")
    frame = statement.transactions
    assert frame["description"][5] == "J.Janssen / CONTRIBUTIE FEB 2014"
    assert frame["description"][0] == "ING BANK NV INZAKE WEB / EV10001REP1000000T1000"
    assert frame["bank_id"][1] == "00000000001006"
    assert frame["account"][0] == "NL77INGB0574908765"  # currency suffix dropped
    assert list(frame["source_line"]) == [9, 14, 17, 21, 31, 39, 47, 51]


def test_corpus_rabobank_name_after_reference_and_several_86(shared_dir):
    frame = read_with(IMPORTER, shared_dir / "corpus/mt940/wolph__mt940__jejik-rabobank.sta").transactions
    assert frame["description"][1] == "T-MOBILE NETHERLANDS BV / BETALINGSKENM. 123456789 / FACTUURNUMMER 987654321"
    assert list(frame["account"]) == ["1291.99.348"] * 3 + ["1526.89.184"] * 2
    assert set(frame["bank_id"]) == {""}


def test_framed_cp1250_crlf_fixture():
    statement = read_with(IMPORTER, FIXTURES / "framed-cp1250-crlf.sta")
    assert statement.encoding == "cp1250"
    # entry 1231 of a 2 January value date is 31 December of the year before; RC is money out
    assert rows(statement) == [("2023-12-29", "2023-12-29", -4999), ("2023-12-31", "2024-01-02", -1500),
                               ("2024-01-02", "2024-01-02", 500)]
    frame = statement.transactions
    assert frame["description"][0] == "NETFLIX.COM Amsterdam Zakup kartą debetową / Płatność kartą"
    assert frame["description"][1] == "Zwrot opłaty za przelew zagraniczny, źródło: oddział Łódź"
    assert list(frame["bank_id"]) == ["MB231229001", "MB240102002", ""]
    assert set(frame["account"]) == {"PL61109010140000071219812874"}
    assert set(frame["currency"]) == {"PLN"}
    assert list(frame["source_line"]) == [6, 8, 10]


def test_amount_forms_funds_codes_and_zero(tmp_path):
    path = write(tmp_path, """
        :20:X
        :25:123
        :60F:C240101EUR0,
        :61:2401020102C500,NTRFNONREF
        :61:2401020102C500NTRFNONREF
        :61:2401020102DR620,3NSTONONREF
        :61:240102    DD000000000473,17NMSC
        :61:240102CD0,00NDEFNONREF//
        :62F:C240102EUR0,
    """)
    assert [c for _, _, c in rows(read_with(IMPORTER, path))] == [50000, 50000, -62030, -47317, 0]


def test_dash_line_inside_86_continues_it_but_ends_a_message_before_a_tag(tmp_path):
    path = write(tmp_path, """
        {1:F01BANKXXXX0000000000}{2:I940BANKXXXXN}{4:
        :20:A
        :25:NL00BANK0123456789
        :60F:C240101EUR10,00
        :61:240102D1,00NTRFNONREF//R1
        :86:/NAME/SPOTIFY/REMI/USTD//PREMIUM
        -
        FAMILY/
        :62F:C240102EUR9,00
        -}
        {1:F01BANKXXXX0000000000}{2:I940BANKXXXXN}{4:
        :20:B
        :25:NL00BANK0123456789
        :60F:C240102EUR9,00
        :61:240103D2,00NTRFNONREF//R2
        :86:free text
        -
        :20:C
        :25:NL00BANK0987654321
        :60F:C240103USD0,00
        :61:240104C3,00NTRFNONREF//R3
        :86:USD payment
        :62F:C240104USD3,00
        :86:statement information, not an entry's
        -}
    """)
    frame = read_with(IMPORTER, path).transactions
    assert list(frame["description"]) == ["SPOTIFY / PREMIUM-FAMILY", "free text", "USD payment"]
    assert list(frame["currency"]) == ["EUR", "EUR", "USD"]
    assert list(frame["account"]) == ["NL00BANK0123456789"] * 2 + ["NL00BANK0987654321"]
    assert list(frame["source_line"]) == [5, 15, 21]


def test_ns_fields_describe_an_entry_without_86_and_are_never_entries(tmp_path):
    path = write(tmp_path, """
        :20:STARTUMS
        :25:1966315302010001
        :NS:22JOHN DOE
        :60F:C171011HUF100,00
        :61:1710111011DF24,00S   X
        :NS:01526715
        15ERGO Versicherung AG
        :62F:C171011HUF76,00
    """, newline="\r\n")
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2017-10-11", "2017-10-11", -2400)]
    assert statement.transactions["description"][0] == "526715 ERGO Versicherung AG"


def test_unreadable_61_is_skipped_with_its_line(tmp_path):
    path = write(tmp_path, """
        :20:X
        :25:123
        :60F:C240101EUR0,
        :61:2401020102C5,00NTRFNONREF
        :61:garbage
        :61:241332D1,00NTRF
        :62F:C240102EUR5,00
    """)
    statement = read_with(IMPORTER, path)
    assert statement.rows_read == 3
    assert len(statement.transactions) == 1
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (5, "unreadable :61: (expected date, C/D mark, amount)"), (6, "unreadable date or amount in :61:")]


def test_text_without_mt940_fields_is_refused(tmp_path):
    path = write(tmp_path, ":20:only a reference\nsome text\n")
    with pytest.raises(StatementError) as caught:
        IMPORTER.extract(path, ImportOptions())
    assert caught.value.path == str(path) and caught.value.line == 1


def test_identified_by_content_not_extension(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(":20:X\r\n:25:1\r\n:60F:C240101EUR0,\r\n:61:240102C1,NTRF\r\n:62F:C240102EUR1,\r\n")
    assert identify(path).name == "mt940"


def test_forced_cp852(tmp_path):
    text = ":20:X\n:25:1\n:60F:C240101PLN0,\n:61:240102D1,00NTRF\n:86:Opłata za kartę Łódź\n:62F:D240102PLN1,00\n"
    path = tmp_path / "dos.sta"
    path.write_bytes(text.encode("cp852"))
    statement = IMPORTER.extract(path, ImportOptions(encoding="cp852"))
    assert statement.transactions["description"][0] == "Opłata za kartę Łódź"


@pytest.mark.parametrize("lines, expected", [
    (["166?00SEPA UEBERWEISUNG?20Rechnung 4711?32MUELLER GMBH"], "MUELLER GMBH / Rechnung 4711 / SEPA UEBERWEISUNG"),
    (["051?00GUTSCHRIFT?20Gehalt Okt", "ober?21Firma"], "Gehalt Okt ober Firma / GUTSCHRIFT"),
    (["/CNTP/NL32INGB0000012345/INGBNL2A/J.Janssen///REMI/USTD//Factuur 1/"], "J.Janssen / Factuur 1"),
    (["/EREF/X//REMI/STRD/CUR/9001123412341234/"], "9001123412341234"),
    (["/PT/FT/PY/SOMETHING   FOO"], "/PT/FT/PY/SOMETHING FOO"),
    (["HIER EEN OMSCHRIJVING", "TWEEDE REGEL"], "HIER EEN OMSCHRIJVING TWEEDE REGEL"),
])
def test_describe_86_layouts(lines, expected):
    assert describe_86(lines) == expected


def test_describe_86_joins_full_width_lines_without_space():
    first = "020?00Wyplata?20" + "X" * 40 + " TRANZY"
    assert len(first) >= 60
    assert describe_86([first, "STORY?32HUTA"]) == "HUTA / " + "X" * 40 + " TRANZYSTORY / Wyplata"


def test_describe_ns_drops_two_digit_codes_only_when_every_line_has_one():
    assert describe_ns(["09Fee", "15ERGO AG"]) == "Fee ERGO AG"
    assert describe_ns(["Fee", "15ERGO AG"]) == "Fee 15ERGO AG"


def test_amount_too_large_for_cents_is_skipped_not_overflowing(tmp_path):
    path = write(tmp_path, ":20:X\n:25:1\n:60F:C240101EUR0,\n:61:240102C99999999999999999999,00NTRF\n:62F:C240102EUR1,\n")
    statement = read_with(IMPORTER, path)
    assert len(statement.transactions) == 0
    assert [(s.line, s.reason) for s in statement.skipped] == [(4, "unreadable date or amount in :61:")]


def test_amount_wrapped_to_second_line_long_bank_reference_and_space_before_amount(tmp_path):
    path = write(tmp_path, """
        :20:X
        :25:DE89370400440532013000
        :60F:C240101EUR100,00
        :61:2401020102D
        12,50NDDTNONREF//REF1
        :86:166?00LASTSCHRIFT?20Abo?32SPOTIFY AB
        :61:2207060706DR20,NTRFBIPI-dvT1FzfMqvzF5HaU4oetlH7SGRkonU//2022070616391534000
        :61:240103C 7,00NTRFNONREF//R3
        Zinsen
        :62F:C240103EUR74,50
    """)
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2024-01-02", "2024-01-02", -1250), ("2022-07-06", "2022-07-06", -2000),
                               ("2024-01-03", "2024-01-03", 700)]
    frame = statement.transactions
    assert list(frame["bank_id"]) == ["REF1", "2022070616391534000", "R3"]
    assert list(frame["description"]) == ["SPOTIFY AB / Abo / LASTSCHRIFT", "", "Zinsen"]


def test_funds_code_after_mark_and_balances_without_currency(tmp_path):
    path = write(tmp_path, """
        :20:STARTUMS
        :25:1222333444
        :28:1/1
        :60F:C240301DEM0,00
        :61:2403040305CM1500,00S05112345
        :NS:01Miete Maerz
        15Hausverwaltung Nord
        :61:240306DM250,00S051
        :62M:C2403061250,00
        :20:STARTUMS
        :25:1222333444
        :60M:C2403061250,00
        :61:240307DM50,00NCHG
        :62F:C2403071200,00
    """)
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2024-03-05", "2024-03-04", 150000), ("2024-03-06", "2024-03-06", -25000),
                               ("2024-03-07", "2024-03-07", -5000)]
    frame = statement.transactions
    assert list(frame["currency"]) == ["DEM", "DEM", ""]  # the second statement names no currency
    assert frame["description"][0] == "Miete Maerz Hausverwaltung Nord"


def test_lines_separated_by_double_at_keep_their_physical_line(tmp_path):
    path = tmp_path / "fints.sta"
    path.write_text(
        "@@:20:STARTUMS@@:25:10020030/1234567@@:28C:0@@:60F:C240101EUR300,09@@\n"
        ":61:240318D330,34NMSCNONREF@@:86:105?00EINZUG?20MREF+X @@?21SVWZ+Strom Maerz?32STADTWERKE@@"
        ":62F:D240318EUR30,25@@\n"
    )
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2024-03-18", "2024-03-18", -33034)]
    assert statement.transactions["description"][0] == "STADTWERKE / MREF+X SVWZ+Strom Maerz / EINZUG"
    assert statement.transactions["source_line"][0] == 2
