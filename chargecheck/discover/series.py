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
from datetime import date, timedelta
from statistics import median
from typing import Sequence

import numpy as np

from .cadence import CADENCES, CadenceFit, add_months, best_cadence, fit_cadence, interval_fit
from .prices import level_noise, price_levels

__all__ = ["Point", "Series", "Others", "build_tracks", "merge_tracks", "evaluate"]

# A charge stays in a track while within 6% (+2 cents) of the track's recent amount:
# wide enough for sales tax and card FX drift, narrower than most price rises (which the
# merge step joins back as a price change) and than the gap between two plans of one merchant.
AMOUNT_DRIFT = 0.06
AMOUNT_DRIFT_CENTS = 2
# A price change between tracks is believed up to +50% (or -33%); more is another plan.
MAX_PRICE_RATIO = 1.5
ACCEPT = 0.5


@dataclass(frozen=True)
class Point:
    """One outgoing charge: date, amount in cents (positive = paid), row id in the table, account."""

    date: date
    cents: int
    row: int
    account: str = ""


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


def _near(cents: int, ref: float) -> bool:
    return abs(cents - ref) <= max(AMOUNT_DRIFT * ref, AMOUNT_DRIFT_CENTS)


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
    for point in sorted(points, key=lambda p: (p.date, p.row)):
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
            refs[best] = median(p.cents for p in tracks[best][-3:])
            insort(ordered, (refs[best], best))
    return tracks


def _fit(track: Sequence[Point]) -> CadenceFit | None:
    return best_cadence([p.date for p in track])


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
    fit = _fit(sorted(track, key=lambda p: (p.date, p.row)))
    if fit and len(track) >= fit.cadence.min_charges and fit.regular == fit.intervals and not fit.skipped:
        return fit
    return None


def _join_cost(a: Sequence[Point], b: Sequence[Point], fit: CadenceFit) -> tuple | None:
    """Cost of reading track ``b`` as the continuation of ``a`` under ``fit``'s cadence, or None.

    The junction is judged on the last two charges of ``a`` against the first two of ``b``
    (at most one cycle skipped), so one late posting right at the switch does not hide it.
    """
    if b[0].date <= a[-1].date:
        return None
    ratio = b[0].cents / max(a[-1].cents, 1)
    if not 1 / MAX_PRICE_RATIO <= ratio <= MAX_PRICE_RATIO:
        return None
    best = None
    for back in (1, 2):
        for ahead in (0, 1):
            if back > len(a) or ahead >= len(b):
                continue
            steps, deviation = interval_fit(a[-back].date, b[ahead].date, fit.cadence)
            expected = back + ahead
            if expected <= steps <= expected + 1 and abs(deviation) <= fit.cadence.tolerance:
                cost = (steps - expected, abs(deviation), abs(ratio - 1))
                best = cost if best is None or cost < best else best
    return best


def merge_tracks(tracks: Sequence[Sequence[Point]]) -> list[list[Point]]:
    """Join tracks that continue one another (new card, new price) into one series.

    Track ``b`` continues ``a`` when it starts one (or two, a skipped cycle) periods after
    ``a`` ends under the cadence of whichever of them is established, and neither has an
    established cadence that disagrees.  Cheapest continuation first; repeats to a fixpoint.
    """
    merged = [list(t) for t in tracks]
    fits: dict[tuple[int, ...], CadenceFit | None] = {}

    def fit_of(track):
        key = tuple(p.row for p in track)
        if key not in fits:
            fits[key] = _fit(track)
        return fits[key]

    changed = True
    while changed:
        changed = False
        merged.sort(key=lambda t: (t[0].date, t[0].row))
        for i, a in enumerate(merged):
            fit_a = fit_of(a)
            options = []
            for j, b in enumerate(merged):
                if j == i or b[0].date <= a[-1].date:
                    continue
                fit_b = fit_of(b)
                est_a, est_b = _established(a, fit_a), _established(b, fit_b)
                if est_a and est_b and fit_a.cadence != fit_b.cadence:
                    continue
                basis = fit_a if est_a else fit_b if est_b else _flawless(a, b)
                if basis is None:
                    continue
                cost = _join_cost(a, b, basis)
                if cost is not None:
                    options.append((cost, j))
            if options:
                _, j = min(options)
                merged[i] = a + merged[j]
                del merged[j]
                changed = True
                break
    return merged


def _prune_extras(points: list[Point], fit: CadenceFit) -> tuple[list[Point], list[Point]]:
    """Set aside charges off the rhythm: a one-off purchase at the same price, a double charge.

    A charge goes when its neighbours are on time with each other and it is not (one-off
    purchase), or when it falls in the same cycle as the previous charge (double billing,
    a duplicate row); the series' own rhythm then stays measurable.
    """
    tol = fit.cadence.tolerance

    def off(steps_dev: tuple[int, int]) -> bool:
        return steps_dev[0] < 1 or abs(steps_dev[1]) > tol

    kept, extras = list(points), []
    i = 1
    while i < len(kept):
        before = interval_fit(kept[i - 1].date, kept[i].date, fit.cadence)
        if i == len(kept) - 1:
            if before[0] < 1:  # the latest charge repeats the previous cycle
                extras.append(kept.pop(i))
            break
        after = interval_fit(kept[i].date, kept[i + 1].date, fit.cadence)
        around = interval_fit(kept[i - 1].date, kept[i + 1].date, fit.cadence)
        bridged = around[0] == 1 and abs(around[1]) <= tol
        if not bridged and i >= 2:  # the previous charge posted late: bridge from the one before
            wide = interval_fit(kept[i - 2].date, kept[i + 1].date, fit.cadence)
            bridged = wide[0] == 2 and abs(wide[1]) <= tol
        if bridged and (before[0] < 1 or off(before) and off(after)):
            extras.append(kept.pop(i))
            continue
        i += 1
    # Many "extras" means the rhythm was carved out of dense buying (coffee), not found.
    if len(extras) > max(1, len(points) // 8):
        return list(points), []
    return kept, extras


def _best_pruned(pts: list[Point]) -> tuple[CadenceFit, list[Point], list[Point]]:
    """The cadence that fits best once each cadence's own off-cycle extras are set aside."""
    options = []
    for cadence in CADENCES:
        kept, extras = _prune_extras(pts, fit_cadence([p.date for p in pts], cadence))
        fit = fit_cadence([p.date for p in kept], cadence)
        options.append((round(fit.score, 9), -len(extras), -fit.skipped, cadence.nominal_days, fit, kept, extras))
    *_, fit, kept, extras = max(options, key=lambda o: o[:4])
    return fit, kept, extras


def evaluate(points: Sequence[Point], context: Sequence[Point] = (), prune: bool = True) -> Series:
    """Score one candidate series: cadence, price levels, confidence (0–1) and evidence text.

    ``context`` is the vendor's other charges (not explained by another accepted series);
    see :func:`_context` for how they weigh against a series.  ``prune=False`` keeps every
    charge (to describe a whole vendor's charges when refusing it).
    """
    pts = sorted(points, key=lambda p: (p.date, p.row))
    if len(pts) < 2:
        return Series(tuple(pts), None, evidence=f"1 charge of {_money(pts[0].cents)}: nothing repeats")
    if prune:
        fit, pts, extras = _best_pruned(pts)
    else:
        fit, extras = best_cadence([p.date for p in pts]), []
    cents = [p.cents for p in pts]
    levels = price_levels(cents)
    noise = level_noise(cents, levels)
    # Half the intervals on time is no rhythm at all: map 50%..100% on-time onto 0..1.
    regularity = max(0.0, 2 * fit.score - 1)
    extra = len(pts) - fit.cadence.min_charges
    count_factor = 0.0 if extra < 0 else min(1.0, 0.7 + 0.1 * extra)
    amount_factor = 1.0 if noise <= 0.01 else max(0.0, 1.0 - (noise - 0.01) * 25)  # 5% noise: no price
    if len(levels) - 1 > max(1, len(pts) // 4):  # price "changes" every few charges: not a price list
        amount_factor *= 0.5
    others = context if isinstance(context, Others) else Others.of(context)
    context_factor, others, on_cycle = _context(pts, fit, others.without([p.row for p in (*pts, *extras)]))
    confidence = round(regularity * count_factor * amount_factor * context_factor, 3)
    evidence = _evidence(pts, fit, levels, noise, others, extras, on_cycle)
    return Series(tuple(pts), fit, tuple(levels), confidence, evidence, tuple(extras))


def _similar(cents: int, typical: int) -> bool:
    """Within 15% of a series' typical amount: other spending that could have formed it by chance."""
    return abs(cents - typical) <= 0.15 * typical


def _expected_gaps(pts: Sequence[Point], fit: CadenceFit) -> list[date]:
    """Due dates with no charge of the series: one cycle before, skipped cycles, one after."""
    cadence = fit.cadence

    def shift(day: date, k: int) -> date:
        return day + timedelta(days=k * cadence.days) if cadence.days else add_months(day, k * cadence.months)

    gaps = [shift(pts[0].date, -1), shift(pts[-1].date, 1)]
    for prev, cur in zip(pts, pts[1:]):
        steps, _ = interval_fit(prev.date, cur.date, cadence)
        gaps += [shift(prev.date, k) for k in range(1, steps)]
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
        return cls(np.fromiter((p.date.toordinal() for p in points), dtype=np.int64, count=len(points)),
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
    first, last = pts[0].date.toordinal(), pts[-1].date.toordinal()
    typical = sorted(p.cents for p in pts)[len(pts) // 2]
    short = len(pts) < fit.cadence.min_charges + 2
    inside = (others.days >= first) & (others.days <= last)
    similar = np.abs(others.cents - typical) <= 0.15 * typical  # as _similar, for every charge at once
    counted = int(np.count_nonzero((inside & (similar | short)) | (short & similar)))
    tol = fit.cadence.tolerance
    gaps = np.array([gap.toordinal() for gap in _expected_gaps(pts, fit)], dtype=np.int64)
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
