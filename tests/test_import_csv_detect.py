"""Tables for the CSV detection helpers: header names, delimiters, header rows, sign evidence, layouts."""

from __future__ import annotations

import pandas as pd
import pytest

from chargecheck.errors import RulesError
from chargecheck.importers.csv.columns import fold, header_currency, map_columns
from chargecheck.importers.csv.grid import head_rows, locate_header, sniff_delimiter
from chargecheck.importers.csv.layouts import Layout, _parse, load_layouts
from chargecheck.importers.csv.sign import decide_sign


@pytest.mark.parametrize(
    "name,folded",
    [
        ("Trans. Date", "trans date"),
        ("Zaúčtovaná částka", "zauctovana castka"),
        ("Amount (USD)", "amount"),
        ("Withdrawal (-)", "withdrawal"),
        ("Beguenstigter/Zahlungspflichtiger", "beguenstigter zahlungspflichtiger"),
        (" Time Zone", "time zone"),
        ("Id transakce,", "id transakce"),
    ],
)
def test_fold(name, folded):
    assert fold(name) == folded


@pytest.mark.parametrize(
    "name,code", [("Amount (USD)", "USD"), ("Betrag (€)", "EUR"), ("Amount (GBP)", "GBP"), ("CAD$", "CAD"), ("Amount", ""), ("Amount ($)", "")]
)
def test_header_currency(name, code):
    assert header_currency(name) == code


@pytest.mark.parametrize(
    "text,delimiter",
    [
        ("a,b,c\n1,2,3\n", ","),
        ("Datum;Text;Betrag\n01.02.2026;Miete, Februar;-500,00\n02.02.2026;Strom;-50,00\n", ";"),
        ('"Date";"Amount"\n"2026-01-01";"-1,00"\n"2026-01-02";"2,50"\n', ";"),
        ("Date\tDescription\tAmount\n2026-01-01\tX, Y\t-1.00\n", "\t"),
        ("Date|Description|Amount\n2026-01-01|X, Y|-1,00\n", "|"),
        ("01.01.2020;Shop;-5,00\n02.01.2020;Shop;-6,00\n", ";"),
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def _header(text: str, delimiter: str = ","):
    header, data_line = locate_header(head_rows(text, delimiter))
    return (header.line if header else None), data_line


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Date,Description,Amount\n2026-01-01,X,-1.00\n", (1, 2)),
        ("2026-01-01,X,-1.00\n2026-01-02,Y,-2.00\n", (None, 1)),
        ("Account,123\nPeriod,January\n\nDate,Description,Amount\n2026-01-01,X,-1.00\n2026-01-02,Y,2.00\n", (4, 5)),
        ("Date,Description,Amount\nPending,X,-1.00\nPending,Y,-2.00\n2026-01-01,X,-1.00\n", (1, 2)),
        ("Transactions for account 1234\n2026-01-01,X,-1.00\n2026-01-02,Y,-2.00\n", (None, 2)),
        # account summary rows that look like transactions, above the real header
        ("Account Name,Everyday\nOpening Balance,01/03/2026,1000.00\nClosing Balance,31/03/2026,950.00\n\n"
         "Date,Description,Amount,Balance\n02/03/2026,A,-10.99,989.01\n05/03/2026,B,-9.99,979.02\n", (5, 6)),
        # one block per account: the first copy of a repeated header is the header
        ("Date,Description,Amount\n2026-01-01,X,-1.00\n\nDate,Description,Amount\n2026-01-02,Y,-2.00\n"
         "2026-01-03,Z,-3.00\n", (1, 2)),
    ],
)
def test_locate_header(text, expected):
    assert _header(text) == expected


def test_map_columns_by_name_prefers_transaction_date_and_signed_amount():
    names = ["Posting Date", "Transaction Date", "Description", "Amount", "Debit", "Credit", "Balance", "Currency"]
    cells = pd.DataFrame([["03/02/2026", "03/01/2026", "X", "-1.00", "1.00", "", "9.00", "USD"]], dtype=object)
    cells.columns = range(len(names))
    found = map_columns(names, cells)
    assert (found.date, found.posted, found.amount, found.debit, found.balance, found.currency) == (1, 0, 3, None, 6, 7)


def test_map_columns_valuta_as_currency_is_not_a_date():
    names = ["Uitvoeringsdatum", "Bedrag", "Valuta rekening", "Details"]
    cells = pd.DataFrame([["01/03/2026", "-1,00", "EUR", "NETFLIX"]], dtype=object)
    cells.columns = range(4)
    found = map_columns(names, cells)
    assert (found.date, found.posted, found.amount, found.currency, found.description) == (0, None, 1, 2, [3])


AMOUNTS = pd.Series([1549, 999, 2000, -3000])


@pytest.mark.parametrize(
    "kwargs,factor",
    [
        ({}, 1),
        ({"descriptions": pd.Series(["A", "B", "C", "PAYMENT - THANK YOU"])}, -1),
        ({"descriptions": pd.Series(["A", "B", "C", "AUTOMATIC PAYMENT"])}, -1),
        ({"types": pd.Series(["Sale", "Sale", "Sale", "Payment"])}, -1),
        ({"types": pd.Series(["Payment", "Payment", "Payment", "Sale"])}, 1),
        ({"balance": pd.Series([100, 90.01, 70.01, 100.01]).mul(100).round().astype("Int64")}, -1),
        ({"balance": pd.Series([100, 109.99, 129.99, 99.99]).mul(100).round().astype("Int64")}, 1),
        ({"card_like": True}, -1),
    ],
)
def test_decide_sign(kwargs, factor):
    assert decide_sign(AMOUNTS.astype("Int64"), **kwargs)[0] == factor


def test_card_balance_is_not_evidence():
    owed = pd.Series([100, 115.49, 125.48, 145.48]).mul(100).round().astype("Int64")
    assert decide_sign(AMOUNTS.astype("Int64"), balance=owed, card_like=True)[0] == -1


def test_packaged_layouts_are_valid_and_named_uniquely():
    layouts = load_layouts()
    names = [layout.name for layout in layouts]
    assert len(names) == len(set(names)) >= 50


@pytest.mark.parametrize(
    "toml,message",
    [
        ('[[layout]]\nname = "x"\n', "layout x: Value error, a layout needs a `header` signature or `headerless = true`"),
        ('[[layout]]\nname = "x"\nheaderless = true\n', "layout x: Value error, a headerless layout needs `field_count`"),
        ('[[layout]]\nname = "x"\nheader = ["A"]\nsign = "inverted"\n', "layout x: sign: Input should be 'signed' or 'charges-positive'"),
        ('[[layout]]\nname = "x"\nheader = ["A"]\nmatch = { "a" = "x" }\n', "match keys are 0-based column numbers"),
        ("layout = 3\n", "`layout` must be an array of tables"),
        ("[[layout]\n", "invalid TOML"),
    ],
)
def test_layout_validation_messages(toml, message):
    with pytest.raises(RulesError) as error:
        _parse(toml, "rules/layouts.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("rules/layouts.toml")


def test_headerless_layout_matching():
    layout = Layout(name="wf", headerless=True, field_count=3, match={"1": r"\*"})
    assert layout.rows_match([["03/01/2026", "*", "X"]])
    assert not layout.rows_match([["03/01/2026", "x", "X"]])
    assert not layout.rows_match([["03/01/2026", "*"]])
