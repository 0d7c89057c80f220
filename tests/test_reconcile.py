"""Balance reconciliation (issue 15, item 1): a statement that carries balances proves itself.

Real-looking files per format (MT940, CAMT, a CSV running balance) and a property test: a
dated running-balance statement shuffled, or with one row dropped, is not reconciled.
"""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chargecheck.cli import cli
from chargecheck.importers import read_statement
from chargecheck.importers.reconcile import BalancePair, check_running, check_totals
from chargecheck.pipeline import reconciliation_warnings
from chargecheck.schema import ReconciliationStatus


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    return path


MT940 = """
    :20:STARTUMS
    :25:10020030/1234567
    :28C:1/1
    :60F:C260430EUR1000,00
    :61:2605040504DR15,49NDDTNONREF
    :86:105?00LASTSCHRIFT?20NETFLIX.COM 05/2026
    :61:2605050505CR2000,00NTRFNONREF
    :86:166?00GUTSCHRIFT?20GEHALT
    :62F:C260531EUR{closing}
    -
"""


def test_mt940_balances_reconcile(tmp_path):
    statement = read_statement(write(tmp_path, MT940.format(closing="2984,51"), "a.sta"))
    assert statement.reconciliation.status is ReconciliationStatus.RECONCILED
    assert str(statement.reconciliation) == "reconciled"


def test_mt940_off_balance_is_a_warning_naming_file_and_line(tmp_path):
    path = write(tmp_path, MT940.format(closing="2994,51"), "a.sta")
    statement = read_statement(path)
    assert str(statement.reconciliation) == "not reconciled: off by 10.00 at line 9"
    assert reconciliation_warnings([statement]) == (
        f"{path}: not reconciled: off by 10.00 at line 9 (MT940 :60F:/:62F: balances): "
        "the file may be misread or incomplete",
    )


CAMT = """
    <?xml version="1.0" encoding="UTF-8"?>
    <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
    <Id>1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
    <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
    <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
    <Ntry><Amt Ccy="EUR">15.49</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-05-04</Dt></BookgDt></Ntry>
    <Ntry><Amt Ccy="EUR">9.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-05-06</Dt></BookgDt></Ntry>
    </Stmt></BkToCstmrStmt></Document>
"""


def test_camt_previous_closing_balance_opens_and_pending_entries_are_not_booked(tmp_path):
    statement = read_statement(write(tmp_path, CAMT.format(closing="84.51"), "s.xml"))
    assert len(statement.transactions) == 2
    assert str(statement.reconciliation) == "reconciled"
    off = read_statement(write(tmp_path, CAMT.format(closing="74.52"), "t.xml"))
    assert str(off.reconciliation) == "not reconciled: off by -9.99 at line 5"  # the CLBD balance


def test_csv_running_balance_newest_first_reconciles(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount,Balance
        03/05/2026,PAYROLL,2000.00,2984.51
        02/05/2026,NETFLIX.COM,-15.49,984.51
        01/05/2026,COFFEE,-3.00,1000.00
    """, "s.csv")
    assert str(read_statement(path).reconciliation) == "reconciled"


def test_a_balance_that_reconciles_decides_the_sign(tmp_path):
    # Charges printed positive; only the running balance says so (no type, no card header).
    path = write(tmp_path, """
        Date,Description,Amount,Balance
        01/05/2026,NETFLIX.COM,15.49,984.51
        02/05/2026,SPOTIFY,9.99,974.52
        03/05/2026,REFUND,-5.00,979.52
    """, "s.csv")
    statement = read_statement(path)
    assert statement.transactions.amount_cents.tolist() == [-1549, -999, 500]
    assert str(statement.reconciliation) == "reconciled"


def test_statement_without_balances():
    assert str(check_totals([], "x")) == "no balances"
    assert str(check_running([100, 200], [None, 300], [2, 3])) == "no balances"


def test_totals_report_the_first_statement_that_fails():
    result = check_totals([BalancePair(0, 100, 100, 5), BalancePair(100, 50, -40, 9)], "m")
    assert (result.status, result.off_by, result.line) == (ReconciliationStatus.NOT_RECONCILED, Decimal("-0.10"), 9)


def _statement(amounts: list[int], opening: int) -> tuple[list[int], list[int]]:
    balances, running = [], opening
    for amount in amounts:
        running += amount
        balances.append(running)
    return amounts, balances


def _csv(tmp_path: Path, rows: list[tuple[int, int, int]]) -> Path:
    lines = ["Date,Description,Amount,Balance"]
    for day, amount, balance in rows:
        lines.append(f"2026-01-{day:02d},SHOP {day},{amount / 100:.2f},{balance / 100:.2f}")
    path = tmp_path / "running.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


amount_lists = st.lists(st.integers(-50_000, 50_000).filter(bool), min_size=3, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=amount_lists, opening=st.integers(0, 10**6), data=st.data())
def test_shuffled_running_balance_statement_is_not_reconciled(tmp_path, amounts, opening, data):
    amounts, balances = _statement(amounts, opening)
    assume(len(set(balances)) == len(balances))  # a balance seen twice could hide a swap
    rows = [(day + 1, a, b) for day, (a, b) in enumerate(zip(amounts, balances))]
    assert str(read_statement(_csv(tmp_path, rows)).reconciliation) == "reconciled"
    order = data.draw(st.permutations(range(len(rows))))
    assume(list(order) not in (sorted(order), sorted(order, reverse=True)))  # newest first is a real order
    shuffled = [rows[i] for i in order]
    # Strictly: the sign decision may flip the amounts too; either way the balances must not agree.
    assert read_statement(_csv(tmp_path, shuffled)).reconciliation.status is ReconciliationStatus.NOT_RECONCILED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=amount_lists, opening=st.integers(0, 10**6), data=st.data())
def test_running_balance_statement_with_a_row_dropped_is_not_reconciled(tmp_path, amounts, opening, data):
    amounts, balances = _statement(amounts, opening)
    rows = [(day + 1, a, b) for day, (a, b) in enumerate(zip(amounts, balances))]
    # A running balance cannot miss its first or last row (nothing before or after it to
    # compare): an inner row is dropped.
    dropped = data.draw(st.integers(1, len(rows) - 2))
    kept = rows[:dropped] + rows[dropped + 1:]
    assert read_statement(_csv(tmp_path, kept)).reconciliation.status is ReconciliationStatus.NOT_RECONCILED


@settings(max_examples=40, deadline=None)
@given(amounts=amount_lists, opening=st.integers(-10**6, 10**6), data=st.data())
def test_totals_statement_with_any_row_dropped_is_not_reconciled(amounts, opening, data):
    closing = opening + sum(amounts)
    dropped = data.draw(st.integers(0, len(amounts) - 1))
    kept = amounts[:dropped] + amounts[dropped + 1:]
    assert check_totals([BalancePair(opening, closing, sum(amounts))], "m").reconciled
    assert not check_totals([BalancePair(opening, closing, sum(kept))], "m").reconciled


# What the corpus manifest's notes say of each file's balances (shared/corpus/MANIFEST.tsv,
# written independently of this code): "reconciles" or "do(es) not reconcile".  Files whose
# notes say nothing of balances are not listed; OFX prints only a closing balance.
CORPUS_RECONCILIATION = {
    "camt/OCA__bank-statement-import__test-camt053-no-ntry.xml": "reconciled",  # OPBD = CLBD, no entries
    "camt/OCA__bank-statement-import__test-camt053-txdtls.xml": "reconciled",
    "camt/OCA__bank-statement-import__test-camt053.xml": "not reconciled",  # test data
    "camt/kedder__ofxstatement-iso20022__camt053.xml": "reconciled",
    "camt/kedder__ofxstatement-iso20022__gcamp6.xml": "not reconciled",  # test data
    "csv/OCA__bank-statement-import__meta_data_separated_credit_debit.csv": "not reconciled",  # 0,02 off
    "csv/beancount__beangulp__statement.csv": "reconciled",  # "the running Balance chain is consistent"
    "mt940/OCA__bank-statement-import__test-ing.940": "reconciled",
    "mt940/OCA__bank-statement-import__test-wrong-file.940": "reconciled",
    "mt940/actualbudget__actual__data.sta": "reconciled",
    "mt940/fruitl00p__php-mt940__Btrl-sample.sta": "not reconciled",  # balances '0,'
    "mt940/wolph__mt940__citi-mt940.txt": "reconciled",
    "mt940/wolph__mt940__cmxl-mt940.sta": "reconciled",
    "mt940/wolph__mt940__jejik-ing.sta": "not reconciled",
    "mt940/wolph__mt940__jejik-knab.sta": "not reconciled",
    "mt940/wolph__mt940__jejik-rabobank.sta": "not reconciled",
    "mt940/wolph__mt940__sberbank-171011_01234945.sta": "reconciled",
}


@pytest.mark.parametrize("name, expected", [pytest.param(name, expected, id=Path(name).name)
                                            for name, expected in sorted(CORPUS_RECONCILIATION.items())])
def test_corpus_statements_reconcile_as_their_manifest_says(shared_dir: Path, name: str, expected: str):
    statement = read_statement(shared_dir / "corpus" / name)
    assert statement.reconciliation.status.value == expected, str(statement.reconciliation)


def test_balances_printed_around_the_table_reconcile(tmp_path):
    # A French-style export: the closing balance above the header, the opening one below the rows.
    path = write(tmp_path, """
        Account Number : 08088804068,,,,,
        Balance at end of period,,,,"+1069,32",
        Date,Operation Number,Label,Debit,Credit,Detail
        01/04/20,OP 1,LABEL 1,"-50,00",,DETAILS 1
        02/04/20,OP 2,LABEL 2,,"1300,00",DETAILS 2
        Balance at start of period,,,,"-180,68",
    """, "fr.csv")
    statement = read_statement(path)
    assert len(statement.transactions) == 2
    assert str(statement.reconciliation) == "reconciled"


def test_a_card_balance_is_the_amount_owed():
    # Charges negative, the balance (what is owed) rises with them: consistent, not a misreading.
    result = check_running([-1549, -999, 5000], [11549, 12548, 7548], [2, 3, 4])
    assert (str(result), result.method) == ("reconciled", "running balance (the amount owed)")


MT940_INTERMEDIATE = """
    :20:STMT1
    :25:NL77INGB0574908765
    :28C:1/1
    :60F:C260430EUR100,00
    :61:2605040504D15,49NDDTNONREF
    :62M:C260504EUR84,51
    -
    :20:STMT1
    :25:NL77INGB0574908765
    :28C:1/2
    :60M:C260504EUR84,51
    :61:2605050505C{amount}NTRFNONREF
    :62F:C260531EUR104,51
    -
"""


def test_mt940_intermediate_balances_reconcile_each_page(tmp_path):
    assert str(read_statement(write(tmp_path, MT940_INTERMEDIATE.format(amount="20,00"), "m.sta")).reconciliation) == "reconciled"
    off = read_statement(write(tmp_path, MT940_INTERMEDIATE.format(amount="21,00"), "n.sta")).reconciliation
    assert str(off) == "not reconciled: off by -1.00 at line 13"


def test_rows_of_a_day_in_another_order_than_booked_still_reconcile(tmp_path):
    # Newest day first, but each day's rows oldest first (as several banks sort them): the
    # balances chain day by day, not row by row.
    path = write(tmp_path, """
        Date,Description,Amount,Balance
        02/05/2026,PAYROLL,500.00,1350.00
        02/05/2026,COFFEE,-20.00,1330.00
        01/05/2026,NETFLIX.COM,-100.00,900.00
        01/05/2026,SPOTIFY,-50.00,850.00
    """, "s.csv")
    reconciliation = read_statement(path).reconciliation
    assert (str(reconciliation), reconciliation.method) == (
        "reconciled", "running balance column (rows of a day in another order)")
    broken = path.read_text().replace("1330.00", "1331.00")
    path.write_text(broken)
    assert str(read_statement(path).reconciliation).startswith("not reconciled: off by")


def test_transactions_and_check_show_the_reconciliation(tmp_path):
    path = write(tmp_path, MT940.format(closing="2994,51"), "a.sta")
    shown = CliRunner().invoke(cli, ["transactions", str(path)])
    assert shown.exit_code == 0
    assert "2 transactions, 0 skipped, not reconciled: off by 10.00 at line 9" in shown.output
    rules = tmp_path / "rules.toml"
    rules.write_text('[[cancellation]]\nvendor = "Netflix"\ncancelled_on = 2026-04-01\n', encoding="utf-8")
    report = CliRunner().invoke(cli, ["check", str(path), "--rules", str(rules), "--format", "json"])
    document = json.loads(report.output)
    assert document["files"][0]["reconciliation"] == {
        "status": "not reconciled", "off_by": "10.00", "line": 9, "method": "MT940 :60F:/:62F: balances"}
    assert document["warnings"] == [f"{path}: not reconciled: off by 10.00 at line 9 (MT940 :60F:/:62F: balances): "
                                    "the file may be misread or incomplete"]
    table = CliRunner().invoke(cli, ["check", str(path), "--rules", str(rules)])
    assert "Balances: 0 file(s) reconciled, 1 not reconciled, 0 without balances." in table.output
