"""What each part of a check does on an engine, and how the parts' results come together.

Per part (:func:`match_part`): import it, match its rows against the one matcher, and keep
only what the later stages need, so a worker returns kilobytes for a million rows:

* the statement's summary (rows read, transactions, skipped rows, notes);
* the *candidate rows*: every row matched to a vendor with a recorded cancellation
  (its charges and its credits), with the matcher's columns and the row's position;
* when more than one file is checked, the distinct (account, date, amount) keys of all its
  rows: de-duplication of overlapping statements can only pair rows with equal keys.

De-duplication stays exact: keys that two files share are sent back to the engine, and only
the parts holding such a key read themselves again (:func:`overlap_part`), returning those
rows in full.  The pipeline then runs the usual file-by-file rules on them
(:func:`chargecheck.dedupe.drop_overlaps_in`) and removes the dropped rows from the
candidates.  Statements that share no (account, date, amount) are read once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..dedupe import overlap_keys, rows_with_keys
from ..importers import ImportOptions, StatementPart, plan_statement_parts, read_statement_part
from ..match.matcher import Matcher
from ..schema import TRANSACTION_COLUMNS, StatementSummary, empty_transactions
from .base import Engine

__all__ = ["FileRows", "Gathered", "MatchJob", "OverlapJob", "PartResult", "concat_rows", "gather", "match_part",
           "overlap_part", "plan_parts"]


@dataclass(frozen=True)
class MatchJob:
    """What every part shares (sent to each worker once): options, matcher, whether keys are needed."""

    options: ImportOptions
    matcher: Matcher
    with_keys: bool


@dataclass(frozen=True, eq=False)
class PartResult:
    """One part, reduced: its summary, its candidate rows (annotated) and their positions in
    the part, and its distinct overlap keys (None for a one-file check)."""

    summary: StatementSummary
    candidates: pd.DataFrame
    positions: np.ndarray
    keys: np.ndarray | None


@dataclass(frozen=True)
class OverlapJob:
    """The second read: options and the keys two or more files share."""

    options: ImportOptions
    keys: np.ndarray


@dataclass(frozen=True, eq=False)
class FileRows:
    """One file's rows as gathered: candidates (annotated, file order) with their (part,
    position) ids, and the rows that may overlap another file with theirs."""

    summary: StatementSummary
    candidates: pd.DataFrame
    candidate_ids: np.ndarray  # per row: part index << 40 | position in the part
    overlaps: pd.DataFrame
    overlap_ids: np.ndarray

    def candidates_kept(self, keep: np.ndarray) -> pd.DataFrame:
        """The candidates without the overlap rows ``keep`` (a mask over :attr:`overlaps`) drops."""
        dropped = self.overlap_ids[~keep]
        if not len(dropped):
            return self.candidates
        return self.candidates.loc[~np.isin(self.candidate_ids, dropped)].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Gathered:
    """Every file's rows as the pipeline de-duplicates and flags them."""

    files: tuple[FileRows, ...]


def plan_parts(files: Sequence[Path], options: ImportOptions, chunk_bytes: int | None = None,
               progress: Callable[[Path], None] | None = None) -> list[StatementPart]:
    """Every file's parts, in file order (a large CSV in chunks); ``progress`` per file."""
    parts: list[StatementPart] = []
    for path in files:
        if progress is not None:
            progress(path)
        parts.extend(plan_statement_parts(path, options, chunk_bytes))
    return parts


def match_part(part: StatementPart, job: MatchJob) -> PartResult:
    """Import one part, match it, keep the candidate rows (and the overlap keys)."""
    statement = read_statement_part(part, job.options)
    annotated = job.matcher.annotate(statement.transactions)
    chosen = np.flatnonzero(annotated["match_vendor"].to_numpy(dtype=object) != "")
    keys = overlap_keys(statement.transactions) if job.with_keys else None
    return PartResult(statement.summary(), annotated.iloc[chosen].reset_index(drop=True), chosen, keys)


def overlap_part(part: StatementPart, job: OverlapJob) -> tuple[pd.DataFrame, np.ndarray]:
    """Import one part again and return its rows whose overlap key is shared, with positions."""
    table = read_statement_part(part, job.options).transactions
    chosen = rows_with_keys(table, job.keys)
    return table.iloc[chosen][list(TRANSACTION_COLUMNS)].reset_index(drop=True), chosen


def _shared_keys(files: list[list[int]], results: list[PartResult]) -> np.ndarray:
    """The keys held by two or more files."""
    per_file = [np.unique(np.concatenate([results[i].keys for i in parts])) for parts in files]
    if len(per_file) < 2:
        return np.zeros(0, dtype=np.uint64)
    every = np.concatenate(per_file)
    values, counts = np.unique(every, return_counts=True)
    return values[counts > 1]


def _ids(part: int, positions: np.ndarray) -> np.ndarray:
    return (np.int64(part) << 40) | positions.astype(np.int64)


def gather(engine: Engine, parts: Sequence[StatementPart], options: ImportOptions, matcher: Matcher) -> Gathered:
    """Run the parts on ``engine`` and bring their reduced rows together, file by file."""
    by_file: dict[str, list[int]] = {}
    for index, part in enumerate(parts):
        by_file.setdefault(part.path, []).append(index)
    files = list(by_file.values())
    results = engine.run(match_part, parts, MatchJob(options, matcher, with_keys=len(files) > 1))
    overlaps: dict[int, tuple[pd.DataFrame, np.ndarray]] = {}
    if len(files) > 1:
        shared = _shared_keys(files, results)
        wanted = [i for i, r in enumerate(results) if len(shared) and np.isin(r.keys, shared).any()]
        if wanted:
            found = engine.run(overlap_part, [parts[i] for i in wanted], OverlapJob(options, shared))
            overlaps = dict(zip(wanted, found))
    gathered = []
    for indexes in files:
        mine = [results[i] for i in indexes]
        extra = [(i, overlaps[i]) for i in indexes if i in overlaps]
        gathered.append(FileRows(
            summary=StatementSummary.merged([r.summary for r in mine]),
            candidates=concat_rows([r.candidates for r in mine]),
            candidate_ids=np.concatenate([_ids(i, results[i].positions) for i in indexes]),
            overlaps=concat_rows([frame for _, (frame, _) in extra]),
            overlap_ids=np.concatenate([_ids(i, pos) for i, (_, pos) in extra]) if extra else _ids(0, np.zeros(0)),
        ))
    return Gathered(tuple(gathered))


def concat_rows(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames' rows in order, one index 0..n-1 (an empty frame keeps its columns)."""
    chosen = [f for f in frames if len(f)] or list(frames[:1])
    if not chosen:
        return empty_transactions()
    return chosen[0].reset_index(drop=True) if len(chosen) == 1 else pd.concat(chosen, ignore_index=True)
