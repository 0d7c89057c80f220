"""CSV bank and card exports → :class:`~chargecheck.schema.Statement`, without per-bank setup.

Pipeline: decode (:func:`~chargecheck.importers.textio.decode_bytes`) → delimiter and header row
(:mod:`.csv_grid`, preamble lines above the header are skipped) → a saved layout if one fits
(:mod:`.csv_layouts`) → column roles by name and content (:mod:`.csv_columns`) → dates and
amounts (:mod:`chargecheck.importers.values`, per distinct value through :mod:`.csv_cells`) → sign
convention (:mod:`.csv_sign`) → rows and skip reasons (:mod:`.csv_rows`, :mod:`.csv_skips`).

What counts as a *row read*: every non-blank record below the header (or from the first data
record in a headerless file) up to the last record whose date cell is a date or ``Pending``.
Each is a transaction or a skipped row with its reason and physical line.  Not rows (listed in
``Statement.notes`` instead): preamble lines above the header, blank records (every cell
empty), and footer lines after the last dated row (``Balance at start of period``, disclaimers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import StatementError, UsageError
from ...schema import Statement
from ..textio import decode_bytes
from ..base import SAMPLE_BYTES, ImportOptions, Sample
from .columns import names_a_statement
from .grid import (HEAD_CHARS, GridMismatch, head_rows, locate_header, looks_like_data, read_grid,
                       read_grid_exactly, sniff_delimiter)
from .layouts import Layout, find_layout, header_names, load_layouts, match_layout
from .rows import CsvDecisions, decide_statement

__all__ = ["IMPORTER", "CsvHead", "CsvImporter", "read_text", "read_csv_text", "read_csv_head_text"]

_OTHER_FORMATS = ("<", "OFXHEADER", "{1:", "!Type", "!Account", ":20:")


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text with ``\\n`` line ends (CRLF and CR-only files alike) and its encoding."""
    text, used, _ = _read_file(path, encoding)
    return text, used


def _read_file(path: Path, encoding: str | None) -> tuple[str, str, bytes | None]:
    """:func:`read_text` plus the file's bytes when they are exactly the UTF-8 of that text.

    The grid reader works on UTF-8 bytes; a plain UTF-8 file (no BOM, NUL or CR to remove)
    is passed on as read instead of being encoded again.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
    try:
        text, used = decode_bytes(data, forced=encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}", hint="e.g. utf-8, cp1252, latin-1, utf-16") from None
    plain = used == "utf-8" and b"\x00" not in data and b"\r" not in data  # byte scans: fast
    same = encoding is None and plain and not text.startswith("\ufeff")
    if not plain:
        text = text.replace("\x00", "")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff"), used, data if same else None


def _find_header(rows, layouts: list[Layout], forced: Layout | None):
    """The header row and first data line: a known layout's header first, else by shape."""
    candidates = [forced] if forced is not None else layouts
    for row in rows[:60]:
        present = header_names(row.cells)
        if present and any(layout.header_fits(present) for layout in candidates):
            later = [r.line for r in rows if r.line > row.line]
            return row, later[0] if later else row.line + 1
    if forced is not None and forced.headerless:
        return None, rows[0].line
    header, data_line = locate_header(rows)
    if header is None and not any(looks_like_data(row) for row in rows) and names_a_statement(rows[0].cells):
        return rows[0], rows[0].line + 1  # a header with no transactions under it
    return header, data_line


class CsvImporter:
    """Delimited text exports (comma, semicolon, tab, pipe) from any bank or card issuer."""

    name = "csv"

    def identify(self, sample: Sample) -> bool:
        """True when the head splits into rows that hold a date and an amount (or a known header)."""
        head = sample.head
        if head[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0") or head.lstrip()[:1] in (b"<", b"{"):
            return False
        text, _ = decode_bytes(head)
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if len(head) >= SAMPLE_BYTES and "\n" in text:  # drop the line the sample cut in two
            text = text[: text.rfind("\n") + 1]
        if text.lstrip().startswith(_OTHER_FORMATS) or "\x00" in text:
            return False
        rows = head_rows(text, sniff_delimiter(text), limit=60)
        if not any(len(row.cells) >= 2 for row in rows):
            return False
        header, _ = _find_header(rows, load_layouts(), None)
        return header is not None or any(looks_like_data(row) for row in rows)

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read the whole file; every row below the header is a transaction or skipped."""
        if options.encoding is None:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
            # Plain ASCII (most US exports) is its own UTF-8: no text of the whole file is made
            # unless the exact reader needs it.
            if data.isascii() and b"\x00" not in data and b"\r" not in data:
                return read_csv_text(path, None, options, encoding="utf-8", data=data)
        text, encoding, data = _read_file(Path(path), options.encoding)
        return read_csv_text(path, text, options, encoding=encoding, data=data)


def read_csv_text(path: Path | str, text: str | None, options: ImportOptions, *, encoding: str = "utf-8",
                  data: bytes | None = None) -> Statement:
    """A Statement from CSV text already in memory (LF line ends), as :meth:`CsvImporter.extract`
    gives for a file; other importers that can render their rows as CSV (Excel) reuse it.

    ``data``, when given, must be ``text.encode("utf-8")`` (saves encoding it again); with
    ``data`` of plain ASCII, ``text`` may be None (then decoded only where needed).
    """
    return read_csv_head_text(path, text, options, encoding=encoding, data=data)[0]


@dataclass(frozen=True)
class CsvHead:
    """What a CSV file's head decides for the whole file: delimiter, header, layout, notes."""

    delimiter: str
    names: list[str] | None
    header_line: int | None
    data_line: int
    layout: Layout | None
    notes: tuple[str, ...]


def read_csv_head_text(path: Path | str, text: str | None, options: ImportOptions, *, encoding: str = "utf-8",
                       data: bytes | None = None,
                       decided: CsvDecisions | None = None) -> tuple[Statement, CsvHead, CsvDecisions | None]:
    """:func:`read_csv_text` plus what the head decided and the file-level choices made on the
    rows; with ``decided`` those choices are taken as given (the first chunk of a large file)."""
    head = _read_head(path, text[:HEAD_CHARS] if text is not None else data[:HEAD_CHARS].decode("ascii"), options)
    grid = read_grid(text, head.delimiter, head.data_line, data)
    build = dict(path=str(path), names=head.names, header_line=head.header_line, layout=head.layout,
                 options=options, encoding=encoding, delimiter=head.delimiter, decided=decided)
    try:
        statement, choices = decide_statement(grid=grid, notes=list(head.notes), **build)
    except GridMismatch:  # a large file's later columns or records read differently: read it exactly
        text = data.decode("utf-8") if text is None else text
        exact = read_grid_exactly(text, head.delimiter, head.data_line)
        statement, choices = decide_statement(grid=exact, notes=list(head.notes), **build)
    return statement, head, choices


def _read_head(path: Path | str, head: str, options: ImportOptions) -> CsvHead:
    """Delimiter, header row, first data line and layout, from the file's first characters."""
    layouts = load_layouts(options.layouts_file)
    forced = find_layout(layouts, options.layout) if options.layout else None
    delimiter = (forced.delimiter if forced and forced.delimiter else None) or sniff_delimiter(head)
    rows = head_rows(head, delimiter)
    if not rows:
        raise StatementError(path, None, "CSV rows", "only blank lines")
    header, data_line = _find_header(rows, layouts, forced)
    names = header.cells if header is not None else None
    if names is None and not any(len(row.cells) >= 2 for row in rows):
        first = rows[0]
        raise StatementError(path, first.line, "delimited rows with a date and an amount", repr(",".join(first.cells)[:80]))
    sample = [row.cells for row in rows if row.line >= data_line][:20]
    layout = forced or match_layout(layouts, names, sample)
    notes = [f"delimiter {delimiter!r}"]
    if header is not None:
        notes.append(f"header on line {header.line}")
        if header.line > 1:
            notes.append(f"lines 1-{header.line - 1} are preamble, not rows")
    else:
        notes.append("no header row: columns recognised by content")
    return CsvHead(delimiter, names, header.line if header is not None else None, data_line, layout, tuple(notes))


IMPORTER = CsvImporter()
