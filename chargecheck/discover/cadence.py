"""Cadence arithmetic for recurring-charge discovery: how regular is a list of charge dates?

Input: sorted ``date`` objects of one candidate series.  Output: a :class:`CadenceFit` per
cadence (weekly, biweekly, monthly, quarterly, yearly) saying how many intervals fit, how many
billing cycles were skipped, and the worst deviation in days; :func:`best_cadence` picks one.

Month-based cadences are measured with calendar months, not 30-day blocks, so a bill on the
31st that lands on 28 February, or is pushed from a Saturday to the following Monday, still
counts as on time.  Each interval is measured from the previous charge (not from the first),
so one late posting costs one small deviation instead of shifting every later charge.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from functools import cached_property, lru_cache
from datetime import date, timedelta
from typing import Sequence

__all__ = [
    "Cadence",
    "CADENCES",
    "CadenceFit",
    "add_months",
    "interval_fit",
    "fit_cadence",
    "best_cadence",
    "circular_median_day",
    "next_expected",
]


@dataclass(frozen=True)
class Cadence:
    """A billing rhythm: a period in days or in months, the drift tolerated, the grace after a miss.

    ``tolerance`` is how many days a charge may deviate from its expected day and still be on
    time (month-end clustering, weekends, late posting).  ``grace`` is how long after the
    expected date a series still counts as active.  ``min_charges`` is the fewest charges that
    can establish the rhythm (two for yearly renewals, as peers such as Plaid accept).
    """

    name: str
    days: int = 0
    months: int = 0
    tolerance: int = 2
    grace: int = 3
    min_charges: int = 3

    @cached_property
    def nominal_days(self) -> float:
        """Average length of one period in days (for ranking and coarse checks)."""
        return self.days or self.months * 30.436875


CADENCES: tuple[Cadence, ...] = (
    Cadence("weekly", days=7, tolerance=2, grace=4, min_charges=4),
    Cadence("biweekly", days=14, tolerance=3, grace=6, min_charges=4),
    Cadence("monthly", months=1, tolerance=6, grace=10, min_charges=3),
    Cadence("quarterly", months=3, tolerance=10, grace=20, min_charges=3),
    Cadence("yearly", months=12, tolerance=15, grace=35, min_charges=2),
)
CADENCE_BY_NAME = {c.name: c for c in CADENCES}

# Each skipped cycle costs this much of the regularity score: a monthly bill with one skipped
# month in a year stays near 1, while reading a monthly bill as "weekly with 3 skips per
# interval" (or a biweekly one as weekly) scores far below the true cadence.
SKIP_PENALTY = 0.4


@dataclass(frozen=True)
class CadenceFit:
    """How well dates fit one cadence: intervals on time, skipped cycles, worst deviation (days)."""

    cadence: Cadence
    intervals: int
    regular: int
    skipped: int
    worst_days: int

    @property
    def score(self) -> float:
        """Share of on-time intervals minus a penalty per skipped cycle (0 when nothing fits)."""
        if self.intervals == 0:
            return 0.0
        raw = (self.regular - SKIP_PENALTY * self.skipped) / self.intervals
        return max(0.0, raw)


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's length.

    ``anchor_day`` (1–31) replaces the day of month before clamping, so a bill anchored on the
    31st goes back to the 31st after February's 28th.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    wanted = anchor_day or day.day
    return date(year, month + 1, min(wanted, calendar.monthrange(year, month + 1)[1]))


def interval_fit(prev: date, cur: date, cadence: Cadence) -> tuple[int, int]:
    """Cycles elapsed between two charges and the deviation in days from the expected date.

    (0, gap) when the second charge comes too soon to be the next cycle at all.
    """
    gap = (cur - prev).days
    steps = round(gap / cadence.nominal_days)
    if steps < 1:
        return 0, gap
    if cadence.days:
        return steps, gap - steps * cadence.days
    return steps, (cur - add_months(prev, steps * cadence.months)).days


def fit_cadence(dates: Sequence[date], cadence: Cadence) -> CadenceFit:
    """Measure every interval of ``dates`` against ``cadence`` (see :class:`CadenceFit`).

    Memoised: discovery scores the same candidate dates several times (tracks, merges,
    re-scoring with context).
    """
    return _fit_cadence(tuple(dates), cadence)


@lru_cache(maxsize=1 << 16)
def _fit_cadence(dates: tuple[date, ...], cadence: Cadence) -> CadenceFit:
    """Measure every interval (uncached; see :func:`fit_cadence`).

    An interval that misses is still on time when the charge fits the schedule counted from
    the charge before the previous one: the *previous* charge was the late one, and one late
    posting should cost one interval, not the two it touches.
    """
    regular = skipped = worst = 0
    for i in range(1, len(dates)):
        steps, deviation = interval_fit(dates[i - 1], dates[i], cadence)
        if not (steps >= 1 and abs(deviation) <= cadence.tolerance) and i >= 2:
            steps_2, deviation_2 = interval_fit(dates[i - 2], dates[i], cadence)
            if steps_2 >= 2 and abs(deviation_2) <= cadence.tolerance:
                steps, deviation = steps_2 - 1, deviation_2
        if steps >= 1 and abs(deviation) <= cadence.tolerance:
            regular += 1
            skipped += steps - 1
            worst = max(worst, abs(deviation))
    return CadenceFit(cadence, max(0, len(dates) - 1), regular, skipped, worst)


def best_cadence(dates: Sequence[date]) -> CadenceFit | None:
    """The cadence that explains ``dates`` best (highest score; ties go to fewer skips, then longer).

    Returns None for fewer than two dates, where no interval exists.
    """
    if len(dates) < 2:
        return None
    fits = [fit_cadence(dates, cadence) for cadence in CADENCES]
    return max(fits, key=lambda f: (round(f.score, 9), -f.skipped, f.cadence.nominal_days))


def circular_median_day(days: Sequence[int]) -> int:
    """Day of month (1–31) nearest to all ``days`` on a circle, so 28, 30, 1, 2 cluster at month end.

    A bill due on the 31st that posts on the 1st or 2nd is early-month by number but
    month-end by intent; a plain median would put the anchor mid-month.  ``days`` are in
    date order; a tie goes to the day nearest the latest one.
    """
    def distance(a: int, b: int) -> int:
        d = abs(a - b) % 31
        return min(d, 31 - d)

    # Ties (e.g. two yearly charges on the 14th and the 17th) go to the most recent day.
    return min(range(1, 32), key=lambda c: (sum(distance(c, d) for d in days), distance(c, days[-1]), c))


def next_expected(last: date, cadence: Cadence, anchor_day: int) -> date:
    """The date the next charge is due: one period after ``last``, snapped to the usual day.

    For month-based cadences the candidate days of month ``anchor_day`` around one period
    after ``last`` are compared and the nearest wins, so a February charge that slipped to
    2 March still predicts the end of March, not the end of April.
    """
    if cadence.days:
        return last + timedelta(days=cadence.days)
    rough = add_months(last, cadence.months)
    candidates = [add_months(rough, shift, anchor_day) for shift in (-1, 0, 1)]
    return min(candidates, key=lambda c: (abs((c - rough).days), c))
