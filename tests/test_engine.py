"""Engines give the same check: local vs Dask (LocalCluster), and the reduced rows flag as every row would.

The statements are the samples and a synthetic multi-file set written to disk by the bench's
generator: overlapping months of one card (de-duplication across files), a new series under
another name, and a cancellation that matched nothing.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from chargecheck import report
from chargecheck.errors import ChargecheckError
from chargecheck.pipeline import check

PROJECT = Path(__file__).parent.parent
FORMATS = ("table", "json", "csv", "md", "html")


def _synth():
    spec = importlib.util.spec_from_file_location("synth_statement", PROJECT / "bench" / "synth_statement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synth_statement", module)  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def statement_set(tmp_path_factory) -> tuple[Path, Path]:
    """A folder of four CSV statements (two overlapping) and the rules for them."""
    root = tmp_path_factory.mktemp("set")
    big, rules = root / "full.csv", root / "rules" / "cancellations.toml"
    rules.parent.mkdir()
    _synth().write_statement(big, rules, 24_000, vendors=60, merchants=400, seed=7)
    with open(big, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    folder = root / "statements"
    folder.mkdir()
    # Rows are newest first; two files overlapping in their middle third, and a disjoint rest.
    third = len(rows) // 3
    pieces = {"a_recent.csv": rows[: 2 * third], "b_older.csv": rows[third:], "c_copy.csv": rows[:500]}
    # An unmatched descriptor charged the first vendor's amount monthly from about its
    # cancellation (a new series, to check), one charged so too but seen months before in
    # another file (not new), and a cancellation no row matches (closest descriptors).
    first = re.search(r'cancelled_on = (\S+)\n(?:.*\n)*?amount = "([0-9.]+)"', rules.read_text())
    start, amount = date.fromisoformat(first.group(1)), first.group(2)
    monthly = [start + timedelta(days=30 * k - 5) for k in range(4)]
    pieces["d_new.csv"] = [[d.strftime("%m/%d/%Y"), d.strftime("%m/%d/%Y"), name, "Bills", "Sale", f"-{amount}", ""]
                           for d in monthly for name in ("NEWSTREAM XQ", "OLDSTREAM XQ")]
    early = start - timedelta(days=200)
    pieces["e_early.csv"] = [[early.strftime("%m/%d/%Y")] * 2 + ["OLDSTREAM XQ", "Bills", "Sale", "-5.00", ""]]
    for name, body in pieces.items():
        with open(folder / name, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
    (rules.parent / "extra.toml").write_text('[[cancellation]]\nvendor = "Qwertzuiop Streaming"\n'
                                             'cancelled_on = 2026-03-01\namount = "13.37"\n')
    return folder, rules.parent


def _reports(result) -> dict[str, str]:
    return {fmt: report.render(result, fmt, color=False) for fmt in FORMATS}


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local.scheduler_address


def _whole_table(paths, rules):
    """The flag stage on every row read (the check before the reduced rows): the reference."""
    from chargecheck.dedupe import link_same_payments
    from chargecheck.flag import flag_charges
    from chargecheck.pipeline import Workspace, _with_closest, read_transactions

    workspace = Workspace.load(rules)
    _, table, duplicates = read_transactions(paths, workspace)
    wallets = [p for proc in workspace.knowledge.processors if proc.kind == "wallet" for p in proc.prefixes]
    annotated = link_same_payments(workspace.matcher.annotate(table), wallets)
    found = flag_charges(annotated, workspace.cancellations)
    return found, _with_closest(found.accounts, workspace.matcher, annotated), duplicates


def _same_as_whole(result, paths, rules) -> None:
    found, accounts, duplicates = _whole_table(paths, rules)
    assert repr(result.flags) == repr(found.flags)
    assert repr(result.refundable) == repr(found.refundable)
    assert repr(result.to_check) == repr(found.to_check)
    assert repr(result.accounts) == repr(accounts)
    assert repr(result.duplicates) == repr(duplicates)


def test_the_set_overlaps_lists_a_new_series_and_closest_descriptors(statement_set) -> None:
    folder, rules = statement_set
    result = check([folder], rules)
    assert len(result.duplicates) > 1000 and result.flags
    assert {f.description for f in result.to_check if f.method == "series"} == {"NEWSTREAM XQ"}
    nothing = [a for a in result.accounts if a.matched_nothing]
    assert [a.cancellation.vendor for a in nothing] == ["Qwertzuiop Streaming"]
    # The reduced table holds the candidates and a few unmatched rows, not every row read.
    assert len(result.transactions) < sum(st.transaction_count for st in result.statements) // 2


def test_the_reduced_rows_flag_as_the_whole_table(statement_set) -> None:
    folder, rules = statement_set
    _same_as_whole(check([folder], rules), [folder], rules)


def test_the_reduced_rows_flag_as_the_whole_table_on_the_samples() -> None:
    samples, rules = PROJECT / "sample_statements", PROJECT / "rules"
    _same_as_whole(check([samples], rules), [samples], rules)


def test_dask_gives_the_local_reports_on_the_synthetic_set(statement_set, cluster) -> None:
    folder, rules = statement_set
    local = check([folder], rules)
    dask = check([folder], rules, engine="dask", scheduler=cluster)
    assert _reports(dask) == _reports(local)


def test_dask_gives_the_local_reports_on_the_samples(cluster) -> None:
    samples, rules = PROJECT / "sample_statements", PROJECT / "rules"
    assert _reports(check([samples], rules, engine="dask", scheduler=cluster)) == _reports(check([samples], rules))


def test_the_cli_runs_the_dask_engine_on_a_local_cluster(tmp_path) -> None:
    from click.testing import CliRunner

    from chargecheck.cli import cli

    pytest.importorskip("dask.distributed")
    samples, rules = str(PROJECT / "sample_statements"), str(PROJECT / "rules")
    runner = CliRunner()
    local = runner.invoke(cli, ["check", samples, "--rules", rules, "--format", "json"])
    dask = runner.invoke(cli, ["check", samples, "--rules", rules, "--format", "json", "--engine", "dask"])
    assert (dask.exit_code, dask.output) == (local.exit_code, local.output) and local.exit_code == 1


def test_an_unreachable_scheduler_is_one_error(tmp_path) -> None:
    pytest.importorskip("dask.distributed")
    with pytest.raises(ChargecheckError, match="cannot reach the Dask scheduler"):
        check([PROJECT / "sample_statements"], PROJECT / "rules", engine="dask", scheduler="tcp://127.0.0.1:9")


_WITHOUT_DASK = """
import sys
class NoDask:
    def find_spec(self, name, path=None, target=None):
        if name == "dask" or name.startswith(("dask.", "distributed")):
            raise ImportError("No module named " + repr(name))
sys.meta_path.insert(0, NoDask())
from chargecheck.cli import main
sys.argv = ["chargecheck", "check", sys.argv[1], "--rules", sys.argv[2], "--format", "json", *sys.argv[3:]]
main()
"""


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_without_dask_the_local_engine_runs_and_the_dask_engine_says_what_to_install(engine) -> None:
    import subprocess

    samples, rules = str(PROJECT / "sample_statements"), str(PROJECT / "rules")
    done = subprocess.run([sys.executable, "-c", _WITHOUT_DASK, samples, rules, "--engine", engine],
                          capture_output=True, text=True, timeout=300)
    if engine == "local":
        assert done.returncode == 1 and '"flags"' in done.stdout
    else:
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.strip().splitlines() == [
            "chargecheck: error: the dask engine needs Dask, which is not installed (pip install 'chargecheck[dask]')"]
