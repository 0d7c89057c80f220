"""End-to-end scenarios: statements as the banks print them, a rules folder, the expected outcome.

Each folder under ``tests/scenarios/`` holds ``statements/`` (files as downloaded), ``rules/`` (the
user's rules folder) and ``expected.toml``: the exit code, every flag and every charge to check
(vendor, date, amount; optionally the lines of the payment, the reason and part of the method), the money at stake,
every cancellation's account (matched before/after, last seen, the closest descriptors, the
warning), the headline and warnings.  The flags and charges to check listed are all there must be.
``chargecheck check`` runs in the folder (so paths print relative), in every report format, and
each format must tell the same story: every cancellation listed, the warning visible.

A scenario that needs work not done yet says so with ``xfail = "reason"`` (strict: when the work
lands, the test fails until the marker is removed).
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli

SCENARIOS = Path(__file__).parent / "scenarios"
FORMATS = ("json", "table", "md", "html", "csv")


def _scenarios():
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir()):
        expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(reason=expected["xfail"], strict=True)] if "xfail" in expected else []
        yield pytest.param(folder, expected, id=folder.name, marks=marks)


def _run(folder: Path, fmt: str) -> tuple[int, str]:
    with contextlib.chdir(folder):
        result = CliRunner().invoke(cli, ["check", "statements", "--rules", "rules", "--format", fmt, "--no-color"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def _plain(text: str, fmt: str) -> str:
    """The report as words, for finding a sentence whatever the format's escaping and wrapping."""
    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    elif fmt == "md":
        text = re.sub(r"\\(.)", r"\1", text.replace("**", ""))
    elif fmt == "csv":
        text = " ".join(cell for row in csv.reader(io.StringIO(text)) for cell in row)
    return " ".join(text.split())


def _entries(items: list[dict]) -> set[tuple]:
    return {(item["vendor"], item["date"], item["amount"]) for item in items}


def _expected_entries(items: list[dict]) -> set[tuple]:
    return {(item["vendor"], item["date"].isoformat(), item["amount"]) for item in items}


@pytest.mark.parametrize(("folder", "expected"), list(_scenarios()))
def test_scenario(folder: Path, expected: dict) -> None:
    import json

    code, text = _run(folder, "json")
    assert (code, text) == _run(folder, "json")  # deterministic, byte for byte
    data = json.loads(text)
    assert code == expected["exit_code"]

    for key, section in (("flag", "flags"), ("to_check", "to_check")):
        wanted = expected.get(key, [])
        assert _entries(data[section]) == _expected_entries(wanted), section
        got = {(item["vendor"], item["date"], item["amount"]): item for item in data[section]}
        for item in wanted:
            entry = got[(item["vendor"], item["date"].isoformat(), item["amount"])]
            if "sources" in item:
                lines = [entry["source"], *entry["same_payment"]]
                assert [f"{s['file']}:{s['line']}" for s in lines] == item["sources"]
            if "reason" in item:
                assert item["reason"] in entry["reason"]
            if "method" in item:
                assert item["method"] in entry["method"]

    if "at_stake" in expected:
        stake = sum((Decimal(t["amount"]) for t in data["summary"]["at_stake"]), Decimal("0.00"))
        assert stake == Decimal(expected["at_stake"])

    accounts = {(a["vendor"], a["cancelled_on"]): a for a in data["cancellations"]}
    wanted_accounts = expected.get("cancellation", [])
    assert len(accounts) == len(wanted_accounts)
    reports = {fmt: _plain(_run(folder, fmt)[1], fmt) for fmt in FORMATS if fmt != "json"}
    for item in wanted_accounts:
        account = accounts[(item["vendor"], item["cancelled_on"].isoformat())]
        last = item["last_seen_before"]
        assert (account["matched_before"], account["matched_after"], account["last_seen_before"]) == (
            item["matched_before"], item["matched_after"], last.isoformat() if last else None)
        if "closest" in item:
            described = [c["description"] for c in account["closest"]]
            assert set(item["closest"]) <= set(described) if item["closest"] else described == []
            assert all(c["reason"] for c in account["closest"])
        if "warning" in item:
            assert item["warning"] in (account["warning"] or "")
            for fmt, words in reports.items():
                assert " ".join(item["warning"].split()) in words, fmt
        for fmt, words in reports.items():
            assert item["vendor"] in words, fmt  # every cancellation is listed in every report

    if "headline" in expected:
        for fmt in ("table", "md", "html"):
            assert expected["headline"] in reports[fmt], fmt
    for warning in expected.get("warnings", []):
        assert any(warning in w for w in data["warnings"]), data["warnings"]


def test_every_scenario_folder_is_complete() -> None:
    folders = [p for p in SCENARIOS.iterdir() if p.is_dir()]
    assert len(folders) >= 6
    for folder in folders:
        assert (folder / "expected.toml").is_file(), folder.name
        assert any((folder / "statements").iterdir()), folder.name
        assert (folder / "rules").is_dir(), folder.name


def test_csv_report_of_a_scenario_has_a_row_per_cancellation() -> None:
    """The CSV lists the cancellation that matched nothing as a row of its own, warning included."""
    _, text = _run(SCENARIOS / "unmatched-cancellation", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    (row,) = [r for r in rows if r["record"] == "cancellation"]
    assert (row["vendor"], row["matched_before"], row["matched_after"]) == ("Norton", "0", "0")
    assert row["reason"].startswith("Norton never matched any of 13 transaction(s) in 2 statement(s)")
