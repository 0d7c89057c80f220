"""The small, frozen records a person reads: a cancellation, a vendor match, a flagged charge.

Bulk data moves as DataFrames (see :mod:`chargecheck.schema`); these dataclasses are what
rules files load into and what reports render.  They are the contract between the stages:

    rules.load_rules()        -> tuple[Cancellation, ...]
    match.Matcher.match(...)  -> VendorMatch per unique cleaned descriptor
    flag.flag_charges(...)    -> FlagResult (flags, to_check, refundable)
    (FlagResult.accounts: a CancellationAccount per cancellation, also flag.account_cancellations)
    pipeline.check(...)       -> CheckResult (everything a report shows)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: ``import chargecheck.model`` must not load pandas (fast CLI start)
    import pandas as pd

    from .schema import SkippedRow, StatementSummary

__all__ = [
    "DECISIONS",
    "MAX_DAYS",
    "ID_LENGTH",
    "Cancellation",
    "MatchTier",
    "VendorMatch",
    "Closest",
    "Source",
    "Flag",
    "FlagResult",
    "CancellationAccount",
    "DuplicateDrop",
    "StaleReview",
    "PassReason",
    "PassedOver",
    "CheckResult",
]


# The longest day count a rule may hold (refund windows): ten years, longer than any money-back
# guarantee and far from date overflow.
MAX_DAYS = 3660

# What a person can record about a flag (``chargecheck review ID --as …``).
DECISIONS: tuple[str, ...] = ("disputed", "refunded", "expected", "ignore")

# A flag id: the first hex digits of a hash of the transaction's content (see flag.flag_ids).
ID_LENGTH = 10


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
    reason: str | None = None  # a "to check" entry: why the match is doubtful; None for a confident flag
    same_payment: tuple[Source, ...] = ()  # other lines of this one payment (a wallet line and its card line)

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
    """Charges after cancellation (``flags``), possible ones to look at (``to_check``, status
    ``to_check`` and a ``reason``), pre-cancellation charges still refundable, and what the
    statements showed of each cancellation (``accounts``)."""

    flags: tuple[Flag, ...]
    refundable: tuple[Flag, ...] = ()
    to_check: tuple[Flag, ...] = ()
    accounts: tuple["CancellationAccount", ...] = ()  # one per cancellation, rules order


@dataclass(frozen=True)
class CancellationAccount:
    """What the statements showed of one recorded cancellation, so none passes unaccounted for.

    ``matched_before`` / ``matched_after``: charges matched to the vendor (either tier) dated on or
    before / after ``cancelled_on`` (a wallet line and the card line funding it count once);
    ``last_seen_before`` the latest of the former; ``closest`` the descriptors nearest the name
    with the matcher's reason for refusing each, filled only when nothing matched at all.
    """

    cancellation: Cancellation
    matched_before: int
    matched_after: int
    last_seen_before: date | None
    closest: tuple[Closest, ...] = ()

    @property
    def matched_nothing(self) -> bool:
        """No charge in any statement was attributed to this vendor, before or after."""
        return self.matched_before == 0 and self.matched_after == 0


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


class PassReason(Enum):
    """Why a folder scan did not read a file as a statement (the kinds a person can act on)."""

    HIDDEN = "hidden"                    # .name, Office's ~$ lock files, the tool's own temp/lock files
    NOT_A_STATEMENT = "not_a_statement"  # README.txt, a PDF, a zip, notes: no statement format recognised
    REPORT = "report"                    # a report chargecheck wrote (its marker or its CSV header)
    OWN_OUTPUT = "own_output"            # the file this run writes its report to (-o)
    NOT_REGULAR = "not_regular"          # a FIFO, a device, a socket: never opened
    BROKEN_LINK = "broken_link"          # a symlink to nothing, or a symlink loop
    FAILED = "failed"                    # a statement that could not be read: the run exits with 2


@dataclass(frozen=True)
class PassedOver:
    """A file a folder scan passed over, and why; ``FAILED`` ones carry the error (and its line)."""

    path: str
    kind: PassReason
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path + (f":{self.line}" if self.line is not None else "") + f": {self.reason}"


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Everything one ``chargecheck check`` run found; every report renders from this alone."""

    flags: tuple[Flag, ...]
    refundable: tuple[Flag, ...]
    cancellations: tuple[Cancellation, ...]
    statements: tuple[StatementSummary, ...]
    transactions: pd.DataFrame
    duplicates: tuple[DuplicateDrop, ...] = ()
    stale_reviews: tuple[StaleReview, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    to_check: tuple[Flag, ...] = ()  # possible matches, listed with a reason, never totalled
    accounts: tuple[CancellationAccount, ...] = ()  # one per recorded cancellation, in rules order
    passed_over: tuple[PassedOver, ...] = ()  # files a folder scan did not read, with the reason

    @property
    def failed(self) -> tuple[PassedOver, ...]:
        """Statement files that could not be read (reported; they make the exit code 2)."""
        return tuple(p for p in self.passed_over if p.kind is PassReason.FAILED)

    @property
    def skipped(self) -> tuple[SkippedRow, ...]:
        """Every skipped row of every statement, in file order."""
        return tuple(row for st in self.statements for row in st.skipped)

    @property
    def outstanding(self) -> tuple[Flag, ...]:
        """Flags still needing action (see :attr:`Flag.outstanding`); they set exit code 1."""
        return tuple(f for f in self.flags if f.outstanding)
