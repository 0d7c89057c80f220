"""Benchmark: ``chargecheck subscriptions`` against ``chargecheck check`` on the same statement.

Run from the project root (after ``pip install -e .``)::

    python bench/bench_subscriptions.py                      # 100,000 and 1,000,000 rows, 3 runs each
    python bench/bench_subscriptions.py --rows 100000 --repeat 5

For each size it generates (seeded, into a temporary folder) the statement and rules of
``synth_statement.py`` (as ``bench_check.py`` does), then runs both commands as whole processes
(``--format json --output``), alternating check and subscriptions so both see the same load,
and prints per command the best and the spread of the wall time, the CPU time (user + system,
the process and the children it waited for: the matcher's helper process is counted) and the
peak RSS (of the largest process in the tree), and the ratio subscriptions / check of the best
wall and CPU times (target: at most 2x).  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth_statement import write_statement  # noqa: E402  (script-local module beside this file)

# One measured command in a fresh wrapper, so the rusage of its children is this command's alone.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "chargecheck", *sys.argv[1:]], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "exit": done.returncode, "stderr": done.stderr[-500:]}))
"""

_CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}


def measure(args: list[str]) -> dict:
    """Wall, CPU and peak RSS of ``python -m chargecheck ARGS`` (exit 0 and 1 are results, not failures)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, env=_CHILD_ENV)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["exit"] not in (0, 1):
        raise SystemExit(f"chargecheck {args[0]} failed (exit {result['exit']}): {result['stderr']}")
    return result


def _line(name: str, runs: list[dict]) -> str:
    walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
    return (f"  {name:<14} wall best {min(walls):7.2f} s (spread {min(walls):.2f}-{max(walls):.2f})   "
            f"CPU best {min(cpus):7.2f} s (spread {min(cpus):.2f}-{max(cpus):.2f})   "
            f"peak RSS {max(r['rss_mb'] for r in runs):6.0f} MB")


def bench_size(rows: int, repeat: int, seed: int, folder: Path) -> None:
    """Generate one statement and time both commands on it ``repeat`` times, alternating."""
    csv_path, rules_path = folder / f"statement_{rows}.csv", folder / f"rules_{rows}.toml"
    info = write_statement(csv_path, rules_path, rows, seed=seed)
    print(f"{info.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB), {info.distinct_descriptors:,} distinct descriptors")
    commands = {
        "check": ["check", str(csv_path), "--rules", str(rules_path), "--format", "json",
                  "--output", str(folder / "check.json")],
        "subscriptions": ["subscriptions", str(csv_path), "--rules", str(rules_path), "--format", "json",
                          "--output", str(folder / "subscriptions.json")],
    }
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, args in commands.items():
            (folder / Path(args[-1]).name).unlink(missing_ok=True)
            runs[name].append(measure(args))
    for name in commands:
        print(_line(name, runs[name]))
    best = {name: (min(r["wall"] for r in rs), min(r["cpu"] for r in rs)) for name, rs in runs.items()}
    wall_ratio = best["subscriptions"][0] / best["check"][0]
    cpu_ratio = best["subscriptions"][1] / best["check"][1]
    verdict = "meets" if wall_ratio <= 2 else "MISSES"
    print(f"  subscriptions / check: wall {wall_ratio:.1f}x, CPU {cpu_ratio:.1f}x  (target <= 2x: {verdict})\n")


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print.  Returns 0 (a benchmark reports; it does not fail)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="statement sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command per size (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(f"subscriptions vs check: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start\n")
    with tempfile.TemporaryDirectory(prefix="chargecheck-bench-subs-") as scratch:
        for rows in args.rows:
            bench_size(rows, args.repeat, args.seed, Path(scratch))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
