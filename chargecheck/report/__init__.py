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

Every output is deterministic: no clock, no random ids, stable ordering.  Each says it was written
by chargecheck where its format allows (:mod:`.markers`), so a report saved among statements is
passed over by the next folder scan; letters are written through :mod:`chargecheck.files`.
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
    if fmt == "table":
        from .table import render_table

        return render_table(result, color=color, width=width)
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
    raise UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(FORMATS))


def exit_code(result: CheckResult) -> int:
    """The CLI's exit code: 2 when a statement in a folder could not be read (the report is
    incomplete), else 1 when some charge still needs action, else 0."""
    if result.failed:
        return 2
    return 1 if result.outstanding else 0
