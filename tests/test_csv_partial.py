"""A large CSV reads only the columns it uses (``Grid.load``) and the odd records on their own
(``Grid.rows``); the statement must be exactly the one a full read gives.

Each file is read twice: with every column (``PARTIAL_MIN_RECORDS`` above its size) and
partly (``PARTIAL_MIN_RECORDS = 0``: the head sample, then the used columns).  The bank
fixtures, the samples and the corpus cover the layouts; a generated export of 9,000 rows puts
every kind of odd record (blank, all-delimiter, short, overlong, repeated header, pending,
continuation, bad date, footer) past the head that is read whole.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from chargecheck.errors import StatementError
from chargecheck.importers import read_statement
from chargecheck.importers.csv import grid as csv_grid
from chargecheck.schema import Statement
from conftest import PROJECT, TESTS, corpus_params

FIXTURES = sorted((TESTS / "fixtures" / "csv").rglob("*.csv")) + sorted((TESTS / "fixtures" / "csv").rglob("*.tab"))
SAMPLES = sorted((PROJECT / "sample_statements").glob("*.csv"))


def _read(path: Path, monkeypatch, partial: bool) -> Statement | str:
    monkeypatch.setattr(csv_grid, "PARTIAL_MIN_RECORDS", 0 if partial else 10**9)
    try:
        return read_statement(path)
    except StatementError as error:
        return str(error)


def _assert_same_statement(path: Path, monkeypatch) -> None:
    full, partial = _read(path, monkeypatch, False), _read(path, monkeypatch, True)
    if isinstance(full, str):
        assert partial == full
        return
    assert isinstance(partial, Statement), partial
    pd.testing.assert_frame_equal(partial.transactions, full.transactions)
    assert partial.skipped == full.skipped
    assert (partial.rows_read, partial.notes, partial.layout, partial.encoding) == (
        full.rows_read, full.notes, full.layout, full.encoding)


@pytest.mark.parametrize("path", FIXTURES + SAMPLES, ids=lambda p: p.name)
def test_fixture_reads_the_same_partly(path: Path, monkeypatch) -> None:
    _assert_same_statement(path, monkeypatch)


@pytest.mark.parametrize("corpus_file", corpus_params("csv"), indirect=True)
def test_corpus_file_reads_the_same_partly(corpus_file: Path, monkeypatch) -> None:
    _assert_same_statement(corpus_file, monkeypatch)


def _odd_export(rows: int, seed: int) -> str:
    """A card export with unused columns and every kind of odd record scattered through it."""
    rng = random.Random(seed)
    header = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo,Card Member"
    lines = ["Card activity export", "", header]
    for i in range(rows):
        day = f"{1 + i % 12:02d}/{1 + i % 28:02d}/2026"
        roll = rng.random()
        if roll < 0.004:
            lines.append("")  # a blank line
        elif roll < 0.008:
            lines.append(",,,,,,,")  # every field empty
        elif roll < 0.012:
            lines.append(f"{day},{day},SHORT ROW")  # no amount column at all
        elif roll < 0.016:
            lines.append(f"{day},{day},ACME,Shopping,Sale,-1.00,memo,JANE,EXTRA")  # overlong
        elif roll < 0.018:
            lines.append(",,,Shopping,,,,")  # text only in a column the import does not use
        elif roll < 0.021:
            lines.append(header)  # the header again (one block per card)
        elif roll < 0.024:
            lines.append("Pending,,NETFLIX.COM,Streaming,Sale,-15.49,,JANE")
        elif roll < 0.028:
            lines.append(",,REF 123 CONTINUED,,,,,")  # a description's second line
        elif roll < 0.031:
            lines.append(f"31/31/2026,{day},BAD DATE,Other,Sale,-2.00,,JANE")
        else:
            amount = f"{-rng.randint(100, 9999) / 100:.2f}"
            memo = rng.choice(["", "", "note"])
            lines.append(f'{day},{day},"SHOP {rng.randint(1, 400)}, INC",{rng.choice(["Food", "Gas"])},Sale,{amount},{memo},JANE')
    lines += ["", "Total,,,,,,,", "Statement ends"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [1, 2])
def test_large_export_with_odd_records_reads_the_same_partly(tmp_path: Path, monkeypatch, seed: int) -> None:
    path = tmp_path / f"export{seed}.csv"
    path.write_text(_odd_export(9000, seed), encoding="utf-8")
    full = _read(path, monkeypatch, False)
    assert isinstance(full, Statement) and len(full.skipped) > 100  # the odd records are there
    monkeypatch.setattr(csv_grid, "PARTIAL_MIN_RECORDS", csv_grid.HEAD_RECORDS)  # as shipped
    grids = []
    original = csv_grid.Grid.load
    monkeypatch.setattr(csv_grid.Grid, "load", lambda self, cols: (grids.append(self), original(self, cols))[1])
    partial = read_statement(path)
    assert grids and len(grids[0].cells.columns) < grids[0].width  # really read partly
    pd.testing.assert_frame_equal(partial.transactions, full.transactions)
    assert partial.skipped == full.skipped and partial.rows_read == full.rows_read and partial.notes == full.notes
