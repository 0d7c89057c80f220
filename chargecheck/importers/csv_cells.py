"""Cells of a CSV grid, column at a time: each column is factorized once and every per-value step
(stripping, flags, date and amount parsing) runs on its distinct values and maps back.

Input: a :class:`~.csv_grid.Grid`.  Output: pandas Series aligned with the grid's rows.  This is
what keeps a million-row import close to the speed of reading the file: statements repeat the
same dates, amounts and descriptors thousands of times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..values import parse_amounts, parse_dates
from .csv_columns import ColumnMap
from .csv_grid import Grid

__all__ = ["by_unique", "column_codes", "per_value", "column_dates", "column_amounts", "is_empty", "blank_records",
           "column", "descriptions"]


def by_unique(values: pd.Series, func, dtype=object) -> pd.Series:
    """Apply a scalar function once per distinct value and map back (columns repeat a lot)."""
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=values.index)


def column_codes(grid: Grid, index: int) -> tuple[np.ndarray, np.ndarray]:
    """A column factorized once per import: (codes, distinct values); every per-value step reuses it."""
    key = ("codes", index)
    if key not in grid.memo:
        grid.memo[key] = pd.factorize(grid.cells[index].to_numpy(dtype=object), use_na_sentinel=False)
    return grid.memo[key]


def per_value(grid: Grid, index: int, func, dtype=object) -> pd.Series:
    """``func`` applied once per distinct value of a column, mapped back to every row."""
    codes, unique = column_codes(grid, index)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=grid.cells.index)


def column_dates(grid: Grid, index: int, fmt: str) -> pd.Series:
    """A date column parsed with one format (``datetime64[s]``, NaT where a cell does not fit)."""
    codes, unique = column_codes(grid, index)
    parsed = parse_dates(pd.Series(unique, dtype=object), fmt).to_numpy()
    return pd.Series(parsed[codes] if len(parsed) else parsed, index=grid.cells.index, dtype="datetime64[s]")


def column_amounts(grid: Grid, index: int, decimal: str) -> pd.Series:
    """An amount column parsed to ``Int64`` cents with one decimal mark (<NA> where not a number)."""
    codes, unique = column_codes(grid, index)
    parsed = parse_amounts(pd.Series(unique, dtype=object), decimal).array
    return pd.Series(parsed.take(codes), index=grid.cells.index, dtype="Int64")


def is_empty(values: pd.Series) -> np.ndarray:
    """Empty cells, compared in numpy (pandas' object comparison is several times slower)."""
    return values.to_numpy(dtype=object) == ""


def blank_records(grid: Grid) -> np.ndarray:
    """Records whose every cell is empty (the reader already dropped spaces after delimiters)."""
    if grid.cells.empty:
        return np.zeros(0, dtype=bool)
    blank = is_empty(grid.cells[0])
    candidates = np.flatnonzero(blank)
    if len(candidates) and grid.cells.shape[1] > 1:
        rest = grid.cells.iloc[candidates, 1:].to_numpy(dtype=object)
        blank[candidates] = (rest == "").all(axis=1)
    return blank


def column(grid: Grid, index: int | None, strip: bool = True) -> pd.Series | None:
    """A column's cells; ``strip=False`` for dates and amounts, whose parsers strip per value."""
    if index is None or index not in grid.cells.columns:
        return None
    if not strip:
        return grid.cells[index]
    key = ("stripped", index)
    if key not in grid.memo:
        values = grid.cells[index].to_numpy(dtype=object)
        if ("codes", index) in grid.memo or _repetitive(values):
            codes, unique = column_codes(grid, index)
            stripped = _strip_cells(unique)[codes]
        else:  # mostly distinct (descriptors): stripping each row costs less than hashing them
            stripped = _strip_cells(values)
        grid.memo[key] = pd.Series(stripped, index=grid.cells.index)
    return grid.memo[key]


def _repetitive(values: np.ndarray, probe: int = 20000) -> bool:
    """Whether the column's head repeats its values enough for per-distinct-value work to pay."""
    head = values[:probe]
    return len(pd.unique(head)) * 5 <= len(head)


def _strip_cells(unique: np.ndarray) -> np.ndarray:
    """Distinct cells without surrounding spaces or the spreadsheet's leading apostrophe.

    Two comprehensions without a function call per value (a million-row column has some
    hundred thousand distinct descriptors); works on distinct values or on whole columns.
    """
    stripped = [(value if type(value) is str else str(value)).strip() for value in unique]
    # WORKAROUND (NatWest, Lloyds): text cells carry a leading apostrophe, the spreadsheet
    # marker for "this is text"; it is not part of the value.
    cleaned = [text[1:].strip() if text[:1] == "'" else text for text in stripped]
    return np.array(cleaned, dtype=object)


def descriptions(grid: Grid, cmap: ColumnMap) -> pd.Series:
    """The description columns joined with a space (payee then memo), skipping empty or repeated parts."""
    parts = [column(grid, i).to_numpy(dtype=object) for i in cmap.description if column(grid, i) is not None]
    if not parts:
        return pd.Series("", index=grid.cells.index, dtype=object)
    text = parts[0]
    for part in parts[1:]:
        has_part = part != ""
        fill = has_part & (text == "")
        join = has_part & ~fill & (text != part)
        text = text.copy()
        text[fill] = part[fill]
        text[join] = text[join] + " " + part[join]  # only where both differ: no string work per row
    return pd.Series(text, index=grid.cells.index, dtype=object)
