"""Benchmark: how fast the CLI starts, as whole processes, against ``python -c pass`` in the same run.

    python bench/bench_startup.py [--runs 10] [--bin DIR]

``--bin`` is the folder holding ``python`` and ``chargecheck`` (default: this interpreter's); use
a plain ``pip install .`` venv for the figure a user sees (an editable install adds its own
import hook).  Times ``python -c pass``, ``chargecheck --help`` and ``chargecheck cancel`` into a
temporary rules file, alternating, and prints the median and fastest wall time and the median
CPU time of each, with the ratio to ``python -c pass``.  Target (issue 11): ``--help`` and
``cancel`` within 0.15 s, or 5x ``python -c pass``: neither may import pandas.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    args = parser.parse_args(argv)
    times: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.runs):
            commands = {
                "python -c pass": [str(args.bin / "python"), "-c", "pass"],
                "chargecheck --help": [str(args.bin / "chargecheck"), "--help"],
                "chargecheck cancel": [str(args.bin / "chargecheck"), "cancel", f"Vendor {i}", "--on", "2026-01-01",
                                       "--rules", f"{folder}/cancellations-{i}.toml"],
            }
            for name, command in commands.items():
                times.setdefault(name, []).append(_run(command))
    base_wall = statistics.median(w for w, _ in times["python -c pass"])
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:20s} wall median {wall:.3f} s (fastest {min(w for w, _ in runs):.3f} s, "
              f"{wall / base_wall:.1f}x pass)   CPU median {cpu:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
