"""Every text renderer shows terminal escapes, C1 controls and bidi overrides escaped, never raw.

One payload (a window-title OSC, a screen clear, an OSC 8 hyperlink, a one-byte CSI, NEL, a
right-to-left override and isolates) is planted in every statement and rules field a report
prints; each renderer's output (check's table with and without colour, CSV, Markdown, HTML,
both letters, the ``subscriptions`` formats, the ``transactions`` table and CSV) must hold no
control character but its own line ends, and the payload must be there escaped.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chargecheck import report
from chargecheck.report.transactions import render_csv as transactions_csv
from chargecheck.report.transactions import render_table as transactions_table
from chargecheck.discover.subscriptions import Charge, Refused, Subscription
from chargecheck.report import render_subscriptions
from chargecheck.importers import read_statement
from chargecheck.model import Source
from chargecheck.report.common import visible
from chargecheck.report.letters import issuer_letter, merchant_letter

FIXTURES = Path(__file__).parent / "fixtures" / "report"
_spec = importlib.util.spec_from_file_location("report_story_safety", FIXTURES / "story.py")
story = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(story)

PAYLOAD = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
           "\x9b31m\x85\u202e99.9-\u2066x\u2069\u200f")
# Control characters (C0 but LF, DEL, C1) and the bidi/line-separator characters: none may be raw.
_RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_PAYLOAD_PIECES = ("\x1b]", "\x1b[2J", "\x9b", "\x07", "\x85", "\u202e", "\u2066", "\u2069", "\u200f")


def _hostile_result():
    chase = [(*row[:2], "SPOTIFY " + PAYLOAD, *row[3:]) for row in story.CHASE_ROWS]
    ofx = [(*row[:2], "NETFLIX " + PAYLOAD, *row[3:]) for row in story.OFX_ROWS]
    kaspersky = dataclasses.replace(story.KASPERSKY, vendor="Kaspersky" + PAYLOAD, reference="KL" + PAYLOAD,
                                    notes=PAYLOAD)
    result = story.build(chase, ofx, kaspersky, story.NETFLIX, skipped_text=PAYLOAD, warning="warn " + PAYLOAD)
    return dataclasses.replace(result, flags=tuple(dataclasses.replace(f, review_note=PAYLOAD) for f in result.flags))


def _subscription() -> Subscription:
    text = "STREAMFLIX " + PAYLOAD
    charges = tuple(Charge(day, Decimal("10.99"), text, Source("card" + PAYLOAD + ".csv", n), "card-1")
                    for n, day in enumerate((date(2025, 1, 9), date(2025, 2, 9), date(2025, 3, 9)), start=2))
    return Subscription(
        vendor="StreamFlix" + PAYLOAD, description=text, cadence="monthly", status="active",
        amount=Decimal("10.99"), amount_min=Decimal("10.99"), amount_max=Decimal("10.99"), currency="USD",
        first=date(2025, 1, 9), last=date(2025, 3, 9), next_expected=date(2025, 4, 9), next_amount=Decimal("10.99"),
        price_changes=(), confidence=0.7, evidence="3 charges " + PAYLOAD, charges=charges,
        cancel_command="chargecheck cancel 'StreamFlix" + PAYLOAD + "' --on 2025-03-09",
    )


def _check_outputs():
    result = _hostile_result()
    outputs = {f"check {fmt}": report.render(result, fmt, width=160) for fmt in ("table", "csv", "md", "html")}
    flags = list(result.flags)
    outputs["merchant letter"] = merchant_letter(flags, 60)
    outputs["issuer letter"] = issuer_letter(flags)
    return outputs


def _subscription_outputs():
    refused = (Refused("Gym" + PAYLOAD, "GYM " + PAYLOAD, "USD", 3, 0.3, "irregular " + PAYLOAD),)
    return {f"subscriptions {fmt}": render_subscriptions([_subscription()], fmt, refused=refused)
            for fmt in ("table", "csv", "md", "html")}


def _transactions_outputs(tmp_path: Path):
    statement = tmp_path / "card.csv"
    statement.write_text(
        "Date,Description,Amount\n"
        + "".join(f"2026-03-0{day},\"SHOP {day} {PAYLOAD}\",-{day}.99\n" for day in range(1, 6))
        + f"2026-03-06,\"{PAYLOAD}\",n/a\n"
        + f"2026-03-07,\"SPOTIFY {PAYLOAD}\",-10.99\n", encoding="utf-8")
    statements = [read_statement(statement)]
    assert len(statements[0].transactions) == 6 and len(statements[0].skipped) == 1
    return {"transactions table": transactions_table(statements), "transactions csv": transactions_csv(statements)}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Every renderer's output for the hostile inputs, rendered once for the module."""
    return {**_check_outputs(), **_subscription_outputs(), **_transactions_outputs(tmp_path_factory.mktemp("tx"))}


RENDERERS = ["check table", "check csv", "check md", "check html", "merchant letter", "issuer letter",
             "subscriptions table", "subscriptions csv", "subscriptions md", "subscriptions html",
             "transactions table", "transactions csv"]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_no_raw_control_or_bidi_character_in_any_text_output(renderer, outputs):
    text = outputs[renderer]
    raw = [(m.start(), hex(ord(m.group()))) for m in _RAW.finditer(text.replace("\r\n", "\n"))]
    assert raw == [], f"{renderer}: raw characters at {raw[:5]}"
    # The payload is shown, escaped, not dropped (the evidence stays faithful; Markdown also
    # backslash-escapes the backslash and bracket).
    unmarked = text.replace("\\\\", "\\").replace("\\]", "]")
    assert "\\x1b]8;;http://evil.example" in unmarked and "\\u202e99.9-" in unmarked


def test_coloured_table_escapes_the_payload_but_keeps_its_own_colours():
    text = report.render(_hostile_result(), "table", color=True, width=160)
    assert "\x1b[" in text  # rich's colour codes are the renderer's own
    assert not [piece for piece in _PAYLOAD_PIECES if piece in text]
    assert "\\x1b[2J" in text


@pytest.mark.parametrize(("text", "shown"), [
    ("\x1b[2J", "\\x1b[2J"), ("\x9b", "\\x9b"), ("a\u202eb", "a\\u202eb"), ("\u2066\u2069", "\\u2066\\u2069"),
    ("tab\there", "tab\\x09here"), ("NETFLIX.COM 866-579-7172", "NETFLIX.COM 866-579-7172"),
    ("Café Zürich €", "Café Zürich €"), ("שלום", "שלום"),
])
def test_visible_escapes_controls_and_bidi_and_keeps_letters(text, shown):
    assert visible(text) == shown
    assert visible(visible(text)) == shown  # idempotent: renderers may apply it twice
