"""CSV importer: one small real-looking export per quirk, with exact expected values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from chargecheck.errors import RulesError, StatementError, UsageError
from chargecheck.importers import ImportOptions, read_statement


def write(tmp_path: Path, text: str, name: str = "statement.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def rows(statement) -> list[tuple]:
    """(ISO date, cents, description, line) per transaction."""
    frame = statement.transactions
    return [
        (d.date().isoformat(), int(c), desc, int(line))
        for d, c, desc, line in zip(frame.date, frame.amount_cents, frame.description, frame.source_line)
    ]


def skipped(statement) -> list[tuple]:
    return [(s.line, s.reason) for s in statement.skipped]


def test_chase_card_signed_with_posted_date(tmp_path):
    path = write(tmp_path, """
        Transaction Date,Post Date,Description,Category,Type,Amount,Memo
        03/02/2026,03/03/2026,NETFLIX.COM,Entertainment,Sale,-15.49,
        02/27/2026,02/28/2026,Payment Thank You-Mobile,,Payment,500.00,
        02/20/2026,02/21/2026,AMAZON MKTPL*AB12,Shopping,Return,23.10,
    """)
    statement = read_statement(path)
    assert statement.layout == "chase-card"
    assert rows(statement) == [
        ("2026-03-02", -1549, "NETFLIX.COM", 2),
        ("2026-02-27", 50000, "Payment Thank You-Mobile", 3),
        ("2026-02-20", 2310, "AMAZON MKTPL*AB12", 4),
    ]
    assert statement.transactions.posted_date[0] == pd.Timestamp("2026-03-03")


def test_capital_one_unsigned_debit_and_credit(tmp_path):
    path = write(tmp_path, """
        Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit
        2026-03-01,2026-03-02,1234,DRI*KASPERSKY LAB,Software,59.99,
        2026-02-25,2026-02-25,1234,CAPITAL ONE AUTOPAY PYMT,Payment/Credit,,250.00
    """)
    statement = read_statement(path)
    assert rows(statement) == [("2026-03-01", -5999, "DRI*KASPERSKY LAB", 2), ("2026-02-25", 25000, "CAPITAL ONE AUTOPAY PYMT", 3)]
    assert statement.transactions.account.tolist() == ["1234", "1234"]


def test_citi_credit_column_holds_negative_numbers(tmp_path):
    path = write(tmp_path, """
        Status,Date,Description,Debit,Credit
        Cleared,03/05/2026,"SPOTIFY USA",10.99,
        Cleared,03/01/2026,"ONLINE PAYMENT, THANK YOU",,-2000.05
    """)
    assert [r[1] for r in rows(read_statement(path))] == [-1099, 200005]


def test_plain_date_description_amount(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount
        2026-01-15,HULU 877-8244858 CA,-7.99
        2026-01-16,SALARY,1000
    """)
    statement = read_statement(path)
    assert statement.layout == "auto"
    assert rows(statement) == [("2026-01-15", -799, "HULU 877-8244858 CA", 2), ("2026-01-16", 100000, "SALARY", 3)]


def test_amex_charges_positive_with_embedded_newlines(tmp_path):
    path = write(tmp_path, """
        Date,Description,Card Member,Account #,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category
        03/04/2026,NORTON *AP12345,J DOE,-41007,89.99,"NORTONLIFELOCK
        866-3285700",NORTON *AP12345,"60 E RIO SALADO","TEMPE
        AZ",85281,UNITED STATES,'320260640123',Software
        03/02/2026,AUTOPAY PAYMENT - THANK YOU,J DOE,-41007,-500.00,,,,,,,'320260610001',
    """)
    statement = read_statement(path)
    assert statement.layout == "amex-us"
    assert rows(statement) == [
        ("2026-03-04", 8999 * -1, "NORTON *AP12345", 2),
        ("2026-03-02", 50000, "AUTOPAY PAYMENT - THANK YOU", 5),
    ]


def test_discover_charges_positive_by_layout(tmp_path):
    path = write(tmp_path, """
        Trans. Date,Post Date,Description,Amount,Category
        03/10/2026,03/10/2026,PLANET FITNESS,10.00,Services
        03/01/2026,03/01/2026,INTERNET PAYMENT - THANK YOU,-100.00,Payments and Credits
    """)
    assert [r[1] for r in rows(read_statement(path))] == [-1000, 10000]


def test_apple_card_joins_merchant_and_description(tmp_path):
    path = write(tmp_path, """
        Transaction Date,Clearing Date,Description,Merchant,Category,Type,Amount (USD)
        03/01/2026,03/02/2026,"APPLE.COM/BILL ONE APPLE PARK WAY 866-712-7753 95014 CA USA",Apple Services,Other,Purchase,9.99
        03/05/2026,03/05/2026,"ACH DEPOSIT INTERNET TRANSFER",Ach Deposit,Payment,Payment,-100.00
    """)
    statement = read_statement(path)
    assert rows(statement)[0] == ("2026-03-01", -999, "Apple Services APPLE.COM/BILL ONE APPLE PARK WAY 866-712-7753 95014 CA USA", 2)
    assert rows(statement)[1][1] == 10000
    assert statement.transactions.currency.tolist() == ["USD", "USD"]


def test_charges_positive_detected_from_payment_rows_without_layout(tmp_path):
    path = write(tmp_path, """
        Date,Merchant Description,Charge
        01/05/2026,NETFLIX.COM,15.49
        01/09/2026,GOOGLE *YOUTUBE PREMIUM,13.99
        01/20/2026,PAYMENT - THANK YOU,-29.48
    """)
    statement = read_statement(path)
    assert [r[1] for r in rows(statement)] == [-1549, -1399, 2948]
    assert any("THANK YOU" in note for note in statement.notes)


def test_charges_positive_detected_from_running_balance(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount,Balance
        2026-02-01,OPENING,0.00,100.00
        2026-02-02,GYM,30.00,70.00
        2026-02-03,REFUND,-5.00,75.00
    """)
    assert [r[1] for r in rows(read_statement(path))] == [0, -3000, 500]


def test_type_column_settles_charges_positive(tmp_path):
    path = write(tmp_path, """
        Date,Description,Type,Amount
        2026-02-02,SPOTIFY,Purchase,9.99
        2026-02-03,STORE,Purchase,20.00
        2026-02-05,CARD PAYMENT,Payment,-29.99
    """)
    assert [r[1] for r in rows(read_statement(path))] == [-999, -2000, 2999]


def test_wells_fargo_headerless(tmp_path):
    path = write(tmp_path, """
        "03/04/2026","-12.07","*","","PURCHASE AUTHORIZED ON 03/01 NETFLIX.COM LOS GATOS CA"
        "03/05/2026","2500.00","*","","ONLINE TRANSFER FROM SAVINGS"
    """)
    statement = read_statement(path)
    assert statement.layout == "wells-fargo"
    assert rows(statement) == [
        ("2026-03-04", -1207, "PURCHASE AUTHORIZED ON 03/01 NETFLIX.COM LOS GATOS CA", 1),
        ("2026-03-05", 250000, "ONLINE TRANSFER FROM SAVINGS", 2),
    ]


def test_headerless_generic_takes_date_amount_and_longest_text(tmp_path):
    path = write(tmp_path, """
        25/12/2017,MY DESCRIPTION HERE   VIS,"-1,234.50"
        27/12/2017,SALARY ACME LTD   BGC,"2,000.00"
    """)
    assert rows(read_statement(path)) == [
        ("2017-12-25", -123450, "MY DESCRIPTION HERE   VIS", 1),
        ("2017-12-27", 200000, "SALARY ACME LTD   BGC", 2),
    ]


def test_bank_of_america_preamble_and_balance_row(tmp_path):
    text = (
        "Description,,Summary Amt.\r\n"
        'Beginning balance as of 01/01/2026,,"1,300.00"\r\n'
        'Total credits,,"1,000.00"\r\n'
        'Total debits,,"-150.00"\r\n'
        'Ending balance as of 01/31/2026,,"2,150.00"\r\n'
        "\r\n"
        "Date,Description,Amount,Running Bal.\r\n"
        '01/01/2026,Beginning balance as of 01/01/2026,,"1,300.00"\r\n'
        '01/05/2026,"NORTONLIFELOCK 844-488-4540 AZ","-150.00","1,150.00"\r\n'
        '01/15/2026,"PAYROLL DEPOSIT","1,000.00","2,150.00"\r\n'
    )
    path = tmp_path / "stmt.csv"
    path.write_bytes(text.encode())
    statement = read_statement(path)
    assert statement.layout == "bank-of-america-checking"
    assert rows(statement) == [("2026-01-05", -15000, "NORTONLIFELOCK 844-488-4540 AZ", 9), ("2026-01-15", 100000, "PAYROLL DEPOSIT", 10)]
    assert skipped(statement) == [(8, "opening balance record 'Beginning balance as of 01/01/2026', not a payment")]
    assert str(statement.reconciliation) == "reconciled"
    assert statement.rows_read == 3
    assert "lines 1-6 are preamble, not rows" in statement.notes


def test_semicolon_decimal_comma_cp1252(tmp_path):
    path = write(tmp_path, """
        Buchungstag;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung
        02.03.2026;Digital River GmbH;DRI*KASPERSKY Abo;"-1.059,99";EUR
        05.03.2026;Arbeitgeber AG;Gehalt März;"2.500,00";EUR
    """, encoding="cp1252")
    statement = read_statement(path)
    assert statement.encoding in ("cp1252", "cp1250")  # identical for these bytes; both decode right
    assert rows(statement) == [
        ("2026-03-02", -105999, "Digital River GmbH DRI*KASPERSKY Abo", 2),
        ("2026-03-05", 250000, "Arbeitgeber AG Gehalt März", 3),
    ]
    assert statement.transactions.currency.tolist() == ["EUR", "EUR"]


def test_utf16_tab_delimited(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes("Date\tDescription\tAmount\n2026-03-01\tCAFÉ CRÈME\t-3.50\n".encode("utf-16"))
    statement = read_statement(path)
    assert statement.encoding == "utf-16"
    assert rows(statement) == [("2026-03-01", -350, "CAFÉ CRÈME", 2)]


def test_pipe_delimiter_and_hungarian_dates(tmp_path):
    path = write(tmp_path, """
        Dátum|Közlemény|Összeg
        2019.04.19.|NETFLIX.COM|-3 490,00
        2019.04.20.|FIZETÉS|250 000,00
    """)
    statement = read_statement(path, ImportOptions(date_col="Dátum", amount_col="Összeg", description_col="Közlemény"))
    assert rows(statement) == [("2019-04-19", -349000, "NETFLIX.COM", 2), ("2019-04-20", 25000000, "FIZETÉS", 3)]


def test_footer_lines_are_not_rows(tmp_path):
    path = write(tmp_path, """
        Run Date,Action,Amount ($)
        01/24/2023, DIRECT DEBIT NETFLIX (Cash),-15.49
        01/20/2023, DIVIDEND RECEIVED (Cash),1.02
        ,,
        "The data and information in this spreadsheet is provided to you solely for your use"
        "Date downloaded 01/24/2023 10:28 am"
    """)
    statement = read_statement(path)
    assert statement.rows_read == 2 and len(statement.transactions) == 2
    assert "lines 5-6 after the last dated row are a footer, not rows" in statement.notes


def test_bad_rows_are_skipped_with_reasons_and_lines(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount
        2026-03-01,"multi
        line",-1.00
        2026-03-02,SHORT ROW
        2026-03-03,BAD AMOUNT,12.345
        2026-13-45,BAD DATE,-2.00
        2026-03-04,GOOD,-3.00
        Date,Description,Amount
        2026-03-05,TOO,-4.00,LONG
        2026-03-06,,-5.00
    """)
    statement = read_statement(path)
    assert rows(statement) == [("2026-03-01", -100, "multi\nline", 2), ("2026-03-04", -300, "GOOD", 7), ("2026-03-06", -500, "", 10)]
    assert skipped(statement) == [
        (4, "row has only 2 fields"),
        (5, "amount '12.345' is not a number with at most 2 decimals"),
        (6, "date '2026-13-45' does not match the column's format %Y-%m-%d"),
        (8, "repeated header"),
        (9, "row has 4 fields, more than the header (an unquoted delimiter inside a field?)"),
    ]
    assert statement.rows_read == 8


def test_description_continued_on_the_next_row(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount
        2026-03-01,PAYPAL *NETFLIX,-15.49
        ,4029357733 CA,
        2026-03-02,COFFEE,-3.00
    """)
    statement = read_statement(path)
    assert rows(statement)[0] == ("2026-03-01", -1549, "PAYPAL *NETFLIX 4029357733 CA", 2)
    assert skipped(statement) == [(3, "continuation of line 2 (joined to its description)")]


def test_pending_by_status_column(tmp_path):
    path = write(tmp_path, """
        "Buchungstag";"Verwendungszweck";"Betrag";"Info"
        "02.03.26";"SPOTIFY";"-9,99";"Umsatz vorgemerkt"
        "01.03.26";"NETFLIX";"-12,99";"Umsatz gebucht"
    """)
    statement = read_statement(path)
    assert rows(statement) == [("2026-03-01", -1299, "NETFLIX", 3)]
    assert skipped(statement) == [(2, "state 'Umsatz vorgemerkt': pending, not booked")]


def test_indicator_column_gives_the_sign(tmp_path):
    path = write(tmp_path, """
        "Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)","MutatieSoort","Mededelingen"
        "20260301","NETFLIX INTERNATIONAL","NL01INGB0001","","IC","Af","12,99","Incasso","Netflix maand"
        "20260302","WERKGEVER BV","NL01INGB0001","","GT","Bij","2000,00","Online bankieren","Salaris"
    """)
    statement = read_statement(path)
    assert statement.layout == "ing-nl"
    assert rows(statement) == [
        ("2026-03-01", -1299, "NETFLIX INTERNATIONAL Netflix maand", 2),
        ("2026-03-02", 200000, "WERKGEVER BV Salaris", 3),
    ]


def test_ally_comma_space_and_cr_only_line_ends(tmp_path):
    path = tmp_path / "ally.csv"
    path.write_bytes(b"Date, Time, Amount, Type, Description\r2026-03-01, 10:00:00, -9.99, Withdrawal, HBO MAX\r")
    assert rows(read_statement(path)) == [("2026-03-01", -999, "HBO MAX", 2)]


def test_csv_saved_with_an_xls_name(tmp_path):
    path = write(tmp_path, "Date,Description,Amount\n01/31/2026,ADOBE *CREATIVE CLD,-54.99\n", name="export.xls")
    assert rows(read_statement(path)) == [("2026-01-31", -5499, "ADOBE *CREATIVE CLD", 2)]


def test_day_first_when_a_value_exceeds_12_and_hint_from_decimal_comma(tmp_path):
    path = write(tmp_path, "Date;Description;Amount\n05/03/2026;A;-1,00\n06/03/2026;B;-2,00\n")
    assert [r[0] for r in rows(read_statement(path))] == ["2026-03-05", "2026-03-06"]


def test_user_overrides(tmp_path):
    path = write(tmp_path, """
        when,what,value,other
        01.02.2026,GYM,"-30,00","99,00"
    """)
    options = ImportOptions(date_col="0", amount_col="value", description_col="what", date_format="%d.%m.%Y", decimal=",")
    assert rows(read_statement(path, options)) == [("2026-02-01", -3000, "GYM", 2)]
    with pytest.raises(UsageError, match="--amount-col: no column 'valeu'.*did you mean 'value'"):
        read_statement(path, ImportOptions(amount_col="valeu"))


def test_unknown_layout_suggests_a_name(tmp_path):
    path = write(tmp_path, "Date,Description,Amount\n2026-01-01,X,-1.00\n")
    with pytest.raises(UsageError, match="unknown layout 'chase-crd'.*did you mean 'chase-card'"):
        read_statement(path, ImportOptions(layout="chase-crd"))


def test_forced_layout_flips_a_generic_header(tmp_path):
    path = write(tmp_path, "Date,Description,Amount\n03/01/2026,NETFLIX.COM,15.49\n")
    statement = read_statement(path, ImportOptions(layout="amex-us-basic"))
    assert statement.layout == "amex-us-basic" and rows(statement)[0][1] == -1549


def test_user_layout_file(tmp_path):
    layouts = write(tmp_path, """
        [[layout]]
        name = "my-credit-union"
        header = ["Posted", "Memo", "Spent", "Received"]
        date = "Posted"
        description = "Memo"
        debit = "Spent"
        credit = "Received"
        date_format = "%d/%m/%Y"
    """, name="layouts.toml")
    path = write(tmp_path, "Posted,Memo,Spent,Received\n02/03/2026,GYM,30.00,\n")
    statement = read_statement(path, ImportOptions(layouts_file=layouts))
    assert statement.layout == "my-credit-union"
    assert rows(statement) == [("2026-03-02", -3000, "GYM", 2)]


def test_user_layout_with_unknown_key_names_file_and_line(tmp_path):
    layouts = write(tmp_path, """
        [[layout]]
        name = "ok"
        header = ["A", "B"]

        [[layout]]
        name = "typo"
        header = ["Date", "Amount"]
        date_fromat = "%d/%m/%Y"
    """, name="layouts.toml")
    path = write(tmp_path, "Date,Description,Amount\n2026-01-01,X,-1.00\n")
    with pytest.raises(RulesError) as error:
        read_statement(path, ImportOptions(layouts_file=layouts))
    assert str(error.value) == f"{layouts}:8: layout typo: unknown key 'date_fromat' (did you mean 'date_format'?)"
    assert error.value.line == 8


@pytest.mark.parametrize(
    "content,expected",
    [
        ("just one line of text\n", "expected"),
        ("Name,Colour\nApple,Red\nPear,Green\n", "expected"),
        ("Date,Description,Amount\n2026-01-01,X,abc\n", "no amount"),
    ],
)
def test_unreadable_files_raise_statement_error(tmp_path, content, expected):
    path = write(tmp_path, content)
    try:
        statement = read_statement(path, format="csv")
    except StatementError as exc:
        assert str(exc).startswith(f"{path}")
        return
    assert expected == "no amount" and len(statement.skipped) == 1


def test_identify_by_content(tmp_path):
    from chargecheck.importers import identify

    assert identify(write(tmp_path, "Date,Description,Amount\n2026-01-01,X,-1.00\n")).name == "csv"
    with pytest.raises(StatementError):
        identify(write(tmp_path, "hello world\nthis is prose\n", name="notes.txt"))


def test_forced_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("Date,Description,Amount\n2026-01-01,CAFÉ,-1.00\n".encode("latin-1"))
    assert rows(read_statement(path, ImportOptions(encoding="latin-1")))[0][2] == "CAFÉ"
    with pytest.raises(UsageError, match="unknown encoding 'nope'"):
        read_statement(path, ImportOptions(encoding="nope"))


@pytest.mark.parametrize("text", ["Date,Description,Amount\n", "Date,Description,Amount", "Date,Description,Amount\n\n,,\n"])
def test_header_without_rows_is_an_empty_statement(tmp_path, text):
    statement = read_statement(write(tmp_path, text), format="csv")
    assert (statement.rows_read, len(statement.transactions), statement.skipped) == (0, 0, ())


def test_excel_sep_line_declares_the_delimiter(tmp_path):
    path = write(tmp_path, "sep=;\nDatum;Omschrijving;Bedrag\n01-03-2026;NETFLIX, INC;-12,99\n")
    statement = read_statement(path)
    assert rows(statement) == [("2026-03-01", -1299, "NETFLIX, INC", 3)]
    assert "lines 1-1 are preamble, not rows" in statement.notes


def test_layouts_from_a_rules_folder_read_only_the_layout_key(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cancellations.toml").write_text('[[cancellation]]\nvendor = "Netflix"\ncancelled_on = 2026-03-01\n')
    (rules / "layouts.toml").write_text(
        '[[layout]]\nname = "club"\nheader = ["When", "What", "Paid"]\ndate = "When"\ndescription = "What"\n'
        'amount = "Paid"\nsign = "charges-positive"\n'
    )
    path = write(tmp_path, "When,What,Paid\n2026-03-02,CLUB DUES,25.00\n")
    statement = read_statement(path, ImportOptions(layouts_file=rules))
    assert statement.layout == "club" and rows(statement) == [("2026-03-02", -2500, "CLUB DUES", 2)]


def test_user_layout_wins_a_tie_with_a_packaged_one(tmp_path):
    layouts = write(tmp_path, """
        [[layout]]
        name = "my-chase-card"
        header = ["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount"]
        optional_header = ["Memo"]
        sign = "charges-positive"
    """, name="layouts.toml")
    path = write(tmp_path, "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n03/02/2026,03/03/2026,GYM,,Sale,30.00,\n")
    statement = read_statement(path, ImportOptions(layouts_file=layouts))
    assert statement.layout == "my-chase-card" and rows(statement)[0][1] == -3000


@pytest.mark.parametrize("second", ["MCDONALD'S 0412", "ROCK 'N ROLL CAFE", "'TEXT MARKED"])
def test_spreadsheet_apostrophe_goes_a_possessive_stays(tmp_path, second):
    """NatWest/Lloyds mark text cells with a leading apostrophe; one inside a word is the name's."""
    path = write(tmp_path, f"""
        Date,Description,Amount
        01/03/2026,'NETFLIX.COM,-15.49
        02/03/2026,{second},-4.20
        03/03/2026,"'  SPOTIFY  ",-11.99
    """)
    expected = second[1:] if second.startswith("'") else second
    assert [r[2] for r in rows(read_statement(path))] == ["NETFLIX.COM", expected, "SPOTIFY"]


def test_possessive_apostrophes_alone_leave_descriptions_as_printed(tmp_path):
    path = write(tmp_path, """
        Date,Description,Amount
        01/03/2026,MCDONALD'S 0412,-4.20
        02/03/2026,NORTON'S PIZZA,-9.00
    """)
    assert [r[2] for r in rows(read_statement(path))] == ["MCDONALD'S 0412", "NORTON'S PIZZA"]
