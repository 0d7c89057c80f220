"""Saved CSV layouts: bank knowledge as data (``[[layout]]`` tables in TOML), never code.

Input: the packaged ``chargecheck/data/layouts.toml`` plus the user's own file (or every
``*.toml`` in a rules folder; only the top-level key ``layout`` is read there).  Output:
validated :class:`Layout` records and the one matching a file's header (or, for headerless
exports, its width and per-column patterns).  A layout only states what detection cannot know
or gets wrong: columns, date format, decimal mark, sign convention.  Everything it leaves out
is detected as for any other CSV.

Column references are header names (compared case- and accent-insensitively) or 0-based
indexes, like ``--date-col``.  Unknown keys are an error with file and line, never ignored.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ...errors import RulesError, UsageError
from ...tomlfile import Problem, did_you_mean, parse_toml, raise_problems
from .columns import fold

__all__ = ["Layout", "ColumnRef", "load_layouts", "find_layout", "match_layout", "header_names", "PACKAGED"]

ColumnRef = str | int
PACKAGED = "chargecheck/data/layouts.toml"


class Layout(BaseModel):
    """One bank export layout (see ``chargecheck/data/layouts.toml`` for documented examples)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    bank: str = ""
    source: str = ""
    header: tuple[str, ...] = ()
    optional_header: tuple[str, ...] = ()
    headerless: bool = False
    auto: bool = True
    field_count: int | None = None
    match: dict[str, str] = {}
    delimiter: str | None = None
    date: ColumnRef | None = None
    posted_date: ColumnRef | None = None
    description: tuple[ColumnRef, ...] = ()
    amount: ColumnRef | None = None
    debit: ColumnRef | None = None
    credit: ColumnRef | None = None
    indicator: ColumnRef | None = None
    currency_column: ColumnRef | None = None
    balance: ColumnRef | None = None
    account: ColumnRef | None = None
    bank_id: ColumnRef | None = None
    status: ColumnRef | None = None
    currency: str = ""
    date_format: str | None = None
    decimal: Literal[".", ","] | None = None
    sign: Literal["signed", "charges-positive"] | None = None
    quirks: tuple[str, ...] = ()

    @field_validator("description", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, (str, int)) else value

    @field_validator("match")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for column, pattern in value.items():
            if not column.isdigit():
                raise ValueError(f"match keys are 0-based column numbers, got {column!r}")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"match pattern for column {column} is not a regex: {exc}") from None
        return value

    @model_validator(mode="after")
    def _has_signature(self) -> "Layout":
        if not self.header and not self.headerless:
            raise ValueError("a layout needs a `header` signature or `headerless = true`")
        if self.headerless and self.field_count is None:
            raise ValueError("a headerless layout needs `field_count`")
        return self

    def header_fits(self, present: frozenset[str]) -> bool:
        """True when the file's header holds every required name and nothing unexpected, for names
        already folded by :func:`header_names` (a file's
        rows are tried against every layout: folding them once per row, not per layout)."""
        if self.headerless or not self.header or not self.auto:
            return False
        required, allowed = _signature(self.header, self.optional_header)
        return required <= present <= allowed

    def rows_match(self, rows: list[list[str]]) -> bool:
        """For headerless layouts: the width and every column pattern fit all sample rows."""
        if not self.headerless or not rows or not self.auto:
            return False
        for cells in rows:
            if len(cells) != self.field_count:
                return False
            for column, pattern in self.match.items():
                if not re.fullmatch(pattern, cells[int(column)].strip()):
                    return False
        return True


def header_names(names: list[str]) -> frozenset[str]:
    """A row's non-empty cells, folded as layout headers are compared."""
    return frozenset(fold(name) for name in names if name.strip())


@lru_cache(maxsize=512)
def _signature(header: tuple[str, ...], optional: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    required = frozenset(fold(name) for name in header)
    return required, required | frozenset(fold(name) for name in optional)


def _parse(text: str, path: str) -> list[Layout]:
    """The ``[[layout]]`` records of one layouts file; every problem at its line, as the rules
    files report theirs (:mod:`chargecheck.tomlfile`: unknown keys with a "did you mean")."""
    data, locator = parse_toml(text, path)
    entries = data.get("layout", [])
    if not isinstance(entries, list):
        raise RulesError("`layout` must be an array of tables: write [[layout]]", path=path, line=1)
    layouts, problems = [], []
    keys = tuple(Layout.model_fields)
    for index, entry in enumerate(entries):
        try:
            layouts.append(Layout.model_validate(entry))
        except ValidationError as exc:
            name = entry.get("name", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
            for error in exc.errors():
                key = str(error["loc"][0]) if error["loc"] else None
                line = locator.line_of("layout", index, key)
                if error["type"] == "extra_forbidden":
                    problems.append(Problem(path, line, f"unknown key '{key}'", f"layout {name}",
                                            did_you_mean(key or "", keys) or "allowed keys: " + ", ".join(keys)))
                else:
                    problems.append(Problem(path, line, f"{key}: {error['msg']}" if key else error["msg"],
                                            f"layout {name}"))
    raise_problems(problems)
    return layouts


@lru_cache(maxsize=1)
def _packaged() -> tuple[Layout, ...]:
    text = resources.files("chargecheck").joinpath("data/layouts.toml").read_text(encoding="utf-8")
    return tuple(_parse(text, PACKAGED))


def load_layouts(user: Path | None = None) -> list[Layout]:
    """Packaged layouts plus the user's (a file, or every ``*.toml`` in a folder); user names win."""
    layouts = {layout.name: layout for layout in _packaged()}
    files = sorted(user.glob("*.toml")) if user is not None and user.is_dir() else [user] if user else []
    for file in files:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise RulesError(f"cannot read layouts file: {exc.strerror or exc}", path=str(file)) from None
        for layout in _parse(text, str(file)):
            layouts[layout.name] = layout
    return list(layouts.values())


def find_layout(layouts: list[Layout], name: str) -> Layout:
    """The layout called ``name``; a UsageError with a did-you-mean otherwise."""
    by_name = {layout.name: layout for layout in layouts}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "see chargecheck/data/layouts.toml"
    raise UsageError(f"unknown layout {name!r}", hint=hint)


def match_layout(layouts: list[Layout], names: list[str] | None, rows: list[list[str]]) -> Layout | None:
    """The most specific layout whose header signature (or headerless pattern) fits this file."""
    # Later layouts (the user's, loaded after the packaged ones) win ties.
    if names is not None:
        present = header_names(names)
        fitting = [layout for layout in reversed(layouts) if layout.header_fits(present)]
        return max(fitting, key=lambda layout: len(layout.header), default=None)
    fitting = [layout for layout in reversed(layouts) if layout.rows_match(rows)]
    return max(fitting, key=lambda layout: len(layout.match), default=None)
