"""Markdown report: a readable summary and one table per vendor, for notes, issues or email.

Input: a :class:`~chargecheck.model.CheckResult`; output: CommonMark/GFM text.  Everything that
came from a statement or rules file goes through :func:`md_escape`: table pipes, emphasis,
links, HTML tags and entities are backslash-escaped, control characters shown as ``\\xNN``,
so ``<img src=x onerror=alert(1)>`` or ``a|b`` in a descriptor renders as the text it is.
"""

from __future__ import annotations

import re

from ..model import CheckResult, Flag
from .common import (VendorSummary, accounts, balances_line, format_money, not_all_clear, refund_note, sources_text,
                     totals, unmatched_warning, vendor_summaries, visible)
from .markers import MARKDOWN_MARK

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
    if flag.reason:
        note += f" ({md_escape(flag.reason)})"
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
            md_escape(sources_text(f)),
            days,
            f"{f.score:.0f}",
            md_escape(f.alias),
            _status(f),  # a refundable charge already credited back reads "refunded", as everywhere
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
    if vs.to_check:
        lines += [f"Possible charges to check ({len(vs.to_check)}, not counted in the total):", ""]
        lines += _table(vs.to_check) + [""]
    if vs.refundable:
        lines += ["Charged before the cancellation, still inside the refund window:", ""]
        lines += _table(vs.refundable, refundable=True) + [""]
    return lines


def _located_table(title: str, header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    """A ``## title`` section: one table row per (file, line, *cells), the first cell ``file:line``."""
    lines = [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for file, line, *cells in rows:
        where = file + (f":{line}" if line is not None else "")
        lines.append("| " + " | ".join(md_escape(cell) for cell in (where, *cells)) + " |")
    return lines + [""]


def _cancellations(result: CheckResult) -> list[str]:
    listed = accounts(result)
    if not listed:
        return []
    lines = ["## Cancellations recorded", "", "| Vendor | Cancelled on | Matched before | Matched after | Last seen before |",
             "|---|---|---:|---:|---|"]
    for a in listed:
        last = a.last_seen_before.isoformat() if a.last_seen_before else "—"
        lines.append(f"| {md_escape(a.cancellation.vendor)} | {a.cancellation.cancelled_on.isoformat()} "
                     f"| {a.matched_before} | {a.matched_after} | {last} |")
    lines.append("")
    warnings = [w for a in listed if (w := unmatched_warning(a, result)) is not None]
    lines += [f"> **Warning:** {md_escape(w)}" + "\n" for w in warnings]
    return lines


def _dropped(result: CheckResult) -> list[str]:
    lines = []
    if result.skipped:
        lines += _located_table("Skipped rows", ("Source", "Reason", "Text"),
                                [(row.file, row.line, row.reason, row.text) for row in result.skipped])
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
    if result.passed_over:
        lines += _located_table("Files passed over", ("File", "Reason"),
                                [(item.path, item.line, item.reason) for item in result.passed_over])
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
    elif problems := not_all_clear(result):
        lines.append(f"**Not an all-clear:** {md_escape('; '.join(problems))}.")
    else:
        lines.append("No charges after a cancellation found.")
    if result.to_check:
        lines += ["", f"{len(result.to_check)} possible charge(s) to check are listed under their vendor, "
                      "not counted in the total nor the exit code."]
    lines += [
        "",
        f"Checked {len(result.statements)} file(s), {n_tx} transaction(s); {len(result.skipped)} row(s) "
        f"skipped, {len(result.duplicates)} duplicate(s) dropped.",
        balances_line(result),
        "",
    ]
    for vs in vendor_summaries(result):
        lines += _vendor(vs)
    lines += _cancellations(result)
    lines += _dropped(result)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines + ["", MARKDOWN_MARK]) + "\n"
