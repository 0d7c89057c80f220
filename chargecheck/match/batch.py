"""Matching the descriptors of a large statement quickly (``Matcher.annotate``'s engine).

Input: a :class:`~chargecheck.match.matcher.Matcher` and the raw descriptor of every row.
Output: per row a code, and per code the ``(cleaned text, match, near miss)`` that
``Matcher._lookup`` gives; the result is the same as matching each value on its own.

Why it is fast: a million card rows hold ~150,000 distinct raw texts, but most differ only in
the wrapper's authorization date and card reference or an order reference after a star
(``strip_row_noise``) or a SEPA end-to-end id (``Segmenter.reduce``).  Those are removed
first — the expensive reference-field cut only on texts that can hold a reference label —
and the remaining texts (~10,000) are cleaned and matched once each.  With many rows and more
than one CPU, a forked child process takes the second part of the rows while the parent takes
the first; each returns its rows' codes and the results of its own remaining texts, joined in
row order, so the output does not depend on the split (every cache of the matcher is a pure
function of its key, so a cold cache in either process changes only the time taken).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .decision import Decision
from .normalize import basic_text, clean_steps, strip_row_noise

if TYPE_CHECKING:
    from .matcher import Matcher

__all__ = ["row_results", "PARALLEL_MIN"]

Result = tuple[str, Decision | None, tuple[Decision, ...]]

# Below this many rows, starting a process costs more than it saves.
PARALLEL_MIN = 200_000
# The forked child reads its work from here (inherited memory), so nothing large is pickled to it.
_JOB: tuple["Matcher", np.ndarray] | None = None


def _factorize(values) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes, list(uniques)


def _match_chunk(matcher: "Matcher", values: list[str]) -> list[Result]:
    """Match ``values`` (already stripped and reduced): a vectorised prefilter over the alias
    words first decides the texts no vendor can match (most of a statement), which are neither
    cleaned nor parsed (their ``cleaned`` is the upper-cased text); the rest are cleaned and
    matched one by one, the index warmed once."""
    basics = [basic_text(value) for value in values]
    maybe = matcher.index.prefilter(basics)
    cleans = {int(i): clean_steps(values[i]) for i in np.flatnonzero(maybe)}
    matcher.index.warm([c.text for c in cleans.values()])
    return [matcher._lookup(value, cleans[i]) if maybe[i] else (basics[i], None, ())
            for i, value in enumerate(values)]


def _child(bounds: tuple[int, int]) -> tuple[np.ndarray, list[Result]]:
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


@contextmanager
def _collector_paused():
    """No cyclic garbage collection meanwhile: matching allocates many small objects and makes
    no cycles, and the collections they trigger cost ~12% of its time (measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _serial(matcher: "Matcher", values: np.ndarray) -> tuple[np.ndarray, list[Result]]:
    """De-duplicate, strip, de-duplicate, reduce, de-duplicate again, then clean and match each
    remaining text once; per row the index of its text's result."""
    with _collector_paused():
        return _serial_steps(matcher, values)


def _serial_steps(matcher: "Matcher", values: np.ndarray) -> tuple[np.ndarray, list[Result]]:
    raw_codes, raw = _factorize(values)
    if len(raw_codes) and raw_codes.min() < 0:  # missing descriptions (no text at all) read as ""
        raw_codes = np.where(raw_codes < 0, len(raw), raw_codes)
        raw.append("")
    stripped_codes, stripped = _factorize([strip_row_noise(v) for v in raw])
    segmenter = matcher._segmenter
    reduced_codes, inner = _factorize([segmenter.reduce(v) if segmenter.may_reduce(v) else v for v in stripped])
    codes = reduced_codes[stripped_codes][raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.intp)
    return codes, _match_chunk(matcher, inner)


def row_results(matcher: "Matcher", values: np.ndarray, workers: int | None = None,
                parallel_min: int | None = None) -> tuple[np.ndarray, list[Result]]:
    """``(codes, results)``: for each of ``values`` (raw descriptors, one per row, ``str``;
    a missing value reads as "") the index of its ``(cleaned, match, near miss)`` in ``results``.

    ``workers``: processes to use (default: the CPUs available, 1 where ``fork`` is not);
    ``parallel_min``: fewer rows than this (default :data:`PARALLEL_MIN`) are matched in this
    process alone.  With two processes each takes part of the rows; a text in both parts is
    matched in both (a little more work, but the de-duplication and stripping are split too).
    """
    workers = _workers() if workers is None else workers
    parallel_min = PARALLEL_MIN if parallel_min is None else parallel_min
    if workers < 2 or len(values) < max(parallel_min, 2):
        return _serial(matcher, values)
    global _JOB
    # The parent takes a little more: the child pays for copying the shared pages it touches.
    middle = len(values) * 26 // 50
    _JOB = (matcher, values)
    # Objects that exist at the fork go out of the collector's sight: a collection in either
    # process would otherwise write to every page of the shared heap and copy it.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            second = pool.apply_async(_child, ((middle, len(values)),))
            first_codes, first = _serial(matcher, values[:middle])
            second_codes, second_results = second.get()
            return np.concatenate([first_codes, second_codes + len(first)]), first + second_results
    finally:
        _JOB = None
        gc.unfreeze()
