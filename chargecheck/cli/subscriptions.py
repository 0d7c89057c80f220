"""``chargecheck subscriptions``: the recurring charges in your statements, found from the data."""

from __future__ import annotations

import shlex
import sys
from dataclasses import replace
from pathlib import Path

import click

from ..errors import UsageError
from ._options import (build_import_options, import_options, report_failures, resolve_rules, rules_option,
                       strict_option, write_output)

FORMATS = ("table", "json", "csv", "md", "html")


def _transactions(read):
    """One transaction table from all statements, rows held by two overlapping files counted once."""
    import pandas as pd

    from ..schema import empty_transactions

    try:
        from ..dedupe import drop_overlaps
    except ImportError:  # dedupe not available: plain concatenation
        frames = [st.transactions for st in read if len(st.transactions)]
        return pd.concat(frames, ignore_index=True) if frames else empty_transactions()
    return drop_overlaps(read)[0]


def _cancellations(rules_paths):
    if not rules_paths:
        return ()
    from ..config.rules import load_rules

    return tuple(load_rules(rules_paths))


def _matcher(rules_paths):
    """The knowledge-base matcher, extended with the user's [[vendor]] records (as ``check`` does)."""
    if not rules_paths:
        return None
    from ..match.knowledge import knowledge_paths, load_knowledge
    from ..match.matcher import Matcher

    return Matcher.for_knowledge(load_knowledge(knowledge_paths(rules_paths)))


def _with_rules(subs, rules_paths):
    """Point each ``chargecheck cancel`` command at the rules the user passed (not ./rules)."""
    if not rules_paths:
        return subs
    target = shlex.quote(str(rules_paths[0]))
    return tuple(replace(s, cancel_command=f"{s.cancel_command} --rules {target}") if s.cancel_command else s
                 for s in subs)


@click.command("subscriptions")
@click.argument("statements", nargs=-1, required=True, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge active/ended as of this day (default: the last transaction date).")
@click.option("--all", "show_all", is_flag=True,
              help="Also list vendors whose charges repeat but are not subscriptions, with the evidence.")
@strict_option
@import_options
def command(statements, rules, fmt, output, as_of, show_all, strict, **kwargs) -> None:
    """Find recurring charges (subscriptions) in STATEMENTS (files or folders).

    For each series: vendor, cadence, amount and range, first/last/next charge, status
    (active, ended, or cancelled but still charging per your rules), price changes, the
    evidence and a confidence, and the `chargecheck cancel` command that would record it.

    Exit code 0: nothing charging after a cancellation; 1: a cancelled subscription still
    charges; 2: bad input (also when a statement in a folder could not be read).
    """
    from ..discover.subscriptions import discover, render_subscriptions

    options = build_import_options(kwargs)
    rules_paths = resolve_rules(rules, required=False)
    cancellations = _cancellations(rules_paths)
    from ..pipeline import scan_statements

    scan = scan_statements(statements, options, strict=strict, output=output)
    table = _transactions(scan.statements)
    if not len(table):
        raise UsageError("the statements hold no transactions", hint="check the files, or the --date-col/--amount-col overrides")
    found = discover(table, cancellations, _matcher(rules_paths), as_of=as_of.date() if as_of else None)
    subs = _with_rules(found.subscriptions, list(rules) if rules else None)
    text = render_subscriptions(subs, fmt, refused=found.refused if show_all else ())
    write_output(text, output, inputs=[st.path for st in scan.statements])
    report_failures(scan.passed_over)
    if scan.failed:
        sys.exit(2)
    sys.exit(1 if any(s.status == "cancelled_but_charging" for s in subs) else 0)
