"""Stage ``rules``: load and validate the user's cancellations from ``rules/*.toml``.

Input: rules files or folders (a folder means every ``*.toml`` in it, sorted by name).
Output: ``tuple[Cancellation, ...]`` in file order, each knowing its ``source_file`` and
``source_line``.  A rules folder holds several kinds of file; the allowed top-level keys are
``cancellation`` (validated here), ``review`` (:mod:`chargecheck.config.reviews`), ``vendor``
(:mod:`chargecheck.match.knowledge`) and ``layout`` (the CSV importer).  Anything else is an error
with a "did you mean", never silently ignored (hledger's known failure).

Every problem in every file is collected and raised once as a :class:`RulesError` whose
``problems`` lists lines like::

    rules/cancellations.toml:7: cancellation #2 (Kaspersky): unknown key 'cancelled_one' (did you mean 'cancelled_on'?)

Several records for the same vendor are allowed and all kept: a user who cancelled, was
charged anyway, and cancelled again records both; :func:`chargecheck.flag.flag_charges`
lets the latest cancellation before each charge govern it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w

from ..errors import RulesError
from ..model import MAX_DAYS, Cancellation
from ..files import file_kind, resolve_target, update_file
from ..tomlfile import (
    read_records,
    Problem,
    TomlLocator,
    decode_utf8,
    describe_value,
    did_you_mean,
    parse_toml,
    raise_problems,
    set_record_keys,
)

__all__ = [
    "TOP_LEVEL_KEYS",
    "load_rules",
    "rules_files",
    "rules_target",
    "append_cancellation",
    "update_cancellation",
    "MAX_DAYS",
    "cancellation_block",
    "toml_block",
    "parse_date",
    "parse_amount",
    "parse_text",
]

TOP_LEVEL_KEYS: tuple[str, ...] = ("cancellation", "layout", "review", "vendor")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXAMPLES = {"vendor": 'vendor = "Kaspersky"', "cancelled_on": "cancelled_on = 2026-03-01"}


def parse_date(value: Any) -> date:
    """A TOML date, or an ISO ``YYYY-MM-DD`` string; anything else → ValueError with a clear message."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date like 2026-03-01, found the date-time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a real calendar date, found {describe_value(value)}") from None
    raise ValueError(f"expected a date like 2026-03-01, found {describe_value(value)}")


def parse_text(value: Any) -> str:
    """A non-empty quoted TOML string (stripped); anything else → ValueError."""
    if not isinstance(value, str):
        raise ValueError(f'expected text in quotes, found {describe_value(value)}')
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _reference(value: Any) -> str:
    # A confirmation number is often typed without quotes; keep its digits as written.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return parse_text(value)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f'expected a list of texts like ["DRI*KASPERSKY"], found {describe_value(value)}')
    return tuple(parse_text(item) for item in value)


def _aliases(value: Any) -> tuple[str, ...]:
    aliases = _strings(value)
    for alias in aliases:
        # Very short aliases match inside unrelated words (HULU in SHULUK); refuse them early.
        if sum(ch.isalnum() for ch in alias) < 3:
            raise ValueError(f"alias {describe_value(alias)} is too short to match safely; use at least 3 letters or digits")
    return aliases


_AMOUNT_LIMIT = Decimal(10) ** 12


def parse_amount(value: Any) -> Decimal:
    """A positive amount below 10^12 with at most two decimals (``"59.99"``); else ValueError saying which."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f'expected an amount like "59.99", found {describe_value(value)}')
    from ..importers.typed import typed_amount  # here, not at import: ``cancel`` must not load pandas

    amount = typed_amount(str(value))  # "10,99", "1.234,56" as people type them; "1,234" refused
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"expected a positive amount (the usual charge, without sign), found {describe_value(value)}")
    if amount >= _AMOUNT_LIMIT:  # also beyond what cents in the transaction table can hold
        raise ValueError(f"expected an amount below 1,000,000,000,000, found {describe_value(value)}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"expected at most two decimal places, found {describe_value(value)}")
    return amount.quantize(Decimal("0.01"))




def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number of days (0 or more), found {describe_value(value)}")
    if value > MAX_DAYS:
        raise ValueError(f"expected at most {MAX_DAYS} days (ten years), found {describe_value(value)}")
    return value


@dataclass(frozen=True)
class Key:
    """One key of a ``[[record]]`` table: its name, the function that reads its value (raising
    ValueError with the message a user sees), and whether it must be there."""

    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None


# One ``[[cancellation]]`` table; any other key is an error with a "did you mean".
CANCELLATION_SPEC: tuple[Key, ...] = (
    Key("vendor", parse_text, required=True),
    Key("cancelled_on", parse_date, required=True),
    Key("aliases", _aliases, default=()),
    Key("paid_through", parse_date),
    Key("reference", _reference),
    Key("amount", parse_amount),
    Key("refund_window_days", _days),
    Key("exclude", _strings, default=()),
    Key("notes", parse_text),
)
CANCELLATION_KEYS: tuple[str, ...] = tuple(key.name for key in CANCELLATION_SPEC)
_RECORD_KEYS = (("cancellation", CANCELLATION_KEYS), ("review", ("flag_id", "decision", "decided_on")))


def record_label(table: str, index: int, raw: Any, name_key: str) -> str:
    """``cancellation #2 (Kaspersky)``: how a record is named in messages (1-based)."""
    name = raw.get(name_key) if isinstance(raw, dict) else None
    return f"{table} #{index + 1}" + (f" ({name.strip()})" if isinstance(name, str) and name.strip() else "")


def check_top_level(data: dict[str, Any], locator: TomlLocator, path: str, own: str) -> list[Problem]:
    """Problems with the file's top-level keys: only the kinds a rules folder may hold, each
    written as ``[[name]]`` records (their contents are checked by their owners; ``own`` is the
    caller's table, whose shape it checks itself)."""
    problems = []
    for key, value in data.items():
        shaped = isinstance(value, list) and all(isinstance(item, dict) for item in value)
        if key == own or (key in TOP_LEVEL_KEYS and shaped):
            continue
        line = locator.top_keys.get(key)
        header = next((table for table, keys in _RECORD_KEYS if key in keys), None)
        if header is not None and not isinstance(value, (dict, list)):  # a record's header line is missing
            problems.append(Problem(path, line, f"'{key}' is outside any record", hint=f"add a [[{header}]] line above it"))
        elif key in TOP_LEVEL_KEYS:
            problems += table_records(data, key, locator, path)[1]
        else:
            hint = did_you_mean(key, TOP_LEVEL_KEYS) or "a rules file holds " + ", ".join(
                f"[[{name}]]" for name in TOP_LEVEL_KEYS)
            problems.append(Problem(path, line, f"unknown top-level key '{key}'", hint=hint))
    return problems


def table_records(data: dict[str, Any], table: str, locator: TomlLocator, path: str) -> tuple[list, list[Problem]]:
    """The list of ``[[table]]`` records, or a problem if it was written as something else."""
    records = data.get(table, [])
    if isinstance(records, list) and all(isinstance(item, dict) for item in records):
        return records, []
    return [], [Problem(path, locator.top_keys.get(table), f"'{table}' must be a list of records",
                        hint=f"start each record with a [[{table}]] line, with two brackets")]


def validation_problems(
    spec: Sequence[Key], raw: dict, table: str, index: int, label: str, locator: TomlLocator, path: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read one record by ``spec``: its values (defaults filled in), or None and a Problem per
    wrong, missing or unknown key, each at the line of that key.

    Written by hand rather than with a validation library: this runs on every ``chargecheck
    cancel`` and ``review``, which must start in a tenth of a second.
    """
    fields = tuple(key.name for key in spec)
    unknown = [str(name) for name in raw if name not in fields]
    values: dict[str, Any] = {}
    problems = []
    for key in spec:
        line = locator.line_of(table, index, key.name)
        if key.name not in raw:
            if not key.required:
                values[key.name] = key.default
            elif not any(did_you_mean(u, [key.name]) for u in unknown):  # else the misspelling says it
                example = _EXAMPLES.get(key.name, f"{key.name} = …")
                problems.append(Problem(path, line, f"missing required key '{key.name}'", label, f"add {example}"))
            continue
        try:
            values[key.name] = key.parse(raw[key.name])
        except ValueError as exc:
            problems.append(Problem(path, line, f"{key.name}: {exc}", label))
    for name in unknown:
        hint = did_you_mean(name, fields) or "allowed keys: " + ", ".join(fields)
        problems.append(Problem(path, locator.line_of(table, index, name), f"unknown key '{name}'", label, hint))
    return (None if problems else values), problems


def validate_records(
    data: dict, table: str, spec: Sequence[Key], name_key: str, locator: TomlLocator, path: str
) -> tuple[list[tuple[int, str, dict[str, Any]]], list[Problem]]:
    """Validate every ``[[table]]`` record: (index, label, values) of the valid ones, and problems."""
    records, problems = table_records(data, table, locator, path)
    valid = []
    for index, raw in enumerate(records):
        label = record_label(table, index, raw, name_key)
        record, record_problems = validation_problems(spec, raw, table, index, label, locator, path)
        problems += record_problems
        if record is not None:
            valid.append((index, label, record))
    return valid, problems


def _cancellations_in(data: dict, locator: TomlLocator, path: str) -> tuple[list[Cancellation], list[Problem]]:
    valid, problems = validate_records(data, "cancellation", CANCELLATION_SPEC, "vendor", locator, path)
    found = []
    for index, label, record in valid:
        if record["paid_through"] is not None and record["paid_through"] < record["cancelled_on"]:
            problems.append(Problem(path, locator.line_of("cancellation", index, "paid_through"),
                                    f"paid_through {record['paid_through']} is before cancelled_on {record['cancelled_on']}",
                                    label, "paid_through is the last day you paid for, on or after the cancellation"))
            continue
        found.append(Cancellation(**record, source_file=path,
                                  source_line=locator.line_of("cancellation", index)))
    return found, problems


def rules_files(paths: Path | str | Sequence[Path | str]) -> tuple[list[Path], list[Problem]]:
    """Expand folders to their ``*.toml`` files (sorted, hidden files skipped); missing paths are problems."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files, problems = [], []
    for item in map(Path, items):
        if item.is_dir():
            files += sorted(p for p in item.glob("*.toml") if p.is_file() and not p.name.startswith("."))
        elif item.is_file():
            files.append(item)
        elif item.exists():
            problems.append(Problem(str(item), None, f"expected a rules file, found {file_kind(item.stat().st_mode)}"))
        else:
            problems.append(Problem(str(item), None, "rules file or folder not found"))
    return files, problems


def _checkparse_text(text: str, path: str) -> tuple[list[Cancellation], list[Problem]]:
    try:
        data, locator = parse_toml(text, path)
    except RulesError as exc:
        return [], [Problem(path, exc.line, exc.message, hint=exc.hint)]
    return _check_data(data, locator, path)


def _check_data(data: dict, locator: TomlLocator, path: str) -> tuple[list[Cancellation], list[Problem]]:
    found, problems = _cancellations_in(data, locator, path)
    problems = check_top_level(data, locator, path, "cancellation") + problems
    return found, sorted(problems, key=lambda p: p.line if p.line is not None else 0)


def load_rules(paths: Path | str | Sequence[Path | str]) -> tuple[Cancellation, ...]:
    """Load every cancellation from rules files/folders; all problems raised at once as RulesError."""
    files, problems = rules_files(paths)
    cancellations = read_records(files, problems, _check_data)
    raise_problems(problems)
    return tuple(cancellations)


def rules_target(rules: Path | None, filename: str) -> Path:
    """The file a command writes: ``rules/<filename>`` by default; a folder (or a path without
    ``.toml`` that does not exist yet) gets ``<filename>`` inside it; a file is used as given."""
    if rules is None:
        target = Path("rules") / filename
    else:
        rules = Path(rules)
        if rules.is_symlink() and not rules.exists():
            target = rules  # a dangling link names a new file (a symlink loop is refused below)
        elif rules.is_dir() or (not rules.exists() and rules.suffix.lower() != ".toml"):
            target = rules / filename
        else:
            target = rules
    resolve_target(target)  # a FIFO, a device, a folder or a symlink loop is refused before any read
    return target


def cancellation_block(cancellation: Cancellation) -> str:
    """The ``[[cancellation]]`` TOML block for one record (tomli-w; empty fields left out)."""
    record: dict[str, Any] = {"vendor": cancellation.vendor, "cancelled_on": cancellation.cancelled_on}
    optional = {
        "aliases": list(cancellation.aliases),
        "paid_through": cancellation.paid_through,
        "reference": cancellation.reference,
        "amount": None if cancellation.amount is None else str(cancellation.amount),
        "refund_window_days": cancellation.refund_window_days,
        "exclude": list(cancellation.exclude),
        "notes": cancellation.notes,
    }
    record.update({key: value for key, value in optional.items() if value not in (None, [])})
    return toml_block("cancellation", record)


def _toml_value(value: Any) -> str:
    return tomli_w.dumps({"v": value}).split(" = ", 1)[1].rstrip("\n")


def _toml_list(values: list) -> str:
    return "[" + ", ".join(_toml_value(item) for item in values) + "]"


def toml_block(table: str, record: dict[str, Any]) -> str:
    """A ``[[table]]`` block with one ``key = value`` line per entry, lists kept on one line.

    Values are serialised by tomli-w (quoting and escaping are its job); the header and the
    one-line lists are written here because tomli-w turns a short array of tables into an
    inline array and spreads every list over several lines.
    """
    lines = [f"[[{table}]]"]
    for key, value in record.items():
        if isinstance(value, list):
            lines.append(f"{key} = {_toml_list(value)}")
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _same_vendor(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _checked(raw: bytes, path: Path) -> list[Cancellation]:
    found, problems = _checkparse_text(decode_utf8(raw, path), str(path))
    raise_problems(problems)
    return found


def _already_recorded(path: Path, earlier: list[Cancellation]) -> RulesError:
    where = ", ".join(f"line {c.source_line} (cancelled on {c.cancelled_on.isoformat()})" for c in earlier)
    return RulesError(f"{earlier[0].vendor} is already recorded at {where}; not changed", path=path,
                      hint="--update changes that record, --add records a second cancellation")


def append_cancellation(path: Path | str, cancellation: Cancellation, *, allow_existing: bool = True) -> Cancellation:
    """Append a ``[[cancellation]]`` block to ``path`` without touching its existing bytes.

    Comments and formatting already in the file are kept byte for byte (the block is only
    appended, in the file's own line ending).  The file is read, checked and replaced under
    its lock (:func:`chargecheck.files.update_file`), so concurrent writers all keep their
    records, and an invalid record never reaches disk.  With ``allow_existing=False`` a vendor
    already recorded in the file (same name, any case) is refused with the lines it is on.
    Returns the record as loaded back (with ``source_file``/``source_line`` of the new block).
    """
    path = Path(path)

    def change(existing: bytes) -> tuple[bytes, Cancellation]:
        if not allow_existing and existing.strip():
            earlier = [c for c in _checked(existing, path) if _same_vendor(c.vendor, cancellation.vendor)]
            if earlier:
                raise _already_recorded(path, earlier)
        newline = b"\r\n" if b"\r\n" in existing else b"\n"
        separator = b""
        if existing.strip():
            separator = (b"" if existing.endswith(b"\n") else newline) + newline
        block = cancellation_block(cancellation).encode("utf-8").replace(b"\n", newline)
        data = existing + separator + block
        return data, _checked(data, path)[-1]

    return update_file(path, change)


def _list_value(old: tuple[str, ...], added: Sequence[str]) -> list[str]:
    merged = list(old)
    merged += [item for item in added if item not in merged]
    return merged


def update_cancellation(path: Path | str, vendor: str, changes: dict[str, Any]) -> Cancellation:
    """Change the recorded cancellation of ``vendor`` in ``path`` in place; returns it as stored.

    ``changes`` maps record keys (``cancelled_on``, ``reference``, ``aliases``…) to new values;
    ``aliases`` and ``exclude`` are extended (entries already there are not repeated), every
    other key is replaced.  Only the changed lines are rewritten: comments, other records and
    the order of keys stay as they were.  Where the vendor has several records, the one with the
    latest ``cancelled_on`` (the one that governs new charges) is changed.  Locked and validated
    like :func:`append_cancellation`; a vendor with no record is a RulesError.
    """
    path = Path(path)
    unknown = [key for key in changes if key not in CANCELLATION_KEYS or key == "vendor"]
    if unknown:
        raise RulesError(f"cannot update {unknown[0]!r}", path=path)

    def change(existing: bytes) -> tuple[bytes, Cancellation]:
        found = _checked(existing, path) if existing.strip() else []
        ours = [(i, c) for i, c in enumerate(found) if _same_vendor(c.vendor, vendor)]
        if not ours:
            raise RulesError(f"no cancellation of {vendor.strip()} is recorded here; not changed", path=path,
                             hint="record it first without --update")
        index, target = max(ours, key=lambda item: (item[1].cancelled_on, item[0]))
        values = {}
        for key, value in changes.items():
            if key in ("aliases", "exclude"):
                value = _list_value(getattr(target, key), value)
            elif isinstance(value, Decimal):
                value = str(value)
            values[key] = _toml_list(value) if isinstance(value, list) else _toml_value(value)
        text = decode_utf8(existing, path)
        bom = b"\xef\xbb\xbf" if existing.startswith(b"\xef\xbb\xbf") else b""
        data, locator = parse_toml(text, path)
        # The record's position among [[cancellation]] tables is its position in the file.
        data = bom + set_record_keys(text, locator, "cancellation", index, values).encode("utf-8")
        stored = _checked(data, path)
        if len(stored) != len(found):  # the edit went wrong: refuse rather than write a confusing file
            raise RulesError(f"could not update the record of {target.vendor}; file left unchanged", path=path)
        return data, stored[index]

    return update_file(path, change)
