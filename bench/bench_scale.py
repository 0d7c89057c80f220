"""How ``chargecheck check`` scales with rows: wall, CPU and peak memory of the whole process tree.

Two generators: today's (``synth_statement.py``: one cardholder's few thousand merchants; sizes
above one million rows are its million-row statement repeated, so its descriptors repeat as
a person's do) and the high-cardinality one (``synth_wide.py``: > 400,000 distinct descriptors
per million rows, every block fresh).  Each size is checked by ``python -m chargecheck check``
as a fresh process, local engine; at the ``--dask-sizes`` also with ``--engine dask`` (a
LocalCluster of two worker processes, started by the command itself), in the same run.

Measured per run: wall time; CPU time of the command and every process it started (user +
system, ``RUSAGE_CHILDREN``: its workers included); peak RSS of the process tree (the sum of
the resident sets of the command and all its descendants, sampled every 50 ms with psutil, so
a short spike between two samples can be missed); the exit code (1 = flags found) and the
number of flags, which must agree between engines.

    python bench/bench_scale.py --sizes 100k,1M,3M,10M --dask-sizes 1M,10M

Statements are written to ``--workdir`` (default: a temporary folder, removed afterwards
unless ``--keep``); ten million rows take ~0.8 GB of disk per generator.  On a shared machine
the timings are noisy: say so when quoting them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synth_statement  # noqa: E402
import synth_wide  # noqa: E402

BLOCK = 1_000_000  # today's generator above this: its million-row statement repeated


def parse_size(text: str) -> int:
    """``100k``, ``1M``, ``2500000`` → rows."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(rows: int) -> str:
    """Rows as the tables show them (100k, 1M, 10M)."""
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else f"{rows // 1000}k"


def write_today(workdir: Path, rows: int) -> tuple[Path, Path]:
    """Today's generator at ``rows`` (above a million: the million-row statement repeated)."""
    csv_path, rules = workdir / f"today_{label(rows)}.csv", workdir / f"today_{label(rows)}.toml"
    if csv_path.exists():
        return csv_path, rules
    if rows <= BLOCK:
        synth_statement.write_statement(csv_path, rules, rows)
        return csv_path, rules
    block, block_rules = write_today(workdir, BLOCK)
    shutil.copy(block_rules, rules)
    with open(block, "rb") as source, open(csv_path, "wb") as out:
        header = source.readline()
        body = source.read()
        out.write(header)
        for _ in range(rows // BLOCK):
            out.write(body)
    return csv_path, rules


def write_wide(workdir: Path, rows: int) -> tuple[Path, Path]:
    """The high-cardinality generator at ``rows``."""
    csv_path, rules = workdir / f"wide_{label(rows)}.csv", workdir / f"wide_{label(rows)}.toml"
    if not csv_path.exists():
        info = synth_wide.write_wide_statement(csv_path, rules, rows)
        print(f"  wide {label(rows)}: {info.distinct_descriptors:,} distinct descriptors", file=sys.stderr)
    return csv_path, rules


def run_check(csv_path: Path, rules: Path, engine: str) -> dict:
    """One ``chargecheck check`` as a fresh process: wall, CPU and peak RSS of its process tree."""
    out = csv_path.with_suffix(f".{engine}.json")
    command = [sys.executable, "-m", "chargecheck", "check", str(csv_path), "--rules", str(rules),
               "--format", "json", "-o", str(out), "--engine", engine]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            total = 0
            for member in tree:
                try:
                    total += member.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stderr = process.stderr.read()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    flags = json.loads(out.read_text())["summary"]["flags"] if out.exists() else None
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": round(peak / 2**20),
            "exit": process.returncode, "flags": flags, "error": stderr.strip().splitlines()[-1:] if process.returncode not in (0, 1) else []}


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = ["| generator | rows | engine | wall s | CPU s | peak RSS MB (tree) | exit | flags |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['generator']} | {r['rows']} | {r['engine']} | {r['wall_s']} | {r['cpu_s']} | "
                     f"{r['peak_rss_mb']} | {r['exit']} | {r['flags']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M,3M,10M", help="rows per run, local engine (default: %(default)s)")
    parser.add_argument("--dask-sizes", default="1M,10M", help="sizes also run with --engine dask (default: %(default)s)")
    parser.add_argument("--generators", default="today,wide", help="today, wide or both (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="where the statements are written (kept); default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    dask_sizes = {parse_size(s) for s in args.dask_sizes.split(",") if s}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chargecheck-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    writers = {"today": write_today, "wide": write_wide}
    results = []
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", file=sys.stderr)
    try:
        for generator in args.generators.split(","):
            for rows in sorted(set(sizes) | dask_sizes):
                csv_path, rules = writers[generator](workdir, rows)
                # A Dask size runs the local engine too: the comparison is within one run.
                for engine in ["local"] + (["dask"] if rows in dask_sizes else []):
                    result = {"generator": generator, "rows": label(rows), "engine": engine,
                              **run_check(csv_path, rules, engine)}
                    print(json.dumps(result), file=sys.stderr)
                    results.append(result)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}", file=sys.stderr)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
