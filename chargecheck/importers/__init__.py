"""Stage ``importers``: statement files of every format, read into one table schema.

Input: a statement file (CSV, OFX/QFX, QIF, CAMT, MT940, xlsx) and optional
:class:`~.base.ImportOptions`.  Output: a :class:`~chargecheck.schema.Statement` (transactions
as the typed table of :mod:`chargecheck.schema`, skipped rows with reasons, how it was read).
May import: :mod:`chargecheck.schema`, :mod:`chargecheck.errors` and its own modules; never
match, flag, report, discover, config or cli.

``read_statement(path)`` identifies the format by content (never by extension alone), runs
that importer and returns a :class:`~chargecheck.schema.Statement`.  Registered formats are
tried in ``FORMAT_MODULES`` order; CSV comes last because almost any text looks like CSV.
Each module exposes ``IMPORTER``, an object following :class:`~chargecheck.importers.base.Importer`.
Shared helpers: :mod:`.textio` and :mod:`.codepages` (bytes to text, the code page decided by
evidence), :mod:`.values` (dates and amounts), :mod:`.typed` (amounts typed by hand, periods a text
names), :mod:`.reconcile` (a statement's balances checked
against its transactions: ``Statement.reconciliation``).
"""

from __future__ import annotations

import importlib
import os
import stat
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..errors import StatementError
from ..schema import Statement
from .base import SAMPLE_BYTES, ImportOptions, Importer, Sample

__all__ = ["read_statement", "importers", "identify", "ImportOptions", "Importer", "Sample"]

FORMAT_MODULES: tuple[str, ...] = ("ofx", "camt", "mt940", "qif", "xlsx", "csv")


@lru_cache(maxsize=1)
def importers() -> tuple[Importer, ...]:
    """The registered importers, in the order they are tried."""
    return tuple(importlib.import_module(f"{__name__}.{name}").IMPORTER for name in FORMAT_MODULES)


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words (for the error)."""
    for test, what in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return what
    return "not a regular file"


def _read_sample(path: Path) -> Sample:
    """The file's first bytes; only a regular file is opened (a FIFO or device would block or never end)."""
    try:
        mode = os.stat(path).st_mode  # follows a symlink to what it names
    except FileNotFoundError:
        raise StatementError(path, None, "an existing file", "no such file") from None
    except OSError as exc:
        raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None
    if stat.S_ISDIR(mode):
        raise StatementError(path, None, "a statement file", "a directory")
    if not stat.S_ISREG(mode):
        raise StatementError(path, None, "a regular file", _kind_of(mode))
    try:
        with open(path, "rb") as handle:
            return Sample(path=path, head=handle.read(SAMPLE_BYTES))
    except IsADirectoryError:
        raise StatementError(path, None, "a statement file", "a directory") from None
    except FileNotFoundError:
        raise StatementError(path, None, "an existing file", "no such file") from None
    except OSError as exc:
        raise StatementError(path, None, "a readable file", exc.strerror or str(exc)) from None


def identify(path: str | Path) -> Importer:
    """The importer whose format this file's content matches, or a StatementError saying so."""
    sample = _read_sample(Path(path))
    if not sample.head.strip():
        raise StatementError(path, None, "a bank or card statement", "an empty file")
    for importer in importers():
        if importer.identify(sample):
            return importer
    names = ", ".join(imp.name for imp in importers())
    for magic, what, hint in _NOT_READ:
        if sample.head.startswith(magic):
            raise StatementError(path, None, f"a statement in one of these formats: {names}", what, hint=hint)
    raise StatementError(
        path, 1, f"a statement in one of these formats: {names}", "content none of them recognise"
    )


# Files people download from their bank that hold no machine-readable rows for us.
_NOT_READ = (
    (b"%PDF", "a PDF document", "download the same statement as CSV, OFX/QFX or Excel (.xlsx) instead"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 (.xls) workbook", "open it and save it as .xlsx or CSV"),
    (b"PK\x03\x04", "a ZIP archive (not an Excel workbook)", "extract the statements from it first"),
)


def read_statement(
    path: str | Path, options: ImportOptions | None = None, *, format: str | None = None
) -> Statement:
    """Read one statement file of any supported format; every row is a transaction or skipped.

    ``format`` forces an importer by name (e.g. ``"csv"``) instead of identifying by content.
    """
    options = options or ImportOptions()
    if format is not None:
        by_name = {imp.name: imp for imp in importers()}
        if format not in by_name:
            raise StatementError(path, None, f"a format among {', '.join(by_name)}", repr(format))
        _read_sample(Path(path))
        importer = by_name[format]
    else:
        importer = identify(path)
    statement = importer.extract(Path(path), options)
    if options.currency:
        statement = _with_default_currency(statement, options.currency)
    return statement


def _with_default_currency(statement: Statement, currency: str) -> Statement:
    """Give rows that name no currency the user's ``--currency`` (never overriding a stated one)."""
    frame = statement.transactions
    unnamed = frame["currency"] == ""
    if not unnamed.any():
        return statement
    frame = frame.copy()
    frame.loc[unnamed, "currency"] = currency.upper()
    note = f"{int(unnamed.sum())} row(s) without a stated currency given {currency.upper()} (--currency)"
    return replace(statement, transactions=frame, notes=statement.notes + (note,))
