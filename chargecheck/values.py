"""Parse the dates and amounts statements print, column at a time (shared by CSV and QIF).

Input: text cells exactly as a file holds them.  Output: ``datetime64[s]`` dates (the
calendar day as printed, never shifted to UTC) and nullable ``Int64`` cents.  A cell that is
not a date or an amount becomes ``NaT``/``<NA>`` so the importer can skip its row *with a
reason*; nothing here raises on odd input.

Why our own code rather than ``pd.to_datetime(format="mixed")`` or dateutil: those silently mix
day-first and month-first readings inside one column (``01/02`` → 2 Jan, ``13/02`` → 13 Feb).
Here one strptime format is chosen for the whole column and every value must fit it.  All
parsing works on the column's *unique* values and maps back, so a million rows with a few
thousand distinct dates cost a few thousand parses.

Date-order rules (:func:`infer_date_format`): only formats that parse every non-empty value are
candidates, so a value above 12 in a field settles the order by itself.  Among the remaining
candidates: the caller's ``prefer_day_first``; then row-order monotonicity (statements are sorted,
oldest or newest first); then the smallest span of days; then a locale hint
(``locale_day_first``, e.g. a decimal comma); then month-first, the US default.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "DATE_FORMATS",
    "date_format_candidates",
    "infer_date_format",
    "normalize_date_text",
    "parse_dates",
    "parse_amounts",
    "infer_decimal_mark",
    "day_first",
]


def _numeric_formats() -> list[str]:
    """Every order of day, month and year with each separator banks use (ISO order first)."""
    # Year-first is always year-month-day (nobody prints yyyy-dd-mm, and allowing it would
    # let the "smallest span" tie-break misread ISO dates); the year-in-the-middle orders exist
    # in hand-made exports (hledger's ``10/2009/09``).
    orders = [("Y", "m", "d"), ("m", "d", "Y"), ("d", "m", "Y"), ("d", "Y", "m"), ("m", "Y", "d")]
    formats = []
    for sep in ("-", "/", ".", " "):
        for order in orders:
            formats.append(sep.join(f"%{part}" for part in order))
        # 2-digit years only where the year comes last (`22.02.18`, `3/27/25`): a 2-digit
        # year first or in the middle is indistinguishable from a day.
        formats += [f"%m{sep}%d{sep}%y", f"%d{sep}%m{sep}%y"]
    formats += ["%Y.%m.%d.", "%d.%m.%Y.", "%Y%m%d"]
    return formats


_TEXT_MONTH_FORMATS = [
    "%d %b %Y", "%d %b %y", "%d-%b-%Y", "%d-%b-%y", "%d/%b/%Y", "%d/%b/%y", "%d.%b.%Y",
    "%b %d %Y", "%b %d, %Y", "%b-%d-%Y", "%Y-%b-%d", "%d %B %Y", "%B %d %Y", "%B %d, %Y",
    "%d %b, %Y", "%d-%B-%Y",
]
DATE_FORMATS: tuple[str, ...] = tuple(_numeric_formats() + _TEXT_MONTH_FORMATS)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%z", "%Z", "%f", "%T", "%R")
_MIN_YEAR, _MAX_YEAR = 1900, 2200

# A time (and zone) printed after the date, or a weekday before/after it: not part of the day.
_TIME_TAIL = re.compile(
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?)"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|\[[^\]]*\]|[A-Z]{2,5})?$"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?"
_WEEKDAY_TAIL = re.compile(r"[\s,]+" + _WEEKDAY + "$", re.IGNORECASE)
_WEEKDAY_HEAD = re.compile("^" + _WEEKDAY + r"[\s,]+", re.IGNORECASE)


def normalize_date_text(values: pd.Series) -> pd.Series:
    """Strip what surrounds the printed day: spaces, a time with its zone, a weekday name.

    ``2018-02-25 12:34:56 +0000`` → ``2018-02-25`` and ``06/01/2019  Sat`` → ``06/01/2019``:
    the statement's calendar day is the date part as printed, whatever zone follows it.
    """
    text = values.astype(str).str.strip()
    text = text.str.replace(_TIME_TAIL, "", regex=True)
    text = text.str.replace(_WEEKDAY_TAIL, "", regex=True)
    return text.str.replace(_WEEKDAY_HEAD, "", regex=True).str.strip()


def _has_time(fmt: str) -> bool:
    return any(directive in fmt for directive in _TIME_DIRECTIVES)


def _parse_unique(unique: pd.Series, fmt: str) -> pd.Series:
    """Parse distinct strings with one format; NaT where it fails or the year is implausible."""
    source = unique if _has_time(fmt) else normalize_date_text(unique)
    parsed = pd.to_datetime(source, format=fmt, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # keep the wall-clock time the bank printed
    parsed = parsed.dt.normalize()
    plausible = parsed.dt.year.between(_MIN_YEAR, _MAX_YEAR)
    return parsed.where(plausible).astype("datetime64[s]")


def _distinct_nonempty(values: Iterable[str]) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.dropna().astype(str).str.strip()
    series = series[series != ""]
    return pd.Series(pd.unique(series), dtype=object)


def date_format_candidates(values: Iterable[str]) -> list[str]:
    """Every known strptime format that parses ALL non-empty values (empty list if none does).

    Tried on a few values first, then on all distinct values, so a column costs
    ``formats × distinct values`` parses at worst.
    """
    unique = _distinct_nonempty(values)
    if unique.empty:
        return []
    probe = unique.iloc[:20]
    survivors = [fmt for fmt in DATE_FORMATS if _parse_unique(probe, fmt).notna().all()]
    if len(unique) > len(probe):
        survivors = [fmt for fmt in survivors if _parse_unique(unique, fmt).notna().all()]
    return survivors


def day_first(fmt: str) -> bool:
    """True when a format puts the day before the month (``%d/%m/%Y``)."""
    day, month = fmt.find("%d"), max(fmt.find("%m"), fmt.find("%b"), fmt.find("%B"))
    return 0 <= day < month


def _order_scores(values: pd.Series, formats: list[str]) -> dict[str, tuple[int, int]]:
    """Per format: (0 if the column is sorted in row order else 1, span in days)."""
    codes, unique = pd.factorize(values)
    unique = pd.Series(unique, dtype=object)
    scores = {}
    for fmt in formats:
        days = _parse_unique(unique, fmt).to_numpy().astype("datetime64[D]").astype("int64")
        series = days[codes[codes >= 0]]
        steps = np.diff(series)
        sorted_ = bool((steps >= 0).all() or (steps <= 0).all())
        scores[fmt] = (0 if sorted_ else 1, int(series.max() - series.min()) if len(series) else 0)
    return scores


def infer_date_format(
    values: Iterable[str],
    prefer_day_first: bool | None = None,
    *,
    locale_day_first: bool | None = None,
) -> str | None:
    """Choose the one strptime format for a date column, or None when no format fits all values.

    Never mixes orders: the format must parse every non-empty value.  Ties between day-first
    and month-first readings are broken as the module docstring says (``prefer_day_first``,
    then row-order monotonicity, then smallest span, then ``locale_day_first``, then
    month-first).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.dropna().astype(str).str.strip()
    series = series[series != ""].reset_index(drop=True)
    candidates = date_format_candidates(series)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if prefer_day_first is not None:
        preferred = [fmt for fmt in candidates if day_first(fmt) == prefer_day_first]
        candidates = preferred or candidates
    scores = _order_scores(series, candidates)
    best = min(scores.values())
    candidates = [fmt for fmt in candidates if scores[fmt] == best]
    if locale_day_first is not None and len(candidates) > 1:
        preferred = [fmt for fmt in candidates if day_first(fmt) == locale_day_first]
        candidates = preferred or candidates
    month_first = [fmt for fmt in candidates if not day_first(fmt)]
    return (month_first or candidates)[0]


def parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Parse a date column with one format into ``datetime64[s]`` (NaT where a value fails).

    Without time directives in ``fmt`` the time/zone/weekday around the day is ignored; with
    them, a zoned time is kept as the wall-clock time printed and then cut to the day.
    """
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = _parse_unique(pd.Series(unique, dtype=object), fmt).to_numpy()
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    mask = codes >= 0
    out[mask] = parsed[codes[mask]]
    return pd.Series(out, index=values.index, dtype="datetime64[s]")


# ---------------------------------------------------------------------------------------- amounts

_SYMBOLS = "$£€¥₹₽₩₪₺₴₦₱₫฿¢₡₲₵₸₼₾"
_CURRENCY = rf"(?:[^\W\d_]{{1,4}}\.?)?\s*[{_SYMBOLS}]?"
_AMOUNT = re.compile(
    rf"^(?P<s1>[+-]?)\s*{_CURRENCY}\s*(?P<s2>[+-]?)\s*"
    r"(?P<num>\d[\d.,' ]*\d|\d|[.,]\d+)"
    rf"\s*(?P<s3>-?)\s*{_CURRENCY}\s*(?P<s4>-?)$"
)
_CRDR = re.compile(r"(?i)(?<![^\W\d_])(CR|DR)\.?$")
_PARENS = re.compile(r"^\((.*)\)$")
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "\u2013": "-", "\ufe63": "-"}
# A number with the decimal mark normalised to "." and no thousands separators left.
_PLAIN = re.compile(r"^(?P<int>\d*)(?:\.(?P<frac>\d*))?$")


def _number_part(values: pd.Series) -> pd.Series:
    """The digits-and-separators core of each amount text (NaN where there is none)."""
    text = values.astype(str).str.strip()
    for char, repl in _SPACES.items():
        text = text.str.replace(char, repl, regex=False)
    text = text.str.replace(_PARENS, r"\1", regex=True).str.replace(_CRDR, "", regex=True)
    return text.str.strip().str.extract(_AMOUNT)["num"]


def infer_decimal_mark(values: Iterable[str]) -> str:
    """The decimal mark of an amount column, ``"."`` or ``","``, from all its values.

    Evidence, strongest first: both marks in one value (the last is decimal); one mark repeated
    (thousands); one mark followed by other than 3 digits (decimal).  A column with only
    ``1.000``-like values is undecidable and reads as ``"."``.
    """
    unique = _distinct_nonempty(values)
    if unique.empty:
        return "."
    nums = _number_part(unique).dropna().str.replace(r"[' ]", "", regex=True)
    votes = {".": 0, ",": 0}
    for mark, other in ((".", ","), (",", ".")):
        last_is_mark = nums.str.contains(re.escape(other)) & nums.str.contains(
            re.escape(mark) + r"\d*$"
        )
        votes[mark] += int(last_is_mark.sum()) * 10
        votes[other] += int((nums.str.count(re.escape(mark)) > 1).sum()) * 10
        single = (nums.str.count(re.escape(mark)) == 1) & ~nums.str.contains(re.escape(other))
        not_thousands = ~nums.str.contains(re.escape(mark) + r"\d{3}$")
        votes[mark] += int((single & not_thousands).sum())
    return "," if votes[","] > votes["."] else "."


def parse_amounts(values: pd.Series, decimal: str | None = None) -> pd.Series:
    """Parse amount cells to nullable ``Int64`` cents (``<NA>`` where a cell is not an amount).

    Reads ``$1,234.56``, ``(1,234.56)``, ``12.00 CR``/``DR``, ``12.00-``, ``−12.00``,
    ``1.234,56 €``, ``+ £1,100.00``, ``-0`` and whole numbers.  ``decimal`` is the mark (``"."``
    or ``","``), inferred from the whole column when None.  Sub-cent values (``1.234`` with a
    ``.`` mark) are refused, not rounded, unless the extra digits are zeros.
    """
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=True)
    unique = pd.Series(unique, dtype=object).astype(str)
    if decimal is None:
        decimal = infer_decimal_mark(unique)
    cents = _parse_unique_amounts(unique, decimal).to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(len(values), np.nan)
    mask = codes >= 0
    out[mask] = cents[codes[mask]]
    return pd.Series(out, index=values.index).astype("Int64")


def _parse_unique_amounts(unique: pd.Series, decimal: str) -> pd.Series:
    """Vectorised core of :func:`parse_amounts` on distinct strings."""
    text = unique.str.strip()
    for char, repl in _SPACES.items():
        text = text.str.replace(char, repl, regex=False)
    parens = text.str.match(_PARENS)
    text = text.str.replace(_PARENS, r"\1", regex=True).str.strip()
    crdr = text.str.extract(_CRDR)[0].str.upper()
    text = text.str.replace(_CRDR, "", regex=True).str.strip()
    parts = text.str.extract(_AMOUNT)
    signs = parts[["s1", "s2", "s3", "s4"]].fillna("")
    minus = (signs == "-").sum(axis=1)
    plus = (signs == "+").sum(axis=1)
    negative = (minus == 1) | parens | (crdr == "DR")
    valid = parts["num"].notna() & (minus + plus <= 1) & ~(parens & (minus > 0))
    number = _normalise_number(parts["num"].fillna(""), decimal)
    split = number.str.extract(_PLAIN)
    frac = split["frac"].fillna("").str.rstrip("0")
    valid &= split["int"].notna() & (frac.str.len() <= 2)
    valid &= (split["int"].fillna("") + frac) != ""
    whole = pd.to_numeric(split["int"].where(valid).replace("", "0"), errors="coerce")
    fraction = pd.to_numeric(frac.where(valid).str.ljust(2, "0"), errors="coerce")
    cents = whole * 100 + fraction
    cents = cents.where(~negative, -cents)
    return cents.where(valid & (whole.abs() < 10**15))


def _normalise_number(num: pd.Series, decimal: str) -> pd.Series:
    """Drop valid thousands grouping and make ``.`` the decimal mark; garble the invalid."""
    thousands = "," if decimal == "." else "."
    compact = num.str.replace(r"[' ](?=\d{3}(?:\D|$))", "", regex=True)
    t, d = re.escape(thousands), re.escape(decimal)
    grouped = compact.str.fullmatch(rf"\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d*)?")
    plain = compact.str.fullmatch(rf"\d*(?:{d}\d*)?")
    result = compact.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    return result.where(grouped | plain, "x")
