"""ofxparse as an independent reference reader for the OFX importer's tests.

chargecheck reads OFX with its own extractor (one parse, with line numbers; the importer's
docstring says why).  ofxparse, the library the project was asked to build on, is kept here as
the yardstick: on every file it can read, each transaction it returns must be one of ours with the
same day, amount, FITID and description.  It only sees the sanitized text as ASCII with character
references (it decodes by the header and fails on UTF-8 or unknown charsets).
"""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from pathlib import Path

from chargecheck.importers.ofx.importer import describe
from chargecheck.importers.ofx.text import sanitize_ofx


def ofxparse_transactions(path: Path) -> list[tuple[str, int, str, str]]:
    """``(day, cents, FITID, description)`` per transaction ofxparse reads, bank then card accounts."""
    from ofxparse import OfxParser

    doc = sanitize_ofx(Path(path).read_bytes(), str(path), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4's warnings are about ofxparse's code, not the file
        parsed = OfxParser.parse(io.BytesIO(doc.text.encode("ascii", "xmlcharrefreplace")), fail_fast=False)
    out = []
    for account in parsed.accounts:
        for txn in account.statement.transactions:
            if txn.date is None or txn.amount is None:
                continue
            cents = int((Decimal(txn.amount) * 100).to_integral_value())
            out.append((txn.date.strftime("%Y-%m-%d"), cents, txn.id or "", describe(txn.payee or "", txn.memo or "")))
    return out


def our_transactions(statement) -> set[tuple[str, int, str, str]]:
    """The same tuple for each of the statement's transactions."""
    frame = statement.transactions
    days = frame["posted_date"].where(frame["posted_date"].notna(), frame["date"])
    return {(d.date().isoformat(), int(c), fid, desc)
            for d, c, fid, desc in zip(days, frame["amount_cents"], frame["bank_id"], frame["description"])}
