"""Reports: render a :class:`~chargecheck.model.CheckResult` as a table, JSON, CSV, Markdown or HTML.

One renderer per format, all reading the same result and agreeing on order and totals
(:mod:`chargecheck.report.common`):

=========  ==================================================================================
``table``  terminal table grouped by vendor with totals (default; :mod:`.table`)
``json``   machine-readable, versioned, fixed keys (:mod:`.json_report`)
``csv``    one row per flag, charge to check and cancellation, injection safe (:mod:`.csv_report`)
``md``     Markdown summary and a table per vendor (:mod:`.markdown`)
``html``   self-contained page with per-vendor SVG timelines, print-ready (:mod:`.html`)
=========  ==================================================================================

The same registry renders the other results: discovered subscriptions (:mod:`.subscriptions`),
what was read from each statement (:mod:`.transactions`) and dispute letters (:mod:`.letters`).

Each output says it was written by chargecheck where its format allows (:mod:`.markers`), so a
report saved among statements is passed over by the next folder scan; letters are written through
:mod:`chargecheck.files`.

Input: a :class:`~chargecheck.model.CheckResult` (or subscriptions, or statements as read).
Output: text, deterministic: no clock, no random ids, stable ordering.  Every check report
shows both tiers (flagged, counted; "to check", listed with the reason, never counted) and
accounts for every recorded cancellation, with a visible warning for one that matched nothing.  May import
:mod:`chargecheck.model`, :mod:`chargecheck.schema`, :mod:`chargecheck.errors`, :mod:`chargecheck.flag`
and :mod:`chargecheck.files` (nothing reads statements or matches here); never cli.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..model import CheckResult
    from ..schema import Statement

__all__ = ["FORMATS", "SUBSCRIPTION_FORMATS", "TRANSACTION_FORMATS", "render", "render_subscriptions",
           "render_transactions", "exit_code", "LETTER_FORMATS"]

# The registry: per kind of result, its formats in the order ``--help`` lists them.  Every
# command takes its ``--format`` choices from here (no other list of formats exists).
FORMATS: tuple[str, ...] = ("table", "json", "csv", "md", "html")
SUBSCRIPTION_FORMATS: tuple[str, ...] = ("table", "json", "csv", "md", "html")
TRANSACTION_FORMATS: tuple[str, ...] = ("table", "json", "csv")
LETTER_FORMATS: tuple[str, ...] = ("md", "txt")


def _unknown(fmt: str, formats: Sequence[str]) -> UsageError:
    return UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(formats))


def render(result: "CheckResult", fmt: str = "table", *, color: bool = False, width: int | None = None) -> str:
    """Render ``result`` in ``fmt`` (one of :data:`FORMATS`) and return the text.

    ``color`` and ``width`` only affect the terminal table: the CLI passes ``color`` when stdout is a
    terminal and ``NO_COLOR`` is unset; ``width`` fixes the layout (tests, piping).
    """
    if fmt == "table" and color:  # rich's colour codes are the renderer's own; fields are escaped
        from .table import render_table

        return render_table(result, color=color, width=width)
    if fmt == "json":
        from .json_report import render_json

        return render_json(result)
    if fmt in FORMATS:
        from .common import visible_text

        return visible_text(_render_text(result, fmt, width))
    raise UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(FORMATS))


def _render_text(result: CheckResult, fmt: str, width: int | None) -> str:
    """The table, CSV, Markdown or HTML report, before the last escaping pass."""
    if fmt == "table":
        from .table import render_table

        return render_table(result, color=False, width=width)
    if fmt == "json":
        from .json_report import render_json

        return render_json(result)
    if fmt == "csv":
        from .csv_report import render_csv

        return render_csv(result)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(result)
    if fmt == "html":
        from .html import render_html

        return render_html(result)
    raise _unknown(fmt, FORMATS)


def render_subscriptions(subscriptions: Sequence, fmt: str = "table", *, refused: Sequence = ()) -> str:
    """Render discovered subscriptions (and refused repeaters, for ``--all``) in ``fmt``
    (one of :data:`SUBSCRIPTION_FORMATS`)."""
    if fmt not in SUBSCRIPTION_FORMATS:
        raise _unknown(fmt, SUBSCRIPTION_FORMATS)
    from .subscriptions import render as render_subs

    return render_subs(subscriptions, fmt, refused=refused)


def render_transactions(statements: Sequence["Statement"], fmt: str = "table", passed_over: Sequence = ()) -> str:
    """Render what was read from each statement, and the files a folder scan passed over, in ``fmt``
    (one of :data:`TRANSACTION_FORMATS`).

    For ``csv`` this is the transactions table alone; :func:`.transactions.summary_lines` gives the
    per-file summary and skipped rows the CLI prints to stderr beside it.
    """
    from . import transactions as rendered

    if fmt not in TRANSACTION_FORMATS:
        raise _unknown(fmt, TRANSACTION_FORMATS)
    if fmt == "csv":
        return rendered.render_csv(list(statements))
    renderers = {"table": rendered.render_table, "json": rendered.render_json}
    return renderers[fmt](list(statements), passed_over)


def exit_code(result: "CheckResult") -> int:
    """The CLI's exit code: 2 when a statement in a folder could not be read (the report is
    incomplete), else 1 when some flagged charge still needs action, else 0.  Charges to check and
    warnings never set 1: they are printed in every report."""
    if result.failed:
        return 2
    return 1 if result.outstanding else 0
