"""The library API: every command of the CLI is one function here, over one :class:`Workspace`.

    statements ──import──▶ Statement per file ──dedupe──▶ one transaction table
    rules/*.toml ──Workspace.load──▶ cancellations, vendor knowledge, layouts, reviews
    table ──match (per distinct descriptor)──▶ annotated table ──same payments──▶ linked table
    linked table ──flag──▶ flags, to check, refundable, an account of every cancellation
    flags ──reviews──▶ CheckResult  (every report renders from it alone)

=======================  ==============================================================
:func:`check`            flagged charges after cancellations (``chargecheck check``)
:func:`subscriptions`    recurring series found in the data (``chargecheck subscriptions``)
:func:`transactions`     what was read from each file (``chargecheck transactions``)
:func:`explain`          how one descriptor is cleaned and matched (``chargecheck explain``)
:func:`letters`          dispute letters for a check result (``chargecheck letters``)
=======================  ==============================================================

Use it from a notebook exactly as the CLI does::

    from chargecheck import check
    result = check(["statements/"], rules="rules/")
    result.flags

or build the workspace once and reuse it::

    from chargecheck.workspace import Workspace
    from chargecheck import pipeline
    ws = Workspace.load("rules/")
    result = pipeline.check(["statements/"], workspace=ws)
    found = pipeline.subscriptions(["statements/"], ws)
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StatementError, UsageError
from .importers import ImportOptions, read_statement
from .model import CheckResult
from .schema import Statement
from .workspace import Workspace, rules_directory

if TYPE_CHECKING:
    import pandas as pd

    from .discover.subscriptions import Discovery
    from .match.explain import Explanation

__all__ = ["check", "subscriptions", "transactions", "explain", "letters", "expand_statement_paths",
           "read_statements", "read_transactions", "rules_directory", "Workspace"]

# Named as a statement, this reads one statement from standard input (``cat x.csv | chargecheck check -``).
STDIN = "-"

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
        if str(raw) == STDIN:
            files.append(path)
        elif path.is_dir():
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


def read_statements(
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Callable[[Path], None] | None = None,
) -> tuple[Statement, ...]:
    """Read every statement (folders expanded), in order; ``progress`` is called for each file."""
    files = expand_statement_paths(paths)
    statements = []
    for path in files:
        if progress is not None:
            progress(path)
        statements.append(read_stdin(options) if str(path) == STDIN else read_statement(path, options))
    return tuple(statements)


def read_stdin(options: ImportOptions | None = None) -> Statement:
    """One statement of any format read from standard input, its rows sourced as ``-``.

    The importers identify formats by content and read files, so the bytes are kept in a private
    temporary file (removed at once); every source, skipped row and error names ``-``.
    """
    data = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="chargecheck-stdin-") as folder:
        path = Path(folder) / "stdin"
        path.write_bytes(data)
        try:
            statement = read_statement(path, options)
        except StatementError as exc:
            exc.path = STDIN
            exc.args = (str(exc),)
            raise
    frame = statement.transactions.copy()
    frame["source_file"] = STDIN
    skipped = tuple(replace(row, file=STDIN) for row in statement.skipped)
    return replace(statement, path=STDIN, transactions=frame, skipped=skipped)


def read_transactions(
    statements: Sequence[str | Path],
    workspace: Workspace,
    progress: Callable[[Path], None] | None = None,
) -> tuple[tuple[Statement, ...], "pd.DataFrame", tuple]:
    """Read the statements with the workspace's options and drop rows two overlapping files share.

    Returns ``(statements, transactions, duplicates)``: what each file gave, the one table, and the
    :class:`~chargecheck.model.DuplicateDrop` records.
    """
    from .dedupe import drop_overlaps

    read = read_statements(statements, workspace.options, progress)
    table, duplicates = drop_overlaps(read)
    return read, table, tuple(duplicates)


def check(
    statements: Sequence[str | Path],
    rules: Path | str | Sequence[Path | str] | None = None,
    options: ImportOptions | None = None,
    *,
    workspace: Workspace | None = None,
    progress: Callable[[Path], None] | None = None,
) -> CheckResult:
    """Read statements, match vendors against recorded cancellations, and flag later charges.

    Give either ``rules`` (a rules folder — every ``*.toml`` in it — or rules files) with optional
    ``options``, or a ready ``workspace``.  Returns everything a report needs: flags, charges to
    check, refundable charges, every cancellation's account (the closest descriptors for one that
    matched nothing), what was read and skipped, duplicates dropped, and warnings when nothing
    could be checked (no cancellation, no transaction).
    """
    from .config.reviews import apply_reviews, load_reviews
    from .dedupe import link_same_payments
    from .flag import flag_charges

    if workspace is None:
        workspace = Workspace.load(rules, options)
    read, transactions, duplicates = read_transactions(statements, workspace, progress)

    matcher = workspace.matcher
    wallets = [p for proc in workspace.knowledge.processors if proc.kind == "wallet" for p in proc.prefixes]
    annotated = link_same_payments(matcher.annotate(transactions), wallets)
    found = flag_charges(annotated, workspace.cancellations)
    accounts = _with_closest(found.accounts, matcher, annotated)

    stale = ()
    if workspace.reviews_file is not None and workspace.reviews_file.exists():
        # Every list: a decision about a refundable or a to-check charge is not stale.
        everything, stale = apply_reviews(found.flags + found.refundable + found.to_check,
                                          load_reviews(workspace.reviews_file))
        n, m = len(found.flags), len(found.refundable)
        found = replace(found, flags=everything[:n], refundable=everything[n:n + m], to_check=everything[n + m:])

    return CheckResult(
        flags=tuple(found.flags),
        refundable=found.refundable,
        cancellations=workspace.cancellations,
        statements=read,
        transactions=annotated,
        duplicates=duplicates,
        stale_reviews=tuple(stale),
        warnings=_coverage_warnings(workspace.cancellations, annotated, workspace.rules),
        to_check=found.to_check,
        accounts=accounts,
    )


def _with_closest(accounts, matcher, annotated):
    """Accounts of cancellations that matched nothing get the nearest descriptors and the refusals."""
    from .match.closest import closest_descriptors

    if not any(a.matched_nothing for a in accounts) or annotated.empty:
        return accounts
    firsts = annotated.drop_duplicates("cleaned")
    descriptors = dict(zip(firsts["cleaned"].astype(str), firsts["description"].astype(str)))
    return tuple(replace(a, closest=closest_descriptors(matcher, a.cancellation, descriptors))
                 if a.matched_nothing else a for a in accounts)


def _coverage_warnings(cancellations, transactions, rules_files) -> tuple[str, ...]:
    """Why an empty report would not be an all-clear: nothing recorded, or nothing read."""
    warnings = []
    if not cancellations:
        where = ", ".join(str(p) for p in rules_files) or "no rules given"
        warnings.append(f"no cancellation is recorded ({where}): nothing was checked; record one with "
                        "`chargecheck cancel VENDOR --on DATE`")
    if transactions.empty:
        warnings.append("the statements yielded no transactions: nothing was checked; "
                        "see the files and skipped rows listed in the report")
    return tuple(warnings)


def subscriptions(
    statements: Sequence[str | Path],
    workspace: Workspace,
    *,
    as_of: date | None = None,
    cancel_rules: Path | None = None,
) -> "Discovery":
    """The recurring series in the statements (and the repeating groups refused, with evidence).

    Reads exactly as :func:`check` does (same layouts, same dedupe).  ``cancel_rules``: the rules
    path to name in each suggested ``chargecheck cancel`` command (the user's ``--rules``).
    """
    from .discover.subscriptions import discover

    _, table, _ = read_transactions(statements, workspace)
    if not len(table):
        raise UsageError("the statements hold no transactions",
                         hint="check the files, or the --date-col/--amount-col overrides")
    found = discover(table, workspace.cancellations, workspace.vendor_namer, as_of=as_of)
    if cancel_rules is None:
        return found
    target = shlex.quote(str(cancel_rules))
    subs = tuple(replace(s, cancel_command=f"{s.cancel_command} --rules {target}") if s.cancel_command else s
                 for s in found.subscriptions)
    return replace(found, subscriptions=subs)


def transactions(statements: Sequence[str | Path], workspace: Workspace) -> tuple[Statement, ...]:
    """Every statement as read (files and folders), with the workspace's layouts and options.

    No dedupe: this is what each file gave, for checking an import.
    """
    return read_statements(statements, workspace.options)


def explain(descriptor: str, workspace: Workspace, vendors: Sequence[str] = ()) -> "Explanation":
    """How ``descriptor`` is cleaned and matched against the workspace's cancellations (and ``vendors``)."""
    return workspace.explainer(vendors).explain(descriptor)


def letters(result: CheckResult, folder: Path, fmt: str = "md") -> list[Path]:
    """Write the dispute letters for ``result``'s outstanding flags into ``folder`` (``md`` or
    ``txt``); the paths written."""
    from .report.letters import write_letters

    return write_letters(result, folder, fmt)
