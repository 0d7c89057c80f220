"""Stage ``match``: attribute cleaned descriptors to the vendors a user cancelled.

Input: recorded cancellations (vendor name, aliases, excludes) and the vendor knowledge base;
descriptors one at a time (:meth:`Matcher.match`) or a transaction table
(:meth:`Matcher.annotate`).  Output: :class:`~chargecheck.model.VendorMatch` (vendor, score,
alias, method, cleaned text) or None; ``annotate`` adds ``cleaned`` and ``match_*`` columns.

Design (see ``match_score`` for the rules of evidence): every target's names, aliases and
knowledge-base descriptors are compiled to token sequences once.  A descriptor is cleaned
(:mod:`chargecheck.normalize`), split into tokens, and each token is looked up — exactly,
as a truncated prefix, or as a typo through rapidfuzz — in the alias vocabulary, with a
per-token cache.  Only descriptors that contain an alias token are judged further, and each
distinct descriptor is matched once and joined back to its rows, so a million-row statement
costs about its number of distinct descriptors, not rows × rules.  Ambiguous ties between
unrelated vendors are refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .knowledge import KBVendor, KnowledgeBase, load_knowledge, vendor_key
from .match_explain import Explanation, render_candidate
from .match_score import FUZZY_CUTOFF, FUZZY_MIN_LEN, PREFIX_MIN_LEN, Candidate, Target, find_candidates, judge
from .match_text import Alias, Parsed, fix_zero, alias_tokens, compile_processors, make_alias, parse
from .model import Cancellation, VendorMatch
from .normalize import CleanResult, clean_steps, strip_row_noise

__all__ = ["Matcher", "Explanation"]

_COLUMNS = ("cleaned", "match_vendor", "match_score", "match_alias", "match_method")
_WORDS = re.compile(r"[A-Z0-9]+")
_MISSING = object()
_GLUED_TAILS = frozenset("COM NET ORG US USA INC LLC PLUS PREMIUM PRO TV APP MEMBERSHIP SUBSCRIPTION ONLINE "
                         "DIGITAL MUSIC VIDEO".split())


def _upper(text: str) -> str:
    return " ".join(str(text).upper().split())


class Matcher:
    """Matches descriptors against target vendors (cancellations + their knowledge entries)."""

    def __init__(self, cancellations: Sequence[Cancellation], knowledge: KnowledgeBase | None = None) -> None:
        vendors: dict[str, tuple[list[str], list[str]]] = {}
        for c in cancellations:
            aliases, excludes = vendors.setdefault(c.vendor, ([], []))
            aliases.extend(a for a in c.aliases if a not in aliases)
            excludes.extend(e for e in c.exclude if e not in excludes)
        self._build(knowledge or load_knowledge(), {v: (tuple(a), tuple(e)) for v, (a, e) in vendors.items()})

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

    # ------------------------------------------------------------------ compile targets
    def _resolve(self, vendor: str, aliases: Sequence[str]) -> KBVendor | None:
        for name in (vendor, *aliases):
            if (entry := self.knowledge.resolve(name)) is not None:
                return entry
        return None

    def _build(self, kb: KnowledgeBase, vendors: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        self.knowledge = kb
        self.targets: list[Target] = []
        self.aliases: list[Alias] = []
        for vendor, (aliases, excludes) in vendors.items():
            index = len(self.targets)
            entry = self._resolve(vendor, aliases)
            specs = [(vendor, "name")] + [(a, "alias") for a in aliases]
            if entry is not None:
                specs += [(n, "knowledge") for n in entry.all_names + entry.descriptors]
                parent = kb.get(entry.parent) if entry.inherit and entry.parent else None
                if parent is not None:
                    specs += [(d, "inherited") for d in parent.all_names + parent.descriptors]
                excludes = excludes + entry.exclude
            compiled, seen = [], set()
            for text, kind in specs:
                alias = make_alias(text, index, kind)
                # The same words from the rule and the knowledge base are one alias (the rule's).
                if alias is not None and (alias.tokens, alias.star) not in seen:
                    seen.add((alias.tokens, alias.star))
                    compiled.append(alias)
            # The vendor's category (dating, antivirus …) describes it too: HINGE DATING APP.
            category = set(alias_tokens(entry.category)) if entry is not None else set()
            words = frozenset(t for a in compiled for t in a.tokens) | category
            self.targets.append(Target(vendor, entry, tuple(_upper(e) for e in excludes), words))
            self.aliases.extend(compiled)
        self._index()

    def _index(self) -> None:
        self._processors = compile_processors(self.knowledge.processors)
        self._by_first: dict[str, list[Alias]] = {}
        self._by_joined: dict[str, list[Alias]] = {}
        self._singles: dict[str, list[Alias]] = {}
        words: set[str] = set()
        for alias in self.aliases:
            self._by_first.setdefault(alias.tokens[0], []).append(alias)
            words.update(alias.tokens)
            if len(alias.tokens) > 1:
                self._by_joined.setdefault(alias.joined, []).append(alias)
            else:
                self._singles.setdefault(alias.joined, []).append(alias)
        self._words = frozenset(words) | frozenset(self._by_joined)
        self._fuzzy_pool = sorted(w for w in self._words if len(w) >= FUZZY_MIN_LEN and w.isalpha())
        # A truncation may stop anywhere inside a word, but not where a known word ends (DISNEY|PLUS).
        self._prefixes: dict[str, list[str]] = {}
        for alias in self.aliases:
            if len(alias.tokens) != 1 or len(alias.joined) < PREFIX_MIN_LEN + 2:
                continue
            word = alias.joined
            for size in range(max(PREFIX_MIN_LEN, (len(word) + 1) // 2), len(word)):
                if size not in alias.boundaries and word[:size] not in self._words:
                    self._prefixes.setdefault(word[:size], []).append(word)
        self._token_cache: dict[str, dict[str, tuple[str, float]]] = {}
        self._cache: dict[str, tuple[str, VendorMatch | None]] = {}
        self._by_clean: dict[tuple, VendorMatch | None] = {}
        self._has_excludes = any(t.excludes for t in self.targets)

    # ------------------------------------------------------------------ per token, per descriptor
    def _token_entry(self, token: str, fuzzy: list[tuple[str, float]]) -> dict[str, tuple[str, float]]:
        out: dict[str, tuple[str, float]] = {}
        if token in self._words:
            out[token] = ("exact", 100.0)
        for word, score in sorted(fuzzy, key=lambda h: -h[1])[:5]:
            # Same first letter, similar length, and not merely a plural/possessive (NORTONS).
            if word[0] == token[0] and abs(len(word) - len(token)) <= 2 and token not in (word + "S", word + "ES"):
                out[word] = ("fuzzy", round(score, 1))
        for word in self._prefixes.get(token, ()):
            out.setdefault(word, ("prefix", 90.0))
        # A name glued to a channel or company word: SPOTIFYUSA, NETFLIXCOM, PRIMEVIDEO.
        for size in range(5, len(token) - 1):
            if (token[:size] in self._singles or token[:size] in self._by_joined) and token[size:] in _GLUED_TAILS:
                out.setdefault(token[:size], ("compound", 95.0))
        return out

    def _fuzzy_candidate(self, token: str) -> bool:
        return token not in self._words and len(token) >= FUZZY_MIN_LEN and token.isalpha()

    def _token_matches(self, token: str) -> dict[str, tuple[str, float]]:
        """Alias words this descriptor word can stand for (cached per distinct word)."""
        if (hit := self._token_cache.get(token)) is not None:
            return hit
        fuzzy = []
        if self._fuzzy_candidate(token) and self._fuzzy_pool:
            fuzzy = [(w, float(sc)) for w, sc, _ in process.extract(
                token, self._fuzzy_pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)]
        hit = self._token_cache[token] = self._token_entry(token, fuzzy)
        return hit

    def _warm(self, texts: list[str]) -> None:
        """Score every new word of ``texts`` against the alias vocabulary in one threaded cdist."""
        new = {fix_zero(t) for text in texts for t in _WORDS.findall(text)} - self._token_cache.keys()
        fuzzy = sorted(t for t in new if self._fuzzy_candidate(t)) if self._fuzzy_pool else []
        hits: dict[str, list[tuple[str, float]]] = {}
        for at in range(0, len(fuzzy), 4096):
            chunk = fuzzy[at: at + 4096]
            scores = process.cdist(chunk, self._fuzzy_pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                   dtype=np.float32, workers=-1)
            for row, col in zip(*scores.nonzero()):
                hits.setdefault(chunk[row], []).append((self._fuzzy_pool[col], float(scores[row, col])))
        for token in new:
            self._token_cache[token] = self._token_entry(token, hits.get(token, []))

    def _positions(self, parsed: Parsed) -> list[dict[str, tuple[str, float]]]:
        last = len(parsed.tokens) - 1
        out = []
        for i, token in enumerate(parsed.tokens):
            matches = self._token_matches(token)
            if not (i == last or parsed.star_after[i]):
                matches = {w: how for w, how in matches.items() if how[0] != "prefix"}
            out.append(matches)
        return out

    def _excluded(self, target: Target, raw: str, cleaned: str) -> str | None:
        upper_raw = _upper(raw)
        return next((e for e in target.excludes if e and (e in upper_raw or e in cleaned)), None)

    def _maybe(self, text: str) -> bool:
        """Cheap test: does any word (or pair of words) of the cleaned text stand for an alias word?"""
        tokens = _WORDS.findall(text)
        if "+" in text:
            tokens.append("PLUS")
        cache = self._token_cache
        for token in tokens:
            token = fix_zero(token)
            hit = cache.get(token)
            if hit is None:
                hit = self._token_matches(token)
            if hit:
                return True
        return any(a + b in self._singles for a, b in zip(tokens, tokens[1:]))

    def _evaluate(self, clean: CleanResult) -> tuple[VendorMatch | None, Parsed, list[Candidate], str]:
        """Match one cleaned descriptor; also return the evidence ``explain`` shows."""
        parsed = parse(clean, self._processors)
        positions = self._positions(parsed)
        found = find_candidates(parsed, positions, self._by_first, self._by_joined, self._singles)
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
            return None, f"ambiguous: {names} match equally well; refusing to guess"
        vendor = self.targets[top.target].vendor
        return VendorMatch(vendor, top.score, top.alias.text, top.method, cleaned), f"matched {vendor}"

    def _lookup(self, raw: str, clean: CleanResult | None = None) -> tuple[str, VendorMatch | None]:
        """(cleaned text, match) for one raw descriptor, cached by raw text and by cleaned text."""
        key = str(raw)
        if (hit := self._cache.get(key)) is not None:
            return hit
        clean = clean or clean_steps(key)
        match = None
        if self._maybe(clean.text):
            # Excludes look at the raw text too, so only exclude-free targets share by cleaned text.
            ckey = (clean.text, clean.location)
            if self._has_excludes or (found := self._by_clean.get(ckey, _MISSING)) is _MISSING:
                found = self._evaluate(clean)[0]
                self._by_clean[ckey] = found
            match = found
        hit = (clean.text, match)
        if len(self._cache) < 2_000_000:
            self._cache[key] = hit
        return hit

    # ------------------------------------------------------------------ public API
    def match(self, descriptor: str) -> VendorMatch | None:
        """The target vendor this descriptor belongs to, or None (no match, look-alike, tie)."""
        return self._lookup(descriptor)[1]

    def explain(self, descriptor: str) -> Explanation:
        """Every step of matching one descriptor: cleaning, candidates and why, the decision."""
        clean = clean_steps(str(descriptor))
        match, parsed, judged, reason = self._evaluate(clean)
        steps = clean.steps
        lines = tuple(render_candidate(c, self.targets[c.target].vendor, parsed) for c in
                      sorted(judged, key=lambda c: (c.rejected is not None, [-x for x in c.rank[2:]],
                                                    self.targets[c.target].vendor, c.alias.text)))
        processor = None
        if parsed.processor is not None:
            processor = f"{parsed.processor.name} ({parsed.processor.kind})"
        return Explanation(str(descriptor), steps, parsed.text, processor, lines, match, reason)

    def annotate(self, transactions: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``transactions`` with ``cleaned`` and ``match_*`` columns, matched per distinct descriptor."""
        out = transactions.copy()
        descriptions = out["description"].astype("object").fillna("") if "description" in out else pd.Series([], dtype=object)
        codes, uniques = pd.factorize(descriptions.map(str), sort=False)
        # Rows of one merchant differ only in the wrapper's date and card reference: strip
        # those cheaply, de-duplicate again, and clean and match each remaining text once.
        inner_codes, inner = pd.factorize(pd.Series([strip_row_noise(v) for v in uniques], dtype=object), sort=False)
        cleans = [clean_steps(value) for value in inner]
        self._warm([c.text for c in cleans])
        inner_results = [self._lookup(value, clean) for value, clean in zip(inner, cleans)]
        results = [inner_results[code] for code in inner_codes]
        cleaned = [r[0] for r in results]
        matches = [r[1] for r in results]
        columns = {
            "cleaned": (cleaned, "str"),
            "match_vendor": ([m.vendor if m else "" for m in matches], "str"),
            "match_score": ([m.score if m else 0.0 for m in matches], "float64"),
            "match_alias": ([m.alias if m else "" for m in matches], "str"),
            "match_method": ([m.method if m else "" for m in matches], "str"),
        }
        for name, (values, dtype) in columns.items():
            column = pd.Series(values, dtype=dtype).take(codes) if len(codes) else pd.Series([], dtype=dtype)
            out[name] = pd.Series(column.to_numpy(), index=out.index, dtype=dtype)
        return out
