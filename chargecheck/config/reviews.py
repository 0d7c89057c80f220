"""Review decisions that persist: ``rules/reviews.toml`` records what the user decided per flag.

Input: ``[[review]]`` records keyed by a flag's stable id (see :mod:`chargecheck.flag`)::

    [[review]]
    flag_id = "c6021f50e4"
    decision = "disputed"          # disputed | refunded | expected | ignore
    note = "chargeback filed by phone"
    decided_on = 2026-04-10

Output: ``dict[flag_id, Review]`` (:func:`load_reviews`), flags carrying their decision
(:func:`apply_reviews`), and :class:`~chargecheck.model.StaleReview` for decisions whose flag
no longer appears — reported, never silently dropped.  When one id is reviewed twice in the
files, the later record wins (file order, then line order).

:func:`record_review` writes atomically and keeps the file's other bytes as they were: a new
decision is appended; a second decision for the same id replaces that id's block in place
(comment lines inside the old block are kept just above the new one).

Ids must be given in full (10 hex digits, case-insensitive): ``chargecheck review`` does not
read statements, so a prefix could not be checked against the current flags, and a prefix that
is unique today may silently pick another flag after the next import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator

from ..errors import RulesError, UsageError
from ..model import ID_LENGTH, Flag, FlagResult, StaleReview
from .rules import (
    check_top_level,
    parse_date,
    parse_text,
    rules_files,
    table_records,
    toml_block,
    validate_records,
)
from ..tomlfile import (
    Problem,
    TomlLocator,
    atomic_write,
    describe_value,
    did_you_mean,
    parse_toml,
    raise_problems,
    read_records,
)

__all__ = ["DECISIONS", "Review", "load_reviews", "record_review", "apply_reviews", "apply_reviews_to_result",
           "normalize_flag_id"]

DECISIONS: tuple[str, ...] = ("disputed", "refunded", "expected", "ignore")
_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")


@dataclass(frozen=True)
class Review:
    """One recorded decision about a flag, and where it is written."""

    flag_id: str
    decision: str
    note: str | None = None
    decided_on: date | None = None
    source_file: str = ""
    source_line: int | None = None


def normalize_flag_id(flag_id: str) -> str:
    """The id in canonical form (lower case); ValueError unless it is a full flag id."""
    text = str(flag_id).strip().lower()
    if not _ID.match(text):
        raise ValueError(f"expected a flag id of {ID_LENGTH} hex digits as shown in the report's id column, "
                         f"found {describe_value(flag_id)}")
    return text


def _decision(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in DECISIONS:
        return value.strip().lower()
    hint = did_you_mean(value, DECISIONS) if isinstance(value, str) else None
    text = f"expected one of {', '.join(DECISIONS)}, found {describe_value(value)}"
    raise ValueError(text + (f" ({hint})" if hint else ""))


class _ReviewRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flag_id: Annotated[str, PlainValidator(normalize_flag_id)]
    decision: Annotated[str, PlainValidator(_decision)]
    note: Annotated[str | None, PlainValidator(parse_text)] = None
    decided_on: Annotated[date | None, PlainValidator(parse_date)] = None


def _reviews_in(data: dict, locator: TomlLocator, path: str) -> tuple[list[Review], list[Problem]]:
    valid, problems = validate_records(data, "review", _ReviewRecord, "flag_id", locator, path)
    found = [Review(**record.model_dump(), source_file=path, source_line=locator.line_of("review", index))
             for index, _, record in valid]
    problems = check_top_level(data, locator, path, "review") + problems
    return found, sorted(problems, key=lambda p: p.line if p.line is not None else 0)


def load_reviews(paths: Path | str | Sequence[Path | str]) -> dict[str, Review]:
    """Every ``[[review]]`` in the given files/folders, by flag id (later records win).

    A reviews file that does not exist yet simply holds no decisions; invalid records raise
    one RulesError listing every problem.
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files, problems = rules_files([p for p in map(Path, items) if p.exists()])
    found = read_records(files, problems, _reviews_in)
    raise_problems(problems)
    return {review.flag_id: review for review in found}


def _review_block(review: Review) -> str:
    record: dict[str, Any] = {"flag_id": review.flag_id, "decision": review.decision}
    if review.note:
        record["note"] = review.note
    if review.decided_on is not None:
        record["decided_on"] = review.decided_on
    return toml_block("review", record)


def _block_span(lines: list[str], start: int, headers: list[int]) -> tuple[int, int]:
    """0-based [start, end) of the record whose header is on 1-based line ``start``.

    It ends before the next header, minus the blank and comment lines just above that header
    (they introduce the next record, so they stay).
    """
    following = [h for h in headers if h > start]
    end = (following[0] - 1) if following else len(lines)
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start - 1, end


def _replace_blocks(text: str, spans: list[tuple[int, int]], block: str) -> str:
    """Put ``block`` where the first span was (its comment lines kept above it); drop the others."""
    lines = text.splitlines(keepends=True)
    out, position = [], 0
    for number, (begin, end) in enumerate(spans):
        out += lines[position:begin]
        comments = [line for line in lines[begin:end] if line.lstrip().startswith("#")]
        if number > 0 and not comments:
            while out and not out[-1].strip():  # a dropped record takes its separating blank lines along
                out.pop()
        out += comments
        if number == 0:
            out.append(block)
        position = end
    out += lines[position:]
    return "".join(out)


def record_review(
    path: Path | str, flag_id: str, decision: str, note: str | None = None, on: date | None = None
) -> Review:
    """Record (or replace) the decision for ``flag_id`` in ``path``, atomically; returns it as stored.

    ``decision`` is one of :data:`DECISIONS`; ``on`` defaults to today.  Other records and
    comments are kept byte for byte; the result is re-validated before it replaces the file.
    """
    path = Path(path)
    try:
        review = Review(normalize_flag_id(flag_id), _decision(decision), note or None, on or date.today())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    raw = path.read_bytes() if path.exists() else b""
    newline = "\r\n" if b"\r\n" in raw else "\n"
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError("expected UTF-8 text; not changed", path=path, hint="save the file as UTF-8") from None
    data, locator = parse_toml(text, path) if raw else ({}, TomlLocator())
    block = _review_block(review).replace("\n", newline)
    records, _ = table_records(data, "review", locator, str(path))
    starts = [locator.line_of("review", i) for i, rec in enumerate(records)
              if str(rec.get("flag_id", "")).strip().lower() == review.flag_id]
    if starts and None not in starts:
        lines = text.splitlines(keepends=True)
        new_text = _replace_blocks(text, [_block_span(lines, s, locator.headers) for s in starts], block)
    else:
        separator = ("" if text.endswith("\n") else newline) + newline if text.strip() else ""
        new_text = text + separator + block
    data, locator = parse_toml(new_text, path)
    found, problems = _reviews_in(data, locator, str(path))
    raise_problems(problems)
    stored = [r for r in found if r.flag_id == review.flag_id]
    if len(stored) != 1:  # the block edit went wrong: refuse rather than write a confusing file
        raise RulesError(f"could not update the review of {review.flag_id}; file left unchanged", path=path)
    atomic_write(path, bom + new_text.encode("utf-8"))
    return stored[0]


def apply_reviews(flags: Sequence[Flag], reviews: Mapping[str, Review]) -> tuple[tuple[Flag, ...], tuple[StaleReview, ...]]:
    """Attach each decision to its flag; decisions whose flag id is absent come back as stale.

    Pass every flag a review may name (flags and refundable charges, see
    :func:`apply_reviews_to_result`), or decisions about the others are reported stale.
    """
    seen = {flag.id for flag in flags}
    reviewed = tuple(
        replace(flag, review=reviews[flag.id].decision, review_note=reviews[flag.id].note)
        if flag.id in reviews else flag
        for flag in flags
    )
    stale = tuple(
        StaleReview(r.flag_id, r.decision, r.note, r.source_file, r.source_line)
        for r in sorted(reviews.values(), key=lambda r: (r.source_file, r.source_line or 0, r.flag_id))
        if r.flag_id not in seen
    )
    return reviewed, stale


def apply_reviews_to_result(result: FlagResult, reviews: Mapping[str, Review]) -> tuple[FlagResult, tuple[StaleReview, ...]]:
    """:func:`apply_reviews` over both the flags and the refundable charges of a FlagResult."""
    everything, stale = apply_reviews(result.flags + result.refundable, reviews)
    count = len(result.flags)
    return FlagResult(flags=everything[:count], refundable=everything[count:]), stale
