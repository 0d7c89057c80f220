"""The descriptors nearest a cancellation that matched nothing, and why the matcher refused each.

Input: a :class:`~chargecheck.match.Matcher`, one :class:`~chargecheck.model.Cancellation`, and
the statements' distinct descriptors (cleaned text → one raw text as printed).  Output: up to
``limit`` :class:`~chargecheck.model.Closest` records, nearest first, for the warning every
report prints ("Kaspersky never matched any of 214 transactions …; closest: …").

Nearness is rapidfuzz's ``partial_ratio`` between the cleaned descriptor and each of the record's
names (vendor and aliases, cleaned the same way), the best name counting; only the distinct
cleaned descriptors are scored (C code, one pass per name), so a million-row statement costs its
distinct texts, and only the few nearest are explained.  The reason is the matcher's own
account (:meth:`Matcher.explain`): the candidate for this vendor it rejected and why, the other
vendor it chose instead, or why no candidate arose at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz, process

from ..model import Cancellation, Closest
from .matcher import Matcher
from .normalize import clean_descriptor

__all__ = ["closest_descriptors", "CLOSEST_LIMIT", "CLOSEST_FLOOR"]

CLOSEST_LIMIT = 3
CLOSEST_FLOOR = 75.0  # below this a descriptor shares no more with the name than chance does


def _names(cancellation: Cancellation) -> list[str]:
    names = []
    for name in (cancellation.vendor, *cancellation.aliases):
        cleaned = clean_descriptor(name) or " ".join(str(name).upper().split())
        if cleaned and cleaned not in names:
            names.append(cleaned)
    return names


def refusal(matcher: Matcher, cancellation: Cancellation, descriptor: str) -> str:
    """Why ``descriptor`` was not attributed to ``cancellation``'s vendor, in the matcher's words."""
    explanation = matcher.explain(descriptor)
    vendor = cancellation.vendor
    decision = explanation.decision
    if decision is not None and decision.vendor != vendor:
        return f"matched {decision.vendor} instead"
    mine = [c for c in explanation.candidates if c.vendor == vendor]
    if decision is not None:  # matched by its text, yet no charge of it was attributed
        reason = (f'matches by its text ("{decision.alias}"), but none of its lines was a charge attributed to '
                  "the vendor (a credit, or an amount other than the rule's)")
    elif mine and mine[0].rejected:
        reason = f'"{mine[0].alias}" found ({mine[0].tokens}) but refused: {mine[0].rejected}'
    elif mine:
        reason = f'"{mine[0].alias}" found ({mine[0].tokens}), too weak alone: {explanation.reason}'
    else:
        reason = explanation.reason
    return f"{reason}; {explanation.amount_hint}" if explanation.amount_hint else reason


def closest_descriptors(matcher: Matcher, cancellation: Cancellation, descriptors: Mapping[str, str],
                        limit: int = CLOSEST_LIMIT) -> tuple[Closest, ...]:
    """The ``limit`` descriptors nearest the record's names (at least :data:`CLOSEST_FLOOR`), each
    with the matcher's reason for refusing it; the raw text as printed is what is shown.

    ``descriptors`` maps each distinct cleaned descriptor to one raw descriptor printing it.
    Ties are broken by the cleaned text, so the answer does not depend on statement order.
    """
    choices = sorted(text for text in descriptors if text)
    if not choices or limit <= 0:
        return ()
    best: dict[int, float] = {}
    for name in _names(cancellation):
        for _, score, index in process.extract(name, choices, scorer=fuzz.partial_ratio, limit=limit * 4,
                                               score_cutoff=CLOSEST_FLOOR):
            best[index] = max(best.get(index, 0.0), float(score))
    nearest = sorted(best, key=lambda i: (-best[i], choices[i]))[:limit]
    return tuple(Closest(descriptors[choices[i]], refusal(matcher, cancellation, descriptors[choices[i]]))
                 for i in nearest)
