"""Amounts as people type them (issue 15, item 5): ``--amount 10,99``, ``amount = "10,99"``,
``1.234,56`` and ``1,234.56`` accepted; an ambiguous ``1,234`` refused with a clear error."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.config.rules import load_rules
from chargecheck.errors import RulesError
from chargecheck.importers.typed import typed_amount


@pytest.mark.parametrize("typed, value", [
    ("10,99", "10.99"), ("10.99", "10.99"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"),
    ("1 234,56", "1234.56"), ("1'234.50", "1234.50"), ("1\u00a0234,56", "1234.56"), ("1,234,567", "1234567"),
    ("1.234.567,50", "1234567.50"), ("12", "12"), ("0,5", "0.50"), (" 59.99 ", "59.99"), ("-10,99", "-10.99"),
])
def test_unambiguous_amounts(typed, value):
    assert typed_amount(typed) == Decimal(value)


@pytest.mark.parametrize("typed, message", [
    ("1,234", '"1,234" is ambiguous: 1234 with "," grouping thousands, or 1.234 with a decimal ","; '
              'write "1234" or "1234,00" (two decimals)'),
    ("1.234", '"1.234" is ambiguous: 1234 with "." grouping thousands, or 1.234 with a decimal "."; '
              'write "1234" or "1234.00" (two decimals)'),
    ("10,999", '"10,999" is ambiguous'),
    ("1,2345", 'expected at most two decimals, found "1,2345"'),
    ("12.34.56", 'expected thousands grouped in threes (1,234,567.89), found "12.34.56"'),
    ("EUR 10", 'expected an amount like "59.99" or "59,99", found "EUR 10"'),
])
def test_ambiguous_or_malformed_amounts_are_refused(typed, message):
    with pytest.raises(ValueError) as caught:
        typed_amount(typed)
    assert str(caught.value).startswith(message)


def _rules(tmp_path: Path, amount: str) -> Path:
    path = tmp_path / "r.toml"
    path.write_text(f'[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-01\namount = {amount}\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("written, expected", [('"10,99"', "10.99"), ('"1.234,56"', "1234.56"), ('"1,234.56"', "1234.56")])
def test_rules_amount_as_typed(tmp_path: Path, written: str, expected: str):
    assert load_rules(_rules(tmp_path, written))[0].amount == Decimal(expected)


def test_rules_ambiguous_amount_names_file_and_line(tmp_path: Path):
    path = _rules(tmp_path, '"1,234"')
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert f"{path}:4" in str(caught.value) and "is ambiguous" in str(caught.value)


def test_cancel_amount_with_a_decimal_comma(tmp_path: Path):
    result = CliRunner().invoke(cli, ["cancel", "Hulu", "--on", "2026-03-01", "--amount", "10,99", "--rules", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert load_rules(tmp_path / "cancellations.toml")[0].amount == Decimal("10.99")


def test_cancel_ambiguous_amount_exits_2_without_writing(tmp_path: Path):
    result = CliRunner().invoke(cli, ["cancel", "Hulu", "--on", "2026-03-01", "--amount", "1,234", "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert "Invalid value for '--amount': \"1,234\" is ambiguous" in result.output
    assert not (tmp_path / "cancellations.toml").exists()
