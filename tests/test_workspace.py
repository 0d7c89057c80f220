"""One workspace, every command: the same rules folder makes every entry point read the same rows.

The fixture is a credit union export only the user's own layout reads right (charges printed
positive, dates day first with every day <= 12); before the workspace, ``subscriptions`` ignored
``rules/layouts.toml`` and found nothing, and ``transactions`` had no ``--rules`` at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from chargecheck import pipeline
from chargecheck.cli import cli
from chargecheck.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "workspace"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
COLUMNS = ["date", "amount_cents", "currency", "description", "source_line"]


@pytest.fixture(params=CASES, ids=lambda p: p.name)
def case(request) -> Path:
    return request.param


def test_every_entry_point_reads_the_same_transactions(case: Path) -> None:
    workspace = Workspace.load(case / "rules")
    statements = [case / "statements"]
    (read,) = pipeline.transactions(statements, workspace).statements
    assert read.layout == "my-credit-union"
    checked = pipeline.check(statements, workspace=workspace)
    # The check keeps the rows its flag stage needs (every Netflix row here), read the same way.
    kept = checked.transactions[COLUMNS].reset_index(drop=True)
    assert (kept["description"] == "NETFLIX.COM").sum() == 5
    same_lines = read.transactions[read.transactions["source_line"].isin(kept["source_line"])]
    pd.testing.assert_frame_equal(kept, same_lines[COLUMNS].reset_index(drop=True))
    # Charges printed positive are money out; dates are day first.
    netflix = read.transactions[read.transactions["description"] == "NETFLIX.COM"]
    assert netflix["amount_cents"].tolist() == [-1299] * 5
    assert [d.month for d in netflix["date"]] == [1, 2, 3, 4, 5]
    assert [f.date.isoformat() for f in checked.flags] == ["2026-03-05", "2026-04-05", "2026-05-05"]
    found, _ = pipeline.subscriptions(statements, workspace)
    (netflix_series,) = [s for s in found.subscriptions if s.vendor == "Netflix"]
    assert (netflix_series.cadence, netflix_series.status) == ("monthly", "cancelled_but_charging")
    assert "Netflix" in pipeline.explain("NETFLIX.COM", workspace).render()


def test_the_library_check_with_rules_equals_the_check_with_a_workspace(case: Path) -> None:
    by_rules = pipeline.check([case / "statements"], case / "rules")
    by_workspace = pipeline.check([case / "statements"], workspace=Workspace.load(case / "rules"))
    assert by_rules.flags == by_workspace.flags


def test_cli_commands_agree_on_the_user_layout(case: Path) -> None:
    runner = CliRunner()
    rules, statements = str(case / "rules"), str(case / "statements")
    listed = json.loads(runner.invoke(cli, ["transactions", statements, "--rules", rules, "--format", "json"]).output)
    assert [f["layout"] for f in listed["files"]] == ["my-credit-union"]
    checked = runner.invoke(cli, ["check", statements, "--rules", rules, "--format", "json"])
    assert checked.exit_code == 1
    assert len(json.loads(checked.output)["flags"]) == 3
    subs = runner.invoke(cli, ["subscriptions", statements, "--rules", rules, "--format", "json"])
    assert subs.exit_code == 1  # a cancelled subscription still charges
    assert [s["status"] for s in json.loads(subs.output)["subscriptions"] if s["vendor"] == "Netflix"] == [
        "cancelled_but_charging"]


def test_a_statement_on_standard_input_reads_as_the_file_does(case: Path) -> None:
    (statement,) = sorted((case / "statements").iterdir())
    rules = str(case / "rules")
    runner = CliRunner()
    from_file = runner.invoke(cli, ["check", str(statement), "--rules", rules, "--format", "json"])
    piped = runner.invoke(cli, ["check", "-", "--rules", rules, "--format", "json"], input=statement.read_bytes())
    assert piped.exit_code == from_file.exit_code == 1
    got, want = json.loads(piped.output), json.loads(from_file.output)
    assert [f["id"] for f in got["flags"]] == [f["id"] for f in want["flags"]]
    assert {f["source"]["file"] for f in got["flags"]} == {"-"}


def test_standard_input_that_is_no_statement_names_it() -> None:
    result = CliRunner().invoke(cli, ["transactions", "-"], input=b"%PDF-1.4 not a csv\n")
    assert result.exit_code == 2
    assert result.output.startswith("chargecheck: error: -: expected a statement")


@pytest.mark.parametrize("argv", [["--help"], ["cancel", "--help"], ["check", "--help"], ["review", "--help"]])
def test_help_does_not_import_pandas(argv: list[str]) -> None:
    """``chargecheck --help`` and ``cancel`` must start fast: no pandas, numpy or rapidfuzz."""
    probe = ("import sys; from chargecheck.cli import cli\n"
             "try:\n    cli.main(%r, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pandas', 'numpy', 'rapidfuzz') if m in sys.modules))") % argv
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
