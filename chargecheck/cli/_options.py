"""The one CLI vocabulary: arguments and options shared by every command that reads statements.

Every such command (check, transactions, subscriptions, letters) takes STATEMENTS (files, folders,
or ``-`` for standard input), ``--rules``, the import overrides, ``--format`` with choices from the
renderer registry (:mod:`chargecheck.report`) and ``-o``.  Nothing here imports pandas or the
pipeline at import time, so ``chargecheck --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..importers.base import ImportOptions
    from ..workspace import Workspace

__all__ = ["import_options", "build_import_options", "rules_option", "resolve_rules", "use_color", "write_output",
           "statements_argument", "format_option", "output_option", "load_workspace", "DATE_HELP"]

# How every --help names a date.
DATE_HELP = "YYYY-MM-DD"


def statements_argument(func: Callable) -> Callable:
    """STATEMENTS: statement files, folders of them, or ``-`` to read one statement from standard input."""
    return click.argument("statements", nargs=-1, required=True, type=click.Path(path_type=Path))(func)


def format_option(formats: tuple[str, ...], what: str = "Report format.") -> Callable:
    """``--format`` with its choices from the renderer registry; the first is the default."""
    return click.option("--format", "fmt", type=click.Choice(formats), default=formats[0], show_default=True,
                        help=what)


def output_option(func: Callable) -> Callable:
    """``-o/--output FILE``: write the report there instead of standard output."""
    return click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the report to this file (default: standard output).")(func)


def import_options(func: Callable) -> Callable:
    """Add the overrides for statements detection cannot decide (all optional)."""
    decorators = [
        click.option("--date-col", help="CSV column (name or 0-based index) holding the transaction date."),
        click.option("--amount-col", help="CSV column (name or 0-based index) holding the signed amount."),
        click.option("--description-col", help="CSV column (name or 0-based index) holding the description."),
        click.option("--date-format", help="strptime format of the dates, e.g. '%d/%m/%Y'."),
        click.option("--decimal", type=click.Choice([".", ","]), help="Decimal mark of amounts."),
        click.option("--layout", help="Force a saved CSV layout by name (see rules/layouts.toml)."),
        click.option("--encoding", help="Force the text encoding of the statements, e.g. cp1252."),
        click.option(
            "--currency",
            callback=_currency_code,
            help="ISO currency code (e.g. USD) for statements that name none; a stated currency is kept.",
        ),
        click.option(
            "--layouts",
            "layouts_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A layouts.toml with your own CSV layouts (default: layouts.toml in the rules folder).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _currency_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Accept a three-letter ISO 4217 code, in any case."""
    if value is None:
        return None
    if len(value) != 3 or not value.isalpha():
        raise click.BadParameter(f"expected a three-letter ISO currency code such as USD, found {value!r}")
    return value.upper()


def build_import_options(kwargs: dict) -> "ImportOptions":
    """Pop the import overrides out of a command's keyword arguments."""
    from ..importers.base import ImportOptions

    names = (
        "date_col", "amount_col", "description_col", "date_format", "decimal", "layout", "encoding",
        "layouts_file", "currency",
    )
    return ImportOptions(**{name: kwargs.pop(name, None) for name in names})


def rules_option(func: Callable) -> Callable:
    """``--rules``: a rules folder or file (repeatable); default ``./rules`` when it exists."""
    return click.option(
        "--rules",
        "rules",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="Rules folder or file(s) with your cancellations (default: ./rules).",
    )(func)


def resolve_rules(rules: tuple[Path, ...], required: bool = True) -> list[Path] | None:
    """The rules paths given, else ./rules if present; a clear error when required and none exist."""
    if rules:
        return list(rules)
    default = Path("rules")
    if default.is_dir():
        return [default]
    if required:
        raise UsageError(
            "no rules given and no ./rules folder",
            hint="record a cancellation with `chargecheck cancel VENDOR --on DATE`, or pass --rules DIR",
        )
    return None


def load_workspace(rules: tuple[Path, ...], kwargs: dict, *, required: bool = True) -> "Workspace":
    """The workspace of ``--rules`` (default ./rules) with the import overrides popped from ``kwargs``."""
    from ..workspace import Workspace

    return Workspace.load(resolve_rules(rules, required=required), build_import_options(kwargs))


def use_color(flag: bool | None, stream=None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set, unless forced by --color/--no-color."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def write_output(text: str, output: Path | None) -> None:
    """Print to stdout, or write the file atomically (a half-written report is never left)."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, output)
