"""Every CSV in the development corpus: exact counts from MANIFEST.tsv and the signs its notes state."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chargecheck.errors import StatementError
from chargecheck.importers import read_statement
from conftest import corpus_params

# (line, cents, ISO date or None) that the manifest notes establish for a file (by name fragment).
KNOWN_ROWS = {
    "meta_data_separated_credit_debit": [(6, -5000, None), (9, 130000, None)],
    "paypal-statement_en": [(2, -105809, "2018-09-04"), (6, -353451, "2018-09-25")],
    "paypal-statement_es": [(2, 4937, "2020-01-02"), (5, 2247, "2020-01-03")],
    "20171001-20171106": [(2, -5999, "2017-10-01")],
    "1000594757-umsatz": [(2, -3699, "2018-02-22")],
    "20180226_12345678": [(2, -500, None)],
    "bunq-statement": [(2, -878, "2018-12-06"), (4, 878, "2018-12-06"), (8, -799, "2018-12-17")],
    "MS_JANE_SMITH": [(5, -118323, "2019-12-12"), (14, 110000, "2019-12-02"), (13, -820, "2019-12-02")],
    "MonzoDataExport": [(2, -1000, "2018-02-25")],
    "Movements_1234512345": [(2, -100, "2018-05-27")],
    "P000000027355791": [(1, -780, "2018-02-27")],
    "export_BE11123456789012": [(2, -340, "2018-02-28")],
    "statement_1.csv": [(1, None, "2018-02-10")],
    "test_BOI_TransactionExport": [(2, 42803, "2017-09-01"), (4, -51200, "2017-09-01"), (13, -5000, "2017-09-13")],
    "beangulp__statement": [(2, -268089, "2016-03-18"), (3, 259073, "2016-03-15")],
    "ledger-autosync__paypal": [(2, -2000, "2016-06-04"), (3, 112000, "2016-06-04")],
    "hledger__sample": [(1, None, None), (2, None, None)],
}


def _expected(entry: dict) -> tuple[int, int]:
    count, _, skipped = entry["expected_transactions"].partition("+skipped:")
    return int(count), int(skipped or 0)


@pytest.mark.parametrize("entry", corpus_params("csv"))
def test_corpus_csv_counts_and_signs(entry, shared_dir: Path):
    path = shared_dir / "corpus" / entry["file"]
    if entry["expected_transactions"] == "error":  # an intentionally broken file
        with pytest.raises(StatementError) as error:
            read_statement(path)
        assert str(error.value).startswith(f"{path}")
        return
    statement = read_statement(path)
    transactions, skipped = _expected(entry)
    assert (len(statement.transactions), len(statement.skipped)) == (transactions, skipped)
    assert statement.rows_read == transactions + skipped
    assert statement.format == "csv"
    # Files added to the corpus later are held to their manifest counts; signs where written here.
    known = [rows for fragment, rows in KNOWN_ROWS.items() if fragment in entry["file"]]
    by_line = statement.transactions.set_index("source_line")
    for line, cents, day in (known[0] if known else []):
        assert line in by_line.index, f"line {line} is not a transaction"
        if cents is not None:
            assert by_line.loc[line, "amount_cents"] == cents
        if day is not None:
            assert by_line.loc[line, "date"] == pd.Timestamp(day)


def test_pending_rows_are_skipped_with_reason(shared_dir: Path):
    path = next((shared_dir / "corpus" / "csv").glob("*MS_JANE_SMITH*"))
    statement = read_statement(path)
    assert [(s.line, s.reason) for s in statement.skipped] == [(2, "pending"), (3, "pending"), (4, "pending")]
