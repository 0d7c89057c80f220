"""The small, frozen records a person reads: a cancellation, a vendor match, a flagged charge.

Bulk data moves as DataFrames (see :mod:`chargecheck.schema`); these dataclasses are what
rules files load into and what reports render.  They are the contract between the stages:

    rules.load_rules()        -> tuple[Cancellation, ...]
    match.Matcher.match(...)  -> VendorMatch per unique cleaned descriptor
    flag.flag_charges(...)    -> FlagResult (flags, refundable)
    pipeline.check(...)       -> CheckResult (everything a report shows)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

import pandas as pd

from .schema import SkippedRow, StatementSummary

__all__ = [
    "Cancellation",
    "MatchTier",
    "VendorMatch",
    "Closest",
    "Source",
    "Flag",
    "FlagResult",
    "DuplicateDrop",
    "StaleReview",
    "CheckResult",
]


@dataclass(frozen=True)
class Cancellation:
    """One recorded cancellation from ``rules/*.toml`` (see README for the file format)."""

    vendor: str
    cancelled_on: date
    aliases: tuple[str, ...] = ()
    paid_through: date | None = None
    reference: str | None = None
    amount: Decimal | None = None
    refund_window_days: int | None = None
    exclude: tuple[str, ...] = ()
    notes: str | None = None
    source_file: str | None = None
    source_line: int | None = None

    @property
    def charges_expected_until(self) -> date:
        """Last day on which a charge is still expected: paid-through day, else the cancellation day."""
        return self.paid_through or self.cancelled_on


class MatchTier(Enum):
    """How sure a match is: ``FLAGGED`` is counted in totals and the exit code; ``TO_CHECK`` is a
    possible match listed for a person to look at, with the reason for doubt, never totalled."""

    FLAGGED = "flagged"
    TO_CHECK = "to_check"


@dataclass(frozen=True)
class VendorMatch:
    """Why a descriptor was attributed to a vendor: explainable evidence, never a bare yes.

    ``vendor`` is the name the user knows (a rule's ``vendor``); ``alias`` the name or
    knowledge-base descriptor that matched; ``method`` how (e.g. ``exact``, ``token``,
    ``fuzzy``, ``prefix``); ``score`` 0–100; ``cleaned`` the descriptor after cleaning.
    """

    vendor: str
    score: float
    alias: str
    method: str
    cleaned: str
    tier: MatchTier = MatchTier.FLAGGED
    doubt: str = ""  # why a TO_CHECK match is doubtful; empty for FLAGGED


@dataclass(frozen=True)
class Closest:
    """A descriptor that came nearest to a cancellation that matched nothing, and why it was refused."""

    description: str
    reason: str


@dataclass(frozen=True)
class Source:
    """Where a transaction came from: file and line, or file and the bank's id (FITID)."""

    file: str
    line: int | None = None
    fitid: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.fitid:
            return f"{self.file}#{self.fitid}"
        return self.file


@dataclass(frozen=True)
class Flag:
    """A charge from a cancelled vendor: the evidence a bank's dispute team asks for.

    ``amount`` keeps the statement's sign convention (money out negative).  ``status`` is
    ``flagged`` or ``refunded`` (a later credit of the same amount from the same vendor, named
    by ``refunded_by``, or smaller later credits that add up to it).  A charge only partly
    credited back stays ``flagged`` with ``refunded_amount`` set (and ``refunded_by`` naming the
    first such credit); :attr:`owed` is what is left to recover.  ``id`` is stable across runs:
    derived from content and source.
    """

    id: str
    vendor: str
    date: date
    amount: Decimal
    currency: str
    description: str
    source: Source
    cancelled_on: date
    paid_through: date | None
    days_after: int
    reference: str | None
    score: float
    alias: str
    method: str
    status: str
    refund_deadline: date | None = None
    refunded_by: Source | None = None
    cleaned: str = ""
    review: str | None = None  # a recorded decision: disputed, refunded, expected, ignore
    review_note: str | None = None
    refunded_amount: Decimal | None = None  # credited back so far (positive), where a credit applied

    @property
    def owed(self) -> Decimal:
        """The charge less what has been credited back against it (zero once ``refunded``)."""
        if self.status == "refunded":
            return Decimal("0.00")
        return max(-self.amount - (self.refunded_amount or Decimal(0)), Decimal("0.00"))

    @property
    def outstanding(self) -> bool:
        """Still needs action: flagged, and not reviewed as refunded/expected/ignore."""
        return self.status == "flagged" and self.review not in ("refunded", "expected", "ignore")


@dataclass(frozen=True)
class FlagResult:
    """Charges after cancellation (``flags``) and pre-cancellation charges still refundable."""

    flags: tuple[Flag, ...]
    refundable: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class DuplicateDrop:
    """A transaction dropped because an overlapping statement already holds it; both sources named."""

    kept: Source
    dropped: Source
    date: date
    amount: Decimal
    description: str
    reason: str


@dataclass(frozen=True)
class StaleReview:
    """A recorded review decision whose flag no longer appears (its transaction vanished)."""

    flag_id: str
    decision: str
    note: str | None
    source_file: str
    source_line: int | None


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Everything one ``chargecheck check`` run found; every report renders from this alone.

    ``statements`` summarises each file read (counts, skipped rows, notes; not its rows);
    ``transactions`` holds the rows the flag stage needed, annotated by the matcher: every
    row matched to a vendor with a recorded cancellation (charges and credits), after
    overlapping statements were de-duplicated.  Rows that matched no such vendor are counted
    in ``statements`` but not kept, so a check of millions of rows stays small.
    """

    flags: tuple[Flag, ...]
    refundable: tuple[Flag, ...]
    cancellations: tuple[Cancellation, ...]
    statements: tuple[StatementSummary, ...]
    transactions: pd.DataFrame
    duplicates: tuple[DuplicateDrop, ...] = ()
    stale_reviews: tuple[StaleReview, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def skipped(self) -> tuple[SkippedRow, ...]:
        """Every skipped row of every statement, in file order."""
        return tuple(row for st in self.statements for row in st.skipped)

    @property
    def outstanding(self) -> tuple[Flag, ...]:
        """Flags still needing action (see :attr:`Flag.outstanding`); they set exit code 1."""
        return tuple(f for f in self.flags if f.outstanding)
