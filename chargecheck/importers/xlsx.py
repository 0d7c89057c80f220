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


def sheet_as_csv(path: Path) -> tuple[str, str]:
    """The first non-empty worksheet as CSV text (one line per sheet row) and the sheet's name."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(min_row=1, values_only=True)]
                while rows and not any(rows[-1]):
                    rows.pop()
                if rows:
                    return _as_csv(rows), sheet.title
        finally:
            workbook.close()
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
        raise StatementError(path, None, "an Excel .xlsx workbook",
                             f"one openpyxl cannot read ({type(exc).__name__}: {exc})") from None
    raise StatementError(path, None, "a worksheet with transactions", "only empty sheets")


def _as_csv(rows: list[list[str]]) -> str:
    width = max(len(row) for row in rows)
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerows(row + [""] * (width - len(row)) for row in rows)
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
