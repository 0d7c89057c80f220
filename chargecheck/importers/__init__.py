"""Statement importers, one module per format, and the function that picks the right one.

``read_statement(path)`` identifies the format by content (never by extension alone), runs
that importer and returns a :class:`~chargecheck.schema.Statement`.  Registered formats are
tried in ``FORMAT_MODULES`` order; CSV comes last because almost any text looks like CSV.
Each module exposes ``IMPORTER``, an object following :class:`~chargecheck.importers.base.Importer`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StatementError
from ..schema import Statement
from .base import SAMPLE_BYTES, ImportOptions, Importer, Sample

if TYPE_CHECKING:
    from .csv.chunks import CsvChunk

__all__ = ["read_statement", "importers", "identify", "ImportOptions", "Importer", "Sample", "StatementPart",
           "plan_statement_parts", "read_statement_part"]

FORMAT_MODULES: tuple[str, ...] = ("ofx", "camt", "mt940", "qif", "xlsx", "csv")


@lru_cache(maxsize=1)
def importers() -> tuple[Importer, ...]:
    """The registered importers, in the order they are tried."""
    return tuple(importlib.import_module(f"{__name__}.{name}").IMPORTER for name in FORMAT_MODULES)


def _read_sample(path: Path) -> Sample:
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


@dataclass(frozen=True)
class StatementPart:
    """A statement file, or one chunk of a large CSV file (``chunk`` is then set).

    ``path`` is the file as the user named it (what reports show); a relative one is opened
    from ``base``, the folder it was named in, by a process whose working folder differs (a
    Dask worker started elsewhere).
    """

    path: str
    chunk: "CsvChunk | None" = None
    base: str | None = None

    def opened_at(self) -> str:
        """Where this process opens the file."""
        if self.base is None or Path(self.path).is_absolute() or Path.cwd() == Path(self.base):
            return self.path
        return str(Path(self.base) / self.path)


def plan_statement_parts(path: str | Path, options: ImportOptions | None = None,
                         chunk_bytes: int | None = None) -> tuple[StatementPart, ...]:
    """The parts a statement is read in: a CSV file larger than ``chunk_bytes`` (default
    :data:`~.csv.chunks.CHUNK_BYTES`) in chunks of about that size, any other file whole.

    Each part reads independently (:func:`read_statement_part`), in any process that can
    open the path; the parts' rows in order are the file's rows.
    """
    from .csv.chunks import CHUNK_BYTES, plan_chunks

    options = options or ImportOptions()
    base = None if Path(path).is_absolute() else str(Path.cwd())
    if identify(path).name == "csv":
        chunks = plan_chunks(path, options, CHUNK_BYTES if chunk_bytes is None else chunk_bytes)
        if chunks is not None:
            return tuple(StatementPart(str(path), chunk, base) for chunk in chunks)
    return (StatementPart(str(path), None, base),)


def read_statement_part(part: StatementPart, options: ImportOptions | None = None) -> Statement:
    """One part's rows as a Statement (the whole file's Statement for a part without a chunk),
    labelled with the path as the user named it wherever the process opened it."""
    options = options or ImportOptions()
    where = part.opened_at()
    if part.chunk is None:
        statement = read_statement(where, options)
        return statement if where == part.path else _labelled(statement, part.path)
    from .csv.chunks import read_chunk

    statement = read_chunk(part.chunk, options, where)
    return _with_default_currency(statement, options.currency) if options.currency else statement


def _labelled(statement: Statement, path: str) -> Statement:
    """The statement as read from ``path`` (a file opened under another name)."""
    frame = statement.transactions.copy()
    frame["source_file"] = path
    frame["source_file"] = frame["source_file"].astype(statement.transactions["source_file"].dtype)
    skipped = tuple(replace(row, file=path) for row in statement.skipped)
    return replace(statement, path=path, transactions=frame, skipped=skipped)


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
