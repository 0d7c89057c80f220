"""Series building for recurring-charge discovery: charges of one vendor → scored candidate series.

Input: the outgoing charges of one (vendor, currency) group as :class:`Point` values (date,
positive amount in cents, row id, account).  Output: :class:`Series` values, each with its
best cadence, its price levels and a confidence with the evidence behind it.

The steps, and why each exists:

1. *Tracks* (:func:`build_tracks`): per account, each charge joins the running track whose
   recent amount it matches within a drift tolerance (tax, currency conversion), so two
   subscriptions billed by one merchant at different amounts stay apart.
2. *Merge* (:func:`merge_tracks`): a track that stops and another that starts one period
   later, on another card or at a new price, is one subscription (card reissue, price rise).
3. *Score* (:func:`evaluate`): cadence regularity × number of charges × amount stability ×
   how much of the merchant's other spending falls in the same span (a grocery store is
   mostly irregular shopping), giving a confidence and a sentence of evidence.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Sequence

import numpy as np

from .cadence import CADENCES, CadenceFit, DayParts, best_parts, fit_parts, interval_parts, intervals, month_start
from .prices import level_noise, price_levels

__all__ = ["Point", "Series", "Others", "build_tracks", "merge_tracks", "evaluate", "confidence_bound", "ACCEPT"]

# A charge stays in a track while within 6% (+2 cents) of the track's recent amount:
# wide enough for sales tax and card FX drift, narrower than most price rises (which the
# merge step joins back as a price change) and than the gap between two plans of one merchant.
AMOUNT_DRIFT = 0.06
AMOUNT_DRIFT_CENTS = 2
# A price change between tracks is believed up to +50% (or -33%); more is another plan.
MAX_PRICE_RATIO = 1.5
ACCEPT = 0.5


@dataclass(frozen=True, slots=True)
class Point:
    """One outgoing charge: date, amount in cents (positive = paid), row id in the table, account.

    ``day`` (ordinal), ``month`` (year × 12 + month − 1) and ``dom`` (day of month) are the
    date as numbers, for cadence arithmetic without ``date`` objects (see :meth:`on`).
    """

    date: date
    cents: int
    row: int
    account: str
    day: int
    month: int
    dom: int

    @classmethod
    def on(cls, day: date, cents: int, row: int, account: str = "") -> "Point":
        """A point for a charge on ``day`` (the numeric date fields computed from it)."""
        return cls(day, cents, row, account, day.toordinal(), day.year * 12 + day.month - 1, day.day)


def _parts(points: Sequence[Point]) -> DayParts:
    """The dates of ``points`` as numbers, for :mod:`.cadence`."""
    return DayParts(tuple(p.day for p in points), tuple(p.month for p in points), tuple(p.dom for p in points))


def _interval(a: Point, b: Point, cadence) -> tuple[int, int]:
    """Cycles elapsed from charge ``a`` to ``b`` and the deviation in days (see :func:`.cadence.interval_fit`)."""
    return interval_parts(a.day, a.month, a.dom, b.day, cadence)


def _median_recent(points: Sequence[Point]) -> float:
    """``statistics.median`` of the amounts of one to three points (the same value and type)."""
    if len(points) == 1:
        return points[0].cents
    if len(points) == 2:
        return (points[0].cents + points[1].cents) / 2
    a, b, c = points[0].cents, points[1].cents, points[2].cents
    return sorted((a, b, c))[1]


@dataclass(frozen=True)
class Series:
    """A candidate recurring series with its score (``accepted`` when confidence ≥ threshold)."""

    points: tuple[Point, ...]
    fit: CadenceFit | None
    levels: tuple[tuple[int, int], ...] = ()  # (start index, typical cents) per price level
    confidence: float = 0.0
    evidence: str = ""
    extras: tuple[Point, ...] = field(default=())

    @property
    def accepted(self) -> bool:
        """True when the series is confident enough to be reported as a subscription."""
        return self.fit is not None and self.confidence >= ACCEPT


def build_tracks(points: Sequence[Point]) -> list[list[Point]]:
    """Split charges into amount tracks per account (date order; nearest recent amount wins).

    Each track's recent amount (the median of its last three) is kept up to date as it grows,
    and per account the tracks are kept sorted by it, so a charge is compared only with the
    tracks whose amount is near its own: a grocery store's hundreds of charges make as many
    tracks.  Ties go to the track started first, as a scan in creation order would give.
    """
    tracks: list[list[Point]] = []
    refs: list[float] = []
    by_ref: dict[str, list[tuple[float, int]]] = {}  # per account: (recent amount, track number), sorted
    for point in sorted(points, key=lambda p: (p.day, p.row)):
        cents = point.cents
        ordered = by_ref.setdefault(point.account, [])
        # |cents - ref| <= max(AMOUNT_DRIFT * ref, AMOUNT_DRIFT_CENTS) holds only inside this range.
        # (widened a hair, so float rounding at the edge never drops a track the test accepts)
        low = min(cents / (1 + AMOUNT_DRIFT), cents - AMOUNT_DRIFT_CENTS) * (1 - 1e-9) - 1e-9
        high = max(cents / (1 - AMOUNT_DRIFT), cents + AMOUNT_DRIFT_CENTS) * (1 + 1e-9) + 1e-9
        best, best_key = None, None
        for ref, index in ordered[bisect_left(ordered, (low, -1)): bisect_right(ordered, (high, len(tracks)))]:
            if abs(cents - ref) <= max(AMOUNT_DRIFT * ref, AMOUNT_DRIFT_CENTS):
                key = (abs(cents - ref) / max(ref, 1), index)
                if best_key is None or key < best_key:
                    best, best_key = index, key
        if best is None:
            insort(ordered, (cents, len(tracks)))
            tracks.append([point])
            refs.append(cents)
        else:
            tracks[best].append(point)
            ordered.pop(bisect_left(ordered, (refs[best], best)))
            refs[best] = _median_recent(tracks[best][-3:])
            insort(ordered, (refs[best], best))
    return tracks


def _fit(track: Sequence[Point]) -> CadenceFit | None:
    return best_parts(_parts(track)) if len(track) >= 2 else None


def _established(track: Sequence[Point], fit: CadenceFit | None) -> bool:
    return fit is not None and len(track) >= fit.cadence.min_charges and fit.score >= 0.6


def _flawless(a: Sequence[Point], b: Sequence[Point]) -> CadenceFit | None:
    """The fit of two short tracks taken together, if flawless: fixed prices, on time, no skip.

    Two quarterly charges at one price and two at a new price establish nothing apart; joined
    they are a clean series.  Only a flawless join is trusted, since nothing else vouches for
    it: each track at one exact price (restaurant bills vary by cents), every interval on time.
    """
    if len({p.cents for p in a}) > 1 or len({p.cents for p in b}) > 1:
        return None
    track = list(a) + list(b)
    fit = _fit(sorted(track, key=lambda p: (p.day, p.row)))
    if fit and len(track) >= fit.cadence.min_charges and _without_miss(fit):
        return fit
    return None


def _without_miss(fit: CadenceFit) -> bool:
    """Every interval on time and no cycle skipped."""
    return fit.regular == fit.intervals and not fit.skipped


def _join_cost(a: Sequence[Point], b: Sequence[Point], fit: CadenceFit) -> tuple | None:
    """Cost of reading track ``b`` as the continuation of ``a`` under ``fit``'s cadence, or None.

    The junction is judged on the last two charges of ``a`` against the first two of ``b``
    (at most one cycle skipped), so one late posting right at the switch does not hide it.
    """
    if b[0].day <= a[-1].day:
        return None
    ratio = b[0].cents / max(a[-1].cents, 1)
    if not _price_continues(a, b):
        return None
    best = None
    for back in (1, 2):
        for ahead in (0, 1):
            if back > len(a) or ahead >= len(b):
                continue
            steps, deviation = _interval(a[-back], b[ahead], fit.cadence)
            expected = back + ahead
            if expected <= steps <= expected + 1 and abs(deviation) <= fit.cadence.tolerance:
                cost = (steps - expected, abs(deviation), abs(ratio - 1))
                best = cost if best is None or cost < best else best
    return best


def _price_continues(a: Sequence[Point], b: Sequence[Point]) -> bool:
    """True when ``b``'s first amount is a believable new price after ``a``'s last (see MAX_PRICE_RATIO)."""
    ratio = b[0].cents / max(a[-1].cents, 1)
    return 1 / MAX_PRICE_RATIO <= ratio <= MAX_PRICE_RATIO


# No continuation is measured over more than this many periods (two charges back, one ahead,
# one skipped cycle, half a period of rounding): tracks further apart are never compared.
_MAX_JOIN_PERIODS = 4.5


class _Tracks:
    """The tracks being merged, each with what the join test needs computed once per track."""

    def __init__(self, tracks: Sequence[Sequence[Point]]) -> None:
        self.points: dict[int, list[Point]] = {}
        self.fit: dict[int, CadenceFit | None] = {}
        self.established: dict[int, bool] = {}
        self.one_price: dict[int, bool] = {}
        self.flawless: dict[int, tuple] = {}  # cadences the track alone fits without a miss or a skip
        for number, track in enumerate(tracks):
            self.set(number, list(track))

    def set(self, number: int, track: list[Point]) -> None:
        """Store (or replace) track ``number`` and its cadence fit."""
        fit = _fit(track)
        self.points[number] = track
        self.fit[number] = fit
        self.established[number] = _established(track, fit)
        self.one_price[number] = len({p.cents for p in track}) == 1
        if len(track) < 2:
            self.flawless[number] = CADENCES
        else:
            parts = _parts(track)
            self.flawless[number] = tuple(c for c in CADENCES if _without_miss(fit_parts(parts, c)))

    def may_join_flawlessly(self, i: int, j: int) -> bool:
        """False when tracks ``i`` and ``j`` taken together cannot be flawless (see :func:`_flawless`).

        Joined, the charges of ``i`` come first and keep their intervals, so ``i`` must be
        flawless alone under the cadence, and the first charge of ``j`` must come one period
        after the last of ``i`` (or two after the one before it, when that one was late).
        """
        a, b = self.points[i], self.points[j]
        count = len(a) + len(b)
        for cadence in self.flawless[i]:
            if count < cadence.min_charges:
                continue
            steps, deviation = _interval(a[-1], b[0], cadence)
            if steps == 1 and abs(deviation) <= cadence.tolerance:
                return True
            if len(a) >= 2:
                steps, deviation = _interval(a[-2], b[0], cadence)
                if steps == 2 and abs(deviation) <= cadence.tolerance:
                    return True
        return False

    def cost(self, i: int, j: int) -> tuple | None:
        """Cost of reading track ``j`` as the continuation of track ``i`` (None: it is not one)."""
        a, b = self.points[i], self.points[j]
        if b[0].day <= a[-1].day or not _price_continues(a, b):
            return None
        est_a, est_b = self.established[i], self.established[j]
        fit_a, fit_b = self.fit[i], self.fit[j]
        if est_a and est_b and fit_a.cadence != fit_b.cadence:
            return None
        if est_a:
            basis = fit_a
        elif est_b:
            basis = fit_b
        elif self.one_price[i] and self.one_price[j] and self.may_join_flawlessly(i, j):
            basis = _flawless(a, b)
        else:
            basis = None
        return None if basis is None else _join_cost(a, b, basis)


def merge_tracks(tracks: Sequence[Sequence[Point]]) -> list[list[Point]]:
    """Join tracks that continue one another (new card, new price) into one series.

    Track ``b`` continues ``a`` when it starts one (or two, a skipped cycle) periods after
    ``a`` ends under the cadence of whichever of them is established, and neither has an
    established cadence that disagrees.  In start order, the first track with a continuation
    takes its cheapest one; repeats to a fixpoint.

    Each pair is measured once and again only when one of its tracks changed (a merge changes
    one track and removes another), and only tracks starting within a few periods of a
    track's end are compared, so a merchant's hundreds of tracks cost pairs near in time,
    not every pair after every merge.
    """
    state = _Tracks(sorted(tracks, key=lambda t: (t[0].day, t[0].row)))
    # Track numbers follow the start order, and a merged track keeps the number (and the start)
    # of its first part, so the order by number is the order by start throughout.
    starts = sorted((track[0].day, number) for number, track in state.points.items())
    horizon = int(_MAX_JOIN_PERIODS * max(c.nominal_days for c in CADENCES)) + 1

    def options_of(i: int) -> dict[int, tuple]:
        end = state.points[i][-1].day
        found = {}
        for _, j in starts[bisect_right(starts, (end, math.inf)): bisect_right(starts, (end + horizon, math.inf))]:
            cost = state.cost(i, j)
            if cost is not None:
                found[j] = cost
        return found

    options = {i: options_of(i) for _, i in starts}
    while True:
        chosen = min((i for i, found in options.items() if found), default=None)
        if chosen is None:
            break
        _, j = min((cost, j) for j, cost in options[chosen].items())
        starts.remove((state.points[j][0].day, j))
        state.set(chosen, state.points[chosen] + state.points.pop(j))
        del options[j]
        first = state.points[chosen][0].day
        for i, found in options.items():
            found.pop(j, None)
            if i == chosen:
                continue
            end = state.points[i][-1].day
            cost = state.cost(i, chosen) if end < first <= end + horizon else None
            if cost is None:
                found.pop(chosen, None)
            else:
                found[chosen] = cost
        options[chosen] = options_of(chosen)
    return [state.points[i] for _, i in starts]


def _prune_extras(points: list[Point], fit: CadenceFit) -> tuple[list[Point], list[Point]]:
    """Set aside charges off the rhythm: a one-off purchase at the same price, a double charge.

    A charge goes when its neighbours are on time with each other and it is not (one-off
    purchase), or when it falls in the same cycle as the previous charge (double billing,
    a duplicate row); the series' own rhythm then stays measurable.
    """
    tol = fit.cadence.tolerance

    def off(steps_dev: tuple[int, int]) -> bool:
        return steps_dev[0] < 1 or abs(steps_dev[1]) > tol

    # Every charge on time after the one before: nothing is off the rhythm.
    if not any(off(_interval(a, b, fit.cadence)) for a, b in zip(points, points[1:])):
        return list(points), []
    limit = max(1, len(points) // 8)
    kept, extras = list(points), []
    i = 1 if len(points) < _VECTOR_PRUNE else _first_extra(points, fit.cadence)
    while i < len(kept):
        if len(extras) > limit:  # decided already (see below): no need to carve further
            break
        before = _interval(kept[i - 1], kept[i], fit.cadence)
        if i == len(kept) - 1:
            if before[0] < 1:  # the latest charge repeats the previous cycle
                extras.append(kept.pop(i))
            break
        after = _interval(kept[i], kept[i + 1], fit.cadence)
        around = _interval(kept[i - 1], kept[i + 1], fit.cadence)
        bridged = around[0] == 1 and abs(around[1]) <= tol
        if not bridged and i >= 2:  # the previous charge posted late: bridge from the one before
            wide = _interval(kept[i - 2], kept[i + 1], fit.cadence)
            bridged = wide[0] == 2 and abs(wide[1]) <= tol
        if bridged and (before[0] < 1 or off(before) and off(after)):
            extras.append(kept.pop(i))
            continue
        i += 1
    # Many "extras" means the rhythm was carved out of dense buying (coffee), not found.
    if len(extras) > limit:
        return list(points), []
    return kept, extras


# From this many charges on, the first charge to set aside is looked for with numpy.
_VECTOR_PRUNE = 48


def _first_extra(points: Sequence[Point], cadence) -> int:
    """Where :func:`_prune_extras` sets the first charge aside (``len(points)`` if nowhere).

    Before the first charge goes, every test is on the charges as given, so all of them can be
    made at once; a shop's long irregular track then costs a few array operations, not a loop.
    """
    days = np.fromiter((p.day for p in points), dtype=np.int64, count=len(points))
    months = np.fromiter((p.month for p in points), dtype=np.int64, count=len(points))
    doms = np.fromiter((p.dom for p in points), dtype=np.int64, count=len(points))
    tol = cadence.tolerance
    before_steps, before_dev = intervals(days[:-1], months[:-1], doms[:-1], days[1:], cadence)  # i-1 -> i
    around_steps, around_dev = intervals(days[:-2], months[:-2], doms[:-2], days[2:], cadence)  # i-1 -> i+1
    wide_steps, wide_dev = intervals(days[:-3], months[:-3], doms[:-3], days[3:], cadence)  # i-2 -> i+1
    off = (before_steps < 1) | (np.abs(before_dev) > tol)  # off[k]: the interval ending at k+1
    bridged = (around_steps == 1) & (np.abs(around_dev) <= tol)  # bridged[k]: around charge k+1
    wide = np.zeros_like(bridged)
    wide[1:] = (wide_steps == 2) & (np.abs(wide_dev) <= tol)  # from charge k-1, around charge k+1 (k >= 1)
    bridged |= wide
    # charge i (1 <= i <= n-2) goes when bridged and (too soon after the one before, or off both sides)
    goes = bridged & ((before_steps[:-1] < 1) | (off[:-1] & off[1:]))
    found = np.flatnonzero(goes)
    if len(found):
        return int(found[0]) + 1
    return len(points) - 1 if before_steps[-1] < 1 else len(points)


@lru_cache(maxsize=1 << 12)
def _best_pruned(pts: tuple[Point, ...]) -> tuple[CadenceFit, list[Point], list[Point]]:
    """The cadence that fits best once each cadence's own off-cycle extras are set aside.

    Memoised: discovery scores each series twice (alone, then against the vendor's other
    charges) and the pruning depends on the series' own charges only.
    """
    options = []
    parts = _parts(pts)
    for cadence in CADENCES:
        kept, extras = _prune_extras(pts, fit_parts(parts, cadence))
        fit = fit_parts(_parts(kept), cadence) if extras else fit_parts(parts, cadence)
        options.append((round(fit.score, 9), -len(extras), -fit.skipped, cadence.nominal_days, fit, kept, extras))
    *_, fit, kept, extras = max(options, key=lambda o: o[:4])
    return fit, kept, extras


def evaluate(points: Sequence[Point], context: Sequence[Point] = (), prune: bool = True) -> Series:
    """Score one candidate series: cadence, price levels, confidence (0–1) and evidence text.

    ``context`` is the vendor's other charges (not explained by another accepted series);
    see :func:`_context` for how they weigh against a series.  ``prune=False`` keeps every
    charge (to describe a whole vendor's charges when refusing it).
    """
    pts = sorted(points, key=lambda p: (p.day, p.row))
    if len(pts) < 2:
        return Series(tuple(pts), None, evidence=f"1 charge of {_money(pts[0].cents)}: nothing repeats")
    if prune:
        fit, pts, extras = _best_pruned(tuple(pts))
    else:
        fit, extras = best_parts(_parts(pts)), []
    cents = [p.cents for p in pts]
    levels = price_levels(cents)
    noise = level_noise(cents, levels)
    regularity, count_factor = _rhythm(fit, len(pts))
    amount_factor = 1.0 if noise <= 0.01 else max(0.0, 1.0 - (noise - 0.01) * 25)  # 5% noise: no price
    if len(levels) - 1 > max(1, len(pts) // 4):  # price "changes" every few charges: not a price list
        amount_factor *= 0.5
    others = context if isinstance(context, Others) else Others.of(context)
    context_factor, others, on_cycle = _context(pts, fit, others.without([p.row for p in (*pts, *extras)]))
    confidence = round(regularity * count_factor * amount_factor * context_factor, 3)
    evidence = _evidence(pts, fit, levels, noise, others, extras, on_cycle)
    return Series(tuple(pts), fit, tuple(levels), confidence, evidence, tuple(extras))


def _rhythm(fit: CadenceFit, charges: int) -> tuple[float, float]:
    """(regularity, count factor) of a series: how on time it is, and whether it has charges enough."""
    # Half the intervals on time is no rhythm at all: map 50%..100% on-time onto 0..1.
    regularity = max(0.0, 2 * fit.score - 1)
    extra = charges - fit.cadence.min_charges
    return regularity, 0.0 if extra < 0 else min(1.0, 0.7 + 0.1 * extra)


def confidence_bound(points: Sequence[Point]) -> float:
    """The most confidence :func:`evaluate` can give these charges, whatever the context.

    Regularity × count, rounded as the confidence is: the amount and context factors are at
    most 1.  Much cheaper than scoring (no price levels, no context), so a group's many
    irregular tracks can be set aside before they are scored.
    """
    if len(points) < 2:
        return 0.0
    fit, kept, _ = _best_pruned(tuple(sorted(points, key=lambda p: (p.day, p.row))))
    regularity, count_factor = _rhythm(fit, len(kept))
    return round(regularity * count_factor, 3)


def _expected_gaps(pts: Sequence[Point], fit: CadenceFit) -> list[int]:
    """Due days (ordinals) with no charge of the series: one cycle before, skipped cycles, one after."""
    cadence = fit.cadence

    def shift(point: Point, k: int) -> int:
        return point.day + k * cadence.days if cadence.days else month_start(point.month + k * cadence.months, point.dom)

    gaps = [shift(pts[0], -1), shift(pts[-1], 1)]
    for prev, cur in zip(pts, pts[1:]):
        steps, _ = _interval(prev, cur, cadence)
        gaps += [shift(prev, k) for k in range(1, steps)]
    return gaps


@dataclass(frozen=True)
class Others:
    """A vendor's other charges as arrays (day ordinal, cents, row), for scoring many series
    against the same background without a Python loop per charge per series."""

    days: np.ndarray
    cents: np.ndarray
    rows: np.ndarray
    position: dict[int, int] = field(default_factory=dict)  # row id → index in the arrays

    @classmethod
    def of(cls, points: Sequence[Point]) -> "Others":
        """The arrays of ``points``."""
        return cls(np.fromiter((p.day for p in points), dtype=np.int64, count=len(points)),
                   np.fromiter((p.cents for p in points), dtype=np.int64, count=len(points)),
                   np.fromiter((p.row for p in points), dtype=np.int64, count=len(points)),
                   {p.row: i for i, p in enumerate(points)})

    def without(self, rows: Sequence[int]) -> "Others":
        """These charges less the given rows (a series' own charges and extras)."""
        if not self.position and len(self.rows):  # a derived set: no row index, compare the arrays
            keep = ~np.isin(self.rows, np.fromiter(rows, dtype=np.int64))
            return Others(self.days[keep], self.cents[keep], self.rows[keep])
        drop = [self.position[row] for row in rows if row in self.position]
        if not drop:
            return self
        keep = np.ones(len(self.rows), dtype=bool)
        keep[drop] = False
        return Others(self.days[keep], self.cents[keep], self.rows[keep])


def _context(pts: Sequence[Point], fit: CadenceFit, others: Others) -> tuple[float, int, int]:
    """How the vendor's other charges weigh against the series: (factor, others counted, on-cycle).

    * Other spending in the series' span: where irregular buying at such amounts is common
      (groceries, fuel), a regular-looking subset may be chance.  A long series counts the
      others in its span within 15% of its amount — a 12.95 membership stands out among
      grocery bills of 25–160.  A short one (a yearly pair, three monthly charges) also
      counts every other charge in its span and similar amounts at any time (a restaurant
      visited now and then produces "series" of three similar bills by chance).
    * Other charges exactly where the series has a gap (the cycle before, a skipped cycle,
      the cycle after), more often than the vendor's charge rate explains by chance, mean
      it bills every cycle at varying amounts: a utility bill whose similar months happened
      to line up, not a subscription.
    """
    first, last = pts[0].day, pts[-1].day
    typical = sorted(p.cents for p in pts)[len(pts) // 2]
    short = len(pts) < fit.cadence.min_charges + 2
    inside = (others.days >= first) & (others.days <= last)
    similar = np.abs(others.cents - typical) <= 0.15 * typical  # as _similar, for every charge at once
    counted = int(np.count_nonzero((inside & (similar | short)) | (short & similar)))
    tol = fit.cadence.tolerance
    gaps = np.array(_expected_gaps(pts, fit), dtype=np.int64)
    near = np.sort(others.days)  # is some other charge within tol of a gap?
    on_cycle = int(np.count_nonzero(np.searchsorted(near, gaps - tol, "left") < np.searchsorted(near, gaps + tol, "right")))
    # Where the vendor charges every few days (groceries) some charge lands near any date;
    # only hits beyond that chance level say "billed every cycle".
    span = [first, last] + ([int(near[0]), int(near[-1])] if len(near) else [])
    rate = len(others.days) / max(1, max(span) - min(span))
    chance = (1 - math.exp(-rate * (2 * tol + 1))) * len(gaps)
    share_other = counted / (counted + len(pts))
    excess = max(0.0, on_cycle - chance)
    share_cycle = excess / (excess + len(pts))
    factor = (1.0 - share_other**2) * max(0.0, 1.0 - 2 * share_cycle)  # a few barely matter; many do
    return factor, counted, on_cycle


def _money(cents: float) -> str:
    return f"{cents / 100:.2f}"


def _evidence(pts, fit: CadenceFit, levels, noise: float, others: int, extras, on_cycle: int = 0) -> str:
    """One sentence a person can check: count, regularity, amount spread, what argued against."""
    lo, hi = min(p.cents for p in pts), max(p.cents for p in pts)
    parts = [
        f"{len(pts)} charges",
        f"{fit.regular} of {fit.intervals} intervals {fit.cadence.name}"
        + (f" within {fit.worst_days} days" if fit.regular else ""),
    ]
    if fit.skipped:
        parts.append(f"{fit.skipped} cycle{'s' if fit.skipped > 1 else ''} skipped")
    spread = f"amounts {_money(lo)}–{_money(hi)}" if lo != hi else f"amount {_money(lo)} every time"
    if lo != hi:
        exact = noise < 0.0005
        spread += " (exact at each price)" if exact else f" (±{noise * 100:.1f}% around the price level)"
    parts.append(spread)
    if len(levels) > 1:
        parts.append(f"{len(levels) - 1} price change{'s' if len(levels) > 2 else ''}")
    if len(pts) < fit.cadence.min_charges:
        parts.append(f"fewer than {fit.cadence.min_charges} charges needed for {fit.cadence.name}")
    if others:
        parts.append(f"{others} other charge{'s' if others > 1 else ''} from this vendor in the same period")
    if on_cycle:
        parts.append(f"other amounts billed in {on_cycle} of its empty cycle{'s' if on_cycle > 1 else ''}")
    if extras:
        parts.append(f"{len(extras)} off-cycle charge{'s' if len(extras) > 1 else ''} left out")
    return ", ".join(parts)
