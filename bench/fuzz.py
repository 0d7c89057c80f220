"""Mutation fuzzing of every importer, with a time and memory alarm per input.

Seeds: the shared corpus (``../shared/corpus/<format>/``, when present beside the checkout or at
``--corpus``), ``sample_statements/`` and ``tests/fixtures/<format>/``.  Each input is a seed of
one format mutated a few times (bytes flipped, lines deleted, duplicated or swapped, runs of
spaces, commas, quotes, digits or ``<`` inserted, non-ASCII digits, control characters, cut
short, spliced with another seed; for ``.xlsx`` a part inside the ZIP is mutated and the ZIP
rebuilt) and read with ``read_statement(path, format=<format>)`` in a worker process.

Verdicts per input: a Statement or a ``StatementError``/``UsageError`` is fine; any other
exception is a *foreign exception* (a bug); an input that takes longer than ``--alarm-seconds``
(the worker is killed and replaced) or raises MemoryError under the ``--alarm-mb`` address-space
limit is *over the alarm* (a slow input is read again in a fresh worker and counts only if
it is slow twice: the machine may be shared).  Each distinct failure (format, exception type, where it was raised)
is printed once and, with ``--save DIR``, its input is written there to become a regression
fixture (``tests/fixtures/fuzz/``).

Usage::

    python bench/fuzz.py [--inputs 2000] [--formats csv ofx ...] [--seed 1] [--save tests/fixtures/fuzz]
                         [--code DIR]   # another checkout, e.g. the commit before a fix
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing as mp
import random
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ("csv", "ofx", "qif", "camt", "mt940", "xlsx")
SUFFIX = {"csv": ".csv", "ofx": ".ofx", "qif": ".qif", "camt": ".xml", "mt940": ".sta", "xlsx": ".xlsx"}
_RECOGNISED = {".csv": "csv", ".txt": "csv", ".ofx": "ofx", ".qfx": "ofx", ".qif": "qif", ".xml": "camt",
               ".sta": "mt940", ".mt940": "mt940", ".940": "mt940", ".xlsx": "xlsx"}


# ------------------------------------------------------------------------------------ seeds

def seeds(corpus: Path | None) -> dict[str, list[bytes]]:
    """Seed files per format (by folder name, else by extension)."""
    found: dict[str, list[bytes]] = {fmt: [] for fmt in FORMATS}
    folders = [ROOT / "tests" / "fixtures" / fmt for fmt in FORMATS]
    if corpus is not None:
        folders += [corpus / fmt for fmt in FORMATS]
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.stat().st_size < 2_000_000 and folder.name in found:
                    if path.suffix.lower() in _RECOGNISED or folder.name == "mt940":
                        found[folder.name].append(path.read_bytes())
    samples = ROOT / "sample_statements"
    for path in sorted(samples.glob("*")) if samples.is_dir() else ():
        fmt = _RECOGNISED.get(path.suffix.lower())
        if fmt:
            found[fmt].append(path.read_bytes())
    found["xlsx"] += [_workbook(data) for data in found["csv"][:6]]  # CSV seeds as real workbooks
    return found


def _workbook(csv_bytes: bytes) -> bytes:
    """A workbook holding a CSV seed's rows (numbers as numbers), as Excel exports look."""
    import csv

    from openpyxl import Workbook

    book = Workbook()
    text = csv_bytes.decode("utf-8", errors="replace")
    for row in list(csv.reader(io.StringIO(text)))[:60]:
        book.active.append([_number(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(cell: str):
    try:
        return float(cell) if any(ch.isdigit() for ch in cell) and "." in cell else cell
    except ValueError:
        return cell


# -------------------------------------------------------------------------------- mutations

_RUNS = (b" ", b",", b'"', b"9", b"<", b"'", b";", b"\t", b"\n", b"-", b".", b"?", b"=", b"\\")
_TOKENS = ("２０２６".encode(), "١٢".encode(), "²".encode(), "\u202e".encode(), b"\x1b[2J", b"\x00", b"\r",
           b"\xff\xfe", b"\xef\xbb\xbf", b"99999999999999999999", b"-0", b"1e400", b"NaN", b"<STMTTRN>",
           b"</OFX>", b"!Type:Bank\n", b":61:", b":86:", b"^\n", b"&#x0;", b"&amp;", b"<!--", b"<![CDATA[",
           "€".encode(), b"(", b")", b"CR", b"DR", b"20260230", b"31/02/2026", b"9" * 40)


def _lines_op(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    choice = rng.randrange(3)
    if choice == 0:
        del lines[i]
    elif choice == 1:
        lines.insert(i, lines[j])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four random edits of ``data``."""
    for _ in range(rng.randint(1, 4)):
        if not data:
            data = rng.choice(_TOKENS)
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(8)
        if op == 0:  # flip a byte
            pos = rng.randrange(len(data))
            data = data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1:]
        elif op == 1:
            data = _lines_op(data, rng)
        elif op == 2:  # a run of one structural byte (regex worst cases live here)
            data = data[:at] + rng.choice(_RUNS) * rng.choice((2, 30, 300, 3000, 40000)) + data[at:]
        elif op == 3:
            data = data[:at] + rng.choice(_TOKENS) + data[at:]
        elif op == 4:  # cut short
            data = data[:at]
        elif op == 5 and others:  # splice with another seed
            other = rng.choice(others)
            data = data[:at] + other[rng.randrange(len(other) + 1):]
        elif op == 6:  # delete a span
            data = data[:at] + data[at + rng.randrange(1, 64):]
        else:  # random bytes
            data = data[:at] + rng.randbytes(rng.randrange(1, 32)) + data[at:]
    return data


def mutate_xlsx(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """Mutate one XML part of the workbook and zip it again (bytes of a ZIP rarely get that far)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError):
        return mutate(data, rng, others)
    if rng.random() < 0.1:
        return mutate(data, rng, others)
    xml = [name for name in parts if name.endswith(".xml")]
    name = rng.choice([n for n in xml if "sheet" in n or "sharedStrings" in n] or xml)
    parts[name] = _mutate_values(parts[name], rng) if rng.random() < 0.8 else mutate(parts[name], rng, [])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, body in parts.items():
            archive.writestr(part, body)
    return out.getvalue()


def _mutate_values(xml: bytes, rng: random.Random) -> bytes:
    """Mutate the text of a few elements (cell values, shared strings), keeping the XML well formed."""
    import re

    spans = [m.span(1) for m in re.finditer(rb">([^<]+)<", xml)]
    for _ in range(rng.randint(1, 3)):
        if not spans:
            break
        start, end = rng.choice(spans)
        value = mutate(xml[start:end], rng, [])
        value = value.decode("utf-8", errors="ignore").encode("ascii", "xmlcharrefreplace")
        value = value.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
        value = re.sub(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", b"", value)
        xml = xml[:start] + value + xml[end:]
        spans = [m.span(1) for m in re.finditer(rb">([^<]+)<", xml)]
    return xml


# ----------------------------------------------------------------------------------- worker

def _worker(conn, alarm_mb: int, folder: str, code: str) -> None:
    import resource

    sys.path.insert(0, code)  # the checkout under test (``--code``), ahead of the installed one

    limit = alarm_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from chargecheck.errors import StatementError, UsageError
    from chargecheck.importers import read_statement

    conn.send("ready")  # imports done: the parent's alarm never counts them
    while True:
        job = conn.recv()
        if job is None:
            return
        fmt, data = job
        path = Path(folder) / f"input{SUFFIX[fmt]}"
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            statement = read_statement(path, format=fmt)
            assert statement.rows_read == len(statement.transactions) + len(statement.skipped), "rows not accounted"
            verdict = ("ok", None)
        except (StatementError, UsageError):
            verdict = ("refused", None)
        except MemoryError:
            verdict = ("memory", "MemoryError")
        except BaseException as exc:  # noqa: BLE001 - any other exception is what we hunt
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
            verdict = ("foreign", f"{type(exc).__name__} at {where}: {str(exc)[:100]}")
        conn.send((verdict, time.perf_counter() - started))


class Worker:
    """A worker process reading inputs; killed and replaced when one runs past the alarm."""

    def __init__(self, alarm_mb: int, folder: str, code: Path) -> None:
        self.alarm_mb, self.folder, self.code = alarm_mb, folder, str(code)
        self._start()

    def _start(self) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, self.alarm_mb, self.folder, self.code), daemon=True)
        self.process.start()
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            raise RuntimeError("fuzz worker did not start")

    def read(self, fmt: str, data: bytes, alarm_seconds: float):
        """(verdict kind, detail, seconds) for one input; an input over the alarm is read once
        more in a fresh worker and counts only if it is over again (the machine may be shared)."""
        kind, detail, seconds = self._read_once(fmt, data, alarm_seconds)
        if kind == "slow":
            kind, detail, seconds = self._read_once(fmt, data, alarm_seconds)
        return kind, detail, seconds

    def _read_once(self, fmt: str, data: bytes, alarm_seconds: float):
        self.conn.send((fmt, data))
        if self.conn.poll(alarm_seconds):
            (kind, detail), seconds = self.conn.recv()
            if kind in ("ok", "refused") and seconds > alarm_seconds:
                return "slow", f"took {seconds:.1f} s", seconds
            return kind, detail, seconds
        self.process.kill()
        self.process.join()
        self._start()
        return "slow", f"killed after {alarm_seconds:g} s", alarm_seconds

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(5)


# ------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    """Fuzz each format and print the table; exit 1 when any input failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=2000, help="inputs per format")
    parser.add_argument("--formats", nargs="*", default=list(FORMATS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--alarm-seconds", type=float, default=2.0)
    parser.add_argument("--alarm-mb", type=int, default=1500, help="address-space limit of the worker (MB)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout of the project to fuzz")
    parser.add_argument("--save", type=Path, default=None, help="folder for one input per distinct failure")
    args = parser.parse_args(argv)
    corpus = args.corpus if args.corpus.is_dir() else None
    all_seeds = seeds(corpus)
    rng = random.Random(args.seed)
    failures: dict[tuple, bytes] = {}
    rows = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chargecheck-fuzz-") as folder:
        worker = Worker(args.alarm_mb, folder, args.code)
        for fmt in args.formats:
            pool = all_seeds.get(fmt) or []
            if not pool:
                rows.append((fmt, 0, 0, 0, 0, "no seeds"))
                continue
            counts = {"ok": 0, "refused": 0, "foreign": 0, "slow": 0, "memory": 0}
            slowest = 0.0
            for _ in range(args.inputs):
                seed = rng.choice(pool)
                data = (mutate_xlsx if fmt == "xlsx" else mutate)(seed, rng, pool)
                kind, detail, seconds = worker.read(fmt, data, args.alarm_seconds)
                counts[kind] += 1
                slowest = max(slowest, seconds)
                if kind in ("foreign", "slow", "memory"):
                    key = (fmt, kind, detail if kind == "foreign" else "")
                    if key not in failures or len(data) < len(failures[key]):
                        failures[key] = data
            rows.append((fmt, args.inputs, counts["foreign"], counts["slow"] + counts["memory"],
                         len(pool), f"{counts['ok']} read, {counts['refused']} refused, slowest {slowest:.2f} s"))
        worker.close()
    print(f"code {args.code}, seed {args.seed}, alarm {args.alarm_seconds:g} s / {args.alarm_mb} MB, corpus "
          f"{corpus or 'absent'}, {time.monotonic() - started:.0f} s")
    print("| format | inputs | foreign exceptions | over alarm | seeds | outcomes |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    for (fmt, kind, detail), data in sorted(failures.items()):
        name = f"{fmt}-{kind}-{hashlib.sha1(data).hexdigest()[:10]}{SUFFIX[fmt]}"
        print(f"{fmt}: {kind}: {detail or 'over the alarm'} ({len(data):,} bytes) -> {name}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / name).write_bytes(data)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
