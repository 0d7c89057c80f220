"""Reports: render a :class:`~chargecheck.model.CheckResult` as a table, JSON, CSV, Markdown or HTML.

One renderer per format, all reading the same result and agreeing on order and totals
(:mod:`chargecheck.report.common`):

=========  ==================================================================================
``table``  terminal table grouped by vendor with totals (default; :mod:`.table`)
``json``   machine-readable, versioned, fixed keys (:mod:`.json_report`)
``csv``    one row per flag, spreadsheet-injection safe (:mod:`.csv_report`)
``md``     Markdown summary and a table per vendor (:mod:`.markdown`)
``html``   self-contained page with per-vendor SVG timelines, print-ready (:mod:`.html`)
=========  ==================================================================================

Every output is deterministic: no clock, no random ids, stable ordering.
"""

from __future__ import annotations

from ..errors import UsageError
from ..model import CheckResult

__all__ = ["FORMATS", "render", "exit_code"]

FORMATS: tuple[str, ...] = ("table", "json", "csv", "md", "html")


def render(result: CheckResult, fmt: str = "table", *, color: bool = False, width: int | None = None) -> str:
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
    raise AssertionError(fmt)


def exit_code(result: CheckResult) -> int:
    """0 when no flag is outstanding, 1 when some charge still needs action (the CLI's exit code)."""
    return 1 if result.outstanding else 0
