"""The exception tree of chargecheck.

Every problem a user can cause (a file we cannot read, a rules file with a typo, a bad
command-line value) is a :class:`ChargecheckError`; the CLI catches it once, prints
``chargecheck: error: <message>`` and exits with code 2.  Anything else escaping is a bug.

    ChargecheckError
    ├── StatementError   a statement file cannot be read (file, line, expected, found)
    ├── RulesError       a rules/*.toml file is invalid (file, line, record, hint)
    ├── UsageError       a command-line value is wrong (e.g. an unknown --layout)
    └── WriteError       a file cannot be written where asked (a FIFO, a folder, an input)

Each carries its context as attributes so a program can act on it, and ``str()`` renders
``path:line: what was expected, what was found (hint)`` so an editor can jump to it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ChargecheckError", "StatementError", "RulesError", "UsageError", "WriteError"]


class ChargecheckError(Exception):
    """Base of every error a user can cause; printed without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.__str__())

    def __reduce__(self):
        # Rebuilt from its attributes (subclasses' __init__ take other arguments), so an error
        # raised while reading a file in a worker process reaches the parent intact.
        return (_rebuild, (type(self), dict(self.__dict__)))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


def _rebuild(cls: type, state: dict) -> "ChargecheckError":
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class StatementError(ChargecheckError):
    """A statement file cannot be read: names the file, the line, what was expected and found."""

    def __init__(
        self,
        path: str | Path,
        line: int | None,
        expected: str,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.expected = expected
        self.found = found
        message = f"expected {expected}" + (f", found {found}" if found is not None else "")
        super().__init__(message, path=path, line=line, hint=hint)


class RulesError(ChargecheckError):
    """A rules file is invalid; ``problems`` lists every problem found (all at once)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        record: str | None = None,
        hint: str | None = None,
        problems: tuple[str, ...] = (),
    ) -> None:
        self.record = record
        self.problems = problems
        super().__init__(message, path=path, line=line, hint=hint)


class UsageError(ChargecheckError):
    """A command-line value or library argument is wrong."""


class WriteError(ChargecheckError):
    """A file cannot be written where asked (see :mod:`chargecheck.files`); nothing was changed."""
