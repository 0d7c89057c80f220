"""``chargecheck cancel``: record a cancellation in the rules folder (appended; comments kept)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from ..importers.typed import typed_amount
from ..model import Cancellation
from ..config.rules import append_cancellation, load_rules, parse_date, rules_target

DEFAULT_RULES = Path("rules") / "cancellations.toml"


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is a usage error (exit 2)."""

    name = "DATE"

    def convert(self, value, param, ctx):
        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class AmountType(click.ParamType):
    """A positive amount such as 59.99 (the usual charge, without sign or currency)."""

    name = "AMOUNT"

    def convert(self, value, param, ctx):
        try:
            amount = typed_amount(str(value))  # 10,99 and 1.234,56 as people type them; 1,234 refused
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            self.fail(f'expected a positive amount with at most two decimals, found "{value}"', param, ctx)
        return amount.quantize(Decimal("0.01"))


@click.command("cancel")
@click.argument("vendor")
@click.option("--on", "cancelled_on", type=DateType(), required=True, help="Day you cancelled (YYYY-MM-DD).")
@click.option("--ref", "reference", help="Confirmation number or reference from the vendor.")
@click.option("--paid-through", type=DateType(), help="Last day already paid for; charges up to it are expected.")
@click.option("--amount", type=AmountType(),
              help="The usual charge, e.g. 59.99: evidence, and what tells this subscription apart on a "
                   "shared biller's descriptor (APPLE.COM/BILL).")
@click.option("--alias", "aliases", multiple=True, help="Another name the vendor bills under (repeatable).")
@click.option("--exclude", "exclude", multiple=True, help="A descriptor that must never match (repeatable).")
@click.option("--refund-window", "refund_window_days", type=click.IntRange(min=0),
              help="Money-back guarantee length in days.")
@click.option("--notes", help="Free text kept with the record.")
@click.option("--rules", type=click.Path(path_type=Path),
              help=f"Rules file or folder to write to (default: {DEFAULT_RULES}).")
def command(vendor, cancelled_on, reference, paid_through, amount, aliases, exclude, refund_window_days, notes, rules):
    """Record that you cancelled VENDOR, so later charges from it are flagged.

    Appends a [[cancellation]] record to the rules file without touching what is already
    there (comments included); the file is validated before it is replaced.
    """
    target = rules_target(rules, "cancellations.toml")
    earlier = [c for c in load_rules(target) if c.vendor.casefold() == vendor.strip().casefold()] if target.exists() else []
    record = Cancellation(
        vendor=vendor.strip(), cancelled_on=cancelled_on, aliases=tuple(aliases), paid_through=paid_through,
        reference=reference, amount=amount, refund_window_days=refund_window_days, exclude=tuple(exclude),
        notes=notes,
    )
    stored = append_cancellation(target, record)
    details = [f"cancelled on {stored.cancelled_on.isoformat()}"]
    if stored.paid_through:
        details.append(f"paid through {stored.paid_through.isoformat()}")
    if stored.reference:
        details.append(f"reference {stored.reference}")
    click.echo(f"Recorded {stored.vendor}: {', '.join(details)}")
    click.echo(f"  in {stored.source_file}:{stored.source_line}")
    for other in earlier:
        click.echo(f"  note: {other.vendor} also has a cancellation on {other.cancelled_on.isoformat()} "
                   f"({other.source_file}:{other.source_line}); each charge is judged by the latest one before it")
