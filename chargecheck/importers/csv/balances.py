"""A CSV statement's own balances checked against its transactions.

Input: which grid rows are transactions, their signed cents, the parsed balance column (if
any) and the balance records (``Opening balance`` / ``Closing balance`` rows, see
:mod:`.states`).  Output: a :class:`~chargecheck.schema.Reconciliation` from
:mod:`chargecheck.importers.reconcile` — the running balance row by row, and opening + Σ =
closing where the file prints both records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import Reconciliation
from ..reconcile import BalancePair, check_running, check_totals, combine
from ..values import parse_amounts
from .grid import Grid
from .states import RowState, record_type_of

__all__ = ["reconcile_rows", "balance_lines"]


def balance_lines(lines: list[tuple[int, list[str]]], decimal: str) -> dict[RowState, tuple[int, int]]:
    """Opening and closing balances printed above or below the table (``Balance at end of
    period,,,,"+31070,11"``): per state, (cents, line), from the line's last amount cell."""
    found: dict[RowState, tuple[int, int]] = {}
    for line, cells in lines:
        states = {record_type_of(cell, whole=True) for cell in cells if cell.strip()}
        for state in states & {RowState.OPENING_BALANCE, RowState.CLOSING_BALANCE}:
            amounts = parse_amounts(pd.Series([c for c in cells if c.strip()], dtype=object), decimal).dropna()
            if len(amounts) and state not in found:
                found[state] = (int(amounts.iloc[-1]), line)
    return found


def _record_values(printed: pd.Series, balances: pd.Series | None) -> pd.Series:
    """A balance record's value: its balance cell, else the amount cell it is printed in."""
    values = printed.astype("Int64")
    if balances is not None:
        values = balances.where(balances.notna(), values)
    return values


def _running(grid: Grid, points: np.ndarray, amounts: np.ndarray, steps: np.ndarray,
             groups: np.ndarray | None, days: np.ndarray | None) -> Reconciliation:
    """The running-balance check, per currency where the rows name several (one balance each)."""
    if groups is None:
        groups = np.zeros(len(points), dtype=object)
    results = []
    for group in pd.unique(groups[points]):
        rows = points & (groups == group)
        results.append(check_running(amounts[rows], list(steps[rows]), [int(x) for x in grid.line[rows]],
                                     "running balance column", None if days is None else list(days[rows])))
    return combine(results)


def reconcile_rows(grid: Grid, ok: np.ndarray, cents: pd.Series, printed: pd.Series,
                   balances: pd.Series | None, states: np.ndarray, records: np.ndarray,
                   fees: pd.Series | None = None, groups: np.ndarray | None = None,
                   around: dict[RowState, tuple[int, int]] | None = None,
                   days: np.ndarray | None = None) -> Reconciliation:
    """Reconcile a CSV statement (see the module docstring); ``no balances`` when it prints none.

    ``cents`` are the transactions' signed amounts, ``printed`` the amount cells as printed
    (a balance record's value when it has no balance cell).  With a fee column the balance
    may move by the amount net of the fee (PayPal's Gross, Fee and Balance): the reading that
    reconciles is taken.  ``groups`` (the currency per row) keeps one running balance each.
    ``around`` holds balances printed outside the table (:func:`balance_lines`), used where
    no balance row inside it gives the opening and closing.  ``days`` (each row's date) lets a
    day's rows stand in another order than booked.
    """
    values = _record_values(printed, balances)
    opening = records & (states == RowState.OPENING_BALANCE) & values.notna().to_numpy()
    closing = records & (states == RowState.CLOSING_BALANCE) & values.notna().to_numpy()
    checks = []
    if opening.any() and closing.any():
        first, last = int(np.flatnonzero(opening)[0]), int(np.flatnonzero(closing)[-1])
        total = int(cents[ok].sum())
        pair = BalancePair(int(values.iloc[first]), int(values.iloc[last]), total, int(grid.line[last]))
        checks.append(check_totals([pair], "opening and closing balance rows"))
    elif around and RowState.OPENING_BALANCE in around and RowState.CLOSING_BALANCE in around:
        (start, _), (end, line) = around[RowState.OPENING_BALANCE], around[RowState.CLOSING_BALANCE]
        pair = BalancePair(start, end, int(cents[ok].sum()), line)
        checks.append(check_totals([pair], "opening and closing balances printed around the table"))
    if balances is not None and balances[ok].notna().sum() >= 2:
        points = ok | opening | closing
        steps = np.where(ok, balances.to_numpy(dtype=object, na_value=None), values.to_numpy(dtype=object, na_value=None))
        plain = np.where(ok, cents.to_numpy(dtype="int64", na_value=0), 0)
        readings = [plain]
        if fees is not None:
            fee = np.where(ok, fees.to_numpy(dtype="int64", na_value=0), 0)
            readings += [plain + fee, plain - np.abs(fee)]
        results = [_running(grid, points, amounts, steps, groups, days) for amounts in readings]
        checks.append(next((r for r in results if r.reconciled), results[0]))
    return combine(checks)
