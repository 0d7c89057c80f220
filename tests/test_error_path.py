"""One error path: every failure a user can cause is one ``chargecheck: error: …`` line, exit 2.

The sweep runs every command with every kind of bad value it takes (click's own usage errors,
option values, output paths, rules values out of range, odd files) against real files made on
disk, and checks stderr is exactly one line starting ``chargecheck: error:`` and the exit code 2
(never 1, the code for "flags found", and never a traceback).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli

PROJECT = Path(__file__).resolve().parent.parent
STATEMENT = str(PROJECT / "sample_statements" / "amex_2026.csv")
SAMPLES = str(PROJECT / "sample_statements")
RULES = str(PROJECT / "rules")

BAD_RULES = {
    "days_out_of_range": 'refund_window_days = 3000000',
    "amount_out_of_range": 'amount = "100000000000000000000"',
    "nested_500_deep": "aliases = " + "[" * 500 + "]" * 500,
    "date_not_a_date": 'paid_through = "soon"',
}


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> dict[str, str]:
    """Real odd files: a FIFO, a folder, a symlink loop, an empty folder, bad rules files."""
    root = tmp_path_factory.mktemp("errors")
    os.mkfifo(root / "fifo")
    (root / "folder").mkdir()
    (root / "empty").mkdir()
    (root / "loop_a").symlink_to(root / "loop_b")
    (root / "loop_b").symlink_to(root / "loop_a")
    paths = {"fifo": str(root / "fifo"), "folder": str(root / "folder"), "loop": str(root / "loop_a"),
             "empty": str(root / "empty"), "root": str(root)}
    for name, line in BAD_RULES.items():
        path = root / f"{name}.toml"
        path.write_text(f'[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-15\n{line}\n', encoding="utf-8")
        paths[name] = str(path)
    return paths


READING = ["check", "transactions", "subscriptions"]
IMPORT_OPTIONS = [
    ["--date-format", "%Q"], ["--date-format", "%"], ["--encoding", "no-such-codec"], ["--currency", "US1"],
    ["--decimal", ";"], ["--layouts", "/nonexistent/layouts.toml"], ["--bogus-option"],
]


def _cases():
    cases = []
    for command in ("check", "transactions", "subscriptions", "letters", "cancel", "review", "explain"):
        cases.append(pytest.param([command], id=f"{command}-no-arguments"))
        cases.append(pytest.param([command, "x", "--no-such-option"], id=f"{command}-unknown-option"))
    for command in READING + ["letters"]:
        extra = ["-o", "{root}/letters"] if command == "letters" else []
        for option in IMPORT_OPTIONS:
            cases.append(pytest.param([command, STATEMENT, "--rules", RULES, *extra, *option],
                                      id=f"{command}{'-'.join(option)}"))
        cases.append(pytest.param([command, "/nonexistent/statement.csv", *extra], id=f"{command}-missing-statement"))
        cases.append(pytest.param([command, "{fifo}", *extra], id=f"{command}-fifo-statement"))
        cases.append(pytest.param([command, "{empty}", *extra], id=f"{command}-empty-folder"))
    for command in ("check", "subscriptions"):
        for target in ("/proc/nope/x.html", "{folder}", "{fifo}", "{loop}", STATEMENT):
            cases.append(pytest.param([command, STATEMENT, "--rules", RULES, "-o", target], id=f"{command}-o-{target}"))
        cases.append(pytest.param([command, STATEMENT, "--format", "pdf"], id=f"{command}-format"))
    for command in ("check", "subscriptions", "letters", "explain"):
        first = ["X"] if command == "explain" else [STATEMENT] + (["-o", "{root}/letters"] if command == "letters" else [])
        for name in list(BAD_RULES) + ["fifo", "loop"]:
            cases.append(pytest.param([command, *first, "--rules", "{%s}" % name], id=f"{command}-rules-{name}"))
    cases += [
        pytest.param(["letters", STATEMENT, "--rules", RULES, "-o", "/proc/nope"], id="letters-o-unwritable"),
        pytest.param(["letters", STATEMENT, "--rules", RULES, "-o", "{fifo}"], id="letters-o-fifo"),
        pytest.param(["subscriptions", STATEMENT, "--as-of", "2026-99-01"], id="subscriptions-as-of"),
        pytest.param(["cancel", "Hulu", "--on", "2026-02-30", "--rules", "{root}/c1"], id="cancel-on-not-a-day"),
        pytest.param(["cancel", "Hulu", "--on", "03/01/2026", "--rules", "{root}/c1"], id="cancel-on-slashes"),
        pytest.param(["cancel", "Hulu", "--rules", "{root}/c1"], id="cancel-no-on"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--amount", "-5", "--rules", "{root}/c1"], id="cancel-amount"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--amount", "1e30", "--rules", "{root}/c1"],
                     id="cancel-amount-huge"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--refund-window", "3000000", "--rules", "{root}/c1"],
                     id="cancel-refund-window"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--rules", "{loop}"], id="cancel-rules-loop"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--rules", "{fifo}"], id="cancel-rules-fifo"),
        pytest.param(["cancel", "Hulu", "--on", "2026-03-01", "--rules", "/dev/null"], id="cancel-rules-dev-null"),
        pytest.param(["cancel", "Hulu", "--update", "--rules", "{root}/c1"], id="cancel-update-nothing"),
        pytest.param(["cancel", "Nobody", "--update", "--ref", "x", "--rules", "{days_out_of_range}"],
                     id="cancel-update-bad-file"),
        pytest.param(["review", "0123456789", "--as", "maybe"], id="review-as"),
        pytest.param(["review", "01234", "--as", "ignore", "--rules", "{root}/r1"], id="review-short-id"),
        pytest.param(["review", "0123456789", "--as", "ignore", "--rules", "{fifo}"], id="review-rules-fifo"),
        pytest.param(["review", "0123456789", "--as", "ignore", "--rules", "{loop}"], id="review-rules-loop"),
        pytest.param(["review", "deadbeef00", SAMPLES, "--as", "ignore", "--rules", RULES], id="review-unknown-id"),
        pytest.param(["review", "deadbeef00", SAMPLES, "--as", "ignore", "--date-format", "%Q"],
                     id="review-date-format"),
    ]
    return cases


@pytest.mark.parametrize("args", _cases())
def test_every_user_error_is_one_line_and_exit_2(place, args):
    argv = [arg.format(**place) for arg in args]
    result = CliRunner().invoke(cli, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chargecheck: error: "), result.stderr
    assert "Usage:" not in result.stderr and "Traceback" not in result.stderr
    if "{fifo}" in args:
        assert Path(place["fifo"]).is_fifo()  # refused, never opened, never replaced


def test_the_rules_values_say_file_line_and_bound(place):
    result = CliRunner().invoke(cli, ["check", STATEMENT, "--rules", place["days_out_of_range"]])
    assert result.stderr == (f"chargecheck: error: {place['days_out_of_range']}:4: cancellation #1 (Hulu): "
                             "refund_window_days: expected at most 3660 days (ten years), found 3000000\n")
    result = CliRunner().invoke(cli, ["check", STATEMENT, "--rules", place["nested_500_deep"]])
    assert result.stderr == (f"chargecheck: error: {place['nested_500_deep']}:4: values nested more than 100 levels "
                             "deep (a rules value is a text, a date, a number or a list of texts)\n")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to size the memory limit")
def test_running_out_of_memory_is_one_line_and_exit_2(tmp_path: Path):
    """A real MemoryError: the process is limited (RLIMIT_AS) to what a small check needs plus
    a margin far smaller than what reading a 60 MB single-line statement takes."""
    small = tmp_path / "small.csv"
    small.write_text("Date,Description,Amount\n2026-01-01,COFFEE,-1.00\n", encoding="utf-8")
    probe = ("import sys\nfrom chargecheck.cli import cli\nsys.argv = ['chargecheck', 'transactions', sys.argv[1]]\n"
             "try:\n    cli.main(prog_name='chargecheck')\nexcept SystemExit:\n    pass\n"
             "peak = [l for l in open('/proc/self/status') if l.startswith('VmPeak')][0].split()[1]\n"
             "print(peak, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", probe, str(small)], capture_output=True, text=True, timeout=120)
    peak_kib = int(run.stderr.split()[-1])
    limit = (peak_kib + 120 * 1024) * 1024
    big = tmp_path / "big.csv"
    big.write_text("Date,Description,Amount\n2026-01-01," + "A" * 60_000_000 + ",-1.00\n", encoding="utf-8")

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run([sys.executable, "-m", "chargecheck", "transactions", str(big)], preexec_fn=limited,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chargecheck: error: "), result.stderr[-2000:]
    assert "memory" in lines[0]
