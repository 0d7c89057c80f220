"""QIF (Quicken Interchange Format) importer: bank, card, cash and other-asset/liability sections.

Input: a QIF file.  Output: a :class:`~chargecheck.schema.Statement` with one row per record
(``^``-terminated) of every ``!Type:Bank``, ``!Type:CCard``, ``!Type:Cash``, ``!Type:Oth A`` and
``!Type:Oth L`` section — a transaction, or a skipped row with its reason and the record's
first line.  Split lines (``S``/``E``/``$``/``%``) belong to their record and are not rows.
Investment sections and the Class / Cat / Memorized / Security lists are not bank
transactions and are not rows (a note says what was passed over).

Dates: Quicken prints ``2/10'2020`` and `` 2/ 4'19``; these are normalised, then one date
format is inferred from every date of the file together (:func:`chargecheck.importers.values.infer_date_format`),
so ``03/04`` is read the same way in every record.  Amounts go through the shared
:func:`chargecheck.importers.values.parse_amounts` (thousands separators, decimal commas).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import StatementError, UsageError
from ..schema import Reconciliation, SkippedRow, Statement, make_transactions
from .textio import decode_with_reason
from .values import infer_date_format, parse_amounts, parse_dates, shown
from .base import ImportOptions, Sample
from .ofx.importer import describe

__all__ = ["IMPORTER", "QifImporter", "read_qif", "normalize_qif_date"]

_BANK_TYPES = {"bank", "ccard", "cash", "oth a", "oth l"}
# Leading spaces on the header's own line only: ``^\s*`` crossed newlines, so every line start
# of a run of blank lines rescanned the rest of the run (quadratic on a file of newlines).
_IDENTIFY = re.compile(r"^[^\S\n]*+!(Type:|Account\b|Option:|Clear:)", re.IGNORECASE | re.MULTILINE)
_SPLIT_CODES = frozenset("SE$%")


@dataclass
class _Record:
    """One ``^``-terminated transaction record: first line, section, first value per code."""

    line: int
    section: str
    account: str
    fields: dict[str, str] = field(default_factory=dict)
    in_splits: bool = False

    def add(self, code: str, value: str) -> None:
        if code in _SPLIT_CODES:
            self.in_splits = True  # a D/M after an S line dates or describes the split only
        elif not self.in_splits and code not in self.fields:
            self.fields[code] = value


@dataclass
class _Parsed:
    records: list[_Record] = field(default_factory=list)
    passed_over: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    bank_sections: int = 0

    def pass_over(self, what: str) -> None:
        self.passed_over[what] = self.passed_over.get(what, 0) + 1

    def close(self, record: _Record | None, terminated: bool) -> None:
        if record is None:
            return
        self.records.append(record)
        if not terminated:
            self.notes.append(f"line {record.line}: record has no ^ terminator; read anyway")


def normalize_qif_date(text: str) -> str:
    """Quicken's ``2/10'2020`` → ``02/10/2020``, `` 2/ 4'19`` → ``02/04/19``.

    Spaces inside numeric dates are Quicken's padding, the apostrophe separates the year, and
    one-digit fields get a leading zero so 2-digit-year formats (``%y``) read ``13/3/3``.
    """
    if re.search(r"[A-Za-z]", text):  # "26 Jan 2026": spaces are separators
        return " ".join(text.split())
    text = re.sub(r"\s+", "", text)
    if "'" in text:
        separator = next((ch for ch in text if ch in "/.-"), "/")
        text = text.replace("'", separator)
    return re.sub(r"(?<!\d)(\d)(?!\d)", r"0\1", text)


def _section_name(header: str) -> str:
    """``!Type:Oth A`` → ``oth a``; ``!Account`` → ``account``; ``!Option:AutoSwitch`` → ``option``."""
    body = header[1:].strip()
    if body.lower().startswith("type:"):
        return " ".join(body[5:].split()).lower()
    return body.split(":")[0].strip().lower()


def _parse_lines(lines: list[str]) -> _Parsed:
    """Group the lines into records, per section; account names come from ``!Account`` lists."""
    parsed = _Parsed()
    section, label, account, record, account_name = None, "", "", None, None
    in_other = False  # inside a record of a section that holds no bank transactions
    for number, raw in enumerate(lines, start=1):
        line = raw.strip("\ufeff\x00")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("!"):
            parsed.close(record, terminated=False)
            section, label, record, in_other = _section_name(line), line.strip(), None, False
            if section == "clear":  # end of an AutoSwitch account list: no account is current
                account = ""
            parsed.bank_sections += section in _BANK_TYPES
            continue
        code, value = line[0], line[1:].strip()
        if section is None:
            parsed.pass_over("lines before the first !Type header")
        elif section == "account":
            if code == "N" and account_name is None:
                account_name = value
            elif code == "^":  # the account whose transactions follow
                account, account_name = account_name or account, None
        elif code == "^":  # ends the record ("^^" too)
            parsed.close(record, terminated=True)
            record, in_other = None, False
        elif section not in _BANK_TYPES:
            if not in_other:
                parsed.pass_over(f"{label} records")
                in_other = True
        else:
            record = record or _Record(number, section, account)
            record.add(code, value)
    parsed.close(record, terminated=False)
    return parsed


def _span_days(values: pd.Series, fmt: str) -> int | None:
    """Days between the first and last date read with ``fmt``; None if a value does not fit."""
    dates = parse_dates(values, fmt)
    if dates.isna().any():
        return None
    return int((dates.max() - dates.min()).days)


def _year_first_short(values: pd.Series, fmt: str) -> str:
    """``13/08/12`` may be yy/mm/dd (Quicken lets users pick it): take it when the span is smaller.

    The shared detector leaves 2-digit-year-first out (alone it is indistinguishable from a
    day); between two readings that both fit every date, the one whose dates lie closer
    together is the statement's (a statement covers weeks, not decades).
    """
    separator = next((ch for ch in fmt if ch in "/.-"), None)
    if separator is None or "%y" not in fmt:
        return fmt
    alternative = f"%y{separator}%m{separator}%d"
    span, other = _span_days(values, fmt), _span_days(values, alternative)
    return alternative if other is not None and span is not None and other < span else fmt


def _date_format(values: pd.Series, forced: str | None) -> str | None:
    """One format for all dates of the file (``forced`` wins).

    When no format reads every date (a typo, a ``Pending``), the format is inferred from the
    dates shaped like most of them (``99/99/99``); the others are then skipped with a reason.
    """
    if forced:
        return forced
    values = values[values.str.contains(r"\d", regex=True)]
    if values.empty:
        return None
    fmt = infer_date_format(values)
    if fmt is None:
        shapes = values.str.replace(r"\d", "9", regex=True)
        fmt = infer_date_format(values[shapes == shapes.mode().iloc[0]])
    return _year_first_short(values, fmt) if fmt else None


def _parse_with(values: pd.Series, fmt: str | None) -> pd.Series:
    """The dates read with ``fmt`` (all NaT without one); a bad ``--date-format`` is a UsageError."""
    if fmt is None:
        return pd.Series([pd.NaT] * len(values), dtype="datetime64[s]")
    try:
        return parse_dates(values, fmt)
    except ValueError as exc:
        raise UsageError(f"--date-format {fmt!r} is not a valid strptime format ({exc})") from None


def _is_opening_balance(record: _Record) -> bool:
    """Quicken's first record: payee "Opening Balance", category the account itself ``[Name]``."""
    payee, category = record.fields.get("P", ""), record.fields.get("L", "")
    if payee.strip().casefold() != "opening balance" or not re.fullmatch(r"\[.*\]", category.strip()):
        return False
    return not record.account or category.strip()[1:-1].strip() == record.account


def _reason(record: _Record, date, cents) -> str | None:
    if _is_opening_balance(record):
        return "opening-balance record (P Opening Balance, L[account]): a balance, not a transaction"
    raw_date = record.fields.get("D")
    raw_amount = record.fields.get("T", record.fields.get("U"))
    problems = []
    if raw_date is None:
        problems.append("no date (D line)")
    elif pd.isna(date):
        problems.append(f"an unreadable date {shown(raw_date)}")
    if raw_amount is None:
        problems.append("no amount (T line)")
    elif pd.isna(cents):
        problems.append(f"an unreadable amount {shown(raw_amount)}")
    return "record has " + " and ".join(problems) if problems else None


def read_qif(path: str | Path, options: ImportOptions | None = None) -> Statement:
    """Read a QIF file into a Statement (every bank-like record a transaction or skipped)."""
    options = options or ImportOptions()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatementError(path, None, "a readable QIF file", exc.strerror or str(exc)) from None
    decoding = decode_with_reason(data, forced=options.encoding)
    text, encoding = decoding.text, decoding.encoding
    parsed = _parse_lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    records = parsed.records
    if not parsed.bank_sections:
        found = "only " + ", ".join(sorted(parsed.passed_over)) if parsed.passed_over else "no records"
        raise StatementError(path, 1, "a bank or credit-card section (!Type:Bank, !Type:CCard, "
                             "!Type:Cash, !Type:Oth A/L) with transactions", found)
    dates_raw = pd.Series([normalize_qif_date(r.fields.get("D", "")) for r in records], dtype=object)
    fmt = _date_format(dates_raw[dates_raw != ""], options.date_format)
    dates = _parse_with(dates_raw, fmt)
    amounts_raw = pd.Series([r.fields.get("T", r.fields.get("U", "")) for r in records], dtype=object)
    cents = parse_amounts(amounts_raw, decimal=options.decimal)
    descriptions = [describe(r.fields.get("P", ""), r.fields.get("M", "")) for r in records]
    keep, skipped = [], []
    for i, record in enumerate(records):
        reason = _reason(record, dates.iloc[i], cents.iloc[i])
        if reason is None:
            keep.append(i)
        else:
            skipped.append(SkippedRow(str(path), record.line, reason, descriptions[i]))
    frame = make_transactions({
        "date": dates.iloc[keep].to_numpy(),
        "amount_cents": cents.iloc[keep].to_numpy(dtype="int64"),
        "description": [descriptions[i] for i in keep],
        "account": [records[i].account for i in keep],
        "source_file": [str(path)] * len(keep),
        "source_line": [records[i].line for i in keep],
    })
    notes = [f"date format: {fmt}" if fmt else "date format: none fits the dates"] + parsed.notes
    notes += [f"{count} {what} not read (not bank transactions)" for what, count in sorted(parsed.passed_over.items())]
    notes += [decoding.note] if decoding.note else []
    # QIF prints an opening balance (Quicken's first record) but never a closing one.
    opening = any(_is_opening_balance(record) for record in records)
    reconciliation = Reconciliation(method="QIF opening balance only, no closing balance to check against") if opening \
        else Reconciliation()
    return Statement(path=str(path), format="qif", rows_read=len(records), transactions=frame,
                     skipped=tuple(skipped), encoding=encoding, notes=tuple(notes), reconciliation=reconciliation)


class QifImporter:
    """Importer for QIF files, identified by a ``!Type:``/``!Account``/``!Option:`` header line."""

    name = "qif"

    def identify(self, sample: Sample) -> bool:
        """True when a line of the first bytes starts a QIF section."""
        return _IDENTIFY.search(sample.text) is not None

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read the file (see :func:`read_qif`)."""
        return read_qif(path, options)


IMPORTER = QifImporter()
