"""Match decisions as types: how a vendor was matched, and why a candidate or descriptor was refused.

Input: the matcher's findings.  Output: :class:`Method` (how the words matched, plus what the
match rests on: a shared biller's descriptor, a product's parent, several segments, the charge's
amount), :class:`Refusal` (a kind and the sentence ``explain`` prints), and :class:`Decision`
(one descriptor's outcome: a :class:`~chargecheck.model.VendorMatch` with its typed method).
Code asks ``method.through_biller`` or ``refusal.kind is RefusalKind.UNEXPLAINED``, never
``str.endswith``; :attr:`~chargecheck.model.VendorMatch.method` is ``str(Method)``, the stable
text reports show (``exact``, ``exact+biller``, ``token+amount``, ``exact+segment`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from ..model import MatchTier, VendorMatch

__all__ = ["MethodKind", "Basis", "Method", "RefusalKind", "Refusal", "Decision", "decision"]


class MethodKind(Enum):
    """How an alias's words were found in a descriptor."""

    EXACT = "exact"          # the alias's words, in order
    JOINED = "joined"        # a multi-word alias written as one word (DISNEYPLUS)
    SPLIT = "split"          # a one-word alias written as two (NET FLIX)
    COMPOUND = "compound"    # a name glued to a channel word (SPOTIFYUSA)
    PREFIX = "prefix"        # truncated by the field's length (NORTONLIFEL)
    FUZZY = "fuzzy"          # a typo (SPOTIFV)
    SEGMENTS = "segments"    # the vendor named in two fields of a joined description, no single alias


class Basis(Enum):
    """What a match rests on beyond the words, in the order they are written after the method."""

    BILLER = "biller"        # only a shared biller's descriptor (APPLE.COM/BILL): the amount must say which
    PRODUCT = "product"      # a product record matched through its vendor's descriptors: the amount says which
    CORE = "core"            # the brand of a user's name without its generic words (CRUNCH of Crunch Fitness)
    SEGMENT = "segment"      # one field of a joined description named it
    AMOUNT = "amount"        # the charge's amount is the rule's usual one


@dataclass(frozen=True)
class Method:
    """How a match was made: the word method and the bases it rests on (rendered ``exact+biller``)."""

    kind: MethodKind
    bases: tuple[Basis, ...] = ()

    def __str__(self) -> str:
        return "+".join([self.kind.value, *(b.value for b in self.bases)])

    def adding(self, basis: Basis) -> "Method":
        """This method resting on one more basis (written last)."""
        return self if basis in self.bases else Method(self.kind, self.bases + (basis,))

    @property
    def amount_gated(self) -> bool:
        """True when only charges of the rule's usual amount belong to the vendor: a shared
        biller's or a product's parent's descriptor bills other subscriptions too."""
        return any(b in self.bases for b in (Basis.BILLER, Basis.PRODUCT, Basis.CORE))


class RefusalKind(Enum):
    """Why a candidate (or a whole descriptor) was turned away."""

    NO_ALIAS = "no alias"                # no alias of any target vendor occurs
    NO_CANDIDATE = "no candidate"        # aliases occur, every candidate was refused
    NEEDS_STAR = "needs star"            # an ``X*`` alias without its star
    SHORT_ALIAS = "short alias"          # a short alias out of a billing position
    LOOK_ALIKE = "look-alike"            # a word names another kind of business (PIZZA, JEWELRY)
    TRANSFER = "transfer"                # payroll or a transfer, not a merchant's bill
    UNEXPLAINED = "unexplained"          # a one-word name beside words nothing explains (the amount may confirm)
    UNEXPLAINED_NAMED = "unexplained named"  # a whole multi-word name beside unknown words: to check
    CITY_OR_NAME = "city or name"        # a one-word name, unknown words only in the city slot: to check
    EXCLUDED = "excluded"                # the rule's own ``exclude``
    AMBIGUOUS = "ambiguous"              # unrelated vendors match equally well
    SHARED_BILLER = "shared biller"      # several vendors billed through one biller's descriptor
    SEGMENTS = "segments"                # the segment rules refused


@dataclass(frozen=True)
class Refusal:
    """A refusal: its kind (what code tests) and the sentence a person reads."""

    kind: RefusalKind
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def soft(self) -> bool:
        """Refused only for words beside the name: the rule's usual amount may confirm it."""
        return self.kind in (RefusalKind.UNEXPLAINED, RefusalKind.UNEXPLAINED_NAMED, RefusalKind.CITY_OR_NAME)

    @property
    def to_check(self) -> bool:
        """Refused for words beside the name that leave it possibly the vendor: a match to check."""
        return self.kind in (RefusalKind.UNEXPLAINED_NAMED, RefusalKind.CITY_OR_NAME)


@dataclass(frozen=True)
class Decision:
    """One descriptor's outcome: the match as reports show it and the typed method it was made by."""

    match: VendorMatch
    method: Method

    @property
    def flagged(self) -> bool:
        """True for a confident match (counted in totals), False for one to check."""
        return self.match.tier is MatchTier.FLAGGED

    def with_method(self, method: Method, cleaned: str | None = None) -> "Decision":
        """The same match made by ``method`` (its ``method`` text follows), for ``cleaned`` if given."""
        return Decision(replace(self.match, method=str(method), cleaned=self.match.cleaned if cleaned is None
                                else cleaned), method)

    def flagged_now(self, method: Method) -> "Decision":
        """The match confirmed (flagged, no doubt) by ``method``."""
        return Decision(replace(self.match, method=str(method), tier=MatchTier.FLAGGED, doubt=""), method)


def decision(vendor: str, score: float, alias: str, method: Method, cleaned: str,
             doubt: str | None = None) -> Decision:
    """A :class:`Decision`: flagged, or to check when ``doubt`` says why it is doubtful."""
    tier = MatchTier.TO_CHECK if doubt else MatchTier.FLAGGED
    return Decision(VendorMatch(vendor, score, alias, str(method), cleaned, tier, doubt or ""), method)
