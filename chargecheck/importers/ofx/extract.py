"""The structure of a sanitized OFX document and the in-house tolerant STMTTRN extractor.

Input: an :class:`~chargecheck.importers.ofx.text.OfxText`.  Output: :func:`find_statements`
gives the bank (``STMTRS``) and card (``CCSTMTRS``) statements with their account, currency
and ``<STMTTRN>`` blocks (each with its line in the file), or a StatementError for a sign-on
failure, an investment-only file, a file with no statement, or a broken structure.
:func:`read_block` turns one block into a :class:`Row` or the reason it is skipped.

Why in-house: ofxparse is quadratic (35 s for 20k transactions) and gives no line numbers; on
the regular sanitized text a few regular expressions read the same values in linear time, each
with its line.  Rows read = number of ``<STMTTRN>`` blocks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ...errors import StatementError
from ..values import shown
from .text import OfxText

__all__ = ["Block", "OfxStatement", "Row", "find_statements", "read_block", "ofx_decimal", "to_cents"]

_STATEMENT_TAG = re.compile(r"<(/?)(STMTRS|CCSTMTRS|INVSTMTRS)>")
_TRN_TAG = re.compile(r"<(/?)(STMTTRN)>")
_LEAF = re.compile(r"<([A-Z][A-Z0-9_.]*)>([^<]*)")
_DAY = re.compile(r"\d{8}")  # a date the sanitizer kept: already checked to be a calendar day
# Longer TRNAMT values are not amounts (and are not looked at further).
MAX_AMOUNT_CHARS = 64
# Cents beyond int64 (the transactions table's type): 10^17 is already a billion-billion dollars.
_MAX_CENTS = 2**63 - 1


def _element(text: str, names: tuple[str, ...], start: int = 0) -> tuple[int, str] | None:
    """The leftmost ``<NAME>…</NAME>`` of these names at or after ``start``: (where it opens, its
    inner text), or None.

    ``str.find`` instead of ``<(A|B)>(.*?)</\\1>``: the lazy regex scanned the rest of the file
    from every unclosed opener (quadratic); the first opener of a name that has no closer after it
    means none of that name has.
    """
    best = None
    for name in names:
        opened = text.find(f"<{name}>", start)
        if opened < 0:
            continue
        inner = opened + len(name) + 2
        closed = text.find(f"</{name}>", inner)
        if closed >= 0 and (best is None or opened < best[0]):
            best = (opened, text[inner:closed])
    return best


@dataclass(frozen=True)
class Block:
    """One ``<STMTTRN>…</STMTTRN>`` block: its text, where it starts, and its line."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class OfxStatement:
    """A bank or card statement aggregate with its account, currency and transaction blocks."""

    kind: str  # "STMTRS" or "CCSTMTRS"
    line: int
    account: str
    currency: str
    blocks: tuple[Block, ...] = field(default=())


@dataclass(frozen=True)
class Row:
    """The values one block yields; ``reason`` is set (and values may be None) when skipped."""

    line: int
    date: str | None = None  # YYYYMMDD, the day printed (DTPOSTED)
    amount: Decimal | None = None
    fitid: str = ""
    name: str = ""
    memo: str = ""
    reason: str | None = None
    user_date: str | None = None  # YYYYMMDD of DTUSER (the day the card was used), where given


def _leaves(text: str) -> dict[str, str]:
    """First value of each leaf tag in ``text`` (entities decoded once, whitespace stripped)."""
    found: dict[str, str] = {}
    for name, value in _LEAF.findall(text):
        if name not in found:
            found[name] = html.unescape(value.strip()) if "&" in value else value.strip()
    return found


def ofx_decimal(raw: str) -> Decimal | None:
    """Read a TRNAMT the way ofxparse does (``1.234,56``, ``1 025,53``, ``+5``, ``null`` = 0).

    Mirrors ``OfxParser.toDecimal`` so both import paths agree; None when unreadable.
    """
    text = raw.strip()
    if len(text) > MAX_AMOUNT_CHARS or not text.isascii():  # ``-9.9²``, ``１２``: not an OFX amount
        return None
    dot, comma = text.find("."), text.find(",")
    if 0 <= dot < text.rfind(","):  # a comma after a dot (was ``\..*,``: quadratic on many dots)
        text = text.replace(".", "")
    elif 0 <= comma < text.rfind("."):
        text = text.replace(",", "")
    if "." not in text and "," in text:
        text = text.replace(",", ".")
    text = text.replace(" ", "").replace("+", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        # Some banks send a null amount for a rate-change notice (ofxparse reads it as 0).
        return Decimal(0) if raw.strip() in ("null", "-null") else None
    return value if value.is_finite() else None


def to_cents(amount: Decimal) -> int | None:
    """Exact integer cents of an amount, or None when it has a fraction of a cent."""
    cents = amount * 100
    return int(cents) if cents == cents.to_integral_value() else None


def read_block(doc: OfxText, block: Block) -> Row:
    """The date, amount, FITID, NAME and MEMO of one block, or the reason it cannot be used."""
    leaves = _leaves(doc.text[block.start : block.end])
    date, raw_amount = leaves.get("DTPOSTED"), leaves.get("TRNAMT")
    amount = ofx_decimal(raw_amount) if raw_amount is not None else None
    user = leaves.get("DTUSER")
    values = dict(date=date, amount=amount, fitid=leaves.get("FITID", ""),
                  name=leaves.get("NAME", ""), memo=leaves.get("MEMO", ""),
                  user_date=user if user and _DAY.fullmatch(user) else None)
    problems = []
    if date is None:
        problems.append("no valid posting date (DTPOSTED)")
    if raw_amount is None:
        problems.append("no amount (TRNAMT)")
    elif amount is None or to_cents(amount) is None:
        problems.append(f"an unreadable amount (TRNAMT {shown(raw_amount)})")
    elif abs(to_cents(amount)) > _MAX_CENTS:
        problems.append(f"an amount too large to be a charge (TRNAMT {shown(raw_amount)})")
    reason = "transaction has " + " and ".join(problems) if problems else None
    return Row(block.line, **values, reason=reason)


def _status(text: str) -> tuple[str, str, str]:
    leaves = _leaves(text)
    return leaves.get("CODE", ""), leaves.get("SEVERITY", "").upper(), leaves.get("MESSAGE", "")


def _check_signon(doc: OfxText) -> None:
    """A sign-on failure (wrong password, locked account) carries no statement: say so."""
    found = _element(doc.text, ("SONRS",))
    if found is None:
        return
    code, severity, message = _status(found[1])
    if severity == "ERROR":
        failure = f"a sign-on failure from the bank (status {code}{': ' + message if message else ''})"
        raise StatementError(
            doc.path, doc.line_at(found[0]), "a bank or credit-card statement", failure,
            hint="the bank refused the download; sign in again and download a new statement",
        )


def _pairs(doc: OfxText, pattern: re.Pattern, what: str) -> list[tuple[str, int, int]]:
    """(name, open position, close end) for non-nesting aggregates; broken nesting raises."""
    spans, open_at, open_name = [], None, None
    for match in pattern.finditer(doc.text):
        closing, name = match.group(1), match.group(2)
        if not closing and open_at is None:
            open_at, open_name = match.start(), name
        elif closing and open_at is not None and name == open_name:
            spans.append((name, open_at, match.end()))
            open_at = None
        elif open_at is not None:
            raise StatementError(
                doc.path, doc.line_at(open_at), f"</{open_name}> closing this {what}",
                f"<{'/' if closing else ''}{name}> on line {doc.line_at(match.start())} first",
            )
        else:
            raise StatementError(doc.path, doc.line_at(match.start()),
                                 f"<{name}> opening a {what}", f"a stray </{name}>")
    if open_at is not None:
        raise StatementError(doc.path, doc.line_at(open_at), f"</{open_name}> closing this {what}",
                             "the end of the document")
    return spans


def _no_statement(doc: OfxText, kinds: set[str]) -> StatementError:
    if "INVSTMTRS" in kinds:
        pos = doc.text.find("<INVSTMTRS>")
        return StatementError(doc.path, doc.line_at(pos), "a bank or credit-card statement",
                              "an investment statement (INVSTMTRS)",
                              hint="investment accounts are not supported")
    found = "no statement (no STMTRS or CCSTMTRS)"
    openers = [at for at in (doc.text.find("<STMTTRNRS>"), doc.text.find("<CCSTMTTRNRS>")) if at >= 0]
    status = _element(doc.text, ("STATUS",), min(openers)) if openers else None
    if status is not None:
        code, severity, message = _status(status[1])
        if severity == "ERROR":
            found += f"; the bank answered status {code}{': ' + message if message else ''}"
    return StatementError(doc.path, doc.line_at(doc.text.find("<OFX>")),
                          "a bank or credit-card statement", found)


def find_statements(doc: OfxText) -> list[OfxStatement]:
    """The bank and card statements in document order, each with its transaction blocks.

    STMTTRN blocks inside an investment statement are not bank rows and are not returned.
    """
    _check_signon(doc)
    spans = _pairs(doc, _STATEMENT_TAG, "statement")
    bank = [span for span in spans if span[0] != "INVSTMTRS"]
    if not bank:
        raise _no_statement(doc, {span[0] for span in spans})
    blocks = _pairs(doc, _TRN_TAG, "transaction")
    statements, index, line, counted = [], 0, 1, 0
    for kind, start, end in bank:
        found = []
        while index < len(blocks) and blocks[index][1] < end:
            _, b_start, b_end = blocks[index]
            line += doc.text.count("\n", counted, b_start)
            counted = b_start
            if b_start > start:
                found.append(Block(b_start, b_end, line))
            index += 1
        body = doc.text[start:end]
        account = _element(body, ("BANKACCTFROM", "CCACCTFROM"))
        head = _leaves(body[: found[0].start - start] if found else body)
        acctid = _leaves(account[1]).get("ACCTID", "") if account else ""
        statements.append(OfxStatement(kind, doc.line_at(start), acctid,
                                       head.get("CURDEF", "").upper(), tuple(found)))
    return statements
