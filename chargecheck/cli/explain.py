"""``chargecheck explain``: show how one descriptor is cleaned and matched, step by step."""

from __future__ import annotations

from pathlib import Path

import click

from ..match.knowledge import knowledge_paths, load_knowledge
from ..match.matcher import Matcher
from ._options import resolve_rules, rules_option


def build_matcher(rules: list[Path] | None, vendors: tuple[str, ...]) -> Matcher:
    """The matcher ``check`` would use for these rules; ``--vendor`` names add targets.

    Without rules or vendors the targets are every knowledge-base vendor, so a user can ask
    "what would this descriptor be?" before recording anything.
    """
    knowledge = load_knowledge(knowledge_paths(rules) if rules else None)
    if not rules and not vendors:
        return Matcher.for_knowledge(knowledge)
    from ..model import Cancellation
    from ..config.rules import load_rules

    cancellations = list(load_rules(rules)) if rules else []
    known = {c.vendor for c in cancellations}
    for name in vendors:
        if name not in known:
            # A date is required by the record but plays no part in matching.
            from datetime import date

            cancellations.append(Cancellation(vendor=name, cancelled_on=date.min))
    return Matcher(cancellations, knowledge)


@click.command("explain")
@click.argument("descriptor")
@rules_option
@click.option("--vendor", "vendors", multiple=True, metavar="NAME",
              help="Match against this vendor (repeatable), in addition to the rules' cancellations.")
def command(descriptor: str, rules: tuple[Path, ...], vendors: tuple[str, ...]) -> None:
    """Explain how DESCRIPTOR is cleaned and which vendor it matches, and why.

    Shows each cleaning step, the cleaned text, every candidate vendor with its score, the
    alias and words that matched, which rule or look-alike check rejected a candidate, and
    the decision.  Targets: the cancellations in --rules (default ./rules), plus --vendor
    names; with neither, every vendor of the knowledge base.
    """
    matcher = build_matcher(resolve_rules(rules, required=False), vendors)
    click.echo(matcher.explain(descriptor).render())
