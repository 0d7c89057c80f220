"""Shared test fixtures.

The development corpus lives outside the project, in ``../shared`` (read-only, never copied
in).  Tests reach it only through :func:`shared_dir` / :func:`corpus_params`, which skip with a
clear reason where it is absent (a user's clone has no ``../shared``).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
SHARED = Path(os.environ.get("CHARGECHECK_SHARED", PROJECT.parent / "shared"))
SHARED_MISSING = f"development corpus not found at {SHARED} (only present beside the project's own checkout)"


def corpus_entries(fmt: str | None = None) -> list[dict[str, str]]:
    """Rows of ``shared/corpus/MANIFEST.tsv`` (optionally one format); empty when absent."""
    manifest = SHARED / "corpus" / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row for row in rows if fmt is None or row["format"] == fmt]


def corpus_params(fmt: str | None = None) -> list:
    """pytest params over corpus files (id = file name); one skipping param when absent."""
    entries = corpus_entries(fmt)
    if not entries:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SHARED_MISSING), id="no-corpus")]
    return [pytest.param(row, id=Path(row["file"]).name) for row in entries]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``../shared`` folder; skips the test with the reason when it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(SHARED_MISSING)
    return SHARED


@pytest.fixture
def corpus_file(request, shared_dir: Path) -> Path:
    """Path of a corpus entry given as the ``entry`` parameter (used with ``corpus_params``)."""
    return shared_dir / "corpus" / request.param["file"]
