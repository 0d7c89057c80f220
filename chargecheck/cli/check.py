"""``chargecheck check``: flag charges after your cancellations, in the report format you choose."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..engine.base import ENGINES
from ..errors import ChargecheckError
from ..pipeline import check as run_check
from ._options import build_import_options, import_options, resolve_rules, rules_option, use_color, write_output

FORMATS = ("table", "json", "csv", "md", "html")


def _progress_callback(statements: tuple[Path, ...]):
    """A progress bar on stderr for runs over several files, only when stderr is a terminal."""
    several = len(statements) > 1 or any(Path(p).is_dir() for p in statements)
    if not several or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress

    # Refreshed by hand, not by rich's timer thread: with a thread running, the matcher does not
    # fork a second process (forking a threaded program is unsafe) and matches on one CPU.
    progress = Progress(transient=True, console=Console(stderr=True), auto_refresh=False)
    task = progress.add_task("reading statements", total=None)

    def advance(path: Path) -> None:
        progress.update(task, advance=1, description=f"reading {path.name}", refresh=True)

    return progress, advance


@click.command("check")
@click.argument("statements", nargs=-1, required=True, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file.")
@click.option("--color/--no-color", default=None, help="Force colours on or off (default: on a terminal without NO_COLOR).")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="Where statements are read and matched: this process, or a Dask cluster (pip install 'chargecheck[dask]').")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler to use (tcp://host:8786); default: a local cluster of 2 workers.")
@import_options
def command(statements, rules, fmt, output, color, engine, scheduler, **kwargs) -> None:
    """Check STATEMENTS (files or folders) for charges after recorded cancellations.

    Exit code 0: nothing outstanding; 1: outstanding flagged charges; 2: bad input.
    """
    from .. import report

    options = build_import_options(kwargs)
    rules_paths = resolve_rules(rules)
    progress, advance = _progress_callback(statements)
    run = dict(engine=engine, scheduler=scheduler)
    if progress is not None:
        with progress:
            result = run_check(statements, rules_paths, options, progress=advance, **run)
    else:
        result = run_check(statements, rules_paths, options, **run)
    try:
        text = report.render(result, fmt, color=use_color(color) and output is None and fmt == "table")
    except MemoryError:
        raise ChargecheckError("out of memory while rendering the report", hint="try --format csv or json") from None
    write_output(text, output)
    sys.exit(report.exit_code(result))
