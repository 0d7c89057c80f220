"""The command line as a user meets it: help texts, errors without tracebacks, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import COMMAND_MODULES, cli


def test_every_planned_command_is_registered() -> None:
    assert sorted(cli.commands) == sorted(COMMAND_MODULES)


@pytest.mark.parametrize("name", sorted(COMMAND_MODULES))
def test_every_command_has_help_text(name: str) -> None:
    command = cli.commands.get(name)
    assert command is not None, f"command {name} is not registered"
    assert (command.help or "").strip(), f"command {name} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage: cli " + name in result.output or f"Usage: chargecheck {name}" in result.output


def test_missing_statement_is_exit_2_with_path_and_no_traceback(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cancellations.toml").write_text('[[cancellation]]\nvendor = "Netflix"\ncancelled_on = 2026-01-01\n')
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "missing.csv"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"chargecheck: error: {tmp_path / 'missing.csv'}: expected an existing statement file or folder, "
        "found nothing at that path"
    )
    assert "Traceback" not in result.output


def test_check_without_rules_explains_how_to_record_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    statement = tmp_path / "s.csv"
    statement.write_text("Date,Description,Amount\n2026-01-05,NETFLIX.COM,-15.49\n")
    result = CliRunner().invoke(cli, ["check", str(statement)])
    assert result.exit_code == 2
    assert "no rules given and no ./rules folder" in result.output
    assert "chargecheck cancel VENDOR --on DATE" in result.output


def _netflix_case(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cancellations.toml").write_text('[[cancellation]]\nvendor = "Netflix"\ncancelled_on = 2026-01-01\n')
    statement = tmp_path / "s.csv"
    statement.write_text(
        "Date,Description,Amount\n2026-01-05,NETFLIX.COM 866-579-7172 CA,-15.49\n2026-01-06,GROCER,-3.00\n"
    )
    return statement, rules


def test_currency_option_names_the_currency_of_statements_that_state_none(tmp_path: Path) -> None:
    import json

    statement, rules = _netflix_case(tmp_path)
    plain = CliRunner().invoke(cli, ["check", str(statement), "--rules", str(rules), "--format", "json"])
    named = CliRunner().invoke(
        cli, ["check", str(statement), "--rules", str(rules), "--format", "json", "--currency", "usd"]
    )
    assert (plain.exit_code, named.exit_code) == (1, 1)
    assert [f["currency"] for f in json.loads(plain.output)["flags"]] == [""]
    assert [f["currency"] for f in json.loads(named.output)["flags"]] == ["USD"]
    assert json.loads(named.output)["summary"]["at_stake"] == [{"currency": "USD", "amount": "15.49", "count": 1}]


def test_currency_option_rejects_what_is_not_an_iso_code(tmp_path: Path) -> None:
    statement, rules = _netflix_case(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(statement), "--rules", str(rules), "--currency", "dollars"])
    assert result.exit_code == 2
    assert "expected a three-letter ISO currency code such as USD, found 'dollars'" in result.output
