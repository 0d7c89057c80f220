"""Reading and writing the user's TOML files (rules, reviews) with line numbers and safe writes.

Input: a ``*.toml`` path.  Output: its parsed data plus a :class:`TomlLocator` that knows on
which line each ``[[table]]`` record and each key starts, because :mod:`tomllib` keeps no
positions (python/cpython#115516) and a message a user can act on needs ``file:line``.
Also: :class:`Problem` (one validation problem, rendered ``path:line: record: message (hint)``),
:func:`raise_problems` (all problems at once as one :class:`~chargecheck.errors.RulesError`),
:func:`did_you_mean`, and the in-place record edits the writers use (:func:`block_span`,
:func:`set_record_keys`); the writing itself is :mod:`chargecheck.files` (locked, atomic).
Nesting deeper than :data:`MAX_DEPTH` is refused with its line before :mod:`tomllib` (which
recurses once per level) can run out of stack.
"""

from __future__ import annotations

import difflib
import re
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
    "block_span",
    "decode_utf8",
    "set_record_keys",
    "MAX_DEPTH",
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
    deep = text.count("[") + text.count("{") > MAX_DEPTH and _deepest_line(text) is not None
    try:
        if deep:
            raise RecursionError
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per nesting level
        line = _deepest_line(text)
        message = f"values nested more than {MAX_DEPTH} levels deep"
        raise RulesError(message, path=path, line=line, hint="a rules value is a text, a date, a number or a list of texts",
                         problems=(str(Problem(str(path), line, message)),)) from None
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


MAX_DEPTH = 100  # far beyond any rules file; tomllib's own stack gives out near 300


def _deepest_line(text: str) -> int | None:
    """The line where bracket nesting (outside strings and comments) first passes MAX_DEPTH."""
    depth, quote, line = 0, "", 1
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            line += 1
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif text.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char == "#":
            end = text.find("\n", index)
            index = (end if end >= 0 else length) - 1
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth -= 1
        index += 1
    return None


MAX_TOML_BYTES = 5_000_000  # a rules or reviews file is a few kilobytes; this is a hundred thousand records


def read_toml(path: str | Path) -> tuple[dict[str, Any], TomlLocator]:
    """Read and parse one TOML file (UTF-8); missing, unreadable or malformed → RulesError."""
    try:
        size = Path(path).stat().st_size
        if not Path(path).is_file():
            raise RulesError("expected a rules file, found " + ("a folder" if Path(path).is_dir() else "a special file"),
                             path=path)
        if size > MAX_TOML_BYTES:
            raise RulesError(f"expected a rules file under {MAX_TOML_BYTES // 1_000_000} MB, found {size:,} bytes",
                             path=path)
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


def decode_utf8(raw: bytes, path: str | Path) -> str:
    """A file's bytes as text (UTF-8, a BOM dropped); anything else is a RulesError, file unchanged."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError("expected UTF-8 text; not changed", path=path, hint="save the file as UTF-8") from None


def block_span(lines: list[str], start: int, headers: list[int]) -> tuple[int, int]:
    """0-based [start, end) of the record whose header is on 1-based line ``start``.

    It ends before the next header, minus the blank and comment lines just above that header
    (they introduce the next record, so they stay with it).
    """
    following = [h for h in headers if h > start]
    end = (following[0] - 1) if following else len(lines)
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start - 1, end


def _value_end(lines: list[str], first: int) -> int:
    """0-based index just past the last line of the ``key = value`` starting on line ``first``."""
    line = lines[first]
    after = line.split("=", 1)[1] if "=" in line else ""
    for quote in ('"""', "'''"):
        if after.count(quote) % 2 == 1:  # a multi-line string: up to its closing quotes
            index = first + 1
            while index < len(lines) and lines[index].count(quote) % 2 == 0:
                index += 1
            return min(index + 1, len(lines))
    depth, index = _bracket_balance(after), first + 1
    while depth > 0 and index < len(lines):
        depth += _bracket_balance(lines[index])
        index += 1
    return index


def _trailing_comment(line: str) -> str:
    """`` # comment`` after a value on ``line`` (outside strings), or ''."""
    masked = _STRING.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', line)
    position = masked.find("#")
    return "  " + line[position:].rstrip("\r\n") if position >= 0 else ""


def set_record_keys(text: str, locator: TomlLocator, table: str, index: int, values: dict[str, str]) -> str:
    """``text`` with keys of record ``index`` of ``[[table]]`` set to ``values`` (``key -> TOML
    value text``), everything else kept byte for byte.

    A key already in the record has its value replaced where it stands (a comment after the
    value is kept); a new key is added after the record's last key line.  Comments and blank
    lines around and inside the record stay as they were.
    """
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    record = locator.records[table][index]
    begin, end = block_span(lines, record.line, locator.headers)
    replacements: dict[int, tuple[int, str]] = {}
    for key, value in values.items():
        if key in record.keys:
            first = record.keys[key] - 1
            stop = _value_end(lines, first)
            comment = _trailing_comment(lines[stop - 1])
            replacements[first] = (stop, f"{key} = {value}{comment}{newline}")
    insert_at = max([_value_end(lines, line - 1) for line in record.keys.values()], default=begin + 1)
    insert_at = min(max(insert_at, begin + 1), max(end, begin + 1))
    added = [f"{key} = {value}{newline}" for key, value in values.items() if key not in record.keys]
    out, position = [], 0
    for number in range(len(lines) + 1):
        if number == insert_at:
            out += added
        if number < position or number >= len(lines):
            continue
        if number in replacements:
            position, replacement = replacements[number]
            out.append(replacement)
        else:
            out.append(lines[number])
            position = number + 1
    return "".join(out)
