"""Stage ``normalize``: turn a bank descriptor into the merchant text a matcher can trust.

Input: a raw descriptor as the statement prints it, e.g.
``RECURRING PAYMENT AUTHORIZED ON 03/01 HULU 877-8244858 CA S331486483301352 CARD 0683``.
Output: the cleaned descriptor, ``HULU``: upper case, bank wording, card suffixes, reference
numbers, phone numbers, dates, store numbers, a merchant's order reference after a star
(``AMAZON MKTPL*RT5YX2KL0`` → ``AMAZON MKTPL*``) and the trailing state code removed.  Processor
prefixes stay recognisable (``DRI*KASPERSKY LAB``; spaces around ``*`` are dropped so every
bank's ``PAYPAL *X`` and ``PAYPAL*X`` look alike) because the matcher uses them as evidence.

:func:`clean_steps` keeps every intermediate text (``chargecheck explain`` shows them) and the
probable city tokens that stood before a removed state code.  The city stays in the text on
purpose: without a gazetteer, "the word before CA" is as often part of the merchant
(``PLANET FITNESS OH``) as a city, so the matcher is told which words may be a city and
does not count them against a match.  :func:`clean_descriptions` cleans a column, each
distinct value once; :func:`strip_row_noise` is the cheap pre-pass that lets rows differing
only in their authorization date, card reference or order reference share one cleaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

__all__ = ["CleanResult", "basic_text", "clean_steps", "WRAPPER_STEPS", "CONTACT_STEPS", "clean_descriptor", "clean_descriptions", "strip_row_noise", "US_REGIONS"]

# US states, DC and territories, Canadian provinces, and the country codes card networks print
# most often after a foreign merchant's city.  "AP"/"AE" (armed forces), "IT", "NO" and "PT"
# are left out on purpose: they end merchant names too often (NORTON AP, HINGE HEALTH PT).
US_REGIONS = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI "
    "AB BC MB NB NL NS ON PE QC SK YT "
    "GB UK IE LU NL SE CH AU NZ SG FR ES BE DK FI AT PL CZ".split()
)
# First word of a two-word city name (SAN JOSE, NEW YORK, LOS GATOS …).
_CITY_FIRST = frozenset(
    "SAN SANTA LOS LAS NEW EL FORT FT ST SAINT PALO PORT MOUNT MT WEST EAST NORTH SOUTH LAKE GRAND "
    "REDWOOD MOUNTAIN CULVER BEVERLY DALY SALT COLORADO JERSEY KANSAS OKLAHOMA CARSON LONG PALM "
    "BATON CORAL OVERLAND SIOUX CEDAR GREEN ROUND CAPE DES DEL LA LE BOCA".split()
)
# Last word of a two-word city name (REDWOOD CITY, MOUNTAIN VIEW, PALM SPRINGS …).
_CITY_LAST = frozenset("CITY VIEW BEACH SPRINGS PARK HEIGHTS HTS FALLS HILLS VALLEY GROVE ISLAND RAPIDS".split())

_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"
# Bank wording in front of the merchant, as (step name, pattern); applied until nothing changes.
_LEADING = [
    ("posting date", rf"{_DATE}\s+"),
    ("authorization wording",
     rf"(?:RECURRING PAYMENT|RECURRING PURCHASE|PURCHASE RETURN|PURCHASE|PAYMENT|RETURN|REFUND|RECURRING)?"
     rf"\s*AUTHORI[ZS]ED ON\s+{_DATE}\s*"),
    ("card wording", r"(?:CHECKCARD|CHECK CARD(?: PURCHASE)?)\s+(?:\d{4}\s+)?"),
    ("card wording",
     r"(?:DEBIT|CREDIT|VISA|MC|MASTERCARD|CARD)\s+(?:CARD\s+)?(?:PURCHASE|DEBIT|REFUND|RETURN|CREDIT)S?"
     r"(?:\s+-)?\s+(?:X+\d{0,4}\s+)?"),
    ("POS wording", r"POS\s+(?:(?:PURCHASE|DEBIT|WITHDRAWAL|REFUND|RETURN)\s+)?(?:(?:NON-PIN|PIN|SIG)\s+)?"),
    ("transfer wording",
     r"(?:ACH|EFT|PREAUTHORIZED|ONLINE|RECURRING|ELECTRONIC)\s+(?:DEBIT|WITHDRAWAL|PAYMENT|PURCHASE|CHARGE|PMT)\s+"),
    ("refund wording", r"(?:REFUND|RETURN|CREDIT|REVERSAL)(?:\s+FROM)?\s+"),
    ("purchase wording", r"(?:PURCHASE|DEBIT|WITHDRAWAL)\s+"),
    ("separator", r"[-:#/.\s]+"),
]
# Noise anywhere in the descriptor, judged word by word (fast: most words are plain letters).
_NOISE_WORD = [
    ("card suffix", r"S\d{12,}|X{2,}\d{0,4}"),
    ("phone number", r"\(?(?:1-)?\d{3}\)?[-.]?\d{3}[-.]\d{4}|\d{3}-\d{6}[\dA-Z]"),
    ("reference number", r"\d{10,}"),
    ("date", _DATE),
    ("store number", r"#\d+|NO\.\d+"),
    ("help URL", r"G\.CO/HELPPAY#?"),
]
_GLUED_PHONE = re.compile(r"(?:\d{3}-\d{3}-\d{4}|\d{3}-\d{7})([A-Z]{2})")  # 800-698-4637NY
_ACH_FIELDS = ("DES:", "INDN:", "ID:")
_DIGITS4 = re.compile(r"X*\d{4}")
_PHONE_PARTS = re.compile(r"\(\d{3}\)|\d{3}")
_PHONE_REST = re.compile(r"\d{3}-?\d{4}")
# Noise that only shows once the rest is gone: a trailing refund word, a cut-off phone number.
_TRAILING = [
    ("refund wording", r"\s+(?:CREDIT|REFUND|RETURN|REVERSAL)$"),
    ("phone number", r"\s+\d{3}-\d{0,3}$"),  # cut off by the 22/25-character field
]


def _combine(patterns: list[tuple[str, str]], prefix: str = "") -> tuple[re.Pattern, list[str]]:
    """One alternation of named groups, so a descriptor is scanned once, not once per pattern."""
    body = "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(patterns))
    return re.compile(prefix + f"(?:{body})"), [name for name, _ in patterns]


_LEADING_RE, _LEADING_NAMES = _combine(_LEADING, "^")
# What each cleaning step removes, as a field of the descriptor (``explain`` prints them).
WRAPPER_STEPS = frozenset(_LEADING_NAMES) | {"refund wording"}
CONTACT_STEPS = frozenset({"phone number", "help URL"})
# Every inline pattern starts at a digit, a bracket, '#', a space or one of a few letters;
# the look-ahead lets the scan skip all other positions cheaply.
_NOISE_RE, _NOISE_NAMES = _combine(_NOISE_WORD, "^")
_TRAILING_RE, _TRAILING_NAMES = _combine(_TRAILING)
_STAR = re.compile(r"\s*\*\s*")
# A merchant's own reference for one order, glued after a star (AMAZON MKTPL*2K4AB12C3,
# MSFT*E0500ZSTGX): letters and digits mixed as no name mixes them (at least three runs;
# 1PASSWORD and CAFE2GO have two).  It changes with every charge, so it goes like a card
# reference; the star stays, as the evidence that the merchant's name ends there (AUDIBLE*).
_ORDER_REF = re.compile(r"(?<=[A-Z0-9.])\*([A-Z0-9]{8,16})(?= |$)")
# The cheap pre-pass sees raw text: it puts one fixed reference in place of each, so rows
# differing only in theirs share one cleaning, which then removes the stand-in the same way.
# Both only act on ASCII around the star, which the cleaning's first step leaves alone.
# The reference must end the text or be followed by spaces and a plain ASCII character the
# cleaning keeps: it removes apostrophes and joins a star to the word before it ("ID '*").
# (The pattern starts at the star, which the engine finds fast; the word before it is checked after.)
_RAW_ORDER_REF = re.compile(r"\*\s*([A-Za-z0-9]{8,16})(?=\s*$|\s+(?![*'`])[!-~])", re.ASCII)
_ASCII_SPACE = " \t\n\r\f\v"
_HEAD_END = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.")
_STAND_IN = "0REF0REF"
_ALNUM = re.compile(r"[^\W_]")
_RUNS = re.compile(r"[A-Za-z]+|[0-9]+")
_APOSTROPHE = re.compile(r"['’`]")


@dataclass(frozen=True)
class CleanResult:
    """A cleaned descriptor with its history: ``steps`` are (what was removed, text after)."""

    raw: str
    text: str
    steps: tuple[tuple[str, str], ...]
    region: str = ""
    location: tuple[str, ...] = ()


def basic_text(text: str) -> str:
    """The first cleaning step alone: upper case, accents folded, apostrophes dropped, spacing
    folded, no space beside a star.  Its words are a superset of the fully cleaned text's
    (cleaning only removes words), which is what a prefilter over alias words needs."""
    return _basic("" if text is None else str(text))


def _basic(text: str) -> str:
    if not text.isascii():
        # Full-width forms become ASCII and accents fall away (SÃO PAULO → SAO PAULO), so a
        # merchant word is one token however the bank encoded it.
        text = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFKC", "".join(ch for ch in text if not unicodedata.combining(ch)))
    text = text.upper()
    if "'" in text or "’" in text or "`" in text:
        text = _APOSTROPHE.sub("", text)
    text = " ".join(text.split())
    # After the spacing is normalised only a plain space can touch a star (same as \s: both
    # mean Unicode whitespace), so most texts need no regex at all.
    if "* " in text or " *" in text:
        text = _STAR.sub("*", text)
    return text


def _tidy(text: str) -> str:
    return " ".join(text.split()).lstrip(" -:,;#/.").rstrip(" -:,;#/")


def _strip_region(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Drop a trailing state/country code; return the text, the code, and the probable city."""
    words = text.split(" ")
    if len(words) < 2 or words[-1] not in US_REGIONS or words[-2] in ("&", "AND"):  # ACME & CO
        return text, "", ()
    region, rest = words[-1], words[:-1]
    city: list[str] = []
    # A city is plain letters standing after the merchant's first word: never the merchant itself.
    if len(rest) >= 2 and rest[-1].isalpha():
        city = [rest[-1]]
        if len(rest) >= 3 and rest[-2].isalpha() and (rest[-2] in _CITY_FIRST or rest[-1] in _CITY_LAST):
            city = [rest[-2], rest[-1]]
    return " ".join(rest), region, tuple(city)


def _is_order_ref(token: str) -> bool:
    """Letters and digits in at least three alternating runs: E0500ZSTGX, 2K4AB12C3."""
    return len(_RUNS.findall(token)) >= 3


def _drop_order_ref(match: re.Match) -> str:
    return "*" if _is_order_ref(match.group(1)) else match.group(0)


def _stand_in_order_ref(match: re.Match) -> str:
    if not _is_order_ref(match.group(1)) or match.string[: match.start()].rstrip(_ASCII_SPACE)[-1:] not in _HEAD_END:
        return match.group(0)
    return match.group(0)[: match.start(1) - match.start()] + _STAND_IN


def _name(names: list[str], match: re.Match) -> str:
    return names[int(match.lastgroup[1:])]


def _noise_labels(words: list[str]) -> list[str | None]:
    """For each word, the kind of noise it is (``card suffix``, ``phone number`` …) or None."""
    labels: list[str | None] = [None] * len(words)
    for i, word in enumerate(words):
        if labels[i] is not None or (word.isalpha() and word not in ("CARD", "STORE", "NO", "CO", "PPD", "WEB")):
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word.startswith(_ACH_FIELDS) or (word in ("CO", "PPD", "WEB") and nxt.startswith("ID:")):
            labels[i:] = ["ACH details"] * (len(words) - i)
            break
        if (match := _NOISE_RE.fullmatch(word)) is not None:
            labels[i] = _name(_NOISE_NAMES, match)
        elif word == "CARD" and _DIGITS4.fullmatch(nxt):
            labels[i] = labels[i + 1] = "card suffix"
        elif word in ("#", "STORE", "NO.", "NO") and (nxt.isdigit() or _NOISE_RE.fullmatch(nxt) and nxt.startswith("#")):
            # The number goes; the word STORE stays: a shop counter is evidence for the matcher.
            labels[i + 1] = "store number"
            if word != "STORE":
                labels[i] = "store number"
        elif _PHONE_PARTS.fullmatch(word) and _PHONE_REST.fullmatch(nxt):
            labels[i] = labels[i + 1] = "phone number"
        elif (glued := _GLUED_PHONE.fullmatch(word)) is not None:
            # 800-698-4637NY: the phone goes, the state code stays for the region step.
            labels[i] = "phone number"
            labels.insert(i + 1, None)
            words.insert(i + 1, glued.group(1))
    return labels


def clean_steps(text: str) -> CleanResult:
    """Clean one descriptor and keep every step (for ``explain``) and the probable city tokens."""
    raw = "" if text is None else str(text)
    current = _basic(raw)
    steps: list[tuple[str, str]] = [("upper case, spacing", current)]
    if "*" in current and (dropped := _ORDER_REF.sub(_drop_order_ref, current)) != current:
        current = dropped
        steps.append(("order reference", current))
    while (match := _LEADING_RE.match(current)) and match.end() < len(current):
        current = current[match.end():].strip()
        steps.append((_name(_LEADING_NAMES, match), current))
    words = current.split(" ")
    labels = _noise_labels(words)
    removed: set[str] = set()
    for name in dict.fromkeys([label for label in labels if label]) if any(labels) else ():
        removed.add(name)
        new = _tidy(" ".join(w for w, label in zip(words, labels) if label not in removed))
        if new and new != current:
            current = new
            steps.append((name, current))
    while current[-1:].isdigit() or current.endswith(("-", "CREDIT", "REFUND", "RETURN", "REVERSAL")):
        match = _TRAILING_RE.search(current)
        if match is None or match.start() == 0:
            break
        current = _tidy(current[: match.start()])
        steps.append((_name(_TRAILING_NAMES, match), current))
    current = _tidy(current)
    current, region, city = _strip_region(current)
    if region:
        steps.append((f"state/country {region}", current))
    return CleanResult(raw=raw, text=current, steps=tuple(steps), region=region, location=city)


# Per-row parts of a bank wrapper (authorization day, card reference): removing them first lets
# rows of one merchant share a single full cleaning.  Both are removed by clean_steps too.
_WRAPPER = re.compile(
    rf"(?:{_DATE}\s+)?(?:RECURRING PAYMENT |RECURRING PURCHASE |PURCHASE RETURN |PURCHASE |PAYMENT |RETURN |REFUND )?"
    # What follows must stay apart from the date in cleaning: not a star (cleaning joins it to
    # the date), nor an apostrophe or a non-ASCII mark that cleaning removes before one.
    rf"AUTHORI[ZS]ED ON\s+{_DATE}\s++(?=[!-~])(?![*'`])", re.I)


def _card_ref_start(text: str, start: int) -> int:
    """Where a trailing `` S<12+ digits> CARD <4 digits>`` begins (its leading spaces), else ``len(text)``."""
    parts = text.rsplit(None, 3)  # [before, S-number, CARD, last four]
    if (len(parts) == 4 and len(parts[3]) == 4 and parts[3].isdecimal() and parts[2].upper() == "CARD"
            and len(parts[1]) >= 13 and parts[1][0] in "Ss" and parts[1][1:].isdecimal()
            and len(parts[0]) >= start and text[len(parts[0])].isspace()):
        return len(parts[0])
    return len(text)


def strip_row_noise(text: str) -> str:
    """Remove only the per-row parts (cheap), so descriptors can be de-duplicated before
    :func:`clean_steps`; ``clean_steps(strip_row_noise(x)).text == clean_descriptor(x)``.

    The parts: a wrapper's authorization date and card reference, and a merchant's order
    reference after a star (a store's card statement holds a new one on every order).
    """
    start, end = 0, len(text)
    if ("UTHORI" in text or "uthori" in text) and (wrapper := _WRAPPER.match(text)) is not None:
        start = wrapper.end()
    if text[-4:].isdecimal():
        end = _card_ref_start(text, start)
    if (start or end < len(text)) and (text[start:start + 1].isalnum() or _ALNUM.search(text, start, end)):
        text = text[start:end]  # (a wrapper with no merchant in it is left whole, as the cleaning leaves it)
    if "*" in text and (ref := _RAW_ORDER_REF.search(text)) is not None:
        if _RAW_ORDER_REF.search(text, ref.end()) is None:  # the usual single star: no second scan
            return text[: ref.start()] + _stand_in_order_ref(ref) + text[ref.end():]
        text = _RAW_ORDER_REF.sub(_stand_in_order_ref, text)
    return text


def clean_descriptor(text: str) -> str:
    """The cleaned merchant text of one descriptor (see the module docstring for what goes)."""
    return clean_steps(text).text


def clean_descriptions(values: pd.Series) -> pd.Series:
    """Clean a column of descriptors, computing each distinct value once (statements repeat them)."""
    codes, uniques = pd.factorize(values.astype("object").fillna("").map(str), sort=False)
    stripped = [strip_row_noise(value) for value in uniques]
    inner_codes, inner = pd.factorize(pd.Series(stripped, dtype=object), sort=False)
    inner_clean = [clean_descriptor(value) for value in inner]
    cleaned = [inner_clean[code] for code in inner_codes]
    result = pd.Series(pd.array(cleaned, dtype="str")).take(codes) if len(codes) else pd.Series([], dtype="str")
    return pd.Series(result.to_numpy(), index=values.index, dtype="str", name=values.name)
