"""Stage ``discover``: the recurring series (subscriptions) in a person's statements.

Input: the transaction table (:mod:`chargecheck.schema`), recorded cancellations and optionally
a :class:`~chargecheck.match.Matcher` for vendor names.  Output: :class:`Subscription` records
and, from :func:`discover`, the repeating-but-refused groups (:class:`Refused`).

Modules: :mod:`.subscriptions` (the entry points and records), :mod:`.vendor` (a vendor name per
row), :mod:`.series` (tracks, merging, evaluation), :mod:`.cadence` (cadence fitting),
:mod:`.prices` (price levels).

May import: :mod:`chargecheck.model`, :mod:`chargecheck.schema`, :mod:`chargecheck.match`.
Never importers, flag, report or cli.
"""

from __future__ import annotations

from .subscriptions import (
    Charge,
    Discovery,
    PriceChange,
    Refused,
    Subscription,
    discover,
    find_subscriptions,
)

__all__ = ["Charge", "PriceChange", "Subscription", "Refused", "Discovery", "discover",
           "find_subscriptions"]
