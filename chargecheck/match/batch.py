"""Matching the descriptors of a large statement quickly (``Matcher.annotate``'s engine).

Input: a :class:`~chargecheck.match.matcher.Matcher` and the raw descriptor of every row.
Output: per row a code, and per code the ``(cleaned text, match, near miss)`` that
``Matcher._lookup`` gives; the result is the same as matching each value on its own.

Why it is fast: a million card rows hold ~150,000 distinct raw texts, but most differ only in
the wrapper's authorization date and card reference or an order reference after a star
(``strip_row_noise``) or a SEPA end-to-end id (``Segmenter.reduce``).  Those are removed
first — the expensive reference-field cut only on texts that can hold a reference label —
and the remaining texts (~10,000) are cleaned and matched once each, in this process.
Parallelism, where it pays, belongs to an engine over whole partitions (:mod:`chargecheck.engine`),
never to the matcher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import VendorMatch
from .normalize import clean_steps, strip_row_noise

if TYPE_CHECKING:
    from .matcher import Matcher

__all__ = ["row_results"]

Result = tuple[str, VendorMatch | None, tuple[VendorMatch, ...]]


def _factorize(values) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes, list(uniques)


def _match_chunk(matcher: "Matcher", values: list[str]) -> list[Result]:
    """Clean and match ``values`` (already stripped and reduced) one by one, warming the index once."""
    cleans = [clean_steps(value) for value in values]
    matcher.index.warm([c.text for c in cleans])
    return [matcher._lookup(value, clean) for value, clean in zip(values, cleans)]


def row_results(matcher: "Matcher", values: np.ndarray) -> tuple[np.ndarray, list[Result]]:
    """``(codes, results)``: for each of ``values`` (raw descriptors, one per row, ``str``;
    a missing value reads as "") the index of its ``(cleaned, match, near miss)`` in ``results``.

    De-duplicate, strip, de-duplicate, reduce, de-duplicate again, then clean and match each
    remaining text once.
    """
    raw_codes, raw = _factorize(values)
    if len(raw_codes) and raw_codes.min() < 0:  # missing descriptions (no text at all) read as ""
        raw_codes = np.where(raw_codes < 0, len(raw), raw_codes)
        raw.append("")
    stripped_codes, stripped = _factorize([strip_row_noise(v) for v in raw])
    segmenter = matcher._segmenter
    reduced_codes, inner = _factorize([segmenter.reduce(v) if segmenter.may_reduce(v) else v for v in stripped])
    codes = reduced_codes[stripped_codes][raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.intp)
    return codes, _match_chunk(matcher, inner)
