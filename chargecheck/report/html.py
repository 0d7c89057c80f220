"""HTML report: one self-contained file to review on a laptop, print, or attach to a dispute.

Input: a :class:`~chargecheck.model.CheckResult`; output: an HTML document with its stylesheet
inline, per-vendor timelines as inline SVG (:mod:`chargecheck.report.timeline`), no script, no
external URL (a Content-Security-Policy forbids loading anything), no timestamp: the same input
renders to the same bytes.

Escaping: the jinja2 environment uses ``autoescape=True`` (``select_autoescape(["html"])`` would
*not* escape a template named ``report.html.j2``), so every value from a statement or rules file
is escaped.  The only values marked safe are the SVG charts this package builds, and those
escape their own text.  A descriptor like ``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..model import CheckResult
from .common import (accounts, format_money, format_totals, not_all_clear, refundable_totals,
                     still_refundable, totals, unmatched_warning, vendor_summaries, visible)
from .timeline import legend_svg, timeline_svg, transaction_marks

__all__ = ["render_html"]

_TEMPLATES = Path(__file__).parent / "templates"


def _pathbreak(path: str) -> Markup:
    """A path escaped, with a line-break opportunity after each ``/`` so long paths wrap cleanly."""
    return Markup("/<wbr>").join(escape(visible(part)) for part in str(path).split("/"))


def _totals_lines(items, empty: str = "0.00") -> Markup:
    """Per-currency totals one per line (for the big summary figures), escaped."""
    items = list(items)
    if not items:
        return escape(empty)
    return Markup("<br>").join(escape(format_totals([t])) if t.currency else
                               escape(format_money(t.amount)) + Markup(' <span class="cur">no currency</span>')
                               for t in items)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = lambda amount, currency="": format_money(amount, currency)
    env.filters["charged"] = lambda flag: format_money(-flag.amount, flag.currency)
    env.filters["totals"] = lambda items, empty="0.00": format_totals(items, empty)
    env.filters["totals_lines"] = _totals_lines
    env.filters["visible"] = visible
    env.filters["pathbreak"] = _pathbreak
    env.filters["iso"] = lambda d: d.isoformat() if d is not None else ""
    env.filters["partly_refunded"] = lambda flag: flag.status == "flagged" and flag.refunded_amount is not None
    env.filters["money_owed"] = lambda flag: format_money(flag.owed, flag.currency)
    env.filters["money_back"] = lambda flag: format_money(flag.refunded_amount, flag.currency)
    return env


def _vendors(result: CheckResult) -> list[dict]:
    sections = []
    summaries = vendor_summaries(result)
    others = transaction_marks(result.transactions, [vs.vendor for vs in summaries],
                               result.flags + result.refundable + result.to_check)
    for index, vs in enumerate(summaries, start=1):
        svg = timeline_svg(index, vs.vendor, vs.cancellation, list(vs.flags), list(vs.refundable), others[vs.vendor])
        sections.append({"index": index, "summary": vs, "svg": svg})
    return sections


def render_html(result: CheckResult) -> str:
    """The HTML report as text (UTF-8, self-contained, deterministic)."""
    outstanding = result.outstanding
    template = _environment().get_template("report.html.j2")
    return template.render(
        result=result,
        vendors=_vendors(result),
        legend=legend_svg(),
        at_stake=totals(outstanding),
        refundable_total=refundable_totals(result.refundable),
        n_refundable=sum(map(still_refundable, result.refundable)),
        outstanding=outstanding,
        n_transactions=sum(st.transaction_count for st in result.statements),
        n_refunded=sum(1 for f in result.flags if f.status == "refunded"),
        n_vendors_outstanding=len({f.vendor for f in outstanding}),
        accounts=[{"account": a, "warning": unmatched_warning(a, result)} for a in accounts(result)],
        problems=not_all_clear(result),
    )
