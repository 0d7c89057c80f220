"""``chargecheck review``: record your decision about a flagged charge in rules/reviews.toml."""

from __future__ import annotations

from pathlib import Path

import click

from ..config.reviews import DECISIONS, record_review
from ..config.rules import rules_target

DEFAULT_REVIEWS = Path("rules") / "reviews.toml"


@click.command("review")
@click.argument("flag_id")
@click.option("--as", "decision", type=click.Choice(DECISIONS), required=True,
              help="disputed: you asked for the money back; refunded: you got it; "
                   "expected: the charge is fine; ignore: not worth pursuing.")
@click.option("--note", help="Free text kept with the decision (e.g. the case number).")
@click.option("--rules", type=click.Path(path_type=Path),
              help=f"Rules folder or reviews file (default: {DEFAULT_REVIEWS}).")
def command(flag_id, decision, note, rules):
    """Record a decision about the flag FLAG_ID (the id column of the report).

    Later reports show the decision; expected, ignore and refunded leave the outstanding
    total and the exit code.  A second decision for the same flag replaces the first.
    Give the full id: ids are stable across runs, prefixes are not accepted.
    """
    target = rules_target(rules, "reviews.toml")
    stored = record_review(target, flag_id, decision, note)
    click.echo(f"Recorded {stored.flag_id}: {stored.decision}" + (f" ({stored.note})" if stored.note else ""))
    click.echo(f"  in {stored.source_file}:{stored.source_line}")
