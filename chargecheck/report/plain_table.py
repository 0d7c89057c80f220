"""Plain fixed-width rendering of the report's rich tables, without rich's per-cell machinery.

Input: a :class:`rich.table.Table` of the kind :mod:`.table` builds (simple-head box, no
edge, one space between columns, cells of printable ASCII text) and the console width.
Output: the same lines rich would print without colour (trailing spaces aside, which the
terminal report strips), or None for any table outside that kind, which rich then renders.

Why: rich renders each cell through segments, padding and measurement objects, about 0.7 ms
per flag; a report of thousands of flags took seconds.  Without colour rich adds nothing to
these tables but the layout, and the layout is reproduced here: column widths from each
column's narrowest and widest cell (the longest word, the longest line), shrunk to the width
the way rich shrinks them, then word wrapping (long words folded or cut with an ellipsis).
Text outside printable ASCII (wide or combining characters) goes to rich, which measures
terminal cells.  ``tests/test_report_plain.py`` compares both renderings on many tables.
"""

from __future__ import annotations

import re
from typing import Sequence

from rich import box
from rich.table import Column, Table
from rich.text import Text

__all__ = ["render_plain"]

_PLAIN = re.compile(r"[\x20-\x7e\n]*")  # printable ASCII: one character, one terminal cell
_WORD = re.compile(r"\s*\S+\s*")
_ELLIPSIS = "…"


def _plain_text(cell) -> str | None:
    """The text of a cell, or None when it is not plain text this module can measure."""
    if isinstance(cell, Text):
        if cell.tab_size is not None or cell.justify or cell.overflow or cell.no_wrap:
            return None
        text = cell.plain
    elif isinstance(cell, str):
        text = cell
    else:
        return None
    return text if _PLAIN.fullmatch(text) else None


def _supported(table: Table) -> bool:
    """True for the tables this module lays out exactly as rich does."""
    return (table.box is box.SIMPLE_HEAD and not table.show_edge and not table.pad_edge
            and tuple(table.padding) == (0, 1, 0, 1) and not table.expand and table.show_header
            and not table.show_footer and not table.show_lines and not table.leading
            and not table.collapse_padding and table.width is None and table.min_width is None
            and table.title is None and table.caption is None and not table.row_styles
            and all(c.width is None and c.min_width is None and c.vertical == "top"
                    and c.justify in ("left", "right") and c.overflow in ("fold", "ellipsis", "crop")
                    for c in table.columns)
            and all(not row.end_section for row in table.rows))


def _extent(text: str) -> tuple[int, int]:
    """(longest word, longest line) of a cell's text: the narrowest and widest it can be laid out."""
    lines = text.split("\n")
    words = text.split()
    return (max(map(len, words)) if words else 0), max(map(len, lines))


def _measure_column(extents: Sequence[tuple[int, int]], column: Column, pad: int, width: int) -> tuple[int, int]:
    """(narrowest, widest) the column can be inside ``width`` cells, its padding included.

    Rich measures each padded cell, caps it at the width and takes the largest; with both
    ends of every measurement non-negative and the narrowest never above the widest, that
    is the largest word and line plus the padding, capped.
    """
    if width < 1:
        return 0, 0
    if width - pad < 1:
        low = high = width
    else:
        low = min(max(e[0] for e in extents) + pad, width)
        high = min(max(e[1] for e in extents) + pad, width)
    if column.max_width is not None:
        cap = column.max_width + pad
        low, high = min(low, cap), min(high, cap)
    return low, high


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """Take ``total`` off ``values`` in proportion to ``ratios``, at most ``maximums`` each."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, result = total, []
    for ratio, most, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(most, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], width: int) -> list[int]:
    """Narrow the widest wrapping columns, step by step, until the table fits (as far as they can)."""
    total = sum(widths)
    excess = total - width
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, ok in zip(widths, wrapable) if ok)
            second = max(w if ok and w != widest else 0 for w, ok in zip(widths, wrapable))
            difference = widest - second
            ratios = [1 if (w == widest and ok) else 0 for w, ok in zip(widths, wrapable)]
            if not any(ratios) or not difference:
                break
            widths = _reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - width
    return widths


def _column_widths(columns: Sequence[Column], texts: list[list[str]], pads: list[int], width: int) -> list[int]:
    """The width of each column (padding included), as rich computes it for ``width`` cells."""
    texts = [[_extent(text) for text in column] for column in texts]
    widths = [_measure_column(t, c, p, width)[1] or 1 for c, t, p in zip(columns, texts, pads)]
    if sum(widths) > width:
        widths = _collapse(widths, [not c.no_wrap for c in columns], width)
        if sum(widths) > width:
            widths = _reduce(sum(widths) - width, [1] * len(widths), widths, widths)
        widths = [_measure_column(t, c, p, w)[1] or 0 for c, t, p, w in zip(columns, texts, pads, widths)]
    return widths


def _fit(text: str, width: int, overflow: str) -> str:
    """One line cut to ``width`` (an ellipsis marks the cut where the column asks for one)."""
    if len(text) <= width:
        return text
    if overflow == "ellipsis":
        return text[: max(0, width - 1)] + _ELLIPSIS
    return text[: max(0, width)]


def _split(line: str, width: int, fold: bool) -> list[str]:
    """Word-wrap one line into pieces of at most ``width`` (words longer than that folded or kept)."""
    if len(line) <= width:  # every word fits where it is
        return [line]
    breaks, offset = [], 0
    for match in _WORD.finditer(line):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            if fold:
                pieces = [word[i:i + width] for i in range(0, len(word), width)] if width > 0 else [word]
                for n, piece in enumerate(pieces):
                    if start:
                        breaks.append(start)
                    if n == len(pieces) - 1:
                        offset = len(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(line)]
    pieces = [line[a:b] for a, b in zip(bounds, bounds[1:])] if breaks else [line]
    out = []
    for piece in pieces:
        if len(piece) > width:  # trailing spaces beyond the width go
            spaces = len(piece) - len(piece.rstrip())
            piece = piece[: len(piece) - min(spaces, len(piece) - width)]
        out.append(piece)
    return out


def _cell_lines(text: str, column: Column, width: int) -> list[str]:
    """The lines of one cell's text inside ``width`` cells, justified as the column says."""
    overflow = column.overflow
    lines = []
    for line in text.split("\n"):
        pieces = [line] if column.no_wrap else _split(line, width, overflow == "fold")
        for piece in pieces:
            if column.justify == "right":
                piece = _fit(piece.rstrip(), width, overflow)
                piece = " " * (width - len(piece)) + piece
            else:
                piece = _fit(piece, width, overflow).ljust(width)
            lines.append(piece)
    return lines


def render_plain(table: Table, console_width: int) -> str | None:
    """``table`` as rich prints it without colour in ``console_width`` columns, or None if unsupported.

    Lines end without their trailing spaces; the text ends with a newline.
    """
    if not _supported(table) or not table.columns:
        return None
    columns = table.columns
    last = len(columns) - 1
    texts: list[list[str]] = []
    for column in columns:
        cells = [_plain_text(column.header), *(_plain_text(cell) for cell in column.cells)]
        if any(cell is None for cell in cells):
            return None
        texts.append(cells)
    pads = [(0 if i == 0 else 1) + (0 if i == last else 1) for i in range(len(columns))]
    widths = _column_widths(columns, texts, pads, console_width - last)
    inner = [w - p for w, p in zip(widths, pads)]
    if min(inner) < 1:
        return None
    lefts = [" " * (0 if i == 0 else 1) for i in range(len(columns))]
    rights = [" " * (0 if i == last else 1) for i in range(len(columns))]
    out: list[str] = []
    for row in range(len(texts[0])):
        cells = [_cell_lines(texts[c][row], columns[c], inner[c]) for c in range(len(columns))]
        height = max(len(lines) for lines in cells)
        for c, lines in enumerate(cells):
            blank = [" " * inner[c]] * (height - len(lines))
            cells[c] = blank + lines if row == 0 else lines + blank  # the header sits at the bottom
        for n in range(height):
            out.append(" ".join(lefts[c] + cells[c][n] + rights[c] for c in range(len(columns))).rstrip())
        if row == 0:
            out.append("─" * (sum(widths) + last))
    return "\n".join(out) + "\n"
