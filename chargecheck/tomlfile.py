"""Reading and writing the user's TOML files (rules, reviews) with line numbers and safe writes.

Input: a ``*.toml`` path.  Output: its parsed data plus a :class:`TomlLocator` that knows on
which line each ``[[table]]`` record and each key starts, because :mod:`tomllib` keeps no
positions (python/cpython#115516) and a message a user can act on needs ``file:line``.
Also: :class:`Problem` (one validation problem, rendered ``path:line: record: message (hint)``),
:func:`raise_problems` (all problems at once as one :class:`~chargecheck.errors.RulesError`),
:func:`did_you_mean`, and :func:`atomic_write` (temp file in the same folder + ``os.replace``,
so a crash never leaves a half-written rules file).
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RulesError

_SLASHED_DATE = re.compile(r"=\s*\d{1,4}[/.]\d{1,2}[/.]\d{1,4}\s*(?:#.*)?$")

__all__ = [
    "Problem",
    "TomlLocator",
    "read_toml",
    "parse_toml",
    "raise_problems",
    "did_you_mean",
    "atomic_write",
    "describe_value",
]

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*)*=""")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_COMMENT = re.compile(r"#.*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a user's file: where, in which record, what, and how to fix it."""

    path: str
    line: int | None
    message: str
    record: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line is not None else "")
        text = f"{where}: " + (f"{self.record}: " if self.record else "") + self.message
        return text + (f" ({self.hint})" if self.hint else "")


@dataclass
class _Record:
    line: int
    keys: dict[str, int] = field(default_factory=dict)


def _bracket_balance(text: str) -> int:
    """Opened minus closed brackets/braces outside strings and comments (for multi-line values)."""
    bare = _COMMENT.sub("", _STRING.sub('""', text))
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1]
    return name


@dataclass
class TomlLocator:
    """Line numbers (1-based) of top-level keys, ``[[name]]`` records and their keys."""

    top_keys: dict[str, int] = field(default_factory=dict)
    records: dict[str, list[_Record]] = field(default_factory=dict)
    headers: list[int] = field(default_factory=list)  # lines of every [table] / [[table]] header

    @classmethod
    def scan(cls, text: str) -> "TomlLocator":
        """Find headers and keys line by line (skipping multi-line strings); tolerant by design."""
        locator = cls()
        current: _Record | None = None
        in_table = False  # inside a [table] that is not one of our records
        open_quote: str | None = None
        depth = 0  # open brackets of a multi-line array or inline table value
        for number, line in enumerate(text.splitlines(), start=1):
            if open_quote is not None:
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            if depth > 0:
                depth += _bracket_balance(line)
                continue
            if match := _ARRAY_HEADER.match(line):
                name = _unquote(match.group(1).split(".")[0])
                locator.headers.append(number)
                locator.top_keys.setdefault(name, number)
                current = _Record(number)
                locator.records.setdefault(name, []).append(current)
                in_table = False
            elif match := _TABLE_HEADER.match(line):
                locator.headers.append(number)
                locator.top_keys.setdefault(_unquote(match.group(1).split(".")[0]), number)
                current, in_table = None, True
            elif match := _KEY.match(line):
                key = _unquote(match.group(1))
                if current is not None:
                    current.keys.setdefault(key, number)
                elif not in_table:
                    locator.top_keys.setdefault(key, number)
                depth = max(_bracket_balance(line[match.end():]), 0)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    open_quote, depth = quote, 0
                    break
        return locator

    def line_of(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        """Line of ``key`` in record ``index`` of ``[[table]]``, else of the record, else of the table."""
        records = self.records.get(table, [])
        if index is not None and index < len(records):
            record = records[index]
            if key is not None and key in record.keys:
                return record.keys[key]
            return record.line
        return self.top_keys.get(table)


def parse_toml(text: str, path: str | Path) -> tuple[dict[str, Any], TomlLocator]:
    """Parse TOML text read from ``path``; a syntax error becomes a RulesError at its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        if position := _TOML_POSITION.search(message):
            line, column = int(position.group(1)), int(position.group(2))
            message = message[: position.start()]
        hint = None
        if line is not None and column is not None:
            source = text.splitlines()[line - 1].strip() if line <= len(text.splitlines()) else ""
            hint = f"column {column}" + (f" of `{source}`" if source else "")
            if _SLASHED_DATE.search(source):  # the commonest slip: a date as the bank prints it
                hint += "; write dates as YYYY-MM-DD, e.g. cancelled_on = 2026-03-01"
        raise RulesError(f"invalid TOML: {message}", path=path, line=line, hint=hint,
                         problems=(str(Problem(str(path), line, f"invalid TOML: {message}", hint=hint)),)) from None
    return data, TomlLocator.scan(text)


def read_toml(path: str | Path) -> tuple[dict[str, Any], TomlLocator]:
    """Read and parse one TOML file (UTF-8); missing, unreadable or malformed → RulesError."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise RulesError("rules file not found", path=path) from None
    except OSError as exc:
        raise RulesError(f"cannot read rules file: {exc.strerror}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulesError("expected UTF-8 text", path=path, line=line,
                         hint="save the file as UTF-8",
                         problems=(f"{path}:{line}: expected UTF-8 text (save the file as UTF-8)",)) from None
    return parse_toml(text, path)


def read_records(files: Sequence[Path], problems: list[Problem], extract) -> list:
    """Run ``extract(data, locator, path) -> (records, problems)`` over each readable TOML file.

    A file that is not valid TOML adds its problem and is passed over, so one run reports every
    problem of every file at once; the records come back in file order.
    """
    records: list = []
    for file in files:
        try:
            data, locator = read_toml(file)
        except RulesError as exc:
            problems.append(Problem(str(file), exc.line, exc.message, hint=exc.hint))
            continue
        found, file_problems = extract(data, locator, str(file))
        records += found
        problems += file_problems
    return records


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, or None when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def describe_value(value: Any) -> str:
    """A value as the user wrote it in TOML (strings quoted), for "found …" messages."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def raise_problems(problems: Sequence[Problem]) -> None:
    """Raise one RulesError carrying every problem (str() shows the first and how many follow)."""
    if not problems:
        return
    first = problems[0]
    hint = first.hint
    if len(problems) > 1:
        more = f"{len(problems) - 1} more problem{'s' if len(problems) > 2 else ''} listed below"
        hint = f"{hint}; {more}" if hint else more
    message = (f"{first.record}: " if first.record else "") + first.message
    raise RulesError(message, path=first.path, line=first.line, record=first.record, hint=hint,
                     problems=tuple(str(p) for p in problems))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file in the same folder, fsync, os.replace).

    The folder is created if needed; an existing file's permissions are kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        if path.exists():
            os.chmod(temp_name, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
