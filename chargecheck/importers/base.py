"""The importer protocol: one small class per statement format.

An importer answers two questions, like beangulp's: *is this file mine?* (``identify``, from
the first bytes, by content rather than extension) and *what does it hold?* (``extract``, a
:class:`~chargecheck.schema.Statement`: transactions plus skipped rows, every row accounted
for).  A file that cannot be read raises :class:`~chargecheck.errors.StatementError`; any other
exception escaping ``extract`` is a bug.  A new bank format is one new module registered in
:mod:`chargecheck.importers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..schema import Statement

__all__ = ["Importer", "ImportOptions", "Sample", "SAMPLE_BYTES"]

SAMPLE_BYTES = 65536


@dataclass(frozen=True)
class ImportOptions:
    """User overrides for files detection cannot decide (all optional; CLI flags map 1:1).

    ``date_col``/``amount_col``/``description_col`` name (or 0-based index) a CSV column;
    ``date_format`` is a strptime format; ``decimal`` is ``"."`` or ``","``; ``layout`` forces a
    saved CSV layout by name; ``encoding`` forces a text encoding; ``layouts_file`` is a user
    ``layouts.toml`` (e.g. ``rules/layouts.toml``); ``currency`` is the ISO code given to rows of
    statements that name no currency (a plain ``Date,Description,Amount`` export never does).
    """

    date_col: str | None = None
    amount_col: str | None = None
    description_col: str | None = None
    date_format: str | None = None
    decimal: str | None = None
    layout: str | None = None
    encoding: str | None = None
    layouts_file: Path | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Sample:
    """The first bytes of a file, for identification without reading it all."""

    path: Path
    head: bytes

    @property
    def text(self) -> str:
        """The head decoded leniently (for sniffing only; never for data)."""
        head = self.head
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return head.decode("utf-16", errors="replace")
        return head.decode("utf-8", errors="replace").lstrip("\ufeff")


@runtime_checkable
class Importer(Protocol):
    """A statement format: ``name`` (e.g. ``"ofx"``), ``identify`` and ``extract``."""

    name: str

    def identify(self, sample: Sample) -> bool:
        """True when the file's content looks like this format."""
        ...

    def extract(self, path: Path, options: ImportOptions) -> Statement:
        """Read the whole file into a Statement, or raise StatementError."""
        ...
