"""A CSV grid with known columns → transactions and skipped rows (every row accounted for).

Input: the :class:`~.csv_grid.Grid` of records under the header, the header names, the
matched layout (if any) and the user's overrides.  Output: the
:class:`~chargecheck.schema.Statement`.  All parsing is per column and vectorised (dates and
amounts through their unique values); Python loops only touch skipped rows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...errors import StatementError, UsageError
from ...schema import Statement, make_transactions
from ..values import DATE_FORMATS, infer_date_format_factorized, infer_decimal_mark, parse_amounts, parse_dates
from ..base import ImportOptions
from .columns import PENDING_WORDS, ColumnMap, direction_of, fold, header_currency, map_columns
from .grid import DATE_LIKE, Grid
from .cells import blank_records, column, column_amounts, column_codes, column_dates, descriptions, is_empty, per_value
from .layouts import Layout
from .sign import CARD_HEADER_WORDS, decide_sign
from .skips import continuations, join_continuations, row_reasons, skipped_rows

__all__ = ["CsvDecisions", "build_statement", "decide_statement"]

_SAMPLE_ROWS = 2000
_CODE_IN_AMOUNT = re.compile(r"^\s*(?:([A-Z]{3})\s*[-+(]?\s*[\d.,' ]+\)?|[-+(]?\s*[\d.,' ]+\)?\s*[-+]?\s*([A-Z]{3}))\s*$")
_DAY_FIRST_CURRENCIES = {"GBP", "EUR", "CZK", "PLN", "CHF", "AUD", "NZD", "SGD", "INR", "ZAR", "SEK", "DKK", "NOK", "HUF"}


@dataclass(frozen=True)
class CsvDecisions:
    """The file-level choices one read of a CSV makes from its rows, kept so that the chunks of
    a large file are all read the way its head was: column roles, decimal mark, the one
    currency (when no column gives it), date format and the sign factor (when evidence or a
    layout decided it, with its note)."""

    columns: ColumnMap
    decimal: str
    currency: str | None
    date_format: str
    sign_factor: int | None
    sign_note: str


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
    """The columns the import reads beyond the sample: every role's, and column 0 (blank
    lines); the type and balance columns only where the sign must be decided from evidence."""
    roles = [cmap.date, cmap.posted, cmap.amount, cmap.debit, cmap.credit, cmap.indicator, cmap.currency,
             cmap.account, cmap.bank_id, cmap.status, *cmap.description]
    if cmap.amount is not None and cmap.indicator is None and not (layout is not None and layout.sign is not None):
        roles += [cmap.type, cmap.balance]
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
                 "bank_id", "status", "type"):
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


def _apply_sign(cents: pd.Series, grid: Grid, cmap: ColumnMap, names, layout: Layout | None, ok: np.ndarray, descr: pd.Series):
    """Money out negative: indicator column, else layout, else the evidence in csv_sign.

    Returns the signed cents, the note and the file-wide factor (None where the direction is
    read per row)."""
    if cmap.amount is None:
        return cents, "debit and credit columns", None
    if cmap.indicator is not None:
        direction = direction_of(column(grid, cmap.indicator))
        kinds = set(direction[direction != 0].unique())
        if len(kinds) == 1:  # e.g. only "CR" marked: unmarked rows go the other way
            direction = direction.where(direction != 0, -next(iter(kinds)))
        signed = cents.abs() * direction.where(direction != 0, 1)
        return cents.where(direction == 0, signed), "direction from the indicator column", None
    if layout is not None and layout.sign is not None:
        factor = -1 if layout.sign == "charges-positive" else 1
        return cents * factor, f"{layout.sign} (layout {layout.name})", factor
    folded = " | ".join(fold(n) for n in names or [])
    card_like = any(word in folded for word in CARD_HEADER_WORDS)
    balance = None
    if cmap.balance is not None:
        balance = parse_amounts(column(grid, cmap.balance))[ok]
    types = column(grid, cmap.type)
    factor, reason = decide_sign(cents[ok], descr[ok], balance, None if types is None else types[ok], card_like)
    return cents * factor, reason, factor


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
        match = _CODE_IN_AMOUNT.match(str(text))
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
    """Rows dated ``Pending`` or marked pending in a status column (``Umsatz vorgemerkt``)."""
    pending = per_value(grid, cmap.date, lambda v: v.strip().casefold() in PENDING_WORDS, bool)
    if cmap.status is not None:
        pending |= per_value(grid, cmap.status, lambda v: any(w in v.casefold() for w in PENDING_WORDS), bool)
    return pending


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
                    decided: CsvDecisions | None = None) -> Statement:
    """Turn the grid into a Statement: parse, decide signs, give every row a fate.

    With ``decided`` (a chunk of a large file), the file-level choices are taken from it
    instead of being made again on this grid's rows."""
    return decide_statement(path=path, grid=grid, names=names, header_line=header_line, layout=layout,
                            options=options, encoding=encoding, delimiter=delimiter, notes=notes,
                            decided=decided)[0]


def decide_statement(*, path, grid: Grid, names, header_line, layout, options, encoding, delimiter, notes,
                     decided: CsvDecisions | None = None) -> tuple[Statement, CsvDecisions | None]:
    """:func:`build_statement` plus the file-level choices it made (None for a file of blank records)."""
    line = header_line or (int(grid.line[0]) if len(grid.line) else None)
    sample = _sample(grid) if grid.partial and decided is None else None
    if decided is not None:  # a chunk of a large file: the roles its head was read with
        options = replace(options, date_format=decided.date_format)
        cmap = replace(decided.columns, description=list(decided.columns.description))
        grid.load(_used_columns(cmap, layout) if grid.partial else range(grid.width))
    elif sample is not None:  # a large file: roles from its head, then only the columns they use
        cmap = _columns(names, sample, grid.width, layout, options, path, line)
        grid.load(_used_columns(cmap, layout))
    else:
        grid.load(range(grid.width))  # (everything is read already, but for a head of blank records)
    blank = blank_records(grid)
    if blank.all():
        return _empty_statement(path, layout, encoding, notes), decided
    if sample is None and decided is None:
        cmap = _columns(names, _sample(grid), grid.width, layout, options, path, line)
    if cmap.date is None or (cmap.amount is None and cmap.debit is None and cmap.credit is None):
        missing = "a date column" if cmap.date is None else "an amount column (or debit and credit columns)"
        found = f"header {', '.join(repr(n) for n in names)}" if names else "no column that holds it"
        raise StatementError(path, line, missing, found, hint="name it with --date-col / --amount-col, or use --layout")
    pending = _pending(grid, cmap)
    given_decimal = decided.decimal if decided is not None else options.decimal or (layout.decimal if layout else None)
    cents, raw_amounts, decimal = _amounts(grid, cmap, given_decimal)
    if decided is not None and decided.currency is not None and cmap.currency is None:
        currency: pd.Series | str = decided.currency
    else:
        currency = _currency(grid, cmap, names, layout, raw_amounts)
    hint = True if decimal == "," or (isinstance(currency, str) and currency in _DAY_FIRST_CURRENCIES) else None
    fmt, dates = _dates(grid, cmap, blank, pending, options, layout, hint, path, line)
    counted = ~blank & ~_footer(grid, blank, dates, pending, notes)
    dates_text = column(grid, cmap.date, strip=False)
    reasons = row_reasons(grid, cmap, names, dates_text, dates, pending, cents, raw_amounts)
    ok = counted & (reasons == 0)
    anchors = continuations(reasons, counted, ok)
    descr = join_continuations(grid, descriptions(grid, cmap), anchors)
    if decided is not None and decided.sign_factor is not None:
        cents, sign_note, factor = cents * decided.sign_factor, decided.sign_note, decided.sign_factor
    else:
        cents, sign_note, factor = _apply_sign(cents, grid, cmap, names, layout, ok, descr)
    choices = CsvDecisions(replace(cmap, description=list(cmap.description)), decimal,
                           currency if isinstance(currency, str) else None, fmt, factor, sign_note)
    notes += [f"date format {fmt}", f"decimal mark {decimal!r}", f"sign: {sign_note}"]
    transactions = make_transactions(_frame(grid, cmap, ok, dates, cents, descr, currency, fmt, path))
    skipped = skipped_rows(path, grid, counted & ~ok, reasons, delimiter, fmt, dates_text, raw_amounts, anchors)
    statement = Statement(path=path, format="csv", rows_read=int(counted.sum()), transactions=transactions,
                          skipped=skipped, encoding=encoding, layout=layout.name if layout else "auto", notes=tuple(notes))
    return statement, choices
