"""Excel workbooks (``.xlsx``) → :class:`~chargecheck.schema.Statement`, through the CSV importer.

Many banks offer an Excel download beside, or instead of, CSV.  The first worksheet that holds
any cell is written out as CSV text — dates as ISO days, numbers as their shortest decimal
text, line breaks inside a cell as spaces — and read by the CSV importer
(:func:`~.csv.read_csv_text`), so header detection, saved layouts, sign conventions, skip
reasons and the user's overrides (``--date-col`` …) work exactly as for a CSV file.  Line numbers
are the sheet's row numbers.

Reading uses openpyxl (MIT) in read-only mode with the cached values of formulas.  The legacy
binary ``.xls`` format is not read: save it as ``.xlsx`` or CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from dataclasses import replace
from pathlib import Path

from ..errors import StatementError
from ..schema import Statement
from .base import ImportOptions, Sample
from .csv.importer import read_csv_text

__all__ = ["IMPORTER", "XlsxImporter", "sheet_as_csv"]

_ZIP = b"PK\x03\x04"


def _cell_text(value) -> str:
    """One cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return " ".join(str(value).splitlines()) if isinstance(value, str) else str(value)


# Caps on what a workbook may make us hold (a statement sheet has tens of columns and short cells):
MAX_COLUMNS = 256  # cells right of this are not read (a cell at XFD1048576 must not widen every row)
MAX_CELL_CHARS = 32767  # Excel's own limit on a cell's text
# A part that inflates more than this many times (real sheets: 5-20x) beyond this size is a
# decompression bomb, refused before openpyxl parses it (it holds a cell's whole text at once).
MAX_INFLATION = 200
INFLATION_FLOOR = 8 << 20


def _check_parts(path: Path) -> None:
    """Refuse a workbook whose parts would expand to far more than any statement holds."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl then says what is wrong with it
    for part in parts:
        if part.file_size > INFLATION_FLOOR and part.file_size > MAX_INFLATION * max(part.compress_size, 1):
            raise StatementError(
                path, None, "an Excel .xlsx workbook of statement size",
                f"part {part.filename!r} expanding to {part.file_size:,} bytes from {part.compress_size:,}",
                hint="a statement sheet never holds that much; export it again or save it as CSV")


def _sheet_rows(path: Path, sheet) -> list[list[str]]:
    """The sheet's rows as cell texts, at most MAX_COLUMNS wide, without trailing empty rows.

    openpyxl's read-only reader yields a row for every gap up to the last row (a cell at row
    1,048,576 means a million rows): runs of empty rows are counted and only written out
    when a filled row follows them, so the gap costs a counter, not a million lists.
    """
    rows: list[list[str]] = []
    empty_run, gap = 0, None
    for number, values in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
        # openpyxl yields one and the same tuple for every missing row: seen once, known by identity.
        if values is gap or values.count(None) + values.count("") == len(values):
            gap = values if values.count(None) == len(values) else gap
            empty_run += 1
            continue
        cells = [_cell_text(v) for v in values]
        longest = max(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise StatementError(path, number, f"cells of at most {MAX_CELL_CHARS:,} characters (Excel's limit)",
                                 f"a cell of {longest:,} characters")
        rows.extend([[]] * empty_run)
        empty_run = 0
        rows.append(cells)
    return rows


def sheet_as_csv(path: Path) -> tuple[str, str]:
    """The first non-empty worksheet as CSV text (one line per sheet row) and the sheet's name."""
    from openpyxl import load_workbook

    _check_parts(path)
    try:
        # openpyxl warns on stderr about the file's oddities (a date serial out of range, an
        # unknown extension); the cell then reads as an error value and its row is skipped.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    rows = _sheet_rows(path, sheet)
                    if rows:
                        return _as_csv(rows), sheet.title
            finally:
                workbook.close()
    except StatementError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
        raise StatementError(path, None, "an Excel .xlsx workbook",
                             f"one openpyxl cannot read ({type(exc).__name__}: {exc})") from None
    raise StatementError(path, None, "a worksheet with transactions", "only empty sheets")


def _as_csv(rows: list[list[str]]) -> str:
    """CSV text of the rows, each padded to the widest up to its last filled cell."""
    trimmed = []
    for row in rows:
        end = len(row)
        while end and not row[end - 1]:
            end -= 1
        trimmed.append(row[:end])
    width = max(len(row) for row in trimmed)
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerows(row + [""] * (width - len(row)) for row in trimmed)
    return handle.getvalue()


class XlsxImporter:
    """Excel ``.xlsx`` exports: the first non-empty sheet, read like a CSV export."""

    name = "xlsx"

    def identify(self, sample: Sample) -> bool:
        """A ZIP archive whose first entries name an Excel workbook part (``xl/…``)."""
        return sample.head.startswith(_ZIP) and b"xl/" in sample.head

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Every row below the sheet's header is a transaction or skipped, as for CSV."""
        text, title = sheet_as_csv(Path(path))
        statement = read_csv_text(path, text, options, encoding="utf-8")
        return replace(statement, format="xlsx", encoding=None, notes=(f"sheet {title!r}",) + statement.notes)


IMPORTER = XlsxImporter()
