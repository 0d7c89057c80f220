"""Every input ``bench/fuzz.py`` ever caught stays fixed: read or refused, in bounded time.

``tests/fixtures/fuzz/`` holds one file per distinct failure the fuzzer found (named
``<format>-<kind>-<hash>.<ext>``: ``slow`` ran past the alarm, ``foreign`` raised an exception
other than StatementError/UsageError, ``memory`` ran out of memory).  Each must now give a
Statement whose rows are all accounted for, or a StatementError/UsageError, within
:data:`BOUND` seconds, read as the format it was fuzzed as.  A small randomized budget of the
fuzzer's own mutations runs here too (seeded, so the verdict is the same on every run).
"""

from __future__ import annotations

import importlib.util
import random
import time
from pathlib import Path

import pytest

from chargecheck.errors import StatementError, UsageError
from chargecheck.importers import read_statement

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
BENCH = Path(__file__).resolve().parent.parent / "bench" / "fuzz.py"
_spec = importlib.util.spec_from_file_location("bench_fuzz", BENCH)
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

BOUND = 6.0  # seconds: the fuzzer's alarm is 2 s on an idle machine; the suite may share one
CASES = sorted(FUZZ.glob("*-*-*.*"))


def _read_within_bound(path: Path, fmt: str) -> None:
    started = time.perf_counter()
    try:
        statement = read_statement(path, format=fmt)
    except (StatementError, UsageError):
        pass
    else:
        assert statement.rows_read == len(statement.transactions) + len(statement.skipped)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, f"{path.name} took {elapsed:.1f} s"


def test_fixtures_are_there():
    assert CASES, f"no fuzz regression fixtures under {FUZZ}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_fuzz_regression_reads_or_refuses_in_bounded_time(path):
    fmt = path.name.split("-", 1)[0]
    assert fmt in fuzz.FORMATS, f"{path.name}: name must start with a format"
    _read_within_bound(path, fmt)


@pytest.mark.parametrize("fmt", fuzz.FORMATS)
def test_a_small_fuzz_budget_per_format(fmt, tmp_path):
    """Twenty mutated seeds per format (the bench runs thousands)."""
    pool = fuzz.seeds(None)[fmt]  # the project's own fixtures and samples, not the shared corpus
    assert pool, f"no seeds for {fmt}"
    rng = random.Random(f"suite-{fmt}")
    mutate = fuzz.mutate_xlsx if fmt == "xlsx" else fuzz.mutate
    for n in range(20):
        path = tmp_path / f"input{n}{fuzz.SUFFIX[fmt]}"
        path.write_bytes(mutate(rng.choice(pool), rng, pool))
        _read_within_bound(path, fmt)
