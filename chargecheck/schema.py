"""The normalized transaction table every importer produces and every later stage reads.

One row per transaction, as a pandas DataFrame with exactly these columns and dtypes
(``TRANSACTION_SCHEMA``):

=================  ================  ==========================================================
column             dtype             meaning
=================  ================  ==========================================================
``date``           datetime64[s]     calendar day the statement prints (never shifted to UTC)
``posted_date``    datetime64[s]     posting day where the statement has a second date, else NaT
``amount_cents``   int64             amount in minor units (cents); **money out is negative**
``currency``       str               ISO code where known (``USD``), else ``""``
``description``    str               descriptor as printed (payee and memo joined where split)
``account``        str               account id where the statement names one, else ``""``
``bank_id``        str               the bank's own id (OFX FITID, CAMT/MT940 reference), or ``""``
``source_file``    str               the statement path as the user gave it
``source_line``    Int64             1-based line of the row in that file (<NA> where none)
=================  ================  ==========================================================

Money is integer cents in the table (fast, exact); a person-facing value converts it with
:func:`cents_to_decimal`.  Later stages add their own columns (``cleaned``, ``match_*``) to a
copy; importers never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

__all__ = [
    "TRANSACTION_SCHEMA",
    "TRANSACTION_COLUMNS",
    "SkippedRow",
    "ReconciliationStatus",
    "Reconciliation",
    "Statement",
    "make_transactions",
    "empty_transactions",
    "cents_to_decimal",
    "decimal_to_cents",
    "by_unique",
]

TRANSACTION_SCHEMA: dict[str, str] = {
    "date": "datetime64[s]",
    "posted_date": "datetime64[s]",
    "amount_cents": "int64",
    "currency": "str",
    "description": "str",
    "account": "str",
    "bank_id": "str",
    "source_file": "str",
    "source_line": "Int64",
}
TRANSACTION_COLUMNS: tuple[str, ...] = tuple(TRANSACTION_SCHEMA)

_DEFAULTS: dict[str, Any] = {
    "posted_date": pd.NaT,
    "currency": "",
    "description": "",
    "account": "",
    "bank_id": "",
    "source_line": pd.NA,
}


def make_transactions(data: Mapping[str, Any] | pd.DataFrame) -> pd.DataFrame:
    """Build a schema-conforming transaction table from columns (missing optional ones get defaults).

    Importers call this once at the end so every statement, whatever its format, reaches the
    rest of the pipeline with the same columns, order and dtypes.  ``date`` and
    ``amount_cents`` are required and may not hold missing values.
    """
    # The given columns are taken as they are, not copied: importers hand over arrays they no
    # longer touch (copying a million-row table costs more than building it).
    frame = pd.DataFrame(dict(data), copy=False) if not isinstance(data, pd.DataFrame) else data.copy()
    # A text column given as one string (``source_file``, a file's currency) cannot hold a gap.
    whole = set() if isinstance(data, pd.DataFrame) else {key for key, value in data.items() if isinstance(value, str)}
    for required in ("date", "amount_cents", "source_file"):
        if required not in frame.columns:
            raise ValueError(f"transactions need a {required!r} column")
    for column, default in _DEFAULTS.items():
        if column not in frame.columns:
            frame[column] = default  # broadcast; the conversions below give the schema dtype
            whole.add(column)
    frame = frame[list(TRANSACTION_COLUMNS)]
    # Columns that already have their schema dtype are left as they are (a million-row
    # import passes them ready-made); anything else is converted as the schema says.
    for column in ("currency", "description", "account", "bank_id", "source_file"):
        frame[column] = _text_column(frame[column], column in whole)
    for column in ("date", "posted_date"):
        if frame[column].dtype != "datetime64[s]":
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    if frame["date"].isna().any() or frame["amount_cents"].isna().any():
        raise ValueError("date and amount_cents may not be missing in a transaction table")
    if frame["amount_cents"].dtype != "int64":
        frame["amount_cents"] = frame["amount_cents"].astype("int64")
    if frame["source_line"].dtype != "Int64":
        frame["source_line"] = frame["source_line"].astype("Int64")
    return frame.astype(TRANSACTION_SCHEMA).reset_index(drop=True)


def _text_column(values: pd.Series, whole: bool) -> pd.Series:
    """A text column as ``str`` with ``""`` for gaps, converting only what needs it.

    ``isna`` on a million strings costs more than the rest of the table; a C-level check that
    every value is a string (``infer_dtype``) answers the same question several times faster.
    """
    if values.dtype == "str" and whole:
        return values
    if values.dtype in (object, "str") and infer_dtype(values.to_numpy(dtype=object), skipna=False) == "string":
        return values if values.dtype == "str" else values.astype(str)
    return values.fillna("").astype(str)


def empty_transactions() -> pd.DataFrame:
    """An empty table with the transaction schema (for statements with no transactions)."""
    return make_transactions({"date": [], "amount_cents": [], "source_file": []})


def cents_to_decimal(cents: int) -> Decimal:
    """Convert integer minor units to a two-place Decimal (``-5999`` → ``Decimal('-59.99')``)."""
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def decimal_to_cents(amount: Decimal) -> int:
    """Convert an exact Decimal amount to integer cents; refuses sub-cent values rather than round."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {amount} has more than two decimal places")
    return int(cents)


@dataclass(frozen=True)
class SkippedRow:
    """A row read from a statement that did not become a transaction, and why (nothing is lost)."""

    file: str
    line: int | None
    reason: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: skipped: {self.reason}"


class ReconciliationStatus(Enum):
    """Whether a statement's own balances agree with the transactions read from it."""

    RECONCILED = "reconciled"
    NOT_RECONCILED = "not reconciled"
    NO_BALANCES = "no balances"


@dataclass(frozen=True)
class Reconciliation:
    """The check of a statement against the balances it prints (see :mod:`chargecheck.importers.reconcile`).

    ``off_by`` is closing balance − (opening + Σ transactions) where that is not zero;
    ``line`` the first row where a running balance breaks (None for a totals check);
    ``method`` says which balances were compared (``MT940 :60F:/:62F:``, ``running balance``).
    """

    status: ReconciliationStatus = ReconciliationStatus.NO_BALANCES
    off_by: Decimal | None = None
    line: int | None = None
    method: str = ""

    def __str__(self) -> str:
        if self.status is ReconciliationStatus.NOT_RECONCILED:
            where = f" at line {self.line}" if self.line is not None else ""
            return f"not reconciled: off by {self.off_by}{where}"
        return self.status.value

    @property
    def reconciled(self) -> bool:
        """True when the statement's balances agree with its transactions."""
        return self.status is ReconciliationStatus.RECONCILED


@dataclass(frozen=True, eq=False)
class Statement:
    """One statement file as read: its transactions, its skipped rows and how it was read.

    ``reconciliation`` says whether the balances the file prints agree with its transactions.
    Invariant (checked on creation): ``rows_read == len(transactions) + len(skipped)``, so
    every row the importer saw is accounted for.
    """

    path: str
    format: str
    rows_read: int
    transactions: pd.DataFrame
    skipped: tuple[SkippedRow, ...] = ()
    encoding: str | None = None
    layout: str | None = None
    notes: tuple[str, ...] = field(default=())
    reconciliation: Reconciliation = field(default_factory=Reconciliation)

    def __post_init__(self) -> None:
        if self.rows_read != len(self.transactions) + len(self.skipped):
            raise AssertionError(
                f"{self.path}: {self.rows_read} rows read but {len(self.transactions)} "
                f"transactions + {len(self.skipped)} skipped"
            )

    @property
    def transaction_count(self) -> int:
        """How many transactions the statement holds (as :attr:`StatementSummary.transaction_count`)."""
        return len(self.transactions)

    def summary(self) -> "StatementSummary":
        """The statement as a check's report lists it, without its rows (what a check result keeps)."""
        return StatementSummary(path=self.path, format=self.format, rows_read=self.rows_read,
                                transaction_count=len(self.transactions), skipped=self.skipped,
                                encoding=self.encoding, layout=self.layout, notes=self.notes,
                                reconciliation=self.reconciliation)


@dataclass(frozen=True)
class StatementSummary:
    """One statement file as a check's report lists it: how it was read, how many rows it held,
    and its reconciliation.

    A check over millions of rows keeps this instead of the :class:`Statement` (whose table
    would hold every row).  Invariant: ``rows_read == transaction_count + len(skipped)``.
    """

    path: str
    format: str
    rows_read: int
    transaction_count: int
    skipped: tuple[SkippedRow, ...] = ()
    encoding: str | None = None
    layout: str | None = None
    notes: tuple[str, ...] = field(default=())
    reconciliation: Reconciliation = field(default_factory=Reconciliation)

    def __post_init__(self) -> None:
        if self.rows_read != self.transaction_count + len(self.skipped):
            raise AssertionError(f"{self.path}: {self.rows_read} rows read but {self.transaction_count} "
                                 f"transactions + {len(self.skipped)} skipped")


def by_unique(values: pd.Series, func, dtype=object) -> pd.Series:
    """Apply a scalar function once per distinct value and map back (statement columns repeat a lot)."""
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([func(value) for value in unique], dtype=dtype)
    return pd.Series(mapped[codes] if len(mapped) else mapped, index=values.index)
