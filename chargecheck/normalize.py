"""Stage ``normalize``: turn a bank descriptor into the merchant text a matcher can trust.

Input: a raw descriptor as the statement prints it, e.g.
``RECURRING PAYMENT AUTHORIZED ON 03/01 HULU 877-8244858 CA S331486483301352 CARD 0683``.
Output: the cleaned descriptor, ``HULU``: upper case, bank wording, card suffixes, reference
numbers, phone numbers, dates, store numbers and the trailing state code removed.  Processor
prefixes stay recognisable (``DRI*KASPERSKY LAB``; spaces around ``*`` are dropped so every
bank's ``PAYPAL *X`` and ``PAYPAL*X`` look alike) because the matcher uses them as evidence.

:func:`clean_steps` keeps every intermediate text (``chargecheck explain`` shows them) and the
probable city tokens that stood before a removed state code (kept in the text — a city can
also be a merchant word — but the matcher does not count them against a match).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

__all__ = ["CleanResult", "clean_steps", "clean_descriptor", "clean_descriptions", "US_REGIONS"]

# US states, DC and territories, Canadian provinces, and the country codes card networks print
# most often after a foreign merchant's city.  "AP"/"AE" (armed forces) are left out on purpose:
# they end truncated merchant words too often.
US_REGIONS = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI "
    "AB BC MB NB NL NS ON PE QC SK YT "
    "GB UK IE LU NL SE CH AU NZ SG FR IT ES BE DK NO FI AT PL PT CZ".split()
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
# Bank wording in front of the merchant; applied repeatedly until nothing changes.
_LEADING = [
    ("posting date", re.compile(rf"^{_DATE}\s+")),
    ("authorization wording", re.compile(
        rf"^(?:RECURRING PAYMENT|RECURRING PURCHASE|PURCHASE RETURN|PURCHASE|PAYMENT|RETURN|REFUND|RECURRING)?"
        rf"\s*AUTHORI[ZS]ED ON\s+{_DATE}\s*")),
    ("card wording", re.compile(r"^(?:CHECKCARD|CHECK CARD(?: PURCHASE)?)\s+(?:\d{4}\s+)?")),
    ("card wording", re.compile(
        r"^(?:DEBIT|CREDIT|VISA|MC|MASTERCARD|CARD)\s+(?:CARD\s+)?(?:PURCHASE|DEBIT|REFUND|RETURN|CREDIT)S?"
        r"(?:\s+-)?\s+(?:X+\d{0,4}\s+)?")),
    ("POS wording", re.compile(r"^POS\s+(?:(?:PURCHASE|DEBIT|WITHDRAWAL|REFUND|RETURN)\s+)?(?:(?:NON-PIN|PIN|SIG)\s+)?")),
    ("transfer wording", re.compile(
        r"^(?:ACH|EFT|PREAUTHORIZED|ONLINE|RECURRING|ELECTRONIC)\s+(?:DEBIT|WITHDRAWAL|PAYMENT|PURCHASE|CHARGE|PMT)\s+")),
    ("refund wording", re.compile(r"^(?:REFUND|RETURN|CREDIT|REVERSAL)(?:\s+FROM)?\s+")),
    ("purchase wording", re.compile(r"^(?:PURCHASE|DEBIT|WITHDRAWAL)\s+")),
    ("separator", re.compile(r"^[-:#/.\s]+")),
]
# Noise anywhere in the descriptor.
_INLINE = [
    ("ACH details", re.compile(r"\s+(?:DES|INDN|CO ID|PPD ID|WEB ID|ID):.*$")),
    ("help URL", re.compile(r"\bG\.CO/HELPPAY#?", re.I)),
    ("card suffix", re.compile(r"\bS\d{12,}\b")),
    ("card suffix", re.compile(r"\bCARD\s+(?:X+)?\d{4}\b")),
    ("card suffix", re.compile(r"\bX{2,}\d{0,4}\b")),
    ("phone number", re.compile(r"\(?\b(?:1-)?\d{3}\)?[-. ]\d{3}[-. ]?\d{3}[\dA-Z]\b")),
    ("phone number", re.compile(r"\b\d{3}-\d{6}[\dA-Z]\b")),
    ("phone number", re.compile(r"\b\d{3}-\d{0,3}$")),  # cut off by the 22/25-character field
    ("reference number", re.compile(r"\b\d{10,}\b")),
    ("date", re.compile(rf"(?<![\w/]){_DATE}(?![\w/])")),
    ("store number", re.compile(r"(?:#\s*|\bSTORE\s+#?|\bNO\.\s*)\d+\b")),
    ("refund wording", re.compile(r"\s+(?:CREDIT|REFUND|RETURN|REVERSAL)$")),
]
_STAR = re.compile(r"\s*\*\s*")
_SPACES = re.compile(r"\s+")
_APOSTROPHE = re.compile(r"['’`]")
_EDGE_PUNCT = re.compile(r"^[\s\-:,;#/.]+|[\s\-:,;#/]+$")


@dataclass(frozen=True)
class CleanResult:
    """A cleaned descriptor with its history: ``steps`` are (what was removed, text after)."""

    raw: str
    text: str
    steps: tuple[tuple[str, str], ...]
    region: str = ""
    location: tuple[str, ...] = ()


def _basic(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).upper()
    text = _APOSTROPHE.sub("", text)
    text = _STAR.sub("*", text)
    return _SPACES.sub(" ", text).strip()


def _tidy(text: str) -> str:
    return _EDGE_PUNCT.sub("", _SPACES.sub(" ", text)).strip()


def _strip_region(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Drop a trailing state/country code; return the text, the code, and the probable city."""
    words = text.split(" ")
    if len(words) < 2 or words[-1] not in US_REGIONS:
        return text, "", ()
    region, rest = words[-1], words[:-1]
    city: list[str] = []
    # A city is plain letters standing after the merchant's first word: never the merchant itself.
    if len(rest) >= 2 and rest[-1].isalpha():
        city = [rest[-1]]
        if len(rest) >= 3 and rest[-2].isalpha() and (rest[-2] in _CITY_FIRST or rest[-1] in _CITY_LAST):
            city = [rest[-2], rest[-1]]
    return " ".join(rest), region, tuple(city)


def clean_steps(text: str) -> CleanResult:
    """Clean one descriptor and keep every step (for ``explain``) and the probable city tokens."""
    raw = "" if text is None else str(text)
    current = _basic(raw)
    steps: list[tuple[str, str]] = [("upper case, spacing", current)]
    changed = True
    while changed:
        changed = False
        for name, pattern in _LEADING:
            new = pattern.sub("", current, count=1).strip()
            if new != current and new:
                current, changed = new, True
                steps.append((name, current))
    for name, pattern in _INLINE:
        new = _tidy(pattern.sub(" ", current))
        if new != current and new:
            current = new
            steps.append((name, current))
    current = _tidy(current)
    current, region, city = _strip_region(current)
    if region:
        steps.append((f"state/country {region}", current))
    return CleanResult(raw=raw, text=current, steps=tuple(steps), region=region, location=city)


def clean_descriptor(text: str) -> str:
    """The cleaned merchant text of one descriptor (see the module docstring for what goes)."""
    return clean_steps(text).text


def clean_descriptions(values: pd.Series) -> pd.Series:
    """Clean a column of descriptors, computing each distinct value once (statements repeat them)."""
    codes, uniques = pd.factorize(values.astype("object").fillna(""), sort=False)
    cleaned = [clean_descriptor(value) for value in uniques]
    result = pd.Series(pd.array(cleaned, dtype="str")).take(codes) if len(codes) else pd.Series([], dtype="str")
    return pd.Series(result.to_numpy(), index=values.index, dtype="str", name=values.name)
