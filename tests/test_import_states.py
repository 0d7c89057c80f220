"""Row states and record-type rows: only booked payments become transactions (issue 15, item 2).

Each export is written as the bank prints it (header and state words from
``research/bank-csv-layouts.md``); a reverted, declined, pending or balance row must be a
skipped row with its state as the reason, and a statement with balances must reconcile.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chargecheck.importers import read_statement
from chargecheck.importers.csv.states import RowState, record_type_of, state_of


def write(tmp_path: Path, text: str, name: str = "statement.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def amounts(statement) -> list[tuple[int, int]]:
    return [(int(line), int(cents)) for line, cents in zip(statement.transactions.source_line,
                                                            statement.transactions.amount_cents)]


def reasons(statement) -> list[tuple[int, str]]:
    return [(s.line, s.reason) for s in statement.skipped]


def test_revolut_reverted_declined_and_pending_rows_are_skipped(tmp_path):
    path = write(tmp_path, """
        Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance
        CARD_PAYMENT,Current,2026-05-01 10:00:00,2026-05-02 09:00:00,Netflix,-12.99,0.00,EUR,COMPLETED,87.01
        CARD_PAYMENT,Current,2026-05-03 10:00:00,,Spotify,-9.99,0.00,EUR,REVERTED,
        CARD_PAYMENT,Current,2026-05-03 11:00:00,,Disney Plus,-8.99,0.00,EUR,DECLINED,
        CARD_PAYMENT,Current,2026-05-04 11:00:00,,Amazon Prime,-8.99,0.00,EUR,PENDING,
        TOPUP,Current,2026-05-05 10:00:00,2026-05-05 10:00:00,Top-Up by *1234,100.00,0.00,EUR,COMPLETED,187.01
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(2, -1299), (6, 10000)]
    assert reasons(statement) == [
        (3, "state 'REVERTED': not executed, not booked"),
        (4, "state 'DECLINED': not executed, not booked"),
        (5, "state 'PENDING': pending, not booked"),
    ]
    assert statement.rows_read == 5
    assert str(statement.reconciliation) == "reconciled"


def test_paypal_denied_and_reversed_rows_are_skipped(tmp_path):
    path = write(tmp_path, """
        "Date","Time","TimeZone","Name","Type","Status","Currency","Amount","Receipt ID","Balance"
        "01-05-2026","10:00:00","CET","Netflix","Preapproved Payment","Completed","EUR","-15,49","","84,51"
        "02-05-2026","10:00:00","CET","Spotify","Preapproved Payment","Denied","EUR","-9,99","",""
        "03-05-2026","10:00:00","CET","Hulu","Preapproved Payment","Reversed","EUR","-7,99","",""
        "04-05-2026","10:00:00","CET","Bank","Bank Deposit","Pending","EUR","20,00","",""
        "05-05-2026","10:00:00","CET","Bank","Bank Deposit","Completed","EUR","20,00","","104,51"
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(2, -1549), (6, 2000)]
    assert str(statement.reconciliation) == "reconciled"
    assert [r for _, r in reasons(statement)] == [
        "state 'Denied': not executed, not booked",
        "state 'Reversed': not executed, not booked",
        "state 'Pending': pending, not booked",
    ]


def test_wise_transfer_history_cancelled_row_is_skipped(tmp_path):
    path = write(tmp_path, """
        ID,Status,Direction,Created on,Finished on,Source name,Source amount (after fees),Source currency,Target name,Reference
        TRANSFER-1,COMPLETED,OUT,2026-05-01 10:00:00,2026-05-01 11:00:00,Me,-50.00,GBP,Landlord,rent
        TRANSFER-2,CANCELLED,OUT,2026-05-02 10:00:00,,Me,-70.00,GBP,Gym,may
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(2, -5000)]
    assert reasons(statement) == [(3, "state 'CANCELLED': not executed, not booked")]


def test_a_status_column_that_holds_no_states_is_not_a_state_column(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount,Status
        2026-05-01,NETFLIX.COM,-15.49,Gold member
        2026-05-02,SPOTIFY,-9.99,Gold member
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(2, -1549), (3, -999)]
    assert statement.skipped == ()


def test_record_type_rows_are_not_payments_and_reconcile(tmp_path):
    # A Central European export with record types: opening balance, transactions, turnover,
    # closing balance (the case: balance and turnover rows were read as payments).
    path = write(tmp_path, """
        Datum;Typ záznamu;Popis;Částka
        01.05.2026;Počáteční zůstatek;;1 000,00
        03.05.2026;Transakce;NETFLIX.COM;-15,49
        05.05.2026;Transakce;VÝPLATA;2 000,00
        31.05.2026;Obrat;;1 984,51
        31.05.2026;Konečný zůstatek;;2 984,51
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(3, -1549), (4, 200000)]
    assert reasons(statement) == [
        (2, "opening balance record 'Počáteční zůstatek', not a payment"),
        (5, "turnover record 'Obrat', not a payment"),
        (6, "closing balance record 'Konečný zůstatek', not a payment"),
    ]
    assert str(statement.reconciliation) == "reconciled"


def test_record_rows_that_do_not_add_up_are_reported(tmp_path):
    path = write(tmp_path, """
        Date,Type,Description,Amount
        2026-05-01,Opening balance,,100.00
        2026-05-03,Transaction,NETFLIX.COM,-15.49
        2026-05-31,Closing balance,,94.51
    """)
    statement = read_statement(path)
    assert str(statement.reconciliation) == "not reconciled: off by 10.00 at line 4"


def test_a_shop_called_total_is_a_payment(tmp_path):
    # Without opening or closing balance rows there are no turnover rows either: TotalEnergies'
    # stations print "TOTAL 1234567".
    path = write(tmp_path, """
        Date,Description,Amount
        2026-05-01,TOTAL WINE & MORE,-45.10
        2026-05-02,TOTAL 1234567,-63.00
        2026-05-03,Total,-3.00
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(2, -4510), (3, -6300), (4, -300)]
    assert statement.skipped == ()


@pytest.mark.parametrize("cell, state", [
    ("COMPLETED", RowState.BOOKED), ("Umsatz gebucht", RowState.BOOKED), ("Umsatz vorgemerkt", RowState.PENDING),
    ("nicht gebucht", RowState.PENDING), ("REVERTED", RowState.NOT_EXECUTED), ("Zamítnuto", RowState.NOT_EXECUTED),
    ("Partially Refunded", RowState.BOOKED), ("Gold member", RowState.UNKNOWN), ("", RowState.UNKNOWN),
])
def test_state_words(cell, state):
    assert state_of(cell) is state


@pytest.mark.parametrize("cell, whole, state", [
    ("Opening balance", False, RowState.OPENING_BALANCE), ("Anfangssaldo", True, RowState.OPENING_BALANCE),
    ("Beginning balance as of 01/01/2026", True, RowState.OPENING_BALANCE),
    ("Solde final au 31/05/2026", False, RowState.CLOSING_BALANCE), ("Total Wine & More", True, RowState.UNKNOWN),
    ("Balance transfer", False, RowState.UNKNOWN), ("NEW BALANCE 4521", True, RowState.UNKNOWN),  # a shoe shop
])
def test_record_types(cell, whole, state):
    assert record_type_of(cell, whole) is state


def test_swedbank_row_types_opening_turnover_closing(tmp_path):
    # Swedbank's export (Estonia; the Swedish "old format" has the same columns in English):
    # row type 10 opening balance, 20 transactions, 82 turnover, 86 closing balance, the
    # record named in the details column, unsigned amounts with D/K.
    path = write(tmp_path, """
        "Kliendi konto";"Reatüüp";"Kuupäev";"Saaja/Maksja";"Selgitus";"Summa";"Valuuta";"Deebet/Kreedit";"Arhiveerimistunnus";"Tehingu tüüp";"Viitenumber";"Dokumendi number";
        "EE382200221020145685";"10";"01.05.2026";"";"Algsaldo";"100,00";"EUR";"K";"";"AS";"";"";
        "EE382200221020145685";"20";"04.05.2026";"NETFLIX.COM";"Kaardimakse 123456";"15,49";"EUR";"D";"2026050400211";"MK";"";"5";
        "EE382200221020145685";"20";"06.05.2026";"TÖÖANDJA OÜ";"Palk mai";"2000,00";"EUR";"K";"2026050600212";"MK";"";"6";
        "EE382200221020145685";"82";"31.05.2026";"";"Käive";"2015,49";"EUR";"D";"";"KM";"";"";
        "EE382200221020145685";"86";"31.05.2026";"";"lõppsaldo";"2084,51";"EUR";"K";"";"LS";"";"";
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(3, -1549), (4, 200000)]
    assert [r for _, r in reasons(statement)] == [
        "opening balance record 'Algsaldo', not a payment", "turnover record 'Käive', not a payment",
        "closing balance record 'lõppsaldo', not a payment",
    ]
    assert str(statement.reconciliation) == "reconciled"


def test_nordea_reserved_rows_dated_varaus_are_pending(tmp_path):
    # Nordea (FI) lists reserved card payments first, with "Varaus" in the date cell
    # (hledger's Nordea rules skip them); booked rows follow, newest first, %Y/%m/%d.
    path = write(tmp_path, """
        Kirjauspäivä;Määrä;Maksaja;Maksunsaaja;Nimi;Otsikko;Viitenumero;Saldo;Valuutta
        Varaus;-8,99;FI1234;;;DISNEY PLUS;;;EUR
        2026/05/04;-15,49;FI1234;;NETFLIX.COM;NETFLIX.COM;;984,51;EUR
        2026/05/01;1000,00;;FI1234;TYÖNANTAJA OY;PALKKA;;1000,00;EUR
    """)
    statement = read_statement(path)
    assert amounts(statement) == [(3, -1549), (4, 100000)]
    assert reasons(statement) == [(2, "pending")]
    assert str(statement.reconciliation) == "reconciled"
