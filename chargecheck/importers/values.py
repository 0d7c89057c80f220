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
(``locale_day_first``, e.g. a decimal comma); then month-first, the US default (day-first for
dotted dates such as ``01.03.2026``, which no country prints month-first).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "DATE_FORMATS",
    "date_format_candidates",
    "infer_date_format",
    "infer_date_format_factorized",
    "normalize_date_text",
    "parse_dates",
    "parse_amounts",
    "infer_decimal_mark",
    "day_first",
    "looks_like_amount",
    "month_of",
    "shown",
    "MAX_AMOUNT_CHARS",
    "MAX_DATE_CHARS",
]


def shown(value: object, limit: int = 60) -> str:
    """``repr`` of a cell for a skip reason, cut to ``limit`` characters with its full length.

    A hostile cell can be a megabyte long; the reason names it without carrying it all.
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


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
    "%d %b, %Y", "%d-%B-%Y", "%d. %b %Y", "%d. %B %Y",
]
DATE_FORMATS: tuple[str, ...] = tuple(_numeric_formats() + _TEXT_MONTH_FORMATS)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%z", "%Z", "%f", "%T", "%R")
_MIN_YEAR, _MAX_YEAR = 1900, 2200

# A time (and zone) printed after the date, or a weekday before/after it: not part of the day.
# Runs of separators start only where the run starts (the lookbehind) and never give characters
# back (possessive): searched at every position, ``[\s,]+`` on a date followed by 40,000 commas
# was quadratic.
_TIME_TAIL = re.compile(
    r"(?:(?<![T\s])[T\s]++\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*+(?:[AaPp]\.?[Mm]\.?)?)"
    r"\s*+(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|\[[^\]]*+\]|[A-Z]{2,5})?$"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?"
_WEEKDAY_TAIL = re.compile(r"(?<![\s,])[\s,]++" + _WEEKDAY + "$", re.IGNORECASE)
# Longer cells are not dates (``Wednesday, 01 September 2026 12:34:56 +0000`` is 43).
MAX_DATE_CHARS = 64
_WEEKDAY_HEAD = re.compile("^" + _WEEKDAY + r"[\s,]+", re.IGNORECASE)


# Month names and abbreviations in the languages of European exports, accents folded, to the
# English abbreviation strptime knows (``1. März 2026``, ``01-mars-2026``, ``3 mei 2026``).
_MONTHS = {
    "Jan": "JANUAR JANV JANVIER JANUARI ENE ENERO GEN GENNAIO JANEIRO STY",
    "Feb": "FEBRUAR FEV FEVR FEVRIER FEBRUARI FEBRERO FEBBRAIO FEVEREIRO LUT",
    "Mar": "MARZ MAERZ MRZ MARS MRT MAART MARZO MARCO MART",
    "Apr": "AVR AVRIL ABR ABRIL APRILE KWI",
    "May": "MAI MEI MAYO MAG MAGGIO MAIO MAJ",
    "Jun": "JUNI JUIN JUNIO GIU GIUGNO JUNHO CZE",
    "Jul": "JULI JUIL JUILLET JULIO LUG LUGLIO JULHO LIP",
    "Aug": "AOUT AGO AGOSTO SIE",
    "Sep": "SEPT SEPTEMBRE SEPTIEMBRE SET SETTEMBRE SETEMBRO WRZ",
    "Oct": "OKT OKTOBER OCTOBRE OCT OCTUBRE OTT OTTOBRE OUT OUTUBRO PAZ",
    "Nov": "NOVEMBRE NOVIEMBRE NOVEMBRO LIS",
    "Dec": "DEZ DEZEMBER DECEMBRE DIC DICIEMBRE DICEMBRE DEZEMBRO GRU",
}
_MONTH_WORDS = {word: english for english, words in _MONTHS.items() for word in words.split() + [english.upper()]}
_LETTERS = re.compile(r"[^\W\d_]{3,}\.?")


def _english_month(match: re.Match) -> str:
    word = match.group().rstrip(".")
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().upper()
    english = _MONTH_WORDS.get(folded)
    return english if english is not None else match.group()


def _date_part(text: str) -> str:
    """The day as printed, without time, zone or weekday; ``""`` for a cell too long to be a date."""
    text = text.strip()
    if len(text) > MAX_DATE_CHARS:
        return ""
    text = _TIME_TAIL.sub("", text)
    text = _WEEKDAY_HEAD.sub("", _WEEKDAY_TAIL.sub("", text)).strip()
    if not text.isdigit() and _LETTERS.search(text):  # a month written out, maybe not in English
        text = _LETTERS.sub(_english_month, text)
    return text


def normalize_date_text(values: pd.Series) -> pd.Series:
    """Strip what surrounds the printed day: spaces, a time with its zone, a weekday name.

    ``2018-02-25 12:34:56 +0000`` → ``2018-02-25`` and ``06/01/2019  Sat`` → ``06/01/2019``:
    the statement's calendar day is the date part as printed, whatever zone follows it.
    """
    return pd.Series([_date_part(str(v)) for v in values], index=values.index, dtype=object)


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
    """Distinct stripped non-empty strings, in first-seen order (deduplicated before stripping)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    unique = pd.unique(series.dropna().astype(object))
    stripped = dict.fromkeys(str(value).strip() for value in unique)
    stripped.pop("", None)
    return pd.Series(list(stripped), dtype=object)


def date_format_candidates(values: Iterable[str]) -> list[str]:
    """Every known strptime format that parses ALL non-empty values (empty list if none does).

    Tried on a few values first, then on all distinct values, so a column costs
    ``formats × distinct values`` parses at worst.
    """
    unique = _distinct_nonempty(values)
    if unique.empty:
        return []
    probe = [_date_part(value) for value in unique.iloc[:20]]
    survivors = [fmt for fmt in DATE_FORMATS if all(_strptime_ok(value, fmt) for value in probe)]
    return [fmt for fmt in survivors if _parse_unique(unique, fmt).notna().all()]


def _strptime_ok(value: str, fmt: str) -> bool:
    """Cheap pre-check with the stdlib (the pandas parse that follows is the real test)."""
    try:
        return _MIN_YEAR <= datetime.strptime(value, fmt).year <= _MAX_YEAR
    except ValueError:
        return False


def day_first(fmt: str) -> bool:
    """True when a format puts the day before the month (``%d/%m/%Y``)."""
    day, month = fmt.find("%d"), max(fmt.find("%m"), fmt.find("%b"), fmt.find("%B"))
    return 0 <= day < month


def _order_scores(codes: np.ndarray, unique: pd.Series, formats: list[str]) -> dict[str, tuple[int, int]]:
    """Per format: (0 if the column is sorted in row order else 1, span in days)."""
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
    codes, unique = pd.factorize(series.astype(object), use_na_sentinel=True)
    return infer_date_format_factorized(codes, unique, prefer_day_first, locale_day_first=locale_day_first)


def infer_date_format_factorized(
    codes: np.ndarray,
    unique,
    prefer_day_first: bool | None = None,
    *,
    locale_day_first: bool | None = None,
) -> str | None:
    """:func:`infer_date_format` for a column already factorized (an importer has the codes).

    ``codes`` are the rows in order (``-1`` for a missing value) and ``unique`` the distinct
    values they index, every one of them used by some row.
    """
    stripped = pd.Series([str(value).strip() for value in unique], dtype=object)
    codes = codes[(codes >= 0)]
    codes = codes[(stripped.to_numpy()[codes] != "")] if len(codes) else codes
    candidates = date_format_candidates(stripped)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if prefer_day_first is not None:
        preferred = [fmt for fmt in candidates if day_first(fmt) == prefer_day_first]
        candidates = preferred or candidates
    scores = _order_scores(codes, stripped, candidates)
    best = min(scores.values())
    candidates = [fmt for fmt in candidates if scores[fmt] == best]
    if locale_day_first is not None and len(candidates) > 1:
        preferred = [fmt for fmt in candidates if day_first(fmt) == locale_day_first]
        candidates = preferred or candidates
    # Last resort: month-first (the US default), except dotted dates, which are day-first
    # wherever they are printed (DE, CZ, HU, …).
    default = [fmt for fmt in candidates if day_first(fmt) == ("." in fmt)]
    return (default or candidates)[0]


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
# Every run of spaces is possessive (``\s*+``): no other part of the pattern can match a space,
# so giving one back never helps, and without it ``-9.99`` + 300 spaces + ``?`` backtracked ~n^4.
_CURRENCY = rf"(?:[^\W\d_]{{1,4}}\.?)?\s*+[{_SYMBOLS}]?"
_AMOUNT = re.compile(
    rf"^(?P<s1>[+-]?)\s*+{_CURRENCY}\s*+(?P<s2>[+-]?)\s*+"
    r"(?P<num>\d[\d.,' ]*\d|\d|[.,]\d+)"
    rf"\s*+(?P<s3>-?)\s*+{_CURRENCY}\s*+(?P<s4>-?)$"
)
# Longer cells are not amounts (the longest real one, ``-1.234.567.890,12 EUR CR``, is 25).
MAX_AMOUNT_CHARS = 64
# Characters that are numbers but not decimal digits (superscripts ``²``, fractions ``½``,
# circled digits): ``[^\W\d_]`` takes them for currency letters, so ``-9.9²`` read as -9.90.
# A cell holding one is refused instead.


def _has_odd_numerals(text: str) -> bool:
    """True when the text holds a numeric character that is not a decimal digit (``²``, ``½``)."""
    return not text.isascii() and any(ch.isnumeric() and not ch.isdecimal() for ch in text)
_CRDR = re.compile(r"(?i)(?<![^\W\d_])(CR|DR)\.?$")
_PARENS = re.compile(r"^\((.*)\)$")
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "\u2013": "-", "\ufe63": "-"}


_GROUPED = {
    ".": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d*(?:\.\d*)?"),
    ",": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?|\d*(?:,\d*)?"),
}
_SPACE_GROUPS = re.compile(r"[' ](?=\d{3}(?:\D|$))")
_SPACE_TABLE = str.maketrans(_SPACES)


def _split_amount(text: str) -> tuple[str, bool, str | None] | None:
    """``(number text, negative, CR/DR mark)`` of one amount cell, or None if it is not one."""
    text = text.strip().translate(_SPACE_TABLE)
    if _has_odd_numerals(text):
        return None
    parens = _PARENS.match(text)
    if parens:
        text = parens.group(1).strip()
    crdr = _CRDR.search(text)
    if crdr:
        text = text[: crdr.start()].strip()
    parts = _AMOUNT.match(text)
    if parts is None:
        return None
    signs = [parts.group(k) for k in ("s1", "s2", "s3", "s4") if parts.group(k)]
    if len(signs) > 1 or (parens and signs):
        return None
    mark = crdr.group(1).upper() if crdr else None
    negative = bool(parens) or signs == ["-"] or mark == "DR"
    return parts.group("num"), negative, mark


_PLAIN = {".": re.compile(r"(-?)(\d{1,13})(?:\.(\d\d?))?"), ",": re.compile(r"(-?)(\d{1,13})(?:,(\d\d?))?")}


def _amount_cents(text: str, decimal: str) -> int | None:
    """One amount cell → integer cents, or None (not a number, bad grouping, sub-cent, over-long)."""
    if len(text) > MAX_AMOUNT_CHARS:
        return None
    plain = _PLAIN[decimal].fullmatch(text)
    if plain:  # the common case, e.g. ``-15.49``, without the general machinery
        cents = int(plain.group(2)) * 100 + int((plain.group(3) or "0").ljust(2, "0"))
        return -cents if plain.group(1) else cents
    split = _split_amount(text)
    if split is None:
        return None
    number, negative, _ = split
    number = _SPACE_GROUPS.sub("", number)
    if not _GROUPED[decimal].fullmatch(number):
        return None
    thousands = "," if decimal == "." else "."
    whole, _, frac = number.replace(thousands, "").partition(decimal)
    frac = frac.rstrip("0")
    if len(frac) > 2 or not (whole or frac) or len(whole) > 15:
        return None
    cents = int(whole or "0") * 100 + int(frac.ljust(2, "0"))
    return -cents if negative else cents


def infer_decimal_mark(values: Iterable[str]) -> str:
    """The decimal mark of an amount column, ``"."`` or ``","``, from all its values.

    Evidence, strongest first: both marks in one value (the last is decimal); one mark repeated
    (thousands); one mark followed by other than 3 digits (decimal).  A column with only
    ``1.000``-like values is undecidable and reads as ``"."``.
    """
    votes = {".": 0, ",": 0}
    plain = _PLAIN["."]
    for value in _distinct_nonempty(values).head(5000):  # plenty of evidence, bounded cost
        simple = plain.fullmatch(value)
        if simple:  # the common ``-15.49`` / ``120``: a dot before 1-2 digits is a decimal dot
            votes["."] += simple.group(3) is not None
            continue
        split = _split_amount(value)
        if split is None:
            continue
        number = _SPACE_GROUPS.sub("", split[0])
        dots, commas = number.count("."), number.count(",")
        if dots and commas:
            votes["." if number.rfind(".") > number.rfind(",") else ","] += 10
        elif dots > 1 or commas > 1:
            votes["," if dots > 1 else "."] += 10
        elif dots or commas:
            mark = "." if dots else ","
            if not re.search(rf"\{mark}\d{{3}}$", number):
                votes[mark] += 1
    return "," if votes[","] > votes["."] else "."


def parse_amounts(values: pd.Series, decimal: str | None = None) -> pd.Series:
    """Parse amount cells to nullable ``Int64`` cents (``<NA>`` where a cell is not an amount).

    Reads ``$1,234.56``, ``(1,234.56)``, ``12.00 CR``/``DR``, ``12.00-``, ``−12.00``,
    ``1.234,56 €``, ``+ £1,100.00``, ``-0`` and whole numbers.  ``decimal`` is the mark (``"."``
    or ``","``), inferred from the whole column when None.  Sub-cent values (``1.234`` with a
    ``.`` mark) are refused, not rounded, unless the extra digits are zeros.  Each distinct
    cell is parsed once and mapped back (statements repeat the same amounts).
    """
    codes, unique = pd.factorize(values.astype(object), use_na_sentinel=True)
    unique = [str(value) for value in unique]
    if decimal is None:
        decimal = infer_decimal_mark(unique)
    parsed = pd.array([_amount_cents(value, decimal) for value in unique] + [None], dtype="Int64")
    return pd.Series(parsed.take(codes), index=values.index, dtype="Int64")


def looks_like_amount(text: str) -> bool:
    """True when one cell reads as an amount with either decimal mark (for sniffing rows)."""
    return _amount_cents(text, ".") is not None or _amount_cents(text, ",") is not None



def month_of(word: str) -> int | None:
    """The month (1-12) a month name or abbreviation names, in the languages parsed here (``MAI``, ``März``)."""
    folded = unicodedata.normalize("NFKD", word.rstrip(".")).encode("ascii", "ignore").decode().upper()
    english = _MONTH_WORDS.get(folded)
    return None if english is None else list(_MONTHS).index(english) + 1
