"""Calendar arithmetic behind cadence detection: month ends, circular days, next charge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chargecheck.discover.cadence import (
    CADENCE_BY_NAME,
    add_months,
    best_cadence,
    circular_median_day,
    fit_cadence,
    next_expected,
)
from chargecheck.discover.prices import price_levels

MONTHLY = CADENCE_BY_NAME["monthly"]


@pytest.mark.parametrize(
    ("day", "months", "anchor", "expected"),
    [
        (date(2025, 1, 31), 1, None, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, None, date(2024, 2, 29)),
        (date(2025, 2, 28), 1, 31, date(2025, 3, 31)),
        (date(2025, 11, 15), 3, None, date(2026, 2, 15)),
        (date(2025, 3, 31), -1, None, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, None, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_and_reanchors(day, months, anchor, expected):
    assert add_months(day, months, anchor) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [([28, 30, 31, 1, 2], 31), ([15, 15, 16], 15), ([31, 1, 1, 31, 2], 1), ([14, 17], 17), ([5], 5)],
)
def test_circular_median_day(days, expected):
    assert circular_median_day(days) == expected


@pytest.mark.parametrize(
    ("dates", "cadence", "skipped"),
    [
        (["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"], "monthly", 0),
        (["2025-01-10", "2025-02-10", "2025-04-10", "2025-05-12"], "monthly", 1),
        (["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-28", "2025-02-03"], "weekly", 0),
        (["2025-01-06", "2025-01-20", "2025-02-03", "2025-02-17"], "biweekly", 0),
        (["2025-01-15", "2025-04-15", "2025-07-16", "2025-10-15"], "quarterly", 0),
        (["2023-05-02", "2024-05-02", "2025-05-05"], "yearly", 0),
    ],
)
def test_best_cadence(dates, cadence, skipped):
    fit = best_cadence([date.fromisoformat(d) for d in dates])
    assert (fit.cadence.name, fit.skipped, fit.regular) == (cadence, skipped, len(dates) - 1)


def test_irregular_dates_fit_nothing_well():
    start = date(2025, 1, 1)
    dates = [start + timedelta(days=d) for d in (0, 3, 4, 9, 20, 22, 41, 47, 50)]
    assert max(fit_cadence(dates, c).score for c in CADENCE_BY_NAME.values()) < 0.75


@pytest.mark.parametrize(
    ("last", "anchor", "expected"),
    [
        (date(2025, 3, 2), 30, date(2025, 3, 30)),   # February's charge slipped into March
        (date(2025, 1, 31), 31, date(2025, 2, 28)),
        (date(2025, 4, 10), 10, date(2025, 5, 10)),
    ],
)
def test_next_expected_monthly(last, anchor, expected):
    assert next_expected(last, MONTHLY, anchor) == expected


def test_next_expected_weekly_and_yearly():
    assert next_expected(date(2025, 3, 4), CADENCE_BY_NAME["weekly"], 4) == date(2025, 3, 11)
    assert next_expected(date(2024, 2, 29), CADENCE_BY_NAME["yearly"], 29) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("cents", "levels"),
    [
        ([1099, 1099, 1099, 1299, 1299], [(0, 1099), (3, 1299)]),
        ([2000, 2013, 1994, 2007, 2002], [(0, 2002)]),          # tax/FX drift: one level
        ([999, 999, 1499, 999, 999], [(0, 999)]),               # one odd charge is no price change
        ([999, 999, 999, 1099], [(0, 999), (3, 1099)]),         # the latest charge at a new price
        ([1549, 1549, 1799, 1799, 1999, 1999], [(0, 1549), (2, 1799), (4, 1999)]),
    ],
)
def test_price_levels(cents, levels):
    assert price_levels(cents) == levels


@pytest.mark.parametrize(
    ("cents", "levels"),
    [([5999, 6999], [(0, 5999), (1, 6999)]), ([999, 1199, 1199], [(0, 999), (1, 1199)]),
     ([999, 999, 1199], [(0, 999), (2, 1199)]), ([999], [(0, 999)]), ([], [])],
)
def test_price_levels_of_short_series(cents, levels):
    assert price_levels(cents) == levels
