"""A CSV grid with known columns → transactions and skipped rows (every row accounted for).

Input: the :class:`~.csv_grid.Grid` of records under the header, the header names, the
matched layout (if any) and the user's overrides.  Output: the
:class:`~chargecheck.schema.Statement`.  All parsing is per column and vectorised (dates and
amounts through their unique values); Python loops only touch skipped rows.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..errors import StatementError, UsageError
from ..schema import SkippedRow, Statement, make_transactions
from ..values import DATE_FORMATS, infer_date_format, infer_decimal_mark, parse_amounts, parse_dates
from .base import ImportOptions
from .csv_columns import PENDING_WORDS, ColumnMap, direction_of, fold, header_currency, map_columns
from .csv_grid import DATE_LIKE, Grid
from .csv_layouts import Layout
from .csv_sign import CARD_HEADER_WORDS, decide_sign

__all__ = ["build_statement"]

_SAMPLE_ROWS = 2000
_DAY_FIRST_CURRENCIES = {"GBP", "EUR", "CZK", "PLN", "CHF", "AUD", "NZD", "SGD", "INR", "ZAR", "SEK", "DKK", "NOK", "HUF"}


def _resolve(ref, names: list[str] | None, width: int, what: str, path: str, line: int | None, user: bool) -> int:
    """A column reference (header name or 0-based index) → index; a clear error when absent."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit() and user):
        index = int(ref)
        if 0 <= index < width:
            return index
    elif names is not None:
        folded = [fold(name) for name in names]
        if fold(str(ref)) in folded:
            return folded.index(fold(str(ref)))
    shown = ", ".join(repr(n) for n in (names or [])) or f"{width} unnamed columns"
    if user:
        close = difflib.get_close_matches(str(ref), names or [], n=2)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"columns are {shown}"
        raise UsageError(f"{what}: no column {ref!r} in {path}", hint=hint)
    raise StatementError(path, line, f"a column {ref!r} ({what})", f"columns {shown}")


def _columns(names, grid: Grid, layout: Layout | None, options: ImportOptions, path: str, line) -> ColumnMap:
    """Detected roles, overridden by the layout's columns, overridden by the user's flags."""
    blank = _blank(grid)
    sample = grid.cells[~blank].head(_SAMPLE_ROWS).reset_index(drop=True)
    cmap = map_columns(names, sample)
    width = grid.cells.shape[1]
    if layout is not None:
        where = f"layout {layout.name}"
        for role, key in (("date", "date"), ("posted", "posted_date"), ("indicator", "indicator"),
                          ("currency", "currency_column"), ("balance", "balance"), ("account", "account"),
                          ("bank_id", "bank_id"), ("status", "status")):
            ref = getattr(layout, key)
            if ref is not None:
                setattr(cmap, role, _resolve(ref, names, width, where, path, line, False))
        if layout.amount is not None:
            cmap.amount, cmap.debit, cmap.credit = _resolve(layout.amount, names, width, where, path, line, False), None, None
        if layout.debit is not None or layout.credit is not None:
            cmap.amount = None
            cmap.debit = None if layout.debit is None else _resolve(layout.debit, names, width, where, path, line, False)
            cmap.credit = None if layout.credit is None else _resolve(layout.credit, names, width, where, path, line, False)
        if layout.description:
            cmap.description = [_resolve(r, names, width, where, path, line, False) for r in layout.description]
    if options.date_col is not None:
        cmap.date = _resolve(options.date_col, names, width, "--date-col", path, line, True)
    if options.amount_col is not None:
        cmap.amount = _resolve(options.amount_col, names, width, "--amount-col", path, line, True)
        cmap.debit = cmap.credit = None
    if options.description_col is not None:
        cmap.description = [_resolve(options.description_col, names, width, "--description-col", path, line, True)]
    for role in ("date", "posted", "amount", "debit", "credit", "indicator", "currency", "balance", "account",
                 "bank_id", "status", "type"):
        if getattr(cmap, role) is not None and getattr(cmap, role) >= width:  # a header name no row fills
            setattr(cmap, role, None)
    cmap.description = [i for i in cmap.description if i < width]
    return cmap


def by_unique(values: pd.Series, func, dtype=object) -> pd.Series:
    """Apply a scalar function once per distinct value and map back (columns repeat a lot)."""
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=values.index)


def _codes(grid: Grid, index: int) -> tuple[np.ndarray, np.ndarray]:
    """A column factorized once per import: (codes, distinct values); every per-value step reuses it."""
    key = ("codes", index)
    if key not in grid.memo:
        grid.memo[key] = pd.factorize(grid.cells[index].to_numpy(dtype=object), use_na_sentinel=False)
    return grid.memo[key]


def per_value(grid: Grid, index: int, func, dtype=object) -> pd.Series:
    """``func`` applied once per distinct value of a column, mapped back to every row."""
    codes, unique = _codes(grid, index)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=grid.cells.index)


def _column_dates(grid: Grid, index: int, fmt: str) -> pd.Series:
    codes, unique = _codes(grid, index)
    parsed = parse_dates(pd.Series(unique, dtype=object), fmt).to_numpy()
    return pd.Series(parsed[codes] if len(parsed) else parsed, index=grid.cells.index, dtype="datetime64[s]")


def _column_amounts(grid: Grid, index: int, decimal: str) -> pd.Series:
    codes, unique = _codes(grid, index)
    parsed = parse_amounts(pd.Series(unique, dtype=object), decimal).array
    return pd.Series(parsed.take(codes), index=grid.cells.index, dtype="Int64")


def _empty(values: pd.Series) -> np.ndarray:
    """Empty cells, compared in numpy (pandas' object comparison is several times slower)."""
    return values.to_numpy(dtype=object) == ""


def _blank(grid: Grid) -> np.ndarray:
    """Records whose every cell is empty (the reader already dropped spaces after delimiters)."""
    if grid.cells.empty:
        return np.zeros(0, dtype=bool)
    blank = _empty(grid.cells[0])
    candidates = np.flatnonzero(blank)
    if len(candidates) and grid.cells.shape[1] > 1:
        rest = grid.cells.iloc[candidates, 1:].to_numpy(dtype=object)
        blank[candidates] = (rest == "").all(axis=1)
    return blank


def _column(grid: Grid, index: int | None, strip: bool = True) -> pd.Series | None:
    """A column's cells; ``strip=False`` for dates and amounts, whose parsers strip per value."""
    if index is None or index not in grid.cells.columns:
        return None
    if not strip:
        return grid.cells[index]
    key = ("stripped", index)
    if key not in grid.memo:
        # WORKAROUND (NatWest, Lloyds): text cells carry a leading apostrophe, the spreadsheet
        # marker for "this is text"; it is not part of the value.
        grid.memo[key] = per_value(grid, index, lambda v: str(v).strip().removeprefix("'").strip())
    return grid.memo[key]


def _date_format(values: pd.Series, options: ImportOptions, layout: Layout | None, day_first_hint: bool | None):
    """The user's format, else the layout's (if it fits), else the one format fitting the values."""
    if options.date_format:
        return options.date_format
    datelike = values[by_unique(values, lambda v: bool(DATE_LIKE.match(v)) and v.strip().casefold() not in PENDING_WORDS, bool)]
    unique = pd.Series(datelike.unique(), dtype=object)
    if layout is not None and layout.date_format:
        # A layout matched by a generic header may not be that bank's: its format must fit.
        if unique.empty or parse_dates(unique, layout.date_format).notna().mean() >= 0.9:
            return layout.date_format
    fmt = infer_date_format(datelike, locale_day_first=day_first_hint)
    if fmt is not None or datelike.empty:
        return fmt
    coverage = {f: parse_dates(unique, f).notna().mean() for f in DATE_FORMATS}
    best = max(coverage, key=coverage.get)
    return best if coverage[best] >= 0.75 else None


def _amounts(grid: Grid, cmap: ColumnMap, decimal: str | None) -> tuple[pd.Series, pd.Series, str]:
    """Parsed cents (as printed, before sign decisions), the raw text, and the decimal mark."""
    used = [i for i in (cmap.amount, cmap.debit, cmap.credit) if i is not None]
    raw = {i: _column(grid, i, strip=False) for i in used}
    if decimal is None:
        decimal = infer_decimal_mark(np.concatenate([_codes(grid, i)[1] for i in used]))
    if cmap.amount is not None:
        return _column_amounts(grid, cmap.amount, decimal), raw[cmap.amount], decimal
    # Two columns: take the absolute value of each (Citi's Credit column is negative) and
    # give it the column's direction.
    zero = pd.Series(0, index=grid.cells.index, dtype="Int64")
    debit = _column_amounts(grid, cmap.debit, decimal).abs() if cmap.debit is not None else zero
    credit = _column_amounts(grid, cmap.credit, decimal).abs() if cmap.credit is not None else zero
    none = pd.Series(False, index=zero.index)
    has_debit = pd.Series(~_empty(raw[cmap.debit]), index=zero.index) if cmap.debit is not None else none
    has_credit = pd.Series(~_empty(raw[cmap.credit]), index=zero.index) if cmap.credit is not None else none
    cents = credit.where(has_credit, 0) - debit.where(has_debit, 0)
    cents = cents.where(has_debit | has_credit)
    text = (raw[cmap.debit] if cmap.debit is not None else zero.astype(str)).where(has_debit, "")
    if cmap.credit is not None:
        text = text.where(has_debit, raw[cmap.credit])
    return cents.astype("Int64"), text, decimal


def _apply_sign(cents: pd.Series, grid: Grid, cmap: ColumnMap, names, layout: Layout | None, ok: np.ndarray, descr: pd.Series):
    """Money out negative: indicator column, else layout, else the evidence in csv_sign."""
    if cmap.amount is None:
        return cents, "debit and credit columns"
    if cmap.indicator is not None:
        direction = direction_of(_column(grid, cmap.indicator))
        kinds = set(direction[direction != 0].unique())
        if len(kinds) == 1:  # e.g. only "CR" marked: unmarked rows go the other way
            direction = direction.where(direction != 0, -next(iter(kinds)))
        signed = cents.abs() * direction.where(direction != 0, 1)
        return cents.where(direction == 0, signed), "direction from the indicator column"
    if layout is not None and layout.sign is not None:
        factor = -1 if layout.sign == "charges-positive" else 1
        return cents * factor, f"{layout.sign} (layout {layout.name})"
    folded = " | ".join(fold(n) for n in names or [])
    card_like = any(word in folded for word in CARD_HEADER_WORDS)
    balance = None
    if cmap.balance is not None:
        balance = parse_amounts(_column(grid, cmap.balance))[ok]
    types = _column(grid, cmap.type)
    factor, reason = decide_sign(cents[ok], descr[ok], balance, None if types is None else types[ok], card_like)
    return cents * factor, reason


def _descriptions(grid: Grid, cmap: ColumnMap) -> pd.Series:
    """The description columns joined with a space (payee then memo), skipping empty or repeated parts."""
    parts = [_column(grid, i).to_numpy(dtype=object) for i in cmap.description if _column(grid, i) is not None]
    if not parts:
        return pd.Series("", index=grid.cells.index, dtype=object)
    text = parts[0]
    for part in parts[1:]:
        joined = np.where(part == "", text, np.where(text == "", part, np.where(text == part, text, text + " " + part)))
        text = joined
    return pd.Series(text, index=grid.cells.index, dtype=object)


def _currency(grid: Grid, cmap: ColumnMap, names, layout: Layout | None, raw_amounts: pd.Series) -> pd.Series | str:
    if cmap.currency is not None:
        return per_value(grid, cmap.currency, lambda v: str(v).strip().upper())
    if layout is not None and layout.currency:
        return layout.currency
    for index in (cmap.amount, cmap.debit, cmap.credit):
        if names is not None and index is not None and index < len(names) and header_currency(names[index]):
            return header_currency(names[index])
    sample = raw_amounts.head(_SAMPLE_ROWS)
    for symbol, code in (("£", "GBP"), ("€", "EUR")):
        if sample.str.contains(symbol, regex=False).any():
            return code
    return ""


def build_statement(*, path, grid: Grid, names, header_line, layout, options, encoding, delimiter, notes) -> Statement:
    """Turn the grid into a Statement: parse, decide signs, give every row a fate."""
    line = header_line or (int(grid.line[0]) if len(grid.line) else None)
    if not (~_blank(grid)).any():  # a header with no rows: a statement without transactions
        return Statement(path=path, format="csv", rows_read=0, transactions=make_transactions(
            {"date": [], "amount_cents": [], "source_file": []}), encoding=encoding,
            layout=layout.name if layout else "auto", notes=tuple(notes + ["no rows under the header"]))
    cmap = _columns(names, grid, layout, options, path, line)
    if cmap.date is None or (cmap.amount is None and cmap.debit is None and cmap.credit is None):
        missing = "a date column" if cmap.date is None else "an amount column (or debit and credit columns)"
        found = f"header {', '.join(repr(n) for n in names)}" if names else "no column that holds it"
        raise StatementError(path, line, missing, found, hint="name it with --date-col / --amount-col, or use --layout")
    blank = _blank(grid)
    dates_text = _column(grid, cmap.date, strip=False)
    status = _column(grid, cmap.status)
    pending = per_value(grid, cmap.date, lambda v: v.strip().casefold() in PENDING_WORDS, bool)
    if status is not None:
        pending |= per_value(grid, cmap.status, lambda v: any(w in v.casefold() for w in PENDING_WORDS), bool)
    decimal = options.decimal or (layout.decimal if layout else None)
    cents, raw_amounts, decimal = _amounts(grid, cmap, decimal)
    currency = _currency(grid, cmap, names, layout, raw_amounts)
    hint = True if decimal == "," or (isinstance(currency, str) and currency in _DAY_FIRST_CURRENCIES) else None
    fmt = _date_format(dates_text[~blank], options, layout, hint)
    if fmt is None:
        raise StatementError(path, line, "dates in one format in the date column", repr(dates_text[~blank].head(3).tolist()),
                             hint="give the format with --date-format, e.g. '%d/%m/%Y'")
    dates = _column_dates(grid, cmap.date, fmt)
    dated = (dates.notna() | pending).to_numpy() & ~blank
    if not (dates.notna().to_numpy() & ~blank).any() and not pending.any():
        raise StatementError(path, line, f"dates in the format {fmt} in the date column",
                             repr(dates_text[~blank].head(3).tolist()), hint="give the format with --date-format")
    last = int(np.flatnonzero(dated)[-1]) if dated.any() else -1
    footer = ~blank & (np.arange(len(blank)) > last)
    if footer.any():
        lines = grid.line[footer]
        notes.append(f"lines {lines.min()}-{lines.max()} after the last dated row are a footer, not rows")
    descr = _descriptions(grid, cmap)
    counted = ~blank & ~footer
    reasons = _reasons(grid, cmap, names, dates_text, dates, pending, cents, raw_amounts)
    ok = counted & (reasons == "")
    anchors = _continuations(reasons, counted, ok)
    descr = _join_continuations(grid, descr, anchors)
    cents, sign_note = _apply_sign(cents, grid, cmap, names, layout, ok, descr)
    notes += [f"date format {fmt}", f"decimal mark {decimal!r}", f"sign: {sign_note}"]
    frame = {
        "date": dates[ok], "amount_cents": cents[ok].astype("int64"), "description": descr[ok],
        "currency": currency[ok] if isinstance(currency, pd.Series) else currency,
        "source_file": path, "source_line": grid.line[ok],
    }
    for role, column in (("posted_date", cmap.posted), ("account", cmap.account), ("bank_id", cmap.bank_id)):
        values = _column(grid, column, strip=role != "posted_date")
        if values is not None:
            frame[role] = _column_dates(grid, column, fmt)[ok] if role == "posted_date" else values[ok]
    transactions = make_transactions(frame)
    skipped = _skipped_rows(path, grid, counted & ~ok, reasons, delimiter, fmt, dates_text, raw_amounts, anchors)
    return Statement(path=path, format="csv", rows_read=int(counted.sum()), transactions=transactions,
                     skipped=skipped, encoding=encoding, layout=layout.name if layout else "auto", notes=tuple(notes))


def _reasons(grid, cmap, names, dates_text, dates, pending, cents, raw_amounts) -> np.ndarray:
    """Why each row is not a transaction (a code, "" where it is one); the first reason applies."""
    needed = max(i for i in (cmap.date, cmap.amount, cmap.debit, cmap.credit) if i is not None)
    width = len(names) if names is not None else int(pd.Series(grid.nfields).mode().iloc[0])
    extra = [c for c in grid.cells.columns if c >= max(width, needed + 1)]
    overlong = np.zeros(len(grid.nfields), dtype=bool)
    if extra:
        overlong = (grid.cells[extra].to_numpy(dtype=object) != "").any(axis=1)
    repeated = np.zeros(len(grid.nfields), dtype=bool)
    if names is not None and len(grid.cells.columns) >= len(names):
        first = grid.cells.iloc[:, 0].to_numpy(dtype=object) == names[0]  # cheap filter first
        if first.any():
            stripped = grid.cells.iloc[np.flatnonzero(first), : len(names)].apply(lambda c: c.str.strip()).to_numpy()
            hit = (stripped == np.array([n.strip() for n in names], dtype=object)[None, :]).all(axis=1)
            repeated[np.flatnonzero(first)[hit]] = True
    no_date, no_amount = _empty(dates_text), _empty(raw_amounts)
    conditions = [
        repeated, pending.to_numpy(), grid.nfields <= needed, overlong,
        no_date & no_amount, no_date, dates.isna().to_numpy(), no_amount, cents.isna().to_numpy(),
    ]
    codes = ["repeated header", "pending", "short", "long", "text only", "no date", "bad date", "no amount", "bad amount"]
    return np.select(conditions, codes, default="")


def _continuations(reasons: np.ndarray, counted: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """For rows holding only text right after a transaction: that transaction's index, else -1.

    Some exports wrap a long description onto a second physical row with no date or amount.
    """
    index = np.arange(len(reasons))
    text_only = counted & (reasons == "text only")
    anchor = pd.Series(np.where(counted & ~text_only, index, np.nan)).ffill().to_numpy()
    anchor = np.where(np.isnan(anchor), -1, anchor).astype(int)
    attach = text_only & (anchor >= 0)
    attach &= np.where(anchor >= 0, ok[np.maximum(anchor, 0)], False)
    return np.where(attach, anchor, -1)


def _join_continuations(grid: Grid, descr: pd.Series, anchors: np.ndarray) -> pd.Series:
    rows = np.flatnonzero(anchors >= 0)
    if not len(rows):
        return descr
    text = grid.cells.iloc[rows].apply(lambda r: " ".join(c.strip() for c in r if c.strip()), axis=1)
    extra = pd.Series(text.to_numpy(), index=anchors[rows]).groupby(level=0).agg(" ".join)
    descr = descr.copy()
    descr.loc[extra.index] = (descr.loc[extra.index] + " " + extra).str.strip()
    return descr


def _skipped_rows(path, grid: Grid, mask, reasons, delimiter, fmt, dates_text, raw_amounts, anchors):
    """SkippedRow per skipped record, with a readable reason (only these rows are looped over)."""
    out = []
    for index in np.flatnonzero(mask):
        n = int(grid.nfields[index])
        cells = [str(c) for c in grid.cells.iloc[index, :n]]
        code = str(reasons[index])
        reason = {
            "short": f"row has only {n} fields",
            "long": f"row has {n} fields, more than the header (an unquoted delimiter inside a field?)",
            "text only": "no date and no amount",
            "bad date": f"date {dates_text.iloc[index]!r} does not match the column's format {fmt}",
            "bad amount": f"amount {raw_amounts.iloc[index]!r} is not a number with at most 2 decimals",
        }.get(code, code)
        if anchors[index] >= 0:
            reason = f"continuation of line {int(grid.line[anchors[index]])} (joined to its description)"
        out.append(SkippedRow(path, int(grid.line[index]), reason, delimiter.join(cells)[:200]))
    return tuple(out)
