"""``chargecheck letters``: write dispute letters (merchant refund request, card-issuer chargeback)."""

from __future__ import annotations

from pathlib import Path

import click

from ..report import LETTER_FORMATS
from ._options import format_option, import_options, load_workspace, rules_option, statements_argument


@click.command("letters")
@statements_argument
@rules_option
@format_option(LETTER_FORMATS, "Letter format: Markdown, or the same letters as plain text.")
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the letters into (created if missing; existing letters are overwritten).")
@import_options
def command(statements, rules, fmt, output, **kwargs) -> None:
    """Write dispute letters for every vendor with outstanding charges after cancellation.

    Per vendor: a refund request to the merchant and a chargeback request to the card issuer
    ("canceled recurring transaction"), filled with the cancellation date, confirmation
    reference, the charges, the total and the refund deadline.  Anything you did not record
    (your name, card number, addresses) is left as a marked blank like [YOUR NAME].
    """
    from .. import pipeline

    result = pipeline.check(statements, workspace=load_workspace(rules, kwargs))
    paths = pipeline.letters(result, output, fmt)
    if not paths:
        click.echo("No outstanding charges after a cancellation: no letters written.")
        return
    vendors = len({f.vendor for f in result.outstanding})
    click.echo(f"Wrote {len(paths)} letter(s) for {vendors} vendor(s) to {output}:")
    for path in paths:
        click.echo(f"  {path}")
    click.echo("Fill in the [BRACKETED] blanks before sending.")
