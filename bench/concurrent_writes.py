"""Concurrent writers into one rules file: how many records survive.

Starts N real ``chargecheck cancel`` (and ``chargecheck review``) processes at once into one
file, T times, and counts the records kept.  The baseline in the same run is the write the tool
did before the lock (read, append, atomic replace, no lock), run by the same number of processes,
so the figure shows what the lock buys.

    python bench/concurrent_writes.py [--writers 20] [--trials 3]

Prints one line per (command, trial): writers, records kept, seconds.  Timings are wall-clock
on a shared machine: noisy.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The pre-lock write, as a separate process: read the file, append a block, replace atomically.
_UNLOCKED = r"""
import os, sys, tempfile, time
path, index, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
old = open(path, "rb").read() if os.path.exists(path) else b""
block = f'\n[[cancellation]]\nvendor = "Vendor {index:02d}"\ncancelled_on = 2026-01-01\n'.encode()
handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".x.", suffix=".tmp")
with os.fdopen(handle, "wb") as out:
    out.write(old + block)
os.replace(temp, path)
"""


def _run_all(commands: list[list[str]]) -> float:
    started = time.perf_counter()
    processes = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands]
    for process in processes:
        _, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"writer failed ({process.returncode}): {err.decode(errors='replace').strip()}")
    return time.perf_counter() - started


def _count(path: Path, table: str) -> int:
    import tomllib

    return len(tomllib.loads(path.read_text(encoding="utf-8")).get(table, [])) if path.exists() else 0


def trial(kind: str, writers: int, folder: Path) -> tuple[int, float]:
    """One trial of ``writers`` processes of ``kind``; returns (records kept, seconds)."""
    tool = [sys.executable, "-m", "chargecheck"]
    if kind == "cancel":
        target, table = folder / "cancellations.toml", "cancellation"
        commands = [tool + ["cancel", f"Vendor {i:02d}", "--on", "2026-01-01", "--rules", str(target)]
                    for i in range(writers)]
    elif kind == "review":
        target, table = folder / "reviews.toml", "review"
        commands = [tool + ["review", f"{i:010x}", "--as", "disputed", "--rules", str(target)] for i in range(writers)]
    else:  # the unlocked baseline, started together a second from now (after Python starts)
        target, table = folder / "baseline.toml", "cancellation"
        start = time.time() + 1.0
        commands = [[sys.executable, "-c", _UNLOCKED, str(target), str(i), str(start)] for i in range(writers)]
    seconds = _run_all(commands)
    return _count(target, table), seconds


def main() -> None:
    """Run the trials and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    print(f"{'command':<22} {'trial':>5} {'writers':>7} {'kept':>5} {'seconds':>8}")
    for kind in ("cancel", "review", "unlocked baseline"):
        for number in range(1, args.trials + 1):
            with tempfile.TemporaryDirectory() as folder:
                kept, seconds = trial(kind.split()[0], args.writers, Path(folder))
            print(f"{kind:<22} {number:>5} {args.writers:>7} {kept:>5} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
