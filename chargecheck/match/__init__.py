"""Stage ``match``: which recorded cancellation (if any) each transaction's descriptor belongs to.

Input: the transaction table (:mod:`chargecheck.schema`), the recorded cancellations
(:class:`~chargecheck.model.Cancellation`) and the vendor knowledge base (:mod:`.knowledge`).
Output: per distinct descriptor a :class:`~chargecheck.model.VendorMatch` or nothing, joined back
to the table by :meth:`Matcher.annotate` (columns ``cleaned``, ``match_*``).  A match's ``tier``
is ``flagged`` (confident: counted) or ``to_check`` (possible, ``doubt`` says why: listed, never
totalled); look-alikes get neither.

Modules: :mod:`.decision` (match methods, refusals and decisions as types), :mod:`.normalize`
(descriptor cleaning), :mod:`.knowledge` (vendor knowledge files),
:mod:`.text` (tokens and parsed descriptors), :mod:`.index` (alias vocabulary), :mod:`.score`
(rules of evidence), :mod:`.segments` (parent-biller segments), :mod:`.explain` (``explain``'s
account of a decision), :mod:`.batch` (distinct descriptors and row codes), :mod:`.matcher`.

May import: :mod:`chargecheck.model`, :mod:`chargecheck.schema`, :mod:`chargecheck.errors`,
:mod:`chargecheck.tomlfile`.  Never importers, flag, report, discover or cli.
"""

from __future__ import annotations

from .matcher import Explanation, Matcher

__all__ = ["Matcher", "Explanation"]
