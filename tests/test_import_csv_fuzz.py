"""Bad input never escapes the CSV importer as anything but a StatementError (or a clean Statement)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargecheck.errors import StatementError
from chargecheck.importers import read_statement
from chargecheck.importers.base import Sample
from chargecheck.importers.csv.importer import IMPORTER

SEED = (
    "Date,Description,Amount,Balance\n"
    '03/01/2026,"NETFLIX.COM, CA",-15.49,"1,000.00"\n'
    "Pending,SPOTIFY,9.99,\n"
    '03/02/2026,"multi\nline",(12.00),988.00\n'
).encode()

cells = st.sampled_from(["", "-", "1,5", "(3.00)", "12.00 CR", "Pending", '"', "03/04/2026", "2026-13-45", "£", "x;y", "\t"])


def _check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        IMPORTER.identify(Sample(path, data[:65536]))
        try:
            statement = read_statement(path, format="csv")
        except StatementError:
            return
        assert statement.rows_read == len(statement.transactions) + len(statement.skipped)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data):
    _check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEED)), st.integers(0, 40), st.binary(max_size=8))
def test_mutated_statement(position, cut, insert):
    _check(SEED[:position] + insert + SEED[position + cut :])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=8), st.sampled_from([",", ";", "\t", "|"]))
def test_odd_cells(rows, delimiter):
    text = "Date,Description,Amount\n" + "\n".join(delimiter.join(row) for row in rows) + "\n"
    _check(text.encode("utf-8"))
