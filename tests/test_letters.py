"""Dispute letters: exact text for the story, no invented facts, blanks marked, stable file names."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.report import letters
from chargecheck.cli import cli

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "report"
GOLDEN = FIXTURES / "golden" / "letters"
REGEN = os.environ.get("CHARGECHECK_REGEN_GOLDEN") == "1"
_spec = importlib.util.spec_from_file_location("report_story", FIXTURES / "story.py")
story = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(story)

NAMES = [
    "kaspersky-merchant-refund-request.md",
    "kaspersky-card-issuer-chargeback.md",
    "netflix-merchant-refund-request.md",
    "netflix-card-issuer-chargeback.md",
]


def test_letters_for_the_story_match_golden(tmp_path):
    paths = letters.write_letters(story.story(), tmp_path / "out")
    assert [p.name for p in paths] == NAMES
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        golden = GOLDEN / path.name
        if REGEN:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8", newline="")
        assert text == golden.read_bytes().decode("utf-8"), path.name


def test_letters_are_deterministic(tmp_path):
    first = [p.read_bytes() for p in letters.write_letters(story.story(), tmp_path / "a")]
    second = [p.read_bytes() for p in letters.write_letters(story.story(), tmp_path / "b")]
    assert first == second


def test_merchant_letter_facts_and_blanks(tmp_path):
    text = (letters.write_letters(story.story(), tmp_path)[0]).read_text(encoding="utf-8")
    for fact in ("cancelled my Kaspersky subscription on **2026-03-01**", "confirmation reference is KL-58213",
                 "2026-03-15  59.99 USD  PAYPAL *KASPERSKY 402-935-7733    2026-05-14",
                 "2026-04-15  59.99 USD  DRI*KASPERSKY LAB 866-3285700 MA  2026-06-14",
                 "Total charged after the cancellation: **119.98 USD**",
                 "can be refunded until **2026-05-14** (60-day refund window)"):
        assert fact in text
    for blank in ("[YOUR NAME]", "[YOUR POSTAL ADDRESS]", "[MERCHANT POSTAL ADDRESS OR SUPPORT EMAIL]",
                  "[YOUR CUSTOMER OR ACCOUNT NUMBER WITH THE MERCHANT]", "[LAST 4 DIGITS]", "[DATE OF SENDING]"):
        assert blank in text
    # The pre-cancellation refundable charge is not disputed as "after the cancellation".
    assert "2026-02-20" not in text


def test_issuer_letter_names_the_reason_and_the_evidence(tmp_path):
    text = letters.write_letters(story.story(), tmp_path)[1].read_text(encoding="utf-8")
    assert "Dispute reason: **canceled recurring transaction**" in text
    assert "statements/card.ofx#202603150001" in text
    assert "- the statement(s) showing these charges: statements/card.ofx" in text
    assert "[CARD OR ACCOUNT NUMBER]" in text and "[CARD ISSUER NAME]" in text
    assert "Total disputed: **119.98 USD**." in text


def test_missing_reference_is_a_marked_blank_and_refunded_flags_are_left_out(tmp_path):
    merchant, issuer = letters.write_letters(story.story(), tmp_path)[2:]
    for text in (merchant.read_text(encoding="utf-8"), issuer.read_text(encoding="utf-8")):
        assert letters.NO_REFERENCE in text
        assert "2026-05-05  15.49 USD" in text
        assert "2026-04-05" not in text  # refunded by the credit of 2026-04-07
        assert "paid through 2026-03-24" in text
        assert "Refund by" not in text and "refund window" not in text  # no window recorded: none claimed


def test_unknown_currency_is_a_blank(tmp_path):
    result = story.story()
    result = dataclasses.replace(result, flags=tuple(dataclasses.replace(f, currency="") for f in result.flags))
    text = letters.write_letters(result, tmp_path)[0].read_text(encoding="utf-8")
    assert "2026-03-15  59.99   PAYPAL *KASPERSKY 402-935-7733" in text
    assert "Total charged after the cancellation: **119.98 [CURRENCY]**." in text


def test_no_letters_when_nothing_is_outstanding(tmp_path):
    result = story.story()
    result = dataclasses.replace(result, flags=tuple(dataclasses.replace(f, review="expected") for f in result.flags))
    assert letters.write_letters(result, tmp_path / "none") == []


def test_disputed_flags_still_get_letters(tmp_path):
    # c05b9e13f7a8 is reviewed "disputed": still outstanding, so it is in the Kaspersky letters.
    text = letters.write_letters(story.story(), tmp_path)[1].read_text(encoding="utf-8")
    assert "2026-04-15" in text


@pytest.mark.parametrize(
    ("vendor", "slug"),
    [("Kaspersky", "kaspersky"), ("Apple.com / iCloud+", "apple-com-icloud"), ("Société Générale", "societe-generale"),
     ("../../etc/passwd", "etc-passwd"), ("***", "vendor")],
)
def test_letter_slug(vendor, slug):
    assert letters.letter_slug(vendor) == slug


def test_slug_collisions_get_a_suffix(tmp_path):
    result = story.story()
    flags = tuple(dataclasses.replace(f, vendor="A&B" if f.vendor == "Kaspersky" else "A B") for f in result.flags)
    paths = letters.write_letters(dataclasses.replace(result, flags=flags), tmp_path)
    assert [p.name for p in paths] == ["a-b-merchant-refund-request.md", "a-b-card-issuer-chargeback.md",
                                       "a-b-2-merchant-refund-request.md", "a-b-2-card-issuer-chargeback.md"]


def test_statement_text_is_shown_literally_in_a_longer_fence(tmp_path):
    result = story.story()
    flags = tuple(dataclasses.replace(f, description="```\n# not a heading <b>x</b>") for f in result.flags)
    text = letters.write_letters(dataclasses.replace(result, flags=flags), tmp_path)[0].read_text(encoding="utf-8")
    assert "````text\n" in text and "\n````\n" in text
    assert "```\\x0a# not a heading <b>x</b>" in text  # newline shown, not obeyed


def test_cli_letters_on_the_sample_statements(tmp_path):
    project = TESTS.parent
    out = tmp_path / "letters"
    run = CliRunner().invoke(cli, ["letters", str(project / "sample_statements"), "--rules", str(project / "rules"),
                                   "--output", str(out)])
    assert run.exit_code == 0, run.output
    written = sorted(p.name for p in out.iterdir())
    assert run.output.startswith(f"Wrote {len(written)} letter(s) for {len(written) // 2} vendor(s) to {out}:\n")
    assert run.output.endswith("Fill in the [BRACKETED] blanks before sending.\n")
    assert "kaspersky-merchant-refund-request.md" in written and "kaspersky-card-issuer-chargeback.md" in written
    text = (out / "kaspersky-merchant-refund-request.md").read_text(encoding="utf-8")
    assert "cancelled my Kaspersky subscription on **2026-03-01**" in text and "KL-58213" in text


def test_cli_letters_requires_output():
    run = CliRunner().invoke(cli, ["letters", "x.csv"])
    assert run.exit_code == 2
    assert "Missing option '--output'" in run.output
