"""Terminal report (the default): flagged charges grouped by vendor, with totals, via rich.

Input: a :class:`~chargecheck.model.CheckResult`; output: text.  Colour is used only when the
caller asks (the CLI asks when stdout is a terminal and ``NO_COLOR`` is unset); every status is
also spelled out in words, so nothing is lost when piped or printed.  Statement text is shown
through :func:`~chargecheck.report.common.visible` and rich ``Text`` objects, never as markup:
``[bold]`` or an ESC byte in a descriptor is printed, not interpreted.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import CheckResult, Flag, PassReason
from .common import (VendorSummary, accounts, balances_line, format_money, format_totals, not_all_clear, refund_note,
                     totals, unmatched_warning, vendor_summaries, visible)
from .plain_table import render_plain

__all__ = ["render_table"]

_STATUS_STYLE = {"flagged": "bold red", "refunded": "green", "reviewed": "dim", "refundable": "yellow",
                 "to_check": "yellow"}


def _status(flag: Flag) -> Text:
    lit = flag.outstanding or flag.status in ("refunded", "refundable")
    style = _STATUS_STYLE.get(flag.status, "") if lit else "dim"
    text = Text(flag.status, style=style)
    if flag.review:
        text.append(f"\nreview: {visible(flag.review)}", style="dim" if not flag.outstanding else "")
    return text


def _details(flag: Flag) -> Text:
    text = Text(visible(flag.description))
    text.append("\n" + visible(str(flag.source)), style="dim")
    for other in flag.same_payment:
        text.append("\nsame payment: " + visible(str(other)), style="dim")
    if flag.reason:
        text.append("\nto check: " + visible(flag.reason), style="yellow")
    text.append(f"\nmatch {flag.score:.0f} {visible(flag.alias)} ({visible(flag.method)})", style="dim")
    text.append(f"\nid {visible(flag.id)}", style="dim")
    if (note := refund_note(flag)) is not None:
        text.append(f"\n{visible(note)}", style="green")
    if flag.review_note:
        text.append(f"\nnote: {visible(flag.review_note)}", style="dim")
    return text


def _flag_table(flags: tuple[Flag, ...], *, refundable: bool = False) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Date", no_wrap=True)
    table.add_column("Charged", justify="right", no_wrap=True)
    table.add_column("Description as printed", overflow="fold", ratio=1)
    table.add_column("Days\nbefore" if refundable else "Days\nafter", justify="right", no_wrap=True)
    table.add_column("Status", overflow="fold", max_width=18)
    table.add_column("Refund\nby", no_wrap=True)
    for flag in flags:
        days = (flag.cancelled_on - flag.date).days if refundable else flag.days_after
        table.add_row(
            flag.date.isoformat(),
            format_money(-flag.amount, visible(flag.currency)),
            _details(flag),
            str(days),
            _status(flag),  # a refundable charge already credited back reads "refunded", as everywhere
            flag.refund_deadline.isoformat() if flag.refund_deadline else "-",
        )
    return table


def _heading(vs: VendorSummary) -> Text:
    text = Text(visible(vs.vendor), style="bold underline")
    canc = vs.cancellation
    if canc is not None:
        facts = [f"cancelled {canc.cancelled_on.isoformat()}"]
        if canc.paid_through:
            facts.append(f"paid through {canc.paid_through.isoformat()}")
        facts.append(f"ref {visible(canc.reference)}" if canc.reference else "no confirmation reference recorded")
        text.append("  " + " · ".join(facts))
    return text


def _print_table(console: Console, table: Table) -> None:
    """Print ``table``: without colour as plain fixed-width text (:mod:`.plain_table`), else through rich."""
    plain = None if console.color_system else render_plain(table, console.width)
    if plain is None:
        console.print(table)
    else:
        console.file.write(plain)


def _vendor_block(console: Console, vs: VendorSummary) -> None:
    console.print(_heading(vs))
    if vs.flags:
        _print_table(console, _flag_table(vs.flags))
        stake = format_totals(vs.at_stake)
        console.print(
            Text.assemble(
                f"  At stake for {visible(vs.vendor)}: ",
                (stake, "bold red" if vs.at_stake else "green"),
                f"  ({vs.outstanding} outstanding of {len(vs.flags)} flagged)",
            )
        )
    if vs.to_check:
        console.print(Text(f"  Possible charges to check ({len(vs.to_check)}, not counted in the total):",
                           style="yellow"))
        _print_table(console, _flag_table(vs.to_check))
    if vs.refundable:
        console.print(Text("  Charged before the cancellation, still inside the refund window:", style="yellow"))
        _print_table(console, _flag_table(vs.refundable, refundable=True))
    console.print()


def _cancellations(console: Console, result: CheckResult) -> None:
    """Every recorded cancellation, with what matched it; a warning for one that matched nothing."""
    listed = accounts(result)
    if not listed:
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold",
                  title="Cancellations recorded", title_justify="left", title_style="bold")
    table.add_column("Vendor", overflow="fold", ratio=1)
    table.add_column("Cancelled", no_wrap=True)
    table.add_column("Matched\nbefore", justify="right", no_wrap=True)
    table.add_column("Matched\nafter", justify="right", no_wrap=True)
    table.add_column("Last seen\nbefore", no_wrap=True)
    for account in listed:
        table.add_row(visible(account.cancellation.vendor), account.cancellation.cancelled_on.isoformat(),
                      str(account.matched_before), str(account.matched_after),
                      account.last_seen_before.isoformat() if account.last_seen_before else "-")
    console.print(table)
    for account in listed:
        if (warning := unmatched_warning(account, result)) is not None:
            console.print(Text("Warning: " + visible(warning), style="bold yellow"))
    console.print()


def _footer(console: Console, result: CheckResult) -> None:
    n_tx = sum(st.transaction_count for st in result.statements)
    console.print(
        f"Checked {len(result.statements)} file(s), {n_tx} transaction(s); "
        f"{len(result.skipped)} row(s) skipped, {len(result.duplicates)} duplicate(s) dropped "
        "(listed in the json and html reports)."
    )
    console.print(balances_line(result))
    for stale in result.stale_reviews:
        where = stale.source_file + (f":{stale.source_line}" if stale.source_line is not None else "")
        console.print(
            Text(f"Stale review: {where}: decision '{visible(stale.decision)}' for flag "
                 f"{visible(stale.flag_id)} matches no charge any more", style="yellow")
        )
    for warning in result.warnings:
        console.print(Text("Warning: " + visible(warning), style="yellow"))
    for item in result.passed_over:
        style = "bold red" if item.kind is PassReason.FAILED else "dim"
        label = "Not read" if item.kind is PassReason.FAILED else "Passed over"
        console.print(Text(f"{label}: {visible(str(item))}", style=style))


def render_table(result: CheckResult, *, color: bool = False, width: int | None = None) -> str:
    """The terminal report as text; ANSI colours only when ``color``; fixed layout when ``width``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    summaries = vendor_summaries(result)
    for vs in summaries:
        _vendor_block(console, vs)
    _cancellations(console, result)
    outstanding = result.outstanding
    if outstanding:
        vendors = len({f.vendor for f in outstanding})
        console.print(
            Text.assemble(
                ("Total at stake: ", "bold"),
                (format_totals(totals(outstanding)), "bold red"),
                f" in {len(outstanding)} outstanding charge(s) from {vendors} vendor(s)",
            )
        )
    elif result.flags:
        console.print(Text("Nothing outstanding: every flagged charge is refunded or reviewed.", style="green"))
    elif problems := not_all_clear(result):
        console.print(Text("Not an all-clear: " + visible("; ".join(problems)) + ".", style="bold yellow"))
    else:
        console.print(Text("No charges after a cancellation found.", style="green"))
    if result.to_check:
        console.print(Text(f"{len(result.to_check)} possible charge(s) to check, listed above, not counted "
                           "in the total nor the exit code.", style="yellow"))
    _footer(console, result)
    text = buffer.getvalue()
    if not color:  # rich pads every line to the full width; plain text should not carry that
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text
