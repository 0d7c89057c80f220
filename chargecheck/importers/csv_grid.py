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
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..values import looks_like_amount

__all__ = ["DATE_LIKE", "DELIMITERS", "Grid", "HeadRow", "looks_like_data", "sniff_delimiter", "head_rows", "locate_header", "read_grid"]

DELIMITERS = (",", ";", "\t", "|")
HEAD_CHARS = 65536
_NON_SPACE = re.compile(rb"\S")

DATE_LIKE = re.compile(
    r"^(?:\d{1,4}[-/. ]\d{1,2}[-/. ]\d{2,4}\.?|\d{1,2}[-/]\d{4}[-/]\d{1,2}|\d{1,2}[-/ .]?[A-Za-z]{3,9}\.?[-/ ,]+\d{2,4}"
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


@dataclass
class Grid:
    """Data records under the header: ``cells`` columns are ``0..n-1`` (``""`` where absent)."""

    cells: pd.DataFrame
    line: np.ndarray
    nfields: np.ndarray
    memo: dict = field(default_factory=dict)


def sniff_delimiter(head: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the most records into the same width.

    csv.Sniffer alone is wrong on some semicolon files (CPython #97611), so each candidate is
    scored by the largest group of records sharing one field count (>= 2), then by that width;
    Sniffer's answer only breaks exact ties.  Excel's ``sep=;`` first line, where present, wins.
    """
    declared = re.match(r"\s*sep=([,;\t|])\s*(?:\n|$)", head)
    if declared:
        return declared.group(1)
    try:
        sniffed = csv.Sniffer().sniff(head[:HEAD_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ","
    best, best_score = ",", (0, 0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(len(row) for row in _reader(head, delimiter) if any(c.strip() for c in row))
        groups = [(n, width) for width, n in counts.items() if width >= 2]
        if not groups:
            continue
        size, width = max(groups)
        score = (size, width, int(delimiter == sniffed))
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
            cells = [cell.strip() for cell in row]
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


def read_grid(text: str, delimiter: str, start_line: int, data: bytes | None = None) -> Grid:
    """Read every record from physical line ``start_line`` on into a :class:`Grid`.

    ``data``, when given, must be ``text.encode("utf-8")`` (the file as read, if it was that).
    """
    data = text.encode("utf-8") if data is None else data
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if start_line - 2 >= len(newlines):  # the header is the last line: no records under it
        return Grid(pd.DataFrame(), np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"))
    offset = 0 if start_line <= 1 else int(newlines[start_line - 2]) + 1
    body = memoryview(data)[offset:]  # no copy of the file
    ends = newlines[np.searchsorted(newlines, offset):] - offset
    if data.find(b'"', offset) >= 0:
        starts, nfields = _scan_records(body, ends, delimiter)
        lines = start_line + np.searchsorted(newlines, offset + starts) - np.searchsorted(newlines, offset)
    else:
        starts, nfields = _scan_unquoted(body, ends, delimiter)
        lines = start_line + np.arange(len(starts))
    width = int(nfields.max()) if len(nfields) else 1
    frame = pd.DataFrame()
    if _NON_SPACE.search(data, offset):
        handle = io.BytesIO(data)  # shares the bytes; reading starts at the first record
        handle.seek(offset)
        try:
            frame = pd.read_csv(
                handle, sep=delimiter, header=None, names=range(width), dtype=object,
                na_filter=False, skip_blank_lines=False, skipinitialspace=True,
                engine="c", encoding="utf-8", on_bad_lines="error", quoting=csv.QUOTE_MINIMAL,
            )
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):  # quotes our scan read differently
            return _read_grid_slowly(text, delimiter, start_line)
    if len(frame) != len(starts):
        return _read_grid_slowly(text, delimiter, start_line)
    # Plain object columns (not pandas' "str" dtype): numpy compares and factorizes them faster.
    return Grid(frame, lines.astype("int64"), nfields)


def _scan_records(body: bytes | memoryview, ends: np.ndarray, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets where records start and each record's field count, outside quotes.

    ``ends`` are the body's newline positions.  The quote, delimiter and newline bytes are
    picked in file order (the bytes only, not their positions); a running quote parity tells
    which of them sit inside a quoted field, and the n-th newline picked is ``ends[n]``.
    """
    raw = np.frombuffer(body, dtype=np.uint8)
    if not len(raw):
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    sep = ord(delimiter)
    kinds = raw[(raw == 34) | (raw == 10) | (raw == sep)]
    outside = np.bitwise_xor.accumulate((kinds == 34).view(np.uint8)) == 0  # quote parity so far
    is_newline = kinds == 10
    is_end = is_newline & outside
    starts = np.concatenate(([0], ends[is_end[is_newline]] + 1)).astype("int64")
    if starts[-1] >= len(raw):
        starts = starts[:-1]  # the file ends with a newline: no record after it
    separators = np.flatnonzero((kinds == sep) & outside)
    bounds = np.concatenate(([0], np.flatnonzero(is_end)[: len(starts)], [len(kinds)]))
    nfields = np.diff(np.searchsorted(separators, bounds))[: len(starts)] + 1
    return starts, nfields.astype("int64")


def _scan_unquoted(body: bytes | memoryview, ends: np.ndarray, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_scan_records` for a body without quote characters: every line is a record.

    The newline positions are already known, so only the delimiters are located, and each
    record's field count is the number of them between its start and the next record's.
    """
    if not len(body):
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    starts = np.concatenate(([0], ends + 1)).astype("int64")
    if starts[-1] >= len(body):
        starts = starts[:-1]  # the file ends with a newline: no record after it
    separators = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord(delimiter))
    nfields = np.diff(np.searchsorted(separators, np.append(starts, len(body)))) + 1
    return starts, nfields.astype("int64")


def _read_grid_slowly(text: str, delimiter: str, start_line: int) -> Grid:
    """Exact fallback through the csv module (quotes inside unquoted fields and the like)."""
    body = "\n".join(text.split("\n")[start_line - 1 :])
    reader, rows, lines, previous_end = _reader(body, delimiter), [], [], 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(start_line + previous_end)
            previous_end = reader.line_num
    except csv.Error:
        pass  # an unterminated quote at the end: what was read stands
    nfields = np.array([len(row) if any(row) else 1 for row in rows], dtype="int64")
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return Grid(frame, np.array(lines, dtype="int64"), nfields)
