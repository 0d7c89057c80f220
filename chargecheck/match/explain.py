"""What ``chargecheck explain`` prints: how one descriptor was cleaned and matched.

Input: the evidence :meth:`chargecheck.match.matcher.Matcher.explain` gathered.  Output: an
:class:`Explanation` (frozen) holding :class:`ExplainedCandidate` records; its
:meth:`Explanation.render` is plain text, one fact a line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .decision import Refusal
from .normalize import CONTACT_STEPS, WRAPPER_STEPS
from .score import Candidate
from .text import Parsed
from ..model import VendorMatch

__all__ = ["Explanation", "ExplainedCandidate", "explained_candidate", "descriptor_fields"]

_SOURCES = {"name": "vendor name", "alias": "rule alias", "knowledge": "knowledge base",
            "inherited": "parent's descriptor", "product": "the product's vendor", "core": "rule name without generic words"}


def _removed(steps: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """The words each kind of cleaning step removed: ``wrapper`` (bank wording), ``phone or URL``,
    ``references`` (card, order, store and reference numbers, dates, reference fields)."""
    out: dict[str, list[str]] = {}
    for (_, before), (name, after) in zip(steps, steps[1:]):
        if name.startswith("state/country") or name == "upper case, spacing":  # removes nothing
            continue
        words, kept = before.upper().split(), after.upper().split()
        gone, new = Counter(words) - Counter(kept), Counter(kept) - Counter(words)
        field = "wrapper" if name in WRAPPER_STEPS else "phone or URL" if name in CONTACT_STEPS else "references"
        for word in words:  # in the order they were printed
            if gone[word] > 0:
                gone[word] -= 1
                # A word cut rather than dropped (AMAZON MKTPL*2K4AB12C3 -> MKTPL*): its cut-off end.
                stem = next((w for w in new if new[w] > 0 and word.startswith(w)), "")
                if stem:
                    new[stem] -= 1
                out.setdefault(field, []).append(word[len(stem):])
    return out


def descriptor_fields(parsed: Parsed, steps: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[str, str], ...]:
    """The fields a descriptor was read into, by position and form: the bank's wrapper, processor,
    merchant, the probable city, the state or country code, phone or URL, references, an echoed
    amount and the words of another field after a company form (only the fields present).
    ``steps``: the cleaning steps (what they removed is shown as wrapper, phone or references)."""
    removed = _removed(steps)
    tokens = parsed.tokens
    other = parsed.other_fields | parsed.tld | (parsed.location if not parsed.slot_held else frozenset())
    words = lambda positions: " ".join(tokens[i] for i in sorted(positions))  # noqa: E731
    fields = [
        ("wrapper", " ".join(removed.get("wrapper", ()))),
        ("processor", f"{parsed.processor.name} ({parsed.processor.kind})" if parsed.processor else ""),
        ("before the merchant", words(range(parsed.merchant_start)) if parsed.processor is None else ""),
        ("merchant", words(i for i in range(parsed.merchant_start, len(tokens)) if i not in other)),
        ("city", words(parsed.location) if not parsed.slot_held else ""),
        ("state/country", parsed.region),
        ("phone or URL", " ".join(removed.get("phone or URL", ()))),
        ("references", " ".join(removed.get("references", ()))),
        ("echoed amount", words(parsed.echo)),
        ("after the company form", words(parsed.after_form)),
    ]
    return tuple((name, value) for name, value in fields if value)


@dataclass(frozen=True)
class ExplainedCandidate:
    """One vendor an alias pointed to: which alias, where it came from, which words, the verdict."""

    vendor: str
    score: float
    alias: str
    source: str     # vendor name, rule alias, knowledge base, parent's descriptor
    method: str     # exact, joined, split, compound, prefix, fuzzy
    tokens: str     # the descriptor words the alias matched
    strong: bool
    rejected: Refusal | None

    def render(self) -> str:
        """``Vendor: score …, alias "…" (source), method …, tokens … -> verdict``."""
        head = (f'{self.vendor}: score {self.score:g}, alias "{self.alias}" ({self.source}), '
                f"method {self.method}, tokens {self.tokens}")
        if self.rejected:
            return f"{head} -> rejected: {self.rejected}"
        return f"{head} -> {'strong' if self.strong else 'weak'} evidence"


def explained_candidate(c: Candidate, vendor: str, parsed: Parsed) -> ExplainedCandidate:
    """The person-readable record of one judged candidate."""
    return ExplainedCandidate(vendor, c.score, c.alias.text, _SOURCES[c.alias.kind], c.method.value,
                              " ".join(parsed.tokens[c.start: c.end]), c.strong, c.rejected)


@dataclass(frozen=True)
class Explanation:
    """Raw text, each cleaning step, the cleaned text, candidates with reasons, the decision.

    ``amount_hint`` names the vendor and usual amount that would confirm a near miss.
    """

    raw: str
    steps: tuple[tuple[str, str], ...]
    cleaned: str
    processor: str | None
    candidates: tuple[ExplainedCandidate, ...]
    decision: VendorMatch | None
    reason: str
    amount_hint: str | None = None
    merchant: str = ""  # the words after a processor prefix: the merchant it bills for
    segments: tuple[str, ...] = ()  # a description joined from several fields: each field's verdict
    fields: tuple[tuple[str, str], ...] = ()  # the descriptor's fields (:func:`descriptor_fields`)

    def render(self) -> str:
        """Plain text for a terminal or a test: one step, candidate or decision per line."""
        lines = [f"descriptor: {self.raw}", "cleaning:"]
        lines += [f"  {name}: {text}" for name, text in self.steps]
        lines.append(f"cleaned: {self.cleaned}")
        if self.fields:
            lines.append("fields: " + "; ".join(f"{name}: {value}" for name, value in self.fields))
        if self.processor:
            lines.append(f"billed through: {self.processor}, for: {self.merchant}")
        lines.append("candidates:" if self.candidates else "candidates: none")
        lines += [f"  {c.render()}" for c in self.candidates]
        if self.segments:
            lines.append("segments:")
            lines += [f"  {i}. {text}" for i, text in enumerate(self.segments, 1)]
        if self.decision is None:
            lines.append(f"decision: no match ({self.reason})")
            if self.amount_hint:
                lines.append(f"  {self.amount_hint}")
        else:
            d = self.decision
            lines.append(f'decision: {d.vendor} (score {d.score:g}, alias "{d.alias}", method {d.method})')
            if d.doubt:
                lines.append(f"  to check: {d.doubt}")
        return "\n".join(lines)
