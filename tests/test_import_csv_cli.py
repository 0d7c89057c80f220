"""``chargecheck transactions``: the exact text a user sees, in each format."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli

CARD = textwrap.dedent("""\
    Date,Description,Amount
    2026-03-01,"=HYPERLINK(""http://x"")",-15.49
    2026-03-02,@SUM(A1),abc
    2026-03-03,-NETFLIX.COM,-7.99
""")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "card.csv").write_text(CARD, encoding="utf-8")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["transactions", *args])


def test_table_output(in_tmp):
    result = run("card.csv")
    assert result.exit_code == 0
    assert result.output == textwrap.dedent("""\
        card.csv: format csv, layout auto, encoding utf-8, 3 rows read, 2 transactions, 1 skipped, no balances
          delimiter ','; header on line 1; date format %Y-%m-%d; decimal mark '.'; sign: signed as printed (no evidence of charges-positive)

        DATE        AMOUNT  CUR  DESCRIPTION             SOURCE
        2026-03-01  -15.49       =HYPERLINK("http://x")  card.csv:2
        2026-03-03   -7.99       -NETFLIX.COM            card.csv:4

        Skipped rows:
          card.csv:3: skipped: amount 'abc' is not a number with at most 2 decimals  [2026-03-02,@SUM(A1),abc]
    """)


def test_csv_output_neutralises_formula_cells_but_not_amounts(in_tmp):
    result = run("--format", "csv", "card.csv")
    assert result.exit_code == 0
    assert result.stdout == textwrap.dedent("""\
        date,posted_date,amount,currency,description,account,bank_id,source_file,source_line
        2026-03-01,,-15.49,,"'=HYPERLINK(""http://x"")",,,card.csv,2
        2026-03-03,,-7.99,,'-NETFLIX.COM,,,card.csv,4
    """)
    assert result.stderr == (
        "card.csv: format csv, layout auto, encoding utf-8, 3 rows read, 2 transactions, 1 skipped, no balances\n"
        "card.csv:3: skipped: amount 'abc' is not a number with at most 2 decimals  [2026-03-02,@SUM(A1),abc]\n"
    )


def test_json_output(in_tmp):
    result = run("--format", "json", "card.csv")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert list(document) == ["generator", "files", "transactions", "skipped", "passed_over"]
    assert document["files"][0]["rows_read"] == 3
    assert document["files"][0]["layout"] == "auto"
    assert document["transactions"][0] == {
        "date": "2026-03-01", "posted_date": None, "amount": "-15.49", "currency": "", "description": '=HYPERLINK("http://x")',
        "account": "", "bank_id": "", "source": {"file": "card.csv", "line": 2},
    }
    assert document["skipped"] == [
        {"file": "card.csv", "line": 3, "reason": "amount 'abc' is not a number with at most 2 decimals",
         "text": "2026-03-02,@SUM(A1),abc"},
    ]


def test_overrides_and_layout_flags(in_tmp):
    (in_tmp / "eu.csv").write_text("Wann;Was;Wert\n01.02.2026;GYM;-30,00\n", encoding="utf-8")
    result = run("--format", "json", "--date-col", "Wann", "--amount-col", "Wert", "--description-col", "Was",
                 "--date-format", "%d.%m.%Y", "--decimal", ",", "eu.csv")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["transactions"][0]["amount"] == "-30.00"
    assert json.loads(result.output)["transactions"][0]["date"] == "2026-02-01"


def test_unknown_layout_is_a_usage_error(in_tmp):
    result = run("--layout", "amex-basic", "card.csv")
    assert result.exit_code == 2
    assert result.stderr == "chargecheck: error: unknown layout 'amex-basic' (did you mean 'amex-us-basic' or 'amex-us'?)\n"


def test_unreadable_file_is_exit_2_without_traceback(in_tmp):
    (in_tmp / "notes.csv").write_text("Name,Colour\nApple,Red\n", encoding="utf-8")
    result = run("notes.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("chargecheck: error: notes.csv:")
    assert "Traceback" not in result.output


def test_help_text():
    result = CliRunner().invoke(cli, ["transactions", "--help"])
    assert result.exit_code == 0
    assert "Show the transactions and skipped rows read from STATEMENTS" in result.output
