"""Does a statement prove itself?  Its printed balances checked against the transactions read.

Input: what an importer found — opening and closing balances per statement (MT940 ``:60F:`` /
``:62F:``, CAMT ``OPBD``/``CLBD``, a QIF opening balance, a CSV's balance rows) with the sum
of the transactions between them, or a running-balance column beside the amounts.  Output: a
:class:`~chargecheck.schema.Reconciliation` (``reconciled``, ``not reconciled: off by X`` with
the first row where a running balance breaks, or ``no balances``).

Why: a file misread (a wrong sign convention, a balance row taken for a payment, a row lost)
does not announce itself; the balances a bank prints do.  Amounts are integer cents and the
check is exact: a statement either adds up or it does not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..schema import Reconciliation, ReconciliationStatus, cents_to_decimal

__all__ = ["BalancePair", "check_totals", "check_running", "combine", "running_order"]


@dataclass(frozen=True)
class BalancePair:
    """One statement's opening and closing balance and the sum of the transactions read between them.

    ``line`` is where the closing balance is printed (for the warning), where known.
    """

    opening_cents: int
    closing_cents: int
    total_cents: int
    line: int | None = None

    @property
    def off_by_cents(self) -> int:
        """Closing − (opening + Σ transactions): zero when the statement adds up."""
        return self.closing_cents - (self.opening_cents + self.total_cents)


def check_totals(pairs: Sequence[BalancePair], method: str) -> Reconciliation:
    """opening + Σ transactions = closing for every statement in a file (the first that fails is reported)."""
    if not pairs:
        return Reconciliation()
    for pair in pairs:
        if pair.off_by_cents:
            return Reconciliation(ReconciliationStatus.NOT_RECONCILED, cents_to_decimal(pair.off_by_cents),
                                  pair.line, method)
    return Reconciliation(ReconciliationStatus.RECONCILED, method=method)


def _breaks(amounts: np.ndarray, balances: np.ndarray, known: np.ndarray,
            newest_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a balance in the order they happened, and per row: balance − (previous
    balance + the amounts since), 0 where it agrees (always 0 for the first)."""
    rows = np.flatnonzero(known)
    if newest_first:
        rows = rows[::-1]
        steps = np.cumsum(amounts[::-1])[::-1]  # amounts of this row and every older one below it
    else:
        steps = np.cumsum(amounts)
    gaps = np.zeros(len(rows), dtype=np.int64)
    moved = steps[rows[1:]] - steps[rows[:-1]]
    gaps[1:] = balances[rows[1:]] - (balances[rows[:-1]] + moved)
    return rows, gaps


def running_order(amounts: np.ndarray, balances: np.ndarray, known: np.ndarray) -> tuple[bool, int]:
    """``(newest_first, agreeing steps)``: the row order under which more balance steps agree."""
    results = []
    for newest_first in (False, True):
        _, gaps = _breaks(amounts, balances, known, newest_first)
        results.append((int((gaps[1:] == 0).sum()), newest_first))
    agree, newest_first = max(results, key=lambda item: (item[0], not item[1]))
    return newest_first, agree


def check_running(amounts: Sequence[int], balances: Sequence[int | None], lines: Sequence[int | None],
                  method: str = "running balance", days: Sequence | None = None) -> Reconciliation:
    """Each row's balance = the previous row's balance + this row's amount (oldest or newest first).

    Rows without a balance (some exports fill it on a few rows only) carry their amounts to
    the next row that has one.  The order (oldest or newest first) is the one under which more
    steps agree; a tie reads oldest first.  A balance that moves exactly against the amounts
    (a card's amount owed) reconciles too.  Fewer than two balances: ``no balances``.

    ``days`` (each row's date), where the rows are in date order, lets rows of one day stand
    in any order (many banks sort a day's rows otherwise than they were booked): the statement
    reconciles when each day's rows can be put in an order whose balances chain.
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    known = np.array([b is not None for b in balances], dtype=bool)
    if known.sum() < 2:
        return Reconciliation()
    values = np.array([0 if b is None else int(b) for b in balances], dtype=np.int64)
    first = _running(amounts, values, known, lines, method)
    if first.reconciled:
        return first
    # A card account's balance is what is owed: it rises with every charge.
    owed = _running(amounts, -values, known, lines, method + " (the amount owed)")
    if owed.reconciled:
        return owed
    if days is not None and known.all():
        for sign, how in ((1, ""), (-1, ", the amount owed")):
            if _chains_by_day(list(amounts), [sign * int(v) for v in values], list(days)):
                return Reconciliation(ReconciliationStatus.RECONCILED,
                                      method=f"{method} (rows of a day in another order{how})")
    return first


def _chains_by_day(amounts: list[int], balances: list[int], days: list) -> bool:
    """True when the rows, in date order, chain day by day with each day's rows in some order."""
    if days != sorted(days):
        if days != sorted(days, reverse=True):
            return False
        amounts, balances, days = amounts[::-1], balances[::-1], days[::-1]
    groups: list[list[tuple[int, int]]] = []
    for at, day in enumerate(days):
        if not groups or days[at - 1] != day:
            groups.append([])
        groups[-1].append((amounts[at], balances[at]))
    # The first day's opening is unknown: it is a row's balance less its amount that is no
    # other row's balance (a few candidates at most).
    first = groups[0]
    starts = sorted({b - a for a, b in first} - {b for _, b in first})[:5] or [first[0][1] - first[0][0]]
    return any(_chain(groups, start) for start in starts)


def _chain(groups: list[list[tuple[int, int]]], start: int) -> bool:
    """Within each day take a row whose balance is the running balance plus its amount, until
    the day is used up (rows found by the balance they start from: linear in the rows)."""
    running = start
    for group in groups:
        waiting: dict[int, list[int]] = defaultdict(list)
        for amount, balance in group:
            waiting[balance - amount].append(balance)
        for _ in group:
            starting_here = waiting.get(running)
            if not starting_here:
                return False
            running = starting_here.pop()
    return True


def _running(amounts: np.ndarray, values: np.ndarray, known: np.ndarray, lines: Sequence[int | None],
             method: str) -> Reconciliation:
    """:func:`check_running` for one reading of the balances."""
    newest_first, _ = running_order(amounts, values, known)
    rows, gaps = _breaks(amounts, values, known, newest_first)
    order = " (newest first)" if newest_first else ""
    bad = np.flatnonzero(gaps != 0)
    if not len(bad):
        return Reconciliation(ReconciliationStatus.RECONCILED, method=method + order)
    first = int(bad[0])
    return Reconciliation(ReconciliationStatus.NOT_RECONCILED, cents_to_decimal(int(gaps[first])),
                          lines[int(rows[first])], method + order)


def combine(results: Sequence[Reconciliation]) -> Reconciliation:
    """One file's verdict from several checks: the first failure, else reconciled if any check ran."""
    for result in results:
        if result.status is ReconciliationStatus.NOT_RECONCILED:
            return result
    done = [r for r in results if r.status is ReconciliationStatus.RECONCILED]
    if not done:
        return Reconciliation()
    return Reconciliation(ReconciliationStatus.RECONCILED, method="; ".join(dict.fromkeys(r.method for r in done)))
