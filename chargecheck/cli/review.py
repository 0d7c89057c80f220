"""``chargecheck review``: record your decision about a flagged charge in rules/reviews.toml."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import DECISIONS
from ._options import import_options, load_workspace

DEFAULT_REVIEWS = Path("rules") / "reviews.toml"


@click.command("review")
@click.argument("flag_id")
@click.argument("statements", nargs=-1, type=click.Path(path_type=Path))
@click.option("--as", "decision", type=click.Choice(DECISIONS), required=True,
              help="disputed: you asked for the money back; refunded: you got it; "
                   "expected: the charge is fine; ignore: not worth pursuing.")
@click.option("--note", help="Free text kept with the decision (e.g. the case number).")
@click.option("--rules", type=click.Path(path_type=Path),
              help=f"Rules folder or reviews file (default: {DEFAULT_REVIEWS}).")
@import_options
def command(flag_id, statements, decision, note, rules, **kwargs):
    """Record a decision about the flag FLAG_ID (the id column of the report).

    Give the STATEMENTS (files or folders) to check that a charge has that id first: an id
    that matches no charge is then refused.  Without them the id is recorded unchecked, with
    a note saying so.  Later reports show the decision; expected, ignore and refunded leave
    the outstanding total and the exit code.  A second decision for the same flag replaces
    the first.  Give the full id: ids are stable across runs, prefixes are not accepted.
    """
    from ..config.reviews import record_review
    from ..config.rules import rules_target
    from ..pipeline import check_flag_id
    from ..workspace import rules_directory

    target = rules_target(rules, "reviews.toml")
    if statements:
        rules_dir = rules_directory(rules) if rules is not None else Path("rules")
        check_flag_id(flag_id, statements, load_workspace((rules_dir,), kwargs))
    stored = record_review(target, flag_id, decision, note)
    if not statements:
        click.echo(f"note: {stored.flag_id} was not checked against your statements "
                   "(give them after the id to check it)", err=True)
    click.echo(f"Recorded {stored.flag_id}: {stored.decision}" + (f" ({stored.note})" if stored.note else ""))
    click.echo(f"  in {stored.source_file}:{stored.source_line}")
