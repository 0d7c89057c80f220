"""Per-vendor timeline charts as hand-made inline SVG (no library, no network, no script).

Input: one vendor's cancellation, its flags and refundable charges (already numbered in report
order) and the vendor's rows of the annotated transaction table (``match_vendor`` column).
Output: an SVG string wrapped in :class:`markupsafe.Markup` for the HTML template.

What a chart shows: every charge of the vendor as a mark along a date axis (month ticks), the
cancellation day and the paid-through day as vertical lines, the days whose charges are flagged
shaded, flagged charges highlighted in red with their number from the table, refunded or
reviewed-away ones hollow, refundable pre-cancellation charges amber and credits (refunds) as
green triangles.  Every text that came from a statement or rules file is XML-escaped before it
is placed in the SVG, which is the only markup the report trusts.  Coordinates are rounded so
the output bytes are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Iterable

import pandas as pd
from markupsafe import Markup

from ..model import Cancellation, Flag
from ..schema import cents_to_decimal
from .common import format_money, refund_note, visible

__all__ = ["timeline_svg", "legend_svg", "transaction_marks"]

WIDTH, HEIGHT = 760, 140
X0, X1 = 24.0, 736.0
Y_TOP, Y_CHARGE, Y_CREDIT, Y_AXIS = 32.0, 70.0, 92.0, 110.0
LABEL_ROWS = (12.0, 26.0)  # cancellation label, paid-through label: never on top of each other
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _x(text: object) -> str:
    """XML-escape untrusted text (quotes too: it may end up in an attribute)."""
    return escape(visible(text), quote=True)


@dataclass(frozen=True)
class _Mark:
    day: date
    kind: str  # charge, flag, settled, refundable, credit
    title: str
    number: int | None = None
    count: int = 1  # transactions behind the mark (several on one day share one)


def _key(file: str, day: date, cents: int, line: object, fitid: object) -> str:
    where = f"L{int(line)}" if line is not None and not pd.isna(line) else f"F{fitid or ''}"
    return f"{file}\x1f{day.isoformat()}\x1f{int(cents)}\x1f{where}"


def _flag_key(flag: Flag) -> str:
    return _key(flag.source.file, flag.date, int(flag.amount * 100), flag.source.line, flag.source.fitid)


def _row_keys(rows: pd.DataFrame) -> pd.Series:
    """The same key as :func:`_key`, for every row at once (vectorised: a vendor may have many)."""
    # The separator is \x1f, not \x00: pandas 3 string concatenation silently drops NUL characters.
    line = rows["source_line"] if "source_line" in rows else pd.Series(pd.NA, index=rows.index, dtype="Int64")
    fitid = rows["bank_id"].fillna("").astype(str) if "bank_id" in rows else pd.Series("", index=rows.index)
    where = ("L" + line.astype("string")).where(line.notna(), "F" + fitid)
    day = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d")
    file = rows["source_file"].astype(str) if "source_file" in rows else pd.Series("", index=rows.index)
    return file + "\x1f" + day + "\x1f" + rows["amount_cents"].astype("int64").astype(str) + "\x1f" + where


def _day_mark(day: date, credit: bool, count: int, cents: int, currency: str, description: str) -> _Mark:
    verb = "credit (refund)" if credit else "charged"
    amount = format_money(cents_to_decimal(cents), currency)
    if count == 1:
        text = f"{day.isoformat()} · {amount} {verb} · {description}"
    else:
        text = f"{day.isoformat()} · {count} transactions, {amount} {verb} · e.g. {description}"
    return _Mark(day, "credit" if credit else "charge", text, count=count)


def transaction_marks(transactions: pd.DataFrame, vendors: Iterable[str], flags: Iterable[Flag]) -> dict[str, list]:
    """Per vendor, the marks for its transactions that are not ``flags``: charges and credits.

    One vectorised pass over the table (the matcher's ``match_vendor`` column), aggregated to
    one mark per vendor, day and direction, so a report over a million rows and many vendors
    stays fast and small; a shared mark's tooltip gives the count and total.  Without matcher
    columns there are none, and the timelines show the flags alone.
    """
    wanted = set(vendors)
    out: dict[str, list] = {v: [] for v in wanted}
    if transactions is None or transactions.empty or "match_vendor" not in transactions.columns:
        return out
    vendor = transactions["match_vendor"].fillna("").astype(str)
    rows = transactions.loc[vendor.isin(wanted)]
    rows = rows.loc[~_row_keys(rows).isin({_flag_key(f) for f in flags})]
    if rows.empty:
        return out
    frame = pd.DataFrame({
        "vendor": vendor.loc[rows.index],
        "day": pd.to_datetime(rows["date"]).dt.normalize(),
        "credit": rows["amount_cents"] > 0,
        "cents": rows["amount_cents"].astype("int64").abs(),
        "currency": rows["currency"].astype(str),
        "description": rows["description"].astype(str),
    })
    agg = frame.groupby(["vendor", "day", "credit"], sort=True).agg(
        n=("cents", "size"), cents=("cents", "sum"), currency=("currency", "first"),
        description=("description", "first"),
    )
    columns = (agg["n"].tolist(), agg["cents"].tolist(), agg["currency"].tolist(), agg["description"].tolist())
    for (name, day, credit), n, cents, currency, description in zip(agg.index, *columns):
        out[name].append(_day_mark(day.date(), bool(credit), int(n), int(cents), currency, description))
    return out


def _flag_marks(flags: Iterable[tuple[int, Flag]], refundable: Iterable[Flag]) -> list[_Mark]:
    marks = []
    for f in refundable:
        text = f"{f.date.isoformat()} · {format_money(-f.amount, f.currency)} charged · {f.description} · {f.status}"
        marks.append(_Mark(f.date, "refundable" if f.status == "refundable" else "settled", text))
    for number, f in flags:
        partly = f.status == "flagged" and f.refunded_amount is not None
        state = f.status + (f" ({refund_note(f)})" if partly else "") + (f", reviewed {f.review}" if f.review else "")
        kind = "flag" if f.outstanding else "settled"
        text = f"#{number} {f.date.isoformat()} · {format_money(-f.amount, f.currency)} charged · {f.description} · {state}"
        marks.append(_Mark(f.date, kind, text, number))
    return marks


def _domain(days: list[date]) -> tuple[date, date]:
    lo, hi = min(days), max(days)
    pad = max(6, (hi - lo).days * 4 // 100)
    return lo - timedelta(days=pad), hi + timedelta(days=pad)


def _scale(lo: date, hi: date):
    span = max((hi - lo).days, 1)
    return lambda d: round(X0 + (X1 - X0) * (d - lo).days / span, 1)


def _ticks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Month ticks spaced so labels never collide; January is labelled with its year."""
    span = max((hi - lo).days, 1)
    step = next((n for n in (1, 2, 3, 6) if (X1 - X0) * n * 30.4 / span >= 56), 12)
    y, m = lo.year, lo.month
    out: list[tuple[date, str]] = []
    while (y, m) <= (hi.year, hi.month):
        d = date(y, m, 1)
        if d >= lo and (m - 1) % step == 0:
            label = str(y) if m == 1 or step == 12 else MONTHS[m - 1] + ("" if out else f" {y}")
            out.append((d, label))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _vline(x: float, label: str, cls: str, row: int) -> list[str]:
    # Right of the line unless the label would run off the chart (about 6.5 px per character).
    anchor = "start" if x + 4 + 6.5 * len(label) <= WIDTH - 2 else "end"
    dx = -4 if anchor == "end" else 4
    return [
        f'<line class="{cls}" x1="{x}" y1="{LABEL_ROWS[row] + 2}" x2="{x}" y2="{Y_AXIS}"/>',
        f'<text class="vlabel {cls}" x="{round(x + dx, 1)}" y="{LABEL_ROWS[row]}" text-anchor="{anchor}">{_x(label)}</text>',
    ]


def _mark_svg(m: _Mark, x: float, label_y: float | None) -> list[str]:
    title = f"<title>{_x(m.title)}</title>"
    if m.kind == "credit":
        y = Y_CREDIT
        pts = f"{x},{y - 6} {round(x - 6, 1)},{y + 5} {round(x + 6, 1)},{y + 5}"
        return [f'<polygon class="m-credit" points="{pts}">{title}</polygon>']
    radius = {"charge": 4, "refundable": 5}.get(m.kind, 6)
    out = [f'<circle class="m-{m.kind}" cx="{x}" cy="{Y_CHARGE}" r="{radius}">{title}</circle>']
    if m.number is not None and label_y is not None:
        out.append(f'<text class="num" x="{x}" y="{label_y}" text-anchor="middle">{m.number}</text>')
    return out


class _Labels:
    """Places flag numbers on two rows above the marks; a number that fits on neither is left out
    (dense charges), since the table lists every flag anyway."""

    ROWS = (Y_CHARGE - 11, Y_CHARGE - 24)

    def __init__(self) -> None:
        self.last = [-1e9, -1e9]

    def place(self, x: float, number: int) -> float | None:
        half = 3.5 * len(str(number)) + 2
        for row, y in enumerate(self.ROWS):
            if x - half >= self.last[row]:
                self.last[row] = x + half
                return y
        return None


def _axis(lo: date, hi: date, sx) -> list[str]:
    out = [f'<line class="axis" x1="{X0}" y1="{Y_AXIS}" x2="{X1}" y2="{Y_AXIS}"/>']
    if (hi - lo).days <= 200:  # short spans: unlabelled mid-month ticks help read the dates
        for d, _ in _ticks(lo - timedelta(days=31), hi):
            mid = d.replace(day=15)
            if lo <= mid <= hi:
                x = sx(mid)
                out.append(f'<line class="tick" x1="{x}" y1="{Y_AXIS}" x2="{x}" y2="{Y_AXIS + 3}"/>')
    for d, label in _ticks(lo, hi):
        x = sx(d)
        out.append(f'<line class="tick" x1="{x}" y1="{Y_AXIS}" x2="{x}" y2="{Y_AXIS + 5}"/>')
        out.append(f'<text class="tlabel" x="{x}" y="{Y_AXIS + 18}" text-anchor="middle">{label}</text>')
    return out


def _cancel_lines(canc: Cancellation | None, sx) -> list[str]:
    if canc is None:
        return []
    shade_from = sx(canc.charges_expected_until)
    out = [f'<rect class="after" x="{shade_from}" y="{Y_TOP}" width="{round(X1 - shade_from, 1)}" '
           f'height="{Y_AXIS - Y_TOP}"/>']
    out += _vline(sx(canc.cancelled_on), f"cancelled {canc.cancelled_on.isoformat()}", "cancel", 0)
    if canc.paid_through is not None:
        out += _vline(sx(canc.paid_through), f"paid through {canc.paid_through.isoformat()}", "paid", 1)
    return out


def timeline_svg(
    index: int,
    vendor: str,
    cancellation: Cancellation | None,
    flags: list[Flag],
    refundable: list[Flag],
    other: list,
) -> Markup:
    """One vendor's timeline as inline SVG.

    ``flags`` in table order (numbered from 1), ``other`` the vendor's other transactions from
    :func:`transaction_marks`.
    """
    marks = list(other) + _flag_marks(list(enumerate(flags, start=1)), refundable)
    days = [m.day for m in marks]
    if cancellation is not None:
        days += [cancellation.cancelled_on, cancellation.charges_expected_until]
    if not days:
        return Markup("")
    lo, hi = _domain(days)
    sx = _scale(lo, hi)
    order = {"charge": 0, "credit": 1, "refundable": 2, "settled": 3, "flag": 4}
    body = _cancel_lines(cancellation, sx) + _axis(lo, hi, sx)
    labels = _Labels()
    for m in sorted(marks, key=lambda m: (order[m.kind], m.day, m.number or 0, m.title)):
        x = sx(m.day)
        body += _mark_svg(m, x, labels.place(x, m.number) if m.number is not None else None)
    label = f"Timeline of {vendor}: {len(flags)} flagged charge(s) among {sum(m.count for m in marks)} transaction(s)"
    head = (
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="tl{index}">'
        f'<title id="tl{index}">{_x(label)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def legend_svg() -> Markup:
    """A small legend explaining the timeline marks (shown once above the vendor charts)."""
    items = [
        ('<circle class="m-charge" cx="8" cy="10" r="4"/>', "charge"),
        ('<circle class="m-flag" cx="8" cy="10" r="6"/>', "flagged charge"),
        ('<circle class="m-settled" cx="8" cy="10" r="6"/>', "refunded or reviewed"),
        ('<circle class="m-refundable" cx="8" cy="10" r="5"/>', "refundable (before cancellation)"),
        ('<polygon class="m-credit" points="8,4 2,15 14,15"/>', "credit / refund"),
        ('<line class="cancel" x1="8" y1="1" x2="8" y2="19"/>', "cancelled"),
        ('<line class="paid" x1="8" y1="1" x2="8" y2="19"/>', "paid through"),
        ('<rect class="after" x="1" y="3" width="14" height="14"/>', "charges here are flagged"),
    ]
    parts, x = [], 0
    for shape, text in items:
        parts.append(f'<g transform="translate({x},0)">{shape}<text class="tlabel" x="20" y="14">{text}</text></g>')
        x += 26 + 6 * len(text)
    return Markup(
        f'<svg class="legend" viewBox="0 0 {x} 20" role="img" '
        f'aria-label="Legend">{"".join(parts)}</svg>'
    )
