"""Subscription reports: exact JSON shape, spreadsheet-safe CSV, escaped HTML and Markdown."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from chargecheck.discover.subscriptions import Charge, PriceChange, Refused, Subscription
from chargecheck.report import render_subscriptions
from chargecheck.errors import UsageError
from chargecheck.model import Source

HOSTILE = '=HYPERLINK("http://x")|<script>alert(1)</script>'


def _sub(vendor: str = "StreamFlix", description: str = "STREAMFLIX.COM 866-555-0101", **over) -> Subscription:
    charges = (
        Charge(date(2025, 1, 9), Decimal("10.99"), description, Source("card.csv", 2), "card-1"),
        Charge(date(2025, 2, 9), Decimal("10.99"), description, Source("card.csv", 3), "card-1"),
        Charge(date(2025, 3, 10), Decimal("12.99"), description, Source("bank.ofx", None, "FIT-7"), "card-2"),
    )
    fields = dict(
        vendor=vendor, description=description, cadence="monthly", status="active",
        amount=Decimal("10.99"), amount_min=Decimal("10.99"), amount_max=Decimal("12.99"), currency="USD",
        first=date(2025, 1, 9), last=date(2025, 3, 10), next_expected=date(2025, 4, 9),
        next_amount=Decimal("12.99"),
        price_changes=(PriceChange(date(2025, 3, 10), Decimal("10.99"), Decimal("12.99")),),
        confidence=0.7, evidence="3 charges, 2 of 2 intervals monthly within 1 days, 1 price change",
        charges=charges, cancel_command="chargecheck cancel StreamFlix --on 2025-03-10 --amount 12.99",
    )
    fields.update(over)
    return Subscription(**fields)


def test_json_has_exactly_the_issue_shape_with_strings_for_money_and_dates():
    data = json.loads(render_subscriptions([_sub()], "json"))
    (item,) = data["subscriptions"]
    assert list(data) == ["subscriptions"]
    assert list(item)[:14] == ["vendor", "description", "cadence", "status", "amount", "amount_min", "amount_max",
                               "first", "last", "next_expected", "price_changes", "confidence", "charges", "currency"]
    assert item["amount"] == "10.99" and item["amount_max"] == "12.99" and item["next_amount"] == "12.99"
    assert (item["first"], item["last"], item["next_expected"]) == ("2025-01-09", "2025-03-10", "2025-04-09")
    assert item["price_changes"] == [{"date": "2025-03-10", "from": "10.99", "to": "12.99"}]
    assert item["confidence"] == 0.7
    assert item["charges"][2] == {
        "date": "2025-03-10", "amount": "12.99", "description": "STREAMFLIX.COM 866-555-0101", "account": "card-2",
        "source": "bank.ofx#FIT-7", "file": "bank.ofx", "line": None, "fitid": "FIT-7",
    }
    assert item["cancel_command"] == "chargecheck cancel StreamFlix --on 2025-03-10 --amount 12.99"


def test_json_is_deterministic():
    subs = [_sub(), _sub(vendor="TuneBox")]
    assert render_subscriptions(subs, "json") == render_subscriptions(subs, "json")


def test_csv_neutralises_formula_text_but_keeps_numbers():
    text = render_subscriptions([_sub(vendor=HOSTILE, description="-1+2")], "csv")
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row))
    assert cells["vendor"] == "'" + HOSTILE
    assert cells["description"] == "'-1+2"
    assert (cells["amount"], cells["amount_max"], cells["confidence"], cells["charges"]) == ("10.99", "12.99", "0.700", "3")
    assert cells["price_changes"] == "2025-03-10 10.99 → 12.99"
    assert cells["first"] == "2025-01-09"


def test_html_escapes_statement_text_and_is_self_contained():
    page = render_subscriptions([_sub(vendor=HOSTILE)], "html")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http" not in page.replace("http://x", "")  # no external resources
    assert "<style>" in page and "price change 2025-03-10: 10.99 → 12.99" in page


def test_markdown_escapes_pipes_and_lists_the_cancel_command():
    text = render_subscriptions([_sub(vendor="A|B")], "md")
    assert "| A\\|B | monthly | active | 10.99 USD | 10.99–12.99 | 2025-01-09 | 2025-03-10 | 2025-04-09 | 0.70 |" in text
    assert "- record it: `chargecheck cancel StreamFlix --on 2025-03-10 --amount 12.99`" in text


def test_table_shows_control_characters_visibly_and_the_refused():
    refused = (Refused("FRESHMART", "FRESHMART #12", "USD", 30, 0.0, "30 charges, amounts 25.00–160.00"),)
    text = render_subscriptions([_sub(vendor="Bad\x1b[31mVendor")], "table", refused=refused)
    assert "\x1b" not in text and "Bad\\x1b[31mVendor" in text
    assert "record it: chargecheck cancel StreamFlix --on 2025-03-10 --amount 12.99" in text
    assert "FRESHMART: 30 charges, amounts 25.00–160.00 (confidence 0.00)" in text


def test_empty_reports():
    assert json.loads(render_subscriptions([], "json")) == {"subscriptions": []}
    assert render_subscriptions([], "table").startswith("0 subscriptions found")
    assert render_subscriptions([], "csv").count("\n") == 1


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render_subscriptions([], "pdf")


def test_a_cancelled_series_still_charging_says_so_in_every_text_format():
    sub = _sub(status="cancelled_but_charging", cancel_command=None, cancelled_on=date(2025, 2, 1))
    note = "cancelled on 2025-02-01 per your rules, still charging (chargecheck check lists the flags)"
    assert f"  {note}" in render_subscriptions([sub], "table").splitlines()
    assert f"- {note}" in render_subscriptions([sub], "md").splitlines()
    assert note in render_subscriptions([sub], "html")
    assert "record it" not in render_subscriptions([sub], "table")
