"""Stage ``flag``: charges after a cancellation, refunds that answer them, refundable renewals.

Input: the transaction table (:mod:`chargecheck.schema`) annotated by the matcher with
``cleaned``, ``match_vendor`` (``""`` = no match, else a ``Cancellation.vendor``),
``match_score``, ``match_alias`` and ``match_method``; and the cancellations.
Output: :class:`~chargecheck.model.FlagResult` — ``flags`` and ``refundable``.

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

Only matched rows are processed (vectorised with ``merge_asof``); Python loops run over
flags and matched credits only, never over all transactions.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from datetime import date, timedelta
from bisect import bisect_right

import numpy as np
import pandas as pd

from .importers.typed import dates_named, months_named
from .model import Cancellation, Flag, FlagResult, Source
from .schema import cents_to_decimal

__all__ = ["MATCH_COLUMNS", "flag_charges", "flag_ids", "ID_LENGTH"]

MATCH_COLUMNS: tuple[str, ...] = ("cleaned", "match_vendor", "match_score", "match_alias", "match_method")
ID_LENGTH = 10


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
           "cleaned", "match_score", "match_alias", "match_method", "cc_key", "cc_row", "cc_occurrence", "cc_rule")
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
    ordered = charges.sort_values(["date", "source_file", "source_line"], kind="stable")
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


def _make_flag(row, cancellation: Cancellation, status: str, refund: tuple[Source, int] | None) -> Flag:
    day = row.date
    amount = cents_to_decimal(row.amount_cents)
    refunded_by, refunded_cents = refund if refund is not None else (None, 0)
    whole = refunded_cents >= -row.amount_cents
    method = str(row.match_method or "")
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
    )


def _order(flags: list[Flag]) -> tuple[Flag, ...]:
    return tuple(sorted(flags, key=lambda f: (f.vendor.casefold(), f.date, f.source.file,
                                              f.source.line if f.source.line is not None else -1, f.id)))


def flag_charges(transactions: pd.DataFrame, cancellations: Sequence[Cancellation]) -> FlagResult:
    """Flag charges after each vendor's cancellation; list refundable pre-cancellation charges.

    See the module docstring for the exact definitions.  Raises ValueError if the table was
    not annotated by the matcher (a programming error, not bad user input).
    """
    missing = [column for column in MATCH_COLUMNS if column not in transactions.columns]
    if missing:
        raise ValueError(f"flag_charges needs the matcher's columns; missing: {', '.join(missing)}")
    cancellations = tuple(cancellations)
    if not cancellations or transactions.empty:
        return FlagResult(flags=())
    table = _cancellation_table(cancellations)
    keys, known = _vendor_keys(transactions["match_vendor"], set(table["cc_key"]))
    matched = transactions[known].reset_index(drop=True)
    if matched.empty:
        return FlagResult(flags=())
    matched["cc_key"] = pd.Series(keys[known], dtype=str)
    matched["cc_row"] = range(len(matched))
    matched["cc_occurrence"] = _occurrence(matched).to_numpy()

    charges = matched[matched["amount_cents"] < 0]
    behind = _govern(charges, table, "backward")
    is_flag = behind["cc_rule"].notna() & (behind["date"] > behind["cc_until"])
    flagged = behind[is_flag]

    rest = charges[~charges["cc_row"].isin(set(flagged["cc_row"]))]
    ahead = _govern(rest, table, "forward")
    start = ahead["cc_on"] - pd.to_timedelta(ahead["cc_window"].astype("float64"), unit="D")
    refundable = ahead[ahead["cc_window"].notna() & (ahead["date"] >= start)]

    refunds = _match_refunds(charges, matched[matched["amount_cents"] > 0])
    flags = [_make_flag(row, cancellations[int(row.cc_rule)], "flagged", refunds.get(row.cc_row))
             for row in _rows(flagged)]
    early = [_make_flag(row, cancellations[int(row.cc_rule)], "refundable", refunds.get(row.cc_row))
             for row in _rows(refundable)]
    return FlagResult(flags=_order(flags), refundable=_order(early))
