"""``chargecheck explain``: show how one descriptor is cleaned and matched, step by step."""

from __future__ import annotations

import click

from ._options import load_workspace, rules_option


@click.command("explain")
@click.argument("descriptor")
@rules_option
@click.option("--vendor", "vendors", multiple=True, metavar="NAME",
              help="Match against this vendor (repeatable), in addition to the rules' cancellations.")
def command(descriptor: str, rules, vendors: tuple[str, ...]) -> None:
    """Explain how DESCRIPTOR is cleaned and which vendor it matches, and why.

    Shows each cleaning step, the cleaned text, every candidate vendor with its score, the
    alias and words that matched, which rule or look-alike check rejected a candidate, and
    the decision.  Targets: the cancellations in --rules (default ./rules), plus --vendor
    names; with neither, every vendor of the knowledge base.
    """
    from .. import pipeline

    workspace = load_workspace(rules, {}, required=False)
    click.echo(pipeline.explain(descriptor, workspace, vendors).render())
