"""The matcher's last chance: a distinctive name glued or truncated in the merchant field, refused
only for the words beside it, is a match to check (with the evidence as its doubt), never a miss;
look-alikes and short cuts stay out of both tiers."""

from datetime import date

import pytest

from chargecheck.match.matcher import Matcher
from chargecheck.model import Cancellation, MatchTier

VENDORS = ("Kaspersky", "Spotify", "Norton", "Adobe")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher([Cancellation(vendor=v, cancelled_on=date(2026, 1, 1)) for v in VENDORS])


@pytest.mark.parametrize("descriptor, vendor, evidence", [
    ("GIZMO NORTONLIFEL", "Norton", "truncated"),
])
def test_truncated_name_beside_unknown_word_is_to_check(matcher, descriptor, vendor, evidence):
    found = matcher.match(descriptor)
    assert found is not None and found.vendor == vendor and found.tier is MatchTier.TO_CHECK
    assert f"appears {evidence}" in found.doubt and "not confirmed" in found.doubt
    assert matcher.explain(descriptor).decision == found


@pytest.mark.parametrize("descriptor", [
    "KASPERSKY PIZZA",          # another kind of business beside the name: a look-alike
    "SPOTIFYUSA PIZZA",         # glued, but still beside another business's word
    "WASHINGTON GAS LIGHT CO",  # LIGHT is a five-letter cut of LIGHTROOM: too short to count
    "NORTON AUTO SALES",        # a one-word name as a whole word beside a shop's words
])
def test_look_alikes_and_short_cuts_stay_out_of_both_tiers(matcher, descriptor):
    assert matcher.match(descriptor) is None
    assert matcher.explain(descriptor).decision is None
