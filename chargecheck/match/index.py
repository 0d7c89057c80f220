"""Compiling target vendors and indexing their words for the matcher.

Input: the knowledge base and ``{vendor: (aliases, excludes)}`` (from cancellations, the bench,
or the whole knowledge base).  Output: :class:`~chargecheck.match.score.Target` records, their
compiled :class:`~chargecheck.match.text.Alias` es, and an :class:`AliasIndex` that says, for
any descriptor word, which alias words it can stand for — exactly, as a truncated prefix
(``NORTONLIFEL``), as a typo (``SPOTIFV``, rapidfuzz ``ratio``), or glued to a channel word
(``SPOTIFYUSA``).  Word lookups are cached, and :meth:`AliasIndex.warm` scores all new words
of a batch in one threaded ``cdist``: the vocabulary of a statement is small even when its
rows are many.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .decision import MethodKind
from .knowledge import KBVendor, KnowledgeBase
from .score import FUZZY_CUTOFF, FUZZY_MIN_LEN, PREFIX_MIN_LEN, Target
from .text import TLDS, Alias, Parsed, alias_tokens, fix_zero, make_alias

__all__ = ["compile_targets", "AliasIndex"]

_WORDS = re.compile(r"[A-Z0-9]+")
_LETTERS = re.compile(r"[A-Z]{2,}")
# Words a name may be glued to on a statement: SPOTIFYUSA, NETFLIXCOM, PRIMEVIDEO.
_GLUED_TAILS = frozenset("COM NET ORG US USA INC LLC PLUS PREMIUM PRO TV APP MEMBERSHIP SUBSCRIPTION ONLINE "
                         "DIGITAL MUSIC VIDEO".split())
_GLUED_ENDINGS = tuple(sorted(_GLUED_TAILS))  # for one str.endswith before trying each split
# Descriptor words remembered between batches; reference numbers are words too, so a long
# stream of them would otherwise grow the cache without end (a card statement holds ~5,000).
TOKEN_CACHE_LIMIT = 200_000


def _upper(text: str) -> str:
    return " ".join(str(text).upper().split())


def _resolve(kb: KnowledgeBase, vendor: str, aliases: tuple[str, ...]) -> KBVendor | None:
    """The knowledge entry a vendor's name (else one of its aliases) resolves to."""
    for name in (vendor, *aliases):
        if (entry := kb.resolve(name)) is not None:
            return entry
    return None


def _product_of(kb: KnowledgeBase, vendor: str) -> KBVendor | None:
    """The known vendor a record names one product of: ``Kaspersky VPN`` -> Kaspersky (the longest
    leading run of words that is a known vendor's name, with at least one word after it)."""
    words = vendor.split()
    for size in range(len(words) - 1, 0, -1):
        if (entry := kb.resolve(" ".join(words[:size]))) is not None:
            return entry
    return None


def _specs(kb: KnowledgeBase, vendor: str, aliases: tuple[str, ...], entry: KBVendor | None,
           product_of: KBVendor | None = None) -> list[tuple[str, str]]:
    """(text, kind) of every name a target may appear under, the user's first.

    A name that starts with an article (The Guardian, The Washington Post) is also looked for
    without it: banks print GUARDIAN NEWS & MEDIA, WASHINGTON POST.
    """
    specs = [(vendor, "name")] + [(a, "alias") for a in aliases]
    if entry is not None:
        specs += [(n, "knowledge") for n in entry.all_names + entry.descriptors]
        parent = kb.get(entry.parent) if entry.inherit and entry.parent else None
        if parent is not None:
            specs += [(d, "inherited") for d in parent.all_names + parent.descriptors]
    elif product_of is not None:
        specs += [(n, "product") for n in product_of.all_names + product_of.descriptors]
    return specs + [(text[4:], kind) for text, kind in specs if text[:4].casefold() == "the " and text[4:].strip()]


DOMAIN_LABEL_MIN = 6  # shorter labels (ZOOM.US, MAX.COM) are common words


def _domain_label(text: str, alias: Alias | None) -> str | None:
    """``ONEPELOTON`` of ``ONEPELOTON.COM``: a long single-word label before a top-level domain."""
    if alias is None or len(alias.tokens) != 2 or alias.tokens[1] not in TLDS or "." not in text:
        return None
    label = alias.tokens[0]
    return label if len(label) >= DOMAIN_LABEL_MIN and label.isalpha() else None


GENERIC_FAMILIES = 3  # a word in the names of this many unrelated known vendors is generic


def generic_words(kb: KnowledgeBase) -> frozenset[str]:
    """Words that say what kind of thing a vendor sells rather than who it is (FITNESS, PREMIUM,
    MOBILE), computed from the vocabulary itself: the neutral billing vocabulary, and every word
    that occurs in the names of at least :data:`GENERIC_FAMILIES` unrelated knowledge-base vendors
    (a parent and its children are one family: APPLE in Apple Music and Apple TV+ is a brand)."""
    families: dict[str, set[str]] = {}
    for vendor in kb.vendors:
        family = vendor.parent or vendor.name
        for text in vendor.all_names + vendor.descriptors:
            for token in alias_tokens(text):
                families.setdefault(token, set()).add(family)
    counted = {t for t, owners in families.items() if len(owners) >= GENERIC_FAMILIES}
    return frozenset(counted) | kb.vocabulary.neutral


def _core(alias: Alias, generic: frozenset[str]) -> str | None:
    """A user's multi-word name without its generic words (CRUNCH of ``Crunch Fitness``): banks
    often print the brand with another generic word (CRUNCH GYM), or none.  None when nothing,
    or nothing distinctive (four letters or more), is left."""
    if alias.kind not in ("name", "alias") or len(alias.tokens) < 2 or alias.tokens[0] in generic:
        return None  # the brand comes first (CRUNCH Fitness, UBER One); APP STORE … has none
    core = [t for t in alias.tokens if t not in generic]
    if not core or len(core) == len(alias.tokens) or len("".join(core)) < 4 or not any(t.isalpha() for t in core):
        return None
    return " ".join(core)


def compile_targets(kb: KnowledgeBase, vendors: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
                    ) -> tuple[list[Target], list[Alias]]:
    """Targets (one per vendor name) and all their compiled aliases, knowledge base included.

    A user's multi-word name also stands without its generic words (:func:`generic_words`), as
    alias kind ``core``; a match through it alone is one to check (the brand may bill other
    products: UBER of ``Uber One`` also bills trips), flagged for charges of the rule's amount.
    """
    targets: list[Target] = []
    compiled: list[Alias] = []
    generic = generic_words(kb)
    for vendor, (aliases, excludes) in vendors.items():
        index = len(targets)
        entry = _resolve(kb, vendor, aliases)
        product_of = _product_of(kb, vendor) if entry is None else None
        own, seen = [], set()
        for text, kind in _specs(kb, vendor, aliases, entry, product_of):
            alias = make_alias(text, index, kind)
            # A web address names the vendor by its label too: ONEPELOTON.COM bills as ONEPELOTON.
            label = _domain_label(text, alias)
            for alias in (alias, make_alias(label, index, kind) if label else None):
                # The same words from the rule and the knowledge base are one alias (the rule's).
                if alias is not None and (alias.tokens, alias.star) not in seen:
                    seen.add((alias.tokens, alias.star))
                    own.append(alias)
        for alias in list(own):
            core = _core(alias, generic)
            if core is not None and (core_alias := make_alias(core, index, "core")) is not None \
                    and (core_alias.tokens, False) not in seen:
                seen.add((core_alias.tokens, False))
                own.append(core_alias)
        # The vendor's category (dating, antivirus …) and its parent's billing words describe it
        # too: HINGE DATING APP, XBOX GAME PASS MSBILL.INFO.
        extra: set[str] = set()
        if product_of is not None:
            extra.update(alias_tokens(product_of.category))
        if entry is not None:
            extra.update(alias_tokens(entry.category))
            parent = kb.get(entry.parent) if entry.parent else None
            for text in (parent.all_names + parent.descriptors) if parent is not None else ():
                extra.update(alias_tokens(text))
        words = frozenset(t for a in own for t in a.tokens) | extra
        all_excludes = tuple(excludes) + (entry.exclude if entry is not None else ())
        if product_of is not None:
            all_excludes += product_of.exclude
        targets.append(Target(vendor, entry, tuple(_upper(e) for e in all_excludes), words,
                              product_of.name if product_of is not None else None))
        compiled.extend(own)
    return targets, compiled


class AliasIndex:
    """Alias lookups by first word, joined form and single word; per-word match cache."""

    def __init__(self, aliases: list[Alias]) -> None:
        self.by_first: dict[str, list[Alias]] = {}
        self.by_joined: dict[str, list[Alias]] = {}
        self.singles: dict[str, list[Alias]] = {}
        words: set[str] = set()
        for alias in aliases:
            self.by_first.setdefault(alias.tokens[0], []).append(alias)
            words.update(alias.tokens)
            target = self.by_joined if len(alias.tokens) > 1 else self.singles
            target.setdefault(alias.joined, []).append(alias)
        self.words = frozenset(words) | frozenset(self.by_joined)
        self._fuzzy_pool = sorted(w for w in self.words if len(w) >= FUZZY_MIN_LEN and w.isalpha())
        # A truncation may stop anywhere inside a word, but not where a known word ends (DISNEY|PLUS).
        self._prefixes: dict[str, list[str]] = {}
        # A name of several words may also be printed glued and cut (TWITCHINTERA for TWITCH
        # INTERACTIVE), but only a cut inside its last word says more than its first words do.
        for alias in aliases:
            if len(alias.joined) < PREFIX_MIN_LEN + 2:
                continue
            word, glued = alias.joined, len(alias.tokens) > 1
            if glued and not all(t.isalpha() for t in alias.tokens):
                continue
            ends = {sum(len(t) for t in alias.tokens[:k]) for k in range(1, len(alias.tokens))}
            start = len(word) - len(alias.tokens[-1]) + 2 if glued else 0  # two letters into the last word
            for size in range(max(PREFIX_MIN_LEN, (len(word) + 1) // 2, start), len(word)):
                if size not in alias.boundaries and size not in ends and word[:size] not in self.words:
                    self._prefixes.setdefault(word[:size], []).append(word)
        self._cache: dict[str, dict[str, tuple[MethodKind, float]]] = {}

    def _entry(self, token: str, fuzzy: list[tuple[str, float]]) -> dict[str, tuple[MethodKind, float]]:
        out: dict[str, tuple[MethodKind, float]] = {}
        if token in self.words:
            out[token] = (MethodKind.EXACT, 100.0)
        for word, score in sorted(fuzzy, key=lambda h: -h[1])[:5] if fuzzy else ():
            # Same first letter, similar length, and not merely a plural/possessive (NORTONS).
            if word[0] == token[0] and abs(len(word) - len(token)) <= 2 and token not in (word + "S", word + "ES"):
                out[word] = (MethodKind.FUZZY, round(score, 1))
        for word in self._prefixes.get(token, ()):
            out.setdefault(word, (MethodKind.PREFIX, 90.0))
        for size in range(5, len(token) - 1) if token.endswith(_GLUED_ENDINGS) else ():
            head = token[:size]
            if (head in self.singles or head in self.by_joined) and token[size:] in _GLUED_TAILS:
                out.setdefault(head, (MethodKind.COMPOUND, 95.0))
        return out

    def _fuzzy_candidate(self, token: str) -> bool:
        return bool(self._fuzzy_pool) and token not in self.words and len(token) >= FUZZY_MIN_LEN and token.isalpha()

    def token(self, token: str) -> dict[str, tuple[MethodKind, float]]:
        """Alias words this descriptor word can stand for: {alias word: (method, score)}."""
        if (hit := self._cache.get(token)) is not None:
            return hit
        fuzzy = []
        if self._fuzzy_candidate(token):
            fuzzy = [(w, float(sc)) for w, sc, _ in process.extract(
                token, self._fuzzy_pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)]
        hit = self._cache[token] = self._entry(token, fuzzy)
        return hit

    def warm(self, texts: list[str]) -> None:
        """Score every new word of ``texts`` against the alias vocabulary in one threaded cdist."""
        words = {fix_zero(t) for text in texts for t in _WORDS.findall(text)}
        if len(self._cache) > TOKEN_CACHE_LIMIT:
            # A pure cache (a missing word is scored again by ``token``): a stream of millions of
            # distinct merchant names starts it afresh instead of growing ~5 MB per 100,000 rows.
            self._cache.clear()
        new = words - self._cache.keys()
        fuzzy = sorted(t for t in new if self._fuzzy_candidate(t))
        hits: dict[str, list[tuple[str, float]]] = {}
        for at in range(0, len(fuzzy), 4096):
            chunk = fuzzy[at: at + 4096]
            scores = process.cdist(chunk, self._fuzzy_pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                   dtype=np.float32, workers=-1)
            for row, col in zip(*scores.nonzero()):
                hits.setdefault(chunk[row], []).append((self._fuzzy_pool[col], float(scores[row, col])))
        vocabulary, prefixes, cache = self.words, self._prefixes, self._cache
        for token in new:
            fuzzy = hits.get(token)
            if fuzzy is None and token not in vocabulary and token not in prefixes and not token.endswith(_GLUED_ENDINGS):
                cache[token] = {}  # what _entry gives: no exact, fuzzy, prefix or glued reading
            else:
                cache[token] = self._entry(token, fuzzy or [])

    def prefilter(self, texts: list[str]) -> np.ndarray:
        """For each text (upper case, as :func:`~chargecheck.match.normalize.basic_text` gives),
        whether any alias word may occur in it: False means no vendor can match, so the text
        needs no cleaning or parsing.  Vectorised over the texts' words: each distinct word is
        looked up once (fuzzy ones in one ``cdist``), then rows are decided by ``isin``/``any``.
        A word glued to digits (4637NY) also counts by its letters; a ``+`` is the word PLUS.
        """
        if not texts:
            return np.zeros(0, dtype=bool)
        words = pd.Series(texts, dtype=object).str.findall(r"[A-Z0-9]+|\+").explode()
        present = words.dropna()
        vocabulary = list(present.unique())
        readings = {w: fix_zero("PLUS" if w == "+" else w) for w in vocabulary}
        self.warm(list(readings.values()))
        cache = self._cache
        hits = {w for w, r in readings.items()
                if (cache.get(r) if r in cache else self.token(r))
                or (not r.isalpha() and any(self.token(run) for run in _LETTERS.findall(r)))}
        found = present.isin(hits).groupby(level=0).any().reindex(range(len(texts)), fill_value=False)
        if self.singles:  # a one-word alias written as two words (NET FLIX)
            following = words.groupby(level=0).shift(-1)
            pairs = (words + following).dropna()
            found |= pairs.isin(self.singles.keys()).groupby(level=0).any().reindex(range(len(texts)),
                                                                                    fill_value=False)
        return found.to_numpy(dtype=bool)

    def positions(self, parsed: Parsed) -> list[dict[str, tuple[MethodKind, float]]]:
        """Per descriptor word, its alias words; truncations only where the field can end."""
        last = len(parsed.tokens) - 1
        out = []
        for i, token in enumerate(parsed.tokens):
            matches = self.token(token)
            if not (i == last or parsed.star_after[i]):
                matches = {w: how for w, how in matches.items() if how[0] is not MethodKind.PREFIX}
            out.append(matches)
        return out

    def maybe(self, text: str) -> bool:
        """Cheap test: does any word (or pair of words) of a cleaned text stand for an alias word?"""
        tokens = _WORDS.findall(text)
        if "+" in text:
            tokens.append("PLUS")
        cache = self._cache
        for token in tokens:
            token = fix_zero(token)
            hit = cache.get(token)
            if hit is None:
                hit = self.token(token)
            if hit:
                return True
        return any(a + b in self.singles for a, b in zip(tokens, tokens[1:]))

