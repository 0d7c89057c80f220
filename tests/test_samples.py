"""The bundled samples: every report is byte-identical to its golden file, and tells the story.

``sample_statements/README.md`` tells the story and lists the flags a reader should expect; the
tests below hold the code to that list (not to whatever the code happens to print).  The golden
files under ``tests/golden/`` pin the full JSON report of each sample and of the whole folder.
Regenerate them only on purpose, after reading the diff::

    CHARGECHECK_REGEN_GOLDEN=1 python -m pytest tests/test_samples.py

The CLI runs with the project folder as working directory and relative paths, so the paths in
the reports (and hence the golden bytes) do not depend on where the checkout lives.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.importers import read_statement
from chargecheck.pipeline import check

PROJECT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLES = "sample_statements"
RULES = "rules"
REGEN = os.environ.get("CHARGECHECK_REGEN_GOLDEN") == "1"

CHASE, CAPONE, CHECKING = "chase_card_2026.csv", "capital_one_2026.csv", "checking_2026.csv"
AMEX, OFX = "amex_2026.csv", "card_2026.ofx"
FILES = (CHASE, CAPONE, CHECKING, AMEX, OFX)

# (vendor, date, amount, status, file, line or FITID): the table in sample_statements/README.md.
STORY_FLAGS = {
    ("Kaspersky", "2026-03-14", "-59.99", "flagged", CHASE, 22),
    ("Netflix", "2026-04-03", "-17.99", "flagged", CHECKING, 30),
    ("Planet Fitness", "2026-05-15", "-24.99", "flagged", OFX, 130),  # FITID 202605154311001102499
    ("Norton", "2026-05-28", "-9.99", "flagged", CHASE, 8),
    ("Norton", "2026-06-03", "-39.99", "refunded", CAPONE, 14),
    ("Norton", "2026-06-28", "-9.99", "flagged", CHASE, 2),
    ("Kaspersky", "2026-07-14", "-59.99", "flagged", CAPONE, 7),
}
# (vendor, date, amount, refund_deadline, file, line)
STORY_REFUNDABLE = {("Norton", "2026-04-28", "-99.99", "2026-06-27", CHASE, 14)}
LOOKALIKES = ("NORTON'S PIZZA", "KASPER JEWELRY", "PLANET SMOOTHIE", "NETGEAR")

# file -> (transactions, skipped, sum of amounts in cents with money out negative)
READS = {
    CHASE: (37, 0, 13694),
    CAPONE: (21, 0, -6596),
    CHECKING: (56, 2, 1374657),
    AMEX: (14, 0, -1495),
    OFX: (13, 0, -11508),
}


@functools.lru_cache(maxsize=None)
def run_check(target: str) -> tuple[int, str]:
    """``chargecheck check <target> --rules rules --format json`` from the project folder."""
    with contextlib.chdir(PROJECT):
        result = CliRunner().invoke(cli, ["check", target, "--rules", RULES, "--format", "json"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


@functools.lru_cache(maxsize=None)
def read(name: str):
    """The sample ``name`` as the importer reads it (a Statement); read once per session."""
    return read_statement(PROJECT / SAMPLES / name)


def report(target: str) -> dict:
    """The parsed JSON report for one target."""
    return json.loads(run_check(target)[1])


def _key(flag: dict) -> tuple:
    where = flag["source"].get("line") or flag["source"].get("fitid")
    return (flag["vendor"], flag["date"], flag["amount"], flag["status"], Path(flag["source"]["file"]).name, where)


def _target(name: str) -> str:
    return SAMPLES if name == "folder" else f"{SAMPLES}/{name}"


@pytest.mark.parametrize("name", [*FILES, "folder"])
def test_json_report_matches_golden(name: str) -> None:
    golden = GOLDEN / (("sample_statements" if name == "folder" else name) + ".json")
    _, text = run_check(_target(name))
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {golden.name} on purpose (CHARGECHECK_REGEN_GOLDEN=1): review the diff")
    assert golden.exists(), f"no golden file {golden}; create it with CHARGECHECK_REGEN_GOLDEN=1 after checking it"
    assert text == golden.read_text(encoding="utf-8")


def test_folder_flags_exactly_the_story() -> None:
    assert {_key(f) for f in report(SAMPLES)["flags"]} == STORY_FLAGS


def test_refunded_flag_names_the_credit_that_refunded_it() -> None:
    (refunded,) = [f for f in report(SAMPLES)["flags"] if f["status"] == "refunded"]
    assert refunded["refunded_by"] == {"file": f"{SAMPLES}/{CAPONE}", "line": 12}


def test_renewal_before_cancellation_is_refundable_not_flagged() -> None:
    refundable = {
        (f["vendor"], f["date"], f["amount"], f["refund_deadline"], Path(f["source"]["file"]).name, f["source"]["line"])
        for f in report(SAMPLES)["refundable"]
    }
    assert refundable == STORY_REFUNDABLE


def test_lookalikes_are_never_flagged() -> None:
    data = report(SAMPLES)
    descriptions = [f["description"].upper() for f in data["flags"] + data["refundable"]]
    assert [d for d in descriptions if any(name in d for name in LOOKALIKES)] == []


def test_lookalikes_match_no_vendor_at_all() -> None:
    # The matcher on every row read (a check keeps only the rows its flag stage needs).
    from chargecheck.dedupe import drop_overlaps
    from chargecheck.pipeline import Workspace, read_statements

    rows, _ = drop_overlaps(read_statements([PROJECT / SAMPLES]))
    table = Workspace.load(PROJECT / RULES).matcher.annotate(rows)
    text = table["description"].str.upper()
    lookalike = text.str.contains("|".join(LOOKALIKES), regex=True)
    assert int(lookalike.sum()) == 8  # 2 pizzas, 2 jeweller rows (a sale, a return), 1 router plan, 3 smoothies
    assert table.loc[lookalike, "match_vendor"].tolist() == [""] * int(lookalike.sum())


def test_charges_on_the_cancellation_day_and_inside_the_paid_term_are_not_flagged() -> None:
    dates = {(f["vendor"], f["date"]) for f in report(SAMPLES)["flags"]}
    assert ("Planet Fitness", "2026-04-15") not in dates  # 21:30 EST on the day itself
    assert ("Netflix", "2026-03-23") not in dates  # after cancelled_on, before paid_through


def test_summary_totals_and_exit_code() -> None:
    exit_code, _ = run_check(SAMPLES)
    summary = report(SAMPLES)["summary"]
    assert exit_code == 1
    assert (summary["flags"], summary["outstanding"], summary["refunded"], summary["refundable"]) == (7, 6, 1, 1)
    at_stake = summary["at_stake"]
    assert (sum(Decimal(t["amount"]) for t in at_stake), sum(t["count"] for t in at_stake)) == (Decimal("182.94"), 6)
    assert (summary["files"], summary["transactions"], summary["skipped"]) == (5, 141, 2)


def test_a_statement_that_names_no_currency_is_never_added_to_dollars() -> None:
    # The plain checking export states no currency: its Netflix charge stays apart (honest, not guessed).
    assert report(SAMPLES)["summary"]["at_stake"] == [
        {"currency": "", "amount": "17.99", "count": 1},
        {"currency": "USD", "amount": "164.95", "count": 5},
    ]


def test_currency_option_makes_one_dollar_total() -> None:
    with contextlib.chdir(PROJECT):
        result = CliRunner().invoke(
            cli, ["check", SAMPLES, "--rules", RULES, "--format", "json", "--currency", "USD"]
        )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["at_stake"] == [{"currency": "USD", "amount": "182.94", "count": 6}]


def test_pending_rows_are_reported_as_skipped_with_their_lines() -> None:
    skipped = [(Path(row["file"]).name, row["line"]) for row in report(SAMPLES)["skipped"]]
    assert skipped == [(CHECKING, 2), (CHECKING, 3)]


@pytest.mark.parametrize("name", FILES)
def test_each_file_alone_flags_its_part_of_the_story(name: str) -> None:
    exit_code, _ = run_check(_target(name))
    expected = {flag for flag in STORY_FLAGS if flag[4] == name}
    assert {_key(f) for f in report(_target(name))["flags"]} == expected
    assert exit_code == (1 if any(flag[3] == "flagged" for flag in expected) else 0)


@pytest.mark.parametrize("name", FILES)
def test_each_sample_reads_with_the_documented_counts_and_signs(name: str) -> None:
    statement = read(name)
    frame = statement.transactions
    assert (len(frame), len(statement.skipped), int(frame["amount_cents"].sum())) == READS[name]


def test_late_evening_ofx_charge_keeps_its_printed_day() -> None:
    frame = read(OFX).transactions
    row = frame[frame["bank_id"] == "202604154311000702499"]
    assert [d.date().isoformat() for d in row["date"]] == ["2026-04-15"]
    assert row["amount_cents"].tolist() == [-2499]


def test_flagged_ofx_line_is_the_transaction_with_the_documented_fitid() -> None:
    frame = read(OFX).transactions
    assert frame.loc[frame["source_line"] == 130, "bank_id"].tolist() == ["202605154311001102499"]


def test_readme_lists_the_same_flags_as_these_tests() -> None:
    readme = (PROJECT / SAMPLES / "README.md").read_text(encoding="utf-8")
    for vendor, day, amount, status, _, _ in STORY_FLAGS:
        assert f"| {vendor} | {day} | {amount} | {status} |" in readme
    assert Decimal("182.94") == sum(Decimal(a[2]).copy_abs() for a in STORY_FLAGS if a[3] == "flagged")


def _bench_generator():
    """``bench/synth_statement.py`` as a module (registered, as its dataclass needs); skips if absent."""
    bench = PROJECT / "bench" / "synth_statement.py"
    if not bench.exists():
        pytest.skip(f"{bench} not present (only in a checkout of the project)")
    name = "chargecheck_bench_synth_statement"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, bench)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_statement_flags_exactly_the_charges_built_to_be_flagged(seed: int, tmp_path: Path) -> None:
    """The benchmark's generator knows which charges it made after each cancellation: an oracle."""
    synth = _bench_generator()
    statement, rules = tmp_path / "statement.csv", tmp_path / "cancellations.toml"
    info = synth.write_statement(statement, rules, 4000, vendors=200, merchants=400, seed=seed)
    result = check([statement], rules)
    assert len(result.flags) == info.expected_flags
    assert sum(f.status == "refunded" for f in result.flags) == info.expected_refunded
    assert [f.description for f in result.flags if f.vendor.upper()[:11] not in f.description.upper()] == []
