"""A CSV grid with known columns → transactions and skipped rows (every row accounted for).

Input: the :class:`~.csv_grid.Grid` of records under the header, the header names, the
matched layout (if any) and the user's overrides.  Output: the
:class:`~chargecheck.schema.Statement`.  All parsing is per column and vectorised (dates and
amounts through their unique values); Python loops only touch skipped rows.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from ...errors import StatementError, UsageError
from ...schema import Statement, make_transactions
from ..values import DATE_FORMATS, MAX_AMOUNT_CHARS, infer_date_format_factorized, infer_decimal_mark, parse_amounts, parse_dates
from ..base import ImportOptions
from .columns import PENDING_WORDS, ColumnMap, direction_of, fold, header_currency, map_columns
from .grid import DATE_LIKE, Grid
from .cells import blank_records, column, column_amounts, column_codes, column_dates, descriptions, is_empty, per_value
from .layouts import Layout
from .sign import CARD_HEADER_WORDS, decide_sign
from .skips import continuations, join_continuations, row_reasons, skipped_rows
from .states import is_record, is_unbooked, row_states
from .balances import balance_lines, reconcile_rows

__all__ = ["build_statement"]

_SAMPLE_ROWS = 2000
# Possessive runs: ``[\d.,' ]+`` followed by ``\s*`` split a run of spaces every way (polynomial).
_CODE_IN_AMOUNT = re.compile(r"^\s*+(?:([A-Z]{3})\s*+[-+(]?\s*+[\d.,' ]++\)?|[-+(]?\s*+[\d.,' ]++\)?\s*+[-+]?\s*+([A-Z]{3}))\s*+$")
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


def _sample(grid: Grid) -> pd.DataFrame | None:
    """The first non-blank records (every column) that column roles are detected on; for a
    partly read grid from its head, None when the head holds too few of them."""
    if not grid.partial:
        return grid.cells.iloc[np.flatnonzero(~blank_records(grid))[:_SAMPLE_ROWS]].reset_index(drop=True)
    filled = np.flatnonzero((grid.head.to_numpy(dtype=object) != "").any(axis=1))
    if len(filled) < _SAMPLE_ROWS and len(grid.head) < len(grid.line):
        return None
    if not len(filled):
        return None  # nothing but blank records: read as a whole
    return grid.head.iloc[filled[:_SAMPLE_ROWS]].reset_index(drop=True)


def _used_columns(cmap: ColumnMap, layout: Layout | None) -> set[int]:
    """The columns the import reads beyond the sample: every role's (the type column names
    record rows, the balance column reconciles), and column 0 (blank lines)."""
    roles = [cmap.date, cmap.posted, cmap.amount, cmap.debit, cmap.credit, cmap.indicator, cmap.currency,
             cmap.account, cmap.bank_id, cmap.status, cmap.type, cmap.balance, cmap.fee, *cmap.description]
    return {0} | {index for index in roles if index is not None}


def _columns(names, sample: pd.DataFrame, width: int, layout: Layout | None, options: ImportOptions, path: str,
             line) -> ColumnMap:
    """Detected roles, overridden by the layout's columns, overridden by the user's flags."""
    cmap = map_columns(names, sample)
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
                 "bank_id", "status", "type", "fee"):
        if getattr(cmap, role) is not None and getattr(cmap, role) >= width:  # a header name no row fills
            setattr(cmap, role, None)
    cmap.description = [i for i in cmap.description if i < width]
    return cmap


def _date_format(grid: Grid, index: int, blank: np.ndarray, options: ImportOptions, layout: Layout | None,
                 day_first_hint: bool | None):
    """The user's format, else the layout's (if it fits), else the one format fitting the values.

    Works on the column's factorization: the date-like test runs once per distinct cell, and
    the non-blank date-like rows keep their order (the format inference looks at it).
    """
    if options.date_format:
        return options.date_format
    codes, values = column_codes(grid, index)
    flags = np.array([bool(DATE_LIKE.match(v)) and v.strip().casefold() not in PENDING_WORDS for v in values], dtype=bool)
    rows = codes[~blank]
    rows = rows[flags[rows]]
    order = pd.unique(rows)  # the date-like values in first-seen order
    unique = pd.Series(values[order], dtype=object)
    if layout is not None and layout.date_format:
        # A layout matched by a generic header may not be that bank's: its format must fit.
        if unique.empty or parse_dates(unique, layout.date_format).notna().mean() >= 0.9:
            return layout.date_format
    dense = np.empty(len(values), dtype=np.intp)
    dense[order] = np.arange(len(order))
    fmt = infer_date_format_factorized(dense[rows], unique.to_numpy(), locale_day_first=day_first_hint)
    if fmt is not None or not len(rows):
        return fmt
    coverage = {f: parse_dates(unique, f).notna().mean() for f in DATE_FORMATS}
    best = max(coverage, key=coverage.get)
    return best if coverage[best] >= 0.75 else None


def _amounts(grid: Grid, cmap: ColumnMap, decimal: str | None) -> tuple[pd.Series, pd.Series, str]:
    """Parsed cents (as printed, before sign decisions), the raw text, and the decimal mark."""
    used = [i for i in (cmap.amount, cmap.debit, cmap.credit) if i is not None]
    raw = {i: column(grid, i, strip=False) for i in used}
    if decimal is None:
        decimal = infer_decimal_mark(np.concatenate([column_codes(grid, i)[1] for i in used]))
    if cmap.amount is not None:
        return column_amounts(grid, cmap.amount, decimal), raw[cmap.amount], decimal
    # Two columns: take the absolute value of each (Citi's Credit column is negative) and
    # give it the column's direction.
    zero = pd.Series(0, index=grid.index, dtype="Int64")
    debit = column_amounts(grid, cmap.debit, decimal).abs() if cmap.debit is not None else zero
    credit = column_amounts(grid, cmap.credit, decimal).abs() if cmap.credit is not None else zero
    none = pd.Series(False, index=zero.index)
    has_debit = pd.Series(~is_empty(raw[cmap.debit]), index=zero.index) if cmap.debit is not None else none
    has_credit = pd.Series(~is_empty(raw[cmap.credit]), index=zero.index) if cmap.credit is not None else none
    cents = credit.where(has_credit, 0) - debit.where(has_debit, 0)
    cents = cents.where(has_debit | has_credit)
    text = (raw[cmap.debit] if cmap.debit is not None else zero.astype(str)).where(has_debit, "")
    if cmap.credit is not None:
        text = text.where(has_debit, raw[cmap.credit])
    return cents.astype("Int64"), text, decimal


def _apply_sign(cents: pd.Series, grid: Grid, cmap: ColumnMap, names, layout: Layout | None, ok: np.ndarray,
                descr: pd.Series, balances: pd.Series | None):
    """Money out negative: indicator column, else layout, else the evidence in csv_sign."""
    if cmap.amount is None:
        return cents, "debit and credit columns"
    if cmap.indicator is not None:
        direction = direction_of(column(grid, cmap.indicator))
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
    balance = None if balances is None else balances[ok]
    types = column(grid, cmap.type)
    factor, reason = decide_sign(cents[ok], descr[ok], balance, None if types is None else types[ok], card_like)
    return cents * factor, reason


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
    return _code_in_amounts(sample)


def _code_in_amounts(sample: pd.Series) -> str:
    """The ISO code printed in every amount cell (``EUR -59,99``, ``-59.99 USD``), or ``""``."""
    codes = set()
    for text in pd.unique(sample.to_numpy(dtype=object)):
        if not str(text).strip():
            continue
        match = _CODE_IN_AMOUNT.match(str(text)) if len(str(text)) <= MAX_AMOUNT_CHARS else None
        if match is None:
            return ""
        codes.add(match.group(1) or match.group(2))
    return codes.pop() if len(codes) == 1 else ""


def _empty_statement(path, layout, encoding, notes) -> Statement:
    """A header with no rows under it: a statement without transactions, not an error."""
    return Statement(path=path, format="csv", rows_read=0, encoding=encoding, layout=layout.name if layout else "auto",
                     transactions=make_transactions({"date": [], "amount_cents": [], "source_file": []}),
                     notes=tuple(notes + ["no rows under the header"]))


def _pending(grid: Grid, cmap: ColumnMap) -> pd.Series:
    """Rows dated ``Pending`` (a state column's pending rows are :mod:`.states`' business)."""
    return per_value(grid, cmap.date, lambda v: v.strip().casefold() in PENDING_WORDS, bool)


def _dates(grid, cmap, blank, pending, options, layout, hint, path, line) -> tuple[str, pd.Series]:
    """The date column's format and parsed dates; a StatementError when no row has a date."""
    fmt = _date_format(grid, cmap.date, blank, options, layout, hint)
    first = repr(grid.series(cmap.date).iloc[np.flatnonzero(~blank)[:3]].tolist())  # for the messages
    if fmt is None:
        raise StatementError(path, line, "dates in one format in the date column", first,
                             hint="give the format with --date-format, e.g. '%d/%m/%Y'")
    dates = column_dates(grid, cmap.date, fmt)
    if not (dates.notna().to_numpy() & ~blank).any() and not pending.any():
        raise StatementError(path, line, f"dates in the format {fmt} in the date column", first,
                             hint="give the format with --date-format")
    return fmt, dates


def _footer(grid: Grid, blank: np.ndarray, dates: pd.Series, pending: pd.Series, notes: list[str]) -> np.ndarray:
    """Non-blank records after the last dated (or pending) row: a footer, not rows."""
    dated = (dates.notna() | pending).to_numpy() & ~blank
    last = int(np.flatnonzero(dated)[-1]) if dated.any() else -1
    footer = ~blank & (np.arange(len(blank)) > last)
    if footer.any():
        lines = grid.line[footer]
        notes.append(f"lines {lines.min()}-{lines.max()} after the last dated row are a footer, not rows")
    return footer


def _footer_lines(grid: Grid, footer: np.ndarray) -> list[tuple[int, list[str]]]:
    """(line, cells) of the footer records (few), for the balances printed there."""
    positions = np.flatnonzero(footer)[:50]
    if not len(positions):
        return []
    cells = grid.rows(positions).to_numpy(dtype=object)
    return [(int(grid.line[p]), [str(c) for c in row[: int(grid.nfields[p])]]) for p, row in zip(positions, cells)]


def _frame(grid: Grid, cmap: ColumnMap, ok, dates, cents, descr, currency, fmt, path) -> dict:
    """The transaction columns for the rows that are transactions."""
    ok = slice(None) if ok.all() else ok  # the common case: no boolean copy of every column
    frame = {
        "date": dates[ok], "amount_cents": cents[ok].astype("int64"), "description": descr[ok],
        "currency": currency[ok] if isinstance(currency, pd.Series) else currency,
        "source_file": path, "source_line": grid.line[ok],
    }
    if cmap.posted is not None:
        frame["posted_date"] = column_dates(grid, cmap.posted, fmt)[ok]
    for role, index in (("account", cmap.account), ("bank_id", cmap.bank_id)):
        if index is not None:
            frame[role] = column(grid, index)[ok]
    return frame


def build_statement(*, path, grid: Grid, names, header_line, layout, options, encoding, delimiter, notes,
                    preamble: list[tuple[int, list[str]]] = ()) -> Statement:
    """Turn the grid into a Statement: parse, decide signs, give every row a fate.

    ``preamble`` holds the (line, cells) above the header: balances printed there reconcile."""
    line = header_line or (int(grid.line[0]) if len(grid.line) else None)
    sample = _sample(grid) if grid.partial else None
    if sample is not None:  # a large file: roles from its head, then only the columns they use
        cmap = _columns(names, sample, grid.width, layout, options, path, line)
        grid.load(_used_columns(cmap, layout))
    else:
        grid.load(range(grid.width))  # (everything is read already, but for a head of blank records)
    blank = blank_records(grid)
    if blank.all():
        return _empty_statement(path, layout, encoding, notes)
    if sample is None:
        cmap = _columns(names, _sample(grid), grid.width, layout, options, path, line)
    if cmap.date is None or (cmap.amount is None and cmap.debit is None and cmap.credit is None):
        missing = "a date column" if cmap.date is None else "an amount column (or debit and credit columns)"
        found = f"header {', '.join(repr(n) for n in names)}" if names else "no column that holds it"
        raise StatementError(path, line, missing, found, hint="name it with --date-col / --amount-col, or use --layout")
    pending = _pending(grid, cmap)
    cents, raw_amounts, decimal = _amounts(grid, cmap, options.decimal or (layout.decimal if layout else None))
    currency = _currency(grid, cmap, names, layout, raw_amounts)
    hint = True if decimal == "," or (isinstance(currency, str) and currency in _DAY_FIRST_CURRENCIES) else None
    fmt, dates = _dates(grid, cmap, blank, pending, options, layout, hint, path, line)
    states, state_cells = row_states(grid, cmap)
    records = is_record(states)
    footer = _footer(grid, blank, dates, pending | records, notes)
    counted = ~blank & ~footer
    dates_text = column(grid, cmap.date, strip=False)
    reasons = row_reasons(grid, cmap, names, dates_text, dates, pending, cents, raw_amounts, records,
                          is_unbooked(states))
    ok = counted & (reasons == 0)
    anchors = continuations(reasons, counted, ok)
    descr = join_continuations(grid, descriptions(grid, cmap), anchors)
    balances = parse_amounts(column(grid, cmap.balance), decimal) if cmap.balance is not None else None
    printed = cents
    cents, sign_note = _apply_sign(cents, grid, cmap, names, layout, ok, descr, balances)
    notes += [f"date format {fmt}", f"decimal mark {decimal!r}", f"sign: {sign_note}"]
    fees = column_amounts(grid, cmap.fee, decimal) if cmap.fee is not None else None
    groups = currency.to_numpy(dtype=object) if isinstance(currency, pd.Series) else None
    outside = list(preamble) + _footer_lines(grid, footer)
    around = balance_lines(outside, decimal) if outside else None
    reconciliation = reconcile_rows(grid, ok, cents, printed, balances, states, records & ~blank, fees, groups, around,
                                    dates.to_numpy())
    transactions = make_transactions(_frame(grid, cmap, ok, dates, cents, descr, currency, fmt, path))
    skipped = skipped_rows(path, grid, counted & ~ok, reasons, delimiter, fmt, dates_text, raw_amounts, anchors,
                           states, state_cells)
    return Statement(path=path, format="csv", rows_read=int(counted.sum()), transactions=transactions,
                     skipped=skipped, encoding=encoding, layout=layout.name if layout else "auto", notes=tuple(notes),
                     reconciliation=reconciliation)
