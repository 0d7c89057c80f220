"""``chargecheck cancel``: record a cancellation in the rules folder (appended; comments kept).

A vendor already recorded in the file is refused unless ``--add`` (a second cancellation: you
cancelled, were charged anyway, and cancelled again) or ``--update`` (change that record in
place, e.g. add the reference that arrived by email).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..model import MAX_DAYS, Cancellation

DEFAULT_RULES = Path("rules") / "cancellations.toml"


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is a usage error (exit 2)."""

    name = "DATE"

    def convert(self, value, param, ctx):
        from ..config.rules import parse_date

        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class AmountType(click.ParamType):
    """A positive amount such as 59.99 (the usual charge, without sign or currency)."""

    name = "AMOUNT"

    def convert(self, value, param, ctx):
        from ..config.rules import parse_amount

        try:
            return parse_amount(str(value))  # the rules file's own check, bounds included
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command("cancel")
@click.argument("vendor")
@click.option("--on", "cancelled_on", type=DateType(), help="Day you cancelled (YYYY-MM-DD); required unless --update.")
@click.option("--ref", "reference", help="Confirmation number or reference from the vendor.")
@click.option("--paid-through", type=DateType(), help="Last day already paid for; charges up to it are expected.")
@click.option("--amount", type=AmountType(),
              help="The usual charge, e.g. 59.99: evidence, and what tells this subscription apart on a "
                   "shared biller's descriptor (APPLE.COM/BILL).")
@click.option("--alias", "aliases", multiple=True, help="Another name the vendor bills under (repeatable).")
@click.option("--exclude", "exclude", multiple=True, help="A descriptor that must never match (repeatable).")
@click.option("--refund-window", "refund_window_days", type=click.IntRange(min=0, max=MAX_DAYS),
              help="Money-back guarantee length in days.")
@click.option("--notes", help="Free text kept with the record.")
@click.option("--rules", type=click.Path(path_type=Path),
              help=f"Rules file or folder to write to (default: {DEFAULT_RULES}).")
@click.option("--add", "mode", flag_value="add",
              help="Record a second cancellation of a vendor already recorded (each charge is judged by "
                   "the latest one before it).")
@click.option("--update", "mode", flag_value="update",
              help="Change the vendor's recorded cancellation in place: the options given replace its values "
                   "(--alias and --exclude are added to its lists); comments are kept.")
def command(vendor, cancelled_on, reference, paid_through, amount, aliases, exclude, refund_window_days, notes, rules,
            mode):
    """Record that you cancelled VENDOR, so later charges from it are flagged.

    Appends a [[cancellation]] record to the rules file without touching what is already
    there (comments included); the file is validated before it is replaced.  A vendor
    already recorded in that file is refused unless --add or --update is given.
    """
    from ..config.rules import append_cancellation, load_rules, rules_target, update_cancellation

    target = rules_target(rules, "cancellations.toml")
    if mode == "update":
        given = {"cancelled_on": cancelled_on, "reference": reference, "paid_through": paid_through,
                 "amount": amount, "aliases": list(aliases), "exclude": list(exclude),
                 "refund_window_days": refund_window_days, "notes": notes}
        changes = {key: value for key, value in given.items() if value not in (None, [])}
        if not changes:
            raise UsageError("--update needs at least one value to change", hint="e.g. --ref KL-58213")
        stored = update_cancellation(target, vendor, changes)
        click.echo(f"Updated {stored.vendor}: {', '.join(sorted(changes))}")
        click.echo(f"  in {stored.source_file}:{stored.source_line}")
        return
    if cancelled_on is None:
        raise UsageError("Missing option '--on'", hint="the day you cancelled, YYYY-MM-DD")
    earlier = [c for c in load_rules(target) if c.vendor.casefold() == vendor.strip().casefold()] if target.exists() else []
    record = Cancellation(
        vendor=vendor.strip(), cancelled_on=cancelled_on, aliases=tuple(aliases), paid_through=paid_through,
        reference=reference, amount=amount, refund_window_days=refund_window_days, exclude=tuple(exclude),
        notes=notes,
    )
    stored = append_cancellation(target, record, allow_existing=mode == "add")
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
