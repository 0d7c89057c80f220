"""ISO 20022 CAMT importer: camt.052 (account report), camt.053 (statement), camt.054 (notification).

Input: an XML ``Document`` in any ``urn:iso:std:iso:20022:tech:xsd:camt.05x.001.xx`` namespace
(versions 001.02 to 001.08 share the elements read here, so the namespace is taken from the
root rather than hard-coded).  Output: a :class:`~chargecheck.schema.Statement`, one transaction
per ``Ntry``, or one per ``TxDtls`` when a batch entry lists several details with their own
amounts that add up to the entry.  The sign comes from ``CdtDbtInd`` (``DBIT`` is money out);
``RvslInd`` does not flip it, because the indicator already states the booking's direction.
Entries with status ``INFO`` (information only, never booked) are skipped rows; pending
(``PDNG``) entries are kept: a pending charge is still a charge.

XML is parsed with defusedxml (see :mod:`chargecheck.importers.camt_xml`): DTD entity
declarations (billion laughs) and external entities are refused with a
:class:`~chargecheck.errors.StatementError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import Element

from ..errors import StatementError
from ..schema import SkippedRow, Statement, empty_transactions, make_transactions
from .reconcile import BalancePair, check_totals
from .base import ImportOptions, Sample
from .camt_xml import XmlDocument, load_xml

__all__ = ["IMPORTER", "CamtImporter"]

_CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt."
_MESSAGES = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt", "BkToCstmrDbtCdtNtfctn": "Ntfctn"}
_ROOT = re.compile(r"<(?:[\w.-]+:)?Document\b")
_PLACEHOLDER_IDS = {"NOTPROVIDED", "NONREF", "NONE"}
_MAX_CENTS = 10**17  # the schema allows 18 digits; beyond this int64 cents would overflow


def _text(element: Element | None, path: str) -> str:
    """Stripped text of the first element at ``path`` below ``element``, or ``""``."""
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: Element, path: str) -> list[str]:
    """Stripped, non-empty texts of every element at ``path``."""
    return [t for t in ((e.text or "").strip() for e in element.iterfind(path)) if t]


@dataclass(frozen=True)
class _Money:
    cents: int  # signed: money out negative
    currency: str


def _money(amount: Element | None, indicator: str, fallback_ccy: str) -> _Money | None:
    """Signed cents from an unsigned ``Amt`` and ``CRDT``/``DBIT``; None when unreadable."""
    if amount is None or indicator not in ("CRDT", "DBIT"):
        return None
    try:
        value = Decimal((amount.text or "").strip())
    except InvalidOperation:
        return None
    cents = value * 100
    if not value.is_finite() or not 0 <= cents < _MAX_CENTS or cents != cents.to_integral_value():
        return None
    currency = (amount.get("Ccy") or fallback_ccy).strip().upper()
    sign = -1 if indicator == "DBIT" else 1
    return _Money(sign * int(cents), "" if currency == "XXX" else currency)


def _day(element: Element, path: str) -> date | None:
    """The calendar day of ``path/Dt`` or the date part of ``path/DtTm`` (as printed, no UTC shift)."""
    found = element.find(path)
    if found is None:
        return None
    raw = _text(found, "Dt") or _text(found, "DtTm")
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _detail_amount(detail: Element, indicator: str, ccy: str) -> _Money | None:
    """A TxDtls' own amount (``Amt`` from 001.03 on, ``AmtDtls/TxAmt/Amt`` in 001.02)."""
    amount = detail.find("Amt")
    if amount is None:
        amount = detail.find("AmtDtls/TxAmt/Amt")
    return _money(amount, _text(detail, "CdtDbtInd") or indicator, ccy)


def _party(detail: Element, indicator: str) -> str:
    """The counterparty's name: the creditor of a debit, the debtor of a credit (else the other)."""
    parties = detail.find("RltdPties")
    if parties is None:
        return ""
    sides = ("Cdtr", "UltmtCdtr", "Dbtr", "UltmtDbtr")
    if indicator == "CRDT":
        sides = sides[2:] + sides[:2]
    for side in sides:
        party = parties.find(side)
        name = _text(party, "Nm") or _text(party, "Pty/Nm")
        if name:
            return name
    return ""


def _describe(detail: Element | None, indicator: str, entry_info: str, split: bool) -> str:
    """Counterparty, remittance info and additional info, joined.

    The entry's ``AddtlNtryInf`` describes the whole entry, so a row split from a batch gets it
    only when its own details say nothing.
    """
    parts: list[str] = []
    if detail is not None:
        parts.append(_party(detail, indicator))
        parts.append(" ".join(_texts(detail, "RmtInf/Ustrd")))
        parts.extend(_texts(detail, "RmtInf/Strd/CdtrRefInf/Ref"))
        parts.extend(_texts(detail, "RmtInf/Strd/AddtlRmtInf"))
        parts.append(_text(detail, "AddtlTxInf"))
    if not split or not any(parts):
        parts.append(entry_info)
    unique: list[str] = []
    for part in (" ".join(p.split()) for p in parts):
        if part and part not in unique:
            unique.append(part)
    return " / ".join(unique)


def _reference(*candidates: str) -> str:
    """The first real reference (placeholders such as ``NOTPROVIDED`` are not ids)."""
    for value in candidates:
        if value and value.upper() not in _PLACEHOLDER_IDS:
            return value
    return ""


def _detail_refs(detail: Element) -> tuple[str, str, str]:
    return (_text(detail, "Refs/AcctSvcrRef"), _text(detail, "Refs/EndToEndId"), _text(detail, "Refs/TxId"))


@dataclass(frozen=True)
class _Context:
    """What every entry of one report shares: file, account, account currency, entry lines."""

    path: Path
    account: str
    currency: str
    lines: dict[int, int]


def _split(details: list[Element], indicator: str, money: _Money) -> tuple[list[_Money] | None, str]:
    """Per-detail amounts when a batch entry may be split into its details, else (None, why not)."""
    if len(details) < 2:
        return None, ""
    amounts = [_detail_amount(d, indicator, money.currency) for d in details]
    if any(a is None for a in amounts):
        return None, ""  # details without own amounts: the entry is the transaction
    if any(a.currency != money.currency for a in amounts) or sum(a.cents for a in amounts) != money.cents:
        return None, "its details' amounts do not add up to the entry; kept as one transaction"
    return amounts, ""


def _skip(entry: Element, ctx: _Context, line: int | None, reason: str) -> SkippedRow:
    found = f"Amt={_text(entry, 'Amt')!r} CdtDbtInd={_text(entry, 'CdtDbtInd')!r}"
    return SkippedRow(str(ctx.path), line, reason, found)


def _entry_rows(entry: Element, ctx: _Context, notes: list[str]) -> list[dict] | SkippedRow:
    """The transaction rows of one ``Ntry`` (one, or one per split detail), or why it was skipped."""
    line = ctx.lines.get(id(entry))
    if (_text(entry, "Sts/Cd") or _text(entry, "Sts")).upper() == "INFO":
        # ISO 20022: INFO entries are for information only, never booked on the account
        return _skip(entry, ctx, line, "information-only entry (Sts INFO), not booked")
    indicator = _text(entry, "CdtDbtInd")
    money = _money(entry.find("Amt"), indicator, ctx.currency)
    if money is None:
        return _skip(entry, ctx, line, "entry without a readable amount and CRDT/DBIT indicator")
    booked, valued = _day(entry, "BookgDt"), _day(entry, "ValDt")
    if booked is None and valued is None:
        return _skip(entry, ctx, line, "entry without a readable booking or value date")
    details = entry.findall("NtryDtls/TxDtls")
    info = " ".join(_texts(entry, "AddtlNtryInf"))
    entry_ref = _text(entry, "AcctSvcrRef")
    base = {"date": booked or valued, "posted_date": valued, "account": ctx.account}
    amounts, why = _split(details, indicator, money)
    if why:
        notes.append(f"{ctx.path}:{line}: entry with {len(details)} details: {why}")
    if amounts is None:
        detail = details[0] if len(details) == 1 else None
        refs = _detail_refs(detail) if detail is not None else ()
        row = {"amount_cents": money.cents, "currency": money.currency, "source_line": line,
               "description": _describe(detail, indicator, info, split=False),
               "bank_id": _reference(entry_ref, *refs)}
        return [{**base, **row}]
    return [
        {**base, "amount_cents": part.cents, "currency": part.currency,
         "source_line": ctx.lines.get(id(detail), line),
         "description": _describe(detail, _text(detail, "CdtDbtInd") or indicator, info, split=True),
         "bank_id": _reference(*_detail_refs(detail), entry_ref)}
        for detail, part in zip(details, amounts)
    ]


_OPENING, _CLOSING = ("OPBD", "PRCD"), ("CLBD",)


def _balance_pair(report: Element, ctx: _Context, total: int) -> BalancePair | None:
    """The report's opening (``OPBD``, else ``PRCD``) and closing (``CLBD``) booked balances with
    the sum of its booked entries; None unless the report prints both."""
    found: dict[str, tuple[int, int | None]] = {}
    for balance in report.iterfind("Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/CdOrPrtry/Prtry")
        money = _money(balance.find("Amt"), _text(balance, "CdtDbtInd"), ctx.currency)
        if money is not None and code.upper() not in found:
            found[code.upper()] = (money.cents, ctx.lines.get(id(balance)))
    opening = next((found[code] for code in _OPENING if code in found), None)
    closing = next((found[code] for code in _CLOSING if code in found), None)
    if opening is None or closing is None:
        return None
    return BalancePair(opening[0], closing[0], total, closing[1])


def _booked_total(entry: Element, result: list[dict]) -> int:
    """What an entry moved on the booked balance: nothing while pending (``PDNG``)."""
    status = (_text(entry, "Sts/Cd") or _text(entry, "Sts")).upper()
    return 0 if status == "PDNG" else sum(row["amount_cents"] for row in result)


def _reports(root: Element, path: Path) -> list[Element]:
    """The statements (053), reports (052) or notifications (054) of a namespace-free tree."""
    found = [report for message in root if message.tag in _MESSAGES
             for report in message.findall(_MESSAGES[message.tag])]
    if not found and not any(message.tag in _MESSAGES for message in root):
        raise StatementError(path, None, f"a CAMT message ({', '.join(_MESSAGES)})",
                             f"<{root[0].tag if len(root) else 'nothing'}> inside <Document>")
    return found


def _check_namespace(doc: XmlDocument, path: Path) -> str:
    """The camt message name (``camt.053.001.02``) or a StatementError for any other XML."""
    if doc.root.tag != "Document" or not doc.namespace.startswith(_CAMT_NS):
        raise StatementError(
            path, doc.line(doc.root),
            f"an ISO 20022 camt <Document> (namespace {_CAMT_NS}*)",
            f"<{doc.root.tag}> in namespace {doc.namespace or 'none'!r}",
            "this XML is not a CAMT bank statement; export camt.052, camt.053 or camt.054",
        )
    return doc.namespace.rsplit(":", 1)[-1]


class CamtImporter:
    """Reads camt.052/.053/.054 XML (see the module docstring for the rules)."""

    name = "camt"

    def identify(self, sample: Sample) -> bool:
        """An XML ``Document`` that looks like a bank-to-customer message or names a camt schema."""
        text = sample.text
        return bool(_ROOT.search(text)) and ("BkToCstmr" in text or _CAMT_NS in text)

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read every entry of every statement/report/notification in the file."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
        doc = load_xml(path, data, options.encoding)
        message = _check_namespace(doc, path)
        rows: list[dict] = []
        skipped: list[SkippedRow] = []
        notes: list[str] = [message]
        pairs: list[BalancePair] = []
        for report in _reports(doc.root, path):
            account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
            ctx = _Context(Path(path), account, _text(report, "Acct/Ccy"), doc.lines)
            total = 0
            for entry in report.iterfind("Ntry"):
                result = _entry_rows(entry, ctx, notes)
                if isinstance(result, SkippedRow):
                    skipped.append(result)
                else:
                    rows.extend(result)
                    total += _booked_total(entry, result)
            pair = _balance_pair(report, ctx, total)
            if pair is not None:
                pairs.append(pair)
        return Statement(
            path=str(path), format=self.name, rows_read=len(rows) + len(skipped),
            transactions=_frame(rows, str(path)), skipped=tuple(skipped),
            encoding=doc.encoding, notes=tuple(notes),
            reconciliation=check_totals(pairs, "CAMT OPBD/CLBD balances"),
        )


def _frame(rows: list[dict], source: str):
    """The rows as a schema-conforming transaction table."""
    if not rows:
        return empty_transactions()
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    columns["source_file"] = [source] * len(rows)
    return make_transactions(columns)


IMPORTER = CamtImporter()
