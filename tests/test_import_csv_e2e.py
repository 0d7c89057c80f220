"""End to end: awkward CSV exports through ``chargecheck check`` give correctly signed flags.

A charges-positive card export, a headerless export and one with a summary preamble each hold
a Kaspersky renewal after the cancellation (flagged, money out) and one before it (not).
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli

RULES = """\
[[cancellation]]
vendor = "Kaspersky"
cancelled_on = 2026-03-01
aliases = ["DRI*KASPERSKY"]
"""

EXPORTS = {
    # American Express: charges positive, payments negative, quoted fields with newlines.
    "amex.csv": (
        "Date,Description,Card Member,Account #,Amount,Extended Details,Appears On Your Statement As,Address,"
        "City/State,Zip Code,Country,Reference,Category\n"
        '03/15/2026,DRI*KASPERSKY LAB,J DOE,-41007,59.99,"DIGITAL RIVER\nKASPERSKY",DRI*KASPERSKY LAB,'
        '"10380 BREN RD W","MINNETONKA\nMN",55343,UNITED STATES,\'320260740123\',Software\n'
        "02/15/2026,DRI*KASPERSKY LAB,J DOE,-41007,59.99,,DRI*KASPERSKY LAB,,,,,'320260460123',Software\n"
        "03/02/2026,AUTOPAY PAYMENT - THANK YOU,J DOE,-41007,-500.00,,,,,,,'320260610001',\n",
        2,
    ),
    # Wells Fargo: no header row at all.
    "wellsfargo.csv": (
        '"03/16/2026","-59.99","*","","PURCHASE AUTHORIZED ON 03/15 DRI*KASPERSKY LAB 866-3285700 MN"\n'
        '"02/16/2026","-59.99","*","","PURCHASE AUTHORIZED ON 02/15 DRI*KASPERSKY LAB 866-3285700 MN"\n'
        '"03/01/2026","2500.00","*","","PAYROLL DEPOSIT"\n',
        1,
    ),
    # Bank of America: a summary block and a blank line before the header.
    "bofa.csv": (
        "Description,,Summary Amt.\n"
        'Beginning balance as of 02/01/2026,,"1,000.00"\n'
        'Ending balance as of 03/31/2026,,"880.02"\n'
        "\n"
        "Date,Description,Amount,Running Bal.\n"
        '02/01/2026,Beginning balance as of 02/01/2026,,"1,000.00"\n'
        '02/15/2026,"DRI*KASPERSKY LAB 866-3285700 MN","-59.99","940.01"\n'
        '03/15/2026,"DRI*KASPERSKY LAB 866-3285700 MN","-59.99","880.02"\n',
        8,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_check_flags_the_renewal_after_cancellation(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "cancellations.toml").write_text(RULES, encoding="utf-8")
    content, line = EXPORTS[name]
    (tmp_path / name).write_text(textwrap.dedent(content), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", name, "--rules", "rules", "--format", "json"])
    assert result.exit_code == 1, result.output
    flags = json.loads(result.stdout)["flags"]
    assert [(f["vendor"], f["date"][:7], f["amount"], f["source"]["line"], f["status"]) for f in flags] == [
        ("Kaspersky", "2026-03", "-59.99", line, "flagged"),
    ]
