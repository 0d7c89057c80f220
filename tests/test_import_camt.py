"""CAMT importer: the development corpus, fixture files per version, and one inline file per quirk."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from chargecheck.errors import StatementError
from chargecheck.importers import ImportOptions
from chargecheck.importers.camt import IMPORTER
from conftest import corpus_params
from importer_checks import check_corpus_entry, check_read_statement, read_with, rows

FIXTURES = Path(__file__).parent / "fixtures" / "camt"

# (date, posted_date, cents) per corpus file, from MANIFEST.tsv expected_notes
CORPUS_ROWS = {
    "OCA__bank-statement-import__test-camt053-txdtls.xml": [
        ("2017-03-22", "2017-03-23", 218700), ("2017-03-22", "2017-03-23", 129600)],
    "OCA__bank-statement-import__test-camt053.xml": [
        ("2014-01-05", "2014-01-05", -75425), ("2014-01-05", "2014-01-05", -56405),
        ("2014-01-05", "2014-01-05", -10000), ("2014-01-05", "2014-01-05", 140531)],
    "kedder__ofxstatement-iso20022__camt053.xml": [("2023-01-25", "2023-01-25", 128430)],
    "kedder__ofxstatement-iso20022__gcamp6.xml": [
        ("2016-04-23", "2016-04-23", 1000000), ("2016-07-28", "2016-07-28", 100000),
        ("2016-12-11", "2016-12-11", 100000), ("2016-12-27", "2016-12-27", 100000),
        ("2016-12-31", "2016-12-31", 1000)],
    "OCA__bank-statement-import__test-camt053-no-ntry.xml": [],
}




def write(tmp_path: Path, text: str, name: str = "statement.xml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip().encode(encoding))
    return path


@pytest.mark.parametrize("entry", corpus_params("camt"))
def test_corpus_file(entry, shared_dir):
    check_corpus_entry(IMPORTER, entry, shared_dir, CORPUS_ROWS)


@pytest.mark.parametrize("entry", corpus_params("camt"))
def test_corpus_file_through_read_statement(entry, shared_dir):
    check_read_statement("camt", entry, shared_dir)


def test_corpus_batch_is_split_into_details_with_their_own_lines_and_refs(shared_dir):
    statement = read_with(IMPORTER, shared_dir / "corpus/camt/OCA__bank-statement-import__test-camt053.xml")
    frame = statement.transactions
    assert list(frame["source_line"]) == [50, 144, 185, 228]
    assert list(frame["bank_id"]) == [
        "435005714488-ABNO33052620", "TESTBANK/NL/20141229/01206408",
        "TESTBANK/NL/20141229/01206407", "115"]
    assert frame["description"][0] == (
        "INSURANCE COMPANY TESTX / Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014"
        " / MKB Insurance 859239PERIOD 01.01.2014 - 31.12.2014")
    assert set(frame["account"]) == {"NL77ABNA0574908765"}
    assert set(frame["currency"]) == {"EUR"}


def test_corpus_xxx_currency_means_none(shared_dir):
    statement = read_with(IMPORTER, shared_dir / "corpus/camt/kedder__ofxstatement-iso20022__gcamp6.xml")
    assert set(statement.transactions["currency"]) == {""}
    assert set(statement.transactions["description"]) == {"Account Transfer"}


def test_camt052_v08_report_fixture():
    statement = read_with(IMPORTER, FIXTURES / "camt052-v08-report.xml")
    frame = statement.transactions
    assert statement.notes[0] == "camt.052.001.08"
    # DtTm booking date keeps the printed calendar day (no UTC shift); batch split with own signs
    assert rows(statement) == [("2026-03-01", "2026-03-02", -1599), ("2026-03-02", "", -12000),
                               ("2026-03-02", "", 2000)]
    assert list(frame["description"]) == ["NETFLIX.COM / Monthly plan March", "Gym Club", "Gym Club refund"]
    assert list(frame["bank_id"]) == ["REF-0001", "TX-A", "TX-B"]  # NOTPROVIDED is no id
    assert list(frame["account"]) == ["0042-7777777-01"] * 3
    assert list(frame["currency"]) == ["EUR"] * 3  # Acct/Ccy when Amt has no Ccy
    assert list(frame["source_line"]) == [18, 57, 69]


def test_camt054_prefixed_namespace_latin1_reversal_keeps_indicator_sign():
    statement = read_with(IMPORTER, FIXTURES / "camt054-v04-notification.xml")
    assert statement.encoding == "latin-1"
    assert rows(statement) == [("2025-12-31", "2026-01-02", 4250)]
    assert statement.transactions["description"][0] == "Rückbuchung Lastschrift Café Müller"
    assert statement.transactions["account"][0] == "DE02120300000000202051"


DOC = """\
<?xml version="1.0" encoding="{encoding}"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><Stmt><Acct><Id><IBAN>CH9300762011623852957</IBAN></Id></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>
"""
ENTRY = """<Ntry><Amt Ccy="CHF">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>
<BookgDt><Dt>{day}</Dt></BookgDt><AddtlNtryInf>{info}</AddtlNtryInf></Ntry>"""


def doc(*entries: str, encoding: str = "UTF-8") -> str:
    return DOC.format(encoding=encoding, entries="\n".join(entries))


def test_file_lying_about_its_encoding_is_still_read(tmp_path):
    text = doc(ENTRY.format(amount="9.90", ind="DBIT", day="2026-01-05", info="Café Zürich"))
    path = tmp_path / "lies.xml"
    path.write_bytes(text.encode("cp1252"))  # declared UTF-8, bytes are cp1252
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2026-01-05", "", -990)]
    assert statement.transactions["description"][0] == "Café Zürich"
    assert statement.encoding not in ("utf-8", "ascii")  # detected; cp1250 and cp1252 agree on é/ü


def test_declared_windows_1252_is_honoured(tmp_path):
    text = doc(ENTRY.format(amount="1.00", ind="CRDT", day="2026-01-05", info="Prämie €"), encoding="windows-1252")
    path = tmp_path / "cp.xml"
    path.write_bytes(text.encode("cp1252"))
    assert read_with(IMPORTER, path).transactions["description"][0] == "Prämie €"


def test_unreadable_entry_is_skipped_with_its_line(tmp_path):
    path = write(tmp_path, doc(
        ENTRY.format(amount="12.00", ind="DBIT", day="2026-02-01", info="ok"),
        ENTRY.format(amount="abc", ind="DBIT", day="2026-02-01", info="bad amount"),
        ENTRY.format(amount="3.00", ind="DBIT", day="2026-13-01", info="bad date"),
        ENTRY.format(amount="3.00", ind="XXXX", day="2026-02-01", info="bad indicator"),
    ))
    statement = read_with(IMPORTER, path)
    assert rows(statement) == [("2026-02-01", "", -1200)]
    assert statement.rows_read == 4
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (6, "entry without a readable amount and CRDT/DBIT indicator"),
        (8, "entry without a readable booking or value date"),
        (10, "entry without a readable amount and CRDT/DBIT indicator"),
    ]


def test_details_not_adding_up_stay_one_transaction_with_a_note(tmp_path):
    detail = "<TxDtls><Amt Ccy=\"CHF\">{}</Amt><RmtInf><Ustrd>part</Ustrd></RmtInf></TxDtls>"
    entry = ("<Ntry><Amt Ccy=\"CHF\">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-02-01</Dt>"
             f"</BookgDt><NtryDtls>{detail.format('10.00')}{detail.format('30.00')}</NtryDtls>"
             "<AddtlNtryInf>Sammelbuchung</AddtlNtryInf></Ntry>")
    statement = read_with(IMPORTER, write(tmp_path, doc(entry)))
    assert rows(statement) == [("2026-02-01", "", -5000)]
    assert statement.transactions["description"][0] == "Sammelbuchung"
    assert "do not add up" in statement.notes[1]


@pytest.mark.parametrize("amount", ["1.005", "1E+30", "NaN", "-5.00"])
def test_sub_cent_huge_or_negative_amount_is_skipped_not_rounded(tmp_path, amount):
    statement = read_with(IMPORTER, write(tmp_path, doc(ENTRY.format(amount=amount, ind="DBIT", day="2026-02-01", info="x"))))
    assert len(statement.transactions) == 0 and len(statement.skipped) == 1


@pytest.mark.parametrize("body, found", [
    ('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&b;</BkToCstmrStmt></Document>',
     "EntitiesForbidden"),
    ('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>',
     "EntitiesForbidden"),
])
def test_entity_expansion_and_external_entities_are_refused(tmp_path, body, found):
    path = write(tmp_path, body)
    with pytest.raises(StatementError) as caught:
        IMPORTER.extract(path, ImportOptions())
    assert caught.value.found == found
    assert "refused for safety" in str(caught.value)


def test_truncated_xml_names_file_and_line(tmp_path):
    text = doc(ENTRY.format(amount="1.00", ind="DBIT", day="2026-02-01", info="x"))
    path = write(tmp_path, text[: text.index("</Stmt>")])
    with pytest.raises(StatementError) as caught:
        read_with(IMPORTER, path)
    assert caught.value.path == str(path)
    assert caught.value.line == 6
    assert caught.value.expected == "well-formed CAMT XML"


def test_camt_namespace_without_message_is_refused(tmp_path):
    path = write(tmp_path, '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrX/></Document>')
    with pytest.raises(StatementError, match="a CAMT message"):
        IMPORTER.extract(path, ImportOptions())


def test_forced_encoding_wins(tmp_path):
    text = doc(ENTRY.format(amount="1.00", ind="DBIT", day="2026-02-01", info="Ωmega"))
    path = tmp_path / "greek.xml"
    path.write_bytes(text.encode("cp1253"))
    statement = IMPORTER.extract(path, ImportOptions(encoding="cp1253"))
    assert statement.transactions["description"][0] == "Ωmega"
    assert statement.encoding == "cp1253"


def test_dates_are_calendar_days_not_strings(tmp_path):
    statement = read_with(IMPORTER, write(tmp_path, doc(ENTRY.format(amount="1.00", ind="DBIT", day="2026-02-01", info="x"))))
    assert statement.transactions["date"].dt.date.tolist() == [date(2026, 2, 1)]
    assert str(statement.transactions["date"].dtype) == "datetime64[s]"


@pytest.mark.parametrize("declared, codec, text, reported", [
    ("UTF-16", "utf-16", "Zoë", "utf-16"),            # BOM; expat decodes it itself
    ("Shift_JIS", "shift_jis", "東京", "shift_jis"),   # multi-byte: expat cannot, textio can
    ("no-such-charset", "utf-8", "Zoë", "utf-8"),      # an unknown declaration is not fatal
])
def test_declared_encodings_expat_cannot_use_are_decoded_by_python(tmp_path, declared, codec, text, reported):
    path = tmp_path / "enc.xml"
    path.write_bytes(doc(ENTRY.format(amount="1.00", ind="DBIT", day="2026-02-01", info=text), encoding=declared).encode(codec))
    statement = read_with(IMPORTER, path)
    assert statement.transactions["description"][0] == text
    assert statement.encoding == reported


def test_information_only_entries_are_skipped_pending_ones_kept(tmp_path):
    info = ENTRY.format(amount="5.00", ind="DBIT", day="2026-02-01", info="info").replace(
        "<CdtDbtInd>", "<Sts><Cd>INFO</Cd></Sts><CdtDbtInd>")
    pending = ENTRY.format(amount="7.00", ind="DBIT", day="2026-02-01", info="pending").replace(
        "<CdtDbtInd>", "<Sts>PDNG</Sts><CdtDbtInd>")
    statement = read_with(IMPORTER, write(tmp_path, doc(info, pending)))
    assert rows(statement) == [("2026-02-01", "", -700)]
    assert [(s.line, s.reason) for s in statement.skipped] == [(4, "information-only entry (Sts INFO), not booked")]
