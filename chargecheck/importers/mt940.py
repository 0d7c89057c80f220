"""SWIFT MT940 importer: a tolerant line-based reader for what banks really export.

Input: MT940 text, with or without SWIFT header blocks (``{1:..}{2:..}{4:`` … ``-}``), one or
several statements per file (``:20: :25: :28C: :60F: :61: :86: :62F:``), CRLF or LF, control
characters framing the file, any legacy encoding (decoded with
:func:`chargecheck.importers.textio.decode_bytes`).  Output: a :class:`~chargecheck.schema.Statement`
with one transaction per ``:61:`` line (zero amounts kept), ``source_line`` = the line of the
``:61:``, ``date`` = the entry (booking) date where printed, else the value date, and
``posted_date`` = the value date (the same convention as the CAMT importer).

Why our own parser rather than the ``mt-940`` library: the corpus has files it rejects (ING's
``:28C:`` wrapped over two lines), and we need the line number of every ``:61:`` and a
skipped row, not an exception, for one unreadable entry.  Fields are found by their tag at
the start of a line; everything else continues the current field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import StatementError
from ..schema import Reconciliation, SkippedRow, Statement, empty_transactions, make_transactions
from .reconcile import BalancePair, check_totals
from .textio import Decoding, decode_with_reason
from .base import ImportOptions, Sample
from .mt940_text import describe_86, describe_ns

__all__ = ["IMPORTER", "Mt940Importer"]

_LINES = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"^\s*:(\d{2}[A-Z]?|NS):")
_TERMINATOR = re.compile(r"^-\s*+(\}|[A-Z]{3})?\s*+$")  # possessive: linear on a line of blanks
_BALANCE = re.compile(r"^([CD])(\d{6})([A-Z]{3})(\d+(?:[,.]\d*)?)?")
_CLOSING_TAGS = {"62F", "62M", "64", "65"}
# Leading blanks and controls on the tag's own line only (``^\s*`` crossed newlines: every line
# start of a run of blank lines rescanned the rest of the run, quadratic).
_IDENTIFY_START = re.compile(r"(?m)(^(?:(?!\n)[\x00-\x1f\s])*+|\{4:\s*+|@@):20:")
_IDENTIFY_BODY = re.compile(r"(?m)(^[^\S\n]*+|@@):(25|60[FM]|61|62[FM]):")
# Statements fetched over FinTS/HBCI may separate lines with "@@" instead of line breaks.
_AT_SEPARATED = re.compile(r"@@\s*:(20|25|28C?|60[FM]|61|86|62[FM]):")
# value date, optional entry date (or blanks), mark (C, D, RC, RD), optional funds code, amount
_ENTRY = re.compile(
    r"^\s*(?P<value>\d{6})(?P<entry>\d{4}|\s{4})?\s*(?P<mark>R?[CD])(?P<funds>[A-Z])? ?"
    r"(?P<amount>\d+(?:[,.]\d*)?)(?P<rest>.*)$"
)
_PLACEHOLDER_REFS = {"NONREF", "NOTPROVIDED", "NONE"}
_MAX_CENTS = 10**17  # SWIFT amounts have at most 15 characters; beyond this int64 would overflow
_FRAMING = b"\x01\x02\x03\x04\x1a"  # SOH/STX/ETX/EOT around SWIFT messages, DOS end-of-file
_RAW_CURRENCY = re.compile(rb":60[FM]:[CD]\d{6}([A-Z]{3})")
# Banks in these currencies export MT940 in Windows-1250 when not in UTF-8; a cp1250 guess is
# only tried after strict UTF-8 fails (textio.decode_bytes), and cp852 files usually fail it.
_CP1250_CURRENCIES = {b"PLN", b"CZK", b"HUF", b"HRK", b"RON", b"RSD", b"BAM", b"MKD", b"ALL"}


@dataclass
class _Field:
    """One tagged field: tag (``61``), the line it starts on, its text lines (tag removed)."""

    tag: str
    line: int
    lines: list[str]


@dataclass
class _Entry:
    """A ``:61:`` and the information fields (``:86:``, ``:NS:``) that follow it."""

    field: _Field
    info: list[_Field] = field(default_factory=list)


@dataclass
class _Block:
    """One statement (from ``:20:`` to the next): account, currency and its entries."""

    account: str = ""
    currency: str = ""
    entries: list[_Entry] = field(default_factory=list)
    opening: int | None = None  # signed cents of the first :60F:/:60M:
    closing: int | None = None  # signed cents of the last :62F:/:62M:
    closing_line: int | None = None


def _lines(text: str) -> list[tuple[int, str]]:
    """(physical line number, text) per logical line, control characters removed.

    Lines joined by ``@@`` keep the number of the physical line they are on.
    """
    split_at = bool(_AT_SEPARATED.search(text))
    result = []
    for number, raw in enumerate(_LINES.split(text), 1):
        line = _CONTROL.sub("", raw)
        result.extend((number, part) for part in (line.split("@@") if split_at else [line]))
    return result


def _ends_message(lines: list[tuple[int, str]], index: int) -> bool:
    """A ``-`` line ends a message only when a tag, a block or the end follows it.

    WORKAROUND (ING): a line holding only ``-`` also occurs INSIDE a wrapped ``:86:`` field.
    """
    for _, following in lines[index + 1:]:
        following = following.strip()
        if following:
            return following.startswith(("{", "}")) or bool(_TAG.match(following))
    return True


def _fields(text: str) -> list[_Field]:
    """Split the text into tagged fields; header blocks, terminators and preamble lines are dropped."""
    lines = _lines(text)
    fields: list[_Field] = []
    current: _Field | None = None
    for index, (number, line) in enumerate(lines):
        line = line.rstrip()
        if line.lstrip().startswith("{"):
            current = None  # SWIFT blocks {1:..}{2:..}{3:{..}}{4: ; the text after {4: is data
            _, marker, line = line.partition("{4:")
            if not marker:
                continue
        stripped = line.strip()
        if not stripped or stripped == "}" or (_TERMINATOR.match(stripped) and _ends_message(lines, index)):
            current = None
            continue
        tag = _TAG.match(line)
        if tag:
            current = _Field(tag.group(1), number, [line[tag.end():]])
            fields.append(current)
        elif current is not None:
            current.lines.append(line)
    return fields


def _blocks(fields: list[_Field]) -> list[_Block]:
    """Group fields into statements; ``:86:`` after a closing balance is statement info, not an entry's."""
    blocks: list[_Block] = []
    entry: _Entry | None = None
    for fld in fields:
        if fld.tag == "20" or not blocks:
            blocks.append(_Block())
            entry = None
        block = blocks[-1]
        value = " ".join(" ".join(fld.lines).split())
        if fld.tag == "25":
            block.account = value
        elif fld.tag in ("60F", "60M") or (fld.tag in _CLOSING_TAGS and not block.currency):
            match = _BALANCE.match(value)
            block.currency = block.currency or (match.group(3) if match else "")
        _note_balance(block, fld, value)
        if fld.tag in _CLOSING_TAGS:
            entry = None
        elif fld.tag == "61":
            entry = _Entry(fld)
            block.entries.append(entry)
        elif fld.tag in ("86", "NS") and entry is not None:
            entry.info.append(fld)
    return blocks


def _note_balance(block: _Block, fld: _Field, value: str) -> None:
    """Keep a block's first opening and last closing balance (``:60F:``/``:60M:``, ``:62F:``/``:62M:``)."""
    if fld.tag not in ("60F", "60M", "62F", "62M"):
        return
    match = _BALANCE.match(value)
    cents = _cents(match.group(4)) if match and match.group(4) else None
    if cents is None:
        return
    signed = -cents if match.group(1) == "D" else cents
    if fld.tag.startswith("60") and block.opening is None:
        block.opening = signed
    elif fld.tag.startswith("62"):
        block.closing, block.closing_line = signed, fld.line


def _reconcile(blocks: list[_Block], rows: list[dict]) -> Reconciliation:
    """opening + Σ :61: amounts = closing, per statement that prints both balances."""
    totals: dict[int, int] = {}
    for row in rows:
        totals[row["block"]] = totals.get(row["block"], 0) + row["amount_cents"]
    pairs = [BalancePair(b.opening, b.closing, totals.get(i, 0), b.closing_line)
             for i, b in enumerate(blocks) if b.opening is not None and b.closing is not None]
    return check_totals(pairs, "MT940 :60F:/:62F: balances")


def _yymmdd(text: str) -> date | None:
    """A SWIFT YYMMDD date (years 80-99 are 19xx), or None when it is not a calendar day."""
    try:
        year = int(text[:2])
        return date(year + (1900 if year >= 80 else 2000), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def _entry_day(mmdd: str | None, value: date) -> date | None:
    """The entry date MMDD in the year closest to the value date (a 31 Dec entry of a 2 Jan value)."""
    if not mmdd or not mmdd.strip():
        return None
    candidates = []
    for year in (value.year - 1, value.year, value.year + 1):
        try:
            candidates.append(date(year, int(mmdd[:2]), int(mmdd[2:])))
        except ValueError:
            continue
    return min(candidates, key=lambda day: abs((day - value).days)) if candidates else None


def _cents(amount: str) -> int | None:
    """Unsigned cents of an MT940 amount (``500,`` ``500`` ``620,3`` ``000000000473,17``)."""
    try:
        value = Decimal(amount.replace(",", ".").rstrip(".") or "x")
    except InvalidOperation:
        return None
    cents = value * 100
    return int(cents) if cents == cents.to_integral_value() and cents < _MAX_CENTS else None


def _references(rest: str) -> tuple[str, str]:
    """(bank reference, text after the references) from what follows the transaction type.

    The customer reference is 16 characters; some banks (Rabobank) print the counterparty's
    name after it on the same line, which is worth keeping as description.
    """
    if "//" in rest:
        _, _, after = rest.partition("//")
        match = re.match(r"\s*(\S*)(.*)$", after)  # 16x in the standard; some banks print more
        bank, extra = (match.group(1), match.group(2)) if match else ("", "")
    else:
        bank, extra = "", rest[16:]
    bank = "" if bank.upper() in _PLACEHOLDER_REFS else bank
    return bank, " ".join(extra.split())


def _match_entry(lines: list[str]) -> tuple[re.Match | None, int]:
    """The :61: regex match and how many of the field's lines it used (1, or 2 when wrapped)."""
    match = _ENTRY.match(lines[0])
    if match or len(lines) < 2:
        return match, 1
    # WORKAROUND (Sparkasse): the amount can be wrapped onto the second line of the :61:
    return _ENTRY.match(lines[0] + lines[1]), 2


def _description(entry: _Entry, extra: str, used: int) -> str:
    """Text after the references, then the :86: fields; else supplementary details and :NS:."""
    parts = [extra] + [describe_86(f.lines) for f in entry.info if f.tag == "86"]
    if not any(parts[1:]):
        parts.append(" ".join(" ".join(entry.field.lines[used:]).split()))
        parts.extend(describe_ns(f.lines) for f in entry.info if f.tag == "NS")
    unique: list[str] = []
    for part in parts:
        if part and part not in unique:
            unique.append(part)
    return " / ".join(unique)


def _row(entry: _Entry, block: _Block, path: str) -> dict | SkippedRow:
    """One transaction from a ``:61:`` and its ``:86:``/``:NS:`` fields, or why it was skipped."""
    match, used = _match_entry(entry.field.lines)
    first = "".join(entry.field.lines[:used])
    if not match:
        return SkippedRow(path, entry.field.line, "unreadable :61: (expected date, C/D mark, amount)", first)
    value = _yymmdd(match.group("value"))
    cents = _cents(match.group("amount"))
    if value is None or cents is None:
        return SkippedRow(path, entry.field.line, "unreadable date or amount in :61:", first)
    # SWIFT: RC is the reversal of a credit (money out), RD the reversal of a debit (money in)
    sign = -1 if match.group("mark") in ("D", "RC") else 1
    rest = match.group("rest")
    if rest[:1] in ("N", "F", "S") and len(rest) >= 4:
        rest = rest[4:]  # transaction type identification code, e.g. NTRF
    bank_id, extra = _references(rest)
    return {
        "date": _entry_day(match.group("entry"), value) or value, "posted_date": value,
        "amount_cents": sign * cents, "currency": block.currency,
        "description": _description(entry, extra, used),
        "account": _account(block), "bank_id": bank_id, "source_line": entry.field.line,
    }


def _account(block: _Block) -> str:
    """The ``:25:`` account without the currency some banks append (``NL77INGB0574908765EUR``)."""
    account = block.account.lstrip("/ ")  # some banks prefix the IBAN with a slash
    if block.currency and account.endswith(block.currency) and len(account) > 3:
        account = account[:-3].rstrip()
    return account


def _decode(data: bytes, forced: str | None) -> Decoding:
    """Text, encoding and why; framing control bytes are dropped first (they defeat detection)."""
    data = data.strip(_FRAMING)
    currency = _RAW_CURRENCY.search(data[:4096])
    hint = "cp1250" if currency and currency.group(1) in _CP1250_CURRENCIES else None
    return decode_with_reason(data, declared=hint, forced=forced)


class Mt940Importer:
    """Reads SWIFT MT940 statements (see the module docstring)."""

    name = "mt940"

    def identify(self, sample: Sample) -> bool:
        """A ``:20:`` field at a line start (or after ``{4:``) and a balance or entry field."""
        text = sample.text
        return bool(_IDENTIFY_START.search(text) and _IDENTIFY_BODY.search(text))

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read every statement in the file; one transaction per ``:61:``."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
        decoding = _decode(data, options.encoding)
        text, encoding = decoding.text, decoding.encoding
        fields = _fields(text)
        if not any(f.tag in ("25", "60F", "60M", "61", "62F", "62M") for f in fields):
            raise StatementError(
                path, 1, "MT940 fields (:20:, :25:, :60F:, :61:, :62F:)", "none",
                "this file is not an MT940 statement",
            )
        rows: list[dict] = []
        skipped: list[SkippedRow] = []
        blocks = _blocks(fields)
        for number, block in enumerate(blocks):
            for entry in block.entries:
                result = _row(entry, block, str(path))
                if isinstance(result, SkippedRow):
                    skipped.append(result)
                else:
                    rows.append({**result, "block": number})
        reconciliation = _reconcile(blocks, rows)
        rows = [{key: value for key, value in row.items() if key != "block"} for row in rows]
        frame = empty_transactions()
        if rows:
            columns = {key: [row[key] for row in rows] for key in rows[0]}
            frame = make_transactions({**columns, "source_file": [str(path)] * len(rows)})
        return Statement(
            path=str(path), format=self.name, rows_read=len(rows) + len(skipped),
            transactions=frame, skipped=tuple(skipped), encoding=encoding,
            notes=tuple(n for n in (f"{len(blocks)} statement(s)", decoding.note) if n), reconciliation=reconciliation,
        )


IMPORTER = Mt940Importer()
