"""``chargecheck subscriptions`` end to end on real CSV files in tests/fixtures/discover.

The fixtures tell one story: StreamFlix moves from the 2024 card to the 2025 card and rises
from 15.49 to 17.99 in July 2025; AppMarket bills two plans (0.99 and 9.99) plus one app
purchase; SafeGuard renews yearly (two charges); CloudVault stops after May; PetBox was
cancelled on 1 June (rules/cancellations.toml) and still charges; weekly groceries and
irregular coffee repeat without being subscriptions; payroll and card payments are ignored.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "discover"
STATEMENTS = [str(FIXTURES / "old_card_2024.csv"), str(FIXTURES / "new_card_2025.csv")]
RULES = str(FIXTURES / "rules")


def run(*args: str):
    return CliRunner().invoke(cli, ["subscriptions", *args], catch_exceptions=False)


def test_json_lists_the_exact_series_and_exit_code_1_for_a_cancelled_one_still_charging():
    result = run(*STATEMENTS, "--rules", RULES, "--format", "json")
    assert result.exit_code == 1, result.output
    subs = json.loads(result.output)["subscriptions"]
    assert [(s["vendor"], s["cadence"], s["status"], s["amount"], s["first"], s["last"], s["next_expected"],
             len(s["charges"])) for s in subs] == [
        ("APPMARKET BILL", "monthly", "active", "0.99", "2025-01-06", "2025-12-05", "2026-01-05", 12),
        ("APPMARKET BILL", "monthly", "active", "9.99", "2025-01-17", "2025-12-17", "2026-01-17", 12),
        ("CLOUDVAULT STORAGE", "monthly", "ended", "2.99", "2025-01-22", "2025-05-22", "2025-06-22", 5),
        ("PetBox", "monthly", "cancelled_but_charging", "28.99", "2025-01-10", "2025-12-10", "2026-01-10", 12),
        ("SAFEGUARD ANTIVIRUS", "yearly", "active", "79.99", "2024-03-14", "2025-03-17", "2026-03-17", 2),
        ("STREAMFLIX", "monthly", "active", "15.49", "2024-01-31", "2025-12-31", "2026-01-31", 24),
    ]
    streamflix = subs[-1]
    assert streamflix["price_changes"] == [{"date": "2025-07-31", "from": "15.49", "to": "17.99"}]
    assert (streamflix["amount_min"], streamflix["amount_max"], streamflix["next_amount"]) == ("15.49", "17.99", "17.99")
    assert {c["file"].rsplit("/", 1)[-1] for c in streamflix["charges"]} == {"old_card_2024.csv", "new_card_2025.csv"}
    assert streamflix["charges"][0]["source"].endswith("old_card_2024.csv:6")
    assert subs[3]["cancel_command"] is None and subs[3]["cancelled_on"] == "2025-06-01"
    assert streamflix["cancel_command"] == (
        f"chargecheck cancel STREAMFLIX --on 2025-12-31 --amount 17.99 --alias STREAMFLIX.COM --rules {RULES}")


def test_table_shows_evidence_commands_and_with_all_the_refused():
    result = run(*STATEMENTS, "--rules", RULES, "--all")
    lines = result.output.splitlines()
    assert lines[0] == "6 subscriptions found"
    assert "STREAMFLIX: 24 charges, 23 of 23 intervals monthly within 3 days, amounts 15.49–17.99 (exact at each price), 1 price change" in lines
    assert "  price change 2025-07-31: 15.49 → 17.99" in lines
    assert "Repeating, but not subscriptions:" in lines
    refused = result.output.split("Repeating, but not subscriptions:")[1]
    assert "BEANERY COFFEE: 77 charges" in refused and "FRESHMART: 104 charges" in refused


def test_without_rules_nothing_is_cancelled_and_exit_code_is_0(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./rules here
    result = run(*STATEMENTS, "--format", "json")
    assert result.exit_code == 0, result.output
    subs = json.loads(result.output)["subscriptions"]
    petbox = [s for s in subs if s["vendor"] == "PETBOX SUBSCRIPTION"]
    assert petbox and petbox[0]["status"] == "active"
    assert petbox[0]["cancel_command"] == "chargecheck cancel 'PETBOX SUBSCRIPTION' --on 2025-12-31 --amount 28.99"


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_output_file_in_each_format(tmp_path, fmt):
    out = tmp_path / f"subs.{fmt}"
    result = run(*STATEMENTS, "--rules", RULES, "--format", fmt, "--output", str(out))
    assert result.exit_code == 1 and result.output == ""
    text = out.read_text(encoding="utf-8")
    assert "STREAMFLIX" in text and "PetBox" in text
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["vendor"] for r in rows][-1] == "STREAMFLIX" and rows[-1]["price_changes"] == "2025-07-31 15.49 → 17.99"


def test_as_of_moves_the_status():
    result = run(*STATEMENTS, "--format", "json", "--as-of", "2026-06-30")
    assert {s["status"] for s in json.loads(result.output)["subscriptions"]} == {"ended"}


def test_a_missing_statement_is_exit_code_2_with_the_path():
    result = CliRunner().invoke(cli, ["subscriptions", str(FIXTURES / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output and "Traceback" not in result.output


SAMPLES = Path(__file__).parent.parent / "sample_statements"


def test_sample_statements_exact_series():
    """The project's sample statements (README story): four live subscriptions, two cancelled but charging."""
    result = run(str(SAMPLES), "--rules", str(SAMPLES.parent / "rules"), "--format", "json")
    assert result.exit_code == 1, result.output
    subs = json.loads(result.output)["subscriptions"]
    assert [(s["vendor"], s["cadence"], s["status"], s["amount"], s["first"], s["last"], len(s["charges"]))
            for s in subs] == [
        ("Apple", "monthly", "active", "2.99", "2026-01-19", "2026-06-18", 6),
        ("Audible", "monthly", "active", "14.95", "2026-01-20", "2026-06-20", 6),
        ("Netflix", "monthly", "cancelled_but_charging", "17.99", "2026-01-05", "2026-04-03", 4),
        ("Planet Fitness", "monthly", "cancelled_but_charging", "24.99", "2026-03-15", "2026-05-15", 3),
        ("Spotify", "monthly", "active", "11.99", "2026-01-09", "2026-06-09", 6),
        ("YouTube Premium", "monthly", "active", "13.99", "2026-04-14", "2026-08-14", 5),
    ]
    # Recorded cancellations get no command; the rest get the one that records them.
    assert [s["cancel_command"] is None for s in subs] == [False, False, True, True, False, False]


def test_running_the_printed_cancel_command_turns_the_series_into_a_monitored_one(tmp_path):
    import shlex

    rules = tmp_path / "rules"
    rules.mkdir()
    subs = json.loads(run(*STATEMENTS, "--rules", str(rules), "--format", "json").output)["subscriptions"]
    (streamflix,) = [s for s in subs if s["vendor"] == "STREAMFLIX"]
    words = shlex.split(streamflix["cancel_command"])
    recorded = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
    assert recorded.exit_code == 0, recorded.output
    again = json.loads(run(*STATEMENTS, "--rules", str(rules), "--format", "json").output)["subscriptions"]
    (streamflix,) = [s for s in again if s["vendor"] == "STREAMFLIX"]
    assert (streamflix["cancel_command"], streamflix["cancelled_on"]) == (None, "2025-12-31")


def test_users_vendor_records_in_the_rules_name_the_series(tmp_path):
    (tmp_path / "vendors.toml").write_text('[[vendor]]\nname = "StreamFlix"\ndescriptors = ["STREAMFLIX.COM"]\n',
                                           encoding="utf-8")
    subs = json.loads(run(*STATEMENTS, "--rules", str(tmp_path), "--format", "json").output)["subscriptions"]
    (streamflix,) = [s for s in subs if s["vendor"] == "StreamFlix"]
    assert len(streamflix["charges"]) == 24
    assert streamflix["cancel_command"] == f"chargecheck cancel StreamFlix --on 2025-12-31 --amount 17.99 --rules {tmp_path}"


PROJECT = Path(__file__).resolve().parent.parent
GOLDEN = FIXTURES / "golden"
REGEN = os.environ.get("CHARGECHECK_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("fixtures.json", ["tests/fixtures/discover", "--rules", "tests/fixtures/discover/rules"]),
        ("sample_statements.json", ["sample_statements", "--rules", "rules"]),
    ],
)
def test_json_report_matches_golden(monkeypatch, name, args):
    """The whole JSON report, byte for byte (relative paths from the project folder).

    Regenerate only on purpose, after reading the diff: CHARGECHECK_REGEN_GOLDEN=1 pytest tests/test_discover_cli.py
    """
    monkeypatch.chdir(PROJECT)
    text = run(*args, "--format", "json").output
    golden = GOLDEN / name
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {name} on purpose (CHARGECHECK_REGEN_GOLDEN=1): review the diff")
    assert text == golden.read_text(encoding="utf-8")
