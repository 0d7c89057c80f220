"""CSV bank and card exports, without per-bank setup (one importer, its steps one module each).

Input: a CSV/TSV file and :class:`~chargecheck.importers.base.ImportOptions`.  Output: a
:class:`~chargecheck.schema.Statement`.  Steps: :mod:`.grid` (delimiter, header, records),
:mod:`.layouts` (saved bank layouts), :mod:`.columns` (column roles), :mod:`.cells` (values per
distinct cell), :mod:`.states` (row states and balance/turnover records), :mod:`.sign` (sign
convention), :mod:`.balances` (the file's own balances checked), :mod:`.rows` and :mod:`.skips`
(rows and skip reasons); :mod:`.importer` ties them together.

May import: :mod:`chargecheck.schema`, :mod:`chargecheck.errors`, the sibling importer helpers
(:mod:`..base`, :mod:`..textio`, :mod:`..values`, :mod:`..reconcile`).  Never match, flag, report or cli.
"""

from __future__ import annotations

from .importer import IMPORTER, CsvImporter, read_csv_text, read_text

__all__ = ["IMPORTER", "CsvImporter", "read_text", "read_csv_text"]
