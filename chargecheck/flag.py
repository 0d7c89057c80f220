"""Stage ``flag``: charges after a cancellation, refunds that answer them, refundable renewals.

Input: the transaction table (:mod:`chargecheck.schema`) annotated by the matcher with
``cleaned``, ``match_vendor`` (``""`` = no match, else a ``Cancellation.vendor``),
``match_score``, ``match_alias`` and ``match_method`` (optionally ``match_tier`` and
``match_doubt``, and ``same_payment`` from :func:`chargecheck.dedupe.link_same_payments`); and
the cancellations.
Output: :class:`~chargecheck.model.FlagResult` — ``flags``, ``to_check``, ``refundable`` and ``accounts``.

Definitions (what a user disputing a charge needs):

* **Governing cancellation.** For a charge on day *d*, the latest cancellation of that vendor
  dated strictly before *d* (vendor names compared case-insensitively).  So when a vendor was
  cancelled twice, the later record governs the charges after it, and charges between the two
  stay flagged against the first — they happened after a cancellation either way.
* **Flag.** A charge (``amount_cents < 0``) dated after the governing cancellation's
  ``paid_through`` (or its ``cancelled_on`` without one).  A charge on the cancellation day is
  not flagged.  ``days_after`` = charge date − ``cancelled_on``.
* **Refunded.** A credit (``amount_cents > 0``) from the same vendor and currency (or a
  statement naming none), dated on or after the charge, answers one charge: the one it names
  — by a reference only that charge shares (mandate, end-to-end id), by the period it returns
  (``05/2026``, ``MAI 2026``) or by the charge's day printed in it — else the nearest earlier
  open charge of the same amount.  Credits are matched against every charge of the vendor,
  so the refund window never moves a credit.  The credit's source becomes ``refunded_by`` and
  a charge fully answered is ``refunded``.
* **Net of other credits.** Credits of the vendor that equal no open charge (a partial refund,
  one credit for two months) are then spent on its open charges dated on or before them, nearest
  earlier first: ``refunded_amount`` says how much came back; a charge fully covered is ``refunded``,
  one partly covered stays ``flagged`` and only what is left (``Flag.owed``) is at stake.
* **Refund deadline** (only with ``refund_window_days``): charge date + window, the last day
  to ask under a money-back guarantee, which runs from the day you were billed.
* **Refundable.** With ``refund_window_days`` *W*, matched charges dated from
  ``cancelled_on − W`` through ``cancelled_on`` (the renewal that triggered the cancellation):
  their deadline had not passed on the cancellation day.  Status ``refundable`` (or
  ``refunded`` when a credit answered it).  Never in ``flags`` nor in the exit code.
* **Amount.** Here a cancellation's ``amount`` is supporting evidence only (the matcher already
  used it to tell apart subscriptions billed under one shared biller): when a charge equals
  it, ``+amount`` is appended to the flag's ``method``.  A charge of another amount is still
  flagged — a price rise is exactly what a user must see.
* **Flag id.** 10 hex digits of SHA-256 over (account, bank id, date, amount, description
  with whitespace collapsed, occurrence), where occurrence numbers identical transactions in
  source order.  The file name and line are left out on purpose: renaming or moving a
  statement, or re-downloading it with a different date range (which shifts every line),
  keeps the id, so a recorded review decision still applies.

Tiers (the matcher's optional ``match_tier`` / ``match_doubt`` columns; without them every
match is confident):

* **To check.** A charge after the governing cancellation whose match is ``to_check`` becomes
  an entry of ``FlagResult.to_check`` (status ``to_check``, ``reason`` = the matcher's doubt):
  listed for a person, never totalled, never in the exit code.  Refundable renewals are
  confident matches only.
* **The user's own history** (:func:`_history_series`).  Before a cancellation, the vendor's
  charges of one amount, or under one cleaned descriptor, that recur (two or more, at least
  one a confident match) form a series with a cadence (the median gap).  A doubtful charge
  after the cancellation that continues such a series (same amount or same descriptor, on the
  cadence counted from the series' last charge) is flagged, ``+series`` appended to its method.
* **A new series** (:class:`_NewSeries`).  Charges that matched no vendor, under one cleaned
  descriptor never charged before, at the vendor's usual amount (its history series' amount or
  the rule's ``amount``), recurring on the vendor's cadence and starting within one cadence of
  the cancellation, are ``to_check`` (method ``series``): perhaps the vendor billing under a new
  name.
* **One payment.** Rows that :func:`chargecheck.dedupe.link_same_payments` marked as another
  line of a payment (column ``same_payment``: the position of the line that stands for it) are
  neither flagged nor spent as credits: their sources are listed in the flag's ``same_payment``.

Only matched rows are processed (vectorised with ``merge_asof``); Python loops run over
flags and matched credits only, never over all transactions.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from bisect import bisect_right

import numpy as np
import pandas as pd

from statistics import median

from .importers.typed import dates_named, months_named
from .model import ID_LENGTH, Cancellation, CancellationAccount, Flag, FlagResult, MatchTier, Source
from .schema import cents_to_decimal

__all__ = ["MATCH_COLUMNS", "flag_charges", "flag_ids", "account_cancellations", "ID_LENGTH"]

MATCH_COLUMNS: tuple[str, ...] = ("cleaned", "match_vendor", "match_score", "match_alias", "match_method")


def _vendor_keys(values: pd.Series, wanted: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: vendor key (case/space-insensitive) and whether it is wanted, computed per distinct value.

    Most rows match no vendor (``""``): only the others are factorized.
    """
    raw = values.to_numpy(dtype=object, na_value="")
    keys = np.full(len(raw), "", dtype=object)
    known = np.zeros(len(raw), dtype=bool)
    named = np.flatnonzero(raw != "")
    codes, uniques = pd.factorize(raw[named])
    distinct = np.array([str(u).strip().casefold() for u in uniques], dtype=object)
    keys[named] = distinct[codes] if len(codes) else keys[named]
    known[named] = np.array([key in wanted for key in distinct], dtype=bool)[codes] if len(codes) else False
    return keys, known


def _occurrence(rows: pd.DataFrame) -> pd.Series:
    """0, 1, … among identical transactions (same id content), in (source_file, source_line) order."""
    codes, uniques = pd.factorize(rows["description"].fillna("").astype(str))
    normal = np.array([" ".join(u.split()) for u in uniques] + [""], dtype=object)
    frame = pd.DataFrame({
        "account": rows["account"].to_numpy(dtype=object), "bank_id": rows["bank_id"].to_numpy(dtype=object),
        "date": rows["date"].to_numpy(), "amount_cents": rows["amount_cents"].to_numpy(),
        "description": pd.factorize(normal[codes])[0], "source_file": rows["source_file"].to_numpy(dtype=object),
        "source_line": rows["source_line"].to_numpy(dtype="float64", na_value=np.nan),
    }, index=rows.index)
    order = frame.sort_values(["source_file", "source_line"], kind="stable", na_position="first")
    content = ["account", "bank_id", "date", "amount_cents", "description"]
    return order.groupby(content, sort=False, dropna=False).cumcount().reindex(rows.index)


def _flag_id(account: str, bank_id: str, day: date, cents: int, description: str, occurrence: int) -> str:
    content = "\x1f".join((account, bank_id, day.isoformat(), str(cents), " ".join(description.split()), str(occurrence)))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:ID_LENGTH]


def flag_ids(rows: pd.DataFrame) -> pd.Series:
    """Stable ids for transaction rows (see the module docstring); index aligned with ``rows``.

    Identical transactions (same account, bank id, date, amount, description) are numbered
    in (source_file, source_line) order, so duplicates still get distinct ids.
    """
    occurrence = _occurrence(rows)
    return pd.Series([_flag_id(r.account, r.bank_id, r.date, r.amount_cents, r.description, n)
                      for r, n in zip(_rows(rows), occurrence.tolist())], index=rows.index, dtype=object)


_FIELDS = ("date", "amount_cents", "currency", "description", "account", "bank_id", "source_file", "source_line",
           "cleaned", "match_score", "match_alias", "match_method", "cc_key", "cc_row", "cc_occurrence", "cc_rule",
           "cc_check", "cc_doubt", "cc_pos")
_Row = namedtuple("_Row", _FIELDS, defaults=(None,) * len(_FIELDS))


def _rows(frame: pd.DataFrame) -> list:
    """Plain Python rows (dates as ``date``, missing lines as None): much faster than itertuples on str columns."""
    columns = []
    for name in _FIELDS:
        if name not in frame.columns:
            columns.append([None] * len(frame))
        elif name == "date":
            columns.append(frame[name].to_numpy().astype("datetime64[D]").tolist())
        elif name == "source_line":
            columns.append([None if pd.isna(v) else int(v) for v in frame[name].tolist()])
        else:
            columns.append(frame[name].tolist())
    return list(map(_Row._make, zip(*columns)))


def _cancellation_table(cancellations: Sequence[Cancellation]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "cc_key": [c.vendor.strip().casefold() for c in cancellations],
            "cc_on": pd.to_datetime([c.cancelled_on for c in cancellations]).astype("datetime64[s]"),
            "cc_until": pd.to_datetime([c.charges_expected_until for c in cancellations]).astype("datetime64[s]"),
            "cc_window": pd.array([c.refund_window_days for c in cancellations], dtype="Int64"),
            "cc_rule": range(len(cancellations)),
        }
    )
    table["cc_key"] = table["cc_key"].astype(str)
    return table.sort_values(["cc_on", "cc_rule"], kind="stable").reset_index(drop=True)


def _govern(rows: pd.DataFrame, table: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Attach, per row, the cancellation strictly before it (backward) or on/after it (forward)."""
    return pd.merge_asof(
        rows.sort_values("date", kind="stable"),
        table,
        left_on="date",
        right_on="cc_on",
        by="cc_key",
        direction=direction,
        allow_exact_matches=direction == "forward",
    )


def _source(row) -> Source:
    """File and line, plus the bank's own id (FITID) where the statement has one: both are evidence."""
    line = row.source_line
    return Source(file=row.source_file, line=line, fitid=row.bank_id or None)


def _match_refunds(charges: pd.DataFrame, credits: pd.DataFrame) -> dict[int, tuple[Source, int]]:
    """Credits against charges: ``{charge row: (first credit applied, cents credited back)}``.

    ``charges`` are every matched charge of the vendors (flagged, refundable or neither), so
    which charge a credit answers never depends on the refund window.  In order:

    1. a credit that names its charge — by a reference only that charge shares (mandate,
       end-to-end id, the bank's id), by the period it returns (``05/2026``, ``MAI 2026``), or
       by the charge's day printed in it — nets against that charge, up to what is still open;
    2. a credit equal to an open charge answers the nearest earlier such charge;
    3. credits left over (partial refunds, one credit for several charges) are spent on the
       vendor's open charges, nearest earlier first (never on long-paid charges while a recent
       one is open).

    Never on a charge dated after the credit, nor in another currency.
    """
    if charges.empty or credits.empty:
        return {}
    # Only vendors with a credit can have a charge refunded: index only their charges.
    credited = set(credits["cc_key"])
    ordered = charges[charges["cc_key"].isin(credited)].sort_values(["date", "source_file", "source_line"],
                                                                   kind="stable")
    grouped: dict[str, list] = defaultdict(list)
    for row in _rows(ordered):
        grouped[row.cc_key].append(row)
    by_vendor = {key: _Charges(rows) for key, rows in grouped.items()}
    refunded: dict[int, tuple[Source, int]] = {}

    def open_cents(charge) -> int:
        return -charge.amount_cents - refunded.get(charge.cc_row, (None, 0))[1]

    def apply(charge, credit, cents: int) -> int:
        source, done = refunded.get(charge.cc_row, (None, 0))
        applied = min(cents, open_cents(charge))
        if applied > 0:
            refunded[charge.cc_row] = (source or _source(credit), done + applied)
        return max(applied, 0)

    unnamed, leftover = [], []
    for credit in _rows(credits.sort_values(["date", "source_file", "source_line"], kind="stable")):
        vendor = by_vendor.get(credit.cc_key)
        if vendor is None:
            continue
        named = vendor.named_by(credit)
        if named is not None:
            left = credit.amount_cents - apply(named, credit, credit.amount_cents)
            if left > 0:
                leftover.append((credit, left))
        else:
            unnamed.append(credit)
    for credit in unnamed:
        vendor = by_vendor[credit.cc_key]
        same = vendor.by_amount.get(credit.amount_cents, [])
        nearest = next((c for c in vendor.nearest_first(credit, same) if open_cents(c) == credit.amount_cents), None)
        if nearest is not None:
            apply(nearest, credit, credit.amount_cents)
        else:
            leftover.append((credit, credit.amount_cents))
    for credit, left in leftover:
        vendor = by_vendor[credit.cc_key]
        for charge in vendor.nearest_first(credit, range(len(vendor.rows))):
            if left <= 0:
                break
            left -= apply(charge, credit, left)
    return refunded


_REFERENCE = re.compile(r"[A-Z0-9]{6,}")


def _references(text: str) -> set[str]:
    """Reference-like tokens of a description: six or more letters and digits with a digit in them."""
    return {token for token in _REFERENCE.findall(text.upper()) if any(ch.isdigit() for ch in token)}


class _Charges:
    """One vendor's charges, oldest first, indexed by the ways a credit can name one (built
    once, so each credit costs look-ups, not a pass over every charge)."""

    def __init__(self, rows: list) -> None:
        self.rows = rows
        self.days = [row.date for row in rows]
        self.by_token: dict[str, list[int]] = defaultdict(list)
        self.by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.by_day: dict[date, list[int]] = defaultdict(list)
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        for at, row in enumerate(rows):
            for token in _references(row.description) | ({row.bank_id} if row.bank_id else set()):
                self.by_token[token].append(at)
            for month in {(row.date.year, row.date.month)} | months_named(row.description):
                self.by_month[month].append(at)
            self.by_day[row.date].append(at)
            self.by_amount[-row.amount_cents].append(at)

    def before(self, credit, positions) -> list:
        """The charges at ``positions`` (a few) a credit can answer: dated on or before it, same
        money; oldest first."""
        end = bisect_right(self.days, credit.date)
        return [self.rows[at] for at in sorted(set(positions)) if at < end and _same_money(self.rows[at], credit)]

    def nearest_first(self, credit, positions):
        """The charges at ``positions`` (ascending) a credit can answer, nearest earlier first,
        lazily: a credit usually stops at the first open one."""
        end = bisect_right(self.days, credit.date)
        for at in reversed(positions[: bisect_right(positions, end - 1)]):
            if _same_money(self.rows[at], credit):
                yield self.rows[at]

    def named_by(self, credit):
        """The one charge a credit names (see :func:`_match_refunds`), or None."""
        tokens = _references(credit.description) | ({credit.bank_id} if credit.bank_id else set())
        # A token several charges share (the mandate, the vendor's phone number) names none.
        holders = [self.before(credit, self.by_token.get(token, ())) for token in tokens]
        naming = {id(found[0]): found[0] for found in holders if len(found) == 1}
        if len(naming) == 1:
            return next(iter(naming.values()))
        for named, index in ((months_named(credit.description), self.by_month),
                             (dates_named(credit.description), self.by_day)):
            found = self.before(credit, [at for key in named for at in index.get(key, ())])
            if found:
                return found[-1]  # the nearest earlier one the credit names
        return None


def _same_money(charge, credit) -> bool:
    """A statement that names no currency ("") is compatible with any."""
    return not charge.currency or not credit.currency or charge.currency == credit.currency


def _make_flag(row, cancellation: Cancellation, status: str, refund: tuple[Source, int] | None,
               *, reason: str | None = None, method: str | None = None,
               same_payment: tuple[Source, ...] = ()) -> Flag:
    day = row.date
    amount = cents_to_decimal(row.amount_cents)
    refunded_by, refunded_cents = refund if refund is not None else (None, 0)
    whole = refunded_cents >= -row.amount_cents
    method = str(row.match_method or "") if method is None else method
    if cancellation.amount is not None and -amount == cancellation.amount and not method.endswith("+amount"):
        method += "+amount"  # the matcher may already have used the amount (a near miss it confirmed)
    window = cancellation.refund_window_days
    return Flag(
        id=_flag_id(row.account, row.bank_id, day, row.amount_cents, row.description, row.cc_occurrence),
        vendor=cancellation.vendor,
        date=day,
        amount=amount,
        currency=row.currency,
        description=row.description,
        source=_source(row),
        cancelled_on=cancellation.cancelled_on,
        paid_through=cancellation.paid_through,
        days_after=(day - cancellation.cancelled_on).days,
        reference=cancellation.reference,
        score=0.0 if pd.isna(row.match_score) else float(row.match_score),
        alias=str(row.match_alias or ""),
        method=method,
        status="refunded" if refund is not None and whole else status,
        refund_deadline=day + timedelta(days=window) if window is not None else None,
        refunded_by=refunded_by,
        cleaned=str(row.cleaned or ""),
        refunded_amount=cents_to_decimal(refunded_cents) if refund is not None else None,
        reason=reason,
        same_payment=same_payment,
    )


def _order(flags: list[Flag]) -> tuple[Flag, ...]:
    return tuple(sorted(flags, key=lambda f: (f.vendor.casefold(), f.date, f.source.file,
                                              f.source.line if f.source.line is not None else -1, f.id)))


# ---------------------------------------------------------------- tiers and the user's history

_MIN_GAP_DAYS = 5  # charges closer than this are not a subscription's cadence


def _doubtful(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: is the match ``to_check``, and the matcher's reason (no tier column: all confident)."""
    if "match_tier" not in frame.columns:
        return np.zeros(len(frame), dtype=bool), np.full(len(frame), "", dtype=object)
    tiers = frame["match_tier"].to_numpy(dtype=object, na_value="")
    doubt = (frame["match_doubt"].to_numpy(dtype=object, na_value="") if "match_doubt" in frame.columns
             else np.full(len(frame), "", dtype=object))
    return tiers == MatchTier.TO_CHECK.value, doubt


def _secondary(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are another line of a payment already standing in the table (see dedupe)."""
    if "same_payment" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame["same_payment"].to_numpy(dtype="float64", na_value=-1) >= 0


@dataclass(frozen=True)
class _Series:
    """A recurring run of one vendor's charges before its cancellation: one amount or one descriptor."""

    cents: int | None
    cleaned: str | None
    last: date
    gap: float  # median days between charges

    def continued_by(self, cents: int, cleaned: str, day: date) -> bool:
        """Same amount (or descriptor) and on the cadence counted from the last charge."""
        if (self.cents is not None and cents != self.cents) or (self.cleaned is not None and cleaned != self.cleaned):
            return False
        return _on_cadence((day - self.last).days, self.gap)


def _on_cadence(days: int, gap: float) -> bool:
    """``days`` is a whole number of cadences (a skipped month allowed), within a tolerance that
    grows with each step (months are 28–31 days long)."""
    if days < _MIN_GAP_DAYS:
        return False
    steps = max(1, round(days / gap))
    return steps <= 13 and abs(days - steps * gap) <= max(4.0, 0.15 * gap) + 2 * (steps - 1)


def _series_of(rows: list, key) -> list[_Series]:
    groups: dict = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    found = []
    for value, members in groups.items():
        days = sorted({row.date for row in members})
        gaps = [(b - a).days for a, b in zip(days, days[1:])]
        if len(days) < 2 or all(row.cc_check for row in members) or median(gaps) < _MIN_GAP_DAYS:
            continue
        cents, cleaned = (value, None) if isinstance(value, int) else (None, value)
        found.append(_Series(cents, cleaned, days[-1], float(median(gaps))))
    return found


def _history_series(history: list) -> list[_Series]:
    """The series in one cancellation's history: by amount, and by cleaned descriptor."""
    return (_series_of(history, lambda row: int(row.amount_cents))
            + _series_of(history, lambda row: str(row.cleaned or "")))


def _continuing(after: list, series: list[_Series]) -> set[int]:
    """``cc_row`` of the doubtful charges after a cancellation that continue a history series."""
    promoted: set[int] = set()
    lasts = {id(s): s for s in series}
    for row in sorted(after, key=lambda r: (r.date, r.cc_row)):
        for key, current in list(lasts.items()):
            if current.continued_by(int(row.amount_cents), str(row.cleaned or ""), row.date):
                if row.cc_check:
                    promoted.add(row.cc_row)
                lasts[key] = replace(current, last=row.date)
    return promoted


def _periods(cancellations: Sequence[Cancellation]) -> list[tuple[int, Cancellation, date | None, date | None]]:
    """Per rule: (rule number, cancellation, previous cancellation's day, next one's) of the same vendor."""
    by_vendor: dict[str, list[int]] = defaultdict(list)
    for number, canc in enumerate(cancellations):
        by_vendor[canc.vendor.strip().casefold()].append(number)
    out = []
    for numbers in by_vendor.values():
        numbers.sort(key=lambda n: (cancellations[n].cancelled_on, n))
        for i, n in enumerate(numbers):
            before = cancellations[numbers[i - 1]].cancelled_on if i else None
            after = cancellations[numbers[i + 1]].cancelled_on if i + 1 < len(numbers) else None
            out.append((n, cancellations[n], before, after))
    return sorted(out, key=lambda item: item[0])


def _history(rows: list, canc: Cancellation, previous: date | None) -> list:
    """The vendor's charges up to the end of the paid term, after the previous cancellation."""
    until = canc.charges_expected_until
    return [r for r in rows if r.date <= until and (previous is None or r.date > previous)]


def _usual(series: list[_Series], canc: Cancellation) -> tuple[set[int], float | None]:
    """The vendor's usual charge (cents, negative) and cadence: its amount series, and the rule's amount."""
    amounts = [s for s in series if s.cents is not None]
    usual = {s.cents for s in amounts}
    if canc.amount is not None:
        usual.add(-int(canc.amount * 100))
    gap = median([s.gap for s in amounts]) if amounts else None
    return usual, gap


class _NewSeries:
    """The unmatched descriptors that could be a vendor's new series, found once for every rule.

    A candidate is a cleaned descriptor no vendor matched whose first charge (at any amount) is
    of one of the rules' usual amounts and that charged that amount at least twice.  Vectorised
    over the unmatched charges; only the candidates' rows are turned into Python rows.
    """

    def __init__(self, transactions: pd.DataFrame, usual: set[int]) -> None:
        self.by_amount: dict[int, list[tuple[date, tuple[str, int]]]] = defaultdict(list)
        self.rows: dict[tuple[str, int], list] = {}  # (cleaned descriptor, amount) -> its charges, by date
        if not usual or transactions.empty:
            return
        raw = transactions["match_vendor"].to_numpy(dtype=object, na_value="")
        mask = (raw == "") & (transactions["amount_cents"].to_numpy() < 0) & ~_secondary(transactions)
        at_usual = np.flatnonzero(mask & transactions["amount_cents"].isin(usual).to_numpy())
        if not len(at_usual):
            return
        # (descriptor, amount) charged twice or more at a usual amount, and the first such day ...
        usual_rows = transactions.iloc[at_usual][["cleaned", "amount_cents", "date"]]
        pairs = usual_rows.groupby(["cleaned", "amount_cents"], sort=False)["date"].agg(["min", "size"])
        pairs = pairs[pairs["size"] >= 2]
        if pairs.empty:
            return
        # ... when nothing else was charged under that descriptor before it (one hash pass over the
        # descriptors, then a minimum over the candidates' rows only).
        names = pd.Index(sorted(set(pairs.index.get_level_values(0))))
        codes = names.get_indexer(transactions["cleaned"])
        named = np.flatnonzero((codes >= 0) & mask)
        days = transactions["date"].iloc[named].to_numpy().astype("datetime64[D]").astype(np.int64)
        earliest = np.full(len(names), np.iinfo(np.int64).max)
        np.minimum.at(earliest, codes[named], days)
        opened = np.asarray(pairs["min"].to_numpy().astype("datetime64[D]").astype(np.int64))
        pairs = pairs[opened == earliest[names.get_indexer(pairs.index.get_level_values(0))]]
        chosen = pd.MultiIndex.from_frame(usual_rows[["cleaned", "amount_cents"]]).isin(pairs.index)
        positions = at_usual[chosen]
        if not len(positions):
            return
        pool = transactions.iloc[positions].copy()
        pool["cc_pos"] = positions
        pool["cc_occurrence"] = _occurrence(pool).to_numpy()
        pool["cc_row"] = -1 - np.arange(len(pool))
        for row in sorted(_rows(pool), key=lambda r: (r.cleaned, r.amount_cents, r.date, r.source_file,
                                                     r.source_line or 0)):
            self.rows.setdefault((row.cleaned, int(row.amount_cents)), []).append(row)
        for key, rows in sorted(self.rows.items()):
            self.by_amount[key[1]].append((rows[0].date, key))

    def around(self, canc: Cancellation, usual: set[int], gap: float | None, following: date | None) -> list:
        """The candidates starting within one cadence of the cancellation, on that cadence:
        (row, the series' first day) for each charge after the paid term."""
        cadence = gap or 30.4  # a subscription without history: monthly, the common case
        start_from = canc.cancelled_on - timedelta(days=round(cadence))
        start_by = canc.charges_expected_until + timedelta(days=round(cadence + max(4.0, 0.15 * cadence)))
        found = []
        for cents in sorted(usual):
            for first, key in self.by_amount.get(cents, ()):
                series = self.rows[key]
                if not start_from <= first <= start_by:
                    continue
                if not all(_on_cadence((b.date - a.date).days, cadence) for a, b in zip(series, series[1:])):
                    continue
                found += [(r, first) for r in series if r.date > canc.charges_expected_until
                          and (following is None or r.date <= following)]
        return found


def _new_series_reason(canc: Cancellation, row, first: date) -> str:
    amount = format(cents_to_decimal(-row.amount_cents), "f")
    return (f"matched no vendor, but is a new series at {canc.vendor}'s usual amount ({amount}) starting "
            f"{first.isoformat()}, about when {canc.vendor} was cancelled ({canc.cancelled_on.isoformat()}): "
            "the vendor billing under another name?")


def _same_payment_sources(transactions: pd.DataFrame) -> dict[int, tuple[Source, ...]]:
    """Position of the line standing for a payment -> the sources of its other lines."""
    secondary = _secondary(transactions)
    if not secondary.any():
        return {}
    rows = transactions[secondary]
    linked: dict[int, list[Source]] = defaultdict(list)
    for primary, row in zip(rows["same_payment"].astype("int64").tolist(), _rows(rows)):
        linked[primary].append(_source(row))
    return {k: tuple(sorted(v, key=lambda s: (s.file, s.line if s.line is not None else -1, s.fitid or "")))
            for k, v in linked.items()}


def _prepared(transactions: pd.DataFrame, cancellations: tuple[Cancellation, ...]):
    """The matched rows of the cancelled vendors, with their vendor key, tier and position; or None."""
    table = _cancellation_table(cancellations)
    keys, known = _vendor_keys(transactions["match_vendor"], set(table["cc_key"]))
    check, doubt = _doubtful(transactions)
    matched = transactions[known & ~_secondary(transactions)].reset_index(drop=True)
    if matched.empty:
        return table, matched
    keep = known & ~_secondary(transactions)
    matched["cc_key"] = pd.Series(keys[keep], dtype=str)
    matched["cc_row"] = range(len(matched))
    matched["cc_occurrence"] = _occurrence(matched).to_numpy()
    matched["cc_check"] = check[keep]
    matched["cc_doubt"] = doubt[keep]
    matched["cc_pos"] = np.flatnonzero(keep)
    return table, matched


def flag_charges(transactions: pd.DataFrame, cancellations: Sequence[Cancellation]) -> FlagResult:
    """Flag charges after each vendor's cancellation; list doubtful ones to check and refundable
    pre-cancellation charges.

    See the module docstring for the exact definitions.  Raises ValueError if the table was
    not annotated by the matcher (a programming error, not bad user input).
    """
    missing = [column for column in MATCH_COLUMNS if column not in transactions.columns]
    if missing:
        raise ValueError(f"flag_charges needs the matcher's columns; missing: {', '.join(missing)}")
    cancellations = tuple(cancellations)
    if not cancellations or transactions.empty:
        return FlagResult(flags=(), accounts=_accounts(cancellations, None, None))
    table, matched = _prepared(transactions, cancellations)
    charges = matched[matched["amount_cents"] < 0] if not matched.empty else matched
    if not charges.empty:
        behind = _govern(charges, table, "backward")
        after = behind[behind["cc_rule"].notna() & (behind["date"] > behind["cc_until"])]
        rest = charges[~charges["cc_row"].isin(set(after["cc_row"]))]
        ahead = _govern(rest[~rest["cc_check"]], table, "forward")
        start = ahead["cc_on"] - pd.to_timedelta(ahead["cc_window"].astype("float64"), unit="D")
        refundable = ahead[ahead["cc_window"].notna() & (ahead["date"] >= start)]
        after_rows, charge_rows = _rows(after), _rows(charges)
    else:
        refundable, after_rows, charge_rows = charges, [], []

    by_key: dict[str, list] = defaultdict(list)
    for row in charge_rows:
        by_key[row.cc_key].append(row)
    by_rule: dict[int, list] = defaultdict(list)
    for row in after_rows:
        by_rule[int(row.cc_rule)].append(row)
    promoted: set[int] = set()
    habits = []  # per rule: (number, cancellation, usual amounts, cadence, next cancellation)
    for number, canc, previous, following in _periods(cancellations):
        key = canc.vendor.strip().casefold()
        series = _history_series(_history(by_key.get(key, []), canc, previous))
        promoted |= _continuing(by_rule.get(number, []), series)
        habits.append((number, canc, *_usual(series, canc), following))
    unmatched = _NewSeries(transactions, set().union(*(usual for _, _, usual, _, _ in habits)))
    fresh: list[tuple] = []  # (row, rule, first day) of new series
    claimed: set[int] = set()
    for number, canc, usual, gap, following in habits:
        for row, first in unmatched.around(canc, usual, gap, following):
            if row.cc_pos not in claimed:
                claimed.add(row.cc_pos)
                fresh.append((row, number, first))

    credits = matched[matched["amount_cents"] > 0] if not matched.empty else matched
    confident = [r for r in after_rows if not r.cc_check or r.cc_row in promoted]
    doubtful = [r for r in after_rows if r.cc_check and r.cc_row not in promoted]
    # Every matched charge competes for credits, so the refund window never moves a credit.
    refunds = _match_refunds(charges, credits) if len(charges) and len(credits) else {}
    linked = _same_payment_sources(transactions)

    def make(row, status, **extra) -> Flag:
        return _make_flag(row, cancellations[int(row.cc_rule)], status, refunds.get(row.cc_row),
                          same_payment=linked.get(int(row.cc_pos), ()), **extra)

    flags = [make(row, "flagged", method=(str(row.match_method or "") + "+series") if row.cc_row in promoted else None)
             for row in confident]
    to_check = [make(row, "to_check", reason=str(row.cc_doubt or "") or "a possible match") for row in doubtful]
    to_check += [_make_flag(row, cancellations[number], "to_check", None, method="series",
                            reason=_new_series_reason(cancellations[number], row, first),
                            same_payment=linked.get(int(row.cc_pos), ()))
                 for row, number, first in fresh]
    early = [make(row, "refundable") for row in _rows(refundable)]
    return FlagResult(flags=_order(flags), refundable=_order(early), to_check=_order(to_check),
                      accounts=_accounts(cancellations, table, charges))


def account_cancellations(transactions: pd.DataFrame, cancellations: Sequence[Cancellation]
                          ) -> tuple[CancellationAccount, ...]:
    """One :class:`CancellationAccount` per cancellation (rules order): charges matched before and
    after it (either tier, a payment's second line not counted again) and the last one before.

    "Before" is on or before ``cancelled_on`` and after the vendor's previous cancellation;
    "after" is later, up to the vendor's next cancellation.  ``closest`` is left empty: the
    pipeline fills it from the matcher for the cancellations that matched nothing.
    """
    cancellations = tuple(cancellations)
    if not cancellations or transactions.empty or any(c not in transactions.columns for c in MATCH_COLUMNS):
        return _accounts(cancellations, None, None)
    table, matched = _prepared(transactions, cancellations)
    return _accounts(cancellations, table, matched[matched["amount_cents"] < 0] if not matched.empty else None)


def _accounts(cancellations: tuple[Cancellation, ...], table: pd.DataFrame | None,
              charges: pd.DataFrame | None) -> tuple[CancellationAccount, ...]:
    """The accounts from the prepared matched charges (see :func:`account_cancellations`)."""
    counts = {n: [0, 0, None] for n in range(len(cancellations))}
    if charges is not None and not charges.empty:
        behind = _govern(charges, table, "backward")
        after = behind[behind["cc_rule"].notna()]
        ahead = _govern(charges, table, "forward")  # a charge between two cancellations is in both
        ahead = ahead[ahead["cc_rule"].notna()]
        for rule, n in after["cc_rule"].astype(int).value_counts().items():
            counts[rule][1] = int(n)
        if not ahead.empty:
            seen = ahead.groupby(ahead["cc_rule"].astype(int))["date"].agg(["size", "max"])
            for rule, n, last in zip(seen.index.tolist(), seen["size"].tolist(), seen["max"].dt.date.tolist()):
                counts[rule][0], counts[rule][2] = int(n), last
    return tuple(CancellationAccount(canc, before, after, last)
                 for canc, (before, after, last) in zip(cancellations, (counts[n] for n in range(len(cancellations)))))
