"""What each part of a check does on an engine, and how the parts' results come together.

A part is one statement file of the scan (:func:`chargecheck.scan.plan_scan`), or the
statement read from standard input (read here once, carried in the part).  The flag stage
needs only some rows of the matcher's table, so a part comes back reduced, in two passes:

1. :func:`match_part`: import the part, match it, keep the statement's summary, the
   *candidate rows* (every row matched to a vendor with a recorded cancellation, with their
   positions), and when several files are checked the distinct (account, date, amount) keys
   of its rows (de-duplication of overlapping statements pairs only rows with equal keys).
2. :func:`second_part`, once the candidates of every part are known: import and match the
   part again and return, with their positions, the rows

   * whose overlap key another file also holds (the file-by-file de-duplication runs on them,
     :func:`chargecheck.dedupe.drop_overlaps_in`);
   * that no vendor matched, are money out and whose amount is one of ``amounts`` (the
     candidates' charge amounts and every cancellation's amount: a superset of the usual
     amounts the flag stage's new-series search looks at);
   * when some cancellation matched nothing, the first row of each cleaned descriptor (the
     closest descriptors are chosen among all of them).

   Rows whose key another file holds come back whole, so a row dropped as a duplicate is
   never the only one standing for a descriptor or a date.
3. :func:`earliest_part`, only when pass 2 found unmatched charges at the amounts: per cleaned
   descriptor among them (over all files), the earliest unmatched charge at any amount (the
   new-series search asks whether anything was charged under the descriptor before).

:func:`gather` puts the rows of every part back in file and row order, without the dropped
duplicates: the flag stage gives on this table what it gives on the whole one.  One file
on the local engine is read and matched once: its matched table is kept between the passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..dedupe import drop_overlaps_in, overlap_keys, rows_with_keys
from ..importers import ImportOptions
from ..match.matcher import Matcher
from ..model import DuplicateDrop
from ..scan import kept_outcome, read_job
from ..schema import TRANSACTION_COLUMNS, Statement, StatementSummary, empty_transactions
from .base import Engine

__all__ = ["Part", "MatchJob", "SecondJob", "PartResult", "SecondResult", "EarliestJob", "Gathered", "match_part",
           "second_part", "earliest_part", "gather"]


@dataclass(frozen=True, eq=False)
class Part:
    """One read job of the scan, ``(path, read as named)``; ``read`` is set for the one read
    from standard input (it cannot be read twice, nor on a worker): what :func:`read_job` gave."""

    job: tuple[Path, bool]
    read: object = None
    annotated: pd.DataFrame | None = None  # the matched table, kept between passes (local engine)


@dataclass(frozen=True)
class MatchJob:
    """What every part shares in the first pass (sent to each worker once)."""

    options: ImportOptions | None
    matcher: Matcher
    with_keys: bool
    keep_table: bool = False


@dataclass(frozen=True, eq=False)
class SecondJob:
    """What every part shares in the second pass: the keys two files share, the amounts
    (negative cents) whose unmatched charges the flag stage may need, and whether the first
    row of every descriptor is wanted."""

    options: ImportOptions | None
    matcher: Matcher
    shared_keys: np.ndarray
    amounts: np.ndarray
    descriptors: bool


@dataclass(frozen=True, eq=False)
class PartResult:
    """One part after the first pass: its outcome (a summary, or why it was passed over or
    its error), its candidate rows and their positions, and its overlap keys (or None)."""

    outcome: object
    candidates: pd.DataFrame
    positions: np.ndarray
    keys: np.ndarray | None
    table: pd.DataFrame | None = None  # the whole matched table, when the job keeps it


@dataclass(frozen=True, eq=False)
class SecondResult:
    """One part after the second pass: rows (matcher's columns) with their positions, and a
    mask over them of the rows whose overlap key another file holds."""

    rows: pd.DataFrame
    positions: np.ndarray
    overlapping: np.ndarray


@dataclass(frozen=True, eq=False)
class Gathered:
    """What the parts gave: the scan's outcomes (in job order), the reduced matcher's table
    (file and row order, duplicates dropped) and the duplicates dropped."""

    outcomes: tuple
    table: pd.DataFrame
    duplicates: tuple[DuplicateDrop, ...]


def _read(part: Part, options: ImportOptions | None):
    return part.read if part.read is not None else read_job(part.job, options)


def _annotated_again(part: Part, options: ImportOptions | None, matcher: Matcher) -> pd.DataFrame | None:
    """The part's matched table for a later pass: kept from the first, or read and matched
    again (None when the part gave no statement)."""
    if part.annotated is not None:
        return part.annotated
    outcome = _read(part, options)
    return _annotated(outcome, matcher) if isinstance(outcome, Statement) else None


def _annotated(statement: Statement, matcher: Matcher) -> pd.DataFrame:
    return matcher.annotate(statement.transactions[list(TRANSACTION_COLUMNS)].reset_index(drop=True))


def match_part(part: Part, job: MatchJob) -> PartResult:
    """First pass on one part: read it, match it, keep its summary, candidates and keys."""
    outcome = _read(part, job.options)
    if not isinstance(outcome, Statement):
        return PartResult(outcome, empty_transactions(), np.zeros(0, dtype=np.int64), None)
    annotated = _annotated(outcome, job.matcher)
    chosen = np.flatnonzero(annotated["match_vendor"].to_numpy(dtype=object, na_value="") != "")
    keys = overlap_keys(annotated) if job.with_keys else None
    return PartResult(outcome.summary(), annotated.iloc[chosen].reset_index(drop=True), chosen, keys,
                      annotated if job.keep_table else None)


def _earliest_per_descriptor(annotated: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """Among ``positions``, one row of the earliest date per cleaned descriptor."""
    if not len(positions):
        return positions
    frame = pd.DataFrame({"cleaned": annotated["cleaned"].to_numpy(dtype=object)[positions],
                          "date": annotated["date"].to_numpy()[positions], "pos": positions})
    first = frame.sort_values(["date", "pos"], kind="stable").drop_duplicates("cleaned")
    return np.sort(first["pos"].to_numpy(dtype=np.int64))


def _overlapping(annotated: pd.DataFrame, shared_keys: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(annotated), dtype=bool)
    mask[rows_with_keys(annotated, shared_keys)] = True
    return mask


def _unmatched_charges(annotated: pd.DataFrame) -> np.ndarray:
    unmatched = annotated["match_vendor"].to_numpy(dtype=object, na_value="") == ""
    return unmatched & (annotated["amount_cents"].to_numpy() < 0)


def _result(annotated: pd.DataFrame, wanted: np.ndarray, overlapping: np.ndarray) -> SecondResult:
    positions = np.flatnonzero(wanted)
    return SecondResult(annotated.iloc[positions].reset_index(drop=True), positions, overlapping[positions])


def second_part(part: Part, job: SecondJob) -> SecondResult | None:
    """Second pass on one part: its rows whose key another file holds, its unmatched charges
    at ``job.amounts`` and (when asked) the first row of each descriptor; None for a part that
    gave no statement."""
    annotated = _annotated_again(part, job.options, job.matcher)
    if annotated is None:
        return None
    overlapping = _overlapping(annotated, job.shared_keys)
    wanted = overlapping | (_unmatched_charges(annotated) & np.isin(annotated["amount_cents"].to_numpy(), job.amounts))
    if job.descriptors:
        plain = np.flatnonzero(~overlapping)
        firsts = pd.Series(annotated["cleaned"].to_numpy(dtype=object)[plain]).drop_duplicates().index
        wanted[plain[firsts.to_numpy()]] = True
    return _result(annotated, wanted, overlapping)


@dataclass(frozen=True, eq=False)
class EarliestJob:
    """The third pass: per cleaned descriptor of ``names``, the earliest unmatched charge."""

    options: ImportOptions | None
    matcher: Matcher
    shared_keys: np.ndarray
    names: tuple[str, ...]


def earliest_part(part: Part, job: EarliestJob) -> SecondResult:
    """Third pass on one part that gave a statement: per descriptor of ``job.names``, its
    earliest unmatched charge among the rows no other file shares a key with (those came whole)."""
    annotated = _annotated_again(part, job.options, job.matcher)
    overlapping = _overlapping(annotated, job.shared_keys)
    names = pd.Index(job.names)
    named = np.flatnonzero(_unmatched_charges(annotated) & ~overlapping
                           & (names.get_indexer(annotated["cleaned"].astype(object)) >= 0))
    wanted = np.zeros(len(annotated), dtype=bool)
    wanted[_earliest_per_descriptor(annotated, named)] = True
    return _result(annotated, wanted, overlapping)


def _ids(part: int, positions: np.ndarray) -> np.ndarray:
    """One id per row of a part: part index and position, ordered as the rows of the checked files."""
    return (np.int64(part) << np.int64(40)) | positions.astype(np.int64)


def _shared_keys(results: Sequence[PartResult]) -> np.ndarray:
    """The overlap keys held by two or more parts (each part is one file)."""
    keys = [r.keys for r in results if r.keys is not None and len(r.keys)]
    if len(keys) < 2:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(keys), return_counts=True)
    return values[counts > 1]


def _charge_amounts(results: Sequence[PartResult], cancellation_cents: Sequence[int]) -> np.ndarray:
    """The candidates' charge amounts and the cancellations' amounts, as negative cents."""
    cents = [r.candidates["amount_cents"].to_numpy(dtype=np.int64) for r in results if len(r.candidates)]
    every = np.concatenate(cents + [np.asarray(cancellation_cents, dtype=np.int64)])
    return np.unique(every[every < 0])


def gather(engine: Engine, parts: Sequence[Part], options: ImportOptions | None, matcher: Matcher,
           cancellation_cents: Sequence[int], closest_needed) -> Gathered:
    """Run both passes of the parts on ``engine`` and build the reduced table.

    ``cancellation_cents``: each cancellation's amount as negative cents; ``closest_needed``:
    called with the candidate table, says whether some cancellation matched nothing (then the
    first row of every descriptor is gathered too).  An error a part returned is raised here
    for a file read as named (in job order), as a scan here would.
    """
    # On the local engine every file's matched table is held between the passes (as a check held
    # all its rows before the engines), so the later passes use it instead of reading and matching
    # the files again; a Dask worker keeps nothing and reads its part again.
    keep = engine.name == "local"
    results = engine.run(match_part, list(parts), MatchJob(options, matcher, len(parts) > 1, keep_table=keep))
    if keep:
        parts = [replace(part, annotated=result.table) for part, result in zip(parts, results)]
    outcomes = tuple(kept_outcome(r.outcome, part.job) for r, part in zip(results, parts))
    read = [i for i, r in enumerate(results) if isinstance(r.outcome, StatementSummary)]
    candidates = _concat([results[i].candidates for i in read])
    amounts = _charge_amounts(results, cancellation_cents)
    shared = _shared_keys(results)
    # A row dropped as a duplicate may be a candidate whose twin matched nothing: with shared
    # keys the descriptors are gathered whatever the candidates say.
    descriptors = bool(len(shared)) or bool(closest_needed(candidates))
    second = engine.run(second_part, [parts[i] for i in read],
                        SecondJob(options, matcher, shared, amounts, descriptors)) if read else []

    # De-duplication on the rows whose key another file holds, file by file.
    frames = [s.rows.loc[s.overlapping] for s in second]
    masks, duplicates = drop_overlaps_in(frames, [results[i].outcome.format for i in read])
    dropped = np.concatenate([_ids(i, s.positions[s.overlapping][~mask]) for i, s, mask in zip(read, second, masks)]
                             + [np.zeros(0, dtype=np.int64)])

    # The unmatched charges at the amounts: their descriptors' earliest charge, at any amount.
    at_amounts = [s.rows.loc[_unmatched_charges(s.rows) & np.isin(s.rows["amount_cents"].to_numpy(), amounts)]
                  for s in second]
    names = tuple(sorted({str(name) for frame in at_amounts for name in frame["cleaned"].tolist()}))
    third = engine.run(earliest_part, [parts[i] for i in read],
                       EarliestJob(options, matcher, shared, names)) if names else []

    pieces, ids = [], []
    for n, i in enumerate(read):
        pieces += [results[i].candidates, second[n].rows]
        ids += [_ids(i, results[i].positions), _ids(i, second[n].positions)]
        if third:
            pieces.append(third[n].rows)
            ids.append(_ids(i, third[n].positions))
    every = np.concatenate(ids + [np.zeros(0, dtype=np.int64)])
    unique_ids, first = np.unique(every, return_index=True)  # sorted: file and row order, each row once
    rows = _concat(pieces)
    rows = rows.iloc[first[~np.isin(unique_ids, dropped)]].reset_index(drop=True)
    return Gathered(outcomes, rows, tuple(duplicates))


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames' rows in order, one index 0..n-1 (an empty frame keeps its columns)."""
    chosen = [f for f in frames if len(f)] or list(frames[:1])
    if not chosen:
        return empty_transactions()
    return chosen[0].reset_index(drop=True) if len(chosen) == 1 else pd.concat(chosen, ignore_index=True)
