"""Recurring-charge discovery: the subscriptions in a person's statements, found from the data.

Input: the normalized transaction table (:mod:`chargecheck.schema`), recorded cancellations
and optionally a vendor matcher.  Output: :class:`Subscription` records (one per recurring
series) and, from :func:`discover`, the repeating-but-refused groups with their evidence.

Pipeline (each step says why):

1. Outgoing charges only (money out is negative); refunds are not subscriptions.
2. Vendor per row (:mod:`chargecheck.discover.vendor`): a recorded cancellation's vendor, else
   the knowledge-base vendor, else the cleaned descriptor — so ``NETFLIX.COM 866…`` and
   ``NF*NETFLIX`` are one merchant and the report uses the name the user knows.
3. Group per (vendor, currency); split and join by amount, account and time
   (:mod:`chargecheck.discover.series`); score the cadence (:mod:`chargecheck.discover.cadence`).
4. Status from the expected next charge and the cancellations, and for series no rule
   covers, the ``chargecheck cancel`` command that would start monitoring them.

Amounts in these records are what the person pays, as positive Decimals (a price), unlike
:class:`~chargecheck.model.Flag`, which keeps the statement's sign.  Everything is computed
relative to ``as_of`` (default: the last transaction date, and for status never past the
end of the statement a series appears on), never the clock, so a report is reproducible.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median_low
from typing import Sequence

import numpy as np
import pandas as pd

from .cadence import circular_median_day, next_expected
from .series import ACCEPT, Others, Point, Series, build_tracks, confidence_bound, evaluate, merge_tracks
from .vendor import vendor_columns
from ..model import Cancellation, Source
from ..schema import cents_to_decimal, decimal_to_cents

__all__ = [
    "Charge",
    "PriceChange",
    "Subscription",
    "Refused",
    "Discovery",
    "discover",
    "find_subscriptions",
]

@dataclass(frozen=True)
class Charge:
    """One charge of a series: when, how much was paid (positive), the descriptor and its source."""

    date: date
    amount: Decimal
    description: str
    source: Source
    account: str = ""


@dataclass(frozen=True)
class PriceChange:
    """The price of a series moved from ``from_amount`` to ``to_amount`` with the charge on ``date``."""

    date: date
    from_amount: Decimal
    to_amount: Decimal


@dataclass(frozen=True)
class Subscription:
    """A recurring series of charges: cadence, amounts, dates, status, evidence and its charges."""

    vendor: str
    description: str
    cadence: str
    status: str
    amount: Decimal
    amount_min: Decimal
    amount_max: Decimal
    currency: str
    first: date
    last: date
    next_expected: date
    next_amount: Decimal
    price_changes: tuple[PriceChange, ...]
    confidence: float
    evidence: str
    charges: tuple[Charge, ...]
    cancel_command: str | None = None
    cancelled_on: date | None = None


@dataclass(frozen=True)
class Refused:
    """A vendor whose charges repeat but do not form a subscription, with the evidence why not."""

    vendor: str
    description: str
    currency: str
    charges: int
    confidence: float
    evidence: str


@dataclass(frozen=True)
class Discovery:
    """Everything one discovery run found: subscriptions, refused repeaters, and the as-of date."""

    subscriptions: tuple[Subscription, ...]
    refused: tuple[Refused, ...]
    as_of: date | None


def find_subscriptions(
    transactions: pd.DataFrame,
    cancellations: Sequence[Cancellation] = (),
    matcher=None,
    as_of: date | None = None,
) -> tuple[Subscription, ...]:
    """The recurring series in ``transactions`` (see :func:`discover`; refused groups dropped)."""
    return discover(transactions, cancellations, matcher, as_of).subscriptions


def discover(
    transactions: pd.DataFrame,
    cancellations: Sequence[Cancellation] = (),
    matcher=None,
    as_of: date | None = None,
) -> Discovery:
    """Find recurring series, and the repeating vendors that were refused, in ``transactions``.

    ``matcher`` names vendors (default: the knowledge base when available); ``cancellations``
    link series to recorded cancellations (name and status); ``as_of`` is "today" for
    status, defaulting to the last transaction date so the result never depends on the clock.
    """
    explicit = as_of is not None
    transactions = transactions.reset_index(drop=True)  # row ids below must be unique
    if as_of is None and len(transactions):
        as_of = pd.Timestamp(transactions["date"].max()).date()
    out = transactions[transactions["amount_cents"] < 0].copy()
    out["_judge"] = _judge_dates(transactions, as_of, explicit).loc[out.index]
    if out.empty:
        return Discovery((), (), as_of)
    named = _fill_unknown_currency(vendor_columns(out, cancellations, matcher))
    by_vendor: dict[str, list[Cancellation]] = {}
    for c in cancellations:
        by_vendor.setdefault(c.vendor.casefold(), []).append(c)
    subs: list[Subscription] = []
    refused: list[Refused] = []
    table = _Charges.of(named)
    for vendor, currency, rows in table.groups():
        group_subs, group_refused = _discover_group(table, rows, vendor, currency, by_vendor, as_of)
        subs.extend(group_subs)
        refused.extend(group_refused)
    subs.sort(key=lambda s: (s.vendor.casefold(), s.currency, s.amount, s.first, s.cadence))
    refused.sort(key=lambda r: (r.vendor.casefold(), r.currency))
    return Discovery(tuple(subs), tuple(refused), as_of)


def _judge_dates(transactions: pd.DataFrame, as_of: date | None, explicit: bool) -> pd.Series:
    """Per row, the day its series' status is judged on: ``as_of``, but never past its statement.

    A series seen on a checking export that ends in June cannot be called ended because a
    card statement runs to August: absence is only evidence where the data covers the time.
    So, unless ``as_of`` was given explicitly, each row is judged at the last date of its
    account (or, without an account, of its file).

    The days are ``datetime64`` values (one array operation, not a ``date`` per row);
    :meth:`_Charges.judged_on` reads one as a date.
    """
    limit = np.datetime64(as_of, "s") if as_of is not None else np.datetime64("NaT", "s")
    if explicit or not len(transactions):
        return pd.Series(np.full(len(transactions), limit), index=transactions.index)
    account = transactions["account"]
    no_account = (account == "").to_numpy()
    scope = account if not no_account.any() else account.where(~no_account, "file:" + transactions["source_file"])
    covered = transactions.groupby(scope, sort=False)["date"].transform("max").to_numpy(dtype="datetime64[s]")
    return pd.Series(np.minimum(covered, limit), index=transactions.index)


def _fill_unknown_currency(rows: pd.DataFrame) -> pd.DataFrame:
    """Give rows without a currency the vendor's only known currency.

    A plain CSV export names no currency while the card's OFX says USD; the subscription
    that moved from one to the other is still one series.  With two known currencies the
    unknown rows stay apart (amounts in different currencies are never mixed).
    """
    known = rows[rows["currency"] != ""].groupby("vendor")["currency"].unique()
    single = {vendor: values[0] for vendor, values in known.items() if len(values) == 1}
    unknown = rows["currency"] == ""
    rows.loc[unknown, "currency"] = [single.get(vendor, "") for vendor in rows.loc[unknown, "vendor"]]
    return rows


@dataclass(frozen=True)
class _Charges:
    """The outgoing charges' columns as arrays, indexed by row id (the position in the table).

    Discovery reads a few columns of a few rows per series; arrays taken once from the table
    make that an index, not a pandas lookup per row, and give each (vendor, currency) group its
    row ids without building a DataFrame per group.
    """

    frame: pd.DataFrame
    day: np.ndarray  # date ordinal
    month: np.ndarray  # year * 12 + month - 1
    dom: np.ndarray  # day of month
    cents: np.ndarray  # paid, positive
    account: np.ndarray
    vendor: np.ndarray
    currency: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "_Charges":
        """The arrays of ``frame`` (re-indexed by position; the row order is kept)."""
        frame = frame.reset_index(drop=True)
        days = np.asarray(frame["date"].to_numpy(), dtype="datetime64[D]")
        months = days.astype("datetime64[M]")
        ordinal = days.astype(np.int64) + _EPOCH_ORDINAL
        month = months.astype(np.int64) + 1970 * 12
        dom = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
        return cls(frame, ordinal, month, dom, -frame["amount_cents"].to_numpy(dtype=np.int64),
                   frame["account"].to_numpy(dtype=object), frame["vendor"].to_numpy(dtype=object),
                   frame["currency"].to_numpy(dtype=object))

    def groups(self):
        """``(vendor, currency, row ids)`` per group, in vendor then currency order; rows in table order."""
        if not len(self.day):
            return
        vendor_codes, vendors = pd.factorize(self.vendor, sort=True)
        currency_codes, currencies = pd.factorize(self.currency, sort=True)
        order = np.lexsort((currency_codes, vendor_codes))  # stable: rows in table order
        key = vendor_codes[order].astype(np.int64) * len(currencies) + currency_codes[order]
        bounds = np.flatnonzero(np.diff(key)) + 1
        for rows in np.split(order, bounds):
            first = rows[0]
            yield str(vendors[vendor_codes[first]]), str(currencies[currency_codes[first]]), rows

    def points(self, rows: np.ndarray) -> list[Point]:
        """The :class:`Point` of each of ``rows``."""
        days = self.day[rows].tolist()
        dates = {day: date.fromordinal(day) for day in set(days)}
        return [Point(dates[day], cents, row, str(account), day, month, dom)
                for day, month, dom, cents, row, account in zip(
                    days, self.month[rows].tolist(), self.dom[rows].tolist(), self.cents[rows].tolist(),
                    rows.tolist(), self.account[rows])]

    def judged_on(self, row: int) -> date | None:
        """The day the status of a series ending with ``row`` is judged on (see :func:`_judge_dates`)."""
        day = self.frame["_judge"].iat[row]
        return None if pd.isna(day) else pd.Timestamp(day).date()

    def value(self, column: str, row: int):
        """One cell of the table."""
        return self._column(column)[row]

    def _column(self, column: str) -> np.ndarray:
        # the frame's columns as arrays, taken on first use (frozen: stored beside the fields)
        columns = self.__dict__.setdefault("_columns", {})
        if column not in columns:
            columns[column] = self.frame[column].to_numpy(dtype=object)
        return columns[column]


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _discover_group(table: _Charges, rows: np.ndarray, vendor, currency, cancellations, as_of):
    """Series and refusals for the charges of one (vendor, currency) group (``rows``: its row ids)."""
    points = table.points(rows)
    tracks = [t for t in merge_tracks(build_tracks(points)) if len(t) >= 2]  # one charge has no cadence
    # A series is scored alone, then against the vendor's other charges, which can only lower
    # its confidence: a track whose bound (see confidence_bound) is below the threshold is
    # never accepted, and is scored only if it could be the best of a refused vendor.
    bounds = [confidence_bound(t) for t in tracks]
    likely = [t for t, bound in zip(tracks, bounds) if bound >= ACCEPT]
    # Charges of other regular series of this vendor (a second Apple plan) are not "other
    # spending"; only what no regular series explains counts against a series.
    claimed = {p.row for s in map(evaluate, likely) if s.accepted for p in s.points}
    others = Others.of([p for p in points if p.row not in claimed])  # the same background for every series
    scored = [evaluate(t, others) for t in likely]
    accepted = [s for s in scored if s.accepted]
    candidates = cancellations.get(vendor.casefold(), [])
    subs = [_subscription(s, table, vendor, currency, _cancellation_for(s, candidates), as_of) for s in accepted]
    refused = []
    if not accepted and len(points) >= 3:
        whole = evaluate(points, prune=False)
        best = max((s.confidence for s in scored), default=None)
        for bound, track in sorted(((b, t) for b, t in zip(bounds, tracks) if b < ACCEPT), key=lambda bt: -bt[0]):
            if best is not None and bound <= best:  # no track left can score higher
                break
            confidence = evaluate(track, others).confidence
            best = confidence if best is None else max(best, confidence)
        in_order = sorted(points, key=lambda p: (p.day, p.row))
        refused.append(Refused(vendor, _description(table, in_order), currency, len(points),
                               whole.confidence if best is None else best, whole.evidence))
    return subs, refused


def _cancellation_for(series: Series, candidates: Sequence[Cancellation]) -> Cancellation | None:
    """The recorded cancellation that covers this series, if any.

    A cancellation with an ``amount`` covers only a series billed near that amount (within
    15% of one of its price levels): cancelling one of two plans of a merchant must not mark
    the other as cancelled.  Of several (re-subscribed, cancelled again) the latest decides.
    """
    levels = [typical for _, typical in series.levels]

    def covers(c: Cancellation) -> bool:
        if c.amount is None:
            return True
        cents = abs(decimal_to_cents(c.amount.quantize(Decimal("0.01"))))
        return any(abs(level - cents) <= 0.15 * cents for level in levels)

    covering = sorted((c for c in candidates if covers(c)), key=lambda c: c.cancelled_on)
    return covering[-1] if covering else None


def _most_frequent(values: pd.Series) -> str:
    """The most frequent value (in row order, the latest wins a tie)."""
    counts: dict[str, int] = {}
    order: dict[str, int] = {}
    for i, text in enumerate(values):
        counts[text] = counts.get(text, 0) + 1
        order[text] = i
    return max(counts, key=lambda t: (counts[t], order[t]))


def _description(table: _Charges, points: Sequence[Point]) -> str:
    """The most frequent raw descriptor of ``points`` (in date order; the latest wins a tie): what the bank prints."""
    return _most_frequent([table.value("description", p.row) for p in points])


def _subscription(series: Series, table: _Charges, vendor, currency, cancellation, as_of) -> Subscription:
    """Turn a scored series into the person-facing record (amounts positive, dates as dates)."""
    pts = series.points
    cadence = series.fit.cadence
    last_level_start = series.levels[-1][0]
    anchor = circular_median_day([p.date.day for p in pts[last_level_start:]])
    nxt = next_expected(pts[-1].date, cadence, anchor)
    amounts = [p.cents for p in pts]
    changes = tuple(
        PriceChange(pts[start].date, cents_to_decimal(prev), cents_to_decimal(typical))
        for (_, prev), (start, typical) in zip(series.levels, series.levels[1:])
    )
    charges = tuple(_charge(table, p) for p in pts)
    status = _status(pts, nxt, cadence.grace, cancellation, table.judged_on(pts[-1].row))
    alias = None
    if not table.value("named", pts[-1].row):  # a name of our own: tell the rule what the bank prints
        alias = _most_frequent([table.value("alias", p.row) for p in pts])
    command = None if cancellation else _cancel_command(vendor, series.levels[-1][1], as_of, alias)
    return Subscription(
        vendor=vendor,
        description=_description(table, pts),
        cadence=cadence.name,
        status=status,
        amount=cents_to_decimal(median_low(amounts)),
        amount_min=cents_to_decimal(min(amounts)),
        amount_max=cents_to_decimal(max(amounts)),
        currency=currency,
        first=pts[0].date,
        last=pts[-1].date,
        next_expected=nxt,
        next_amount=cents_to_decimal(series.levels[-1][1]),
        price_changes=changes,
        confidence=series.confidence,
        evidence=series.evidence,
        charges=charges,
        cancel_command=command,
        cancelled_on=cancellation.cancelled_on if cancellation else None,
    )


def _charge(table: _Charges, point: Point) -> Charge:
    line = table.value("source_line", point.row)
    source = Source(
        file=str(table.value("source_file", point.row)),
        line=None if pd.isna(line) else int(line),
        fitid=str(table.value("bank_id", point.row)) or None,
    )
    return Charge(point.date, cents_to_decimal(point.cents), str(table.value("description", point.row)), source,
                  point.account)


def _status(pts, nxt: date, grace: int, cancellation: Cancellation | None, as_of: date | None) -> str:
    """active / ended from the expected next charge; cancelled_but_charging beats both."""
    if cancellation is not None and pts[-1].date > cancellation.charges_expected_until:
        return "cancelled_but_charging"
    if as_of is None or nxt + timedelta(days=grace) >= as_of:
        return "active"
    return "ended"


def _cancel_command(vendor: str, cents: int, as_of: date | None, alias: str | None = None) -> str:
    """The exact command that records this series as cancelled, so it is monitored from now on.

    ``alias`` (the cleaned descriptor) is added when the vendor name is our own shortening of
    it, so the recorded rule recognises the descriptor the bank prints.
    """
    on = (as_of or date.today()).isoformat()
    command = f"chargecheck cancel {shlex.quote(vendor)} --on {on} --amount {cents_to_decimal(cents)}"
    if alias and alias.casefold() != vendor.casefold():
        command += f" --alias {shlex.quote(alias)}"
    return command
