"""JSON report: the machine-readable form of a :class:`~chargecheck.model.CheckResult`.

Shape (``version`` 1)::

    {"generator": "chargecheck", "version": 1, "flags": [...], "to_check": [...], "refundable": [...],
     "cancellations": [...], "summary": {...}, "skipped": [...], "duplicates": [...],
     "stale_reviews": [...], "files": [...], "warnings": [...], "passed_over": [...]}

Each flag object has the keys ``vendor, date, amount, currency, description, source, cancelled_on,
paid_through, days_after, reference, score, alias, status, refund_deadline, id`` plus ``method``,
``review``, ``review_note``, ``refunded_by``, ``refunded_amount`` (credited back against the
charge, positive, or null), ``owed`` (what is left to recover, positive: the charge less
``refunded_amount``) and ``same_payment`` (the sources of the payment's other lines: a wallet's
activity line and the card line that funded it are one payment, one flag).  ``to_check`` holds
possible matches, never totalled nor in the exit code: the same object shape plus ``reason``
(why the match is doubtful).  ``cancellations`` has one object per recorded cancellation:
``vendor, cancelled_on, matched_before, matched_after, last_seen_before`` (date or null),
``closest`` (a list of ``{description, reason}``: the descriptors nearest the name, filled when
nothing matched at all) and ``warning`` (the sentence the other reports print then, else null).  Dates are ISO ``YYYY-MM-DD``; amounts are decimal strings keeping the
statement's sign (money out negative, ``"-59.99"``); ``source`` is ``{"file", "line"}`` or
``{"file", "fitid"}``.  Each ``files`` entry carries ``reconciliation``: ``{"status":
"reconciled" | "not reconciled" | "no balances", "off_by", "line", "method"}``.  Keys come in a fixed order, flags in report order,
and nothing depends on the clock, so the same input always gives the same bytes.

``summary.at_stake`` lists the money to recover (positive) per currency; different currencies
are never added together.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from ..model import CancellationAccount, CheckResult, DuplicateDrop, Flag, PassedOver, Source, StaleReview
from ..schema import SkippedRow, StatementSummary
from .common import (CurrencyTotal, accounts, refundable_totals, sort_flags, still_refundable, totals,
                     unmatched_warning, vendor_summaries)
from .markers import GENERATOR

__all__ = ["render_json", "report_dict", "flag_dict", "to_check_dict", "passed_over_dict", "reconciliation_dict",
           "JSON_VERSION"]

JSON_VERSION = 1


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _score(value: float) -> float:
    # Rounded so that float noise from the scorer never changes the report's bytes.
    return round(float(value), 1)


def source_dict(source: Source | None) -> dict[str, Any] | None:
    """``{"file", "line"}`` and/or ``"fitid"``: only the keys the statement gave."""
    if source is None:
        return None
    out: dict[str, Any] = {"file": source.file}
    if source.line is not None:
        out["line"] = int(source.line)
    if source.fitid:
        out["fitid"] = source.fitid
    return out


def flag_dict(flag: Flag) -> dict[str, Any]:
    """One flag as a JSON object with the documented keys, in a fixed order."""
    return {
        "id": flag.id,
        "vendor": flag.vendor,
        "date": _iso(flag.date),
        "amount": _money(flag.amount),
        "currency": flag.currency,
        "description": flag.description,
        "source": source_dict(flag.source),
        "cancelled_on": _iso(flag.cancelled_on),
        "paid_through": _iso(flag.paid_through),
        "days_after": int(flag.days_after),
        "reference": flag.reference,
        "score": _score(flag.score),
        "alias": flag.alias,
        "method": flag.method,
        "status": flag.status,
        "refund_deadline": _iso(flag.refund_deadline),
        "refunded_by": source_dict(flag.refunded_by),
        "refunded_amount": _money(flag.refunded_amount) if flag.refunded_amount is not None else None,
        "owed": _money(flag.owed),
        "review": flag.review,
        "review_note": flag.review_note,
        "same_payment": [source_dict(s) for s in flag.same_payment],
    }


def to_check_dict(flag: Flag) -> dict[str, Any]:
    """A possible match: a flag object plus ``reason``, why it is doubtful."""
    return {**flag_dict(flag), "reason": flag.reason or ""}


def _account(account: CancellationAccount, result: CheckResult) -> dict[str, Any]:
    canc = account.cancellation
    return {
        "vendor": canc.vendor,
        "cancelled_on": _iso(canc.cancelled_on),
        "matched_before": account.matched_before,
        "matched_after": account.matched_after,
        "last_seen_before": _iso(account.last_seen_before),
        "closest": [{"description": c.description, "reason": c.reason} for c in account.closest],
        "warning": unmatched_warning(account, result),
    }


def _totals(items: list[CurrencyTotal]) -> list[dict[str, Any]]:
    return [{"currency": t.currency, "amount": _money(t.amount), "count": t.count} for t in items]


def _summary(result: CheckResult) -> dict[str, Any]:
    flags = result.flags
    vendors = []
    for vs in vendor_summaries(result):
        canc = vs.cancellation
        vendors.append(
            {
                "vendor": vs.vendor,
                "cancelled_on": _iso(canc.cancelled_on) if canc else None,
                "paid_through": _iso(canc.paid_through) if canc else None,
                "reference": canc.reference if canc else None,
                "flags": len(vs.flags),
                "outstanding": vs.outstanding,
                "refunded": vs.refunded,
                "refundable": sum(map(still_refundable, vs.refundable)),
                "to_check": len(vs.to_check),
                "at_stake": _totals(list(vs.at_stake)),
            }
        )
    return {
        "at_stake": _totals(totals(flags)),
        "refundable_before_cancellation": _totals(refundable_totals(result.refundable)),
        "flags": len(flags),
        "outstanding": len(result.outstanding),
        "refunded": sum(1 for f in flags if f.status == "refunded"),
        "reviewed": sum(1 for f in flags if f.review),
        "refundable": sum(map(still_refundable, result.refundable)),
        "to_check": len(result.to_check),
        "files": len(result.statements),
        "transactions": int(sum(st.transaction_count for st in result.statements)),
        "skipped": len(result.skipped),
        "duplicates": len(result.duplicates),
        "stale_reviews": len(result.stale_reviews),
        "vendors": vendors,
    }


def _skipped(row: SkippedRow) -> dict[str, Any]:
    return {"file": row.file, "line": row.line, "reason": row.reason, "text": row.text}


def _duplicate(drop: DuplicateDrop) -> dict[str, Any]:
    return {
        "date": _iso(drop.date),
        "amount": _money(drop.amount),
        "description": drop.description,
        "kept": source_dict(drop.kept),
        "dropped": source_dict(drop.dropped),
        "reason": drop.reason,
    }


def _stale(stale: StaleReview) -> dict[str, Any]:
    return {
        "id": stale.flag_id,
        "decision": stale.decision,
        "note": stale.note,
        "source": {"file": stale.source_file, "line": stale.source_line},
    }


def reconciliation_dict(st: StatementSummary) -> dict[str, Any]:
    """A statement's reconciliation as JSON values: status, off_by (decimal string), line, method."""
    rec = st.reconciliation
    return {"status": rec.status.value, "off_by": None if rec.off_by is None else _money(rec.off_by),
            "line": rec.line, "method": rec.method}


def _file(st: StatementSummary) -> dict[str, Any]:
    return {
        "file": st.path,
        "format": st.format,
        "encoding": st.encoding,
        "layout": st.layout,
        "rows_read": int(st.rows_read),
        "transactions": st.transaction_count,
        "skipped": len(st.skipped),
        "notes": list(st.notes),
        "reconciliation": reconciliation_dict(st),
    }


def passed_over_dict(item: PassedOver) -> dict[str, Any]:
    """A file a folder scan passed over: ``{"file", "kind", "reason", "line"}``."""
    return {"file": item.path, "kind": item.kind.value, "reason": item.reason, "line": item.line}


def report_dict(result: CheckResult) -> dict[str, Any]:
    """The whole report as plain JSON-ready values (see the module docstring for the shape)."""
    return {
        "generator": GENERATOR,
        "version": JSON_VERSION,
        "flags": [flag_dict(f) for f in sort_flags(result.flags)],
        "to_check": [to_check_dict(f) for f in sort_flags(result.to_check)],
        "refundable": [flag_dict(f) for f in sort_flags(result.refundable)],
        "cancellations": [_account(a, result) for a in accounts(result)],
        "summary": _summary(result),
        "skipped": [_skipped(r) for r in result.skipped],
        "duplicates": [_duplicate(d) for d in result.duplicates],
        "stale_reviews": [_stale(s) for s in result.stale_reviews],
        "files": [_file(st) for st in result.statements],
        "warnings": list(result.warnings),
        "passed_over": [passed_over_dict(p) for p in result.passed_over],
    }


def render_json(result: CheckResult) -> str:
    """The JSON report as text (2-space indent, UTF-8 characters kept, trailing newline)."""
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
