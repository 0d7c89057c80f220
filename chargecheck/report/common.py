"""Shared building blocks of every report format: ordering, grouping, totals and text safety.

Input: a :class:`~chargecheck.model.CheckResult`.  Output: plain values the renderers lay out
(``Decimal`` money, ``date`` dates, per-currency totals).  Keeping these here means the table,
JSON, CSV, Markdown and HTML reports agree on what is "at stake" and in which order flags appear.

Money at stake is the sum of the *outstanding* flags (see :attr:`Flag.outstanding`) less what
was partly credited back (:attr:`Flag.owed`), shown as a positive amount to recover, per
currency: amounts in different currencies are never added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterable

from ..model import Cancellation, CancellationAccount, CheckResult, Flag
from ..schema import ReconciliationStatus

__all__ = [
    "refund_note",
    "sort_flags",
    "vendor_names",
    "flags_by_vendor",
    "CurrencyTotal",
    "totals",
    "VendorSummary",
    "vendor_summaries",
    "format_money",
    "format_totals",
    "visible",
    "visible_text",
    "cancellation_for",
    "source_text",
    "sources_text",
    "accounts",
    "unmatched_warning",
    "headline",
    "not_all_clear",
    "balances_line",
    "still_refundable",
    "refundable_totals",
]

# C0 and C1 controls (ESC starts terminal sequences: window titles, screen clears, OSC 8 links;
# \x9b is a one-byte CSI) and the invisible characters that reorder or break displayed text: bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the bidi marks (U+200E,
# U+200F, U+061C) and the Unicode line and paragraph separators (U+2028, U+2029).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """Text with control and bidi-control characters shown as ``\\xNN`` / ``\\uNNNN`` escapes.

    The one text-cleaning step of every renderer (tables, Markdown, CSV, HTML, letters, the
    ``transactions`` and ``subscriptions`` outputs).  Statement descriptors are untrusted: an ESC
    or CR in one must not move the terminal cursor, retitle the window or plant a hyperlink, and a
    right-to-left override must not make ``-9.99`` read as ``99.9-``.  The escape keeps the
    evidence faithful (the characters are shown, not dropped).  Idempotent.
    """
    if text is None:
        return ""
    text = str(text)
    if text.isascii() and text.isprintable():  # the common case, without a regex pass
        return text
    return _UNSAFE.sub(_escape, text)


def visible_text(text: str) -> str:
    """A whole rendered output with :func:`visible` applied line by line (LF and CRLF line ends kept).

    The last step of every text renderer: whatever field a renderer forgot to pass through
    :func:`visible` cannot reach the terminal or file raw (a renderer never emits control
    characters of its own besides the newline).
    """
    lines = text.split("\n")
    if text.isascii() and all((line[:-1] if line.endswith("\r") else line).isprintable() for line in lines):
        return text
    # A line's CR is kept where the renderer ends lines with CRLF (the CSV report, RFC 4180).
    return "\n".join(visible(line[:-1]) + "\r" if line.endswith("\r") else visible(line) for line in lines)


def _flag_key(flag: Flag) -> tuple:
    src = flag.source
    return (
        flag.vendor.casefold(),
        flag.vendor,
        flag.date,
        src.file,
        src.line if src.line is not None else -1,
        src.fitid or "",
        flag.id,
    )


def sort_flags(flags: Iterable[Flag]) -> list[Flag]:
    """Flags in report order: vendor (case-insensitive), date, source file, line, id.

    Whatever order the flagging stage produced, every report lists the same flags in the same
    order, so two runs on the same statements give identical output.
    """
    return sorted(flags, key=_flag_key)


def vendor_names(result: CheckResult) -> list[str]:
    """Vendors that have flags, charges to check or refundable charges, in report order."""
    names = {f.vendor for f in result.flags} | {f.vendor for f in result.refundable} | {f.vendor for f in result.to_check}
    return sorted(names, key=lambda v: (v.casefold(), v))


def flags_by_vendor(flags: Iterable[Flag]) -> dict[str, list[Flag]]:
    """Flags grouped by vendor; vendors and flags both in report order."""
    groups: dict[str, list[Flag]] = {}
    for flag in sort_flags(flags):
        groups.setdefault(flag.vendor, []).append(flag)
    return groups


@dataclass(frozen=True)
class CurrencyTotal:
    """A sum of money in one currency (``currency`` is ``""`` when the statement named none)."""

    currency: str
    amount: Decimal
    count: int


def totals(flags: Iterable[Flag], *, outstanding_only: bool = True) -> list[CurrencyTotal]:
    """Money to recover per currency: what the outstanding charges still owe (net of partial credits).

    ``outstanding_only`` leaves out refunded flags and those reviewed as expected/ignore, which
    is what "at stake" means; without it, the charges' full amounts are summed.  Currencies are
    kept apart and listed alphabetically.
    """
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for flag in flags:
        if outstanding_only and not flag.outstanding:
            continue
        sums[flag.currency] = sums.get(flag.currency, Decimal("0.00")) + (flag.owed if outstanding_only else -flag.amount)
        counts[flag.currency] = counts.get(flag.currency, 0) + 1
    return [CurrencyTotal(cur, sums[cur].quantize(Decimal("0.01")), counts[cur]) for cur in sorted(sums)]


def still_refundable(flag: Flag) -> bool:
    """A charge from before the cancellation that can still be asked back: inside its refund
    window, not refunded, and not reviewed as refunded, expected or ignored.  Every format
    counts and totals exactly these."""
    return flag.status == "refundable" and flag.review not in ("refunded", "expected", "ignore")


def refundable_totals(flags: Iterable[Flag]) -> list[CurrencyTotal]:
    """Money still refundable per currency: what the :func:`still_refundable` charges owe."""
    return totals([replace(flag, status="flagged", review=None) for flag in flags if still_refundable(flag)])


def refund_note(flag: Flag) -> str | None:
    """What came back against a charge, in words: ``refunded by F:12``, or for a partial credit
    ``7.00 credited back by F:12; 8.49 still owed``; None when nothing did."""
    if flag.refunded_by is None:
        return None
    if flag.status == "refunded" or flag.refunded_amount is None:
        return f"refunded by {flag.refunded_by}"
    return (f"{format_money(flag.refunded_amount, flag.currency)} credited back by {flag.refunded_by}; "
            f"{format_money(flag.owed, flag.currency)} still owed")


@dataclass(frozen=True)
class VendorSummary:
    """One vendor's line in a summary: its cancellation, flag counts and money at stake."""

    vendor: str
    cancellation: Cancellation | None
    flags: tuple[Flag, ...]
    refundable: tuple[Flag, ...]
    at_stake: tuple[CurrencyTotal, ...]
    to_check: tuple[Flag, ...] = ()  # possible matches, listed, never in ``at_stake``

    @property
    def outstanding(self) -> int:
        """Number of flags still needing action."""
        return sum(1 for f in self.flags if f.outstanding)

    @property
    def refunded(self) -> int:
        """Number of flags already refunded (a matching credit, or reviewed as refunded)."""
        return sum(1 for f in self.flags if f.status == "refunded" or f.review == "refunded")


def cancellation_for(result: CheckResult, vendor: str) -> Cancellation | None:
    """The recorded cancellation of ``vendor`` (the first one, if the rules hold several)."""
    for canc in result.cancellations:
        if canc.vendor == vendor:
            return canc
    return None


def vendor_summaries(result: CheckResult) -> list[VendorSummary]:
    """One summary per vendor with flags, charges to check or refundable charges, in report order."""
    flags = flags_by_vendor(result.flags)
    refundable = flags_by_vendor(result.refundable)
    to_check = flags_by_vendor(result.to_check)
    cancellations: dict[str, Cancellation] = {}
    for canc in result.cancellations:
        cancellations.setdefault(canc.vendor, canc)
    out = []
    for vendor in vendor_names(result):
        mine = tuple(flags.get(vendor, ()))
        out.append(VendorSummary(vendor, cancellations.get(vendor), mine, tuple(refundable.get(vendor, ())),
                                 tuple(totals(mine)), tuple(to_check.get(vendor, ()))))
    return out


def format_money(amount: Decimal, currency: str = "") -> str:
    """``1234.5`` → ``1,234.50 USD`` (currency omitted when unknown); for people, not machines."""
    text = f"{amount.quantize(Decimal('0.01')):,}"
    return f"{text} {currency}" if currency else text


def format_totals(items: Iterable[CurrencyTotal], empty: str = "0.00") -> str:
    """Per-currency totals joined with `` + `` (e.g. ``59.99 USD + 12.00 EUR``), never summed."""
    items = list(items)
    parts = [
        format_money(t.amount, t.currency) if t.currency or len(items) == 1
        else format_money(t.amount) + " (currency not stated)"
        for t in items
    ]
    return " + ".join(parts) if parts else empty


def source_text(flag: Flag) -> str:
    """Where the charge is printed: ``file:line`` or ``file#FITID``."""
    return str(flag.source)


def sources_text(flag: Flag) -> str:
    """Every line of the payment: ``file:line``, then ``+ file:line`` for each other line of it."""
    return " + ".join(str(source) for source in (flag.source, *flag.same_payment))


def accounts(result: CheckResult) -> list[CancellationAccount]:
    """Every recorded cancellation's account, in report order (vendor, then cancellation day)."""
    return sorted(result.accounts, key=lambda a: (a.cancellation.vendor.casefold(), a.cancellation.vendor,
                                                  a.cancellation.cancelled_on))


def unmatched_warning(account: CancellationAccount, result: CheckResult) -> str | None:
    """For a cancellation nothing matched: the sentence every report prints; None otherwise.

    "Kaspersky never matched any of 214 transactions in 3 statements; closest: "…" (why refused);
    add an alias or check the name".  Statement text is returned raw: each renderer escapes it.
    """
    if not account.matched_nothing:
        return None
    n_tx = sum(st.transaction_count for st in result.statements)
    text = (f"{account.cancellation.vendor} never matched any of {n_tx} transaction(s) in "
            f"{len(result.statements)} statement(s)")
    if account.closest:
        text += "; closest: " + "; ".join(f'"{c.description}" ({c.reason})' for c in account.closest)
    else:
        text += "; no descriptor resembles its name"
    return text + "; add an alias or check the name"


def not_all_clear(result: CheckResult) -> list[str]:
    """Why "nothing found" would be a false all-clear: nothing recorded or read, or a cancellation
    that matched nothing at all (each report shows these where it would otherwise say all is well)."""
    reasons: list[str] = []
    if not result.cancellations:
        reasons.append("no cancellation is recorded")
    if not any(st.transaction_count for st in result.statements):
        reasons.append("the statements yielded no transactions")
    silent = [a.cancellation.vendor for a in accounts(result) if a.matched_nothing]
    if silent and any(st.transaction_count for st in result.statements):
        reasons.append(f"{len(silent)} cancellation(s) matched no charge at all ({', '.join(silent)})")
    return reasons


def headline(result: CheckResult) -> str:
    """The report's first sentence, in words (each renderer adds its own emphasis and escaping)."""
    outstanding = result.outstanding
    if outstanding:
        text = (f"Total at stake: {format_totals(totals(outstanding))} in {len(outstanding)} outstanding "
                f"charge(s) from {len({f.vendor for f in outstanding})} vendor(s)")
    elif result.flags:
        text = "Nothing outstanding: every flagged charge is refunded or reviewed"
    elif problems := not_all_clear(result):
        text = "Not an all-clear: " + "; ".join(problems)
    else:
        text = "No charges after a cancellation found"
    if result.to_check:
        text += f"; {len(result.to_check)} possible charge(s) to check, not counted"
    return text + "."
def balances_line(result: CheckResult) -> str:
    """How the statements' own balances checked out, one line for the table and Markdown footers
    (each failure is also a warning naming the file and line)."""
    counts = {status: 0 for status in ReconciliationStatus}
    for statement in result.statements:
        counts[statement.reconciliation.status] += 1
    return (f"Balances: {counts[ReconciliationStatus.RECONCILED]} file(s) reconciled, "
            f"{counts[ReconciliationStatus.NOT_RECONCILED]} not reconciled, "
            f"{counts[ReconciliationStatus.NO_BALANCES]} without balances.")
