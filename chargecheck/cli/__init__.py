"""The ``chargecheck`` command line: a thin layer over the library.

Each command lives in its own module here and only parses options, calls the library, renders
and picks the exit code.  Exit codes: 0 nothing outstanding, 1 outstanding flags found,
2 bad input or usage (a :class:`~chargecheck.errors.ChargecheckError`, printed as
``chargecheck: error: …`` without a traceback).
"""

from __future__ import annotations

import importlib

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


class _Group(click.Group):
    """Turns every ChargecheckError into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ChargecheckError as exc:
            click.echo(f"chargecheck: error: {exc}", err=True)
            for problem in getattr(exc, "problems", ())[1:]:
                click.echo(f"chargecheck: error: {problem}", err=True)
            ctx.exit(2)


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
