"""What was read from each statement, for checking an import (``chargecheck transactions``).

Per file: the format detected, the layout, the encoding, rows read / transactions /
skipped and whether its balances reconcile (``reconciled``, ``not reconciled: off by X at line
N``, ``no balances``); then every normalized transaction and every skipped row with its reason and line.
``--format json`` gives ``{"files": [...], "transactions": [...], "skipped": [...]}`` (ISO
dates, amounts as decimal strings); ``--format csv`` writes the transactions as CSV to stdout
(text cells that a spreadsheet would execute are prefixed with ``'``; amounts stay numbers)
and the per-file summary and skipped rows to stderr, so stdout stays a clean table.
"""

from __future__ import annotations

import csv
import io
import json

from collections.abc import Sequence

import pandas as pd

from ..model import PassedOver
from ..schema import Statement, cents_to_decimal
from .common import visible, visible_text
from .csv_report import csv_safe
from .json_report import passed_over_dict, reconciliation_dict
from .markers import GENERATOR

__all__ = ["statement_summary", "transaction_records", "render_table", "render_json", "render_csv", "summary_lines"]

CSV_COLUMNS = ("date", "posted_date", "amount", "currency", "description", "account", "bank_id", "source_file", "source_line")


def _day(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def statement_summary(statement: Statement) -> dict:
    """The per-file facts a user debugging an import needs first."""
    return {
        "file": statement.path,
        "format": statement.format,
        "layout": statement.layout,
        "encoding": statement.encoding,
        "rows_read": statement.rows_read,
        "transactions": len(statement.transactions),
        "skipped": len(statement.skipped),
        "notes": list(statement.notes),
        "reconciliation": reconciliation_dict(statement),
    }


def transaction_records(statement: Statement) -> list[dict]:
    """Transactions as plain dicts: ISO dates, amounts as decimal strings, source file and line."""
    frame = statement.transactions
    records = []
    for row in frame.itertuples(index=False):
        line = None if pd.isna(row.source_line) else int(row.source_line)
        source = {"file": row.source_file, "line": line}
        if row.bank_id:
            source["bank_id"] = row.bank_id
        records.append({
            "date": _day(row.date), "posted_date": _day(row.posted_date),
            "amount": str(cents_to_decimal(row.amount_cents)), "currency": row.currency,
            "description": row.description, "account": row.account, "bank_id": row.bank_id, "source": source,
        })
    return records


def _skipped_records(statement: Statement) -> list[dict]:
    return [{"file": s.file, "line": s.line, "reason": s.reason, "text": s.text} for s in statement.skipped]


def render_json(statements: list[Statement], passed_over: Sequence[PassedOver] = ()) -> str:
    """The JSON document: files, transactions and skipped rows, in file then line order, and the
    files a folder scan passed over."""
    document = {
        "generator": GENERATOR,
        "files": [statement_summary(s) for s in statements],
        "transactions": [r for s in statements for r in transaction_records(s)],
        "skipped": [r for s in statements for r in _skipped_records(s)],
        "passed_over": [passed_over_dict(p) for p in passed_over],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary_line(statement: Statement) -> str:
    s = statement_summary(statement)
    return visible(f"{s['file']}: format {s['format']}, layout {s['layout'] or '-'}, encoding {s['encoding'] or '-'}, "
                   f"{s['rows_read']} rows read, {s['transactions']} transactions, {s['skipped']} skipped, "
                   f"{statement.reconciliation}")


def _skipped_lines(statements: list[Statement]) -> list[str]:
    return [visible(f"{s}" + (f"  [{s.text}]" if s.text else "")) for st in statements for s in st.skipped]


def summary_lines(statements: list[Statement], passed_over: Sequence[PassedOver] = ()) -> list[str]:
    """Per file one summary line, every skipped row and every file passed over: what
    ``--format csv`` prints to stderr."""
    return ([_summary_line(statement) for statement in statements] + _skipped_lines(statements)
            + [f"passed over: {item}" for item in passed_over])


def render_table(statements: list[Statement], passed_over: Sequence[PassedOver] = ()) -> str:
    """Plain aligned text: per-file summaries and notes, a transaction table, then the skipped rows."""
    lines = []
    for statement in statements:
        lines.append(_summary_line(statement))
        if statement.notes:  # how it was read: delimiter, header line, date format, sign decision…
            lines.append("  " + "; ".join(statement.notes))
    rows = [("DATE", "AMOUNT", "CUR", "DESCRIPTION", "SOURCE")]
    for statement in statements:
        for r in transaction_records(statement):
            where = f"{r['source']['file']}:{r['source']['line']}" if r["source"]["line"] else r["source"]["file"]
            rows.append(tuple(map(visible, (r["date"], r["amount"], r["currency"], r["description"][:60], where))))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines.append("")
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3].ljust(widths[3]), row[4]]
        lines.append("  ".join(cells).rstrip())
    skipped = _skipped_lines(statements)
    if skipped:
        lines += ["", "Skipped rows:"] + [f"  {line}" for line in skipped]
    if passed_over:
        lines += ["", "Files passed over:"] + [f"  {visible(str(item))}" for item in passed_over]
    return visible_text("\n".join(lines) + "\n")


def render_csv(statements: list[Statement]) -> str:
    """Transactions as CSV; text cells neutralised for spreadsheets, amounts left numeric."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for statement in statements:
        for r in transaction_records(statement):
            writer.writerow([
                r["date"], r["posted_date"] or "", r["amount"], csv_safe(r["currency"]), csv_safe(r["description"]),
                csv_safe(r["account"]), csv_safe(r["bank_id"]), csv_safe(r["source"]["file"]), r["source"]["line"] or "",
            ])
    return buffer.getvalue()
