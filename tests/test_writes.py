"""Writes that never lose or clobber (chargecheck/files.py and every writer that goes through it).

Real processes, real files: concurrent writers are forked processes (the library) and real
``chargecheck`` processes (the CLI); symlinks, FIFOs and folders are made on disk.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.config.reviews import load_reviews, record_review
from chargecheck.config.rules import append_cancellation, load_rules, update_cancellation
from chargecheck.errors import RulesError, WriteError
from chargecheck.files import LOCK_NAME, resolve_target, write_text
from chargecheck.model import Cancellation

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "sample_statements"
RULES = PROJECT / "rules"

WRITERS, TRIALS = 20, 3


def _cancel_worker(args):
    path, index, barrier = args
    barrier.wait()
    append_cancellation(path, Cancellation(f"Vendor {index:02d}", date(2026, 1, 1 + index)))


def _review_worker(args):
    path, index, barrier = args
    barrier.wait()
    record_review(path, f"{index:010x}", "disputed", f"case {index}")


def _run_together(worker, path: Path) -> None:
    """WRITERS forked processes released at once by a barrier, each writing one record."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WRITERS)
    processes = [context.Process(target=worker, args=((path, i, barrier),)) for i in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * WRITERS


@pytest.mark.parametrize("trial", range(TRIALS))
def test_parallel_cancel_writers_keep_every_record(tmp_path: Path, trial: int):
    path = tmp_path / "cancellations.toml"
    path.write_text("# my cancellations, kept by every writer\n", encoding="utf-8")
    _run_together(_cancel_worker, path)
    vendors = sorted(c.vendor for c in load_rules(path))
    assert vendors == [f"Vendor {i:02d}" for i in range(WRITERS)]
    assert path.read_text(encoding="utf-8").startswith("# my cancellations, kept by every writer\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LOCK_NAME, "cancellations.toml"])


@pytest.mark.parametrize("trial", range(TRIALS))
def test_parallel_review_writers_keep_every_record(tmp_path: Path, trial: int):
    path = tmp_path / "reviews.toml"
    _run_together(_review_worker, path)
    assert sorted(load_reviews(path)) == [f"{i:010x}" for i in range(WRITERS)]


def test_parallel_cancel_commands_keep_every_record(tmp_path: Path):
    """Real ``chargecheck cancel`` processes (fewer than the bench's 20: each starts Python)."""
    target = tmp_path / "rules" / "cancellations.toml"
    command = [sys.executable, "-m", "chargecheck", "cancel"]
    processes = [subprocess.Popen(command + [f"Vendor {i}", "--on", "2026-01-02", "--rules", str(target)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(8)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, outputs
    assert sorted(c.vendor for c in load_rules(target)) == [f"Vendor {i}" for i in range(8)]


def test_symlinked_rules_file_stays_a_link_and_its_target_gets_the_record(tmp_path: Path):
    real = tmp_path / "store" / "cancellations.toml"
    real.parent.mkdir()
    real.write_text('[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-15\n', encoding="utf-8")
    link = tmp_path / "rules.toml"
    link.symlink_to(real)
    result = CliRunner().invoke(cli, ["cancel", "Max", "--on", "2026-02-01", "--rules", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert [c.vendor for c in load_rules(real)] == ["Hulu", "Max"]


@pytest.mark.parametrize("kind", ["fifo", "folder", "loop"])
def test_odd_targets_are_refused_in_one_line(tmp_path: Path, kind: str):
    target = tmp_path / "target.toml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
        (target / "cancellations.toml").mkdir()  # the folder's default file is itself a folder
    else:
        target.symlink_to(tmp_path / "other.toml")
        (tmp_path / "other.toml").symlink_to(target)
    result = CliRunner().invoke(cli, ["cancel", "Max", "--on", "2026-02-01", "--rules", str(target)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("chargecheck: error: ")
    assert {"fifo": "FIFO", "folder": "a folder", "loop": "symlink loop"}[kind] in result.stderr
    if kind == "fifo":
        assert target.is_fifo()


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_is_never_replaced():
    with pytest.raises(WriteError, match="is a device, not a regular file"):
        write_text("/dev/null", "report")
    assert Path("/dev/null").is_char_device()


def test_a_refused_record_leaves_file_and_folder_as_they_were(tmp_path: Path):
    path = tmp_path / "cancellations.toml"
    path.write_text('[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-15\n', encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(RulesError, match="paid_through 2026-01-01 is before cancelled_on"):
        append_cancellation(path, Cancellation("Max", date(2026, 2, 1), paid_through=date(2026, 1, 1)))
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_killed_writers_temp_file_is_ignored_then_removed(tmp_path: Path):
    path = tmp_path / "cancellations.toml"
    path.write_text('[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-15\n', encoding="utf-8")
    leftover = tmp_path / ".cancellations.toml.k9x2.tmp"  # what a kill -9 mid-write leaves
    leftover.write_text('[[cancellation]]\nvendor = "Half', encoding="utf-8")
    assert [c.vendor for c in load_rules(tmp_path)] == ["Hulu"]
    append_cancellation(path, Cancellation("Max", date(2026, 2, 1)))
    assert not leftover.exists()
    assert [c.vendor for c in load_rules(tmp_path)] == ["Hulu", "Max"]


def test_update_edits_the_record_in_place_and_keeps_comments(tmp_path: Path):
    path = tmp_path / "cancellations.toml"
    original = ('# my cancellations\n[[cancellation]]\nvendor = "Hulu"   # the streaming one\n'
                'cancelled_on = 2026-01-15\naliases = ["HULU*"]\n\n# next\n[[cancellation]]\n'
                'vendor = "Max"\ncancelled_on = 2026-01-16\n')
    path.write_text(original, encoding="utf-8")
    stored = update_cancellation(path, "hulu", {"reference": "R-1", "aliases": ["HULU.COM"],
                                                "cancelled_on": date(2026, 2, 1)})
    assert (stored.vendor, stored.reference, stored.aliases, stored.cancelled_on) == (
        "Hulu", "R-1", ("HULU*", "HULU.COM"), date(2026, 2, 1))
    assert path.read_text(encoding="utf-8") == (
        '# my cancellations\n[[cancellation]]\nvendor = "Hulu"   # the streaming one\n'
        'cancelled_on = 2026-02-01\naliases = ["HULU*", "HULU.COM"]\nreference = "R-1"\n\n# next\n'
        '[[cancellation]]\nvendor = "Max"\ncancelled_on = 2026-01-16\n')


def test_cancel_refuses_a_vendor_already_recorded_unless_add_or_update(tmp_path: Path):
    runner = CliRunner()
    assert runner.invoke(cli, ["cancel", "Hulu", "--on", "2026-01-15", "--rules", str(tmp_path)]).exit_code == 0
    target = tmp_path / "cancellations.toml"
    before = target.read_bytes()
    again = runner.invoke(cli, ["cancel", "hulu", "--on", "2026-03-15", "--rules", str(tmp_path)])
    assert again.exit_code == 2 and target.read_bytes() == before
    assert again.stderr == (f"chargecheck: error: {target}: Hulu is already recorded at line 1 (cancelled on "
                            "2026-01-15); not changed (--update changes that record, --add records a second "
                            "cancellation)\n")
    assert runner.invoke(cli, ["cancel", "hulu", "--on", "2026-03-15", "--add", "--rules", str(tmp_path)]).exit_code == 0
    updated = runner.invoke(cli, ["cancel", "Hulu", "--update", "--ref", "H-9", "--rules", str(tmp_path)])
    assert updated.exit_code == 0, updated.output
    # The later record (the one that governs new charges) is the one updated.
    assert [(c.cancelled_on.isoformat(), c.reference) for c in load_rules(target)] == [
        ("2026-01-15", None), ("2026-03-15", "H-9")]


def _sample_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "statements"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_a_report_named_as_an_input_is_refused_and_the_statement_untouched(tmp_path: Path):
    folder = _sample_folder(tmp_path)
    statement = folder / "chase_card_2026.csv"
    before = statement.read_bytes()
    os.link(statement, tmp_path / "hardlink.csv")
    for output in (statement, folder / ".." / "statements" / statement.name, tmp_path / "hardlink.csv"):
        result = CliRunner().invoke(cli, ["check", str(statement), "--rules", str(RULES), "-o", str(output),
                                          "--format", "csv"])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("chargecheck: error: ") and result.stderr.count("\n") == 1
        assert "refusing to overwrite" in result.stderr
        assert statement.read_bytes() == before


def test_a_statement_in_the_folder_is_never_the_output(tmp_path: Path):
    folder = _sample_folder(tmp_path)
    statement = folder / "amex_2026.csv"
    before = statement.read_bytes()
    result = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "-o", str(statement)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert statement.read_bytes() == before


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "html"])
def test_reports_written_into_the_statements_folder_are_not_read_back(tmp_path: Path, fmt: str):
    folder = _sample_folder(tmp_path)
    first = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", "json"])
    report = folder / f"flagged.{fmt}.csv"  # a misleading name: recognised by content, not by name
    for run in range(2):
        written = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", fmt,
                                           "-o", str(report)])
        assert written.exit_code == 1, written.output
    again = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", "json"])
    import json

    before, after = json.loads(first.stdout), json.loads(again.stdout)
    assert after["flags"] == before["flags"]
    kinds = {item["file"]: item["kind"] for item in after["passed_over"]}
    assert kinds[str(report)] == "report"


@pytest.mark.parametrize(("command", "fmt"), [("transactions", "csv"), ("transactions", "json"),
                                              ("subscriptions", "csv"), ("subscriptions", "json")])
def test_other_commands_outputs_in_the_folder_are_not_read_back(tmp_path: Path, command: str, fmt: str):
    """The transactions export and the subscriptions report are the tool's too: never statements."""
    folder = _sample_folder(tmp_path)
    first = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", "json"])
    written = CliRunner().invoke(cli, [command, str(folder), "--rules", str(RULES), "--format", fmt,
                                       "-o", str(folder / f"export.{fmt}.csv")])
    assert written.exit_code in (0, 1), written.output
    again = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", "json"])
    import json

    after = json.loads(again.stdout)
    assert after["flags"] == json.loads(first.stdout)["flags"]
    assert {item["file"]: item["kind"] for item in after["passed_over"]}[str(folder / f"export.{fmt}.csv")] == "report"


def _messy_folder(tmp_path: Path) -> Path:
    folder = _sample_folder(tmp_path)
    (folder / "README.txt").write_text("These are my statements.\nDownloaded on Monday.\n", encoding="utf-8")
    (folder / "old").mkdir()
    (folder / "old" / "march.pdf").write_bytes(b"%PDF-1.4\n%binary\n")
    (folder / "archive.zip").write_bytes(b"PK\x03\x04rest")
    os.mkfifo(folder / "pipe.csv")
    (folder / "gone.csv").symlink_to(tmp_path / "missing.csv")
    (folder / ".hidden.csv").write_text("x", encoding="utf-8")
    return folder


def test_every_file_passed_over_is_listed_with_its_reason(tmp_path: Path):
    import json

    folder = _messy_folder(tmp_path)
    result = CliRunner().invoke(cli, ["transactions", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {Path(item["file"]).name: item["kind"] for item in json.loads(result.stdout)["passed_over"]}
    assert kinds == {".hidden.csv": "hidden", "README.md": "not_a_statement", "README.txt": "not_a_statement",
                     "archive.zip": "not_a_statement", "gone.csv": "broken_link", "pipe.csv": "not_regular",
                     "march.pdf": "not_a_statement"}


def test_one_unreadable_statement_is_reported_and_the_rest_checked(tmp_path: Path):
    folder = _messy_folder(tmp_path)
    # A CSV with a header, but no column of amounts: a statement that cannot be read.
    (folder / "broken.csv").write_text("Date,Description,Amount\n2026-01-01,X,notanumber\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--format", "json"])
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"chargecheck: error: {folder / 'broken.csv'}:")
    import json

    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 5  # the five sample statements were all checked
    assert [item["kind"] for item in report["passed_over"] if item["file"].endswith("broken.csv")] == ["failed"]
    strict = CliRunner().invoke(cli, ["check", str(folder), "--rules", str(RULES), "--strict"])
    assert strict.exit_code == 2 and strict.stdout == "" and strict.stderr.count("\n") == 1


def test_review_with_statements_refuses_an_id_that_matches_no_charge(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    result = CliRunner().invoke(cli, ["review", "deadbeef00", str(SAMPLES), "--as", "disputed", "--rules", str(rules)])
    assert result.exit_code == 2 and not (rules / "reviews.toml").exists()
    assert result.stderr.startswith("chargecheck: error: no flagged charge in these statements has the id deadbeef00")
    import json

    flag_id = json.loads(CliRunner().invoke(cli, ["check", str(SAMPLES), "--rules", str(rules), "--format",
                                                  "json"]).stdout)["flags"][0]["id"]
    ok = CliRunner().invoke(cli, ["review", flag_id, str(SAMPLES), "--as", "disputed", "--rules", str(rules)])
    assert ok.exit_code == 0 and ok.stderr == ""
    assert list(load_reviews(rules / "reviews.toml")) == [flag_id]


def test_resolve_target_follows_a_link_to_a_new_file(tmp_path: Path):
    link = tmp_path / "report.html"
    link.symlink_to(tmp_path / "real.html")
    assert resolve_target(link) == (tmp_path / "real.html").resolve()
    write_text(link, "<p>x</p>")
    assert link.is_symlink() and (tmp_path / "real.html").read_text() == "<p>x</p>"
