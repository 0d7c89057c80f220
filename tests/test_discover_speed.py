"""The fast paths of discovery agree with the plain definitions they replace.

* cadence fitting on day numbers (a Python loop for short series, numpy for long ones) gives
  the fit that measuring every interval with :func:`interval_fit` on ``date`` objects gives;
* ``merge_tracks`` (pairs measured once, only tracks near in time) joins tracks as the
  all-pairs rescan after every merge does;
* ``confidence_bound`` is never below the confidence a series gets, with or without context.

Inputs are seeded random charge histories: regular series with late postings, skips and
double charges, and dense irregular buying.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from chargecheck.discover.cadence import CADENCES, CadenceFit, fit_cadence, interval_fit
from chargecheck.discover.series import (
    Others,
    Point,
    _established,
    _fit,
    _flawless,
    _join_cost,
    build_tracks,
    confidence_bound,
    evaluate,
    merge_tracks,
)


def _reference_fit(dates: list[date], cadence) -> CadenceFit:
    """Every interval measured on dates, one at a time (the definition)."""
    regular = skipped = worst = 0
    for i in range(1, len(dates)):
        steps, deviation = interval_fit(dates[i - 1], dates[i], cadence)
        if not (steps >= 1 and abs(deviation) <= cadence.tolerance) and i >= 2:
            steps_2, deviation_2 = interval_fit(dates[i - 2], dates[i], cadence)
            if steps_2 >= 2 and abs(deviation_2) <= cadence.tolerance:
                steps, deviation = steps_2 - 1, deviation_2
        if steps >= 1 and abs(deviation) <= cadence.tolerance:
            regular, skipped, worst = regular + 1, skipped + steps - 1, max(worst, abs(deviation))
    return CadenceFit(cadence, max(0, len(dates) - 1), regular, skipped, worst)


def _history(rng: random.Random, n: int, period: int) -> list[date]:
    year = rng.randint(2015, 2026)
    day = rng.choice([date(year, rng.randint(1, 12), rng.randint(1, 28)), date(year, 1, 31), date(year, 3, 30)])
    dates = []
    for _ in range(n):
        dates.append(day)
        jitter = rng.randint(-4, 4) if rng.random() < 0.3 else 0
        gap = period * rng.choice([1, 1, 1, 2]) + jitter if rng.random() < 0.9 else rng.randint(0, 3)
        day += timedelta(days=max(0, gap))
    return dates


@pytest.mark.parametrize("seed", range(40))
def test_fit_on_day_numbers_matches_fit_on_dates(seed):
    rng = random.Random(seed)
    for n in (2, 3, 7, 47, 48, 49, 150):  # both sides of the switch to numpy
        dates = _history(rng, n, rng.choice([1, 7, 14, 30, 31, 91, 365]))
        for cadence in CADENCES:
            assert fit_cadence(dates, cadence) == _reference_fit(dates, cadence), (seed, n, cadence.name)


def _reference_merge(tracks):
    """Every pair measured again after every merge, first track with a continuation first."""
    merged = [list(t) for t in tracks]
    changed = True
    while changed:
        changed = False
        merged.sort(key=lambda t: (t[0].date, t[0].row))
        for i, a in enumerate(merged):
            fit_a, options = _fit(a), []
            for j, b in enumerate(merged):
                if j == i or b[0].date <= a[-1].date:
                    continue
                fit_b = _fit(b)
                est_a, est_b = _established(a, fit_a), _established(b, fit_b)
                if est_a and est_b and fit_a.cadence != fit_b.cadence:
                    continue
                basis = fit_a if est_a else fit_b if est_b else _flawless(a, b)
                cost = None if basis is None else _join_cost(a, b, basis)
                if cost is not None:
                    options.append((cost, j))
            if options:
                _, j = min(options)
                merged[i] = a + merged[j]
                del merged[j]
                changed = True
                break
    return merged


def _charges(rng: random.Random) -> list[Point]:
    """A merchant's charges: a few plans (some moving card or price) and irregular buying."""
    points, row = [], 0
    for _ in range(rng.randint(1, 4)):
        cents = rng.choice([499, 999, 1299, 1499, 2999])
        period = rng.choice([7, 14, 30, 91, 365])
        for n, day in enumerate(_history(rng, rng.randint(2, 14), period)):
            price = cents if n < 6 or rng.random() < 0.5 else int(cents * 1.2)
            points.append(Point.on(day, price, row, rng.choice(["", "", "card-2"])))
            row += 1
    start = date(2020, 1, 1)
    for _ in range(rng.randint(0, 60)):
        points.append(Point.on(start + timedelta(days=rng.randint(0, 2000)), rng.randint(300, 9000), row))
        row += 1
    return points


@pytest.mark.parametrize("seed", range(60))
def test_merge_tracks_joins_as_the_all_pairs_rescan_does(seed):
    tracks = build_tracks(_charges(random.Random(seed)))
    assert merge_tracks(tracks) == _reference_merge(tracks)


@pytest.mark.parametrize("seed", range(60))
def test_confidence_bound_is_never_below_the_confidence(seed):
    points = _charges(random.Random(seed))
    others = Others.of(points)
    for track in merge_tracks(build_tracks(points)):
        bound = confidence_bound(track)
        assert evaluate(track).confidence <= bound
        assert evaluate(track, others.without([p.row for p in track])).confidence <= bound


def test_the_random_merchants_do_exercise_merging():
    """The comparison above means something only if tracks do get joined in these histories."""
    joined = 0
    for seed in range(60):
        tracks = build_tracks(_charges(random.Random(seed)))
        joined += len(tracks) - len(merge_tracks(tracks))
    assert joined >= 20


@pytest.mark.parametrize("seed", range(40))
def test_pruning_long_series_with_numpy_sets_aside_what_the_loop_does(seed, monkeypatch):
    """The first charge to set aside, found with arrays, is the one the loop finds charge by charge."""
    from chargecheck.discover import series

    rng = random.Random(seed)
    period = rng.choice([1, 3, 7, 14, 30, 91])
    points = [Point.on(day, 999, row) for row, day in enumerate(_history(rng, rng.choice([48, 60, 200]), period))]
    fast = [series._prune_extras(points, fit_cadence([p.date for p in points], c)) for c in CADENCES]
    monkeypatch.setattr(series, "_VECTOR_PRUNE", 10**9)
    slow = [series._prune_extras(points, fit_cadence([p.date for p in points], c)) for c in CADENCES]
    assert fast == slow


def test_the_long_histories_do_have_charges_to_set_aside():
    """The comparison above means something only if the loop does set charges aside in them."""
    from chargecheck.discover import series

    pruned = 0
    for seed in range(40):
        rng = random.Random(seed)
        period = rng.choice([1, 3, 7, 14, 30, 91])
        points = [Point.on(day, 999, row) for row, day in enumerate(_history(rng, rng.choice([48, 60, 200]), period))]
        pruned += any(series._prune_extras(points, fit_cadence([p.date for p in points], c))[1] for c in CADENCES)
    assert pruned >= 30
