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

import numpy as np

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
    "DayParts",
    "day_parts",
    "interval_parts",
    "fit_parts",
    "month_start",
    "intervals",
    "best_parts",
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

    @cached_property
    def steps_by_gap(self) -> list[int]:
        """``round(gap / nominal_days)`` for every gap of 0 to 2**15 − 1 days (cycles elapsed, looked up)."""
        return [round(gap / self.nominal_days) for gap in range(_GAP_TABLE)]


# Gaps up to this many days (90 years) are looked up in Cadence.steps_by_gap, longer ones computed.
_GAP_TABLE = 1 << 15


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


def _fit_cadence(dates: tuple[date, ...], cadence: Cadence) -> CadenceFit:
    """Measure every interval (see :func:`fit_cadence`): the dates as day numbers, then :func:`fit_parts`."""
    return fit_parts(day_parts(dates), cadence)


def best_cadence(dates: Sequence[date]) -> CadenceFit | None:
    """The cadence that explains ``dates`` best (highest score; ties go to fewer skips, then longer).

    Returns None for fewer than two dates, where no interval exists.
    """
    if len(dates) < 2:
        return None
    return best_parts(day_parts(dates))


@dataclass(frozen=True)
class DayParts:
    """Sorted charge dates as numbers: day ordinal, month number (year × 12 + month − 1), day of month.

    Cadence fitting compares thousands of date pairs; on plain integers (and, for long series,
    on numpy arrays of them) that is arithmetic instead of ``date`` objects and calendar calls.
    """

    days: tuple[int, ...]
    months: tuple[int, ...]
    doms: tuple[int, ...]


def day_parts(dates: Sequence[date]) -> DayParts:
    """The :class:`DayParts` of ``dates`` (in the given order)."""
    return DayParts(tuple(d.toordinal() for d in dates), tuple(d.year * 12 + d.month - 1 for d in dates),
                    tuple(d.day for d in dates))


@lru_cache(maxsize=1)
def _month_starts() -> np.ndarray:
    """Ordinal of the first day of every month number from year 1 to 9999 (index = month number − 12)."""
    months = np.datetime64("0001-01") + np.arange(12 * 9999 + 2)
    return months.astype("datetime64[D]").astype(np.int64) + date(1970, 1, 1).toordinal()


@lru_cache(maxsize=1)
def _month_starts_list() -> list[int]:
    return _month_starts().tolist()


def interval_parts(day_a: int, month_a: int, dom_a: int, day_b: int, cadence: Cadence) -> tuple[int, int]:
    """:func:`interval_fit` on numbers: cycles elapsed from day ``a`` to ``b``, deviation in days."""
    gap = day_b - day_a
    steps = cadence.steps_by_gap[gap] if 0 <= gap < _GAP_TABLE else round(gap / cadence.nominal_days)
    if steps < 1:
        return 0, gap
    if cadence.days:
        return steps, gap - steps * cadence.days
    starts = _month_starts_list()
    target = month_a + steps * cadence.months - 12
    first = starts[target]
    length = starts[target + 1] - first
    return steps, day_b - first - (dom_a if dom_a < length else length) + 1


def month_start(month: int, dom: int) -> int:
    """Ordinal of day ``dom`` of month number ``month`` (year × 12 + month − 1), clamped to its length.

    The numeric form of :func:`add_months`: a bill on the 31st falls on the 28th in February.
    """
    starts = _month_starts_list()
    first = starts[month - 12]
    return first + min(dom, starts[month - 11] - first) - 1


# From this many dates on, numpy's per-call cost is smaller than a Python loop's per-interval cost.
_VECTOR_MIN = 48


@lru_cache(maxsize=1 << 16)
def fit_parts(parts: DayParts, cadence: Cadence) -> CadenceFit:
    """Measure every interval of the dates in ``parts`` against ``cadence`` (see :class:`CadenceFit`).

    An interval that misses is still on time when the charge fits the schedule counted from
    the charge before the previous one: the *previous* charge was the late one, and one late
    posting should cost one interval, not the two it touches.  Each interval is judged on its
    own dates only, so all of them can be measured at once.
    """
    n = len(parts.days)
    if n >= _VECTOR_MIN:
        return _fit_vector(parts, cadence)
    days, months, doms = parts.days, parts.months, parts.doms
    tol = cadence.tolerance
    regular = skipped = worst = 0
    for i in range(1, n):
        steps, deviation = interval_parts(days[i - 1], months[i - 1], doms[i - 1], days[i], cadence)
        if not (steps >= 1 and -tol <= deviation <= tol) and i >= 2:
            steps_2, deviation_2 = interval_parts(days[i - 2], months[i - 2], doms[i - 2], days[i], cadence)
            if steps_2 >= 2 and -tol <= deviation_2 <= tol:
                steps, deviation = steps_2 - 1, deviation_2
        if steps >= 1 and -tol <= deviation <= tol:
            regular += 1
            skipped += steps - 1
            if deviation > worst or -deviation > worst:
                worst = abs(deviation)
    return CadenceFit(cadence, max(0, n - 1), regular, skipped, worst)


def intervals(days: np.ndarray, months: np.ndarray, doms: np.ndarray, later: np.ndarray,
              cadence: Cadence) -> tuple[np.ndarray, np.ndarray]:
    """:func:`interval_parts` for many pairs at once: (steps, deviations) as arrays.

    ``days``, ``months`` and ``doms`` describe the earlier charge of each pair, ``later`` is the
    day ordinal of the later one.
    """
    gap = later - days
    steps = np.rint(gap / cadence.nominal_days).astype(np.int64)  # half to even, as round()
    if cadence.days:
        deviation = gap - steps * cadence.days
    else:
        starts = _month_starts()
        target = np.clip(months + steps * cadence.months - 12, 0, len(starts) - 2)
        first = starts[target]
        deviation = later - (first + np.minimum(doms, starts[target + 1] - first) - 1)
    too_soon = steps < 1
    return np.where(too_soon, 0, steps), np.where(too_soon, gap, deviation)


def _fit_vector(parts: DayParts, cadence: Cadence) -> CadenceFit:
    """:func:`fit_parts` with numpy, for long date lists."""
    days, months, doms = (np.asarray(x, dtype=np.int64) for x in (parts.days, parts.months, parts.doms))
    tol = cadence.tolerance
    steps, deviation = intervals(days[:-1], months[:-1], doms[:-1], days[1:], cadence)
    on_time = (steps >= 1) & (np.abs(deviation) <= tol)
    steps_2, deviation_2 = intervals(days[:-2], months[:-2], doms[:-2], days[2:], cadence)
    bridged = np.zeros_like(on_time)
    bridged[1:] = ~on_time[1:] & (steps_2 >= 2) & (np.abs(deviation_2) <= tol)
    steps = steps.copy()
    deviation = deviation.copy()
    steps[1:] = np.where(bridged[1:], steps_2 - 1, steps[1:])
    deviation[1:] = np.where(bridged[1:], deviation_2, deviation[1:])
    good = on_time | bridged
    regular = int(np.count_nonzero(good))
    skipped = int((steps[good] - 1).sum())
    worst = int(np.abs(deviation[good]).max()) if regular else 0
    return CadenceFit(cadence, len(days) - 1, regular, skipped, worst)


@lru_cache(maxsize=1 << 16)
def best_parts(parts: DayParts) -> CadenceFit:
    """:func:`best_cadence` on :class:`DayParts` (at least two dates)."""
    fits = [fit_parts(parts, cadence) for cadence in CADENCES]
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
