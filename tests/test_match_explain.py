"""``Matcher.explain`` and ``chargecheck explain``: every step a user sees, asserted line by line."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.match.matcher import Matcher


def test_explain_shows_cleaning_processor_candidates_and_decision() -> None:
    matcher = Matcher.for_vendors({"Acme Anvils": ["Acme Anvil Club"], "Norton": []})
    raw = "RECURRING PAYMENT AUTHORIZED ON 03/01 SQ *ACME ANVIL CLUB 877-8244858 CA S331486483301352 CARD 0683"
    assert matcher.explain(raw).render().splitlines() == [
        f"descriptor: {raw}",
        "cleaning:",
        "  upper case, spacing: RECURRING PAYMENT AUTHORIZED ON 03/01 SQ*ACME ANVIL CLUB 877-8244858 CA S331486483301352 CARD 0683",
        "  authorization wording: SQ*ACME ANVIL CLUB 877-8244858 CA S331486483301352 CARD 0683",
        "  phone number: SQ*ACME ANVIL CLUB CA S331486483301352 CARD 0683",
        "  card suffix: SQ*ACME ANVIL CLUB CA",
        "  state/country CA: SQ*ACME ANVIL CLUB",
        "cleaned: SQ*ACME ANVIL CLUB",
        "fields: wrapper: RECURRING PAYMENT AUTHORIZED ON 03/01; processor: Square (pos); merchant: ACME ANVIL CLUB; "
        "state/country: CA; phone or URL: 877-8244858; references: S331486483301352 CARD 0683",
        "billed through: Square (pos), for: ACME ANVIL CLUB",
        "candidates:",
        '  Acme Anvils: score 100, alias "Acme Anvil Club" (rule alias), method exact, tokens ACME ANVIL CLUB -> weak evidence',
        'decision: Acme Anvils (score 100, alias "Acme Anvil Club", method exact)',
    ]


def test_explain_names_the_lookalike_rule() -> None:
    matcher = Matcher.for_vendors({"Norton": []})
    lines = matcher.explain("NORTON'S PIZZA #2 NORTON MA").render().splitlines()
    assert lines[-3:] == [
        "candidates:",
        '  Norton: score 100, alias "Norton" (vendor name), method exact, tokens NORTON'
        " -> rejected: look-alike: PIZZA names another kind of business",
        "decision: no match (no candidate survived)",
    ]


def test_explain_weak_match_beside_other_words() -> None:
    matcher = Matcher.for_vendors({"Peacock": []})
    lines = matcher.explain("SQ *PEACOCK LOUNGE").render().splitlines()
    assert lines[-2:] == [
        '  Peacock: score 100, alias "Peacock" (vendor name), method exact, tokens PEACOCK'
        " -> rejected: weak match behind a point-of-sale processor beside unexplained words: LOUNGE",
        "decision: no match (no candidate survived)",
    ]


def test_explain_without_candidates() -> None:
    lines = Matcher.for_vendors({"Hulu": []}).explain("SHULUK MARKET").render().splitlines()
    assert lines == [
        "descriptor: SHULUK MARKET",
        "cleaning:",
        "  upper case, spacing: SHULUK MARKET",
        "cleaned: SHULUK MARKET",
        "fields: merchant: SHULUK MARKET",
        "candidates: none",
        "decision: no match (no alias of any target vendor occurs)",
    ]


def _rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cancellations.toml").write_text(textwrap.dedent("""\
        [[cancellation]]
        vendor = "Kaspersky"
        cancelled_on = 2026-03-01
        aliases = ["DRI*KASPERSKY"]
        exclude = ["KASPERSKY GIFT"]
        """), encoding="utf-8")
    return rules


def test_cli_explain_with_rules(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "DRI*KASPERSKY LAB 866-3285700 MA", "--rules", str(_rules(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "descriptor: DRI*KASPERSKY LAB 866-3285700 MA",
        "cleaning:",
        "  upper case, spacing: DRI*KASPERSKY LAB 866-3285700 MA",
        "  phone number: DRI*KASPERSKY LAB MA",
        "  state/country MA: DRI*KASPERSKY LAB",
        "cleaned: DRI*KASPERSKY LAB",
        "fields: processor: Digital River (reseller); merchant: KASPERSKY LAB; state/country: MA; "
        "phone or URL: 866-3285700",
        "billed through: Digital River (reseller), for: KASPERSKY LAB",
        "candidates:",
        '  Kaspersky: score 100, alias "DRI*KASPERSKY" (rule alias), method exact, tokens DRI KASPERSKY -> strong evidence',
        '  Kaspersky: score 100, alias "Kaspersky Lab" (knowledge base), method exact, tokens KASPERSKY LAB -> strong evidence',
        '  Kaspersky: score 100, alias "Kaspersky" (vendor name), method exact, tokens KASPERSKY -> strong evidence',
        'decision: Kaspersky (score 100, alias "DRI*KASPERSKY", method exact)',
    ]


def test_cli_explain_shows_the_exclude_that_rejected(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "KASPERSKY GIFT CARD", "--rules", str(_rules(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        '  Kaspersky: score 100, alias "Kaspersky" (vendor name), method exact, tokens KASPERSKY'
        ' -> rejected: excluded by rule exclude "KASPERSKY GIFT"',
        "decision: no match (no candidate survived)",
    ]


def test_cli_explain_vendor_option_and_knowledge_default(tmp_path: Path) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        named = runner.invoke(cli, ["explain", "PAYPAL *NORTONLIFEL 4029357733", "--vendor", "Norton"])
        anyone = runner.invoke(cli, ["explain", "MICROSOFT*XBOX 800-642-7676 WA"])
    assert named.exit_code == 0 and anyone.exit_code == 0
    assert named.output.splitlines()[-1] == 'decision: Norton (score 90, alias "NortonLifeLock", method prefix)'
    assert anyone.output.splitlines()[-1] == 'decision: Xbox (score 100, alias "MICROSOFT*XBOX", method exact)'


def test_cli_explain_bad_rules_is_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "vendors.toml").write_text('[[vendor]]\nnam = "Acme"\n', encoding="utf-8")
    (rules / "cancellations.toml").write_text('[[cancellation]]\nvendor = "Acme"\ncancelled_on = 2026-03-01\n',
                                              encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "ACME", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "vendor #1: unknown key 'nam'" in result.output


def test_explain_names_the_amount_that_would_confirm_a_near_miss() -> None:
    from datetime import date
    from decimal import Decimal

    from chargecheck.model import Cancellation

    explanation = Matcher([Cancellation("Spotify", date(2026, 3, 1), amount=Decimal("10.99"))]).explain(
        "SPOTIFY GOTHENBURG")
    assert explanation.candidates[0].rejected.text == "weak match beside unexplained words: GOTHENBURG"
    assert explanation.render().splitlines()[-2:] == [
        "decision: no match (no candidate survived)",
        "  a charge of 10.99 (the rule's usual amount) would match Spotify",
    ]
