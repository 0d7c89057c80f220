"""Finding and judging alias occurrences in one parsed descriptor.

Input: a :class:`~chargecheck.match.text.Parsed` descriptor and the compiled targets.
Output: :class:`Candidate` records — every place an alias of a target vendor occurs, how
(``exact`` token run, ``joined`` multi-word alias written as one word, ``split`` one-word
alias written as two, ``compound`` a name glued to a channel word, ``prefix`` truncation,
``fuzzy`` typo), how strong that evidence is, and, when it was rejected, why.

Levels of evidence: *strong* — a billing form (``X*…``, ``X.COM``, ``PROCESSOR*X`` with
nothing after it, or the name alone); *named* — a multi-word name in plain text, kept when
the words after it are explained (a different business appends its kind: BLUE APRON SEWING);
*weak* — one word beside others, a typo, a truncation, anything behind a point-of-sale
processor, kept only when every other word is explained (billing vocabulary, company form,
place, the vendor's own words and category, codes).  Any match is refused when a word names
another kind of business (PIZZA, JEWELRY, FEDERAL CU), whatever the level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from .decision import MethodKind, Refusal, RefusalKind
from .knowledge import KBVendor, Vocabulary
from .text import Alias, Parsed, dotted_forms

__all__ = ["Target", "Candidate", "find_candidates", "judge", "FUZZY_MIN_LEN", "FUZZY_CUTOFF"]

FUZZY_MIN_LEN = 6  # typos are only trusted in long words: SPOTIFV, KASPERKSY, not HULA for HULU
FUZZY_CUTOFF = 85.0
PREFIX_MIN_LEN = 5
SHORT = 3  # aliases of this many characters or fewer need a billing position


@dataclass
class Target:
    """A vendor the matcher looks for: its display name, knowledge entry, words and excludes."""

    vendor: str
    kb: KBVendor | None
    excludes: tuple[str, ...]
    words: frozenset[str]
    product_of: str | None = None  # a product record (Kaspersky VPN): the knowledge vendor that bills it


@dataclass(frozen=True)
class Candidate:
    """One occurrence of a target's alias in a descriptor, with its verdict."""

    target: int
    alias: Alias
    start: int
    end: int
    method: MethodKind
    score: float
    strong: bool = False
    rejected: Refusal | None = None

    merchant: bool = True  # False: the alias only matched the processor prefix (APPLE.COM/BILL X)

    @property
    def soft(self) -> bool:
        """Refused only for unexplained words: a possible match (to check; the usual amount may confirm it)."""
        return self.rejected is not None and self.rejected.soft

    @property
    def rank(self) -> tuple:
        """Sort key: strong before weak, the merchant before its processor, direct before
        inherited, score, then words covered."""
        return (self.strong, self.merchant, not self.alias.shared, self.score, self.end - self.start)


def _worst(a: tuple[MethodKind, float], b: tuple[MethodKind, float]) -> tuple[MethodKind, float]:
    return a if a[1] <= b[1] else b


def _cut_last(parsed: Parsed, at: int, alias: Alias, k: int) -> tuple[MethodKind, float] | None:
    """A multi-word alias whose last word the field cut short (PLANET FIT for PLANET FITNESS)."""
    token, word = parsed.tokens[at], alias.tokens[k]
    cut = at == len(parsed.tokens) - 1 or parsed.star_after[at]
    if k == len(alias.tokens) - 1 and cut and 3 <= len(token) < len(word) and word.startswith(token):
        return (MethodKind.PREFIX, 90.0)
    return None


def find_candidates(parsed: Parsed, positions: list[dict[str, tuple[MethodKind, float]]],
                    by_first: dict[str, list[Alias]], by_joined: dict[str, list[Alias]],
                    singles: dict[str, list[Alias]]) -> list[Candidate]:
    """Every run of descriptor tokens that spells an alias (exactly, joined, split or approximately).

    ``positions[i]`` maps alias tokens to (method, score) for descriptor token ``i``.
    """
    tokens, out = parsed.tokens, []
    for i, matches in enumerate(positions):
        for alias_token, how in matches.items():
            for alias in by_first.get(alias_token, ()):
                size = len(alias.tokens)
                if i + size > len(tokens):
                    continue
                method = how
                for k in range(1, size):
                    step = positions[i + k].get(alias.tokens[k]) or _cut_last(parsed, i + k, alias, k)
                    if step is None or (step[0] is MethodKind.PREFIX and k < size - 1):
                        method = None
                        break
                    method = _worst(method, step)
                if method is None or (method[0] is MethodKind.PREFIX and size > 1 and how[0] is MethodKind.PREFIX):
                    continue
                out.append(Candidate(alias.target, alias, i, i + size, method[0], method[1]))
            for alias in by_joined.get(alias_token, ()):
                out.append(Candidate(alias.target, alias, i, i + 1,
                                     MethodKind.JOINED if how[0] is MethodKind.EXACT else how[0], how[1]))
        if i + 1 < len(tokens) and not parsed.star_after[i]:
            for alias in singles.get(tokens[i] + tokens[i + 1], ()):
                out.append(Candidate(alias.target, alias, i, i + 2, MethodKind.SPLIT, 95.0))
    return out


def _strength(c: Candidate, parsed: Parsed, content: list[int], biller: int) -> tuple[str, Refusal | None]:
    """(level, reason to refuse) for one occurrence, from its form and position.

    Levels: ``strong`` (a billing form: ``X*…``, ``X.COM``, ``PROCESSOR*X`` alone, or nothing
    else in the descriptor), ``named`` (a multi-word name in plain text: the words after it
    must be explained, since a different business appends its kind — BLUE APRON SEWING), and
    ``weak`` (one word, a typo, a truncation: every other word must be explained).
    """
    alias, last = c.alias, c.end - 1
    if alias.star and not parsed.star_after[last]:
        return "weak", Refusal(RefusalKind.NEEDS_STAR, f"{alias.text} needs a '*' after it")
    # Alone: nothing else but codes, or short words after it (a word before it, however short,
    # makes it part of another name: W W NORTON).
    alone = not content and all(parsed.tokens[i].isdigit() for i in range(biller, c.start))
    structural = parsed.star_after[last] or parsed.domain_after[last] or alone
    multi = len(alias.tokens) > 1 or c.method is MethodKind.JOINED
    if c.method in (MethodKind.FUZZY, MethodKind.SPLIT):
        level = "weak"
    elif structural:
        level = "strong"
    elif multi:
        level = "named" if c.method is not MethodKind.PREFIX else "weak"
    elif c.start == parsed.merchant_start or parsed.star_before[c.start]:
        level = "weak"  # the merchant's first word: every other word must be explained
    elif len(alias.joined) <= SHORT:
        return "weak", Refusal(RefusalKind.SHORT_ALIAS,
                               f"short alias {alias.text} only counts first or in a billing position (X*, X.COM)")
    elif len(alias.joined) >= 5:
        level = "weak"
    else:
        return "weak", Refusal(RefusalKind.SHORT_ALIAS, f"short alias {alias.text} is not the merchant name here")
    if parsed.processor is not None and parsed.processor.kind == "pos":
        level = "weak"  # a point-of-sale processor bills shop counters, not online subscriptions
    return level, None


def _explained(token: str, words: frozenset[str], neutral: frozenset[str], cut: bool) -> bool:
    if token in words or token in neutral:
        return True
    # The plural of a neutral word (CLUBS, LICENCES); short stems excluded (NEWS is not NEW).
    if len(token) >= 5 and token.endswith("S") and token[:-1] in neutral:
        return True
    if len(token) >= PREFIX_MIN_LEN and any(
            abs(len(w) - len(token)) <= 2 and fuzz.ratio(token, w) >= FUZZY_CUTOFF for w in words):
        return True
    if _compound(token, neutral) or any(_abbreviates(token, w) for w in words):
        return True
    # The descriptor field ends mid-word (PREM, SUBSCR, SECURI): a prefix of a known word.
    return cut and len(token) >= 2 and any(w.startswith(token) for w in words | neutral)


@lru_cache(maxsize=65536)
def _compound(token: str, neutral: frozenset[str]) -> bool:
    """A word glued from two neutral words, maybe with a linking S/ES: MONATSABO, JAHRESABO,
    MAANDABONNEMENT, MITGLIEDSBEITRAG (German and Dutch write bill words as one)."""
    for k in range(3, len(token) - 2):
        head, tail = token[:k], token[k:]
        if tail in neutral and (head in neutral or (head[-1] == "S" and head[:-1] in neutral)
                                or (head.endswith("ES") and head[:-2] in neutral)):
            return True
    return False


def _abbreviates(token: str, word: str) -> bool:
    """ADBL for AUDIBLE, NFLX for NETFLIX: the word's first letter, then some of its consonants in
    order (a skeleton; a word with vowels, STORE beside STORAGE, is a word of its own)."""
    if len(token) < 4 or len(token) >= len(word) or token[0] != word[0] or not token.isalpha():
        return False
    if any(ch in "AEIOUY" for ch in token[1:]):
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in token[1:])


def _context_refusal(c: Candidate, parsed: Parsed, target: Target, vocabulary: Vocabulary,
                     content: list[int], biller: int, level: str) -> Refusal | None:
    """Why a named or weak occurrence is refused because of the words around it, or None."""
    tokens, last = parsed.tokens, len(parsed.tokens) - 1
    # Card networks print the name, then the city, then a state or country code: whatever stands
    # between the name and that code is the city, known or not (NORTONLIFELOCK BURLINGTON MA),
    # unless a phone number or URL held the city slot.  Right after a one-word name, though, an
    # unknown word is as likely the rest of another business's name (HINGE HEALTH, NORTON
    # SHORES MI): it stays unexplained, which makes the match one to check, not a flag.
    city = parsed.location
    if parsed.region and not parsed.slot_held:
        # The name goes on across an ampersand (MAX & ERMAS COLUMBUS OH): the slot starts after it.
        slot = next((k for k in range(c.end, len(tokens)) if k - 1 not in parsed.joined_after), len(tokens))
        city = city | frozenset(range(slot, len(tokens)))
    sure_name = level == "named"
    fields = parsed.other_fields
    unexplained = [i for i in content if i not in fields and (i not in city or (i == c.end and not sure_name))
                   and not _explained(tokens[i], target.words, vocabulary.neutral,
                                      i == last or parsed.star_after[i])]
    if level == "named":
        # One unknown word may stand before a name (its owner: VIACOMCBS PARAMOUNT PLUS), and
        # words set off by a spaced dash after the whole name are its club or branch.
        before = [i for i in unexplained if i < c.start]
        unexplained = [i for i in unexplained if i > c.start and not (i >= c.end and i in parsed.branch)]
        unexplained += before if len(before) > 1 else []
    elif len(c.alias.tokens) == 1 and c.start > biller:
        # A one-word name inside another name (W W NORTON & CO): even short words before it count,
        # but not the letters of a dotted company form (NETFLIX B.V. / NETFLIX).
        dotted = dotted_forms(tokens, vocabulary.corporate)
        unexplained += [i for i in range(biller, c.start) if i not in unexplained and i not in parsed.location
                        and not tokens[i].isdigit() and i not in dotted
                        and not _explained(tokens[i], target.words, vocabulary.neutral, False)]
    if unexplained:
        where = " behind a point-of-sale processor" if parsed.processor and parsed.processor.kind == "pos" else ""
        words = " ".join(tokens[i] for i in sorted(unexplained))
        # A whole name beside unknown words, or a one-word name whose only unknown words sit in
        # the city slot, is possibly the vendor: to check.  A one-word name beside another
        # business's words (TIDAL WAVE CAR WASH) is not, unless the charge's amount says so.
        kind = RefusalKind.UNEXPLAINED
        if level == "named":
            kind = RefusalKind.UNEXPLAINED_NAMED
        elif all(i in city for i in unexplained) and not where:
            kind = RefusalKind.CITY_OR_NAME
        return Refusal(kind, f"{level} match{where} beside unexplained words: {words}")
    if level == "weak" and len(c.alias.joined) <= SHORT and not any(
            tokens[i] in target.words or tokens[i] in vocabulary.billing for i in content):
        return Refusal(RefusalKind.SHORT_ALIAS, f"short alias {c.alias.text} needs a word of the vendor or its bill beside it")
    return None


def judge(c: Candidate, parsed: Parsed, target: Target, vocabulary: Vocabulary,
          covered: Iterable[int] = ()) -> Candidate:
    """Decide one occurrence: strength from its form, refusal from the words around it."""
    # Processor words (DRI, PAYPAL) never count against a match; the merchant's words do.
    # Words before a star that precedes the alias name whoever bills for it (AMZN DIGITAL*STARZ).
    biller = c.start if parsed.star_before[c.start] else parsed.merchant_start
    skip = set(range(c.start, c.end)) | set(range(biller)) | set(covered)
    others = [i for i in range(len(parsed.tokens)) if i not in skip]
    tokens = parsed.tokens
    conflict = [tokens[i] for i in others if tokens[i] in vocabulary.refusing and tokens[i] not in target.words]
    content = [i for i in others if i not in parsed.tld and not any(ch.isdigit() for ch in tokens[i])
               and len(tokens[i]) > 2]
    level, refusal = _strength(c, parsed, content, biller)
    if refusal is None and conflict:
        if any(w in vocabulary.transfer for w in conflict):
            refusal = Refusal(RefusalKind.TRANSFER, " ".join(conflict) + ": payroll or a transfer, not a merchant's bill")
        else:
            refusal = Refusal(RefusalKind.LOOK_ALIKE, "look-alike: " + " ".join(conflict) + " names another kind of business")
    if refusal is None and c.alias.kind == "core":
        # A brand without the name's generic words: every other word must be explained, whatever
        # the form (UBER *TRIP is the brand's other business, not Uber One).
        refusal = _context_refusal(c, parsed, target, vocabulary, content, biller, "weak")
        if refusal is not None and refusal.to_check:  # doubtful twice over: no tier without the amount
            refusal = Refusal(RefusalKind.UNEXPLAINED, refusal.text)
    elif refusal is None and level != "strong":
        refusal = _context_refusal(c, parsed, target, vocabulary, content, biller, level)
    strong = level != "weak"
    merchant = c.end > parsed.merchant_start
    return Candidate(c.target, c.alias, c.start, c.end, c.method, c.score, strong, refusal, merchant)
