"""Why a CSV row is not a transaction: reason codes per row, continuation rows, SkippedRow records.

Input: the grid and the parsed columns.  Output: a reason code per row (``""`` for a
transaction), the transaction each continuation row belongs to, and the
:class:`~chargecheck.schema.SkippedRow` list with readable reasons and physical lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import SkippedRow
from .cells import is_empty
from ..values import shown
from .grid import MAX_FIELDS, MAX_RECORD_BYTES, Grid

__all__ = ["REASONS", "row_reasons", "continuations", "join_continuations", "skipped_rows"]

# Reason codes, by position: row_reasons gives each row the index of its first reason here.
REASONS = ("", "repeated header", "pending", "record", "state", "short", "long", "text only", "no date", "bad date",
           "no amount", "bad amount")
_TEXT_ONLY = REASONS.index("text only")


def row_reasons(grid, cmap, names, dates_text, dates, pending, cents, raw_amounts, records, unbooked) -> np.ndarray:
    """Why each row is not a transaction: per row an index into :data:`REASONS` (0 where it is
    one, small integers: a million rows of strings cost more than the rest); the first applies.

    ``records`` marks balance and turnover rows, ``unbooked`` rows whose state column says
    pending or not executed (see :mod:`.states`)."""
    needed = max(i for i in (cmap.date, cmap.amount, cmap.debit, cmap.credit) if i is not None)
    width = len(names) if names is not None else int(pd.Series(grid.nfields).mode().iloc[0])
    limit = max(width, needed + 1)
    overlong = np.zeros(len(grid.nfields), dtype=bool)
    longer = np.flatnonzero(grid.nfields > limit)  # only these have cells beyond the limit
    if len(longer):
        overlong[longer] = (grid.rows(longer).iloc[:, limit:].to_numpy(dtype=object) != "").any(axis=1)
    if grid.oversized is not None:
        overlong |= grid.oversized
    repeated = np.zeros(len(grid.nfields), dtype=bool)
    if names is not None and grid.width >= len(names):
        first = np.flatnonzero(grid.series(0).to_numpy(dtype=object) == names[0])  # cheap filter first
        if len(first):
            stripped = grid.rows(first).iloc[:, : len(names)].apply(lambda c: c.str.strip()).to_numpy()
            hit = (stripped == np.array([n.strip() for n in names], dtype=object)[None, :]).all(axis=1)
            repeated[first[hit]] = True
    no_date, no_amount = is_empty(dates_text), is_empty(raw_amounts)
    conditions = [
        repeated, pending.to_numpy(), records, unbooked, grid.nfields <= needed, overlong,
        no_date & no_amount, no_date, dates.isna().to_numpy(), no_amount, cents.isna().to_numpy(),
    ]
    reasons = np.zeros(len(grid.nfields), dtype=np.int8)
    for code in range(len(conditions), 0, -1):  # the last written wins: the first that applies
        reasons[conditions[code - 1]] = code
    return reasons


def continuations(reasons: np.ndarray, counted: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """For rows holding only text right after a transaction: that transaction's index, else -1.

    Some exports wrap a long description onto a second physical row with no date or amount.
    """
    index = np.arange(len(reasons))
    text_only = counted & (reasons == _TEXT_ONLY)
    anchor = pd.Series(np.where(counted & ~text_only, index, np.nan)).ffill().to_numpy()
    anchor = np.where(np.isnan(anchor), -1, anchor).astype(int)
    attach = text_only & (anchor >= 0)
    attach &= np.where(anchor >= 0, ok[np.maximum(anchor, 0)], False)
    return np.where(attach, anchor, -1)


def join_continuations(grid: Grid, descr: pd.Series, anchors: np.ndarray) -> pd.Series:
    """Append each continuation row's text to the description of the transaction it continues."""
    rows = np.flatnonzero(anchors >= 0)
    if not len(rows):
        return descr
    text = grid.rows(rows).apply(lambda r: " ".join(c.strip() for c in r if c.strip()), axis=1)
    extra = pd.Series(text.to_numpy(), index=anchors[rows]).groupby(level=0).agg(" ".join)
    descr = descr.copy()
    descr.loc[extra.index] = (descr.loc[extra.index] + " " + extra).str.strip()
    return descr


def _too_long(grid: Grid, index: int, n: int) -> str:
    """Why a record wider or longer than the file's rows is skipped, caps first."""
    if n > MAX_FIELDS:
        return f"row has {n:,} fields, more than the {MAX_FIELDS} read per row"
    if grid.oversized is not None and grid.oversized[index]:
        return f"row is longer than {MAX_RECORD_BYTES:,} bytes (no statement row is)"
    return f"row has {n} fields, more than the header (an unquoted delimiter inside a field?)"


def skipped_rows(path, grid: Grid, mask, reasons, delimiter, fmt, dates_text, raw_amounts, anchors, states, state_cells):
    """SkippedRow per skipped record, with a readable reason (only these rows are looped over).

    ``states``/``state_cells`` are each row's :class:`~.states.RowState` and the cell naming it."""
    out = []
    indices = np.flatnonzero(mask)
    records = grid.rows(indices).to_numpy(dtype=object) if len(indices) else None
    for at, index in enumerate(indices):
        n = int(grid.nfields[index])
        cells = [str(c) for c in records[at, :n]]
        code = REASONS[reasons[index]]
        reason = {
            "short": f"row has only {n} fields",
            "long": _too_long(grid, index, n),
            "text only": "no date and no amount",
            "bad date": f"date {shown(dates_text.iloc[index])} does not match the column's format {fmt}",
            "bad amount": f"amount {shown(raw_amounts.iloc[index])} is not a number with at most 2 decimals",
            "record": f"{states[index].value} record {state_cells[index]!r}, not a payment",
            "state": f"state {state_cells[index]!r}: {states[index].value}, not booked",
        }.get(code, code)
        if anchors[index] >= 0:
            reason = f"continuation of line {int(grid.line[anchors[index]])} (joined to its description)"
        out.append(SkippedRow(path, int(grid.line[index]), reason, delimiter.join(cells)[:200]))
    return tuple(out)
