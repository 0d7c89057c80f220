"""Every report format states the same status and totals for every charge (issue 15, item 4).

One check of a real-looking statement with a refund window: a refundable renewal, one refunded
by a credit that names its month, a flagged charge, one refunded by the nearest credit, one
partly credited back.  Each format is rendered and read back; statuses and totals must agree.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap

import pytest

from chargecheck import check
from chargecheck.report import render

STATEMENT = """
    Date,Description,Amount
    2026-02-05,DRI*KASPERSKY LAB 866-3285700,-59.99
    2026-02-20,DRI*KASPERSKY LAB 866-3285700,-59.99
    2026-03-05,DRI*KASPERSKY LAB 866-3285700,-59.99
    2026-04-05,DRI*KASPERSKY LAB 866-3285700,-59.99
    2026-04-10,DRI*KASPERSKY LAB 866-3285700 REFUND,59.99
    2026-04-12,DRI*KASPERSKY LAB GUTSCHRIFT 02/2026,59.99
    2026-05-05,DRI*KASPERSKY LAB 866-3285700,-59.99
    2026-05-09,DRI*KASPERSKY LAB 866-3285700,20.00
    2026-05-10,COFFEE SHOP,-3.50
"""
RULES = """
    [[cancellation]]
    vendor = "Kaspersky"
    cancelled_on = 2026-03-01
    aliases = ["DRI*KASPERSKY"]
    refund_window_days = 30
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agree")
    (folder / "card.csv").write_text(textwrap.dedent(STATEMENT).lstrip(), encoding="utf-8")
    (folder / "rules.toml").write_text(textwrap.dedent(RULES).lstrip(), encoding="utf-8")
    return check([folder / "card.csv"], folder / "rules.toml")


def _expected(result) -> dict[str, str]:
    return {f.date.isoformat(): f.status for f in result.flags + result.refundable}


def test_the_scenario_is_what_the_issue_describes(result):
    assert _expected(result) == {
        "2026-02-05": "refundable", "2026-02-20": "refunded",  # the credit names 02/2026: not moved by the window
        "2026-03-05": "flagged", "2026-04-05": "refunded", "2026-05-05": "flagged",
    }


def test_json_and_csv_state_each_charges_status(result):
    document = json.loads(render(result, "json"))
    from_json = {f["date"]: f["status"] for f in document["flags"] + document["refundable"]}
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    from_csv = {row["date"]: row["status"] for row in rows if row["record"] == "flag"}
    assert from_json == _expected(result)
    # The CSV report lists the flags (charges after the cancellation), as each says.
    assert from_csv == {f.date.isoformat(): f.status for f in result.flags}


_STATUS = re.compile(r"\b(flagged|refunded|refundable)\b")


def _md_statuses(text: str) -> dict[str, str]:
    """Date cell → status cell of every charge row of the Markdown tables."""
    rows = [[cell.strip() for cell in line.split("|")] for line in text.splitlines() if line.startswith("| `")]
    return {cells[2]: _STATUS.search(cells[9]).group(1) for cells in rows}


def _table_statuses(text: str) -> dict[str, str]:
    """Date → status of every charge row of the terminal table (the first line of each row)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"\s*(\d{4}-\d\d-\d\d)\s+[\d.,]+\s", line)
        if match:
            found[match.group(1)] = _STATUS.search(line[match.end():]).group(1)
    return found


def _html_statuses(text: str) -> dict[str, str]:
    """Date → badge text of every charge row of the HTML tables."""
    rows = re.findall(r'<tr[^>]*>\s*(?:<td class="num">\d+</td>\s*)?<td class="nowrap">(\d{4}-\d\d-\d\d)[<\s](.*?)</tr>', text, re.DOTALL)
    return {day: re.search(r'class="badge s-[\w-]+">(\w+)</span>', row).group(1) for day, row in rows}


def test_human_formats_state_the_same_status(result):
    assert _md_statuses(render(result, "md")) == _expected(result)
    assert _table_statuses(render(result, "table", width=200)) == _expected(result)
    assert _html_statuses(render(result, "html")) == _expected(result)


def test_totals_agree_across_formats(result):
    summary = json.loads(render(result, "json"))["summary"]
    at_stake = summary["at_stake"][0]["amount"]
    refundable = summary["refundable_before_cancellation"][0]["amount"]
    # Flagged March (59.99) and May less the 20.00 credited back (39.99); only February 5 refundable.
    assert (at_stake, refundable, summary["refundable"]) == ("99.98", "59.99", 1)
    assert f"Total at stake: {at_stake}" in render(result, "table", width=200)
    assert f"**Total at stake: {at_stake}**" in render(result, "md")
    html = render(result, "html")
    assert at_stake in html and refundable in html
    assert "1 charge(s) inside a money-back window, not refunded" in html
