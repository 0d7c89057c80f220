"""``chargecheck check``: flag charges after your cancellations, in the report format you choose."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..engine.base import ENGINES
from ..errors import ChargecheckError
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
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="Where statements are read and matched: this process, or a Dask cluster (pip install 'chargecheck[dask]').")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler to use (tcp://host:8786); default: a local cluster of 2 workers.")
@strict_option
@import_options
def command(statements, rules, fmt, output, color, strict, engine, scheduler, **kwargs) -> None:
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
    run = dict(workspace=workspace, strict=strict, output=output, engine=engine, scheduler=scheduler)
    if bar is None:
        result = pipeline.check(statements, **run)
    else:
        with bar:
            task = bar.add_task("reading statements", total=None)
            result = pipeline.check(statements, **run,
                                    progress=lambda path: bar.update(task, advance=1, description=f"reading {path.name}"))
    try:
        text = report.render(result, fmt, color=use_color(color) and output is None and fmt == "table")
    except MemoryError:
        raise ChargecheckError("out of memory while rendering the report", hint="try --format csv or json") from None
    write_output(text, output, inputs=[st.path for st in result.statements])
    report_failures(result.passed_over)
    sys.exit(report.exit_code(result))
