"""Who was paid: one vendor name per outgoing charge, for grouping recurring series.

Input: outgoing rows of the transaction table, recorded cancellations, an optional matcher.
Output: a copy with a ``vendor`` column — the cancellation's vendor when a rule matches (the
name the user chose), else the knowledge-base vendor, else the cleaned descriptor — and
without transfers between the person's own accounts (card payments, Zelle), which repeat but
are not subscriptions.

Grouping by vendor rather than by raw text is what keeps one subscription in one series when
the merchant's descriptor changes (``NORTONLIFELOCK`` → ``GEN DIGITAL``) or carries changing
reference numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import pandas as pd

from ..schema import by_unique
from ..model import Cancellation

__all__ = ["vendor_columns", "fallback_clean", "is_transfer"]

# Money moved between the person's own accounts or to people: recurring, never a subscription.
_TRANSFER = re.compile(
    r"\b(AUTO ?PAY|PAYMENT THANK YOU|PAYMENT - THANK YOU|ONLINE TRANSFER|TRANSFER TO|TRANSFER FROM|"
    r"XFER|ZELLE|CRD PMT|CARD PMT|MOBILE PMT|E-?PAYMENT|PAYMENT RECEIVED|CREDIT CARD PAYMENT|ONLINE PAYMENT TO|ATM WITHDRAWAL)\b",
    re.IGNORECASE,
)
# Payment processors print "SQ *MERCHANT", "TST* MERCHANT", "PAYPAL *MERCHANT": the merchant
# follows.  Merchants print "MERCHANT*REF123" or "MERCHANT*PLAN": the merchant comes first.
_PROCESSORS = {"SQ", "TST", "DRI", "PP", "SP", "NF", "IC", "PAYPAL", "GOOGLE", "APPLE", "AMZN", "FS", "PADDLE", "STRIPE"}
_STAR = re.compile(r"^([A-Z0-9.]{1,12}) ?\* ?(.*)$")
_BANK_NOISE = re.compile(
    r"\b(?:(?:RECURRING )?(?:PURCHASE|PAYMENT) AUTHORIZED ON \d\d/\d\d|POS PURCHASE|POS DEBIT|"
    r"DEBIT CARD PURCHASE|CHECKCARD \d{4}|CARD \d{4})\b"
)
_NOISE_WORDS = {"POS", "PURCHASE", "DEBIT", "RECURRING", "ACH", "WWW", "COM", "INC", "LLC", "THE", "CARD"}


def is_transfer(description: str) -> bool:
    """True for card payments and transfers (own money moving), which discovery leaves out."""
    return bool(_TRANSFER.search(description))


def fallback_clean(description: str) -> str:
    """A grouping key for a descriptor when no matcher is available: merchant words only.

    Uppercases, removes bank wrappers and processor prefixes, digits (store numbers, phone
    numbers, references) and punctuation, and keeps the first three remaining words.
    """
    text = _BANK_NOISE.sub(" ", description.upper()).strip()
    star = _STAR.match(text)
    if star:
        head, tail = star.groups()
        reference = not tail or re.match(r"^\S*\d", tail)
        text = head if reference else (tail if head in _PROCESSORS or len(head) <= 3 else f"{head} {tail}")
    text = re.sub(r"\S*\d\S*", " ", text)
    text = re.sub(r"[^A-Z&' ]+", " ", text)
    words = [w for w in text.split() if w not in _NOISE_WORDS and len(w) > 1]
    if len(words) > 1 and len(words[-1]) == 2:  # a trailing state or country code
        words.pop()
    return " ".join(words[:3]) or description.strip().upper()


def _cleaned(descriptions: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(cleaned descriptors, grouping keys): the project's cleaner, then :func:`fallback_clean`.

    The project's cleaner keeps numbers that may be part of a name; for grouping charges
    over time a key without any changing number is what keeps one merchant in one group.
    """
    try:
        from ..match.normalize import clean_descriptions
    except ImportError:
        cleaned = descriptions.str.upper()
    else:
        cleaned = clean_descriptions(descriptions).astype(str)
        cleaned = cleaned.where(cleaned.str.len() > 0, descriptions)
    return cleaned, by_unique(cleaned, fallback_clean)


def _alias(cleaned: str) -> str:
    """A cleaned descriptor without its changing numbers: what a rule's alias should say."""
    return " ".join(word for word in cleaned.split() if not re.search(r"\d", word)) or cleaned


def _match_vendors(rows: pd.DataFrame, matcher) -> pd.Series:
    """The matcher's vendor per row ("" where none)."""
    if matcher is None:
        return pd.Series([""] * len(rows), index=rows.index, dtype=object)
    annotated = matcher.annotate(rows)
    return annotated["match_vendor"].fillna("").astype(str)


@lru_cache(maxsize=1)
def _default_matcher():
    """The knowledge-base matcher, built once per process (it is read-only)."""
    try:
        from ..match.matcher import Matcher
    except ImportError:
        return None
    return Matcher.for_knowledge()


def _cancellation_matcher(cancellations: Sequence[Cancellation], knowledge=None):
    if not cancellations:
        return None
    try:
        from ..match.matcher import Matcher
    except ImportError:
        return None
    return Matcher(tuple(cancellations), knowledge)


def vendor_columns(rows: pd.DataFrame, cancellations: Sequence[Cancellation] = (), matcher=None) -> pd.DataFrame:
    """``rows`` without transfers, plus ``vendor`` (rule vendor › matcher vendor › cleaned descriptor).

    Also ``named`` (the vendor comes from a rule or the knowledge base) and ``alias`` (the
    cleaned descriptor without numbers, for a rule that should recognise an unnamed vendor).
    """
    rows = rows[~by_unique(rows["description"], is_transfer, bool)].copy()
    if rows.empty:
        for column in ("vendor", "alias", "named"):
            rows[column] = pd.Series(dtype=object)
        return rows
    cleaned, key = _cleaned(rows["description"])
    rows["alias"] = by_unique(cleaned, _alias).astype(str)
    vendor = key.where(key.str.len() > 0, rows["description"].str.upper())
    known = _match_vendors(rows, matcher if matcher is not None else _default_matcher())
    vendor = known.where(known != "", vendor)
    # The rule matcher shares the naming matcher's knowledge base (with the user's vendors.toml).
    ruled = _match_vendors(rows, _cancellation_matcher(cancellations, getattr(matcher, "knowledge", None)))
    names = {c.vendor.casefold(): c.vendor for c in cancellations}
    # A matcher vendor that equals a rule's vendor (any case) is shown as the user wrote it.
    vendor = by_unique(vendor, lambda v: names.get(v.casefold(), v))
    rows["vendor"] = ruled.where(ruled != "", vendor).astype(str)
    rows["named"] = (known != "") | (ruled != "")
    return rows
