"""The fast grid reader (C reader + byte scan) agrees with the exact stdlib ``csv`` reader.

The byte scan decides where records start (their physical line) and how many fields each has
(short and overlong rows are reported by that count).  The stdlib reader is the reference:
for any well-formed text both must give the same cells, lines and field counts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargecheck.importers.csv.grid import read_grid_exactly, read_grid

# Well-formed cells: plain, empty, quoted with the delimiter / a newline / doubled quotes inside.
CELLS = ["a", "bb", " c", "", "12.00", '"q{d}x"', '"l\nm"', '"a ""b"""', '"{d}"', "'text"]


def _assert_same(text: str, delimiter: str, start: int) -> None:
    exact = read_grid_exactly(text, delimiter, start)
    fast = read_grid(text, delimiter, start)
    assert fast.line.tolist() == exact.line.tolist()
    assert fast.cells.shape == exact.cells.shape
    if not exact.cells.empty:
        assert (fast.cells.to_numpy() == exact.cells.to_numpy()).all()
    # The csv module reports an all-empty record (",,") as one field; such records are blank
    # and never become rows, so only records with content must agree on their width.
    filled = (exact.cells != "").any(axis=1).to_numpy() if not exact.cells.empty else np.zeros(0, bool)
    assert fast.nfields[filled].tolist() == exact.nfields[filled].tolist()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(st.sampled_from(CELLS), max_size=5), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    ending=st.sampled_from(["", "\n", "\n\n"]),
    start=st.integers(1, 3),
)
def test_fast_reader_matches_csv_module(rows, delimiter, ending, start):
    # The reader starts at a record boundary (the line under the header): a preamble before it.
    text = "preamble\n" * (start - 1) + "\n".join(delimiter.join(cell.format(d=delimiter) for cell in row) for row in rows) + ending
    _assert_same(text, delimiter, start)


@pytest.mark.parametrize(
    "text, lines, nfields",
    [
        ("h1,h2\na,1\nb,2\n", [2, 3], [2, 2]),
        ("h1,h2\na,1\nb,2", [2, 3], [2, 2]),  # no newline at the end
        ('h1,h2\n"multi\nline",1\nb,2,3\n', [2, 4], [2, 3]),  # a record spanning two lines
        ('h1,h2\n"x,y",1\n\nc\n', [2, 3, 4], [2, 1, 1]),  # quoted delimiter, blank line, short row
    ],
)
def test_lines_and_field_counts(text, lines, nfields):
    grid = read_grid(text, ",", 2)
    assert grid.line.tolist() == lines
    assert grid.nfields.tolist() == nfields
    _assert_same(text, ",", 2)


def test_header_on_the_last_line_gives_no_records():
    grid = read_grid("preamble\nh1,h2", ",", 3)
    assert grid.cells.empty and len(grid.line) == 0
