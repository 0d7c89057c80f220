"""Benchmark: rendering a report of thousands of flags (terminal table and JSON), time per flag.

Run from the project root::

    python bench/bench_report.py                    # 300 vendors, ~7,000 flags, best of 3
    python bench/bench_report.py --vendors 50 --repeat 5

It writes (seeded, into a temporary folder) a Chase-layout card CSV in which every vendor keeps
billing monthly for about two years after its recorded cancellation, among ordinary purchases,
and the rules file of those cancellations (``synth_statement.py`` makes the names and writes
the files).  The flags come from the real pipeline (``chargecheck.pipeline.check``); then each
report format is rendered once untimed (imports) and ``--repeat`` times timed, and the best and
the spread of the wall and CPU time are printed, in milliseconds per flag.  The table is rendered at a fixed width (100 columns, no colour), as the
CLI does when piped.  This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synth_statement import _rules_toml, _write_csv, make_names  # noqa: E402  (script-local module)

CANCELLED = date(2024, 3, 1)
FIRST, LAST = date(2023, 9, 5), date(2026, 2, 28)


def write_files(folder: Path, vendors: int, noise: int, seed: int) -> tuple[Path, Path]:
    """The statement (vendor charges after cancellation, plus ``noise`` other rows) and its rules."""
    rng = np.random.default_rng(seed)
    names = make_names(rng, vendors + 200)
    body, rules = [], []
    for v, vendor in enumerate(names[:vendors]):
        cents = int(rng.choice([499, 999, 1299, 1499, 2999]))
        descriptor = f"{vendor}.COM 866-{200 + v % 700:03d}-{1000 + v:04d} CA" if v % 2 else f"PAYPAL *{vendor}"[:19]
        day = FIRST + timedelta(days=int(rng.integers(0, 28)))
        while day <= LAST:
            body.append((day, descriptor, -cents, "Sale", day > CANCELLED))
            day += timedelta(days=30)
        rules.append({"vendor": vendor.title(), "cancelled_on": CANCELLED, "reference": f"REF-{1000 + v}"})
    shops = names[vendors:]
    for _ in range(noise):
        day = FIRST + timedelta(days=int(rng.integers(0, (LAST - FIRST).days)))
        body.append((day, f"{shops[int(rng.integers(len(shops)))]} MARKET", -int(rng.integers(100, 20000)), "Sale", False))
    csv_path, rules_path = folder / "statement.csv", folder / "cancellations.toml"
    _write_csv(csv_path, body)
    rules_path.write_text(_rules_toml(rules), encoding="utf-8")
    return csv_path, rules_path


def time_render(result, fmt: str, repeat: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each of ``repeat`` renderings of ``result`` in ``fmt``.

    One rendering first, untimed, so module imports are not counted.
    """
    from chargecheck.report import render

    render(result, fmt, width=100)
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        render(result, fmt, width=100)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    """Generate, check, render, print.  Returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=300, help="vendors charging after cancellation (default 300)")
    parser.add_argument("--noise", type=int, default=10_000, help="ordinary rows (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="renderings per format (default 3)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--formats", default="table,json", help="comma-separated (default table,json)")
    args = parser.parse_args(argv)

    from chargecheck.pipeline import check

    with tempfile.TemporaryDirectory(prefix="chargecheck-bench-report-") as scratch:
        csv_path, rules_path = write_files(Path(scratch), args.vendors, args.noise, args.seed)
        start = time.perf_counter()
        result = check([csv_path], rules_path)
        print(f"{len(result.flags):,} flags from {args.vendors} vendors in "
              f"{sum(len(s.transactions) for s in result.statements):,} rows (check {time.perf_counter() - start:.1f} s)")
        flags = max(1, len(result.flags))
        for fmt in args.formats.split(","):
            walls, cpus = time_render(result, fmt, args.repeat)
            print(f"{fmt:<6} wall best {min(walls):6.2f} s = {min(walls) / flags * 1000:6.3f} ms/flag "
                  f"(spread {min(walls):.2f}-{max(walls):.2f} s)   CPU best {min(cpus):6.2f} s = "
                  f"{min(cpus) / flags * 1000:6.3f} ms/flag (spread {min(cpus):.2f}-{max(cpus):.2f} s), {len(walls)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
