"""Matching the distinct descriptors of a large statement quickly (``Matcher.annotate``'s engine).

Input: a :class:`~chargecheck.match.Matcher` and the distinct raw descriptors of a table.
Output: per descriptor, in input order, the ``(cleaned text, match, near miss)`` that
``Matcher._lookup`` gives for it; the result is the same as matching each value on its own.

Why it is fast: a million card rows hold ~150,000 distinct raw texts, but most differ only in
the wrapper's authorization date and card reference (``strip_row_noise``) or a SEPA end-to-end
id (``Segmenter.reduce``).  Those are removed first — the expensive reference-field cut only on
texts that can hold a reference label — and the remaining texts (~55,000) are cleaned and
matched once each.  With many of them and more than one CPU, the second half is matched in a
forked child process while the parent matches the first; results are joined in input order,
so the output does not depend on the split (every cache of the matcher is a pure function of
its key, so a cold cache in either process changes only the time taken).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .model import VendorMatch
from .normalize import clean_steps, strip_row_noise

if TYPE_CHECKING:
    from .match import Matcher

__all__ = ["distinct_results", "PARALLEL_MIN"]

Result = tuple[str, VendorMatch | None, tuple[VendorMatch, ...]]

# Below this many distinct descriptors, starting a process costs more than it saves.
PARALLEL_MIN = 30_000
# The forked child reads its work from here (inherited memory), so nothing large is pickled to it.
_JOB: tuple["Matcher", list[str]] | None = None


def _factorize(values: list[str]) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes, list(uniques)


def _match_chunk(matcher: "Matcher", values: list[str]) -> list[Result]:
    """Clean and match ``values`` (already stripped and reduced) one by one, warming the index once."""
    cleans = [clean_steps(value) for value in values]
    matcher.index.warm([c.text for c in cleans])
    return [matcher._lookup(value, clean) for value, clean in zip(values, cleans)]


def _child(bounds: tuple[int, int]) -> list[Result]:
    matcher, values = _JOB
    return _serial(matcher, values[bounds[0]: bounds[1]])


def _workers() -> int:
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return 1  # no fork (Windows, macOS default is kept) or already a pool worker
    if threading.active_count() > 1:
        return 1  # forking a threaded program can leave a lock held forever in the child
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _serial(matcher: "Matcher", values: list[str]) -> list[Result]:
    """Strip, de-duplicate, reduce, de-duplicate again, then clean and match each remaining text once."""
    stripped_codes, stripped = _factorize([strip_row_noise(v) for v in values])
    segmenter = matcher._segmenter
    reduced_codes, inner = _factorize([segmenter.reduce(v) if segmenter.may_reduce(v) else v for v in stripped])
    results = _match_chunk(matcher, inner)
    return [results[code] for code in reduced_codes[stripped_codes]]


def distinct_results(matcher: "Matcher", values: list[str], workers: int | None = None,
                     parallel_min: int | None = None) -> list[Result]:
    """``(cleaned, match, near miss)`` for each of ``values`` (distinct raw descriptors), in order.

    ``workers``: processes to use (default: the CPUs available, 1 where ``fork`` is not);
    ``parallel_min``: fewer values than this (default :data:`PARALLEL_MIN`) are matched in this
    process alone.  With two processes each takes half of ``values``; a text that only strips to
    the same as one in the other half is matched in both (a few percent more work, but the
    stripping is split too).
    """
    workers = _workers() if workers is None else workers
    parallel_min = PARALLEL_MIN if parallel_min is None else parallel_min
    if workers < 2 or len(values) < max(parallel_min, 2):
        return _serial(matcher, values)
    global _JOB
    # The parent takes a little more: the child pays for copying the shared pages it touches.
    middle = len(values) * 29 // 50
    _JOB = (matcher, values)
    # Objects that exist at the fork go out of the collector's sight: a collection in either
    # process would otherwise write to every page of the shared heap and copy it.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            second = pool.apply_async(_child, ((middle, len(values)),))
            first = _serial(matcher, values[:middle])
            return first + second.get()
    finally:
        _JOB = None
        gc.unfreeze()
