"""Markdown report: a readable summary and one table per vendor, for notes, issues or email.

Input: a :class:`~chargecheck.model.CheckResult`; output: CommonMark/GFM text.  Everything that
came from a statement or rules file goes through :func:`md_escape`: table pipes, emphasis,
links, HTML tags and entities are backslash-escaped, control characters shown as ``\\xNN``,
so ``<img src=x onerror=alert(1)>`` or ``a|b`` in a descriptor renders as the text it is.
"""

from __future__ import annotations

import re

from ..model import CheckResult, Flag
from .common import VendorSummary, format_money, refund_note, totals, vendor_summaries, visible

__all__ = ["render_markdown", "md_escape"]

# ASCII punctuation that means something to CommonMark/GFM inline parsing or tables.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")


def md_escape(text: object) -> str:
    """Escape untrusted text for a Markdown paragraph or table cell (backslash escapes)."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))


def _totals(items) -> str:
    """Per-currency totals; only the currency (statement text) is escaped, not the `` + ``."""
    return " + ".join(md_escape(format_money(t.amount, t.currency)) for t in items) or "0.00"


def _status(flag: Flag) -> str:
    partly = flag.status == "flagged" and flag.refunded_amount is not None
    note = f" ({md_escape(refund_note(flag))})" if partly else ""
    return flag.status + note + (f", reviewed: {md_escape(flag.review)}" if flag.review else "")


def _table(flags: tuple[Flag, ...], *, refundable: bool = False) -> list[str]:
    lines = [
        "| ID | Date | Charged | Description (as printed) | Source | Days | Score | Alias | Status | Refund by |",
        "|---|---|---:|---|---|---:|---:|---|---|---|",
    ]
    for f in flags:
        days = f"{(f.cancelled_on - f.date).days} before" if refundable else str(f.days_after)
        cells = [
            f"`{f.id}`" if "`" not in f.id else md_escape(f.id),
            f.date.isoformat(),
            md_escape(format_money(-f.amount, f.currency)),
            md_escape(f.description),
            md_escape(str(f.source)),
            days,
            f"{f.score:.0f}",
            md_escape(f.alias),
            "refundable" if refundable else _status(f),
            f.refund_deadline.isoformat() if f.refund_deadline else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _vendor(vs: VendorSummary) -> list[str]:
    lines = [f"## {md_escape(vs.vendor)}", ""]
    canc = vs.cancellation
    if canc is not None:
        facts = [f"Cancelled on **{canc.cancelled_on.isoformat()}**"]
        if canc.paid_through:
            facts.append(f"paid through {canc.paid_through.isoformat()}")
        facts.append(
            f"confirmation reference {md_escape(canc.reference)}" if canc.reference else "no confirmation reference recorded"
        )
        lines += ["; ".join(facts) + ".", ""]
    if vs.flags:
        lines += _table(vs.flags) + [""]
        lines += [
            f"At stake: **{_totals(vs.at_stake)}** "
            f"({vs.outstanding} outstanding of {len(vs.flags)} flagged).",
            "",
        ]
    if vs.refundable:
        lines += ["Charged before the cancellation, still inside the refund window:", ""]
        lines += _table(vs.refundable, refundable=True) + [""]
    return lines


def _dropped(result: CheckResult) -> list[str]:
    lines = []
    if result.skipped:
        lines += ["## Skipped rows", "", "| Source | Reason | Text |", "|---|---|---|"]
        for row in result.skipped:
            where = row.file + (f":{row.line}" if row.line is not None else "")
            lines.append(f"| {md_escape(where)} | {md_escape(row.reason)} | {md_escape(row.text)} |")
        lines.append("")
    if result.duplicates:
        lines += ["## Duplicates dropped", "", "| Date | Amount | Description | Kept | Dropped | Reason |",
                  "|---|---:|---|---|---|---|"]
        for d in result.duplicates:
            lines.append(
                f"| {d.date.isoformat()} | {d.amount} | {md_escape(d.description)} | {md_escape(d.kept)} "
                f"| {md_escape(d.dropped)} | {md_escape(d.reason)} |"
            )
        lines.append("")
    if result.stale_reviews:
        lines += ["## Stale review decisions", ""]
        for s in result.stale_reviews:
            where = s.source_file + (f":{s.source_line}" if s.source_line is not None else "")
            lines.append(f"- {md_escape(where)}: {md_escape(s.decision)} for flag `{visible(s.flag_id).replace('`', '')}` "
                         "matches no charge any more")
        lines.append("")
    if result.warnings:
        lines += ["## Warnings", ""] + [f"- {md_escape(w)}" for w in result.warnings] + [""]
    return lines


def render_markdown(result: CheckResult) -> str:
    """The Markdown report as text (summary, a section per vendor, then what import dropped)."""
    outstanding = result.outstanding
    n_tx = sum(st.transaction_count for st in result.statements)
    lines = ["# Charges after cancellation", ""]
    if outstanding:
        lines.append(
            f"**Total at stake: {_totals(totals(outstanding))}** in {len(outstanding)} "
            f"outstanding charge(s) from {len({f.vendor for f in outstanding})} vendor(s)."
        )
    elif result.flags:
        lines.append("Nothing outstanding: every flagged charge is refunded or reviewed.")
    else:
        lines.append("No charges after a cancellation found.")
    lines += [
        "",
        f"Checked {len(result.statements)} file(s), {n_tx} transaction(s); {len(result.skipped)} row(s) "
        f"skipped, {len(result.duplicates)} duplicate(s) dropped.",
        "",
    ]
    for vs in vendor_summaries(result):
        lines += _vendor(vs)
    lines += _dropped(result)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
