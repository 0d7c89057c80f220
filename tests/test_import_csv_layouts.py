"""Real-looking exports of the banks in research/bank-csv-layouts.md, each against its golden result.

The files in ``tests/fixtures/csv/layouts/`` are written by hand from the documented layouts
(headers, delimiters, date formats, sign conventions, preambles, footers); ``expected.json``
holds what each must read as.  Regenerate it only on purpose, after checking the diff:
``CHARGECHECK_REGEN_GOLDEN=1 pytest tests/test_import_csv_layouts.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chargecheck.importers import read_statement

FIXTURES = Path(__file__).parent / "fixtures" / "csv" / "layouts"
GOLDEN = FIXTURES / "expected.json"
FILES = sorted(p.name for p in FIXTURES.iterdir() if p.name != "expected.json")


def summarize(path: Path) -> dict:
    statement = read_statement(path)
    frame = statement.transactions
    return {
        "layout": statement.layout,
        "rows_read": statement.rows_read,
        "transactions": [
            [int(line), d.date().isoformat(), int(cents), desc, cur]
            for line, d, cents, desc, cur in zip(frame.source_line, frame.date, frame.amount_cents, frame.description, frame.currency)
        ],
        "skipped": [[s.line, s.reason] for s in statement.skipped],
    }


def test_golden_file_lists_every_fixture():
    if os.environ.get("CHARGECHECK_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps({name: summarize(FIXTURES / name) for name in FILES}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert sorted(json.loads(GOLDEN.read_text(encoding="utf-8"))) == FILES


@pytest.mark.parametrize("name", FILES)
def test_layout_fixture_matches_golden(name):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    assert summarize(FIXTURES / name) == expected
