"""Dispute letters: a refund request to the merchant and a chargeback request to the card issuer.

Input: a :class:`~chargecheck.model.CheckResult`; output: two Markdown (plain-text friendly)
letters per vendor with outstanding flags, written to a folder.  They are filled only with facts
the user recorded or the statements show: the cancellation date, the confirmation reference, the
charges after it (date, amount, description as printed, where it is printed), the total and the
refund deadline.  Everything else (name, address, card number, the merchant's address, whether the
merchant was already contacted) is a clearly marked blank such as ``[YOUR NAME]``; nothing is
invented.  Only outstanding *flagged* charges go into a letter: a charge "to check" is a possible
match, and disputing it before a person has looked would accuse a merchant on a guess.  A payment
seen twice (a wallet's line and the card line funding it) is one charge, both lines named in the
issuer's letter.  The charges are in a fenced text block so statement text is shown literally and copies
cleanly into an email or a bank's dispute form.
"""

from __future__ import annotations

from decimal import Decimal

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..files import write_text

from ..model import CheckResult, Flag
from .common import (cancellation_for, flags_by_vendor, format_money, format_totals, sources_text, totals, visible,
                     visible_text)

__all__ = ["write_letters", "merchant_letter", "issuer_letter", "letter_slug", "as_plain_text"]

NO_REFERENCE = "[NO CONFIRMATION REFERENCE RECORDED]"


def letter_slug(vendor: str) -> str:
    """A file-name-safe ASCII slug of a vendor name (``"Apple.com / iCloud"`` → ``apple-com-icloud``)."""
    ascii_name = unicodedata.normalize("NFKD", vendor).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].strip("-") or "vendor"


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _charges_block(flags: list[Flag], *, with_source: bool) -> str:
    """The charges as an aligned text table inside a code fence (shown literally)."""
    deadlines = any(f.refund_deadline for f in flags)
    header = ["Date", "Amount", "Description on the statement"]
    header += ["Refund by"] if deadlines else []
    header += ["Statement"] if with_source else []
    rows = [header]
    for f in flags:
        amount = format_totals(totals([f], outstanding_only=False))
        if f.status == "flagged" and f.refunded_amount is not None:  # partly credited back already
            amount += f" ({format_money(f.owed, f.currency)} still owed)"
        row = [f.date.isoformat(), amount, visible(f.description)]
        row += [f.refund_deadline.isoformat() if f.refund_deadline else "-"] if deadlines else []
        row += [visible(sources_text(f))] if with_source else []  # a wallet payment: both lines
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    body = "\n".join(lines)
    fence = _fence(body)
    return f"{fence}text\n{body}\n{fence}"


def _facts(flags: list[Flag]) -> dict[str, str]:
    first = flags[0]
    deadlines = sorted(f.refund_deadline for f in flags if f.refund_deadline)
    return {
        "vendor": visible(first.vendor),
        "cancelled": first.cancelled_on.isoformat(),
        "reference": visible(first.reference) if first.reference else NO_REFERENCE,
        "total": _total(flags),
        "count": str(len(flags)),
        "deadline": deadlines[0].isoformat() if deadlines else "",
        "net": ", less what was already credited back" if any(x.refunded_amount for x in flags) else "",
    }


def _total(flags: list[Flag]) -> str:
    """Per-currency total still owed (charges less partial credits); a currency the statement
    did not print is a blank, not a guess."""
    owed: dict[str, Decimal] = {}
    for flag in flags:
        owed[flag.currency] = owed.get(flag.currency, Decimal("0.00")) + flag.owed
    return " + ".join(format_money(owed[c], c or "[CURRENCY]") for c in sorted(owed))


def _sender() -> list[str]:
    return ["[YOUR NAME]", "[YOUR POSTAL ADDRESS]", "[YOUR EMAIL ADDRESS OR PHONE NUMBER]", ""]


def _paid_through(flag: Flag) -> str:
    if flag.paid_through is None:
        return ""
    return (f" The subscription was paid through {flag.paid_through.isoformat()}; the charges below "
            "were made after that day.")


def merchant_letter(flags: list[Flag], refund_window_days: int | None = None) -> str:
    """The refund request to the merchant for one vendor's outstanding flags (Markdown text)."""
    f = _facts(flags)
    window = f" ({refund_window_days}-day refund window)" if refund_window_days else ""
    deadline = (
        f"\nThe first of these charges can be refunded until **{f['deadline']}**{window}; the last day "
        "for each charge is listed above.\n" if f["deadline"] else ""
    )
    lines = [f"# Refund request: {f['vendor']} charges after cancellation", ""] + _sender() + [
        f"To: {f['vendor']} customer support  ",
        "[MERCHANT POSTAL ADDRESS OR SUPPORT EMAIL]",
        "",
        "Date: [DATE OF SENDING]  ",
        "Customer or account number: [YOUR CUSTOMER OR ACCOUNT NUMBER WITH THE MERCHANT]",
        "",
        f"Subject: Refund of {f['count']} charge(s) made after my cancellation (confirmation: {f['reference']})",
        "",
        f"Dear {f['vendor']} customer support,",
        "",
        f"I cancelled my {f['vendor']} subscription on **{f['cancelled']}**. The confirmation reference is "
        f"{f['reference']}.{_paid_through(flags[0])} After the cancellation, my payment card or account ending in "
        f"[LAST 4 DIGITS] was charged {f['count']} time(s):",
        "",
        _charges_block(flags, with_source=False),
        "",
        f"Total charged after the cancellation{f['net']}: **{f['total']}**.",
        deadline,
        f"I did not authorise these charges. Please refund {f['total']} to the original payment method "
        "and confirm in writing that the subscription is cancelled and that no further charges will be made.",
        "",
        "Please reply by [REPLY-BY DATE]. If the charges are not refunded, I will ask my card issuer to "
        "reverse them as a canceled recurring transaction.",
        "",
        "Sincerely,",
        "",
        "[YOUR NAME]",
    ]
    return visible_text("\n".join(lines).replace("\n\n\n", "\n\n") + "\n")


def issuer_letter(flags: list[Flag]) -> str:
    """The chargeback request to the card issuer for one vendor's outstanding flags (Markdown text)."""
    f = _facts(flags)
    files = sorted({visible(fl.source.file) for fl in flags})
    deadline = f" The merchant's refund window for the first charge ends on {f['deadline']}." if f["deadline"] else ""
    lines = [f"# Chargeback request: canceled recurring transaction ({f['vendor']})", ""] + _sender() + [
        "To: [CARD ISSUER NAME], disputes department  ",
        "[CARD ISSUER DISPUTES ADDRESS OR ONLINE FORM]",
        "",
        "Date: [DATE OF SENDING]  ",
        "Cardholder: [YOUR NAME]  ",
        "Card or account number: [CARD OR ACCOUNT NUMBER]",
        "",
        f"Subject: Dispute of {f['count']} charge(s) from {f['vendor']}: canceled recurring transaction",
        "",
        "Dear disputes team,",
        "",
        "I dispute the charges listed below. Dispute reason: **canceled recurring transaction** (the merchant "
        "kept billing a recurring subscription after I cancelled it).",
        "",
        f"I cancelled my recurring {f['vendor']} subscription with the merchant on **{f['cancelled']}** "
        f"(confirmation reference: {f['reference']}).{_paid_through(flags[0])} The merchant charged my card "
        "after the cancellation:",
        "",
        _charges_block(flags, with_source=True),
        "",
        f"Total disputed: **{f['total']}**.{deadline}",
        "",
        "Evidence:",
        "",
        f"- the cancellation on {f['cancelled']}, confirmation reference {f['reference']}: "
        "[ATTACH THE CONFIRMATION EMAIL OR SCREENSHOT]",
        "- the statement(s) showing these charges: " + ", ".join(files),
        f"- my refund request to {f['vendor']}: [DATE YOU CONTACTED THE MERCHANT AND THEIR ANSWER, OR \"NOT CONTACTED\"]",
        "",
        f"Please reverse these charges and block further recurring charges from {f['vendor']} on this card.",
        "",
        "Sincerely,",
        "",
        "[YOUR NAME]",
    ]
    return visible_text("\n".join(lines) + "\n")


def as_plain_text(markdown: str) -> str:
    """A letter without Markdown markup, for pasting into a web form or a plain e-mail.

    Only what these letters use is undone: the ``# `` title marker, ``**bold**``, the two-space
    line breaks and the fence lines around the charges (the charges inside stay as printed).
    """
    lines = []
    for line in markdown.split("\n"):
        if re.fullmatch(r"`{3,}(text)?", line):
            continue
        line = re.sub(r"^# ", "", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        lines.append(line.rstrip(" ") if line.endswith("  ") else line)
    return "\n".join(lines)


def write_letters(result: CheckResult, out_dir: Path, fmt: str = "md", *,
                  inputs: Iterable[str | Path] = ()) -> list[Path]:
    """Write both letters for every vendor with outstanding flags into ``out_dir``; return the paths.

    File names are derived from the vendor name only (``<vendor>-merchant-refund-request.md`` and
    ``<vendor>-card-issuer-chargeback.md``, a ``-2`` suffix if two vendors share a slug), so a
    re-run overwrites the same files.  Refunded and reviewed-away flags are not disputed.
    ``fmt`` is ``md`` (Markdown) or ``txt`` (the same letters as plain text, ``.txt`` files).
    Each letter is written by :func:`chargecheck.files.write_text` (atomic; a letter path that is
    one of ``inputs``, or a FIFO or folder, is refused).
    """
    out_dir = Path(out_dir)
    written: list[Path] = []
    used: set[str] = set()
    for vendor, flags in flags_by_vendor(result.outstanding).items():
        slug = base = letter_slug(vendor)
        n = 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        canc = cancellation_for(result, vendor)
        window = canc.refund_window_days if canc else None
        for name, text in (
            (f"{slug}-merchant-refund-request", merchant_letter(flags, window)),
            (f"{slug}-card-issuer-chargeback", issuer_letter(flags)),
        ):
            if fmt == "txt":
                text = as_plain_text(text)
            path = out_dir / f"{name}.{fmt}"
            write_text(path, text, inputs=inputs)
            written.append(path)
    return written
