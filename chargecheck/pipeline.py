"""The whole check, as one function that reads like the pipeline diagram.

    statements ──import──▶ Statement per file ──dedupe──▶ one transaction table
    rules/*.toml ──load──▶ Cancellations (+ vendor knowledge, layouts, reviews)
    table ──match (per unique descriptor)──▶ annotated table ──flag──▶ flags, refundable
    flags ──reviews──▶ CheckResult  (every report renders from it alone)

Use it from a notebook exactly as the CLI does::

    from chargecheck import check
    result = check(["statements/"], rules="rules/")
    result.flags
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .errors import ChargecheckError, StatementError, UsageError
from .importers import ImportOptions, read_statement
from .model import CheckResult
from .schema import Statement

__all__ = ["check", "expand_statement_paths", "read_statements", "rules_directory"]

# In a folder of statements, these are notes, rules or reports sitting beside them, not statements.
_NOT_STATEMENTS = {".md", ".toml", ".json", ".html", ".htm", ".pdf", ".png", ".jpg", ".py", ".zip"}


def expand_statement_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files to read: named files as given, folders expanded to their statement files (sorted).

    A file named explicitly is always read (and errors if it is no statement); inside a folder,
    hidden files and obvious non-statements (README.md, rules, reports) are passed over.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                # Hidden files, and the lock files Office leaves beside an open workbook (~$x.xlsx).
                if any(part.startswith((".", "~$")) for part in relative.parts):
                    continue
                if child.is_file() and child.suffix.lower() not in _NOT_STATEMENTS:
                    files.append(child)
        elif path.exists():
            files.append(path)
        else:
            raise StatementError(path, None, "an existing statement file or folder", "nothing at that path")
    if not files:
        raise UsageError("no statement files found in " + ", ".join(str(p) for p in paths))
    return files


def rules_directory(rules: Path | Sequence[Path] | None) -> Path | None:
    """The folder holding the user's rules (and vendors.toml, layouts.toml, reviews.toml), if any."""
    if rules is None:
        return None
    first = Path(rules) if isinstance(rules, (str, Path)) else (Path(rules[0]) if rules else None)
    if first is None:
        return None
    return first if first.is_dir() else first.parent


# Many files and this many bytes in all: two processes read them (each file is independent).
PARALLEL_FILES, PARALLEL_BYTES = 4, 2_000_000


def read_statements(
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Callable[[Path], None] | None = None,
) -> tuple[Statement, ...]:
    """Read every statement (folders expanded), in order; ``progress`` is called for each file.

    A folder of many statements (a bookkeeper's clients) is read by two processes where the
    machine has the CPUs; the statements, their order and any error are the same as read
    one by one (the first failing file's error is raised).
    """
    files = expand_statement_paths(paths)
    if _parallel(files):
        return _read_in_parallel(files, options, progress)
    statements = []
    for path in files:
        if progress is not None:
            progress(path)
        statements.append(read_statement(path, options))
    return tuple(statements)


def _parallel(files: list[Path]) -> bool:
    from .match.batch import _workers

    return (len(files) >= PARALLEL_FILES and sum(f.stat().st_size for f in files) >= PARALLEL_BYTES
            and _workers() >= 2)


def _read_one(job: tuple[Path, ImportOptions | None]) -> Statement:
    return read_statement(*job)


def _read_in_parallel(files: list[Path], options, progress) -> tuple[Statement, ...]:
    import multiprocessing

    statements = []
    with multiprocessing.get_context("fork").Pool(2) as pool:
        # In order; the parent only collects.  The pool's threads end with the block, so the
        # matcher may fork its own helper afterwards.
        for path, statement in zip(files, pool.imap(_read_one, [(f, options) for f in files])):
            if progress is not None:
                progress(path)
            statements.append(statement)
    return tuple(statements)


def _rules_files(rules: Path | Sequence[Path] | None) -> list[Path]:
    if rules is None:
        return []
    items = [rules] if isinstance(rules, (str, Path)) else list(rules)
    return [Path(item) for item in items]


def check(
    statements: Sequence[str | Path],
    rules: Path | Sequence[Path] | None,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[Path], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_bytes: int | None = None,
) -> CheckResult:
    """Read statements, match vendors against recorded cancellations, and flag later charges.

    ``rules`` is a rules folder (every ``*.toml`` in it) or rules files.  Returns everything a
    report needs: flags, refundable charges, what was read and skipped, duplicates dropped.

    ``engine`` says where "read and match" runs, part by part (files, and chunks of large CSV
    files): ``"local"`` in this process, ``"dask"`` on a Dask cluster at ``scheduler``
    (``tcp://host:8786``) or on a local one of two worker processes (see
    :mod:`chargecheck.engine`).  Each part comes back reduced to the rows of vendors with a
    cancellation; de-duplication, flags and reviews run here on those.  The result is the
    same whichever engine ran it.  A CSV file larger than ``chunk_bytes`` (default 8 MiB) is
    read in chunks of about that size.  Running out of memory is a :class:`ChargecheckError`.
    """
    try:
        return _check(statements, rules, options, progress=progress, engine=engine, scheduler=scheduler,
                      chunk_bytes=chunk_bytes)
    except MemoryError:
        raise ChargecheckError("out of memory while checking the statements",
                               hint="check fewer files at once, or use --engine dask with more workers") from None


def _check(statements, rules, options, *, progress, engine, scheduler, chunk_bytes) -> CheckResult:
    from .dedupe import drop_overlaps_in
    from .engine import open_engine
    from .engine.work import concat_rows, gather, plan_parts
    from .flag import flag_charges
    from .match.knowledge import knowledge_paths, load_knowledge
    from .match.matcher import Matcher
    from .config.reviews import apply_reviews_to_result, load_reviews
    from .config.rules import load_rules

    rules_dir = rules_directory(rules)
    options = options or ImportOptions()
    if options.layouts_file is None and rules_dir is not None and (rules_dir / "layouts.toml").exists():
        options = replace(options, layouts_file=rules_dir / "layouts.toml")

    rules_files = _rules_files(rules)
    cancellations = load_rules(rules_files) if rules_files else ()
    # [[vendor]] records anywhere in the rules (and vendors.toml beside them) extend the knowledge base.
    knowledge = load_knowledge(knowledge_paths(rules_files) if rules_files else None)
    matcher = Matcher(cancellations, knowledge)

    files = expand_statement_paths(statements)
    with open_engine(engine, scheduler) as runner:
        parts = plan_parts(files, options, chunk_bytes, progress)
        gathered = gather(runner, parts, options, matcher)

    # Overlapping statements: the file-by-file rules on the rows that can overlap, then the
    # dropped ones leave the candidates.
    masks, duplicates = drop_overlaps_in([f.overlaps for f in gathered.files], [f.summary.format for f in gathered.files])
    kept = [rows.candidates_kept(keep) for rows, keep in zip(gathered.files, masks)]
    annotated = concat_rows(kept)
    found = flag_charges(annotated, cancellations)

    stale = ()
    reviews_file = rules_dir / "reviews.toml" if rules_dir is not None else None
    if reviews_file is not None and reviews_file.exists():
        # Both lists: a decision about a refundable charge is not stale.
        found, stale = apply_reviews_to_result(found, load_reviews(reviews_file))

    return CheckResult(
        flags=tuple(found.flags),
        refundable=found.refundable,
        cancellations=tuple(cancellations),
        statements=tuple(f.summary for f in gathered.files),
        transactions=annotated,
        duplicates=tuple(duplicates),
        stale_reviews=tuple(stale),
    )
