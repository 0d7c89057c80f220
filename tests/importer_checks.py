"""Checks shared by the CAMT and MT940 importer tests (a helper module: it holds no tests).

``read_with`` runs one importer alone (identify, then extract), so a test of one format does
not depend on the other formats' modules; ``check_corpus_entry`` and ``check_read_statement``
hold a corpus file to its MANIFEST row, directly and through the user's ``read_statement``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chargecheck.errors import StatementError
from chargecheck.importers import ImportOptions, Sample, read_statement


def read_with(importer, path: Path, **options):
    """Identify and extract ``path`` with ``importer`` alone."""
    assert importer.identify(Sample(path=path, head=path.read_bytes()[:65536]))
    return importer.extract(path, ImportOptions(**options))


def rows(statement) -> list[tuple[str, str, int]]:
    """(date, posted_date or "", cents) per transaction, for exact comparisons."""
    frame = statement.transactions
    return [
        (d.strftime("%Y-%m-%d"), "" if pd.isna(p) else p.strftime("%Y-%m-%d"), int(c))
        for d, p, c in zip(frame["date"], frame["posted_date"], frame["amount_cents"])
    ]


def check_corpus_entry(importer, entry: dict, shared_dir: Path, expected: dict) -> None:
    """Exact rows for a readable corpus file; a StatementError naming the file for an ``error`` row."""
    path = shared_dir / "corpus" / entry["file"]
    if entry["expected_transactions"] == "error":
        with pytest.raises(StatementError) as caught:
            read_with(importer, path)
        assert caught.value.path == str(path)
        assert caught.value.line is not None
        return
    statement = read_with(importer, path)
    assert statement.format == importer.name
    assert len(statement.transactions) == int(entry["expected_transactions"])
    assert statement.skipped == ()
    assert rows(statement) == expected[path.name]


def check_read_statement(fmt: str, entry: dict, shared_dir: Path) -> None:
    """The user's path: the format is identified by content among every registered importer."""
    path = shared_dir / "corpus" / entry["file"]
    if entry["expected_transactions"] == "error":
        with pytest.raises(StatementError):
            read_statement(path)
        return
    statement = read_statement(path)
    assert (statement.format, len(statement.transactions)) == (fmt, int(entry["expected_transactions"]))
