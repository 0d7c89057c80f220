"""``chargecheck check``: flag charges after your cancellations, in the report format you choose."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..report import FORMATS
from ._options import (format_option, import_options, load_workspace, output_option, report_failures, rules_option,
                       statements_argument, strict_option, use_color, write_output)


def _progress_bar(statements: tuple[Path, ...]):
    """A progress bar on stderr for runs over several files, only when stderr is a terminal."""
    several = len(statements) > 1 or any(Path(p).is_dir() for p in statements)
    if not several or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    return Progress(transient=True, console=Console(stderr=True))


@click.command("check")
@statements_argument
@rules_option
@format_option(FORMATS)
@output_option
@click.option("--color/--no-color", default=None, help="Force colours on or off (default: on a terminal without NO_COLOR).")
@strict_option
@import_options
def command(statements, rules, fmt, output, color, strict, **kwargs) -> None:
    """Check STATEMENTS (files, folders, or - for standard input) for charges after recorded cancellations.

    Exit code 0: nothing outstanding; 1: outstanding flagged charges; 2: bad input (also when a
    statement in a folder could not be read: the others are checked and reported).  Charges
    "to check" (possible matches, listed with the reason for doubt) are never totalled and never
    set exit code 1; nor do warnings (a cancellation that matched nothing, no rules, no
    transactions), which every report prints.
    """
    from .. import pipeline, report

    workspace = load_workspace(rules, kwargs)
    bar = _progress_bar(statements)
    if bar is None:
        result = pipeline.check(statements, workspace=workspace, strict=strict, output=output)
    else:
        with bar:
            task = bar.add_task("reading statements", total=None)
            result = pipeline.check(statements, workspace=workspace, strict=strict, output=output,
                                    progress=lambda path: bar.update(task, advance=1, description=f"reading {path.name}"))
    text = report.render(result, fmt, color=use_color(color) and output is None and fmt == "table")
    write_output(text, output, inputs=[st.path for st in result.statements])
    report_failures(result.passed_over)
    sys.exit(report.exit_code(result))
