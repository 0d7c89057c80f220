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
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ChargecheckError, UsageError
from .files import check_not_input, prepare_target
from .importers import ImportOptions
from .model import CheckResult
from .scan import (STDIN, StatementScan, expand_statement_paths, read_statements, scan_statements,
                   validate_import_options)
from .schema import ReconciliationStatus, Statement
from .workspace import Workspace, rules_directory

if TYPE_CHECKING:
    import pandas as pd

    from .discover.subscriptions import Discovery
    from .match.explain import Explanation

__all__ = ["check", "subscriptions", "transactions", "explain", "letters", "check_flag_id", "expand_statement_paths",
           "read_statements", "read_transactions", "scan_statements", "StatementScan", "validate_import_options",
           "rules_directory", "Workspace", "STDIN", "reconciliation_warnings"]

def reconciliation_warnings(statements: Sequence[Statement]) -> tuple[str, ...]:
    """One warning per statement whose printed balances disagree with what was read from it:
    the file, how far off, and the first row where a running balance breaks."""
    return tuple(f"{st.path}: {st.reconciliation} ({st.reconciliation.method}): the file may be misread "
                 "or incomplete" for st in statements
                 if st.reconciliation.status is ReconciliationStatus.NOT_RECONCILED)


def read_transactions(
    statements: Sequence[str | Path],
    workspace: Workspace,
    progress: Callable[[Path], None] | None = None,
    *,
    strict: bool = False,
    output: str | Path | None = None,
) -> tuple[StatementScan, "pd.DataFrame", tuple]:
    """Read the statements with the workspace's options and drop rows two overlapping files share.

    Returns ``(scan, transactions, duplicates)``: what each file gave and what a folder scan
    passed over (:func:`~chargecheck.scan.scan_statements`, with ``strict`` and ``output`` as
    there), the one table, and the :class:`~chargecheck.model.DuplicateDrop` records.
    """
    from .dedupe import drop_overlaps

    scan = scan_statements(statements, workspace.options, progress, strict=strict, output=output)
    table, duplicates = drop_overlaps(scan.statements)
    return scan, table, tuple(duplicates)


def check(
    statements: Sequence[str | Path],
    rules: Path | str | Sequence[Path | str] | None = None,
    options: ImportOptions | None = None,
    *,
    workspace: Workspace | None = None,
    progress: Callable[[Path], None] | None = None,
    strict: bool = False,
    output: str | Path | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> CheckResult:
    """Read statements, match vendors against recorded cancellations, and flag later charges.

    Give either ``rules`` (a rules folder — every ``*.toml`` in it — or rules files) with optional
    ``options``, or a ready ``workspace``.  Returns everything a report needs: flags, charges to
    check, refundable charges, every cancellation's account (the closest descriptors for one that
    matched nothing), what was read and skipped, duplicates dropped, warnings when nothing could
    be checked (no cancellation, no transaction), and the files passed over (``result.failed``:
    statements that could not be read; with ``strict`` the first such error is raised instead).
    ``output``, the file the report will be written to, is checked first: it must not be a
    statement or rules file of this run, nor a FIFO, device or folder, and a folder scan passes
    over it.

    ``engine`` says where "read and match" runs, file by file: ``"local"`` in this process,
    ``"dask"`` on a Dask cluster at ``scheduler`` (``tcp://host:8786``) or on a local one of two
    worker processes (see :mod:`chargecheck.engine`).  Each file comes back reduced to the rows
    the flag stage needs (:mod:`chargecheck.engine.work`), so ``result.transactions`` holds
    those, not every row; the result is the same whichever engine ran it.  Running out of
    memory is a :class:`~chargecheck.errors.ChargecheckError`.
    """
    try:
        return _check(statements, rules, options, workspace=workspace, progress=progress, strict=strict,
                      output=output, engine=engine, scheduler=scheduler)
    except MemoryError:
        raise ChargecheckError("out of memory while checking the statements",
                               hint="check fewer files at once, or use --engine dask with more workers") from None


def _check(statements, rules, options, *, workspace, progress, strict, output, engine, scheduler) -> CheckResult:
    from .config.reviews import apply_reviews, load_reviews
    from .dedupe import link_same_payments
    from .engine import open_engine
    from .engine.work import Part, gather
    from .flag import account_cancellations, flag_charges
    from .scan import assemble_scan, plan_scan, read_job

    if workspace is None:
        workspace = Workspace.load(rules, options)
    if output is not None:
        from .config.rules import rules_files as expand_rules

        check_not_input(prepare_target(output), expand_rules(list(workspace.rules))[0], "report")
    plan, jobs = plan_scan(statements, workspace.options, strict=strict, output=output)
    # Standard input is read here, once: a worker has none, and the second pass reads again.
    parts = [Part(job, read_job(job, workspace.options) if str(job[0]) == STDIN else None) for job in jobs]
    for job in jobs:
        if progress is not None:
            progress(job[0])

    matcher = workspace.matcher
    cancellations = workspace.cancellations

    def closest_needed(candidates) -> bool:
        return any(a.matched_nothing for a in account_cancellations(candidates, cancellations))

    cents = [-int(c.amount * 100) for c in cancellations if c.amount is not None]
    with open_engine(engine, scheduler) as runner:
        gathered = gather(runner, parts, workspace.options, matcher, cents, closest_needed)
    scan = assemble_scan(plan, gathered.outcomes)

    wallets = [p for proc in workspace.knowledge.processors if proc.kind == "wallet" for p in proc.prefixes]
    annotated = link_same_payments(gathered.table, wallets)
    found = flag_charges(annotated, cancellations)
    accounts = _with_closest(found.accounts, matcher, annotated)

    stale = ()
    if workspace.reviews_file is not None and workspace.reviews_file.exists():
        # Every list: a decision about a refundable or a to-check charge is not stale.
        everything, stale = apply_reviews(found.flags + found.refundable + found.to_check,
                                          load_reviews(workspace.reviews_file))
        n, m = len(found.flags), len(found.refundable)
        found = replace(found, flags=everything[:n], refundable=everything[n:n + m], to_check=everything[n + m:])

    read_any = any(st.transaction_count for st in scan.statements)
    return CheckResult(
        flags=tuple(found.flags),
        refundable=found.refundable,
        cancellations=cancellations,
        statements=scan.statements,
        transactions=annotated,
        duplicates=gathered.duplicates,
        stale_reviews=tuple(stale),
        passed_over=scan.passed_over,
        warnings=(reconciliation_warnings(scan.statements)
                  + _coverage_warnings(cancellations, read_any, workspace.rules)),
        to_check=found.to_check,
        accounts=accounts,
    )


def check_flag_id(flag_id: str, statements: Sequence[str | Path], workspace: Workspace):
    """The flag (or refundable charge) with ``flag_id`` in a check of ``statements``; a
    UsageError when no charge has it, so a typo never records a decision about nothing."""
    from .config.reviews import normalize_flag_id

    try:
        wanted = normalize_flag_id(flag_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    result = check(statements, workspace=workspace, strict=True)
    for flag in result.flags + result.refundable:
        if flag.id == wanted:
            return flag
    raise UsageError(f"no flagged charge in these statements has the id {wanted}; nothing recorded",
                     hint="copy the id from the id column of `chargecheck check`")


def _with_closest(accounts, matcher, annotated):
    """Accounts of cancellations that matched nothing get the nearest descriptors and the refusals."""
    from .match.closest import closest_descriptors

    if not any(a.matched_nothing for a in accounts) or annotated.empty:
        return accounts
    firsts = annotated.drop_duplicates("cleaned")
    descriptors = dict(zip(firsts["cleaned"].astype(str), firsts["description"].astype(str)))
    return tuple(replace(a, closest=closest_descriptors(matcher, a.cancellation, descriptors))
                 if a.matched_nothing else a for a in accounts)


def _coverage_warnings(cancellations, read_any: bool, rules_files) -> tuple[str, ...]:
    """Why an empty report would not be an all-clear: nothing recorded, or nothing read."""
    warnings = []
    if not cancellations:
        where = ", ".join(str(p) for p in rules_files) or "no rules given"
        warnings.append(f"no cancellation is recorded ({where}): nothing was checked; record one with "
                        "`chargecheck cancel VENDOR --on DATE`")
    if not read_any:
        warnings.append("the statements yielded no transactions: nothing was checked; "
                        "see the files and skipped rows listed in the report")
    return tuple(warnings)


def subscriptions(
    statements: Sequence[str | Path],
    workspace: Workspace,
    *,
    as_of: date | None = None,
    cancel_rules: Path | None = None,
    strict: bool = False,
    output: str | Path | None = None,
) -> tuple["Discovery", StatementScan]:
    """The recurring series in the statements (and the repeating groups refused, with evidence),
    and the scan of the files (what was passed over or failed).

    Reads exactly as :func:`check` does (same layouts, same dedupe, ``strict`` and ``output`` as
    there).  ``cancel_rules``: the rules path to name in each suggested ``chargecheck cancel``
    command (the user's ``--rules``).
    """
    from .discover.subscriptions import discover

    scan, table, _ = read_transactions(statements, workspace, strict=strict, output=output)
    if not len(table):
        raise UsageError("the statements hold no transactions",
                         hint="check the files, or the --date-col/--amount-col overrides")
    found = discover(table, workspace.cancellations, workspace.vendor_namer, as_of=as_of)
    if cancel_rules is None:
        return found, scan
    target = shlex.quote(str(cancel_rules))
    subs = tuple(replace(s, cancel_command=f"{s.cancel_command} --rules {target}") if s.cancel_command else s
                 for s in found.subscriptions)
    return replace(found, subscriptions=subs), scan


def transactions(statements: Sequence[str | Path], workspace: Workspace, *, strict: bool = False,
                 output: str | Path | None = None) -> StatementScan:
    """Every statement as read (files and folders), with the workspace's layouts and options, and
    every file a folder scan passed over with its reason.

    No dedupe: this is what each file gave, for checking an import.
    """
    return scan_statements(statements, workspace.options, strict=strict, output=output)


def explain(descriptor: str, workspace: Workspace, vendors: Sequence[str] = ()) -> "Explanation":
    """How ``descriptor`` is cleaned and matched against the workspace's cancellations (and ``vendors``)."""
    return workspace.explainer(vendors).explain(descriptor)


def letters(result: CheckResult, folder: Path, fmt: str = "md", *, inputs: Sequence[str | Path] = ()) -> list[Path]:
    """Write the dispute letters for ``result``'s outstanding flags into ``folder`` (``md`` or
    ``txt``), never onto one of ``inputs``; the paths written."""
    from .report.letters import write_letters

    return write_letters(result, folder, fmt, inputs=inputs)
