"""Report renderers: golden output per format, determinism, exit codes, totals per currency."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chargecheck import report
from chargecheck.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "report"
GOLDEN = FIXTURES / "golden"
# Set CHARGECHECK_REGEN_GOLDEN=1 to rewrite the golden files on purpose (then review the diff).
REGEN = os.environ.get("CHARGECHECK_REGEN_GOLDEN") == "1"


def _load_story():
    spec = importlib.util.spec_from_file_location("report_story", FIXTURES / "story.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


story = _load_story()

SUFFIX = {"table": "txt", "json": "json", "csv": "csv", "md": "md", "html": "html"}


def _render(result, fmt):
    return report.render(result, fmt, width=100)


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_golden_story(fmt):
    text = _render(story.story(), fmt)
    golden = GOLDEN / f"story.{SUFFIX[fmt]}"
    if REGEN:
        golden.write_text(text, encoding="utf-8", newline="")
    assert text == golden.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_render_is_deterministic_and_independent_of_input_order(fmt):
    result = story.story()
    flags = list(result.flags)
    random.Random(7).shuffle(flags)
    shuffled = dataclasses.replace(result, flags=tuple(reversed(flags)))
    first = _render(result, fmt)
    assert first == _render(story.story(), fmt)
    assert first == _render(shuffled, fmt)


def test_formats_and_unknown_format():
    assert report.FORMATS == ("table", "json", "csv", "md", "html")
    with pytest.raises(UsageError, match="unknown report format 'xml'"):
        report.render(story.story(), "xml")


def _with_reviews(result, decision):
    flags = tuple(dataclasses.replace(f, review=decision) for f in result.flags)
    return dataclasses.replace(result, flags=flags)


@pytest.mark.parametrize(
    ("decision", "expected"), [(None, 1), ("disputed", 1), ("expected", 0), ("ignore", 0), ("refunded", 0)]
)
def test_exit_code_follows_outstanding_flags(decision, expected):
    assert report.exit_code(_with_reviews(story.story(), decision)) == expected


def test_exit_code_zero_without_flags_and_refundable_or_to_check_do_not_count():
    result = dataclasses.replace(story.story(), flags=())
    assert result.refundable and result.to_check  # neither ever sets exit code 1
    assert report.exit_code(result) == 0
    text = " ".join(report.render(result, "table", width=80).split())
    # Norton matched nothing: an empty report is not an all-clear while one cancellation went unseen.
    assert "Not an all-clear: 1 cancellation(s) matched no charge at all (Norton)." in text
    assert "1 possible charge(s) to check, listed above, not counted in the total nor the exit code." in text
    seen = dataclasses.replace(result, accounts=tuple(a for a in result.accounts if not a.matched_nothing))
    assert "No charges after a cancellation found." in report.render(seen, "table", width=80)


def test_nothing_outstanding_message():
    result = _with_reviews(story.story(), "expected")
    text = report.render(result, "table", width=100)
    assert "Nothing outstanding: every flagged charge is refunded or reviewed." in text
    assert "Total at stake" not in text


# --- JSON -----------------------------------------------------------------------------------------

FLAG_KEYS = {
    "vendor", "date", "amount", "currency", "description", "source", "cancelled_on", "paid_through",
    "days_after", "reference", "score", "alias", "status", "refund_deadline", "id",
}
EXTRA_KEYS = {"method", "review", "review_note", "refunded_by", "refunded_amount", "owed", "same_payment"}


def test_json_shape_and_flag_keys():
    data = json.loads(report.render(story.story(), "json"))
    assert list(data) == ["generator", "version", "flags", "to_check", "refundable", "cancellations", "summary",
                          "skipped", "duplicates", "stale_reviews", "files", "warnings", "passed_over"]
    assert data["generator"] == "chargecheck"
    assert data["version"] == 1
    for flag in data["flags"] + data["refundable"]:
        assert set(flag) == FLAG_KEYS | EXTRA_KEYS
    (doubtful,) = data["to_check"]
    assert set(doubtful) == FLAG_KEYS | EXTRA_KEYS | {"reason"}
    assert (doubtful["status"], doubtful["reason"]) == ("to_check", story.TO_CHECK_DOUBT)
    first = data["flags"][0]
    assert first["amount"] == "-59.99" and first["date"] == "2026-03-15"
    assert first["source"] == {"file": "statements/card.ofx", "fitid": "202603150001"}
    assert data["flags"][3]["source"] == {"file": "statements/chase_card.csv", "line": 9}
    assert [f["id"] for f in data["flags"]] == ["7d1e0c44a9b2", "c05b9e13f7a8", "5a2f8b6d0e91", "e83c47b1d25f"]


def test_json_summary_totals():
    summary = json.loads(report.render(story.story(), "json"))["summary"]
    assert summary["at_stake"] == [{"currency": "USD", "amount": "135.47", "count": 3}]
    assert summary["refundable_before_cancellation"] == [{"currency": "USD", "amount": "59.99", "count": 1}]
    counts = {k: summary[k] for k in ("flags", "outstanding", "refunded", "reviewed", "refundable", "files",
                                       "transactions", "skipped", "duplicates", "stale_reviews", "to_check")}
    assert counts == {"flags": 4, "outstanding": 3, "refunded": 1, "reviewed": 1, "refundable": 1, "files": 2,
                      "transactions": 13, "skipped": 1, "duplicates": 1, "stale_reviews": 1, "to_check": 1}
    by_vendor = {v["vendor"]: v["at_stake"] for v in summary["vendors"]}
    assert by_vendor == {"Kaspersky": [{"currency": "USD", "amount": "119.98", "count": 2}],
                         "Netflix": [{"currency": "USD", "amount": "15.49", "count": 1}]}


def _mixed_currencies():
    result = story.story()
    eur = dataclasses.replace(result.flags[0], id="aa11bb22cc33", currency="EUR", amount=Decimal("-9.99"),
                              date=date(2026, 3, 20))
    return dataclasses.replace(result, flags=result.flags + (eur,))


def test_different_currencies_are_never_added():
    result = _mixed_currencies()
    summary = json.loads(report.render(result, "json"))["summary"]
    assert summary["at_stake"] == [{"currency": "EUR", "amount": "9.99", "count": 1},
                                   {"currency": "USD", "amount": "135.47", "count": 3}]
    kaspersky = summary["vendors"][0]
    assert kaspersky["at_stake"] == [{"currency": "EUR", "amount": "9.99", "count": 1},
                                     {"currency": "USD", "amount": "119.98", "count": 2}]
    table = report.render(result, "table", width=120)
    assert "Total at stake: 9.99 EUR + 135.47 USD in 4 outstanding charge(s) from 2 vendor(s)" in table
    assert "**Total at stake: 9.99 EUR + 135.47 USD**" in report.render(result, "md")
    html = report.render(result, "html")
    assert '<div class="value" id="total-at-stake">9.99 EUR<br>135.47 USD</div>' in html
    assert '<td class="num">9.99 EUR + 119.98 USD</td>' in html  # Kaspersky's line in "By vendor"


def test_unknown_currency_is_kept_apart_and_labelled():
    result = story.story()
    flags = tuple(dataclasses.replace(f, currency="") if f.vendor == "Netflix" else f for f in result.flags)
    result = dataclasses.replace(result, flags=flags)
    assert "Total at stake: 15.49 (currency not stated) + 119.98 USD" in report.render(result, "table", width=120)
    summary = json.loads(report.render(result, "json"))["summary"]
    assert summary["at_stake"] == [{"currency": "", "amount": "15.49", "count": 1},
                                   {"currency": "USD", "amount": "119.98", "count": 2}]


# --- terminal table -------------------------------------------------------------------------------

def test_table_plain_has_no_ansi_and_colour_only_when_asked():
    plain = report.render(story.story(), "table", width=100)
    assert "\x1b" not in plain
    coloured = report.render(story.story(), "table", width=100, color=True)
    assert "\x1b[1;31m135.47 USD\x1b[0m" in coloured


def test_table_width_is_respected():
    for width in (80, 100, 140):
        text = report.render(story.story(), "table", width=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_table_shows_hostile_text_literally():
    text = report.render(story.hostile(), "table", width=140)
    assert "\x1b" not in text
    assert "a|b *bold* [x](http://e.example) \\x1b[31mRED & <i>" in text
    assert story.XSS_IMG in text
    coloured = report.render(story.hostile(), "table", width=140, color=True)
    assert "\\x1b[31mRED" in coloured and "\x1b[31mRED" not in coloured


def _empty_result():
    from chargecheck.model import CheckResult
    from chargecheck.schema import empty_transactions

    return CheckResult(flags=(), refundable=(), cancellations=(story.KASPERSKY,), statements=(),
                       transactions=empty_transactions())


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("table", "Not an all-clear: the statements yielded no transactions.\nChecked 0 file(s), 0 transaction(s)"),
        ("md", "# Charges after cancellation\n\n**Not an all-clear:** the statements yielded no transactions.\n"),
        ("csv", "id,vendor,status,review,date,amount,currency,description,source_file,source_line,fitid,"
                "cancelled_on,paid_through,days_after,reference,score,alias,method,refund_deadline,refunded_by,refunded_amount,owed,"
                "review_note,record,reason,same_payment,matched_before,matched_after,last_seen_before\r\n"),
        ("html", '<section><p class="warn">Not an all-clear: the statements yielded no transactions.</p></section>'),
        ("json", '"flags": [],\n  "to_check": [],\n  "refundable": [],\n  "cancellations": [],\n  "summary": {'),
    ],
)
def test_empty_result_renders_in_every_format(fmt, expected):
    assert expected in report.render(_empty_result(), fmt, width=100)


def test_a_partly_credited_charge_shows_what_is_still_owed_in_every_format():
    result = story.story()
    partly = dataclasses.replace(result.flags[-1], refunded_amount=Decimal("5.49"),
                                 refunded_by=dataclasses.replace(result.flags[-1].source, line=10))
    assert partly.status == "flagged" and partly.owed == Decimal("10.00")
    result = dataclasses.replace(result, flags=result.flags[:-1] + (partly,))
    data = json.loads(_render(result, "json"))
    (row,) = [f for f in data["flags"] if f["id"] == partly.id]
    assert (row["refunded_amount"], row["owed"], row["status"]) == ("5.49", "10.00", "flagged")
    usd = {t["currency"]: t["amount"] for t in data["summary"]["at_stake"]}["USD"]
    before = {t["currency"]: t["amount"] for t in json.loads(_render(story.story(), "json"))["summary"]["at_stake"]}
    assert Decimal(before["USD"]) - Decimal(usd) == Decimal("5.49")  # at stake is net of the credit
    csv_line = next(line for line in _render(result, "csv").splitlines() if line.startswith(partly.id))
    assert ",5.49,10.00," in csv_line
    for fmt in ("table", "md", "html"):
        assert "10.00 USD still owed" in " ".join(_render(result, fmt).split()), fmt  # the table wraps lines


def test_both_lines_of_one_payment_are_shown_in_every_format_and_the_letter(tmp_path):
    from chargecheck.model import Source
    from chargecheck.report.letters import write_letters

    result = story.story()
    wallet = Source("paypal.csv", line=5)
    first = dataclasses.replace(result.flags[0], same_payment=(wallet,))
    result = dataclasses.replace(result, flags=(first,) + result.flags[1:])
    data = json.loads(_render(result, "json"))
    assert data["flags"][0]["same_payment"] == [{"file": "paypal.csv", "line": 5}]
    assert data["summary"]["flags"] == 4  # still one flag: one payment
    csv_line = next(line for line in _render(result, "csv").splitlines() if line.startswith(first.id))
    assert ",paypal.csv:5," in csv_line
    for fmt in ("table", "md", "html"):
        assert "paypal.csv:5" in report.render(result, fmt, width=140).replace("<wbr>", ""), fmt
    letters = {p.name: p.read_text(encoding="utf-8") for p in write_letters(result, tmp_path)}
    assert "statements/card.ofx#202603150001 + paypal.csv:5" in letters["kaspersky-card-issuer-chargeback.md"]
    assert all(story.TO_CHECK_DOUBT not in text and "4.99 GBP" not in text for text in letters.values())
