"""CSV text → a grid of string cells with the physical line of every record.

Input: decoded text.  Output: the delimiter, the header row (if any) and a :class:`Grid` of the
records under it (cells as ``str``, the 1-based physical line where each record starts, its
field count).  Line numbers count physical lines of the file, so a record whose quoted field
holds a newline still points at the line where it starts.

The main path is pandas' C reader (``dtype=str``) plus a numpy scan over the bytes that finds
record boundaries and field counts outside quotes (the C reader pads short rows silently, so
we count fields ourselves).  If the two disagree on the number of records (a stray quote in
the middle of a field), the file is re-read with the stdlib ``csv`` module, which is exact but
slower.

A large file is read in two steps: the first :data:`HEAD_RECORDS` records with every column
(the sample the column roles are detected on), then, once the roles are known, only the
columns the import uses (:meth:`Grid.load`); the few records that need every cell (skipped
rows, blank or repeated-header candidates) are read on their own (:meth:`Grid.rows`).
Columns no role uses (categories, memos, card members) then cost only the byte scan.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..values import looks_like_amount

__all__ = ["DATE_LIKE", "DELIMITERS", "MAX_FIELDS", "MAX_RECORD_BYTES", "Grid", "GridMismatch", "HeadRow", "looks_like_data", "sniff_delimiter",
           "head_rows", "locate_header", "read_grid", "read_grid_exactly"]

DELIMITERS = (",", ";", "\t", "|")
HEAD_CHARS = 65536
# Records read with every column up front (the sample for detecting column roles) ...
HEAD_RECORDS = 4000
# ... in a file with more records than this, which then reads only the columns it uses.
PARTIAL_MIN_RECORDS = HEAD_RECORDS
# Caps on one record (the widest export in the corpus has 38 columns, rows are a few hundred
# bytes; detecting a column's role costs ~10 ms, so the cap bounds that work too): a
# record with more fields keeps only the first MAX_FIELDS, one longer than MAX_RECORD_BYTES
# keeps its cells; either is then skipped with its reason (``Grid.oversized``), so hostile
# rows (one of 191k fields, a 1 MB cell) cost time in proportion to their bytes, not their cells.
MAX_FIELDS = 128
MAX_RECORD_BYTES = 16384
_NON_SPACE = re.compile(rb"\S")

DATE_LIKE = re.compile(
    r"^(?:\d{1,4}[-/. ]\d{1,2}[-/. ]\d{2,4}\.?|\d{1,2}[-/]\d{4}[-/]\d{1,2}"
    r"|\d{1,2}\.?[-/ .]?[^\W\d_]{3,9}\.?[-/ ,]+\d{2,4}"  # 01-Mar-2026, 1. März 2026 (any language)
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|(?:19|20)\d{6})(?:[T ,].*)?$"
)


@dataclass(frozen=True)
class HeadRow:
    """A record of the file's head as the csv module reads it (for header detection)."""

    line: int
    cells: list[str]

    @property
    def filled(self) -> list[str]:
        """The non-empty cells."""
        return [cell for cell in self.cells if cell]


class GridMismatch(Exception):
    """The C reader and the byte scan disagree on the records (a stray quote): read it exactly."""


@dataclass
class _Source:
    """Where a partly read grid's records start, to read more columns or whole records."""

    offset: int  # byte where the first record starts
    delimiter: str
    start_line: int
    starts: np.ndarray | None = None  # byte offset of each record, and the end (on first need)


@dataclass
class Grid:
    """Data records under the header: ``line`` and ``nfields`` per record, and their cells.

    ``cells`` holds the columns read so far (labels are column positions ``0..width-1``;
    ``""`` where a record has no such field): every column for a small file, for a large one
    only those :meth:`load` asked for.  ``head`` is the first :data:`HEAD_RECORDS` records
    (or all, if fewer) with every column; None when ``cells`` holds everything.
    """

    cells: pd.DataFrame
    line: np.ndarray
    nfields: np.ndarray
    width: int = 0
    head: pd.DataFrame | None = None
    source: _Source | None = None
    data: bytes | None = None  # the file's bytes (UTF-8), where the fast reader read them
    memo: dict = field(default_factory=dict)
    # Records past a cap (more than MAX_FIELDS fields or MAX_RECORD_BYTES bytes); None: none are.
    oversized: np.ndarray | None = None

    @property
    def partial(self) -> bool:
        """Whether some columns have not been read (only large files)."""
        return self.source is not None

    @property
    def index(self) -> pd.RangeIndex:
        """Row labels of every column (0..records-1)."""
        return pd.RangeIndex(len(self.line))

    def series(self, index: int) -> pd.Series:
        """One column's cells for every record (read now if it was not)."""
        if index not in self.cells.columns:
            self.load([index])
        return self.cells[index]

    def load(self, columns) -> None:
        """Read these columns for every record, all that are missing in one pass over the file."""
        if self.source is None:
            return
        missing = sorted({int(c) for c in columns if 0 <= c < self.width} - set(self.cells.columns))
        if not missing:
            return
        frame = _parse(self.data, self.source.offset, self.source.delimiter, self.width, usecols=missing)
        if len(frame) != len(self.line):
            raise GridMismatch()
        merged = pd.concat([self.cells, frame], axis=1) if len(self.cells.columns) else frame
        self.cells = merged[sorted(merged.columns)]
        if len(self.cells.columns) == self.width:
            self.source = self.head = None  # everything is read

    def rows(self, positions) -> pd.DataFrame:
        """Every cell of the records at these positions (labelled by position), for the rare
        records that need more than the loaded columns: skipped rows, candidates for blank
        or repeated-header records, continuation lines."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.source is not None and len(positions) * 10 > len(self.line):
            self.load(range(self.width))  # many: one pass over the file costs less
        if self.source is None or not len(positions):
            frame = self.cells.iloc[positions] if len(self.cells.columns) else pd.DataFrame(index=positions)
            return frame.reindex(columns=range(self.width), fill_value="")
        source = self.source
        if source.starts is None:
            source.starts = _record_starts(self.data, source, self.line)
        body = memoryview(self.data)[source.offset:]
        pieces = [bytes(body[source.starts[p]: source.starts[p + 1]]).rstrip(b"\n") + b"\n" for p in positions]
        frame = _parse(b"".join(pieces), 0, source.delimiter, self.width)
        if len(frame) != len(positions):
            raise GridMismatch()
        frame.index = positions
        return frame


def _record_starts(data: bytes, source: _Source, line: np.ndarray) -> np.ndarray:
    """Byte offset (from the first record) where each record starts, plus the end of the data."""
    raw = np.frombuffer(memoryview(data)[source.offset:], dtype=np.uint8)
    line_starts = np.concatenate(([0], np.flatnonzero(raw == 10) + 1))
    return np.append(line_starts[line - source.start_line], len(raw))


def _parse(data: bytes, offset: int, delimiter: str, width: int, usecols=None, nrows=None) -> pd.DataFrame:
    """Records from byte ``offset`` on as string cells (the C reader), columns ``0..width-1``."""
    handle = io.BytesIO(data)  # shares the bytes; reading starts at the first record
    handle.seek(offset)
    try:
        # A record with more fields than ``width`` (quotes the byte scan read otherwise) must not
        # become pandas' implicit index (one index level per extra field: 40,000 commas took 5 s)
        # nor be cut silently (index_col=False warns): either way the exact reader reads the file.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                handle, sep=delimiter, header=None, names=range(width), usecols=usecols, nrows=nrows, dtype=object,
                na_filter=False, skip_blank_lines=False, skipinitialspace=True, index_col=False,
                engine="c", encoding="utf-8", on_bad_lines="error", quoting=csv.QUOTE_MINIMAL,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError):  # quotes read otherwise
        raise GridMismatch() from None


@lru_cache(maxsize=16)  # identification and extraction sniff the same head of a file
def sniff_delimiter(head: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the most records into the same width.

    Each candidate is scored by the largest group of records sharing one field count (>= 2),
    then by that width, then by how often it occurs in the head; the order of
    :data:`DELIMITERS` breaks what is still tied.  Excel's ``sep=;`` first line, where present,
    wins.  No ``csv.Sniffer``: it is wrong on some semicolon files (CPython #97611), and its
    quote-guessing regexes backtrack ~n^4 (a 300-byte header of quotes took 25 s).
    """
    head = head[:HEAD_CHARS]
    declared = re.match(r"\s*+sep=([,;\t|])\s*+(?:\n|$)", head)
    if declared:
        return declared.group(1)
    best, best_score = ",", (0, 0, 0, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        counts = Counter(len(row) for row in _reader(head, delimiter) if any(c.strip() for c in row))
        groups = [(n, width) for width, n in counts.items() if width >= 2]
        if not groups:
            continue
        size, width = max(groups)
        score = (size, width, head.count(delimiter), -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _reader(text: str, delimiter: str):
    return csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True, strict=False)


def head_rows(head: str, delimiter: str, limit: int = 300) -> list[HeadRow]:
    """The first non-blank records of the text, stripped, with their starting physical line."""
    rows, reader, previous_end = [], _reader(head, delimiter), 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            cells = [cell.strip() for cell in row[:MAX_FIELDS + 1]]  # one more: "too wide" is seen
            if any(cells):
                rows.append(HeadRow(start, cells))
            if len(rows) >= limit:
                break
    except csv.Error:  # a cut-off quoted field at the end of the head
        pass
    return rows


def looks_like_data(row: HeadRow) -> bool:
    """A date-like cell and another cell that is an amount: a transaction row."""
    dates = [i for i, cell in enumerate(row.cells) if DATE_LIKE.match(cell)]
    if not dates:
        return False
    return any(looks_like_amount(c) for i, c in enumerate(row.cells) if i not in dates and re.search(r"\d", c))


def _looks_like_label(row: HeadRow) -> bool:
    """At least two non-empty cells, none a date or amount, mostly letters: a header row."""
    filled = row.filled
    if len(filled) < 2 or any(DATE_LIKE.match(cell) for cell in filled):
        return False
    numbers = sum(looks_like_amount(cell) for cell in filled)
    wordy = sum(bool(re.search(r"[^\W\d_]{2}", cell)) for cell in filled)
    return numbers == 0 and wordy >= max(2, len(filled) // 2)


def _width(cells: list[str]) -> int:
    """Cells up to the last non-empty one (trailing empty fields are common and meaningless)."""
    return max((i + 1 for i, cell in enumerate(cells) if cell), default=0)


def _fits(header: HeadRow, row: HeadRow) -> bool:
    """A data row could sit under this header: no filled cell beyond it, not much narrower."""
    return _width(row.cells) <= len(header.cells) and len(row.cells) >= _width(header.cells) - 1


def locate_header(rows: list[HeadRow]) -> tuple[HeadRow | None, int]:
    """The header row (or None for a headerless file) and the first physical line of data.

    The header is the label-like record (words, no dates or amounts) with the most
    transaction-like records of its width under it before the next label-like record, so
    account summaries above it ("Opening balance, 01/03/2026, 1000.00") are preamble, not
    data.  A header repeated further down (one block per account) counts from its first
    copy.  Records between the header and the first transaction (``Pending`` rows) are data.
    Without such a header, data starts at the first transaction-like record that is followed
    mostly by more of them.
    """
    flags = [looks_like_data(row) for row in rows]
    labels = [i for i, row in enumerate(rows) if _looks_like_label(row)]
    best, best_score = None, 0
    for position, index in enumerate(labels):
        stop = labels[position + 1] if position + 1 < len(labels) else len(rows)
        score = sum(flags[j] and _fits(rows[index], rows[j]) for j in range(index + 1, stop))
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        best = next(i for i in labels if rows[i].cells == rows[best].cells)
        return rows[best], rows[best + 1].line
    for index, flag in enumerate(flags):
        following = flags[index : index + 6]
        if flag and sum(following) * 2 >= len(following):
            return None, rows[index].line
    return None, rows[0].line if rows else 1


def read_grid(text: str | None, delimiter: str, start_line: int, data: bytes | None = None) -> Grid:
    """Read the records from physical line ``start_line`` on into a :class:`Grid` (a large
    file: every column of the first records, the rest as :meth:`Grid.load` asks).

    ``data``, when given, must be ``text.encode("utf-8")`` (the file as read, if it was that);
    ``text`` may then be None (decoded only if the exact reader is needed).
    """
    data = text.encode("utf-8") if data is None else data
    exactly = lambda: read_grid_exactly(data.decode("utf-8") if text is None else text, delimiter, start_line)  # noqa: E731
    offset = _line_offset(data, start_line)
    if offset is None:  # the header is the last line: no records under it
        return Grid(pd.DataFrame(), np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"))
    body = memoryview(data)[offset:]  # no copy of the file
    lines, nfields = _scan(body, delimiter, quoted=data.find(b'"', offset) >= 0)
    lines += start_line
    if len(nfields) and nfields.max() > MAX_FIELDS:  # hostile widths: the exact reader caps them
        return exactly()
    oversized = _oversized(body, lines - start_line) if len(body) > MAX_RECORD_BYTES else None
    width = int(nfields.max()) if len(nfields) else 1
    if not _NON_SPACE.search(data, offset):
        frame = pd.DataFrame()
        return Grid(frame, lines, nfields, width) if len(lines) == 0 else exactly()
    try:
        if len(lines) > PARTIAL_MIN_RECORDS:
            head = _parse(data, offset, delimiter, width, nrows=HEAD_RECORDS)
            if len(head) == min(HEAD_RECORDS, len(lines)):
                source = _Source(offset, delimiter, start_line)
                return Grid(pd.DataFrame(index=pd.RangeIndex(len(lines))), lines, nfields, width, head, source, data,
                            oversized=oversized)
        frame = _parse(data, offset, delimiter, width)
    except GridMismatch:
        return exactly()
    if len(frame) != len(lines):
        return exactly()
    # Plain object columns (not pandas' "str" dtype): numpy compares and factorizes them faster.
    return Grid(frame, lines, nfields, width, data=data, oversized=oversized)


def _oversized(body: memoryview, lines: np.ndarray) -> np.ndarray | None:
    """Records longer than MAX_RECORD_BYTES (by where each starts, from its 0-based line), or None."""
    raw = np.frombuffer(body, dtype=np.uint8)
    line_starts = np.concatenate(([0], np.flatnonzero(raw == 10) + 1))
    starts = np.append(line_starts[lines], len(raw))
    over = np.diff(starts) > MAX_RECORD_BYTES
    return over if over.any() else None


def _line_offset(data: bytes, line: int) -> int | None:
    """Byte offset where physical line ``line`` (1-based) starts, None past the last newline."""
    offset = 0
    for _ in range(line - 1):
        found = data.find(b"\n", offset)
        if found < 0:
            return None
        offset = found + 1
    return offset


def _structural_bytes(raw: np.ndarray, wanted: tuple[int, ...], chunk: int = 1 << 18) -> np.ndarray:
    """The bytes of ``raw`` that are one of ``wanted``, in file order (their positions are not kept).

    Worked through in cache-sized chunks: a file-sized mask or position array costs more in
    fresh memory than the comparisons themselves.
    """
    parts = []
    for begin in range(0, len(raw), chunk):
        piece = raw[begin : begin + chunk]
        mask = piece == wanted[0]
        for byte in wanted[1:]:
            mask |= piece == byte
        parts.append(piece[mask])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)


def _scan(body: memoryview, delimiter: str, quoted: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each record's physical line (0-based from the body's start) and field count, outside quotes.

    Only the quote, delimiter and newline bytes matter, so they are picked in file order; a
    running quote parity tells which sit inside a quoted field (without quotes every newline
    ends a record).  A record ends at a newline outside quotes; the last one may lack it.
    """
    raw = np.frombuffer(body, dtype=np.uint8)
    if not len(raw):
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    sep = ord(delimiter)
    kinds = _structural_bytes(raw, (10, sep, 34) if quoted else (10, sep))
    if quoted:  # keep the delimiters outside quotes and every newline, marking which end a record
        outside = np.bitwise_xor.accumulate((kinds == 34).view(np.uint8)) == 0  # quote parity so far
        is_newline = kinds == 10
        keep = is_newline | ((kinds == sep) & outside)
        is_end = (is_newline & outside)[keep]
        kinds = kinds[keep]
    else:
        is_end = kinds == 10
    ends = np.flatnonzero(is_end)
    if raw[-1] != 10 or not len(ends) or ends[-1] != len(kinds) - 1:  # a last record without newline
        ends = np.append(ends, len(kinds))
    # Between two ends lie the record's delimiters and the newlines inside its quoted fields.
    nfields = np.diff(ends, prepend=-1)
    lines = np.arange(len(ends), dtype=np.int64)
    if quoted:
        inner = np.flatnonzero((kinds == 10) & ~is_end)  # newlines inside quotes (rare)
        if len(inner):
            before = np.searchsorted(inner, ends)  # inner newlines before each record's end
            nfields -= np.diff(before, prepend=0)
            lines[1:] += before[:-1]
    return lines, nfields.astype("int64")


def read_grid_exactly(text: str, delimiter: str, start_line: int) -> Grid:
    """Every record through the csv module: exact, slower (quotes inside unquoted fields and the
    like, where the C reader and the byte scan disagree)."""
    body = "\n".join(text.split("\n")[start_line - 1 :])
    reader, rows, lines, counts, sizes, previous_end = _reader(body, delimiter), [], [], [], [], 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field limit" not in str(exc):
                break  # an unterminated quote at the end: what was read stands
            row, size = [], MAX_RECORD_BYTES + 1  # a field past csv's limit: a record past ours
        else:
            size = sum(map(len, row)) + len(row)
        counts.append(len(row) if any(row) else 1)
        sizes.append(size)
        rows.append(row[:MAX_FIELDS] if len(row) > MAX_FIELDS else row)
        lines.append(start_line + previous_end)
        previous_end = reader.line_num
    nfields = np.array(counts, dtype="int64")
    oversized = (nfields > MAX_FIELDS) | (np.array(sizes, dtype="int64") > MAX_RECORD_BYTES)
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return Grid(frame, np.array(lines, dtype="int64"), nfields, width,
                oversized=oversized if oversized.any() else None)
