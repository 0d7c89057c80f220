"""The two tiers (flagged, to check), descriptor fields, product records and typed decisions.

Descriptors are written as banks print them (issue 12's "Why" list): a card network's name,
city and state; a processor echoing the amount and currency; a PayPal activity line whose
payment type follows the company form; a product plan billed under its vendor's descriptor.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from chargecheck.match.decision import Basis, Method, MethodKind
from chargecheck.match.matcher import Matcher
from chargecheck.model import Cancellation, MatchTier

FIXTURES = Path(__file__).parent / "fixtures" / "match"
DAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    names = {"Norton": ("Norton", "NortonLifeLock"), "Kaspersky": (), "Netflix": (), "Planet Fitness": (),
             "Disney+": ("Disney Plus",), "Hulu": ()}
    return Matcher([Cancellation(v, DAY, aliases=a) for v, a in names.items()])


def outcome(found) -> str | None:
    if found is None:
        return None
    return found.vendor if found.tier is MatchTier.FLAGGED else f"to check: {found.vendor}"


@pytest.mark.parametrize("descriptor, want", [
    ("NORTONLIFELOCK BURLINGTON MA", "Norton"),              # a city, any city, before the state code
    ("NORTONLIFELOCK TEMPE AZ", "Norton"),
    ("DRI*KASPERSKY LAB IRL 4.99 GBP", "Kaspersky"),         # the processor echoes amount and currency
    ("KASPERSKY LAB EUR 12,99", "Kaspersky"),
    ("Netflix International B.V. PreApproved Payment Bill User Payment", "Netflix"),  # PayPal activity
    ("NORTON SHORES MI", "to check: Norton"),                # the word after a one-word name: city or name
    ("NORTON'S PIZZA", None),                                # look-alikes stay out of both tiers
    ("KASPER JEWELRY", None),
    ("PLANET SMOOTHIE", None),
    ("DISNEY STORE", None),
    ("TIDAL WAVE CAR WASH", None),
    ("MAX & ERMA'S #12 COLUMBUS OH", None),
])
def test_tiers_on_descriptors_as_banks_print_them(matcher: Matcher, descriptor: str, want: str | None) -> None:
    assert outcome(matcher.match(descriptor)) == want, matcher.explain(descriptor).render()


def test_a_to_check_match_says_why(matcher: Matcher) -> None:
    found = matcher.match("NORTON SHORES MI")
    assert found.tier is MatchTier.TO_CHECK and "SHORES" in found.doubt
    assert matcher.match("NORTONLIFELOCK BURLINGTON MA").doubt == ""


def test_explain_prints_the_fields(matcher: Matcher) -> None:
    lines = matcher.explain("DRI*KASPERSKY LAB IRL 4.99 GBP").render().splitlines()
    assert "fields: processor: Digital River (reseller); merchant: KASPERSKY LAB IRL; echoed amount: 4 99 GBP" in lines
    lines = matcher.explain("NORTONLIFELOCK BURLINGTON MA").render().splitlines()
    assert "fields: merchant: NORTONLIFELOCK; city: BURLINGTON; state/country: MA" in lines
    raw = "RECURRING PAYMENT AUTHORIZED ON 03/01 HULU 877-8244858 CA S331486483301352 CARD 0683"
    assert ("fields: wrapper: RECURRING PAYMENT AUTHORIZED ON 03/01; merchant: HULU; state/country: CA; "
            "phone or URL: 877-8244858; references: S331486483301352 CARD 0683") in matcher.explain(raw).render()
    sepa = "SEPA-BASISLASTSCHRIFT NETFLIX INTERNATIONAL B.V. EREF+ 123456789 MREF+ ABC123 CRED+ NL12ZZZ123456780000"
    assert "references: EREF+ 123456789 MREF+ ABC123 CRED+ NL12ZZZ123456780000" in matcher.explain(sepa).render()


def test_annotate_adds_tier_and_doubt(matcher: Matcher) -> None:
    table = pd.DataFrame({"description": ["NORTONLIFELOCK BURLINGTON MA", "NORTON SHORES MI", "KASPER JEWELRY"]})
    out = matcher.annotate(table)
    assert out["match_tier"].tolist() == ["flagged", "to_check", ""]
    assert out["match_vendor"].tolist() == ["Norton", "Norton", ""]
    assert out["match_doubt"].tolist()[0] == "" and "SHORES" in out["match_doubt"].tolist()[1]


# --------------------------------------------------------------- product-level records
KASPERSKY_ROWS = ["DRI*KASPERSKY LAB 866-3285700 MA"] * 2


def test_a_product_record_with_its_amount_matches_only_that_amount() -> None:
    matcher = Matcher([Cancellation("Kaspersky VPN", DAY, amount=Decimal("4.99"))])
    out = matcher.annotate(pd.DataFrame({"description": KASPERSKY_ROWS, "amount_cents": [-499, -5999]}))
    assert out["match_vendor"].tolist() == ["Kaspersky VPN", ""]      # the kept suite is not flagged
    assert out["match_tier"].tolist() == ["flagged", ""]
    assert out["match_method"].tolist()[0] == "exact+product"
    assert outcome(matcher.match(KASPERSKY_ROWS[0], -5999)) is None


def test_a_product_record_without_an_amount_is_to_check() -> None:
    matcher = Matcher([Cancellation("Kaspersky VPN", DAY)])
    found = matcher.match(KASPERSKY_ROWS[0])
    assert outcome(found) == "to check: Kaspersky VPN"
    assert "amount" in found.doubt
    assert outcome(matcher.match("KASPERSKY VPN")) == "Kaspersky VPN"   # its own name is plain evidence


def test_two_plans_of_one_vendor_are_told_apart_by_amount() -> None:
    matcher = Matcher([Cancellation("Kaspersky VPN", DAY, amount=Decimal("4.99")),
                       Cancellation("Kaspersky Premium", DAY, amount=Decimal("59.99"))])
    assert outcome(matcher.match(KASPERSKY_ROWS[0], -499)) == "Kaspersky VPN"
    assert outcome(matcher.match(KASPERSKY_ROWS[0], -5999)) == "Kaspersky Premium"
    assert outcome(matcher.match(KASPERSKY_ROWS[0], -1234)) is None
    assert outcome(matcher.match(KASPERSKY_ROWS[0])) == "to check: Kaspersky VPN"


# --------------------------------------------------------------- decisions as types
def test_method_text_is_stable() -> None:
    assert str(Method(MethodKind.EXACT)) == "exact"
    assert str(Method(MethodKind.EXACT, (Basis.BILLER, Basis.AMOUNT))) == "exact+biller+amount"
    assert str(Method(MethodKind.SEGMENTS)) == "segments"
    assert Method(MethodKind.FUZZY, (Basis.BILLER, Basis.SEGMENT)).amount_gated
    assert not Method(MethodKind.EXACT, (Basis.SEGMENT,)).amount_gated


LABELLED = [p for p in sorted(FIXTURES.glob("*.csv")) if not p.stem.endswith("_vendors")]


def _check_explain_equals_match(labels: Path, vendors_file: Path) -> None:
    with open(vendors_file, newline="", encoding="utf-8") as handle:
        vendors = {r["vendor"]: tuple(a.strip() for a in (r.get("aliases") or "").split(";") if a.strip())
                   for r in csv.DictReader(handle)}
    with open(labels, newline="", encoding="utf-8") as handle:
        descriptors = [r["descriptor"] for r in csv.DictReader(handle)]
    matcher = Matcher([Cancellation(v, DAY, aliases=a) for v, a in vendors.items()])
    for descriptor in descriptors:
        assert matcher.explain(descriptor).decision == matcher.match(descriptor), descriptor


@pytest.mark.parametrize("labels", LABELLED, ids=lambda p: p.name)
def test_explain_decision_is_match_on_fixtures(labels: Path) -> None:
    _check_explain_equals_match(labels, labels.with_name(labels.stem + "_vendors.csv"))


def test_explain_decision_is_match_on_the_shared_set(shared_dir: Path) -> None:
    _check_explain_equals_match(shared_dir / "descriptors" / "dev.csv", shared_dir / "descriptors" / "vendors.csv")
