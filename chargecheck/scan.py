"""Which files a run reads, and reading them: named files, folders walked, everything else said.

Input: the paths a user gave (files and folders) and the import options.  Output: a
:class:`StatementScan`: the statements read, in order, and a
:class:`~chargecheck.model.PassedOver` for every file a folder walk did not read, with why
(hidden, notes or a report chargecheck wrote, the run's own output, a PDF, a FIFO, a broken link,
content no format recognises) — and for every statement in a folder that failed to read
(``FAILED``: reported, the rest read; ``strict`` raises it instead).  A file named explicitly is
always read and its error raised.

May import: :mod:`chargecheck.importers`, :mod:`chargecheck.files`, :mod:`chargecheck.model`,
:mod:`chargecheck.errors`, :mod:`chargecheck.report.markers` (to recognise reports).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from .errors import ChargecheckError, StatementError, UsageError
from .files import LOCK_NAME, TEMP_SUFFIX, file_kind, prepare_target
from .importers import ImportOptions, identify, read_statement
from .model import PassedOver, PassReason
from .schema import Statement

__all__ = ["scan_statements", "read_statements", "expand_statement_paths", "StatementScan",
           "validate_import_options", "read_stdin", "STDIN", "plan_scan", "assemble_scan", "read_job", "kept_outcome"]

# In a folder of statements, these are notes, rules or reports sitting beside them, not statements.
_NOT_STATEMENTS = {".md", ".toml", ".json", ".html", ".htm", ".pdf", ".png", ".jpg", ".py", ".zip"}
_SUFFIX_REASONS = {
    ".pdf": "a PDF, not read (download the statement as CSV, OFX/QFX or Excel .xlsx instead)",
    ".zip": "a ZIP archive, not read (extract the statements from it first)",
}


@dataclass(frozen=True)
class StatementScan:
    """What reading statement paths gave: the statements, and every file passed over with why."""

    statements: tuple[Statement, ...]
    passed_over: tuple[PassedOver, ...] = ()

    @property
    def failed(self) -> tuple[PassedOver, ...]:
        """Files that looked like statements but could not be read (they make the exit code 2)."""
        return tuple(p for p in self.passed_over if p.kind is PassReason.FAILED)


def validate_import_options(options: ImportOptions | None) -> None:
    """Refuse option values that could never work before any file is read: a ``--date-format``
    strptime cannot use (``%Q``, a lone ``%``), an ``--encoding`` Python does not know."""
    if options is None:
        return
    if options.date_format is not None:
        sample = date(2026, 1, 31)
        try:
            datetime.strptime(sample.strftime(options.date_format), options.date_format)
        except ValueError as exc:
            raise UsageError(f"--date-format {options.date_format!r}: {exc}",
                             hint="use strptime codes such as '%d/%m/%Y' or '%Y-%m-%d'") from None
    if options.encoding is not None:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise UsageError(f"--encoding {options.encoding!r}: unknown text encoding",
                             hint="e.g. utf-8, cp1252, latin-1") from None


def _hidden(name: str) -> bool:
    # Hidden files, the tool's own temp and lock files, and the lock files Office leaves beside
    # an open workbook (~$x.xlsx).
    return name.startswith((".", "~$"))


def _head_and_tail(path: Path) -> tuple[bytes, bytes]:
    from .report.markers import HEAD_BYTES, TAIL_BYTES

    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        size = os.fstat(handle.fileno()).st_size
        handle.seek(max(size - TAIL_BYTES, 0))
        return head, handle.read(TAIL_BYTES)


def _report_kind(path: Path) -> str | None:
    from .report.markers import recognise_report

    try:
        return recognise_report(*_head_and_tail(path))
    except OSError:
        return None  # unreadable: reading it as a statement says why


def _is_output(path: Path, output: Path | None) -> bool:
    if output is None or not output.exists():
        return False
    try:
        return os.path.samefile(path, output)
    except OSError:
        return False


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | PassedOver]:
    """Every entry under ``folder`` in sorted order: files to consider, or what was passed over.

    Links to folders are followed once (a loop is not walked twice); hidden folders are passed
    over whole, listed once.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield PassedOver(str(folder), PassReason.FAILED, f"folder cannot be read: {exc.strerror}")
        return
    for entry in entries:
        path = Path(entry.path)
        if _hidden(entry.name):
            kind = "a hidden folder" if entry.is_dir() else "a hidden file"
            if entry.name.endswith(TEMP_SUFFIX) or entry.name == LOCK_NAME:
                kind = "a chargecheck temp or lock file"
            yield PassedOver(str(path), PassReason.HIDDEN, kind)
            continue
        try:
            info = path.stat()
        except OSError as exc:
            what = "a symlink loop" if entry.is_symlink() and exc.errno == errno.ELOOP else (
                "a broken link (its target is missing)" if entry.is_symlink() else f"cannot be read: {exc.strerror}")
            yield PassedOver(str(path), PassReason.BROKEN_LINK if entry.is_symlink() else PassReason.FAILED, what)
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                yield PassedOver(str(path), PassReason.BROKEN_LINK, "a link to a folder already read (not read twice)")
                continue
            seen.add(key)
            yield from _walk(path, seen)
        elif not stat.S_ISREG(info.st_mode):
            yield PassedOver(str(path), PassReason.NOT_REGULAR, f"{file_kind(info.st_mode)}, never opened")
        else:
            yield path


def _sort_out(path: Path, output: Path | None) -> Path | PassedOver:
    """A file found in a folder: itself when it should be read as a statement, else why not."""
    suffix = path.suffix.lower()
    report = _report_kind(path)
    if _is_output(path, output):
        if report is None and suffix not in _NOT_STATEMENTS:
            raise UsageError(f"the output file {output} is a statement in the folder being checked; "
                             "refusing to overwrite it", hint="write the report to another file")
        return PassedOver(str(path), PassReason.OWN_OUTPUT, "this run's output file (-o)")
    if report is not None:
        return PassedOver(str(path), PassReason.REPORT, report)
    if suffix in _NOT_STATEMENTS:
        return PassedOver(str(path), PassReason.NOT_A_STATEMENT,
                          _SUFFIX_REASONS.get(suffix, f"a {suffix} file (notes, rules or a report), not a statement"))
    return path


def _named(path: Path) -> Path:
    """A file named on the command line: read it whatever its name, unless it is no file at all."""
    try:
        info = path.stat()
    except FileNotFoundError:
        what = "a broken link" if path.is_symlink() else "nothing at that path"
        raise StatementError(path, None, "an existing statement file or folder", what) from None
    except OSError as exc:
        raise StatementError(path, None, "a readable statement file", exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise StatementError(path, None, "a statement file", file_kind(info.st_mode))
    return path


def _plan(paths: Sequence[str | Path], output: Path | None) -> list[tuple[Path, bool] | PassedOver]:
    """Files to read, each with whether it was named (True) or found in a folder, in order, and
    what folder scans passed over.  A named file that is the output is refused."""
    plan: list[tuple[Path, bool] | PassedOver] = []
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:
            plan.append((path, True))
            continue
        if path.is_dir():
            info = path.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue  # named twice, or inside a folder already named: read once
            seen.add((info.st_dev, info.st_ino))
            for found in _walk(path, seen):
                item = found if isinstance(found, PassedOver) else _sort_out(found, output)
                plan.append(item if isinstance(item, PassedOver) else (item, False))
            continue
        named = _named(path)
        if _is_output(named, output):
            raise UsageError(f"the output file {output} is also a statement to read; refusing to overwrite it",
                             hint="write the report to another file")
        plan.append((named, True))
    return plan


def expand_statement_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files to read: named files as given, folders expanded to their statement files (sorted).

    A file named explicitly is always read (and errors if it is no statement); inside a folder,
    hidden files and obvious non-statements (README.md, rules, reports) are passed over (see
    :func:`scan_statements` for the list of what was passed over, and why).
    """
    files = [item[0] for item in _plan(paths, None) if not isinstance(item, PassedOver)]
    if not files:
        raise UsageError("no statement files found in " + ", ".join(str(p) for p in paths))
    return files


# Named as a statement, this reads one statement from standard input (``cat x.csv | chargecheck check -``).
STDIN = "-"


def scan_statements(
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Callable[[Path], None] | None = None,
    *,
    strict: bool = False,
    output: str | Path | None = None,
) -> StatementScan:
    """Read every statement (folders expanded), in order, listing every file passed over and why.

    Inside a folder: hidden files, notes and reports (by name, by the marker chargecheck writes,
    or a CSV report's header row), the run's own ``output`` file, FIFOs, devices and broken links
    are passed over; a file whose content no format recognises (README.txt) is passed over;
    a statement that cannot be read is listed as ``FAILED`` and the rest are read — or, with
    ``strict``, its error is raised at once.  A file named explicitly is always read, and its
    error always raised.  ``output`` (the report's path) is refused when it is a statement to
    read.  ``progress`` is called for each file read.
    """
    plan, jobs = plan_scan(paths, options, strict=strict, output=output)
    return assemble_scan(plan, _read_all(jobs, options, progress))


def plan_scan(paths: Sequence[str | Path], options: ImportOptions | None = None, *, strict: bool = False,
              output: str | Path | None = None) -> tuple[list, list[tuple[Path, bool]]]:
    """What :func:`scan_statements` will do, before reading anything: the plan (a job or a
    :class:`PassedOver` per path, in order) and the read jobs, ``(path, read as named)``.

    Lets an engine read the jobs elsewhere (:func:`read_job`, then :func:`kept_outcome` per job
    and :func:`assemble_scan`) with the same outcome as a scan here.
    """
    validate_import_options(options)
    output = prepare_target(output) if output is not None else None
    plan = _plan(paths, output)
    # Strict: every file is read as if named, so the first error stops the run.
    jobs = [(item[0], item[1] or strict) for item in plan if not isinstance(item, PassedOver)]
    if not jobs:
        raise UsageError("no statement files found in " + ", ".join(str(p) for p in paths))
    return plan, jobs


def assemble_scan(plan: list, outcomes: Sequence) -> StatementScan:
    """The scan from the plan and each job's kept outcome (a statement, its summary, or a
    :class:`PassedOver`), in job order."""
    outcomes = iter(outcomes)
    statements, passed = [], []
    for item in plan:
        outcome = item if isinstance(item, PassedOver) else next(outcomes)
        if isinstance(outcome, PassedOver):
            passed.append(outcome)
        else:
            statements.append(outcome)
    return StatementScan(tuple(statements), tuple(passed))


def read_job(job: tuple[Path, bool], options: ImportOptions | None) -> Statement | PassedOver | ChargecheckError:
    """One job of :func:`plan_scan` read: its statement, why it was passed over, or its error
    (returned, not raised, so an engine hands it back in order; see :func:`kept_outcome`)."""
    return _read_one((job, options))


def kept_outcome(outcome, job: tuple[Path, bool]):
    """A job's outcome as the scan keeps it: an error is raised for a file read as named, else
    listed as FAILED (a :class:`PassedOver`); a statement is returned as it is."""
    return _kept(outcome, job)


def read_statements(
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Callable[[Path], None] | None = None,
) -> tuple[Statement, ...]:
    """Read every statement (folders expanded), in order, stopping at the first that fails
    (:func:`scan_statements` with ``strict=True``, for callers that need no list of what was
    passed over)."""
    return scan_statements(paths, options, progress, strict=True).statements


def _read_all(jobs: list[tuple[Path, bool]], options, progress) -> list[Statement | PassedOver]:
    outcomes = []
    for job in jobs:
        if progress is not None:
            progress(job[0])
        outcomes.append(_kept(_read_one((job, options)), job))
    return outcomes


def _kept(outcome: Statement | PassedOver | ChargecheckError, job: tuple[Path, bool]) -> Statement | PassedOver:
    """A file's outcome as the scan keeps it: an error is raised for a file read as named
    (named, or any file under ``strict``), else listed as FAILED."""
    if isinstance(outcome, ChargecheckError):
        if job[1]:
            raise outcome
        return PassedOver(str(job[0]), PassReason.FAILED, _reason(outcome), outcome.line)
    return outcome


def _reason(error: ChargecheckError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


def _read_one(job: tuple[tuple[Path, bool], ImportOptions | None]) -> Statement | PassedOver | ChargecheckError:
    """Read one file: its Statement; for a file found in a folder whose content no format
    recognises, why it was passed over; or the error (returned, so a worker process can hand it
    back in order)."""
    (path, named), options = job
    try:
        if str(path) == STDIN:
            return read_stdin(options)
        if named:
            return read_statement(path, options)
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:  # unreadable is a failure, not "not a statement"
            return StatementError(path, None, "a readable file", exc.strerror or str(exc))
        try:
            importer = identify(path)
        except StatementError as exc:
            return PassedOver(str(path), PassReason.NOT_A_STATEMENT, f"not a statement: {exc.found or exc.message}"
                              + (f" ({exc.hint})" if exc.hint else ""))
        return read_statement(path, options, format=importer.name)
    except ChargecheckError as exc:
        return exc
    except MemoryError:
        return StatementError(path, None, "a statement that fits in memory", "more than this machine could hold")


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
