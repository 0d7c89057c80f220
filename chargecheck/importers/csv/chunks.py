"""A large CSV file read in bounded chunks (byte ranges that start and end on record boundaries).

Input: a CSV file's path and the import options.  Output: a :class:`CsvChunk` per byte range
(:func:`plan_chunks`), each read on its own into a :class:`~chargecheck.schema.Statement` of its
rows (:func:`read_chunk`; :func:`iter_chunks` does both), so no step holds the whole file.

How the chunks keep the file's reading:

* The first chunk is the file's first ``SAMPLE_BYTES`` (to the next record boundary): the
  header, layout, column roles, date format, decimal mark, currency and sign are decided on it
  once (:class:`~.rows.CsvDecisions`) and every chunk is read with those choices.  The choices
  depend on the file alone, never on the chunk size or on who reads the chunk.
* Boundaries are newlines outside quoted fields (a running quote parity over the file), so a
  quoted field holding a newline is never cut; each chunk knows the physical line it starts
  on, so ``source_line`` and skipped rows point into the file as a whole read does.
* Only files of UTF-8 (or plain ASCII) text are cut (every byte range of them decodes on its
  own); any other encoding, and a file no larger than one chunk, is read whole as before.

What differs from reading the file whole, by design: a file-level choice is made on the first
4 MiB (about 50,000 rows), not on every row; a record with no date that continues the row
before it is joined only within its chunk; undated records at the end of a chunk that is not
the file's last are counted as footer lines (listed in the notes), as at the end of a file.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import StatementError
from ...schema import Statement
from ..base import ImportOptions
from .grid import GridMismatch, read_grid, read_grid_exactly
from .importer import CsvHead, read_csv_head_text
from .rows import CsvDecisions, build_statement

__all__ = ["CHUNK_BYTES", "SAMPLE_BYTES", "CsvChunk", "CsvFilePlan", "iter_chunks", "plan_chunks", "read_chunk"]

CHUNK_BYTES = 8 << 20  # about 100,000 rows of a card export per chunk (~250 MB peak, measured)
SAMPLE_BYTES = 4 << 20  # the first chunk, on which the file-level choices are made
_SCAN_BYTES = 8 << 20  # block size of the boundary scan


@dataclass(frozen=True)
class CsvFilePlan:
    """What every chunk of one file shares: its head's reading and the choices made on it."""

    path: str
    encoding: str
    head: CsvHead
    decided: CsvDecisions


@dataclass(frozen=True)
class CsvChunk:
    """Bytes ``start``..``end`` of the file, whose first record starts on physical line ``first_line``."""

    plan: CsvFilePlan
    index: int
    start: int
    end: int
    first_line: int


def _boundaries(path: Path, first: int, step: int) -> list[tuple[int, int]] | None:
    """(byte offset, physical line) where each chunk starts, the end of the file last.

    A chunk ends at the first newline outside quotes at or after its target size.  None when
    the file is not UTF-8 text (then it is read whole, with the encoding detection of a whole
    read).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    starts, target, parity, lines, offset = [(0, 1)], first, 0, 0, 0
    with open(path, "rb") as handle:
        while block := handle.read(_SCAN_BYTES):
            if not block.isascii():
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    return None
            raw = np.frombuffer(block, dtype=np.uint8)
            newlines = np.flatnonzero(raw == 10)
            if b'"' in block:  # quote parity before each newline (a newline is never a quote)
                inside = (np.bitwise_xor.accumulate((raw == 34).view(np.uint8)) ^ parity)[newlines] == 1
                parity ^= int(np.count_nonzero(raw == 34) & 1)
            else:
                inside = np.zeros(len(newlines), dtype=bool)
            ends = newlines[~inside]
            while True:
                after = np.searchsorted(ends, target - offset)
                if after >= len(ends):
                    break
                end = int(ends[after])
                starts.append((offset + end + 1, lines + int(np.searchsorted(newlines, end)) + 2))
                target = offset + end + 1 + step
            lines += len(newlines)
            offset += len(block)
    if starts[-1][0] >= offset:
        starts.pop()  # the file ends with the last boundary's newline
    starts.append((offset, lines + 1))
    return starts


def plan_chunks(path: str | Path, options: ImportOptions, chunk_bytes: int = CHUNK_BYTES) -> tuple[CsvChunk, ...] | None:
    """The chunks of a CSV file larger than ``chunk_bytes``, or None when it is read whole.

    Reads the first chunk to make the file-level choices (:class:`CsvFilePlan`), and scans
    the rest for record boundaries without keeping it.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
    if size <= chunk_bytes or options.encoding not in (None, "utf-8", "utf8", "ascii"):
        return None
    starts = _boundaries(path, min(SAMPLE_BYTES, chunk_bytes), chunk_bytes)
    if starts is None or len(starts) < 3:
        return None
    first = _chunk_bytes(path, 0, starts[1][0])
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    text, data = _text_and_data(first)
    statement, head, decided = read_csv_head_text(path, text, options, encoding="utf-8", data=data)
    if decided is None or not statement.rows_read:
        return None  # blank or header-only head: read the file whole
    plan = CsvFilePlan(str(path), "utf-8", head, decided)
    return tuple(CsvChunk(plan, i, start, end, line)
                 for i, ((start, line), (end, _)) in enumerate(zip(starts, starts[1:])))


def _chunk_bytes(path: Path, start: int, end: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            return handle.read(end - start)
    except OSError as exc:
        raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None


def _text_and_data(raw: bytes) -> tuple[str | None, bytes]:
    """The chunk as the grid reader takes it: plain ASCII as is, else decoded with LF line ends."""
    if raw.isascii() and b"\x00" not in raw and b"\r" not in raw:
        return None, raw
    text = raw.decode("utf-8").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text, text.encode("utf-8")


def read_chunk(chunk: CsvChunk, options: ImportOptions, opened_at: str | None = None) -> Statement:
    """One chunk's rows as a Statement (rows read = its transactions + its skipped rows);
    ``opened_at`` is where this process finds the file, when not at the planned path."""
    plan, path = chunk.plan, Path(chunk.plan.path)
    raw = _chunk_bytes(Path(opened_at) if opened_at else path, chunk.start, chunk.end)
    if chunk.index == 0:
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        text, data = _text_and_data(raw)
        return read_csv_head_text(path, text, options, encoding=plan.encoding, data=data, decided=plan.decided)[0]
    text, data = _text_and_data(raw)
    head = plan.head
    build = dict(path=plan.path, names=head.names, header_line=head.header_line, layout=head.layout,
                 options=options, encoding=plan.encoding, delimiter=head.delimiter, decided=plan.decided)
    base = chunk.first_line - 1
    try:
        return build_statement(grid=read_grid(text, head.delimiter, 1, data, line_base=base),
                               notes=list(head.notes), **build)
    except GridMismatch:  # a stray quote: this chunk read exactly, as a whole file would be
        exact = read_grid_exactly(data.decode("utf-8") if text is None else text, head.delimiter, 1, base)
        return build_statement(grid=exact, notes=list(head.notes), **build)


def iter_chunks(path: str | Path, options: ImportOptions, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Statement]:
    """The file's rows chunk by chunk (one Statement for a file read whole)."""
    chunks = plan_chunks(path, options, chunk_bytes)
    if chunks is None:
        from .importer import IMPORTER

        yield IMPORTER.extract(Path(path), options)
        return
    for chunk in chunks:
        yield read_chunk(chunk, options)
