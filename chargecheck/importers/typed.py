"""What people type and what a description names: amounts typed by hand, periods and days in text.

Input: a string a person typed (``--amount 10,99``, ``amount = "1.234,56"``) or a transaction's
description.  Output: a Decimal (or a ValueError saying why there is no single reading), and
the (year, month) periods and calendar days a text names, which tell a credit's charge.  No
pandas here: these run on single strings.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .values import month_of

__all__ = ["typed_amount", "months_named", "dates_named"]

# ---------------------------------------------------------------------------- what a text names

_NAMED_MONTH_NUMBER = re.compile(r"(?<![\d/.-])(0?[1-9]|1[0-2])\s?[/.-]\s?(20\d\d)(?!\d)")
_NAMED_ISO_MONTH = re.compile(r"(?<!\d)(20\d\d)-(0[1-9]|1[0-2])(?!\d)")
_NAMED_WORD_MONTH = re.compile(r"([^\W\d_]{3,12})\.?\s{0,3}(20\d\d)(?!\d)")
_NAMED_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](20\d\d)(?!\d)")
_NAMED_ISO_DAY = re.compile(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)(?!\d)")


def months_named(text: str) -> set[tuple[int, int]]:
    """The (year, month) periods a text names: ``05/2026``, ``05.2026``, ``2026-05``, ``MAI 2026``,
    ``May 2026`` (month names in the languages :func:`~chargecheck.importers.values.parse_dates` reads).

    A credit that says which period it returns (``Rueckgabe Lastschrift … 05/2026``) names its
    charge by this; a full date (``03.05.2026``) is a day, for :func:`dates_named`, not a period.
    """
    found = {(int(year), int(month)) for month, year in _NAMED_MONTH_NUMBER.findall(text)}
    found |= {(int(year), int(month)) for year, month in _NAMED_ISO_MONTH.findall(text)}
    for word, year in _NAMED_WORD_MONTH.findall(text):
        month = month_of(word)
        if month is not None:
            found.add((int(year), month))
    return found


def dates_named(text: str) -> set[date]:
    """The calendar days a text prints (``03.05.2026``, ``03/05/2026`` read both ways, ``2026-05-03``)."""
    days = set()
    candidates = [(y, m, d) for d, m, y in _NAMED_DAY_FIRST.findall(text)]
    candidates += [(y, d, m) for d, m, y in _NAMED_DAY_FIRST.findall(text)]  # month first
    candidates += _NAMED_ISO_DAY.findall(text)
    for year, month, day in candidates:
        try:
            days.add(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return days


# ------------------------------------------------------------------------ amounts people type

_TYPED = re.compile(r"([+-]?)(\d[\d.,]*|[.,]\d+)")


def typed_amount(text: str) -> Decimal:
    """An amount as a person types it (``--amount 10,99``, ``amount = "1.234,56"``) → Decimal.

    Accepted where only one reading exists: ``10.99`` and ``10,99``; ``1.234,56`` and
    ``1,234.56`` (the last mark is the decimal one, the other groups thousands); ``1,234,567``
    (a repeated mark groups thousands); spaces and apostrophes between thousands.  A single
    mark followed by exactly three digits (``1,234``, ``1.234``) reads as a thousand in one
    country and as a fraction in another: refused with a ValueError saying how to write it.
    """
    raw = str(text)
    compact = re.sub(r"(?<=\d)[\s\u00a0\u202f'’](?=\d{3}(?!\d))", "", raw.strip())
    match = _TYPED.fullmatch(compact)
    if match is None:
        raise ValueError(f'expected an amount like "59.99" or "59,99", found "{raw}"')
    sign, number = match.groups()
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        decimal_mark = "." if number.rfind(".") > number.rfind(",") else ","
    elif dots > 1 or commas > 1:
        decimal_mark = "," if dots > 1 else "."  # the repeated mark groups thousands
    elif dots or commas:
        mark = "." if dots else ","
        if re.fullmatch(rf"\d{{1,3}}\{mark}\d{{3}}", number):
            whole_number = number.replace(mark, "")
            raise ValueError(f'"{raw}" is ambiguous: {whole_number} with "{mark}" grouping thousands, or '
                             f'{number.replace(mark, ".")} with a decimal "{mark}"; write "{whole_number}" or '
                             f'"{whole_number}{mark}00" (two decimals)')
        decimal_mark = mark
    else:
        decimal_mark = "."
    grouping = "," if decimal_mark == "." else "."
    whole, _, fraction = number.partition(decimal_mark)
    if grouping in whole and not re.fullmatch(rf"\d{{1,3}}(?:\{grouping}\d{{3}})+", whole):
        raise ValueError(f'expected thousands grouped in threes (1,234,567.89), found "{raw}"')
    if decimal_mark in fraction or grouping in fraction:
        raise ValueError(f'expected one decimal mark, found "{raw}"')
    value = Decimal((whole.replace(grouping, "") or "0") + "." + (fraction or "0"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f'expected at most two decimals, found "{raw}"')
    return -value if sign == "-" else value
