"""Reports of discovered subscriptions: table, JSON, CSV, Markdown and self-contained HTML.

Input: :class:`~chargecheck.discover.subscriptions.Subscription` records (and optionally the refused
repeaters).  Output: text, deterministic for the same input (order as given; the discovery
sorts it), dates ISO, money as decimal strings — never floats.

Statement text is untrusted: control characters are shown as ``\\xNN``; CSV text cells that
a spreadsheet would execute (``=``, ``+``, ``-``, ``@``, tab, CR) get a leading ``'``; HTML is
escaped by jinja2 with ``autoescape=True``; Markdown cells escape ``|``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Sequence

from ..errors import UsageError
from .common import visible, visible_text
from .csv_report import csv_safe
from .markers import GENERATOR, MARKDOWN_MARK

__all__ = ["render", "FORMATS", "to_json_dict", "CSV_COLUMNS"]

FORMATS = ("table", "json", "csv", "md", "html")
CSV_COLUMNS = (
    "vendor", "description", "cadence", "status", "amount", "amount_min", "amount_max", "currency",
    "first", "last", "next_expected", "next_amount", "price_changes", "confidence", "charges",
    "evidence", "cancel_command",
)
def _cancel_note(sub) -> str:
    """What the rules say about this series, in words ("" when no rule covers it)."""
    if sub.cancelled_on is None:
        return ""
    if sub.status == "cancelled_but_charging":
        return f"cancelled on {sub.cancelled_on} per your rules, still charging (chargecheck check lists the flags)"
    return f"cancelled on {sub.cancelled_on} per your rules"


def _changes_text(sub) -> str:
    return "; ".join(f"{c.date.isoformat()} {c.from_amount} → {c.to_amount}" for c in sub.price_changes)


def to_json_dict(sub) -> dict:
    """One subscription as the JSON object of issue 6 (plus currency, next_amount, evidence, command)."""
    return {
        "vendor": sub.vendor,
        "description": sub.description,
        "cadence": sub.cadence,
        "status": sub.status,
        "amount": str(sub.amount),
        "amount_min": str(sub.amount_min),
        "amount_max": str(sub.amount_max),
        "first": sub.first.isoformat(),
        "last": sub.last.isoformat(),
        "next_expected": sub.next_expected.isoformat(),
        "price_changes": [
            {"date": c.date.isoformat(), "from": str(c.from_amount), "to": str(c.to_amount)}
            for c in sub.price_changes
        ],
        "confidence": sub.confidence,
        "charges": [
            {
                "date": c.date.isoformat(),
                "amount": str(c.amount),
                "description": c.description,
                "account": c.account,
                "source": str(c.source),
                "file": c.source.file,
                "line": c.source.line,
                "fitid": c.source.fitid,
            }
            for c in sub.charges
        ],
        "currency": sub.currency,
        "next_amount": str(sub.next_amount),
        "evidence": sub.evidence,
        "cancelled_on": sub.cancelled_on.isoformat() if sub.cancelled_on else None,
        "cancel_command": sub.cancel_command,
    }


def _json(subs, refused) -> str:
    return json.dumps({"generator": GENERATOR, "subscriptions": [to_json_dict(s) for s in subs]}, indent=2, ensure_ascii=False) + "\n"


def _csv(subs, refused) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in subs:
        writer.writerow([
            csv_safe(s.vendor), csv_safe(s.description), s.cadence, s.status, s.amount, s.amount_min,
            s.amount_max, csv_safe(s.currency), s.first, s.last, s.next_expected, s.next_amount,
            csv_safe(_changes_text(s)), f"{s.confidence:.3f}", len(s.charges), csv_safe(s.evidence),
            csv_safe(s.cancel_command or ""),
        ])
    return out.getvalue()


def _money(sub, value) -> str:
    return f"{value} {sub.currency}".strip()


def _range(sub) -> str:
    return str(sub.amount_min) if sub.amount_min == sub.amount_max else f"{sub.amount_min}–{sub.amount_max}"


def _md_cell(text: object) -> str:
    return visible(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md(subs, refused) -> str:
    lines = [f"# Subscriptions found ({len(subs)})", ""]
    if subs:
        lines += [
            "| vendor | cadence | status | amount | range | first | last | next expected | confidence |",
            "|---|---|---|---:|---|---|---|---|---:|",
        ]
        for s in subs:
            lines.append(
                f"| {_md_cell(s.vendor)} | {s.cadence} | {s.status} | {_md_cell(_money(s, s.amount))} | "
                f"{_range(s)} | {s.first} | {s.last} | {s.next_expected} | {s.confidence:.2f} |"
            )
        lines.append("")
    for s in subs:
        lines.append(f"## {_md_cell(s.vendor)} — {s.cadence}, {s.status}")
        lines.append("")
        lines.append(f"- descriptor: `{_md_cell(s.description).replace('`', '')}`")
        lines.append(f"- evidence: {_md_cell(s.evidence)} (confidence {s.confidence:.2f})")
        for c in s.price_changes:
            lines.append(f"- price change {c.date}: {c.from_amount} → {c.to_amount}")
        lines.append(f"- next: {s.next_expected}, {_md_cell(_money(s, s.next_amount))}")
        if s.cancelled_on:
            lines.append(f"- {_cancel_note(s)}")
        if s.cancel_command:
            lines.append(f"- record it: `{_md_cell(s.cancel_command).replace('`', '')}`")
        lines.append("- charges: " + ", ".join(f"{c.date} {c.amount} ({_md_cell(c.source)})" for c in s.charges))
        lines.append("")
    if refused:
        lines += ["## Repeating, but not subscriptions", ""]
        for r in refused:
            lines.append(f"- {_md_cell(r.vendor)}: {_md_cell(r.evidence)} (confidence {r.confidence:.2f})")
        lines.append("")
    return "\n".join(lines + [MARKDOWN_MARK, ""])


def _table(subs, refused, width: int = 120) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for name, justify in (("vendor", "left"), ("cadence", "left"), ("status", "left"), ("amount", "right"),
                          ("first", "left"), ("last", "left"), ("next", "left"), ("conf.", "right")):
        table.add_column(name, justify=justify)
    for s in subs:
        amount = _money(s, s.amount) + ("" if s.amount_min == s.amount_max else f"\n({_range(s)})")
        table.add_row(Text(visible(s.vendor)), s.cadence, s.status.replace("_", " "), Text(amount),
                      str(s.first), str(s.last), str(s.next_expected), f"{s.confidence:.2f}")
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False, highlight=False)
    if subs:
        console.print(table)
    # Evidence and commands are plain lines, never wrapped: a command must copy-paste whole.
    lines = [f"{len(subs)} subscription{'s' if len(subs) != 1 else ''} found"]
    lines += console.file.getvalue().splitlines()
    for s in subs:
        lines.append(f"{visible(s.vendor)}: {visible(s.evidence)}")
        lines += [f"  price change {c.date}: {c.from_amount} → {c.to_amount}" for c in s.price_changes]
        if s.cancelled_on:
            lines.append(f"  {_cancel_note(s)}")
        if s.cancel_command:
            lines.append(f"  record it: {visible(s.cancel_command)}")
    if refused:
        lines.append("Repeating, but not subscriptions:")
        lines += [f"  {visible(r.vendor)}: {visible(r.evidence)} (confidence {r.confidence:.2f})" for r in refused]
    return "\n".join(line.rstrip() for line in lines) + "\n"


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="chargecheck"><title>Subscriptions found</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.num{text-align:right}.d{white-space:nowrap}.cancelled_but_charging{color:#b00;font-weight:bold}.ended{color:#777}
code{background:#f4f4f4;padding:.1em .3em}.small{font-size:.85em;color:#555}</style></head>
<body><h1>Subscriptions found ({{ subs|length }})</h1>
{% if subs %}<table><tr><th>vendor</th><th>cadence</th><th>status</th><th>amount</th><th>range</th>
<th>first</th><th>last</th><th>next expected</th><th>confidence</th><th>evidence</th></tr>
{% for s in subs %}<tr><td>{{ v(s.vendor) }}<div class="small">{{ v(s.description) }}</div></td>
<td>{{ s.cadence }}</td><td class="{{ s.status }}">{{ s.status|replace("_", " ") }}</td>
<td class="num">{{ s.amount }} {{ v(s.currency) }}</td><td class="d">{{ rng(s) }}</td><td class="d">{{ s.first }}</td>
<td class="d">{{ s.last }}</td><td class="d">{{ s.next_expected }}<br>({{ s.next_amount }})</td>
<td class="num">{{ "%.2f"|format(s.confidence) }}</td><td>{{ v(s.evidence) }}
{% for c in s.price_changes %}<div>price change {{ c.date }}: {{ c.from_amount }} → {{ c.to_amount }}</div>{% endfor %}
{% if s.cancelled_on %}<div class="{{ s.status }}">{{ note(s) }}</div>{% endif %}
{% if s.cancel_command %}<div>record it: <code>{{ v(s.cancel_command) }}</code></div>{% endif %}
<details><summary>{{ s.charges|length }} charges</summary><ul>{% for c in s.charges %}
<li>{{ c.date }} {{ c.amount }} {{ v(c.description) }} <span class="small">{{ v(c.source) }}</span></li>{% endfor %}
</ul></details></td></tr>
{% endfor %}</table>{% endif %}
{% if refused %}<h2>Repeating, but not subscriptions</h2><ul>{% for r in refused %}
<li>{{ v(r.vendor) }}: {{ v(r.evidence) }} (confidence {{ "%.2f"|format(r.confidence) }})</li>{% endfor %}</ul>{% endif %}
</body></html>
"""


def _html(subs, refused) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_HTML).render(subs=subs, refused=refused, v=visible, rng=_range, note=_cancel_note)


_RENDERERS = {"table": _table, "json": _json, "csv": _csv, "md": _md, "html": _html}


def render(subs: Sequence, fmt: str = "table", refused: Sequence = ()) -> str:
    """Render ``subs`` (and, for table/md/html, the ``refused`` repeaters) in format ``fmt``."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r}", hint="choose one of " + ", ".join(FORMATS)) from None
    text = renderer(tuple(subs), tuple(refused))
    return text if fmt == "json" else visible_text(text)
