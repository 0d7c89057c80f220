"""OFX / QFX statements (1.x SGML and 2.x XML, bank and card, several accounts per file).

Input: an OFX file.  Output: a :class:`~chargecheck.schema.Statement`.  Steps: :mod:`.text`
(decode, sanitize, dates to the day printed), :mod:`.extract` (statements, blocks and values with
their lines), :mod:`.importer` (the importer object).

May import: :mod:`chargecheck.schema`, :mod:`chargecheck.errors`, :mod:`..base`, :mod:`..textio`.
Never match, flag, report or cli.
"""

from __future__ import annotations

from .importer import IMPORTER, OfxImporter, describe, read_ofx

__all__ = ["IMPORTER", "OfxImporter", "read_ofx", "describe"]
