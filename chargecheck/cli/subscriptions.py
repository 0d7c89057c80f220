"""``chargecheck subscriptions``: the recurring charges in your statements, found from the data."""

from __future__ import annotations

import sys

import click

from ..report import SUBSCRIPTION_FORMATS
from ._options import (DATE_HELP, format_option, import_options, load_workspace, output_option, rules_option,
                       statements_argument, write_output)


@click.command("subscriptions")
@statements_argument
@rules_option
@format_option(SUBSCRIPTION_FORMATS)
@output_option
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar=DATE_HELP,
              help="Judge active/ended as of this day (default: the last transaction date).")
@click.option("--all", "show_all", is_flag=True,
              help="Also list vendors whose charges repeat but are not subscriptions, with the evidence.")
@import_options
def command(statements, rules, fmt, output, as_of, show_all, **kwargs) -> None:
    """Find recurring charges (subscriptions) in STATEMENTS (files, folders, or - for standard input).

    For each series: vendor, cadence, amount and range, first/last/next charge, status
    (active, ended, or cancelled but still charging per your rules), price changes, the
    evidence and a confidence, and the `chargecheck cancel` command that would record it.

    Exit code 0: nothing charging after a cancellation; 1: a cancelled subscription still
    charges; 2: bad input.
    """
    from .. import pipeline, report

    workspace = load_workspace(rules, kwargs, required=False)
    found = pipeline.subscriptions(statements, workspace, as_of=as_of.date() if as_of else None,
                                   cancel_rules=rules[0] if rules else None)
    refused = found.refused if show_all else ()
    write_output(report.render_subscriptions(found.subscriptions, fmt, refused=refused), output)
    sys.exit(1 if any(s.status == "cancelled_but_charging" for s in found.subscriptions) else 0)
