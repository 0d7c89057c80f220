"""Price levels of a recurring series: when its price changed, and how noisy it is around them.

Input: a series' amounts in cents, in date order.  Output: ``[(start index, typical cents)]``
per price level (:func:`price_levels`) and the typical relative deviation from the level
(:func:`level_noise`) — tax and currency conversion make a price wobble without changing it.
"""

from __future__ import annotations

from statistics import median
from typing import Sequence

__all__ = ["price_levels", "level_noise"]


def price_levels(cents: Sequence[int]) -> list[tuple[int, int]]:
    """Split an amount sequence into price levels: ``[(start index, typical cents), ...]``.

    A new level starts where an amount leaves the current level by more than the series'
    own noise (×4, at least 1.5% and 3 cents) and the next amount (if any) agrees with it,
    so one odd prorated charge is not a price change but a lasting step is.
    """
    if not cents:
        return []
    steps = [abs(b - a) / max(a, 1) for a, b in zip(cents, cents[1:])]
    # The noise is what a typical step looks like; with one or two steps the step may be the
    # price change itself, so only a smaller step (or none) tells the noise.
    noise = median(steps) if len(steps) >= 3 else min(steps) if len(steps) == 2 else 0.0

    def apart(x: float, ref: float) -> bool:
        return abs(x - ref) > max(4 * noise * ref, 0.015 * ref, 3)

    levels, start = [], 0
    for i in range(1, len(cents)):
        ref = median(cents[max(start, i - 3):i])
        persistent = i == len(cents) - 1 or not apart(cents[i + 1], cents[i])
        if apart(cents[i], ref) and persistent:
            levels.append((start, round(median(cents[start:i]))))
            start = i
    levels.append((start, round(median(cents[start:]))))
    return levels


def level_noise(cents: Sequence[int], levels: Sequence[tuple[int, int]]) -> float:
    """Median relative deviation of each amount from its price level's typical amount."""
    bounds = [s for s, _ in levels] + [len(cents)]
    devs = [
        abs(cents[k] - typical) / max(typical, 1)
        for (start, typical), end in zip(levels, bounds[1:])
        for k in range(start, end)
    ]
    return median(devs) if devs else 0.0
