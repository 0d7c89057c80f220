"""Stage ``match``: attribute cleaned descriptors to the vendors a user cancelled.

Input: recorded cancellations (vendor name, aliases, excludes) and the vendor knowledge base;
descriptors one at a time (:meth:`Matcher.match`) or a transaction table
(:meth:`Matcher.annotate`).  Output: :class:`~chargecheck.model.VendorMatch` (vendor, score,
alias, method, cleaned text) or None; ``annotate`` adds ``cleaned`` and ``match_*`` columns.

Design (see ``match_score`` for the rules of evidence): every target's names, aliases and
knowledge-base descriptors are compiled to token sequences once.  A descriptor is cleaned
(:mod:`chargecheck.match.normalize`), split into tokens, and each token is looked up — exactly,
as a truncated prefix, or as a typo through rapidfuzz — in the alias vocabulary, with a
per-token cache.  Only descriptors that contain an alias token are judged further, and each
distinct descriptor is matched once and joined back to its rows, so a million-row statement
costs about its number of distinct descriptors, not rows × rules.  Ambiguous ties between
unrelated vendors are refused rather than guessed; a child vendor (Xbox) wins over its parent
(Microsoft); a vendor name refused only for unexplained words beside it is accepted on the
rows whose amount equals the cancellation's usual ``amount`` (method ``…+amount``).

A description that importers joined from several fields (CAMT/MT940 ``name / remittance``,
OFX NAME + MEMO, a SEPA ``EREF+ … SVWZ+ …`` purpose) and that does not match as a whole is
cut into segments, each matched on its own (``match_segments`` has the rules).

Modules: ``match_text`` (tokens, processors), ``match_index`` (targets, per-word index),
``match_score`` (candidates and the rules of evidence), ``match_segments`` (joined fields),
``match_explain`` (what ``explain`` prints).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd

from .knowledge import KnowledgeBase, load_knowledge
from .batch import row_results
from .explain import Explanation, explained_candidate
from .index import AliasIndex, compile_targets
from .score import Candidate, Target, find_candidates, judge
from .segments import Segmenter, SegmentVerdict, decide_segments, render_verdict
from .text import Parsed, compile_processors, is_company, parse
from ..model import Cancellation, VendorMatch
from .normalize import CleanResult, clean_steps

__all__ = ["Matcher", "Explanation"]

# Descriptors (and segments) remembered per matcher.  A card statement repeats a few thousand
# merchants, well inside it; a stream of millions of distinct descriptors (an acquirer's feed)
# stops adding at the limit, so memory stays flat over any number of chunks (~650 bytes an
# entry, measured: ~35 MB here, where the former two-million limit allowed ~1.3 GB).
CACHE_LIMIT = 50_000

_MISSING = object()


def _upper(text: str) -> str:
    return " ".join(str(text).upper().split())


def _description_values(table: pd.DataFrame):
    """The ``description`` column as Python strings (an empty column if absent); in a string
    column a missing value stays missing (``match_batch`` reads it as ""; no extra pass)."""
    if "description" not in table:
        return np.array([], dtype=object)
    column = table["description"]
    if isinstance(column.dtype, pd.StringDtype):  # already strings: skip a per-row str() call
        return column.to_numpy(dtype=object)
    return column.astype("object").fillna("").map(str).to_numpy(dtype=object)


class Matcher:
    """Matches descriptors against target vendors (cancellations + their knowledge entries)."""

    def __init__(self, cancellations: Sequence[Cancellation], knowledge: KnowledgeBase | None = None) -> None:
        vendors: dict[str, tuple[list[str], list[str]]] = {}
        amounts: dict[str, set[int]] = {}
        for c in cancellations:
            aliases, excludes = vendors.setdefault(c.vendor, ([], []))
            aliases.extend(a for a in c.aliases if a not in aliases)
            excludes.extend(e for e in c.exclude if e not in excludes)
            if c.amount is not None:
                amounts.setdefault(c.vendor, set()).add(int(abs(c.amount) * 100))
        self._build(knowledge or load_knowledge(), {v: (tuple(a), tuple(e)) for v, (a, e) in vendors.items()})
        self._amounts = {v: frozenset(cents) for v, cents in amounts.items()}

    @classmethod
    def for_vendors(cls, vendors: Mapping[str, Sequence[str]], knowledge: KnowledgeBase | None = None) -> "Matcher":
        """A matcher for ``{vendor: aliases}`` without dates (the bench, subscription discovery)."""
        self = cls.__new__(cls)
        self._build(knowledge or load_knowledge(), {v: (tuple(a), ()) for v, a in vendors.items()})
        return self

    @classmethod
    def for_knowledge(cls, knowledge: KnowledgeBase | None = None) -> "Matcher":
        """A matcher whose targets are every knowledge-base vendor (names recurring charges)."""
        kb = knowledge or load_knowledge()
        return cls.for_vendors({v.name: () for v in kb.vendors}, kb)

    def _build(self, kb: KnowledgeBase, vendors: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        self.knowledge = kb
        self.targets, aliases = compile_targets(kb, vendors)
        self.index = AliasIndex(aliases)
        self._processors = compile_processors(kb.processors)
        self._segmenter = Segmenter(kb.segments)
        self._parse_words = (kb.vocabulary.bank, tuple(sorted(kb.vocabulary.streets)))
        self._target_of = {t.vendor: i for i, t in enumerate(self.targets)}
        names = {t.kb.name: i for i, t in enumerate(self.targets) if t.kb is not None}
        self._parent_of = {i: names.get(t.kb.parent) if t.kb is not None else None for i, t in enumerate(self.targets)}
        self._cache: dict[str, tuple[str, VendorMatch | None]] = {}
        self._by_clean: dict[tuple, VendorMatch | None] = {}
        self._segment_cache: dict[str, SegmentVerdict] = {}
        self._has_excludes = any(t.excludes for t in self.targets)
        self._amounts: dict[str, frozenset[int]] = {}

    def _excluded(self, target: Target, raw: str, cleaned: str) -> str | None:
        upper_raw = _upper(raw)
        return next((e for e in target.excludes if e and (e in upper_raw or e in cleaned)), None)

    def _evaluate(self, clean: CleanResult) -> tuple[VendorMatch | None, Parsed, list[Candidate], str]:
        """Match one cleaned descriptor; also return the evidence ``explain`` shows."""
        parsed = parse(clean, self._processors, *self._parse_words)
        index = self.index
        found = find_candidates(parsed, index.positions(parsed), index.by_first, index.by_joined, index.singles)
        judged = []
        for c in found:
            target = self.targets[c.target]
            same = [i for o in found if o.target == c.target and o is not c for i in range(o.start, o.end)]
            verdict = judge(c, parsed, target, self.knowledge.vocabulary, same)
            if ex := self._excluded(target, clean.raw, clean.text):  # the user's word is final
                verdict = Candidate(c.target, c.alias, c.start, c.end, c.method, c.score, verdict.strong,
                                    f"excluded by rule exclude \"{ex}\"", verdict.merchant)
            judged.append(verdict)
        # One verdict per vendor and span: the best-ranked alias that spells it.
        best: dict[tuple[int, int, int], Candidate] = {}
        for c in judged:
            key = (c.target, c.start, c.end)
            if key not in best or (c.rejected is None, c.rank) > (best[key].rejected is None, best[key].rank):
                best[key] = c
        judged = list(best.values())
        match, reason = self._decide(judged, clean.text)
        return match, parsed, judged, reason

    def _segment_verdict(self, text: str) -> SegmentVerdict:
        """One segment matched on its own, with what the segment rules need to know about it."""
        # Segments repeat far more than whole descriptions (the same payee, new reference ids).
        if (hit := self._segment_cache.get(text)) is not None:
            return hit
        verdict = self._judge_segment(text)
        if len(self._segment_cache) < CACHE_LIMIT:
            self._segment_cache[text] = verdict
        return verdict

    def _judge_segment(self, text: str) -> SegmentVerdict:
        clean = clean_steps(text)
        vocabulary = self.knowledge.vocabulary
        if self.index.maybe(clean.text):
            match, parsed, judged, reason = self._evaluate(clean)
            named = {c.target for c in judged if c.rejected is None or c.soft}
        else:
            match, reason, named = None, "no alias of any target vendor occurs", set()
            parsed = parse(clean, self._processors, *self._parse_words)
        if match is not None:
            named.add(self._target_of[match.vendor])
        refusing = frozenset(t for t in parsed.tokens if t in vocabulary.refusing)
        return SegmentVerdict(clean.text, match, frozenset(named), is_company(parsed, vocabulary), refusing, reason)

    def _by_segments(self, raw: str, cleaned: str) -> tuple[VendorMatch | None, list[SegmentVerdict], str]:
        """A descriptor joined from several fields, matched segment by segment (``match_segments``)."""
        parts = self._segmenter.split(raw)
        if not parts or not any(self.index.maybe(part.upper()) for part in parts):
            return None, [], ""
        verdicts = [self._segment_verdict(part) for part in parts]
        words = [t.words for t in self.targets]
        match, reason = decide_segments(verdicts, words, self._parent_of, self._target_of, cleaned)
        if match is not None and (ex := self._excluded(self.targets[self._target_of[match.vendor]], raw, cleaned)):
            return None, verdicts, f"excluded by rule exclude \"{ex}\""
        return match, verdicts, reason

    def _near_miss(self, judged: list[Candidate], cleaned: str) -> tuple[VendorMatch, ...]:
        """Matches that only a charge's amount can settle, each for one vendor with a usual amount.

        The best candidate refused only for unexplained words; and, when several vendors tie
        on their shared biller's descriptor (APPLE.COM/BILL for Apple TV+ and Apple Music),
        each of them: the amount says which subscription a charge is.
        """
        out = []
        soft = [c for c in judged if c.soft and self.targets[c.target].vendor in self._amounts]
        if soft:
            c = max(soft, key=lambda c: c.rank)
            out.append(VendorMatch(self.targets[c.target].vendor, c.score, c.alias.text, f"{c.method}+amount", cleaned))
        for c in self._biller_tie(judged):
            if self.targets[c.target].vendor in self._amounts:
                out.append(VendorMatch(self.targets[c.target].vendor, c.score, c.alias.text,
                                       f"{c.method}+biller+amount", cleaned))
        return tuple(out)

    def _biller_tie(self, judged: list[Candidate]) -> list[Candidate]:
        """The top candidates when they tie and every one matched only through its parent's
        (a shared biller's) descriptor; otherwise none."""
        accepted = [c for c in judged if c.rejected is None]
        if not accepted:
            return []
        top = max(c.rank for c in accepted)
        tied = [c for c in accepted if c.rank == top]
        vendors = {c.target for c in tied}
        if len(vendors) > 1 and all(c.alias.kind == "inherited" for c in tied):
            return sorted({c.target: c for c in tied}.values(), key=lambda c: c.target)
        return []

    def _decide(self, judged: list[Candidate], cleaned: str) -> tuple[VendorMatch | None, str]:
        best: dict[int, Candidate] = {}
        for c in judged:
            if c.rejected is None and (c.target not in best or c.rank > best[c.target].rank):
                best[c.target] = c
        if not best:
            return None, "no candidate survived" if judged else "no alias of any target vendor occurs"
        # A child vendor (Xbox) beats its parent (Microsoft) on the same descriptor, unless the
        # child only matched through the parent's own descriptors.
        names = {self.targets[t].kb.name: t for t in best if self.targets[t].kb is not None}
        for t, c in list(best.items()):
            kb = self.targets[t].kb
            if kb is not None and kb.parent in names and names[kb.parent] in best:
                loser = t if c.alias.kind == "inherited" else names[kb.parent]
                best.pop(loser, None)
        ranked = sorted(best.values(), key=lambda c: c.rank, reverse=True)
        top = ranked[0]
        tied = [c for c in ranked if c.rank == top.rank]
        # Two rules naming the same knowledge-base vendor (Microsoft, Microsoft 365) are no
        # ambiguity about the merchant: the first rule takes it.  Unrelated vendors are.
        kbs = {id(self.targets[c.target].kb) if self.targets[c.target].kb else c.target for c in tied}
        if len(kbs) == 1:
            top = min(tied, key=lambda c: c.target)
        elif len(tied) > 1:
            names = ", ".join(sorted(self.targets[c.target].vendor for c in tied))
            if all(c.alias.kind == "inherited" for c in tied):
                return None, f"billed through a shared biller for {names}: only a charge's amount can tell which"
            return None, f"ambiguous: {names} match equally well; refusing to guess"
        vendor = self.targets[top.target].vendor
        if top.alias.kind == "inherited":
            # Only the biller's descriptor (APPLE.COM/BILL) names it, and it bills other
            # subscriptions too: with a usual amount, only charges of that amount are this one.
            method = f"{top.method}+biller"
            return VendorMatch(vendor, top.score, top.alias.text, method, cleaned), f"matched {vendor} through its biller"
        return VendorMatch(vendor, top.score, top.alias.text, top.method, cleaned), f"matched {vendor}"

    def _lookup(self, raw: str, clean: CleanResult | None = None
                ) -> tuple[str, VendorMatch | None, tuple[VendorMatch, ...]]:
        """(cleaned text, match, near misses) for one raw descriptor, cached by raw and by cleaned text."""
        key = str(raw)
        if (hit := self._cache.get(key)) is not None:
            return hit
        if clean is None:
            reduced = self._segmenter.reduce(key)
            clean = clean_steps(reduced)
        else:
            reduced = clean.raw
        match, near = None, ()
        if self.index.maybe(clean.text):
            # Excludes look at the raw text too, so only exclude-free targets share by cleaned text.
            ckey = (clean.text, clean.location)
            if self._has_excludes or (found := self._by_clean.get(ckey, _MISSING)) is _MISSING:
                match, _, judged, _ = self._evaluate(clean)
                found = (match, () if match is not None else self._near_miss(judged, clean.text))
                self._by_clean[ckey] = found
            match, near = found
        if match is None and self._segmenter.may_split(reduced):
            match = self._by_segments(reduced, clean.text)[0]
        hit = (clean.text, match, near)
        if len(self._cache) < CACHE_LIMIT:
            self._cache[key] = hit
        return hit

    # ------------------------------------------------------------------ public API
    def match(self, descriptor: str, amount_cents: int | None = None) -> VendorMatch | None:
        """The target vendor this descriptor belongs to, or None (no match, look-alike, tie).

        With ``amount_cents``, a vendor name beside unexplained words still matches when the
        amount equals the cancellation's usual ``amount`` (method ``…+amount``); and a match
        made only through a shared biller's descriptor (method ``…+biller``) holds only for that
        amount, since the biller bills other subscriptions too.
        """
        _, match, near = self._lookup(descriptor)
        if match is not None and amount_cents is not None and not self._amount_fits(match, int(amount_cents)):
            return None
        return match or self._confirm(near, amount_cents)

    def _confirm(self, near: tuple[VendorMatch, ...], amount_cents: int | None) -> VendorMatch | None:
        """The one near miss whose vendor's usual amount is this charge's, if exactly one is."""
        if not near or amount_cents is None:
            return None
        fits = [m for m in near if abs(int(amount_cents)) in self._amounts.get(m.vendor, ())]
        return fits[0] if len({m.vendor for m in fits}) == 1 else None

    def _usual(self, vendor: str) -> str:
        return ", ".join(f"{Decimal(c) / 100:.2f}" for c in sorted(self._amounts[vendor]))

    def _amount_fits(self, match: VendorMatch, amount_cents: int) -> bool:
        """False for a charge a shared biller's descriptor matched whose amount is not the rule's
        usual one (another of that biller's subscriptions); True otherwise."""
        if not match.method.endswith("+biller") or match.vendor not in self._amounts:
            return True
        return abs(amount_cents) in self._amounts[match.vendor]

    def explain(self, descriptor: str) -> Explanation:
        """Every step of matching one descriptor: cleaning, candidates and why, the decision."""
        reduced = self._segmenter.reduce(str(descriptor))
        clean = clean_steps(reduced)
        if reduced != str(descriptor):
            clean = replace(clean, steps=(("reference fields", reduced),) + clean.steps)
        match, parsed, judged, reason = self._evaluate(clean)
        order = sorted(judged, key=lambda c: (c.rejected is not None, [-x for x in c.rank[2:]],
                                               self.targets[c.target].vendor, c.alias.text))
        candidates = tuple(explained_candidate(c, self.targets[c.target].vendor, parsed) for c in order)
        processor = None
        if parsed.processor is not None:
            processor = f"{parsed.processor.name} ({parsed.processor.kind})"
        hint = None
        if match is None and (near := self._near_miss(judged, clean.text)):
            hint = "; ".join(f"a charge of {self._usual(m.vendor)} (the rule's usual amount) would match {m.vendor}"
                             for m in near)
        elif match is not None and match.method.endswith("+biller") and match.vendor in self._amounts:
            hint = (f"its biller bills other subscriptions too: only charges of {self._usual(match.vendor)} "
                    "(the rule's usual amount) count")
        merchant = " ".join(parsed.tokens[parsed.merchant_start:])
        segments: tuple[str, ...] = ()
        if match is None:
            found, verdicts, why = self._by_segments(reduced, clean.text)
            segments = tuple(render_verdict(v) for v in verdicts)
            if found is not None:
                match, reason, hint = found, why, None
            elif verdicts:
                reason = f"{reason}; by segments: {why}"
        return Explanation(str(descriptor), clean.steps, parsed.text, processor, candidates, match, reason, hint,
                           merchant, segments)

    def _confirmed_rows(self, out: pd.DataFrame, results: list, codes) -> dict[int, VendorMatch]:
        """Rows whose descriptor was a near miss and whose amount is the rule's usual amount."""
        if not self._amounts or "amount_cents" not in out or not len(codes):
            return {}
        near_codes = [i for i, r in enumerate(results) if r[2]]
        if not near_codes:
            return {}
        rows = pd.Index(codes).isin(near_codes).nonzero()[0]
        cents = out["amount_cents"].to_numpy()
        found = {int(row): self._confirm(results[codes[row]][2], int(cents[row])) for row in rows}
        return {row: m for row, m in found.items() if m is not None}

    def _biller_misfits(self, out: pd.DataFrame, results: list, codes) -> np.ndarray:
        """Rows matched only through a shared biller's descriptor whose amount is not the rule's."""
        gated = [i for i, r in enumerate(results) if r[1] is not None and not self._amount_fits(r[1], 0)]
        if not gated or "amount_cents" not in out or not len(codes):
            return np.zeros(0, dtype=np.int64)
        rows = pd.Index(codes).isin(gated).nonzero()[0]
        cents = out["amount_cents"].to_numpy()
        return np.array([row for row in rows if not self._amount_fits(results[codes[row]][1], int(cents[row]))],
                        dtype=np.int64)

    def annotate(self, transactions: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``transactions`` with ``cleaned`` and ``match_*`` columns, matched per distinct descriptor.

        With an ``amount_cents`` column, a near miss (the vendor's name beside unexplained
        words) matches on the rows whose amount is the cancellation's usual ``amount``.
        """
        out = transactions.copy(deep=False)  # (copy on write: the new columns are out's alone)
        # Rows of one merchant differ only in the wrapper's date and card reference, an order
        # reference or a SEPA end-to-end id: ``match_batch`` strips those, de-duplicates, and
        # matches each remaining text once (over the CPUs when there are many rows).
        codes, results = row_results(self, _description_values(out))
        matches = [r[1] for r in results]
        columns = {
            "cleaned": ([r[0] for r in results], "str"),
            "match_vendor": ([m.vendor if m else "" for m in matches], "str"),
            "match_score": ([m.score if m else 0.0 for m in matches], "float64"),
            "match_alias": ([m.alias if m else "" for m in matches], "str"),
            "match_method": ([m.method if m else "" for m in matches], "str"),
        }
        for name, (values, dtype) in columns.items():
            # Built once per distinct value, then taken per row (no second pass over the rows).
            column = pd.array(values, dtype=dtype).take(codes) if len(codes) else pd.array([], dtype=dtype)
            out[name] = pd.Series(column, index=out.index, copy=False)
        misfits = self._biller_misfits(out, results, codes)
        if len(misfits):  # another subscription of the same biller: no match (near misses may still apply)
            for name, empty in (("match_vendor", ""), ("match_score", 0.0), ("match_alias", ""), ("match_method", "")):
                out.iloc[misfits, out.columns.get_loc(name)] = empty
        for row, m in self._confirmed_rows(out, results, codes).items():
            for name, value in (("match_vendor", m.vendor), ("match_score", m.score),
                                ("match_alias", m.alias), ("match_method", m.method)):
                out.iloc[row, out.columns.get_loc(name)] = value
        return out
