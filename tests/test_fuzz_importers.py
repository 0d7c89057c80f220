"""Bad input never produces a traceback: random and mutated bytes fed to every importer.

Property: ``identify`` answers True or False, and ``extract`` (and ``read_statement``, which
identifies the format first) either returns a Statement whose rows are all accounted for
(``rows_read == transactions + skipped``, schema columns intact) or raises
:class:`StatementError`; any other exception is a bug.

Seeds are real statement files: every fixture under ``tests/fixtures/<format>/`` plus a small
inline sample per format, so each importer meets input close enough to its format to get past
identification and deep into its parser.  Mutations: truncate, flip bytes, duplicate or delete
lines, insert junk or long digit runs.  Every format in the registry is covered; one missing from
it fails the test rather than skipping it.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chargecheck.errors import StatementError
from chargecheck.importers import FORMAT_MODULES, ImportOptions, Sample, importers, read_statement
from chargecheck.importers.base import SAMPLE_BYTES
from chargecheck.schema import TRANSACTION_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures"


def _xlsx_bytes(rows: list[list]) -> bytes:
    """A small workbook as openpyxl writes it (a ZIP of XML parts)."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


INLINE_SEEDS = {
    "ofx": b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS>"
           b"<STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN>"
           b"<TRNTYPE>DEBIT<DTPOSTED>20260301<TRNAMT>-9.99<FITID>A1<NAME>NETFLIX</STMTTRN>"
           b"</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n",
    "camt": b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            b"<BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt Ccy=\"EUR\">1.50</Amt>"
            b"<CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-01-02</Dt></BookgDt><NtryDtls><TxDtls>"
            b"<Amt Ccy=\"EUR\">1.00</Amt></TxDtls><TxDtls><Amt Ccy=\"EUR\">0.50</Amt></TxDtls></NtryDtls>"
            b"</Ntry></Stmt></BkToCstmrStmt></Document>\n",
    "mt940": b"{1:F01X}{2:I940X}{4:\r\n:20:A\r\n:25:NL01BANK0123456789EUR\r\n:60F:C260101EUR1,00\r\n"
             b":61:2601021231RD1,00NTRFNONREF//B1\r\n/SUPPL/\r\n:86:166?00X?20Y?32Z\r\n-\r\nmore\r\n"
             b":NS:01ab\r\n:62F:C260102EUR2,00\r\n-}\r\n",
    "qif": b"!Type:Bank\nD2/10'2020\nT-12.50\nPNETFLIX\n^\nD12/31/2020\nT1,000.00\nSsplit\n$5\n^\n",
    "csv": b"Date,Description,Amount\n2026-03-01,NETFLIX,-9.99\n2026-03-02,\"COFFEE, INC\",\"-3,50\"\n",
    "xlsx": _xlsx_bytes([["Date", "Description", "Amount"], ["2026-03-01", "NETFLIX", -9.99]]),
}
# Derandomized so the suite gives the same verdict on every run; a longer hunt:
# CHARGECHECK_FUZZ_EXAMPLES=5000 CHARGECHECK_FUZZ_RANDOM=1 python -m pytest tests/test_fuzz_importers.py
FUZZ = settings(
    max_examples=int(os.environ.get("CHARGECHECK_FUZZ_EXAMPLES", "120")),
    derandomize=not os.environ.get("CHARGECHECK_FUZZ_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _seeds() -> list[bytes]:
    """Every fixture file of every statement format, then the inline samples."""
    found = []
    for fmt in FORMAT_MODULES:
        folder = FIXTURES / fmt
        if folder.is_dir():
            found.extend(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    return [seed for seed in found if len(seed) < 200_000] + list(INLINE_SEEDS.values())


SEEDS = _seeds()


@st.composite
def mutated(draw, seeds: list[bytes] = SEEDS) -> bytes:
    """A real statement with one to four mutations applied."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "dup_line", "del_line", "junk", "digits"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        elif kind in ("dup_line", "del_line"):
            lines = data.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines[i:i + 1] = [lines[i]] * (2 if kind == "dup_line" else 0)
                data = b"".join(lines)
        elif kind == "digits":  # long numbers: amounts and dates beyond every field's width
            data = data[:at] + draw(st.from_regex(rb"\A[0-9]{8,40}\Z")) + data[at:]
        else:
            data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
    return data


ANY_BYTES = st.one_of(mutated(), st.binary(max_size=3000))
# Inputs that once escaped as something other than StatementError (found by this test), kept
# as fixed examples so every run re-checks them.
REGRESSIONS = (
    b":20:X\n:25:1\n:60F:C240101EUR0,\n:61:240102C99999999999999999999999,00NTRF\n",  # int64 overflow
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry>'
    b'<Amt Ccy="EUR">1E+30</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-01-01</Dt></BookgDt>'
    b"</Ntry></Stmt></BkToCstmrStmt></Document>",  # int64 overflow
    b'Date,Description,Amount\n2026-03-01,NETFLIX,-9.99\n2026-03-02,"',  # unterminated quote
    b'"1000594757";"',
    b"id,created,amount,currency,local_amount,local_currency,category,emoji,description,address,"
    b"notes,receipt\n",  # a known layout's header and no rows
    b"id,created,amount,currency,local_amount,local_currency,category,emoji,description,address,"
    b"notes,receipt",  # the same without a final newline
    b"Account Statement - (@jdoe) ,,,,,,,,,\nAccount Activity,,,,,,,,,\n"
    b",ID,Datetime,Type,Status,Note,From,To,Amount ",  # preamble, then a header cut short
    b"Datum,Empf\xc3\xa4nger,Kontonummer,Transaktionstyp,Verwendungszweck,Kategorie,Betrag (EUR),"
    b"Betrag (Fremdw\xc3\xa4hrung),Fremdw\xc3\xa4hrung,Wechselkurs\n2017-10-01,NINTENDO OF EUROPE,,"
    b"MasterCard Zahlun\xce\x9c\x19t\xd0\x803^\xe1\x9e\xa90u\x9dK\xd9O",  # a row cut in its middle
    b"OFXHEADER:100\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n"
    b"\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&'()*+,",
)


def with_regressions(test):
    """Decorate a ``data``-taking hypothesis test with every regression input as an example."""
    for data in REGRESSIONS:
        test = example(data=data)(test)
    return test


_WORKDIR = tempfile.TemporaryDirectory(prefix="chargecheck-fuzz-")


def _write(data: bytes, name: str = "statement.dat") -> Path:
    path = Path(_WORKDIR.name) / name
    path.write_bytes(data)
    return path


def _check(statement) -> None:
    assert statement.rows_read == len(statement.transactions) + len(statement.skipped)
    assert tuple(statement.transactions.columns) == TRANSACTION_COLUMNS


def _registered(name: str):
    by_name = {imp.name: imp for imp in importers()}
    assert name in by_name, f"the {name} importer is not registered"
    return by_name[name]


@pytest.mark.parametrize("name", FORMAT_MODULES)
def test_extract_raises_only_statement_error(name):
    importer = _registered(name)

    @FUZZ
    @with_regressions
    @given(data=ANY_BYTES)
    def check(data: bytes) -> None:
        path = _write(data, f"fuzz.{name}")
        assert importer.identify(Sample(path=path, head=data[:SAMPLE_BYTES])) in (True, False)
        try:
            statement = importer.extract(path, ImportOptions())
        except StatementError:
            return
        _check(statement)

    check()


@FUZZ
@with_regressions
@given(data=ANY_BYTES)
def test_read_statement_raises_only_statement_error(data):
    path = _write(data)
    try:
        statement = read_statement(path)
    except StatementError:
        return
    _check(statement)


def test_mutated_corpus_files_raise_only_statement_error(shared_dir):
    """The development corpus, when present, seeds mutations too: real banks' files."""
    corpus = [p.read_bytes() for p in sorted((shared_dir / "corpus").rglob("*")) if p.is_file()
              and p.name != "MANIFEST.tsv" and p.stat().st_size < 200_000]

    @FUZZ
    @given(data=mutated(corpus))
    def check(data: bytes) -> None:
        path = _write(data, "corpus.dat")
        try:
            statement = read_statement(path)
        except StatementError:
            return
        _check(statement)

    check()


def test_seeds_cover_every_registered_format():
    """The seeds are readable statements (so mutations start from deep inside each parser)."""
    names = {imp.name for imp in importers()}
    assert names <= set(INLINE_SEEDS)
    for name in names & {"camt", "mt940"}:
        statement = read_statement(_write(INLINE_SEEDS[name], f"seed.{name}"))
        assert statement.format == name and len(statement.transactions) >= 1
