"""Engines give the same check: local vs Dask (LocalCluster), whole files vs chunks of them.

The statements are the samples and a synthetic multi-file set written to disk by the bench's
generator: overlapping months of one card (de-duplication across files), a second card, and
files large enough to be read in chunks when the chunk size is small.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

from chargecheck import report
from chargecheck.errors import ChargecheckError
from chargecheck.importers import ImportOptions, read_statement
from chargecheck.importers.csv.chunks import iter_chunks, plan_chunks
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
    for name, body in pieces.items():
        with open(folder / name, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
    return folder, rules.parent


def _reports(result) -> dict[str, str]:
    return {fmt: report.render(result, fmt, color=False) for fmt in FORMATS}


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local.scheduler_address


def test_the_set_overlaps_and_is_cut_in_chunks(statement_set) -> None:
    folder, rules = statement_set
    result = check([folder], rules, chunk_bytes=200_000)
    assert len(result.duplicates) > 1000 and result.flags
    chunks = plan_chunks(folder / "a_recent.csv", ImportOptions(), 200_000)
    assert chunks is not None and len(chunks) >= 4


@pytest.mark.parametrize("chunk_bytes", [None, 150_000])
def test_dask_gives_the_local_reports_on_the_synthetic_set(statement_set, cluster, chunk_bytes) -> None:
    folder, rules = statement_set
    local = check([folder], rules, chunk_bytes=chunk_bytes)
    dask = check([folder], rules, engine="dask", scheduler=cluster, chunk_bytes=chunk_bytes)
    assert _reports(dask) == _reports(local)


def test_dask_gives_the_local_reports_on_the_samples(cluster) -> None:
    samples, rules = PROJECT / "sample_statements", PROJECT / "rules"
    assert _reports(check([samples], rules, engine="dask", scheduler=cluster)) == _reports(check([samples], rules))


def test_chunks_give_the_reports_of_whole_files(statement_set) -> None:
    folder, rules = statement_set
    whole = check([folder], rules)
    chunked = check([folder], rules, chunk_bytes=120_000)
    assert _reports(chunked) == _reports(whole)
    assert chunked.transactions.equals(whole.transactions)


@pytest.mark.parametrize("chunk_bytes", [64_000, 333_333])
def test_chunks_hold_the_rows_of_the_whole_file(statement_set, chunk_bytes) -> None:
    path = statement_set[0] / "b_older.csv"
    whole = read_statement(path)
    parts = list(iter_chunks(path, ImportOptions(), chunk_bytes))
    assert len(parts) > 2
    rows = [row for part in parts for row in part.transactions.itertuples(index=False)]
    assert rows == list(whole.transactions.itertuples(index=False))
    assert sum(p.rows_read for p in parts) == whole.rows_read


def test_a_quoted_newline_is_never_cut(tmp_path) -> None:
    path = tmp_path / "quoted.csv"
    lines = ["Date,Description,Amount"]
    for i in range(3000):
        memo = f'"NETFLIX.COM\nline {i}"' if i % 7 == 0 else f"SHOP {i}"
        lines.append(f"01/{1 + i % 28:02d}/2026,{memo},-{i % 90 + 1}.99")
    path.write_text("\n".join(lines) + "\n")
    whole = read_statement(path)
    parts = list(iter_chunks(path, ImportOptions(), 8_000))
    assert len(parts) > 5
    got = [(r.description, r.source_line) for p in parts for r in p.transactions.itertuples()]
    assert got == [(r.description, r.source_line) for r in whole.transactions.itertuples()]


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


@pytest.mark.parametrize("chunk_bytes", [None, 100_000])
def test_a_relative_path_reads_the_same_from_another_working_folder(statement_set, monkeypatch, tmp_path,
                                                                     chunk_bytes) -> None:
    # A Dask worker started in another folder gets the parts planned here.
    from chargecheck.importers import plan_statement_parts, read_statement_part

    monkeypatch.chdir(statement_set[0])
    parts = plan_statement_parts("c_copy.csv" if chunk_bytes is None else "b_older.csv", ImportOptions(), chunk_bytes)
    here = [read_statement_part(part) for part in parts]
    monkeypatch.chdir(tmp_path)
    there = [read_statement_part(part) for part in parts]
    assert [s.summary() for s in there] == [s.summary() for s in here]
    assert all(a.transactions.equals(b.transactions) for a, b in zip(here, there))
    assert set(there[0].transactions["source_file"]) == {parts[0].path} and not Path(parts[0].path).is_absolute()
