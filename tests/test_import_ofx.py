"""OFX/QFX importer: corpus counts, agreement with ofxparse as reference reader, each quirk with exact values."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargecheck.errors import StatementError
from chargecheck.importers import Sample, read_statement
from chargecheck.importers.ofx.importer import IMPORTER, describe, read_ofx
from conftest import corpus_params
from ofxparse_reference import ofxparse_transactions, our_transactions

FIXTURES = Path(__file__).parent / "fixtures" / "ofx"
GOOD_FIXTURES = sorted(p for p in FIXTURES.glob("*.*"))
BROKEN = FIXTURES / "broken"


def rows(statement) -> list[tuple]:
    """(day, cents, currency, description, account, FITID, line) per transaction."""
    frame = statement.transactions
    return [
        (d.date().isoformat(), int(c), cur, desc, acc, fid, int(line))
        for d, c, cur, desc, acc, fid, line in zip(
            frame["date"], frame["amount_cents"], frame["currency"], frame["description"],
            frame["account"], frame["bank_id"], frame["source_line"],
        )
    ]


# --- the development corpus -------------------------------------------------------------


@pytest.mark.parametrize("corpus_file", corpus_params("ofx"), indirect=True)
def test_corpus_counts(corpus_file: Path, request) -> None:
    """Each corpus file gives exactly its expected transactions (and skips), or a StatementError."""
    expected = request.node.callspec.params["corpus_file"]["expected_transactions"]
    if expected == "error":
        with pytest.raises(StatementError) as info:
            read_statement(corpus_file)
        assert info.value.path == str(corpus_file) and info.value.line is not None
        return
    count, _, skipped = expected.partition("+skipped:")
    statement = read_statement(corpus_file)
    assert statement.format == "ofx"
    assert len(statement.transactions) == int(count)
    assert len(statement.skipped) == int(skipped or 0)
    assert statement.rows_read == len(statement.transactions) + len(statement.skipped)


# Signs, dates and decoding from MANIFEST expected_notes.
CORPUS_VALUES = {
    "jseutter__ofxparse__bank_medium.ofx": [
        ("2009-04-01", -660, "CAD"), ("2009-04-02", -31667, "CAD"), ("2009-04-03", -2200, "CAD")],
    "jseutter__ofxparse__anzcc.ofx": [("2017-05-08", -550, "AUD")],
    "egh__ledger-autosync__comments.ofx": [("2016-10-27", 12345, "USD"), ("2016-10-27", 0, "USD")],
    "egh__ledger-autosync__accented_characters_latin1.ofx": [("2014-09-20", -5873, "USD")],
    "jseutter__ofxparse__checking.ofx": [
        ("2011-03-31", 1, "USD"), ("2011-04-05", -3451, "USD"), ("2011-04-07", -2500, "USD")],
    "jseutter__ofxparse__fail_nice-empty_balance.ofx": [("2011-03-08", 12000, "CAD")],
    "actualbudget__actual__html-vals.qfx": [("2023-05-09", -100, "CAD"), ("2023-03-01", -100, "CAD")],
    "OCA__bank-statement-import__test_ofx_wrong.ofx": [
        ("2013-08-24", -8000, ""), ("2013-08-24", -10000, ""), ("2013-08-24", -9000, "")],
}


@pytest.mark.parametrize("name", sorted(CORPUS_VALUES))
def test_corpus_signs_and_dates(shared_dir: Path, name: str) -> None:
    statement = read_statement(shared_dir / "corpus" / "ofx" / name)
    assert [r[:3] for r in rows(statement)] == CORPUS_VALUES[name]


def test_corpus_details(shared_dir: Path) -> None:
    """Decoding, entities, junk NAME and the commented-out transaction of the corpus files."""
    corpus = shared_dir / "corpus" / "ofx"
    latin = read_statement(corpus / "egh__ledger-autosync__accented_characters_latin1.ofx")
    assert latin.transactions["description"].tolist() == ["Virement Interac à: Jean"]
    html = read_statement(corpus / "actualbudget__actual__html-vals.qfx")
    assert html.transactions["description"].tolist() == [
        "PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY;Electronic Funds Transfer",
        "TPAY &lt;DEFTPYMT&gt; PREAUTHORIZED DEBIT;LUXMORE REALTY PPTY MGMT;Electronic Funds Transfer",
    ]
    wrong = read_statement(corpus / "OCA__bank-statement-import__test_ofx_wrong.ofx")
    assert [(s.line, s.reason, s.text) for s in wrong.skipped] == [
        (42, "transaction has no valid posting date (DTPOSTED) and no amount (TRNAMT)", "China Export")]
    assert "line 21: the statement names no account (ACCTID)" in wrong.notes
    vanguard = corpus / "jseutter__ofxparse__vanguard.ofx"
    with pytest.raises(StatementError, match="found an investment statement \\(INVSTMTRS\\)"):
        read_statement(vanguard)


def _agrees_with_ofxparse(path: Path) -> None:
    """Every transaction ofxparse reads is one of ours (day, amount, FITID, description), or a
    row we skipped with a stated reason (e.g. a sub-cent amount ofxparse takes as it is)."""
    try:
        ours = read_ofx(path)
    except StatementError:
        return  # refused with a reason; ofxparse has nothing to compare
    reference = ofxparse_transactions(path)
    assert reference, "ofxparse read nothing: the comparison would prove nothing"
    unmatched = set(reference) - our_transactions(ours)
    skipped_texts = {row.text for row in ours.skipped}
    assert {t[3] for t in unmatched} <= skipped_texts
    assert len(reference) - len(unmatched) <= len(ours.transactions)


@pytest.mark.parametrize("corpus_file", corpus_params("ofx"), indirect=True)
def test_corpus_agrees_with_ofxparse(corpus_file: Path) -> None:
    """ofxparse, as an independent reader, finds no transaction we read differently."""
    if b"<STMTTRN>" not in corpus_file.read_bytes().upper():
        pytest.skip("no <STMTTRN> in this file: nothing for ofxparse to read")
    _agrees_with_ofxparse(corpus_file)


# --- fixtures: one per quirk ------------------------------------------------------------


@pytest.mark.parametrize("path", GOOD_FIXTURES, ids=lambda p: p.name)
def test_fixture_agrees_with_ofxparse(path: Path) -> None:
    _agrees_with_ofxparse(path)


def test_timezone_suffix_keeps_the_printed_day() -> None:
    """``20260301230000[-5:EST]`` is 1 March (UTC would say 2 March); a non-day is skipped."""
    statement = read_statement(FIXTURES / "timezones.ofx")
    assert rows(statement) == [
        ("2026-03-01", -5999, "USD", "DRI*KASPERSKY LAB", "5551234", "TZ1", 16),
        ("2026-03-02", -999, "USD", "SPOTIFY", "5551234", "TZ2", 23),
        ("2026-03-03", -1549, "USD", "NETFLIX.COM", "5551234", "TZ3", 30),
        ("2026-03-04", -450, "USD", "STARBUCKS", "5551234", "TZ4", 37),
    ]
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (44, "transaction has no valid posting date (DTPOSTED)")]
    assert statement.rows_read == 5


def test_several_accounts_card_first() -> None:
    """Account = the statement's ACCTID (never a transfer's BANKACCTTO); currency per statement."""
    statement = read_statement(FIXTURES / "multi_account.ofx")
    assert rows(statement) == [
        ("2026-02-03", -1299, "USD", "HULU 877-8244858 CA", "4111111111111111", "C1", 16),
        ("2026-02-10", 1299, "USD", "HULU REFUND", "4111111111111111", "C2", 17),
        ("2026-02-05", -20000, "USD", "TRANSFER TO SAVINGS", "1111", "K1", 23),
        ("2026-02-06", -799, "USD", "PAYPAL *KASPERSKY", "1111", "K2", 24),
        ("2026-02-05", 20000, "EUR", "TRANSFER FROM CHECKING", "2222", "S1", 29),
    ]


def test_card_statement_ofx2_utf8_entities_and_empty_memos() -> None:
    statement = read_statement(FIXTURES / "card_v2_utf8.qfx")
    assert statement.encoding == "utf-8"
    assert rows(statement) == [
        ("2026-03-02", -420, "EUR", "CAFÉ MÜLLER", "5500000000000004", "E1", 21),
        ("2026-03-03", -6500, "EUR", "AT&T WIRELESS", "5500000000000004", "E2", 29),
        ("2026-03-04", 420, "EUR", "CAFÉ MÜLLER REMBOURSEMENT", "5500000000000004", "E3", 37),
    ]


@pytest.mark.parametrize(
    ("name", "encoding", "description"),
    [
        ("lying_ascii_cp1252.ofx", "cp1252", "CAFé DE FLORE"),
        ("utf8_declared_1252.ofx", "utf-8", "FINANČNA UPRAVA Ä"),
    ],
)
def test_encodings_that_lie(name: str, encoding: str, description: str) -> None:
    """A cp1252 byte in a file declared US-ASCII; UTF-8 text in a file declared cp1252."""
    statement = read_statement(FIXTURES / name)
    assert statement.encoding == encoding
    assert statement.transactions["description"].tolist() == [description]


def test_lowercase_tags_and_headers_on_one_line() -> None:
    statement = read_statement(FIXTURES / "lowercase_one_line_header.ofx")
    assert rows(statement) == [
        ("2026-03-02", -1000, "USD", "Planet Fitness", "777", "L1", 7),
        ("2026-03-03", -275, "USD", "Metro Card Top-up", "777", "L2", 8),
    ]


def test_empty_and_self_closing_leaves_junk_name_bom_and_trailing_bytes() -> None:
    statement = read_statement(FIXTURES / "empty_leaves.ofx")
    assert [(r[3], r[6]) for r in rows(statement)] == [
        ("PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY", 17),  # NAME all zeros: dropped
        ("AMAZON MKTPLACE PMTS AMZN.COM/BILL WA", 25),  # truncated NAME repeated in MEMO
        ("NETFLIX.COM", 34),  # empty <MEMO>, empty <CHECKNUM>, <SIC/>
        ("TPAY &lt;DEFTPYMT&gt; LUXMORE REALTY", 43),  # double-escaped: decoded once
    ]


def test_rows_that_cannot_be_read_are_skipped_with_reason_and_line() -> None:
    statement = read_statement(FIXTURES / "rows_skipped.ofx")
    assert [(r[1], r[3], r[5]) for r in rows(statement)] == [
        (-799, "DECIMAL COMMA", "R1"), (1200, "PLUS SIGN", "R2"), (-123456, "THOUSANDS DOT", "R3"),
        (-500, "NO FITID", ""),  # ofxparse would discard it; a charge without a bank id is still a charge
    ]
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (20, "transaction has no amount (TRNAMT)"),
        (21, "transaction has an unreadable amount (TRNAMT 'abc')"),
        (22, "transaction has an unreadable amount (TRNAMT '-1.005')"),
        (23, "transaction has no valid posting date (DTPOSTED)"),
    ]
    assert statement.rows_read == 8


BROKEN_MESSAGES = {
    "garbage.ofx": (1, "expected an OFX document with an <OFX> element, found none"),
    "investment.ofx": (14, "expected a bank or credit-card statement, found an investment statement "
                           "(INVSTMTRS) (investment accounts are not supported)"),
    "signon_error.ofx": (13, "expected a bank or credit-card statement, found a sign-on failure from the "
                             "bank (status 15500: Wrong password) (the bank refused the download; sign in "
                             "again and download a new statement)"),
    "statement_error.ofx": (11, "expected a bank or credit-card statement, found no statement (no STMTRS "
                                "or CCSTMTRS); the bank answered status 2003: Account not found"),
    "truncated.ofx": (17, "expected </OFX> closing the document, found the end of the file (the file "
                          "looks truncated; download the statement again)"),
    "unclosed_transaction.ofx": (16, "expected </STMTTRN> closing this transaction, found <STMTTRN> "
                                     "on line 17 first"),
}


def test_every_broken_fixture_has_its_message() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(BROKEN_MESSAGES)


@pytest.mark.parametrize("name", sorted(BROKEN_MESSAGES))
def test_broken_files_give_their_exact_message(name: str) -> None:
    line, message = BROKEN_MESSAGES[name]
    path = BROKEN / name
    with pytest.raises(StatementError) as info:
        read_statement(path, format="ofx")
    assert str(info.value) == f"{path}:{line}: {message}"


# --- description, identification -----------------------------------------


@pytest.mark.parametrize(
    ("name", "memo", "expected"),
    [
        ("NETFLIX.COM", "", "NETFLIX.COM"),
        ("", "SOME MEMO", "SOME MEMO"),
        ("000000000000000", "B.C. HYDRO", "B.C. HYDRO"),
        ("SPOTIFY", "123456", "SPOTIFY"),
        ("DIVIDEND EARNED FOR PERIOD OF 03", "DIVIDEND EARNED FOR PERIOD OF 03/01/2011", "DIVIDEND EARNED FOR PERIOD OF 03/01/2011"),
        ("MCDONALD'S #112", "POS MERCHANDISE;MCDONALD'S #112", "POS MERCHANDISE;MCDONALD'S #112"),
        ("ACME  CORP", "acme corp", "ACME CORP"),
        ("HULU", "Monthly plan", "HULU Monthly plan"),
        ("0000", "", "0000"),
    ],
)
def test_describe(name: str, memo: str, expected: str) -> None:
    assert describe(name, memo) == expected


@pytest.mark.parametrize(
    ("head", "is_ofx"),
    [
        (b"OFXHEADER:100\nDATA:OFXSGML\n", True),
        (b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<OFX>', True),
        (b"\n<ofx>\n<signonmsgsrsv1>", True),
        (b"Date,Description,Amount\n2026-03-01,OFX FEE,-1.00\n", False),
        (b"!Type:Bank\nD3/1/26\nT-1.00\n^\n", False),
    ],
)
def test_identify(head: bytes, is_ofx: bool) -> None:
    assert IMPORTER.identify(Sample(path=Path("x"), head=head)) is is_ofx


def test_inline_minimal_statement(tmp_path: Path) -> None:
    """No header, no SONRS, XML-style closed leaves: still one transaction."""
    path = tmp_path / "min.ofx"
    path.write_text(textwrap.dedent("""\
        <OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>GBP</CURDEF>
        <BANKACCTFROM><ACCTID>GB1</ACCTID></BANKACCTFROM><BANKTRANLIST>
        <STMTTRN><DTPOSTED>20251231235959[-12:IDLW]</DTPOSTED><TRNAMT>-1.50</TRNAMT><FITID>1</FITID><NAME>TEA</NAME></STMTTRN>
        </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
        """))
    statement = read_statement(path)
    assert rows(statement) == [("2025-12-31", -150, "GBP", "TEA", "GB1", "1", 3)]
    assert statement.transactions["date"].iloc[0].date() == dt.date(2025, 12, 31)


BODY = ("<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM>"
        "<BANKTRANLIST><STMTTRN><DTPOSTED>20260102<TRNAMT>-1.00<FITID>1<NAME>{name}</STMTTRN>"
        "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n")


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        ("OFXHEADER:100\nDATA:OFXSGML\nENCODING:UTF8\nCHARSET:NONE\n\n", "utf-8"),  # no dash
        ("OFXHEADER:100\nENCODING:USASCII\nCHARSET:ISO-8859-1\n\n", "latin-1"),
        ("OFXHEADER:100\nENCODING:USASCII\nCHARSET:NONE\n\n", "cp1252"),
        ("<!-- OFXHEADER:100 ENCODING:UTF-8 -->\n", "utf-8"),  # header wrapped in a comment
        ('<?xml version="1.0" encoding="ISO-8859-1"?>\n', "latin-1"),
        ("", "utf-8"),  # OFX 2 body with no header at all
    ],
)
def test_declared_encodings_and_headers_ofxparse_trips_on(tmp_path: Path, header: str, encoding: str) -> None:
    path = tmp_path / "enc.ofx"
    path.write_bytes(header.encode("ascii") + BODY.format(name="CAFÉ ZÜRICH").encode(encoding))
    assert read_ofx(path).transactions["description"].tolist() == ["CAFÉ ZÜRICH"]
    assert [t[3] for t in ofxparse_transactions(path)] == ["CAFÉ ZÜRICH"]  # the reference agrees


@pytest.mark.parametrize(
    ("printed", "day"),
    [("20260301230000[-5:EST]", "2026-03-01"), ("20260301000000[+14:LINT]", "2026-03-01"),
     ("20260301", "2026-03-01"), ("2026-03-01", "2026-03-01"), ("2026-03-01T23:30:00", "2026-03-01"),
     (" 20260301 ", "2026-03-01")],
)
def test_posting_day_variants(tmp_path: Path, printed: str, day: str) -> None:
    path = tmp_path / "day.ofx"
    path.write_text(BODY.replace("20260102", printed).format(name="X"), encoding="ascii")
    assert rows(read_ofx(path))[0][0] == day


def test_investment_statement_beside_a_bank_statement_is_noted_not_read(tmp_path: Path) -> None:
    """STMTTRN inside INVBANKTRAN (investment cash) are not bank rows, before or after the bank one."""
    inv = ("<INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><INVTRANLIST><INVBANKTRAN><STMTTRN>"
           "<DTPOSTED>20260101<TRNAMT>5.00<FITID>I{n}<NAME>DIVIDEND</STMTTRN></INVBANKTRAN>"
           "</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>")
    path = tmp_path / "mixed.ofx"
    path.write_text("<OFX>\n" + inv.format(n=1) + "\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD"
                    "<BANKACCTFROM><ACCTID>9</BANKACCTFROM><BANKTRANLIST>\n"
                    "<STMTTRN><DTPOSTED>20260102<TRNAMT>-1.00<FITID>B1<NAME>BANK ROW</STMTTRN>\n"
                    "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n" + inv.format(n=2) + "\n</OFX>\n")
    statement = read_ofx(path)
    assert rows(statement) == [("2026-01-02", -100, "USD", "BANK ROW", "9", "B1", 4)]
    assert statement.rows_read == 1
    assert "an investment statement (INVSTMTRS) in the file was not read" in statement.notes


# --- bad input never escapes as anything but StatementError -----------------------------

SEED_BYTES = [p.read_bytes() for p in GOOD_FIXTURES]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(SEED_BYTES),
    cut=st.integers(min_value=0, max_value=2000),
    noise=st.binary(max_size=40),
    where=st.integers(min_value=0, max_value=2000),
)
def test_mutated_ofx_raises_only_statement_error(tmp_path: Path, seed: bytes, cut: int, noise: bytes, where: int) -> None:
    data = seed[:where] + noise + seed[where + cut % 50 :]
    path = tmp_path / "fuzz.ofx"
    path.write_bytes(data)
    try:
        statement = read_ofx(path)
    except StatementError:
        return
    assert statement.rows_read == len(statement.transactions) + len(statement.skipped)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_raise_only_statement_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.ofx"
    path.write_bytes(b"OFXHEADER:100\n" + data)
    try:
        read_ofx(path)
    except StatementError:
        pass


def test_the_day_the_card_was_used_is_the_date_and_dtposted_the_posted_date(tmp_path: Path) -> None:
    """DTUSER (when given) is the transaction date, as a CSV's Transaction Date; DTPOSTED is posted."""
    path = tmp_path / "user.ofx"
    path.write_text(textwrap.dedent("""\
        OFXHEADER:100
        DATA:OFXSGML

        <OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>USD
        <CCACCTFROM><ACCTID>4111</CCACCTFROM><BANKTRANLIST>
        <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260302<DTUSER>20260228<TRNAMT>-59.99<FITID>A1<NAME>DRI*KASPERSKY</STMTTRN>
        <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260305<TRNAMT>-15.49<FITID>A2<NAME>NETFLIX.COM</STMTTRN>
        <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260306<DTUSER>2026-02-31<TRNAMT>-9.99<FITID>A3<NAME>SPOTIFY</STMTTRN>
        </BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
        """))
    frame = read_ofx(path).transactions
    got = [(d.date().isoformat(), None if pd.isna(p) else p.date().isoformat(), fid)
           for d, p, fid in zip(frame["date"], frame["posted_date"], frame["bank_id"])]
    assert got == [("2026-02-28", "2026-03-02", "A1"),   # used before a 1 March cancellation
                   ("2026-03-05", None, "A2"),             # no DTUSER: the posting day
                   ("2026-03-06", None, "A3")]             # a DTUSER that is no calendar day is ignored


@pytest.mark.parametrize(("text", "code_page", "language"), [
    ("Příspěvek Žluťoučký kůň úpěl", "cp1250", "Czech"),
    ("Zażółć gęślą jaźń opłata", "cp1250", "Polish"),
    ("Crème brûlée à la carte", "cp1252", "French"),
])
def test_ofx_single_byte_code_page_chosen_by_evidence_and_said(tmp_path: Path, text: str, code_page: str,
                                                                language: str) -> None:
    """An OFX file that names no encoding at all (no header) is decoded by evidence, with the reason
    in its notes (a header's ENCODING:USASCII means cp1252, the OFX 1.x default, and is taken)."""
    path = tmp_path / "cp.ofx"
    path.write_bytes(BODY.format(name=text).encode(code_page))
    statement = read_ofx(path)
    assert statement.transactions["description"].tolist() == [text]
    assert statement.encoding == code_page
    assert any(note.startswith(f"encoding {code_page} by evidence") and language in note for note in statement.notes)
