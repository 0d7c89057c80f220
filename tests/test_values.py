"""Tables for the shared date and amount parsers (chargecheck.importers.values)."""

from __future__ import annotations

import pandas as pd
import pytest

from chargecheck.importers.values import (
    date_format_candidates,
    infer_date_format,
    infer_decimal_mark,
    parse_amounts,
    parse_dates,
)

NA = None

AMOUNTS_DOT = [
    ("$1,234.56", 123456),
    ("(1,234.56)", -123456),
    ("($5.00)", -500),
    ("12.00 CR", 1200),
    ("12.00 cr", 1200),
    ("12.00 DR", -1200),
    ("12.00-", -1200),
    ("\u221212.00", -1200),
    ("+ £1,100.00", 110000),
    ("- $20.00", -2000),
    ("-$1,234.56", -123456),
    ("$-12.00", -1200),
    ("-0", 0),
    ("10", 1000),
    ("-10", -1000),
    (" 7.80 ", 780),
    ("£67.40", 6740),
    ("USD 5.00", 500),
    ("5.00 EUR", 500),
    ("US$3", 300),
    (".50", 50),
    ("0.5", 50),
    ("1.2300", 123),
    ("1,234,567.89", 123456789),
    ("-2680.89", -268089),
    ("1'234.50", 123450),
    # refused rather than guessed
    ("1.234", NA),
    ("1.235", NA),
    ("1,5", NA),
    ("1,23.45", NA),
    ("abc", NA),
    ("", NA),
    ("   ", NA),
    ("-", NA),
    ("--5", NA),
    ("+-5", NA),
    ("-0.0.66962", NA),
    ("(-5)", NA),
    ("Pending", NA),
    ("20.59 POUND STERLING", NA),
]

AMOUNTS_COMMA = [
    ("1.234,56 €", 123456),
    ("-36,99", -3699),
    ("\"-8,78\"".strip('"'), -878),
    ("4.626,81", 462681),
    ("+31070,11", 3107011),
    ("1 234,56", 123456),
    ("1\u00a0234,56", 123456),
    ("Kč 12,00", 1200),
    ("12,5", 1250),
    ("-3,40", -340),
    ("1300,00", 130000),
    ("1.234", 123400),
    ("1,234", NA),
    ("1,2,3", NA),
]


@pytest.mark.parametrize("text,cents", AMOUNTS_DOT, ids=[repr(t) for t, _ in AMOUNTS_DOT])
def test_parse_amounts_dot(text, cents):
    result = parse_amounts(pd.Series([text]), decimal=".")
    assert str(result.dtype) == "Int64"
    assert (None if pd.isna(result[0]) else int(result[0])) == cents


@pytest.mark.parametrize("text,cents", AMOUNTS_COMMA, ids=[repr(t) for t, _ in AMOUNTS_COMMA])
def test_parse_amounts_comma(text, cents):
    result = parse_amounts(pd.Series([text]), decimal=",")
    assert (None if pd.isna(result[0]) else int(result[0])) == cents


def test_parse_amounts_infers_the_mark_per_column_and_keeps_the_index():
    series = pd.Series(["49,37", "-1,78", "4.626,81", ""], index=[5, 6, 7, 8])
    result = parse_amounts(series)
    assert result.index.tolist() == [5, 6, 7, 8]
    assert result.tolist()[:3] == [4937, -178, 462681]
    assert pd.isna(result[8])


def test_parse_amounts_repeated_values_map_back():
    series = pd.Series(["-9.99", "10.00", "-9.99", None, "-9.99"])
    assert parse_amounts(series).tolist() == [-999, 1000, -999, pd.NA, -999]


@pytest.mark.parametrize(
    "values,mark",
    [
        (["4.626,81", "49,37"], ","),
        (["1,058.09", "0.00"], "."),
        (["-8,78", "7,08"], ","),
        (["1,234,567"], "."),
        (["1.234.567"], ","),
        (["1.000", "2.000"], "."),  # undecidable: documented default
        (["1,000"], "."),
        (["12,5"], ","),
        (["-10", "5"], "."),
        ([], "."),
        (["£1,183.23", "£8.99"], "."),
        (["1 234,56"], ","),
    ],
)
def test_infer_decimal_mark(values, mark):
    assert infer_decimal_mark(values) == mark


DATE_FORMATS_TABLE = [
    (["2026-03-01", "2026-03-15"], "%Y-%m-%d"),
    (["3/18/2016", "3/5/2016"], "%m/%d/%Y"),
    (["13/09/2017", "01/09/2017"], "%d/%m/%Y"),
    (["12-Dec-2019", "03-Dec-2019"], "%d-%b-%Y"),
    (["10 Feb 18"], "%d %b %y"),
    (["27 Feb 2018"], "%d %b %Y"),
    (["22.02.18"], "%d.%m.%y"),
    (["27.05.2018"], "%d.%m.%Y"),
    (["2019.04.19.", "2019.04.20."], "%Y.%m.%d."),
    (["20171001"], "%Y%m%d"),
    (["2018-02-25 12:34:56 +0000"], "%Y-%m-%d"),
    (["2026-03-01T23:01:00-05:00"], "%Y-%m-%d"),
    (["06/01/2019  Sat", "06/15/2019  Sat"], "%m/%d/%Y"),
    (["3/27/25", "4/2/25"], "%m/%d/%y"),
    (["Mar 5, 2026"], "%b %d, %Y"),
    (["10/2009/09", "11/2009/09"], "%d/%Y/%m"),  # smallest span decides
    (["01.03.2026"], "%d.%m.%Y"),  # dotted dates default to day-first
    (["01/03/2026"], "%m/%d/%Y"),  # slashed ones to month-first
]


@pytest.mark.parametrize("values,fmt", DATE_FORMATS_TABLE, ids=[v[0] for v, _ in DATE_FORMATS_TABLE])
def test_infer_date_format(values, fmt):
    assert infer_date_format(values) == fmt


def test_candidates_exclude_formats_failing_any_value():
    assert date_format_candidates(["01/02/2026", "13/02/2026"]) == ["%d/%m/%Y"]
    assert date_format_candidates(["12-Dec-2019", "Pending"]) == []
    assert date_format_candidates(["", "  "]) == []
    assert set(date_format_candidates(["01/02/2026"])) == {"%m/%d/%Y", "%d/%m/%Y"}


def test_no_format_for_non_dates():
    assert infer_date_format(["-5.00", "12.50"]) is None
    assert infer_date_format(["12345678"]) is None  # 8 digits but month 56
    assert infer_date_format([]) is None


@pytest.mark.parametrize(
    "values,prefer,fmt",
    [
        (["01/02/2026"], True, "%d/%m/%Y"),
        (["01/02/2026"], False, "%m/%d/%Y"),
        (["01/02/2026"], None, "%m/%d/%Y"),  # month-first default
        (["13/02/2026"], False, "%d/%m/%Y"),  # a value > 12 beats the preference
    ],
)
def test_prefer_day_first(values, prefer, fmt):
    assert infer_date_format(values, prefer_day_first=prefer) == fmt


def test_ambiguous_order_broken_by_monotonicity():
    # day-first: 1 Feb, 5 Feb, 10 Feb (sorted); month-first: Jan 2, May 2, Oct 2 (sorted too)
    # and 02/03 vs 03/02 breaks month-first order: Feb 3 after Mar 2 is not sorted
    values = ["02/03/2026", "03/02/2026", "04/02/2026"]
    # day-first: 2 Mar, 3 Feb, 4 Feb -> not sorted; month-first: Feb 3, Mar 2, Apr 2 -> sorted
    assert infer_date_format(values) == "%m/%d/%Y"
    values = ["03/02/2026", "02/03/2026", "02/04/2026"]
    # day-first: 3 Feb, 2 Mar, 2 Apr (sorted); month-first: Mar 2, Feb 3, Feb 4 (not)
    assert infer_date_format(values) == "%d/%m/%Y"


def test_ambiguous_order_broken_by_span_then_locale():
    assert infer_date_format(["2/1/2020", "3/1/2020"]) == "%d/%m/%Y"  # 1 day vs 29 days
    assert infer_date_format(["05/05/2020"], locale_day_first=True) == "%d/%m/%Y"
    assert infer_date_format(["05/05/2020"]) == "%m/%d/%Y"


def test_parse_dates_maps_unique_values_and_nat():
    series = pd.Series(["3/18/2016", "Pending", "3/18/2016", "", None, "2/30/2016"])
    result = parse_dates(series, "%m/%d/%Y")
    assert str(result.dtype) == "datetime64[s]"
    assert result[0] == pd.Timestamp("2016-03-18") and result[2] == pd.Timestamp("2016-03-18")
    assert result[[1, 3, 4, 5]].isna().all()


def test_parse_dates_takes_the_printed_day_of_zoned_times():
    series = pd.Series(["2026-03-01 23:01:00 -0500", "2026-03-01T23:59:59Z"])
    assert parse_dates(series, "%Y-%m-%d").tolist() == [pd.Timestamp("2026-03-01")] * 2
    explicit = parse_dates(series[:1], "%Y-%m-%d %H:%M:%S %z")
    assert explicit[0] == pd.Timestamp("2026-03-01")


def test_parse_dates_rejects_implausible_years():
    assert parse_dates(pd.Series(["00010101"]), "%Y%m%d").isna().all()


@pytest.mark.parametrize("values, days", [
    (["1. März 2026", "2. Mai 2026", "31. Dez. 2026"], ["2026-03-01", "2026-05-02", "2026-12-31"]),  # German
    (["01 mars 2026", "15 déc. 2026", "1 févr. 2026"], ["2026-03-01", "2026-12-15", "2026-02-01"]),  # French
    (["3 mei 2026", "12 okt 2026"], ["2026-05-03", "2026-10-12"]),                                 # Dutch
    (["01-ene-2026", "20-ago-2026"], ["2026-01-01", "2026-08-20"]),                                # Spanish
    (["05 giu 2026", "7 dic 2026"], ["2026-06-05", "2026-12-07"]),                                 # Italian
])
def test_month_names_in_other_languages(values, days):
    fmt = infer_date_format(values)
    assert fmt is not None
    parsed = parse_dates(pd.Series(values, dtype=object), fmt)
    assert [d.date().isoformat() for d in parsed] == days


def test_a_word_that_is_no_month_is_left_alone():
    assert date_format_candidates(["1. Foo 2026"]) == []
