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

from .errors import UsageError
from .files import prepare_target
from .importers import ImportOptions
from .model import CheckResult
from .scan import StatementScan, expand_statement_paths, read_statements, scan_statements, validate_import_options

__all__ = ["check", "expand_statement_paths", "read_statements", "scan_statements", "StatementScan",
           "validate_import_options", "rules_directory", "check_flag_id"]


def rules_directory(rules: Path | Sequence[Path] | None) -> Path | None:
    """The folder holding the user's rules (and vendors.toml, layouts.toml, reviews.toml), if any."""
    if rules is None:
        return None
    first = Path(rules) if isinstance(rules, (str, Path)) else (Path(rules[0]) if rules else None)
    if first is None:
        return None
    return first if first.is_dir() else first.parent


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
    strict: bool = False,
    output: str | Path | None = None,
) -> CheckResult:
    """Read statements, match vendors against recorded cancellations, and flag later charges.

    ``rules`` is a rules folder (every ``*.toml`` in it) or rules files.  Returns everything a
    report needs: flags, refundable charges, what was read and skipped, duplicates dropped, and
    the files passed over (``result.failed``: statements that could not be read; with ``strict``
    the first such error is raised instead).  ``output``, the file the report will be written
    to, is checked first: it must not be a statement or rules file of this run, nor a FIFO,
    device or folder, and a folder scan passes over it (see :func:`scan_statements`).
    """
    from .dedupe import drop_overlaps
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
    if output is not None:
        from .config.rules import rules_files as expand_rules
        from .files import check_not_input

        check_not_input(prepare_target(output), expand_rules(rules_files)[0], "report")
    cancellations = load_rules(rules_files) if rules_files else ()
    # [[vendor]] records anywhere in the rules (and vendors.toml beside them) extend the knowledge base.
    knowledge = load_knowledge(knowledge_paths(rules_files) if rules_files else None)

    scan = scan_statements(statements, options, progress, strict=strict, output=output)
    read = scan.statements
    transactions, duplicates = drop_overlaps(read)

    annotated = Matcher(cancellations, knowledge).annotate(transactions)
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
        statements=read,
        transactions=annotated,
        duplicates=tuple(duplicates),
        stale_reviews=tuple(stale),
        passed_over=scan.passed_over,
    )


def check_flag_id(
    flag_id: str,
    statements: Sequence[str | Path],
    rules: Path | Sequence[Path] | None,
    options: ImportOptions | None = None,
):
    """The flag (or refundable charge) with ``flag_id`` in a check of ``statements``; a
    UsageError when no charge has it, so a typo never records a decision about nothing."""
    from .config.reviews import normalize_flag_id

    try:
        wanted = normalize_flag_id(flag_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    result = check(statements, rules, options, strict=True)
    for flag in result.flags + result.refundable:
        if flag.id == wanted:
            return flag
    raise UsageError(f"no flagged charge in these statements has the id {wanted}; nothing recorded",
                     hint="copy the id from the id column of `chargecheck check`")
