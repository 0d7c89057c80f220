"""CSV report: one row per flagged charge, per charge to check, per cancellation; fixed columns.

Columns (always these, in this order)::

    id, vendor, status, review, date, amount, currency, description, source_file, source_line,
    fitid, cancelled_on, paid_through, days_after, reference, score, alias, method,
    refund_deadline, refunded_by, refunded_amount, owed, review_note,
    record, reason, same_payment, matched_before, matched_after, last_seen_before

``record`` says what a row is: ``flag`` (counted), ``to_check`` (a possible match, not counted;
``reason`` says why it is doubtful) or ``cancellation`` (one per recorded cancellation, only
``vendor``, ``cancelled_on``, ``paid_through``, ``reference`` and the ``matched_*`` /
``last_seen_before`` columns filled, and ``reason`` holding the warning when nothing matched).
Sum ``owed`` over the ``flag`` rows for the money at stake.  ``same_payment`` names the other
lines of one payment (``file:line``, joined by `` + ``).  Flag rows come first, then rows to
check, then cancellations.

Spreadsheet formula injection: a statement descriptor such as ``=HYPERLINK("http://…")`` or
``@SUM(A1)`` would be executed by Excel, LibreOffice or Google Sheets when the CSV is opened.
Every *text* cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
therefore prefixed with a single quote ``'`` (the spreadsheet convention for "this is text"),
so ``=1+2`` is written as ``'=1+2``.  Numeric cells (``amount``, ``source_line``, ``days_after``,
``score``, ``refunded_amount``, ``owed``) and dates are written by chargecheck itself and are never
prefixed, so amounts stay plain signed numbers (``-59.99``, money out negative) that sum
correctly; ``refunded_amount`` (credited back) and ``owed`` (left to recover) are positive.  Rows end with CRLF
(RFC 4180).  Refundable charges from before the cancellation are not rows here; they are in the JSON, Markdown and HTML reports.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from ..model import CancellationAccount, CheckResult, Flag
from .common import accounts, sort_flags, unmatched_warning, visible

__all__ = ["render_csv", "csv_safe", "CSV_COLUMNS"]

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "vendor",
    "status",
    "review",
    "date",
    "amount",
    "currency",
    "description",
    "source_file",
    "source_line",
    "fitid",
    "cancelled_on",
    "paid_through",
    "days_after",
    "reference",
    "score",
    "alias",
    "method",
    "refund_deadline",
    "refunded_by",
    "refunded_amount",
    "owed",
    "review_note",
    "record",
    "reason",
    "same_payment",
    "matched_before",
    "matched_after",
    "last_seen_before",
)

_DANGEROUS_LEAD = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str | None) -> str:
    """Neutralise a text cell a spreadsheet would execute: prefix ``'`` to a dangerous lead.

    Only for text cells: applying it to ``-59.99`` would turn an amount into text.
    """
    if not text:
        return ""
    text = visible(text)  # control characters shown, as in every text output
    return "'" + text if text.startswith(_DANGEROUS_LEAD) else text


def _row(flag: Flag, record: str = "flag") -> list[str]:
    src = flag.source
    text = {
        "id": flag.id,
        "vendor": flag.vendor,
        "status": flag.status,
        "review": flag.review,
        "currency": flag.currency,
        "description": flag.description,
        "source_file": src.file,
        "fitid": src.fitid,
        "reference": flag.reference,
        "alias": flag.alias,
        "method": flag.method,
        "refunded_by": str(flag.refunded_by) if flag.refunded_by else None,
        "review_note": flag.review_note,
        "reason": flag.reason,
        "same_payment": " + ".join(str(other) for other in flag.same_payment),
    }
    plain = {
        "record": record,
        "matched_before": "",
        "matched_after": "",
        "last_seen_before": "",
        "date": flag.date.isoformat(),
        "amount": str(flag.amount.quantize(Decimal("0.01"))),
        "source_line": "" if src.line is None else str(int(src.line)),
        "cancelled_on": flag.cancelled_on.isoformat(),
        "paid_through": flag.paid_through.isoformat() if flag.paid_through else "",
        "days_after": str(int(flag.days_after)),
        "score": f"{float(flag.score):.1f}",
        "refund_deadline": flag.refund_deadline.isoformat() if flag.refund_deadline else "",
        "refunded_amount": str(flag.refunded_amount.quantize(Decimal("0.01"))) if flag.refunded_amount is not None else "",
        "owed": str(flag.owed.quantize(Decimal("0.01"))),
    }
    return [csv_safe(text[c]) if c in text else plain[c] for c in CSV_COLUMNS]


def _account_row(account: CancellationAccount, result: CheckResult) -> list[str]:
    canc = account.cancellation
    text = {"vendor": canc.vendor, "reference": canc.reference, "reason": unmatched_warning(account, result)}
    plain = {
        "record": "cancellation",
        "cancelled_on": canc.cancelled_on.isoformat(),
        "paid_through": canc.paid_through.isoformat() if canc.paid_through else "",
        "matched_before": str(account.matched_before),
        "matched_after": str(account.matched_after),
        "last_seen_before": account.last_seen_before.isoformat() if account.last_seen_before else "",
    }
    return [csv_safe(text[c]) if c in text else plain.get(c, "") for c in CSV_COLUMNS]


def render_csv(result: CheckResult) -> str:
    """The CSV report as text: a header row, then the flags, the charges to check and the
    cancellations, each in report order."""
    buffer = io.StringIO()
    # CRLF (RFC 4180) also makes the writer quote a bare CR inside a description.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for flag in sort_flags(result.flags):
        writer.writerow(_row(flag))
    for flag in sort_flags(result.to_check):
        writer.writerow(_row(flag, "to_check"))
    for account in accounts(result):
        writer.writerow(_account_row(account, result))
    return buffer.getvalue()
