"""The vendor knowledge base: how subscription vendors really appear on bank statements.

Input: the shipped ``chargecheck/data/vendors.toml`` (found through :mod:`importlib.resources`,
so an installed package works outside the checkout) plus, optionally, the user's own
``[[vendor]]`` records (``rules/vendors.toml`` or every ``*.toml`` of a rules folder).
Output: a :class:`KnowledgeBase` — vendors with the names and descriptors they bill under,
parent companies, the resellers/processors that bill for others (Digital River ``DRI*``,
PayPal ``PAYPAL *``, Square ``SQ *`` …), and the word lists the matcher judges context with.

A user's record whose ``name`` equals a shipped vendor's extends it (names, descriptors and
excludes are added; ``parent``/``category`` replace); any other name adds a vendor.  Unknown
keys and wrong types are a :class:`~chargecheck.errors.RulesError` naming file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..tomlfile import Problem, TomlLocator, did_you_mean, parse_toml, raise_problems, read_toml

__all__ = ["KBVendor", "Processor", "Vocabulary", "SegmentRules", "KnowledgeBase", "load_knowledge", "knowledge_paths", "vendor_key"]

def vendor_key(text: str) -> str:
    """A spelling-independent key for a vendor name: ``Disney+`` and ``Disney Plus`` → DISNEYPLUS."""
    return re.sub(r"[^A-Z0-9]", "", str(text).upper().replace("+", "PLUS"))


@dataclass(frozen=True)
class KBVendor:
    """One vendor: its names, billing descriptors, parent company and known look-alikes."""

    name: str
    names: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    parent: str | None = None
    category: str = ""
    exclude: tuple[str, ...] = ()
    inherit: bool = False
    source: str = ""

    @property
    def all_names(self) -> tuple[str, ...]:
        """The vendor name followed by its other names."""
        return (self.name, *self.names)


@dataclass(frozen=True)
class Processor:
    """A company that bills on behalf of merchants; its prefix is kept and used as evidence."""

    name: str
    prefixes: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Vocabulary:
    """Word lists: ``billing``/``corporate``/``places``/``periods``/``bank`` never speak against a
    match; ``conflict`` (another kind of business) and ``transfer`` (payroll, person-to-person) do."""

    billing: frozenset[str] = frozenset()
    corporate: frozenset[str] = frozenset()
    conflict: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    periods: frozenset[str] = frozenset()
    bank: frozenset[str] = frozenset()
    transfer: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Computed once: the matcher asks for these for every word it judges.
        object.__setattr__(self, "_neutral", self.billing | self.corporate | self.places | self.periods | self.bank)
        object.__setattr__(self, "_refusing", self.conflict | self.transfer)

    @property
    def neutral(self) -> frozenset[str]:
        """Words that describe a bill, its period, a company form, a place or the bank's own wording."""
        return self._neutral  # type: ignore[attr-defined]

    @property
    def refusing(self) -> frozenset[str]:
        """Words that make any vendor match wrong: another kind of business, payroll, a transfer."""
        return self._refusing  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SegmentRules:
    """How a description joined from several fields is cut into segments (see ``[segments]``).

    ``separators`` join fields (`` / ``); a ``text_fields`` label (``SVWZ+``, ``/NAME/``) starts a
    segment; a ``reference_fields`` label (``MREF+``, ``Kenmerk:``) starts an id that is dropped.
    """

    separators: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()
    reference_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """Vendors, processors and vocabulary; look vendors up by any of their names."""

    vendors: tuple[KBVendor, ...]
    processors: tuple[Processor, ...] = ()
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    segments: SegmentRules = field(default_factory=SegmentRules)

    def __post_init__(self) -> None:
        index: dict[str, KBVendor] = {}
        for vendor in self.vendors:
            for name in vendor.all_names:
                index.setdefault(vendor_key(name), vendor)
        object.__setattr__(self, "_index", index)

    def resolve(self, name: str) -> KBVendor | None:
        """The vendor known by ``name`` (any spelling of any of its names), or None."""
        return self._index.get(vendor_key(name))  # type: ignore[attr-defined]

    def get(self, name: str) -> KBVendor | None:
        """The vendor whose primary ``name`` is exactly ``name``, or None."""
        return next((v for v in self.vendors if v.name == name), None)


class _VendorRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str
    names: list[str] = []
    descriptors: list[str] = []
    parent: str | None = None
    category: str = ""
    exclude: list[str] = []
    inherit: bool = False


class _ProcessorRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str
    prefixes: list[str]
    kind: Literal["reseller", "wallet", "pos"]


class _VocabularyRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    billing: list[str] = []
    corporate: list[str] = []
    conflict: list[str] = []
    places: list[str] = []
    periods: list[str] = []
    bank: list[str] = []
    transfer: list[str] = []
    streets: list[str] = []


class _SegmentsRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    separators: list[str] = []
    text_fields: list[str] = []
    reference_fields: list[str] = []


def _validate(model, raw: Any, path: str, locator: TomlLocator, table: str, index: int | None,
              problems: list[Problem]):
    """Validate one record; on failure add a Problem per error (with line and did-you-mean)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        label = f"{table} #{index + 1}" if index is not None else table
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            label += f" ({raw['name']})"
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            if err["type"] == "extra_forbidden":
                message, hint = f"unknown key '{key}'", did_you_mean(key or "", model.model_fields)
            else:
                message, hint = f"{key}: {err['msg']}" if key else err["msg"], None
            line = locator.line_of(table, index, key) if index is not None else locator.top_keys.get(table)
            problems.append(Problem(path, line, message, record=label, hint=hint))
        return None


def _vendor(record: _VendorRecord, source: str) -> KBVendor:
    return KBVendor(record.name, tuple(record.names), tuple(record.descriptors), record.parent,
                    record.category, tuple(record.exclude), record.inherit, source)


def _read_vendors(data: dict[str, Any], locator: TomlLocator, path: str, problems: list[Problem]) -> list[KBVendor]:
    """The ``[[vendor]]`` records of one parsed file (problems collected, not raised)."""
    raw = data.get("vendor", [])
    if not isinstance(raw, list):
        problems.append(Problem(path, locator.top_keys.get("vendor"), "expected [[vendor]] records",
                                hint='write each vendor as a [[vendor]] table with name = "..."'))
        return []
    out = []
    for index, item in enumerate(raw):
        record = _validate(_VendorRecord, item, path, locator, "vendor", index, problems)
        if record is not None:
            out.append(_vendor(record, f"{path}:{locator.line_of('vendor', index)}"))
    return out


def _parse_shipped() -> KnowledgeBase:
    """The knowledge base shipped inside the package."""
    resource = resources.files("chargecheck").joinpath("data/vendors.toml")
    data, locator = parse_toml(resource.read_text(encoding="utf-8"), "chargecheck/data/vendors.toml")
    path, problems = "chargecheck/data/vendors.toml", []
    vendors = _read_vendors(data, locator, path, problems)
    processors = []
    for index, item in enumerate(data.get("processor", [])):
        record = _validate(_ProcessorRecord, item, path, locator, "processor", index, problems)
        if record is not None:
            processors.append(Processor(record.name, tuple(record.prefixes), record.kind))
    vocab = _validate(_VocabularyRecord, data.get("vocabulary", {}), path, locator, "vocabulary", None, problems)
    cuts = _validate(_SegmentsRecord, data.get("segments", {}), path, locator, "segments", None, problems)
    raise_problems(problems)
    assert vocab is not None and cuts is not None
    words = Vocabulary(frozenset(vocab.billing), frozenset(vocab.corporate), frozenset(vocab.conflict),
                       frozenset(vocab.places), frozenset(vocab.periods), frozenset(vocab.bank),
                       frozenset(vocab.transfer), frozenset(vocab.streets))
    rules = SegmentRules(tuple(cuts.separators), tuple(cuts.text_fields), tuple(cuts.reference_fields))
    return KnowledgeBase(tuple(vendors), tuple(processors), words, rules)


def _user_files(extra: Path) -> list[Path]:
    if extra.is_dir():
        return sorted(p for p in extra.glob("*.toml") if p.is_file())
    return [extra]


def knowledge_paths(rules: Sequence[Path | str]) -> list[Path]:
    """The files that may hold a user's ``[[vendor]]`` records, for rules given as files/folders.

    Every rules file given, every ``*.toml`` of a rules folder, and the ``vendors.toml``
    beside a rules file: a ``[[vendor]]`` table anywhere in the rules is read, never ignored.
    """
    out: list[Path] = []
    for item in map(Path, rules):
        found = _user_files(item) if item.is_dir() else [item, item.parent / "vendors.toml"]
        out.extend(p for p in found if p.is_file() and p not in out)
    return out


def _merge(base: tuple[KBVendor, ...], added: list[KBVendor]) -> tuple[KBVendor, ...]:
    """Extend shipped vendors with user records of the same name; append the others."""
    vendors = list(base)
    position = {vendor_key(v.name): i for i, v in enumerate(vendors)}
    for new in added:
        at = position.get(vendor_key(new.name))
        if at is None:
            position[vendor_key(new.name)] = len(vendors)
            vendors.append(new)
            continue
        old = vendors[at]
        vendors[at] = replace(
            old, names=old.names + new.names, descriptors=old.descriptors + new.descriptors,
            exclude=old.exclude + new.exclude, parent=new.parent or old.parent,
            category=new.category or old.category, inherit=old.inherit or new.inherit, source=new.source)
    return tuple(vendors)


_SHIPPED: KnowledgeBase | None = None


def load_knowledge(extra: Path | Sequence[Path] | None = None) -> KnowledgeBase:
    """The shipped knowledge base, extended with the user's ``[[vendor]]`` records in ``extra``.

    ``extra`` is a TOML file, a rules folder (its ``*.toml`` files), or a list of them (see
    :func:`knowledge_paths`); only the ``vendor`` key is read here.  Invalid records raise one
    RulesError listing every problem.
    """
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = _parse_shipped()
    if extra is None:
        return _SHIPPED
    problems: list[Problem] = []
    added: list[KBVendor] = []
    items = [extra] if isinstance(extra, (str, Path)) else list(extra)
    for path in (f for item in items for f in _user_files(Path(item))):
        data, locator = read_toml(path)
        added.extend(_read_vendors(data, locator, str(path), problems))
    raise_problems(problems)
    if not added:
        return _SHIPPED
    return replace(_SHIPPED, vendors=_merge(_SHIPPED.vendors, added))
