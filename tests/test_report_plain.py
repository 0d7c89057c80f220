"""The plain table renderer prints exactly what rich prints without colour (trailing spaces aside).

Compared on the report's own tables (the story and hostile fixtures, the sample statements, a
generated report of many flags) and on seeded random tables of the same kind with words,
long unbroken words, empty cells and line breaks, at widths from cramped to wide.
"""

from __future__ import annotations

import importlib.util
import io
import random
import sys
from pathlib import Path

import pytest
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from chargecheck.report import plain_table, render, table as table_report
from chargecheck.report.plain_table import render_plain

FIXTURES = Path(__file__).parent / "fixtures" / "report"
PROJECT = Path(__file__).resolve().parent.parent


def _story():
    spec = importlib.util.spec_from_file_location("report_story_plain", FIXTURES / "story.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rich(table: Table, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, no_color=True,
                      highlight=False, emoji=False, markup=False, legacy_windows=False, soft_wrap=False)
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _random_table(rng: random.Random) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Date", no_wrap=True)
    table.add_column("Charged", justify="right", no_wrap=True)
    table.add_column("Description as printed", overflow="fold", ratio=1)
    table.add_column("Days\nafter", justify="right", no_wrap=True)
    table.add_column("Status", overflow="fold", max_width=18)
    table.add_column("Refund\nby", no_wrap=True)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*#-./:"

    def words(n: int) -> str:
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.choice([1, 3, 6, 12, 40]))) for _ in range(n)]
        return (" " * rng.choice([1, 1, 2])).join(parts)

    for _ in range(rng.randint(1, 6)):
        description = "\n".join(words(rng.randint(0, 8)) for _ in range(rng.randint(1, 4)))
        table.add_row(f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{rng.randint(1, 99999) / 100:.2f} USD",
                      Text(description), str(rng.randint(0, 999)), Text(words(rng.randint(1, 3))),
                      rng.choice(["-", "2025-04-30"]))
    return table


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_match_rich(seed):
    rng = random.Random(seed)
    table = _random_table(rng)
    for width in (24, 40, 61, 80, 100, 137, 200):
        plain = render_plain(table, width)
        if plain is None:  # a column too narrow for its padding: left to rich
            assert width < 61, (seed, width)
            continue
        assert plain == _rich(table, width), (seed, width)


def _report_pair(result, width: int) -> tuple[str, str]:
    """The report through the plain renderer and through rich alone."""
    fast = render(result, "table", width=width)
    original = plain_table.render_plain
    table_report.render_plain = lambda table, width: None  # rich for every table
    try:
        slow = render(result, "table", width=width)
    finally:
        table_report.render_plain = original
    return fast, slow


@pytest.mark.parametrize("which", ["story", "hostile"])
@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_report_fixtures_render_as_rich_does(which, width):
    result = getattr(_story(), which)()
    fast, slow = _report_pair(result, width)
    assert fast == slow


def test_sample_statements_render_as_rich_does():
    from chargecheck.pipeline import check

    result = check(sorted(p for p in (PROJECT / "sample_statements").iterdir() if p.suffix != ".md"), PROJECT / "rules")
    assert result.flags, "the samples hold charges after a cancellation"
    for width in (80, 120):
        fast, slow = _report_pair(result, width)
        assert fast == slow


def test_many_flags_render_as_rich_does(tmp_path):
    sys.path.insert(0, str(PROJECT / "bench"))
    try:
        from bench_report import write_files
    finally:
        sys.path.remove(str(PROJECT / "bench"))
    from chargecheck.pipeline import check

    result = check(list(write_files(tmp_path, vendors=12, noise=300, seed=5))[:1], tmp_path / "cancellations.toml")
    assert len(result.flags) > 200
    fast, slow = _report_pair(result, 100)
    assert fast == slow


def test_non_ascii_text_is_left_to_rich():
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Description")
    table.add_row("CAFÉ 東京")
    assert render_plain(table, 80) is None
