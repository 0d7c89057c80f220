"""QIF importer: corpus counts and values, each quirk with exact values, bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargecheck.errors import StatementError, UsageError
from chargecheck.importers import ImportOptions, Sample, read_statement
from chargecheck.importers.qif import IMPORTER, normalize_qif_date, read_qif
from conftest import corpus_params

FIXTURES = Path(__file__).parent / "fixtures" / "qif"
BROKEN = FIXTURES / "broken"


def rows(statement) -> list[tuple]:
    """(day, cents, description, account, line) per transaction."""
    frame = statement.transactions
    return [
        (d.date().isoformat(), int(c), desc, acc, int(line))
        for d, c, desc, acc, line in zip(frame["date"], frame["amount_cents"], frame["description"],
                                          frame["account"], frame["source_line"])
    ]


def write(tmp_path: Path, text: str, name: str = "t.qif") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- corpus -----------------------------------------------------------------------------


@pytest.mark.parametrize("corpus_file", corpus_params("qif"), indirect=True)
def test_corpus_counts(corpus_file: Path, request) -> None:
    expected = request.node.callspec.params["corpus_file"]["expected_transactions"]
    if expected == "error":
        with pytest.raises(StatementError):
            read_statement(corpus_file)
        return
    statement = read_statement(corpus_file)
    assert statement.format == "qif"
    assert len(statement.transactions) == int(expected)
    assert statement.rows_read == len(statement.transactions) + len(statement.skipped)


OCA_ROWS = [("2013-08-12", -100000), ("2013-08-15", -7546), ("2013-03-03", -37900),
            ("2013-03-04", -2028), ("2013-03-03", -42135)]
CORPUS_VALUES = {
    "OCA__bank-statement-import__test_qif.qif": OCA_ROWS,
    # yy/mm/dd: both readings fit every date; the one spanning months, not decades, wins.
    "OCA__bank-statement-import__test_qif_ymd.qif": OCA_ROWS,
    "actualbudget__actual__data-payee-memo.qif": [("2019-01-23", -1000), ("2019-01-23", -2000),
                                                  ("2019-01-23", -3000), ("2019-01-23", -4000)],
    "isaacharrisholt__quiffen__test.qif": [("2020-02-14", 6750), ("2020-02-14", 3200), ("2020-02-12", -1000),
                                           ("2020-02-11", -2500), ("2020-02-10", -10000)],
}


@pytest.mark.parametrize("name", sorted(CORPUS_VALUES))
def test_corpus_signs_and_dates(shared_dir: Path, name: str) -> None:
    statement = read_statement(shared_dir / "corpus" / "qif" / name)
    assert [r[:2] for r in rows(statement)] == CORPUS_VALUES[name]


def test_corpus_quiffen_details(shared_dir: Path) -> None:
    """Opening balance skipped with reason; split lines, lists and Invst records are not rows."""
    statement = read_statement(shared_dir / "corpus" / "qif" / "isaacharrisholt__quiffen__test.qif")
    assert statement.rows_read == 6
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (29, "opening-balance record (P Opening Balance, L[account]): a balance, not a transaction")]
    assert rows(statement)[0] == ("2020-02-14", 6750, "T-Mobile", "", 35)
    assert rows(statement)[-1] == ("2020-02-10", -10000, "Amazon.com test order 1", "", 72)
    assert "1 !Type:Invst records not read (not bank transactions)" in statement.notes


# --- fixtures ---------------------------------------------------------------------------


def test_day_first_settled_by_a_13() -> None:
    statement = read_statement(FIXTURES / "day_first.qif")
    assert statement.notes[0] == "date format: %d/%m/%Y"
    assert rows(statement) == [
        ("2026-02-13", -1549, "NETFLIX.COM", "", 2),
        ("2026-03-01", -1549, "NETFLIX.COM After cancellation", "", 6),
        ("2026-03-05", 125000, "SALARY", "", 11),
    ]


def test_card_section_with_account_list_and_opening_balance() -> None:
    """Charges negative; account from the !Account before the section (not the AutoSwitch list);
    only the own-account Opening Balance is skipped."""
    statement = read_statement(FIXTURES / "ccard_with_account.qif")
    assert rows(statement) == [
        ("2026-01-02", -5999, "DRI*KASPERSKY LAB", "Visa Gold", 20),
        ("2026-01-15", 20000, "PAYMENT - THANK YOU", "Visa Gold", 25),
        ("2026-01-20", -1200, "Opening Balance", "Visa Gold", 30),  # L[Savings]: a real transfer
    ]
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (15, "opening-balance record (P Opening Balance, L[account]): a balance, not a transaction")]


def test_quicken_dates_splits_sections_crlf_and_cp1252() -> None:
    statement = read_statement(FIXTURES / "quicken_mixed.qif")
    assert statement.notes[0] == "date format: %m/%d/%y"
    assert rows(statement) == [
        ("2019-02-04", -100000, "CAFÉ CENTRAL", "", 7),  # split D 1/ 1'19 does not date the record
        ("2018-12-31", -2000, "HULU", "", 17),  # U amount when there is no T; "^^" ends a record
        ("2019-01-06", -450, "COFFEE", "", 35),  # !Type:Cash
        ("2019-01-07", -30000, "MORTGAGE", "", 40),  # !Type:Oth L, last record without "^"
    ]
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (21, "record has no amount (T line)"),
        (24, "record has an unreadable date 'soon'"),
    ]
    assert statement.rows_read == 6
    assert "1 !Type:Memorized records not read (not bank transactions)" in statement.notes


def test_decimal_comma_and_dotted_dates() -> None:
    statement = read_statement(FIXTURES / "european.qif")
    assert [r[:3] for r in rows(statement)] == [
        ("2025-12-31", -123456, "MIETE"), ("2026-01-02", -799, "SPOTIFY AB"), ("2026-01-03", 200000, "GEHALT")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("investment_only.qif", "expected a bank or credit-card section (!Type:Bank, !Type:CCard, "
                                "!Type:Cash, !Type:Oth A/L) with transactions, found only !Type:Invst records"),
        ("categories_only.qif", "expected a bank or credit-card section (!Type:Bank, !Type:CCard, "
                                "!Type:Cash, !Type:Oth A/L) with transactions, found only !Type:Cat records"),
    ],
)
def test_files_without_bank_sections_are_refused(name: str, message: str) -> None:
    path = BROKEN / name
    with pytest.raises(StatementError) as info:
        read_statement(path)
    assert str(info.value) == f"{path}:1: {message}"


def test_every_broken_fixture_is_tested() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == ["categories_only.qif", "investment_only.qif"]


# --- inline cases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("2/10'2020", "02/10/2020"), (" 2/ 4'19", "02/04/19"), ("12/31'99", "12/31/99"),
     ("13/3/3", "13/03/03"), ("2020-01-05", "2020-01-05"), ("26 Jan  2026", "26 Jan 2026"),
     ("1.2'2020", "01.02.2020")],
)
def test_normalize_qif_date(raw: str, normalized: str) -> None:
    assert normalize_qif_date(raw) == normalized


def test_date_order_is_inferred_from_the_whole_file(tmp_path: Path) -> None:
    """``03/04/2026`` alone is ambiguous; ``25/04/2026`` later in the file makes every date day-first."""
    path = write(tmp_path, """\
        !Type:Bank
        D03/04/2026
        T-1.00
        PA
        ^
        D25/04/2026
        T-2.00
        PB
        ^
        """)
    assert [r[0] for r in rows(read_statement(path))] == ["2026-04-03", "2026-04-25"]


def test_date_format_option_overrides_inference(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        !Type:Bank
        D03/04/2026
        T-1.00
        ^
        """)
    assert rows(read_qif(path))[0][0] == "2026-03-04"
    assert rows(read_qif(path, ImportOptions(date_format="%d/%m/%Y")))[0][0] == "2026-04-03"


def test_account_list_alone_names_no_account(tmp_path: Path) -> None:
    """An AutoSwitch list only lists accounts; a section after !Clear:AutoSwitch with no
    !Account of its own belongs to no named account."""
    path = write(tmp_path, """\
        !Option:AutoSwitch
        !Account
        NChecking
        ^
        !Clear:AutoSwitch
        !Type:Bank
        D1/2/2026
        T-5.00
        PX
        ^
        """)
    assert rows(read_statement(path)) == [("2026-01-02", -500, "X", "", 7)]


def test_invalid_date_format_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--date-format '%Q' is not a valid strptime format"):
        read_qif(FIXTURES / "day_first.qif", ImportOptions(date_format="%Q"))


def test_record_without_date_is_skipped_and_empty_section_reads_zero(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        !Type:Bank
        T-1.00
        PNO DATE
        ^
        !Type:CCard
        """)
    statement = read_statement(path)
    assert len(statement.transactions) == 0
    assert [(s.line, s.reason, s.text) for s in statement.skipped] == [(2, "record has no date (D line)", "NO DATE")]


@pytest.mark.parametrize(
    ("head", "is_qif"),
    [
        (b"!Type:Bank\nD1/1/26\n", True),
        (b"\xef\xbb\xbf!type:ccard\r\n", True),
        (b"### comment\n\n!Type:Class\nNx\n^\n!Type:Bank\n", True),
        (b"!Account\nNChecking\n^\n", True),
        (b"Date,Description,Amount\n", False),
        (b"OFXHEADER:100\n", False),
    ],
)
def test_identify(head: bytes, is_qif: bool) -> None:
    assert IMPORTER.identify(Sample(path=Path("x"), head=head)) is is_qif


SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.qif"))]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(SEEDS), noise=st.binary(max_size=40), where=st.integers(0, 400), cut=st.integers(0, 40))
def test_mutated_qif_raises_only_statement_error(tmp_path: Path, seed: bytes, noise: bytes, where: int, cut: int) -> None:
    path = tmp_path / "fuzz.qif"
    path.write_bytes(seed[:where] + noise + seed[where + cut:])
    try:
        statement = read_qif(path)
    except StatementError:
        return
    assert statement.rows_read == len(statement.transactions) + len(statement.skipped)
