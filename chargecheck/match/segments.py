"""Descriptions joined from several fields: cutting them into segments and deciding on the segments.

Input: a raw descriptor as an importer built it from several fields — CAMT/MT940 counterparty,
remittance text and additional info joined with `` / ``, OFX NAME and MEMO, a German bank CSV's
``EREF+… MREF+… CRED+… SVWZ+…`` purpose text, a Dutch ``Naam: … Omschrijving: … Kenmerk: …``.
Output: :meth:`Segmenter.split` gives the text segments (reference fields such as mandate and
creditor ids dropped); :func:`decide_segments` turns the per-segment verdicts into one match.

Why: a vendor name that is refused beside the words of *other* fields (``NETFLIX / February``:
"FEBRUARY" is not a word of Netflix) is plain evidence within its own field.  The rules:

* a segment that matches on its own names the vendor, unless a segment holds a word of another
  kind of business or of a transfer between people (conflict and transfer vocabulary);
* a match found only in a later segment (the remittance text) counts only when every earlier
  segment is a company (a company form such as GmbH or B.V., a known processor) or bank wording:
  ``Sony Interactive Entertainment Europe Ltd / PlayStation Plus`` is the vendor's bill, while
  ``Anna Schmidt / Netflix share`` is a person;
* the same vendor named in two segments, one of them a company, is a match even when each
  segment alone was refused for unexplained words (``SPIEGEL-Verlag … GmbH / SPIEGEL+ Digitalabo``);
* two unrelated vendors accepted in different segments are ambiguous and refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .decision import Basis, Decision, Method, MethodKind, Refusal, RefusalKind, decision
from .knowledge import SegmentRules

__all__ = ["Segmenter", "SegmentVerdict", "decide_segments", "render_verdict"]


def _trie(words: list[str]) -> str:
    """One regex alternation of ``words`` shaped as a trie: a scan position is rejected on its
    first character instead of trying every label in turn (the split runs on every descriptor)."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return pattern(tree)


class Segmenter:
    """Cuts a raw descriptor at field separators and structured-field labels."""

    def __init__(self, rules: SegmentRules) -> None:
        self._kind: dict[str, str] = {}
        for kind, marks in (("sep", rules.separators), ("text", rules.text_fields), ("ref", rules.reference_fields)):
            for mark in marks:
                self._kind.setdefault(mark.upper(), kind)
        words = sorted(self._kind)
        # A label that starts with a letter must not start inside a word (XMREF+ is no label).
        inner = [w for w in words if w[:1].isalnum()]
        outer = [w for w in words if not w[:1].isalnum()]
        parts = ([f"(?<![A-Z0-9]){_trie(inner)}"] if inner else []) + ([_trie(outer)] if outer else [])
        self._marks = re.compile("|".join(parts)) if parts else None
        # Only a reference label lets ``reduce`` change a text; this looser test (no word-start
        # check) lets a batch skip the full cut for the many descriptors that hold none.
        refs = sorted(w for w, kind in self._kind.items() if kind == "ref")
        self._refs = re.compile(_trie(refs)) if refs else None

    def _pieces(self, raw: str) -> list[tuple[str, str, str]] | None:
        """(mark, kind, value) runs of ``raw``, the first with an empty mark; None without marks."""
        if self._marks is None:
            return None
        text = str(raw)
        upper = text.upper()
        if len(upper) != len(text):  # ß → SS: keep positions aligned with the raw text
            upper = "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in text)
        pieces: list[tuple[str, str, str]] = []
        mark_text, kind, start = "", "text", 0
        for mark in self._marks.finditer(upper):
            pieces.append((mark_text, kind, text[start: mark.start()]))
            mark_text, kind, start = text[mark.start(): mark.end()], self._kind[mark.group()], mark.end()
        if not pieces:
            return None
        pieces.append((mark_text, kind, text[start:]))
        return pieces

    def split(self, raw: str) -> tuple[str, ...]:
        """The text segments of ``raw`` (reference values dropped); () when there is nothing to cut."""
        pieces = self._pieces(raw)
        if pieces is None:
            return ()
        return tuple(value.strip(" ,.:/-") for _, kind, value in pieces
                     if kind != "ref" and any(ch.isalnum() for ch in value))

    def may_reduce(self, raw: str) -> bool:
        """False when :meth:`reduce` surely returns ``raw`` unchanged (no reference label in it):
        a cheap test for batches.  Non-ASCII text always answers True (its upper case may shift)."""
        if self._refs is None or self._marks is None:
            return False
        return not raw.isascii() or self._refs.search(raw.upper()) is not None

    def may_split(self, raw: str) -> bool:
        """False when :meth:`split` surely gives () (no separator or label in ``raw``): a cheap test."""
        return self._marks is not None and (not raw.isascii() or self._marks.search(raw.upper()) is not None)

    def reduce(self, raw: str) -> str:
        """``raw`` without its reference fields (label and value): a new end-to-end id on every
        debit (``EREF+…``) must not make each row of one payee a new descriptor to match."""
        pieces = self._pieces(raw)
        if pieces is None or all(kind != "ref" for _, kind, _ in pieces):
            return str(raw)
        return " ".join(" ".join(mark + value for mark, kind, value in pieces if kind != "ref").split())


@dataclass(frozen=True)
class SegmentVerdict:
    """One segment as the matcher judged it on its own.

    ``named``: targets whose alias occurs in it and was accepted or refused only for
    unexplained words; ``company``: it reads as a company, a processor or bank wording (a
    counterparty that may bill for a product named in a later segment); ``refusing``: its
    conflict or transfer words.
    """

    text: str
    match: Decision | None  # flagged, or to check (then its target is in ``named`` too)
    named: frozenset[int]
    company: bool
    refusing: frozenset[str]
    reason: str


def _only_vendor(accepted: dict[int, Decision], parent_of: Mapping[int, int | None]) -> int | Refusal:
    """The single target among ``accepted`` (a parent yields to its child), or the refusal."""
    targets = set(accepted)
    targets -= {parent_of[t] for t in targets if parent_of.get(t) in targets}
    if len(targets) == 1:
        return targets.pop()
    names = ", ".join(sorted(accepted[t].match.vendor for t in targets))
    return Refusal(RefusalKind.AMBIGUOUS, f"ambiguous: {names} in different segments")


def decide_segments(verdicts: Sequence[SegmentVerdict], words: Sequence[frozenset[str]],
                    parent_of: Mapping[int, int | None], target_of: Mapping[str, int], cleaned: str
                    ) -> tuple[Decision | None, Refusal | None]:
    """One match from the segments' verdicts, or None with the refusal (see the module docstring).

    A segment's own flagged match names the vendor; when no segment is flagged, one that is to
    check on its own makes the whole description to check (same doubt).

    ``words[t]``: target ``t``'s own words (a refusing word among them is no refusal);
    ``parent_of[t]``: the target that is ``t``'s parent company, if it is a target too;
    ``target_of``: target index by vendor name, in target order.
    """
    vendors = list(target_of)
    accepted: dict[int, Decision] = {}
    for v in verdicts:
        if v.match is not None and v.match.flagged:
            accepted.setdefault(target_of[v.match.match.vendor], v.match)
    twice = False
    if not accepted:
        # The vendor named in two segments, one of them a company (its name and its product).
        named = {t for t in set().union(*(v.named for v in verdicts))
                 if sum(t in v.named for v in verdicts) >= 2 and any(t in v.named and v.company for v in verdicts)}
        accepted = {t: decision(vendors[t], 90.0, vendors[t], Method(MethodKind.SEGMENTS), cleaned) for t in named}
        twice = bool(accepted)
    if not accepted:
        accepted = {target_of[v.match.match.vendor]: v.match for v in verdicts if v.match is not None}
        if not accepted:
            return None, Refusal(RefusalKind.NO_CANDIDATE, "no segment names a target vendor on its own")
    chosen = _only_vendor(accepted, parent_of)
    if isinstance(chosen, Refusal):
        return None, chosen
    refusing = sorted({w for v in verdicts for w in v.refusing} - words[chosen])
    if refusing:
        return None, Refusal(RefusalKind.SEGMENTS, f"segments hold {' '.join(refusing)}: not a merchant's bill")
    first = next(i for i, v in enumerate(verdicts)
                 if chosen in v.named or (v.match and v.match.match.vendor == vendors[chosen]))
    strangers = [v.text for v in verdicts[:first] if not v.company]
    if strangers:
        return None, Refusal(RefusalKind.SEGMENTS, f"{vendors[chosen]} only in the remittance text after "
                             f"{strangers[0]!r}, which is no company")
    found = accepted[chosen]
    method = found.method if twice else found.method.adding(Basis.SEGMENT)
    return found.with_method(method, cleaned), None


def render_verdict(v: SegmentVerdict) -> str:
    """One line for ``explain``: the segment, whether it reads as a company, and its own verdict."""
    kind = " (company or bank wording)" if v.company else ""
    verdict = f"{v.match.match.vendor} ({v.match.match.method})" if v.match else f"no match ({v.reason})"
    refusing = f"; holds {' '.join(sorted(v.refusing))}" if v.refusing else ""
    return f"{v.text}{kind} -> {verdict}{refusing}"
