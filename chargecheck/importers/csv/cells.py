"""Cells of a CSV grid, column at a time: each column is factorized once and every per-value step
(stripping, flags, date and amount parsing) runs on its distinct values and maps back.

Input: a :class:`~.csv_grid.Grid`.  Output: pandas Series aligned with the grid's rows.  This is
what keeps a million-row import close to the speed of reading the file: statements repeat the
same dates, amounts and descriptors thousands of times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import by_unique
from ..values import parse_amounts, parse_dates
from .columns import ColumnMap
from .grid import Grid

__all__ = ["by_unique", "column_codes", "per_value", "column_dates", "column_amounts", "is_empty", "blank_records",
           "column", "descriptions"]


def column_codes(grid: Grid, index: int) -> tuple[np.ndarray, np.ndarray]:
    """A column factorized once per import: (codes, distinct values); every per-value step reuses it."""
    key = ("codes", index)
    if key not in grid.memo:
        values = grid.series(index).to_numpy(dtype=object)
        # The reader gives strings, never NaN: factorizing with the sentinel skips an isna pass
        # over the column (2x faster); a gap after all falls back to the exact call.
        codes, unique = pd.factorize(values, use_na_sentinel=True)
        if len(codes) and codes.min() < 0:
            codes, unique = pd.factorize(values, use_na_sentinel=False)
        grid.memo[key] = codes, unique
    return grid.memo[key]


def per_value(grid: Grid, index: int, func, dtype=object) -> pd.Series:
    """``func`` applied once per distinct value of a column, mapped back to every row."""
    codes, unique = column_codes(grid, index)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=grid.index)


def column_dates(grid: Grid, index: int, fmt: str) -> pd.Series:
    """A date column parsed with one format (``datetime64[s]``, NaT where a cell does not fit)."""
    codes, unique = column_codes(grid, index)
    parsed = parse_dates(pd.Series(unique, dtype=object), fmt).to_numpy()
    return pd.Series(parsed[codes] if len(parsed) else parsed, index=grid.index, dtype="datetime64[s]")


def column_amounts(grid: Grid, index: int, decimal: str) -> pd.Series:
    """An amount column parsed to ``Int64`` cents with one decimal mark (<NA> where not a number)."""
    codes, unique = column_codes(grid, index)
    parsed = parse_amounts(pd.Series(unique, dtype=object), decimal).array
    return pd.Series(parsed.take(codes), index=grid.index, dtype="Int64")


def is_empty(values: pd.Series) -> np.ndarray:
    """Empty cells, compared in numpy (pandas' object comparison is several times slower)."""
    return values.to_numpy(dtype=object) == ""


def blank_records(grid: Grid) -> np.ndarray:
    """Records whose every cell is empty (the reader already dropped spaces after delimiters)."""
    if "blank" in grid.memo:
        return grid.memo["blank"]
    if not len(grid.line) or not grid.width or (not grid.partial and grid.cells.empty):
        return np.ones(len(grid.line), dtype=bool)  # no cells at all
    blank = is_empty(grid.series(0))
    # A record of one field has nothing beyond column 0 (an empty line): no more to look at.
    candidates = np.flatnonzero(blank & (grid.nfields > 1))
    loaded = [c for c in grid.cells.columns if c > 0]
    if len(candidates) and loaded:
        rest = grid.cells[loaded].iloc[candidates].to_numpy(dtype=object)
        keep = (rest == "").all(axis=1)
        blank[candidates[~keep]] = False
        candidates = candidates[keep]
    if len(candidates) and grid.width > len(loaded) + 1:  # columns not read yet
        blank[candidates] = (grid.rows(candidates).to_numpy(dtype=object) == "").all(axis=1)
    grid.memo["blank"] = blank
    return blank


def column(grid: Grid, index: int | None, strip: bool = True) -> pd.Series | None:
    """A column's cells; ``strip=False`` for dates and amounts, whose parsers strip per value."""
    if index is None or not 0 <= index < grid.width:
        return None
    if not strip:
        return grid.series(index)
    key = ("stripped", index)
    if key not in grid.memo:
        codes, values = _stripped(grid, index)
        grid.memo[key] = pd.Series(values if codes is None else values[codes], index=grid.index)
    return grid.memo[key]


def _stripped(grid: Grid, index: int) -> tuple[np.ndarray | None, np.ndarray]:
    """A column's stripped cells as ``(codes, distinct values)``, or ``(None, values per row)``."""
    key = ("stripped codes", index)
    if key not in grid.memo:
        values = grid.series(index).to_numpy(dtype=object)
        if ("codes", index) in grid.memo or _repetitive(values):
            codes, unique = column_codes(grid, index)
            grid.memo[key] = codes, _strip_cells(unique, _apostrophes_possible(grid))
        else:  # mostly distinct (descriptors): stripping each row costs less than hashing them
            grid.memo[key] = None, _strip_cells(values, _apostrophes_possible(grid))
    return grid.memo[key]


def _repetitive(values: np.ndarray, probe: int = 20000) -> bool:
    """Whether the column's head repeats its values enough for per-distinct-value work to pay."""
    head = values[:probe]
    return len(pd.unique(head)) * 5 <= len(head)


def _apostrophes_possible(grid: Grid) -> bool:
    """Whether any cell of the file may start with an apostrophe: False when every ``'`` in its
    bytes follows an ASCII letter or digit (``MCDONALD'S``), so stands inside a word."""
    if "apostrophes" not in grid.memo:
        data = grid.data
        if data is None:
            possible = True
        elif data.find(b"'") < 0:
            possible = False
        else:
            raw = np.frombuffer(data, dtype=np.uint8)
            at = np.flatnonzero(raw == 39)
            before = raw[at - 1] if len(at) and at[0] > 0 else np.zeros(0, dtype=np.uint8)
            inside = ((before >= 48) & (before <= 57)) | ((before | 32) >= 97) & ((before | 32) <= 122)
            possible = bool(len(at) and (at[0] == 0 or not inside.all()))
        grid.memo["apostrophes"] = possible
    return grid.memo["apostrophes"]


def _strip_cells(values: np.ndarray, apostrophes: bool = True) -> np.ndarray:
    """Cells without surrounding spaces or the spreadsheet's leading apostrophe.

    Works on distinct values or on whole columns (a million-row column has some hundred
    thousand distinct descriptors), with no Python-level step per value where none is needed.
    WORKAROUND (NatWest, Lloyds): text cells carry a leading apostrophe, the spreadsheet
    marker for "this is text"; it is not part of the value.  ``apostrophes=False`` (no cell
    of the file can start with one) skips looking for it.
    """
    try:  # the readers give str cells: no per-value type test (a list iterates faster than an array)
        stripped = list(map(str.strip, values.tolist()))
    except TypeError:
        stripped = [str(value).strip() for value in values]
    cleaned = np.empty(len(values), dtype=object)
    cleaned[:] = stripped
    # Joined once (C speed), the text tells whether any cell may start with an apostrophe.
    if apostrophes and "\n'" in "\n".join(["", *stripped]):
        cleaned[:] = [text[1:].strip() if text[:1] == "'" else text for text in stripped]
    return cleaned


def descriptions(grid: Grid, cmap: ColumnMap) -> pd.Series:
    """The description columns joined with a space (payee then memo), skipping empty or repeated parts.

    Columns that repeat their values are joined once per distinct pair of values.
    """
    parts = [_stripped(grid, i) for i in cmap.description if i is not None and 0 <= i < grid.width]
    if not parts:
        return pd.Series("", index=grid.index, dtype=object)
    codes, text = parts[0]
    for part_codes, part in parts[1:]:
        if codes is not None and part_codes is not None:
            pairs, distinct = pd.factorize(codes.astype(np.int64) * len(part) + part_codes)
            text, codes = _join(text[distinct // len(part)], part[distinct % len(part)]), pairs
        else:
            text = _join(text if codes is None else text[codes], part if part_codes is None else part[part_codes])
            codes = None
    return pd.Series(text if codes is None else text[codes], index=grid.index, dtype=object)


def _join(text: np.ndarray, part: np.ndarray) -> np.ndarray:
    """``text`` and ``part`` joined by a space; an empty or identical part adds nothing."""
    has_part = part != ""
    fill = has_part & (text == "")
    join = has_part & ~fill & (text != part)
    text = text.copy()
    text[fill] = part[fill]
    text[join] = text[join] + " " + part[join]  # only where both differ: no string work per row
    return text
