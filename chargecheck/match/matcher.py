"""Stage ``match``: attribute cleaned descriptors to the vendors a user cancelled.

Input: recorded cancellations (vendor name, aliases, excludes, amount) and the vendor knowledge
base; descriptors one at a time (:meth:`Matcher.match`) or a transaction table
(:meth:`Matcher.annotate`).  Output: :class:`~chargecheck.model.VendorMatch` (vendor, score,
alias, method, cleaned text, tier, doubt) or None; ``annotate`` adds ``cleaned`` and ``match_*``
columns (``match_tier``, ``match_doubt`` among them).

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

Two tiers (:class:`~chargecheck.model.MatchTier`): a confident match is ``FLAGGED``; a possible
one is ``TO_CHECK`` with its ``doubt`` — a whole multi-word name beside unknown words, a one-word
name whose only unknown word stands in the city slot, a shared biller's or a product's parent's
descriptor without the rule's amount, the brand of a name printed without its generic words.
A one-word name beside another business's words, and every look-alike, is neither.

Fields (:func:`chargecheck.match.text.parse`): a descriptor is read by position and form into
processor, merchant, city slot (the words before the trailing state or country code), echoed
amount and currency, and the field after a company form; words of the other fields do not
count against a vendor found in the merchant's.

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
from .explain import Explanation, descriptor_fields, explained_candidate
from .index import AliasIndex, compile_targets, generic_words
from .score import Candidate, Target, find_candidates, judge
from .segments import Segmenter, SegmentVerdict, decide_segments, render_verdict
from .decision import Basis, Decision, Method, MethodKind, Refusal, RefusalKind, decision
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
_NO_ALIAS = Refusal(RefusalKind.NO_ALIAS, "no alias of any target vendor occurs")
_NO_CANDIDATE = Refusal(RefusalKind.NO_CANDIDATE, "no candidate survived")
# Segment refusals that also overrule a doubtful match of the whole text.
_SEGMENT_VETO = (RefusalKind.SEGMENTS, RefusalKind.AMBIGUOUS, RefusalKind.EXCLUDED)


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
        self._parse_words = (kb.vocabulary.bank, tuple(sorted(kb.vocabulary.streets)), kb.vocabulary.corporate)
        self._target_of = {t.vendor: i for i, t in enumerate(self.targets)}
        names = {t.kb.name: i for i, t in enumerate(self.targets) if t.kb is not None}
        self._parent_of = {i: names.get(t.kb.parent) if t.kb is not None else None for i, t in enumerate(self.targets)}
        self._cache: dict[str, tuple[str, Decision | None, tuple[Decision, ...]]] = {}
        self._by_clean: dict[tuple, tuple[Decision | None, tuple[Decision, ...]]] = {}
        self._segment_cache: dict[str, SegmentVerdict] = {}
        self._has_excludes = any(t.excludes for t in self.targets)
        self._amounts: dict[str, frozenset[int]] = {}
        self._generic = generic_words(kb)

    def _excluded(self, target: Target, raw: str, cleaned: str) -> str | None:
        upper_raw = _upper(raw)
        return next((e for e in target.excludes if e and (e in upper_raw or e in cleaned)), None)

    def _evaluate(self, clean: CleanResult) -> tuple[Decision | None, Parsed, list[Candidate], Refusal | None]:
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
                verdict = replace(verdict, rejected=Refusal(RefusalKind.EXCLUDED, f"excluded by rule exclude \"{ex}\""))
            judged.append(verdict)
        # One verdict per vendor and span: the best-ranked alias that spells it.
        best: dict[tuple[int, int, int], Candidate] = {}
        for c in judged:
            key = (c.target, c.start, c.end)
            if key not in best or (c.rejected is None, c.rank) > (best[key].rejected is None, best[key].rank):
                best[key] = c
        judged = list(best.values())
        match, refusal = self._decide(judged, clean.text, parsed.tokens)
        return match, parsed, judged, refusal

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
            match, parsed, judged, refusal = self._evaluate(clean)
            named = {c.target for c in judged if c.rejected is None or c.soft}
            reason = str(refusal) if refusal else ""
        else:
            match, reason, named = None, _NO_ALIAS.text, set()
            parsed = parse(clean, self._processors, *self._parse_words)
        if match is not None:
            named.add(self._target_of[match.match.vendor])
        refusing = frozenset(t for t in parsed.tokens if t in vocabulary.refusing)
        return SegmentVerdict(clean.text, match, frozenset(named), is_company(parsed, vocabulary), refusing, reason)

    def _by_segments(self, raw: str, cleaned: str) -> tuple[Decision | None, list[SegmentVerdict], Refusal | None]:
        """A descriptor joined from several fields, matched segment by segment (``match_segments``)."""
        parts = self._segmenter.split(raw)
        if not parts or not any(self.index.maybe(part.upper()) for part in parts):
            return None, [], None
        verdicts = [self._segment_verdict(part) for part in parts]
        words = [t.words for t in self.targets]
        match, refusal = decide_segments(verdicts, words, self._parent_of, self._target_of, cleaned)
        if match is not None and (ex := self._excluded(self.targets[self._target_of[match.match.vendor]], raw, cleaned)):
            return None, verdicts, Refusal(RefusalKind.EXCLUDED, f"excluded by rule exclude \"{ex}\"")
        return match, verdicts, refusal

    @staticmethod
    def _with_segments(whole: Decision | None, by_segments: Decision | None,
                       refusal: Refusal | None) -> Decision | None:
        """The whole text's decision, unless the segments decide better (a flag beats a doubt), or
        refuse it outright (a person before the vendor's name, another business's words)."""
        if by_segments is not None and (whole is None or (by_segments.flagged and not whole.flagged)):
            return by_segments
        if whole is not None and not whole.flagged and refusal is not None and refusal.kind in _SEGMENT_VETO:
            return None
        return whole

    def _near_miss(self, judged: list[Candidate], cleaned: str) -> tuple[Decision, ...]:
        """Matches that only a charge's amount can settle, each for one vendor with a usual amount.

        The best candidate refused only for unexplained words; and, when several vendors tie
        on their shared biller's descriptor (APPLE.COM/BILL for Apple TV+ and Apple Music),
        each of them: the amount says which subscription a charge is.
        """
        out = []
        soft = [c for c in judged if c.soft and self.targets[c.target].vendor in self._amounts]
        if soft:
            c = max(soft, key=lambda c: c.rank)
            out.append(decision(self.targets[c.target].vendor, c.score, c.alias.text,
                                Method(c.method, (Basis.AMOUNT,)), cleaned))
        for c in self._biller_tie(judged):
            if self.targets[c.target].vendor in self._amounts:
                out.append(decision(self.targets[c.target].vendor, c.score, c.alias.text,
                                    Method(c.method, (_shared_basis(c), Basis.AMOUNT)), cleaned))
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
        if len(vendors) > 1 and all(c.alias.shared for c in tied):
            return sorted({c.target: c for c in tied}.values(), key=lambda c: c.target)
        return []

    def _same_vendor(self, tied: list[Candidate]) -> bool:
        """Do the tied candidates name one knowledge-base vendor (Microsoft, Microsoft 365)?"""
        return len({id(self.targets[c.target].kb) if self.targets[c.target].kb else c.target for c in tied}) == 1

    def _doubtful(self, judged: list[Candidate], cleaned: str, tokens: Sequence[str] = ()) -> tuple[Decision | None, Refusal]:
        """No candidate was accepted: the best one refused only for words beside the name is a
        match to check (with that refusal as the doubt); otherwise no match."""
        refusal = _NO_CANDIDATE if judged else _NO_ALIAS
        soft = [c for c in judged if c.rejected is not None and c.rejected.to_check]
        if not soft:
            return self._last_chance(judged, cleaned, tokens), refusal
        top = max(c.rank for c in soft)
        tied = [c for c in soft if c.rank == top]
        if not self._same_vendor(tied):
            return None, refusal
        c = min(tied, key=lambda c: c.target)
        method = Method(c.method, (_shared_basis(c),) if c.alias.shared else ())
        return decision(self.targets[c.target].vendor, c.score, c.alias.text, method, cleaned, str(c.rejected)), refusal

    def _distinctive(self, c: Candidate) -> bool:
        """Does the candidate's alias name the vendor by a word of its own (five letters or more,
        not a generic word such as FITNESS, MOBILE, CLUB)?"""
        return len(c.alias.joined) >= 5 and any(t not in self._generic for t in c.alias.tokens)

    def _last_chance(self, judged: list[Candidate], cleaned: str, tokens: Sequence[str]) -> Decision | None:
        """Nothing else matched: a distinctive name of one vendor found in the merchant field
        (whole, glued, truncated or misspelt) and refused only for the words beside it, or for a
        missing billing star, is a match to check rather than a miss; the doubt says what was
        found and what was not confirmed.  Look-alikes, transfers, excludes stay refused."""
        found = [c for c in judged if c.rejected is not None and c.merchant and self._distinctive(c)
                 and (c.rejected.kind is RefusalKind.NEEDS_STAR
                      or (c.rejected.kind is RefusalKind.UNEXPLAINED and c.method in _GLUED_FORMS))
                 and (c.method is not MethodKind.PREFIX or _printed_length(c, tokens) >= LAST_CHANCE_PREFIX)]
        if not found:
            return None
        top = max(c.rank for c in found)
        tied = [c for c in found if c.rank == top]
        if not self._same_vendor(tied):
            return None
        c = min(tied, key=lambda c: c.target)
        how = _EVIDENCE[c.method]
        doubt = (f"the name {c.alias.text} appears {how} in {cleaned}; not confirmed by a known descriptor "
                 f"or processor ({c.rejected})")
        method = Method(c.method, (_shared_basis(c),) if c.alias.shared else ())
        return decision(self.targets[c.target].vendor, c.score, c.alias.text, method, cleaned, doubt)

    def _decide(self, judged: list[Candidate], cleaned: str, tokens: Sequence[str] = ()) -> tuple[Decision | None, Refusal | None]:
        # Per vendor, its own names before a shared one (a biller's, the brand alone), then rank.
        best: dict[int, Candidate] = {}
        for c in judged:
            if c.rejected is None and (c.target not in best or _own_first(c) > _own_first(best[c.target])):
                best[c.target] = c
        if not best:
            return self._doubtful(judged, cleaned, tokens)
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
        listed = ", ".join(sorted({self.targets[c.target].vendor for c in tied}))
        if len({c.target for c in tied}) > 1 and all(c.alias.shared for c in tied):
            # Subscriptions billed under one name (APPLE.COM/BILL; a vendor's plans): only a
            # charge's amount can tell which, so without it the match is to check (first rule's name).
            why = f"billed through a shared biller for {listed}: only a charge's amount can tell which"
            first = min(tied, key=lambda c: c.target)
            found = decision(self.targets[first.target].vendor, first.score, first.alias.text,
                             Method(first.method, (_shared_basis(first),)), cleaned, why)
            return found, Refusal(RefusalKind.SHARED_BILLER, why)
        # Two rules naming the same knowledge-base vendor (Microsoft, Microsoft 365) are no
        # ambiguity about the merchant: the first rule takes it.  Unrelated vendors are.
        if self._same_vendor(tied):
            top = min(tied, key=lambda c: c.target)
        elif len(tied) > 1:
            return None, Refusal(RefusalKind.AMBIGUOUS, f"ambiguous: {listed} match equally well; refusing to guess")
        target = self.targets[top.target]
        vendor, doubt = target.vendor, None
        method = Method(top.method)
        if top.alias.kind == "inherited":
            # Only the biller's descriptor (APPLE.COM/BILL) names it, and it bills other
            # subscriptions too: with a usual amount, only charges of that amount are this one.
            method = method.adding(Basis.BILLER)
        elif top.alias.kind == "product":
            # A product record (Kaspersky VPN) billed under its vendor's descriptors: only the
            # rule's amount tells the cancelled plan from the one kept.
            method = method.adding(Basis.PRODUCT)
            if vendor not in self._amounts:
                doubt = (f"{vendor} is one product of {target.product_of}, billed under its name: "
                         "record the plan's amount to tell it from the others")
        elif top.alias.kind == "core":
            # The brand without the name's generic words (UBER of Uber One): it may bill other things.
            method = method.adding(Basis.CORE)
            if vendor not in self._amounts:
                doubt = (f"only the brand {top.alias.text} of {vendor} is printed: it may bill other "
                         "products too; record the usual amount to be sure")
        return decision(vendor, top.score, top.alias.text, method, cleaned, doubt), None

    def _lookup(self, raw: str, clean: CleanResult | None = None
                ) -> tuple[str, Decision | None, tuple[Decision, ...]]:
        """(cleaned text, decision, near misses) for one raw descriptor, cached by raw and by cleaned text."""
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
                found = (match, () if match is not None and match.flagged else self._near_miss(judged, clean.text))
                self._by_clean[ckey] = found
            match, near = found
        if (match is None or not match.flagged) and self._segmenter.may_split(reduced):
            by_segments, _, refusal = self._by_segments(reduced, clean.text)
            match = self._with_segments(match, by_segments, refusal)
        hit = (clean.text, match, near)
        if len(self._cache) < CACHE_LIMIT:
            self._cache[key] = hit
        return hit

    # ------------------------------------------------------------------ public API
    def match(self, descriptor: str, amount_cents: int | None = None) -> VendorMatch | None:
        """The target vendor this descriptor belongs to, or None (no match, look-alike, tie).

        The match's ``tier`` is ``FLAGGED`` (confident) or ``TO_CHECK`` (possible, ``doubt`` says
        why: the name beside words nothing explains, a shared biller without an amount, a product
        record without its amount).  With ``amount_cents``, a possible match is flagged when the
        amount equals the cancellation's usual ``amount`` (method ``…+amount``); and a match made
        only through a shared biller's or a product's parent's descriptor (``…+biller``,
        ``…+product``) holds only for that amount, since that name bills other subscriptions too.
        """
        _, found, near = self._lookup(descriptor)
        return self._for_amount(found, near, amount_cents)

    def _for_amount(self, found: Decision | None, near: tuple[Decision, ...],
                    amount_cents: int | None) -> VendorMatch | None:
        """The decision for a charge of ``amount_cents`` (None: the descriptor alone)."""
        if amount_cents is not None:
            # Near misses exist only where the whole text matched no flag: the amount settles them,
            # even over a match of one segment.
            if (confirmed := self._confirm(near, amount_cents)) is not None:
                return confirmed.match
            if found is not None and not self._amount_fits(found, int(amount_cents)):
                return None
        return found.match if found is not None else None

    def _confirm(self, near: tuple[Decision, ...], amount_cents: int | None) -> Decision | None:
        """The one near miss whose vendor's usual amount is this charge's, if exactly one is."""
        if not near or amount_cents is None:
            return None
        fits = [m for m in near if abs(int(amount_cents)) in self._amounts.get(m.match.vendor, ())]
        return fits[0] if len({m.match.vendor for m in fits}) == 1 else None

    def _usual(self, vendor: str) -> str:
        return ", ".join(f"{Decimal(c) / 100:.2f}" for c in sorted(self._amounts[vendor]))

    def _amount_fits(self, found: Decision, amount_cents: int) -> bool:
        """False for a charge a shared biller's (or a product's parent's) descriptor matched whose
        amount is not the rule's usual one (another of that name's subscriptions); True otherwise."""
        if not found.method.amount_gated or found.match.vendor not in self._amounts:
            return True
        return abs(amount_cents) in self._amounts[found.match.vendor]

    def explain(self, descriptor: str) -> Explanation:
        """Every step of matching one descriptor: cleaning, its fields, candidates and why, the
        decision (the same as :meth:`match` gives for it)."""
        reduced = self._segmenter.reduce(str(descriptor))
        clean = clean_steps(reduced)
        if reduced != str(descriptor):
            clean = replace(clean, steps=(("reference fields", reduced),) + clean.steps)
        found, parsed, judged, refusal = self._evaluate(clean)
        order = sorted(judged, key=lambda c: (c.rejected is not None, [-x for x in c.rank[2:]],
                                               self.targets[c.target].vendor, c.alias.text))
        candidates = tuple(explained_candidate(c, self.targets[c.target].vendor, parsed) for c in order)
        processor = None
        if parsed.processor is not None:
            processor = f"{parsed.processor.name} ({parsed.processor.kind})"
        segments: tuple[str, ...] = ()
        if (found is None or not found.flagged) and self._segmenter.may_split(reduced):
            by_segments, verdicts, why = self._by_segments(reduced, clean.text)
            segments = tuple(render_verdict(v) for v in verdicts)
            chosen = self._with_segments(found, by_segments, why)
            if chosen is None and found is not None and why is not None:  # the segments overrule a doubt
                found, refusal = None, Refusal(why.kind, f"{_NO_CANDIDATE}; by segments: {why}")
            elif chosen is not found:
                found, refusal = chosen, None
            elif verdicts and why is not None:
                refusal = Refusal(refusal.kind if refusal else why.kind,
                                  f"{refusal or 'no match'}; by segments: {why}")
        hint = None
        near = self._near_miss(judged, clean.text) if found is None or not found.flagged else ()
        if near:
            hint = "; ".join(f"a charge of {self._usual(m.match.vendor)} (the rule's usual amount) would match "
                             f"{m.match.vendor}" for m in near)
        elif found is not None and found.method.amount_gated and found.match.vendor in self._amounts:
            hint = (f"its biller bills other subscriptions too: only charges of {self._usual(found.match.vendor)} "
                    "(the rule's usual amount) count")
        if found is not None:
            reason = f"matched {found.match.vendor}" + (f" (to check: {found.match.doubt})" if not found.flagged else "")
        else:
            reason = str(refusal or _NO_CANDIDATE)
        merchant = " ".join(parsed.tokens[parsed.merchant_start:])
        return Explanation(str(descriptor), clean.steps, parsed.text, processor, candidates,
                           found.match if found is not None else None, reason, hint, merchant, segments,
                           descriptor_fields(parsed, (("descriptor", str(descriptor)),) + clean.steps))

    def _confirmed_rows(self, out: pd.DataFrame, results: list, codes) -> dict[int, Decision]:
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

    def _amount_misfits(self, out: pd.DataFrame, results: list, codes) -> np.ndarray:
        """Rows matched only through a shared biller's (or a product's parent's) descriptor whose
        amount is not the rule's."""
        gated = [i for i, r in enumerate(results) if r[1] is not None and not self._amount_fits(r[1], 0)]
        if not gated or "amount_cents" not in out or not len(codes):
            return np.zeros(0, dtype=np.int64)
        rows = pd.Index(codes).isin(gated).nonzero()[0]
        cents = out["amount_cents"].to_numpy()
        return np.array([row for row in rows if not self._amount_fits(results[codes[row]][1], int(cents[row]))],
                        dtype=np.int64)

    def annotate(self, transactions: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``transactions`` with ``cleaned`` and ``match_*`` columns, matched per distinct descriptor.

        ``match_tier`` is ``flagged``, ``to_check`` (``match_doubt`` says why) or empty (no match).
        With an ``amount_cents`` column, a near miss (the vendor's name beside unexplained
        words) is flagged on the rows whose amount is the cancellation's usual ``amount``, and a
        match through a shared biller's or a product's parent's descriptor holds only there.
        """
        out = transactions.copy(deep=False)  # (copy on write: the new columns are out's alone)
        # Rows of one merchant differ only in the wrapper's date and card reference, an order
        # reference or a SEPA end-to-end id: ``match_batch`` strips those, de-duplicates, and
        # matches each remaining text once (over the CPUs when there are many rows).
        codes, results = row_results(self, _description_values(out))
        matches = [r[1].match if r[1] is not None else None for r in results]
        columns = {
            "cleaned": ([r[0] for r in results], "str"),
            "match_vendor": ([m.vendor if m else "" for m in matches], "str"),
            "match_score": ([m.score if m else 0.0 for m in matches], "float64"),
            "match_alias": ([m.alias if m else "" for m in matches], "str"),
            "match_method": ([m.method if m else "" for m in matches], "str"),
            "match_tier": ([m.tier.value if m else "" for m in matches], "str"),
            "match_doubt": ([m.doubt if m else "" for m in matches], "str"),
        }
        for name, (values, dtype) in columns.items():
            # Built once per distinct value, then taken per row (no second pass over the rows).
            column = pd.array(values, dtype=dtype).take(codes) if len(codes) else pd.array([], dtype=dtype)
            out[name] = pd.Series(column, index=out.index, copy=False)
        misfits = self._amount_misfits(out, results, codes)
        if len(misfits):  # another subscription of the same biller: no match (near misses may still apply)
            for name in _MATCH_FIELDS:
                out.iloc[misfits, out.columns.get_loc(name)] = 0.0 if name == "match_score" else ""
        for row, found in self._confirmed_rows(out, results, codes).items():
            for name, value in _match_values(found.match).items():
                out.iloc[row, out.columns.get_loc(name)] = value
        return out


def _own_first(c: Candidate) -> tuple:
    """Sort key among one vendor's accepted candidates: its own names first, then rank."""
    return (not c.alias.shared, c.rank)


def _shared_basis(c: Candidate) -> Basis:
    """What a match through a shared name rests on: its parent's biller, or its product's vendor."""
    return {"product": Basis.PRODUCT, "core": Basis.CORE}.get(c.alias.kind, Basis.BILLER)


# Refusals for words beside a name (not another business's words): a last-chance match to check.
# A one-word name as a whole word beside another business's words is how look-alikes read
# (NORTON AUTO SALES), so only a name glued into a longer word or cut by the field counts.
_GLUED_FORMS = (MethodKind.JOINED, MethodKind.COMPOUND, MethodKind.PREFIX)
_EVIDENCE = {
    MethodKind.EXACT: "as whole words", MethodKind.JOINED: "glued into one word",
    MethodKind.SPLIT: "split in two words", MethodKind.COMPOUND: "glued to another word",
    MethodKind.PREFIX: "truncated", MethodKind.FUZZY: "misspelt", MethodKind.SEGMENTS: "across fields",
}

LAST_CHANCE_PREFIX = 6  # a shorter cut (LIGHT of LIGHTROOM) is a word of its own too often


def _printed_length(c: Candidate, tokens: Sequence[str]) -> int:
    """Letters the descriptor printed for the candidate's words (0 when unknown)."""
    return sum(len(t) for t in tokens[c.start:c.end]) if tokens else 0


_MATCH_FIELDS = ("match_vendor", "match_score", "match_alias", "match_method", "match_tier", "match_doubt")


def _match_values(m: VendorMatch) -> dict[str, object]:
    """One match as the ``match_*`` column values of its row."""
    return dict(zip(_MATCH_FIELDS, (m.vendor, m.score, m.alias, m.method, m.tier.value, m.doubt)))
