"""Token-level views of aliases and cleaned descriptors, shared by the matcher's stages.

Input: alias strings as users and the knowledge base write them (``Disney+``, ``HLU*``,
``NortonLifeLock``) and cleaned descriptors from :mod:`chargecheck.match.normalize`.
Output: :class:`Alias` (tokens, joined form, star requirement, camel-case boundaries) and
:class:`Parsed` (tokens with the punctuation around them: a ``*`` before/after, a ``.COM``
after, the processor prefix, the probable city).  Matching works on whole tokens only, so
``HULU`` can never hit inside ``SHULUK`` and ``MAX`` never inside ``MAXWELL``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .knowledge import Processor, Vocabulary
from .normalize import CleanResult

__all__ = ["Alias", "Parsed", "alias_tokens", "make_alias", "parse", "TLDS", "compile_processors", "fix_zero",
           "is_company", "dotted_forms"]

TLDS = frozenset("COM NET ORG US IO TV CO INFO APP AI ME SO LIFE BIZ LY GG FM TO EU UK DE FR NL IE ES IT SE CH "
                 "CA AU JP".split())
_TOKEN = re.compile(r"[A-Z0-9]+|\+")
_ALNUM = re.compile(r"[^A-Za-z0-9]")


def alias_tokens(text: str) -> tuple[str, ...]:
    """Upper-case word tokens of an alias; ``+`` is the word PLUS, apostrophes vanish."""
    # Fold accents like the descriptor cleaning does (CAFÉ and CAFE are one word).
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKC", "".join(ch for ch in text if not unicodedata.combining(ch)))
    text = text.upper().replace("'", "").replace("’", "")
    # "&" is no word on a statement (BARNES & NOBLE reads BARNES, NOBLE), so it is none here.
    text = text.replace("+", " PLUS ").replace("&", " ")
    return tuple(re.findall(r"[A-Z0-9]+", text))


@dataclass(frozen=True)
class Alias:
    """One name a target vendor can appear under, compiled for token matching.

    ``kind`` is ``name`` (a rule's vendor), ``alias`` (a rule's alias), ``knowledge`` (a
    knowledge-base name or descriptor), ``inherited`` (a parent's descriptor), ``product``
    (the descriptor of the vendor a product record belongs to) or ``core`` (a user's name
    without its generic words).  ``star``:
    the descriptor was written ``X*`` and needs a star after it.  ``boundaries``: camel-case
    word starts inside a single-token alias (``NortonLifeLock``), where a truncation may not stop.
    """

    text: str
    tokens: tuple[str, ...]
    target: int
    kind: str
    star: bool = False
    boundaries: frozenset[int] = frozenset()

    @property
    def shared(self) -> bool:
        """A name that bills more than this target: a parent's descriptor (``inherited``), for a
        product record its vendor's (``product``), a brand without its generic words (``core``);
        only the charge's amount says which."""
        return self.kind in ("inherited", "product", "core")

    @property
    def joined(self) -> str:
        """The tokens written together (DISNEYPLUS for ``Disney Plus``)."""
        return "".join(self.tokens)


def make_alias(text: str, target: int, kind: str) -> Alias | None:
    """Compile one alias string; None when it has no letters or digits."""
    tokens = alias_tokens(text)
    if not tokens:
        return None
    plain = _ALNUM.sub("", text)
    bounds = frozenset(i for i in range(1, len(plain)) if plain[i - 1].islower() and plain[i].isupper())
    return Alias(text, tokens, target, kind, text.rstrip().endswith("*"), bounds)


@dataclass(frozen=True)
class Parsed:
    """A cleaned descriptor as tokens plus the punctuation evidence around each token."""

    text: str
    tokens: tuple[str, ...]
    star_after: tuple[bool, ...]
    star_before: tuple[bool, ...]
    domain_after: tuple[bool, ...]
    tld: frozenset[int]
    location: frozenset[int]
    processor: Processor | None = None
    merchant_start: int = 0
    branch: frozenset[int] = frozenset()  # words after a spaced dash: CRUNCH FITNESS - BROOKLYN
    region: str = ""  # the trailing state or country code the cleaning removed (the city slot ended there)
    slot_held: bool = False  # a phone number or URL stood in the city slot: the words before it are the name
    echo: frozenset[int] = frozenset()  # an echoed amount and its currency (4.99 GBP, EUR 12,00)
    after_form: frozenset[int] = frozenset()  # words after a company form that ends the name (B.V. PREAPPROVED …)
    joined_after: frozenset[int] = frozenset()  # words followed by "&": the next word continues the name (MAX & ERMAS)

    @property
    def other_fields(self) -> frozenset[int]:
        """Positions that belong to another field than the merchant's name: echoed amount, words
        after the company form that closes the name."""
        return self.echo | self.after_form


def fix_zero(token: str) -> str:
    """``AD0BE`` → ``ADOBE``: a lone zero among letters is a keying error for the letter O."""
    if "0" in token and token.count("0") == 1 and sum(ch.isdigit() for ch in token) == 1 and sum(ch.isalpha() for ch in token) >= 3:
        return token.replace("0", "O")
    return token


def compile_processors(processors: tuple[Processor, ...]) -> list[tuple[tuple[str, ...], bool, Processor]]:
    """Processor prefixes as (tokens, needs a star, processor), longest first."""
    out = [(alias_tokens(p), p.rstrip().endswith("*"), proc) for proc in processors for p in proc.prefixes]
    # Some banks drop the star (PAYPAL NETFLIX): a long processor name is recognised without it.
    out += [(tokens, False, proc) for tokens, star, proc in out if star and len("".join(tokens)) >= 6]
    return sorted((o for o in out if o[0]), key=lambda o: (-len(o[0]), not o[1]))


_FIRSTS: dict[int, tuple[list, frozenset[str]]] = {}


def _first_tokens(processors: list[tuple[tuple[str, ...], bool, Processor]]) -> frozenset[str]:
    """The first words of all processor prefixes (a cheap test before trying each prefix)."""
    hit = _FIRSTS.get(id(processors))
    if hit is None or hit[0] is not processors:
        hit = _FIRSTS[id(processors)] = (processors, frozenset(p[0][0] for p in processors))
    return hit[1]


def _processor_at(tokens: tuple[str, ...], star_after: tuple[bool, ...], at: int,
                  processors: list[tuple[tuple[str, ...], bool, Processor]]) -> tuple[Processor | None, int]:
    """The processor whose prefix starts at token ``at``, and the token after it."""
    n = len(tokens)
    if at and tokens[at] not in _first_tokens(processors):
        return None, at
    for prefix, star, proc in processors:
        size = len(prefix)
        if n > at + size and tokens[at: at + size] == prefix and (not star or star_after[at + size - 1]):
            return proc, at + size
    return None, at


def _echoed_amount(tokens: tuple[str, ...], gaps: list[str]) -> frozenset[int]:
    """An amount written in the text with its currency code beside it, by form alone: digits,
    a point or comma, two digits, and a three-letter word just before or after (4.99 GBP,
    EUR 12,00).  A processor echoes the charge (DRI*KASPERSKY LAB IRL 4.99 GBP)."""
    out: set[int] = set()
    for i in range(len(tokens) - 1):
        if not (tokens[i].isdigit() and gaps[i] in (".", ",") and len(tokens[i + 1]) == 2 and tokens[i + 1].isdigit()):
            continue
        code = [j for j in (i - 1, i + 2) if 0 <= j < len(tokens) and len(tokens[j]) == 3 and tokens[j].isalpha()]
        if code:
            out.update((i, i + 1, code[-1]))
    return frozenset(out)


def _after_company_form(tokens: tuple[str, ...], start: int, corporate: frozenset[str]) -> frozenset[int]:
    """Words after the first company form that closes a name (NETFLIX INTERNATIONAL B.V. | PREAPPROVED
    PAYMENT …): a wallet's payment type or a remittance text, another field than the merchant's."""
    if not corporate:
        return frozenset()
    dotted = dotted_forms(tokens, corporate)
    for i in range(start + 1, len(tokens) - 1):
        if (tokens[i] in corporate and len(tokens[i]) > 1) or (i in dotted and i + 1 not in dotted):
            return frozenset(range(i + 1, len(tokens)))
    return frozenset()


def parse(clean: CleanResult, processors: list[tuple[tuple[str, ...], bool, Processor]],
          lead: frozenset[str] = frozenset(), streets: tuple[str, ...] = (),
          corporate: frozenset[str] = frozenset()) -> Parsed:
    """Tokenize a cleaned descriptor and record stars, domains, processor and city tokens.

    ``lead``: bank wording (``SEPA LASTSCHRIFT``, ``PRLV SEPA``, ``CB``, ``VIS``) that may stand
    before the merchant; a leading run of it is skipped like a processor prefix.  ``streets``:
    endings of street names (STRASSE, GATAN); one followed by a house number starts an address.
    ``corporate``: company forms (GMBH, LTD, BV); the first one after the name closes the name field.
    """
    text = clean.text
    spans = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    tokens = tuple("PLUS" if tok == "+" else fix_zero(tok) for tok, _, _ in spans)
    n = len(tokens)
    gaps = [text[spans[i][2]: spans[i + 1][1]] if i + 1 < n else text[spans[i][2]:] for i in range(n)]
    star_after = tuple("*" in gap for gap in gaps)
    star_before = tuple(i > 0 and star_after[i - 1] for i in range(n))
    domain_after = tuple(i + 1 < n and gaps[i] == "." and tokens[i + 1] in TLDS for i in range(n))
    tld = frozenset(i + 1 for i in range(n) if domain_after[i])
    location = set()
    if clean.location:
        words = tokens
        size = len(clean.location)
        for i in range(n - size, -1, -1):
            if words[i: i + size] == clean.location:
                location.update(range(i, i + size))
                break
    # A street address after the name (600 TOWNSEND 5TH FLOOR): words after a 3-5 digit number.
    number = next((i for i in range(1, n) if tokens[i].isdigit() and 3 <= len(tokens[i]) <= 5), None)
    if number is not None:
        location.update(range(number + 1, n))
    # A European street and house number (REGERINGSGATAN 19, HAUPTSTR 5): it and the words after.
    street = next((i for i in range(1, n - 1) if tokens[i + 1][:1].isdigit() and len(tokens[i + 1]) <= 4
                   and tokens[i].isalpha() and tokens[i].endswith(streets)), None) if streets else None
    if street is not None:
        location.update(range(street, n))
    processor, start = _merchant_start(tokens, star_after, processors, lead)
    # A spaced dash sets off what follows from the name: a club, branch or plan (T-MOBILE has none).
    dash = max((i for i in range(n - 1) if gaps[i] != gaps[i].strip() and gaps[i].strip() == "-"), default=None)
    branch = frozenset(range(dash + 1, n)) if dash is not None else frozenset()
    held = any(name in ("phone number", "help URL") for name, _ in clean.steps)
    return Parsed(text, tokens, star_after, star_before, domain_after, tld, frozenset(location), processor, start,
                  branch, clean.region, held, _echoed_amount(tokens, gaps), _after_company_form(tokens, start, corporate),
                  frozenset(i for i in range(n) if "&" in gaps[i]))


def _merchant_start(tokens: tuple[str, ...], star_after: tuple[bool, ...],
                    processors: list[tuple[tuple[str, ...], bool, Processor]],
                    lead: frozenset[str]) -> tuple[Processor | None, int]:
    """The processor billing for the merchant, if any, and the merchant's first token: after
    the processor prefix, a leading run of bank wording, or an unknown short ``X*`` prefix."""
    n = len(tokens)
    processor, start = _processor_at(tokens, star_after, 0, processors)
    skip = 0
    while processor is None and lead and skip < n - 1 and not star_after[skip]:
        # Bank wording, and the card or booking number inside it (CARTE X4521 SPOTIFY).
        token = tokens[skip]
        if not (token in lead or (skip and any(ch.isdigit() for ch in token))):
            break
        skip += 1
        processor, start = _processor_at(tokens, star_after, skip, processors)
    if processor is None:
        start = skip
    if processor is None and n > start + 1 and star_after[start] and len(tokens[start]) <= 4:
        start += 1  # an unknown short billing prefix (MTCH*, LTF*, IC*): not the merchant's words
    return processor, start


def dotted_forms(tokens: tuple[str, ...], corporate: frozenset[str]) -> frozenset[int]:
    """Positions of single letters that spell a company form when read joined (B V, S A R L)."""
    out: set[int] = set()
    start = None
    for i, token in enumerate(tokens + ("",)):
        if len(token) == 1 and token.isalpha():
            start = i if start is None else start
            continue
        if start is not None and i - start > 1 and "".join(tokens[start:i]) in corporate:
            out.update(range(start, i))
        start = None
    return frozenset(out)


def is_company(parsed: Parsed, vocabulary: Vocabulary) -> bool:
    """Does this text read as a company, a processor or bank wording rather than a person?

    A company form (GmbH, Ltd, and dotted ones read joined: B.V., S.A R.L., S.C.A.), a known
    processor prefix, or no content word outside the neutral vocabulary.
    """
    tokens, corporate = parsed.tokens, vocabulary.corporate
    if parsed.processor is not None or dotted_forms(tokens, corporate):
        return True
    if any(token in corporate and len(token) > 1 for token in tokens):
        return True
    return all(t in vocabulary.neutral or any(ch.isdigit() for ch in t) or len(t) <= 2 for t in tokens)
