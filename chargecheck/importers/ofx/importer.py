"""OFX / QFX importer: bank and credit-card statements, OFX 1.x SGML and 2.x XML.

Input: an OFX file.  Output: a :class:`~chargecheck.schema.Statement` with one row per
``<STMTTRN>`` of every bank (``STMTRS``) and card (``CCSTMTRS``) statement in the file — a
transaction, or a skipped row with its reason and line.

Pipeline: bytes → :func:`~.ofx_text.sanitize_ofx` (decode, normalise, dates cut to the day
printed) → :func:`~.ofx_extract.find_statements` (accounts, currencies, blocks with lines; the
errors for sign-on failures, investment-only files, files with no statement) → values from
**ofxparse** for ordinary files, or from the in-house extractor for files with more than
:data:`OFXPARSE_MAX_TRANSACTIONS` transactions (ofxparse is quadratic).  On the ofxparse path
the extractor still reads every block: it gives each transaction its line, accounts for the
rows ofxparse discards, and cross-checks ofxparse's values (disagreements become notes).

Dates: a transaction's ``date`` is the day the card was used (``DTUSER``) where the bank gives
it, as a CSV export's "Transaction Date", with ``DTPOSTED`` as its ``posted_date``; without
``DTUSER`` it is ``DTPOSTED``.  A renewal authorised before a cancellation but posted after it
is therefore not a charge after the cancellation.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ...errors import StatementError
from ...schema import SkippedRow, Statement, make_transactions
from ..base import ImportOptions, Sample
from .extract import OfxStatement, Row, find_statements, read_block, to_cents
from .text import OfxText, ofx_for_ofxparse, sanitize_ofx

__all__ = ["IMPORTER", "OfxImporter", "read_ofx", "describe", "OFXPARSE_MAX_TRANSACTIONS"]

#: Above this many transactions the extractor alone reads the file: ofxparse needs ~0.8 s for
#: 2,000 and ~35 s for 20,000 (quadratic), the extractor ~0.1 s per 1,000.
OFXPARSE_MAX_TRANSACTIONS = 2000

# ofxparse keeps parse options on the class, so concurrent parses must not overlap.
_OFXPARSE_LOCK = threading.Lock()
_IDENTIFY = re.compile(r"OFXHEADER|<OFX\s*>", re.IGNORECASE)


def describe(name: str, memo: str) -> str:
    """One descriptor from an OFX NAME and MEMO, without junk or repetition.

    A part with no letters (``000000000000000`` as NAME, a bare reference number) says nothing
    about the merchant and is dropped when the other part has letters.  When one part contains
    the other (a NAME truncated to 32 characters repeated in full in MEMO) the longer is kept;
    otherwise both are joined with a space, ``NAME MEMO``, the way card exports print a merchant
    and its location (the descriptor cleaner then removes the location like any other).
    """
    name, memo = " ".join(name.split()), " ".join(memo.split())
    name_letters = any(ch.isalpha() for ch in name)
    memo_letters = any(ch.isalpha() for ch in memo)
    if memo_letters and not name_letters:
        name = ""
    elif name_letters and not memo_letters:
        memo = ""
    if name.casefold() == memo.casefold():
        return name
    if not name or name.casefold() in memo.casefold():
        return memo or name
    if not memo or memo.casefold() in name.casefold():
        return name
    return f"{name} {memo}"


def _ofxparse_transactions(doc: OfxText, statements: list[OfxStatement]) -> list[list]:
    """ofxparse's transactions for each statement of ``statements`` (same order)."""
    from ofxparse import OfxParser

    with _OFXPARSE_LOCK, warnings.catch_warnings():
        # bs4 deprecation and markup-guess warnings are about ofxparse's code, not the file.
        warnings.simplefilter("ignore")
        parsed = OfxParser.parse(io.BytesIO(ofx_for_ofxparse(doc)), fail_fast=False)
    # ofxparse lists every STMTRS first, then every CCSTMTRS, each in document order.
    order = [s for s in statements if s.kind == "STMTRS"] + [s for s in statements if s.kind == "CCSTMTRS"]
    if len(parsed.accounts) < len(order):
        raise ValueError(f"ofxparse found {len(parsed.accounts)} accounts, the file has {len(order)}")
    by_statement = {id(s): acc.statement.transactions for s, acc in zip(order, parsed.accounts)}
    return [by_statement[id(s)] for s in statements]


def _align(rows: list[Row], txns: list, notes: list[str]) -> list[Row]:
    """Put ofxparse's values on the extractor's rows, in order; rows it discarded stay as read.

    ofxparse keeps document order and drops the blocks it rejects (a missing FITID, a missing
    amount), so a row matches the next ofxparse transaction when day, amount and FITID agree.
    """
    out, ptr = [], 0
    for row in rows:
        key = (row.date, None if row.amount is None else str(row.amount), row.fitid)
        if ptr < len(txns):
            txn = txns[ptr]
            day = txn.date.strftime("%Y%m%d") if txn.date is not None else None
            if key == (day, None if txn.amount is None else str(txn.amount), txn.id):
                ptr += 1
                if row.reason is None:
                    row = replace(row, amount=txn.amount, name=txn.payee or "", memo=txn.memo or "")
                out.append(row)
                continue
        if row.reason is None:
            notes.append(f"line {row.line}: ofxparse discarded this transaction; "
                         "kept as read by the tolerant extractor")
        out.append(row)
    if ptr != len(txns):
        notes.append(f"cross-check: {len(txns) - ptr} transaction(s) read by ofxparse did not "
                     "match a <STMTTRN> block; the extractor's reading was kept")
    return out


#: A transaction has about ten tags; a file with far more tags than its transactions explain,
#: or an amount longer than any number, is hostile to ofxparse (bs4 is super-linear in nesting
#: depth, ``toDecimal``'s ``.*\..*,`` search is cubic in the amount's length): the extractor reads it.
_TAGS_PER_TRANSACTION = 40
_LONG_AMOUNT = re.compile(r"<[A-Z0-9_.]*?AMT>[^<]{65}")


def _hostile_to_ofxparse(doc: OfxText, count: int) -> str | None:
    """Why ofxparse must not read this document (None when it may)."""
    if doc.text.count("<") > _TAGS_PER_TRANSACTION * (count + 10):
        return "far more tags than transactions"
    if _LONG_AMOUNT.search(doc.text):
        return "an amount longer than any number"
    return None


def _choose_engine(engine: str, count: int) -> str:
    if engine == "auto":
        return "ofxparse" if count <= OFXPARSE_MAX_TRANSACTIONS else "extractor"
    if engine not in ("ofxparse", "extractor"):
        raise ValueError(f"unknown OFX engine {engine!r}")
    return engine


def _statement_notes(doc: OfxText, statements: list[OfxStatement]) -> list[str]:
    notes = []
    for stmt in statements:
        if not stmt.account:
            notes.append(f"line {stmt.line}: the statement names no account (ACCTID)")
        if not stmt.currency:
            notes.append(f"line {stmt.line}: the statement names no currency (CURDEF)")
    if "<INVSTMTRS>" in doc.text:
        notes.append("an investment statement (INVSTMTRS) in the file was not read")
    return notes


def _rows(doc: OfxText, statements: list[OfxStatement], engine: str, notes: list[str]) -> list[list[Row]]:
    """Every block's Row per statement, with ofxparse's values when that engine is used."""
    rows = [[read_block(doc, block) for block in stmt.blocks] for stmt in statements]
    count = sum(len(r) for r in rows)
    engine = _choose_engine(engine, count)
    hostile = _hostile_to_ofxparse(doc, count) if engine == "ofxparse" and count else None
    if hostile:
        notes.append(f"not given to ofxparse ({hostile}); read by the tolerant extractor")
        engine = "extractor"
    if engine == "ofxparse" and count:
        try:
            txns = _ofxparse_transactions(doc, statements)
        except Exception as exc:  # ofxparse is unmaintained: any failure falls back, noted
            notes.append(f"ofxparse failed ({type(exc).__name__}: {exc}); read by the tolerant extractor")
            engine = "extractor"
        else:
            rows = [_align(r, t, notes) for r, t in zip(rows, txns)]
    notes.insert(0, f"parser: {engine}")
    return rows


def read_ofx(path: str | Path, options: ImportOptions | None = None, *, engine: str = "auto") -> Statement:
    """Read an OFX/QFX file into a Statement; ``engine`` is ``auto``, ``ofxparse`` or ``extractor``.

    ``auto`` uses ofxparse up to :data:`OFXPARSE_MAX_TRANSACTIONS` transactions and the
    extractor above; forcing one exists so tests can show both give the same transactions.
    """
    options = options or ImportOptions()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatementError(path, None, "a readable OFX file", exc.strerror or str(exc)) from None
    doc = sanitize_ofx(data, str(path), options.encoding)
    statements = find_statements(doc)
    notes = _statement_notes(doc, statements)
    per_statement = _rows(doc, statements, engine, notes)
    columns: dict[str, list] = {k: [] for k in
                                ("date", "posted_date", "amount_cents", "currency", "description", "account",
                                 "bank_id", "source_line")}
    skipped = []
    for stmt, rows in zip(statements, per_statement):
        for row in rows:
            if row.reason is not None:
                skipped.append(SkippedRow(str(path), row.line, row.reason, describe(row.name, row.memo)))
                continue
            # The day the card was used (DTUSER) where the bank gives it, like a CSV's transaction
            # date; DTPOSTED is then the posted date.
            for key, value in (("date", row.user_date or row.date), ("posted_date", row.date if row.user_date else None),
                               ("amount_cents", to_cents(row.amount)),
                               ("currency", stmt.currency), ("description", describe(row.name, row.memo)),
                               ("account", stmt.account), ("bank_id", row.fitid), ("source_line", row.line)):
                columns[key].append(value)
    columns["date"] = pd.to_datetime(pd.Series(columns["date"], dtype="str"), format="%Y%m%d")
    columns["posted_date"] = pd.to_datetime(pd.Series(columns["posted_date"], dtype="object"), format="%Y%m%d")
    frame = make_transactions({**columns, "source_file": [str(path)] * len(columns["bank_id"])})
    return Statement(path=str(path), format="ofx", rows_read=len(frame) + len(skipped),
                     transactions=frame, skipped=tuple(skipped), encoding=doc.encoding,
                     notes=tuple(notes))


class OfxImporter:
    """Importer for OFX 1.x/2.x and QFX, identified by an OFX header or an ``<OFX>`` element."""

    name = "ofx"

    def identify(self, sample: Sample) -> bool:
        """True when the first bytes hold ``OFXHEADER`` or an ``<OFX>`` tag."""
        return _IDENTIFY.search(sample.text) is not None

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read the file (see :func:`read_ofx`)."""
        return read_ofx(path, options)


IMPORTER = OfxImporter()
