"""Descriptions joined from several fields (CAMT/MT940/OFX, European bank CSVs): segments, bank
wording, company forms, periods, transfers — each mechanism with the exact vendor it must give."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.match.knowledge import load_knowledge
from chargecheck.match.matcher import Matcher
from chargecheck.match.segments import Segmenter
from chargecheck.match.text import compile_processors, dotted_forms, is_company, parse
from chargecheck.match.normalize import clean_steps

VENDORS = {
    "Netflix": [], "Spotify": [], "Acme Anvils": ["Acme Anvil Club"], "Microsoft": [], "Xbox": [],
    "Spiegel+": ["Der Spiegel"], "Audible": [], "Norton": [], "Calm": [], "DAZN": [], "Max": ["HBO Max"],
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.for_vendors(VENDORS)


@pytest.mark.parametrize("raw, segments", [
    ("NETFLIX / February", ("NETFLIX", "February")),
    ("A | B;C", ("A", "B", "C")),
    # SEPA purpose text of a German CSV: ids dropped, the SVWZ+ text kept.
    ("SEPA-Lastschrift Netflix International B.V. EREF+4X7Q2L9M MREF+NF-1234567 CRED+NL86ZZZ341776690000 "
     "SVWZ+Netflix Monatsabo 03/2026", ("SEPA-Lastschrift Netflix International B.V", "Netflix Monatsabo 03/2026")),
    # A raw MT940 :86: with /CODE/ fields.
    ("/TRTP/SEPA Incasso algemeen doorlopend/CSID/NL86ZZZ341776690000/NAME/Netflix International B.V./MARF/NF1"
     "/REMI/Netflix Maandabonnement/IBAN/NL12ABNA0123456789/BIC/ABNANL2A/EREF/4X7Q2L9M",
     ("Netflix International B.V", "Netflix Maandabonnement")),
    # Dutch ING "Mededelingen" labels.
    ("Naam: Netflix International B.V. Omschrijving: Netflix abonnement april IBAN: NL33ABNA0123456789 "
     "Kenmerk: 1234567890 Machtiging ID: NFX123456", ("Netflix International B.V", "Netflix abonnement april")),
    # French direct debit with slash labels.
    ("PRLV SEPA NETFLIX INTERNATIONAL B.V. ECH/050326 ID EMETTEUR/NL86ZZZ341776690000 MDT/NF2026031 "
     "REF/4X7Q2L9M LIB/Netflix abonnement mars", ("PRLV SEPA NETFLIX INTERNATIONAL B.V", "Netflix abonnement mars")),
    ("Kartenzahlung NETFLIX.COM//Amsterdam/NL 2026-03-04", ("Kartenzahlung NETFLIX.COM", "Amsterdam/NL 2026-03-04")),
    # One field: nothing to cut (the fast path every US card line takes).
    ("NETFLIX.COM 866-579-7172 CA", ()),
    ("XMREF+abc", ()),  # a label never starts inside a word
    ("Straße 5 / Müller EREF+1 SVWZ+x", ("Straße 5", "Müller", "x")),  # ß upper-cases to two letters
])
def test_segments(raw: str, segments: tuple[str, ...]) -> None:
    assert Segmenter(load_knowledge().segments).split(raw) == segments


@pytest.mark.parametrize("raw, reduced", [
    ("FOLGELASTSCHRIFT Netflix B.V. EREF+111 MREF+NF1 CRED+NL86ZZZ3 SVWZ+Netflix Monatsabo",
     "FOLGELASTSCHRIFT Netflix B.V. SVWZ+Netflix Monatsabo"),
    ("NETFLIX / February", "NETFLIX / February"),  # separators only: unchanged
    ("NETFLIX.COM 866-579-7172 CA", "NETFLIX.COM 866-579-7172 CA"),
])
def test_reference_fields_are_dropped_before_matching(raw: str, reduced: str) -> None:
    assert Segmenter(load_knowledge().segments).reduce(raw) == reduced


def test_rows_differing_only_in_their_end_to_end_id_share_one_descriptor(matcher: Matcher) -> None:
    rows = [f"FOLGELASTSCHRIFT Netflix International B.V. EREF+{n} MREF+NF1 CRED+NL86ZZZ3 SVWZ+Netflix Monatsabo"
            for n in (111, 222)]
    out = matcher.annotate(pd.DataFrame({"description": rows}))
    assert out["cleaned"].tolist() == ["FOLGELASTSCHRIFT NETFLIX INTERNATIONAL B.V. SVWZ+NETFLIX MONATSABO"] * 2
    assert out["match_vendor"].tolist() == ["Netflix", "Netflix"]
    steps = matcher.explain(rows[0]).steps
    assert steps[0] == ("reference fields", "FOLGELASTSCHRIFT Netflix International B.V. SVWZ+Netflix Monatsabo")


MATCHES = [
    # The importer author's three refusals (issue 4).
    ("NETFLIX / February", "Netflix", "exact"),
    ("Netflix International B.V. / Netflix abonnement", "Netflix", "exact"),
    ("SEPA Lastschrift Spotify AB / P1234567 Spotify Premium", "Spotify", "exact"),
    # Period words in several languages; German/Dutch compound bill words.
    ("NETFLIX FEBRUARY", "Netflix", "exact"),
    ("SPOTIFY MAERZ 2026", "Spotify", "exact"),
    ("ACME ANVILS MONATSABO", "Acme Anvils", "exact"),
    ("ACME ANVILS JAHRESMITGLIEDSCHAFT", "Acme Anvils", "exact"),
    # Leading bank wording (and the card number inside it) is skipped like a processor prefix.
    ("PRLV SEPA DAZN LIMITED", "DAZN", "exact"),
    ("CARTE X4521 05/03 SPOTIFY STOCKHOLM", "Spotify", "exact"),
    ("DIRECT DEBIT PAYMENT TO DAZN LIMITED REF DAZN-1234567", "DAZN", "exact"),
    # A consonant skeleton of the vendor's name (ADBL.CO) and a European street address.
    ("VIS AUDIBLE UK ADBL.CO/PYMT", "Audible", "exact"),
    ("Domiciliëring Spotify AB Regeringsgatan 19 Stockholm referentie P4A5B6C7D8", "Spotify", "exact"),
    # The product only in the remittance text, after a company (GmbH) as counterparty.
    ("Coyote Supply GmbH / Acme Anvils Abo März", "Acme Anvils", "exact+segment"),
    # The vendor named in two segments, one of them a company, each refused alone.
    ("SPIEGEL-Verlag Rudolf Augstein GmbH & Co. KG / SPIEGEL+ Digitalabo", "Spiegel+", "exact+segment"),
    # A child vendor beats its parent across segments.
    ("MICROSOFT IRELAND LTD / XBOX GAME PASS", "Xbox", "exact"),
    ("NETFLIX.COM / Netflix.com", "Netflix", "exact"),
    # Bank wording with its preposition (Lastschrift von, payment to) before the merchant.
    ("SEPA-Lastschrift von DAZN Limited / Kundennummer 123", "DAZN", "exact"),
]


@pytest.mark.parametrize("descriptor, vendor, method", MATCHES)
def test_matches(matcher: Matcher, descriptor: str, vendor: str, method: str) -> None:
    found = matcher.match(descriptor)
    assert found is not None, matcher.explain(descriptor).render()
    assert (found.vendor, found.method) == (vendor, method)


REFUSED = [
    # Remittance text naming a vendor after a person, not a company.
    "Anna Schmidt / Acme Anvils Abo",
    "Coyote Supply / Acme Anvils Abo",
    "MUSTERMANN / NETFLIX",
    "Max Weber / Max Weber Urlaub",  # a person named twice is no company
    # Payroll and transfers between people.
    "Lohn/Gehalt Microsoft Deutschland GmbH / Gehalt 03/2026",
    "SALARY / NETFLIX INTERNATIONAL B.V.",
    "Dauerauftrag / Eltern / Spotify Familie",
    "Überweisung / Anna Schmidt / Netflix Anteil März",
    "Max Mustermann / Miete März 2026 / Dauerauftrag",
    # Another kind of business in any segment, and plain look-alikes.
    "Calm Café Amsterdam / Betaalautomaat",
    "NORTONS PIZZA / Kartenzahlung",
    "Norton Motorcycles (UK) Ltd / Invoice 4471",
    # Two unrelated vendors in different segments.
    "NETFLIX / SPOTIFY",
]


@pytest.mark.parametrize("descriptor", REFUSED)
def test_refused(matcher: Matcher, descriptor: str) -> None:
    assert matcher.match(descriptor) is None, matcher.explain(descriptor).render()


@pytest.mark.parametrize("text, company", [
    ("NETFLIX INTERNATIONAL B.V.", True),
    ("PAYPAL (EUROPE) S.A R.L. ET CIE, S.C.A.", True),
    ("LESSON NINE GMBH", True),
    ("SEPA-LASTSCHRIFT", True),       # bank wording only
    ("ANNA SCHMIDT", False),
    ("COYOTE SUPPLY", False),
])
def test_is_company(text: str, company: bool) -> None:
    kb = load_knowledge()
    parsed = parse(clean_steps(text), compile_processors(kb.processors), kb.vocabulary.bank)
    assert is_company(parsed, kb.vocabulary) is company


def test_explain_lists_each_segment(matcher: Matcher) -> None:
    lines = matcher.explain("Anna Schmidt / Acme Anvils Abo").render().splitlines()
    assert lines[-4:] == [
        "segments:",
        "  1. ANNA SCHMIDT -> no match (no alias of any target vendor occurs)",
        "  2. ACME ANVILS ABO -> Acme Anvils (exact)",
        "decision: no match (no candidate survived; by segments: Acme Anvils only in the remittance text "
        "after 'ANNA SCHMIDT', which is no company)",
    ]


def test_explain_decision_agrees_with_match(matcher: Matcher) -> None:
    explained = matcher.explain("Coyote Supply GmbH / Acme Anvils Abo März")
    assert explained.decision == matcher.match("Coyote Supply GmbH / Acme Anvils Abo März")
    assert explained.segments[0] == "COYOTE SUPPLY GMBH (company or bank wording) -> no match (no alias of any target vendor occurs)"


def test_annotate_matches_joined_fields_per_descriptor() -> None:
    frame = pd.DataFrame({"description": ["Coyote Supply GmbH / Acme Anvils Abo März", "Anna Schmidt / Acme Anvils Abo",
                                          "Coyote Supply GmbH / Acme Anvils Abo März"],
                          "amount_cents": [-999, -999, -999]})
    out = Matcher.for_vendors(VENDORS).annotate(frame)
    assert out["match_vendor"].tolist() == ["Acme Anvils", "", "Acme Anvils"]
    assert out["match_method"].tolist() == ["exact+segment", "", "exact+segment"]


def test_vocabulary_and_segment_rules_load() -> None:
    kb = load_knowledge()
    words = kb.vocabulary
    assert {"FEBRUARY", "MAERZ", "MAART", "FEVRIER"} <= words.periods
    assert {"SEPA", "LASTSCHRIFT", "PRLV", "INCASSO"} <= words.bank
    assert {"GEHALT", "SALARY", "DAUERAUFTRAG"} <= words.transfer
    assert {"GMBH", "BV", "SARL", "KG"} <= words.corporate
    assert {"FEBRUARY", "SEPA"} <= words.neutral and "GEHALT" in words.refusing
    assert " / " in kb.segments.separators and "SVWZ+" in kb.segments.text_fields
    assert "MREF+" in kb.segments.reference_fields


@pytest.mark.parametrize("text, letters", [
    ("NETFLIX INTERNATIONAL B.V. / NETFLIX", {2, 3}),
    ("PAYPAL (EUROPE) S.A R.L. ET CIE", {2, 3, 4, 5}),
    ("W W NORTON", set()),  # W W is no company form: a name
])
def test_dotted_company_forms(text: str, letters: set[int]) -> None:
    kb = load_knowledge()
    parsed = parse(clean_steps(text), compile_processors(kb.processors), kb.vocabulary.bank)
    assert dotted_forms(parsed.tokens, kb.vocabulary.corporate) == letters


@pytest.mark.parametrize("descriptor, vendor, decision", [
    ("NETFLIX / February", "Netflix", 'decision: Netflix (score 100, alias "Netflix", method exact)'),
    ("Netflix International B.V. / Netflix abonnement", "Netflix",
     'decision: Netflix (score 100, alias "Netflix", method exact)'),
    ("SEPA Lastschrift Spotify AB / P1234567 Spotify Premium", "Spotify",
     'decision: Spotify (score 100, alias "Spotify AB", method exact)'),
])
def test_cli_explain_of_the_reported_refusals(descriptor: str, vendor: str, decision: str) -> None:
    result = CliRunner().invoke(cli, ["explain", descriptor, "--vendor", vendor])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == decision
