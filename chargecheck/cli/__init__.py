"""The ``chargecheck`` command line: a thin layer over the library.

Each command lives in its own module here and only parses options, calls the library, renders
and picks the exit code.  Exit codes: 0 nothing outstanding, 1 outstanding flags found,
2 bad input or usage (a :class:`~chargecheck.errors.ChargecheckError`, printed as
``chargecheck: error: …`` without a traceback).
"""

from __future__ import annotations

import errno
import importlib
import sys

import click

from ..errors import ChargecheckError

__all__ = ["main", "cli", "COMMAND_MODULES"]

# One module per command; each defines ``command`` (a click.Command).
COMMAND_MODULES: tuple[str, ...] = (
    "check",
    "cancel",
    "explain",
    "transactions",
    "subscriptions",
    "review",
    "letters",
)


def _fail(message: str) -> None:
    """Print one ``chargecheck: error: …`` line (whitespace folded) and exit with code 2."""
    click.echo("chargecheck: error: " + " ".join(str(message).split()), err=True)
    sys.exit(2)


class _Group(click.Group):
    """One error path: every failure a user can cause is one ``chargecheck: error: …`` line on
    stderr and exit code 2 — ChargecheckError, click's usage errors (printed by click as several
    lines otherwise), running out of memory, nesting too deep to process, and OS errors."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ChargecheckError as exc:
            click.echo(f"chargecheck: error: {exc}", err=True)
            for problem in getattr(exc, "problems", ())[1:]:
                click.echo(f"chargecheck: error: {problem}", err=True)
            ctx.exit(2)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(exc.format_message().rstrip(".") + where)
        except click.Abort:
            click.echo("chargecheck: error: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            _fail(exc.format_message())
        except ChargecheckError as exc:  # raised while options were parsed, outside invoke()
            _fail(str(exc))
        except MemoryError:
            _fail("out of memory: the input is too large for this machine (split it, or check it in parts)")
        except RecursionError:
            _fail("the input is nested too deeply to process")
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output piped into `head`: nothing more to say
                sys.exit(0)
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(where + (exc.strerror or str(exc)))
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chargecheck")
def cli() -> None:
    """Catch subscriptions that keep billing after you cancelled them.

    Record cancellations in rules/*.toml, then check your bank and card statements
    (CSV, OFX/QFX, QIF, CAMT, MT940, Excel .xlsx) for charges after the cancellation date.
    """


for _name in COMMAND_MODULES:
    cli.add_command(importlib.import_module(f"{__name__}.{_name}").command)


def main() -> None:
    """Console-script entry point: run the command group and exit with its code."""
    cli(prog_name="chargecheck")
