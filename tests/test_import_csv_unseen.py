"""Exports of banks with no saved layout, written from their documented shapes after the
importer was built: detection alone must read them (header or none, signs, decimal commas,
debit/credit columns without names, preambles), and ``check`` must flag the one charge after
the cancellation.

Each file holds a Kaspersky renewal on 1 March 2026 (the cancellation is 15 February), and
ordinary spending and income around it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chargecheck.importers import read_statement
from chargecheck.pipeline import check

FIXTURES = Path(__file__).parent / "fixtures" / "csv" / "unseen"

# file: (transactions, the income row's amount in cents, currency)
EXPECTED = {
    "banque_postale.csv": (3, 210000, ""),      # preamble, ';', decimal comma, quoted labels
    "chime.csv": (2, None, ""),                 # ISO dates, a settlement date column
    "cibc.csv": (3, 210000, ""),                # headerless: date, description, debit, credit
    # commbank, nordea and td_canada now also fit a saved layout (commbank, nordea-se, td-canada),
    # which adds the currency the bank's own export never prints.
    "commbank_headerless.csv": (3, 10000, "AUD"),  # headerless, day first, signed quoted amounts, CRLF
    "german_month_names.csv": (3, 210000, "EUR"),  # "1. März 2026", ';', "2.100,00", currency in the header
    "marcus.csv": (2, 50000, ""),               # quoted, "$" and thousands separators
    "nordea.csv": (3, 2500000, "SEK"),          # ';', 'Valuta' holds the currency, '1 234,56'
    "td_canada.csv": (3, 210000, "CAD"),        # headerless: date, description, debit, credit, balance
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unseen_export_is_read_by_detection(name: str) -> None:
    rows, income, currency = EXPECTED[name]
    statement = read_statement(FIXTURES / name)
    frame = statement.transactions
    assert (len(frame), len(statement.skipped)) == (rows, 0)
    first = frame.iloc[0]
    assert (first["date"].date(), int(first["amount_cents"]), first["currency"]) == (date(2026, 3, 1), -5999, currency)
    assert "KASPERSKY" in first["description"]
    if income is not None:
        assert int(frame["amount_cents"].max()) == income  # money in stays positive


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unseen_export_flags_the_renewal_after_the_cancellation(name: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[cancellation]]\nvendor = "Kaspersky"\ncancelled_on = 2026-02-15\n', encoding="utf-8")
    result = check([FIXTURES / name], rules)
    assert [(f.vendor, f.date, f.amount) for f in result.flags] == [("Kaspersky", date(2026, 3, 1), Decimal("-59.99"))]


@pytest.mark.parametrize("cells, currency", [
    (("EUR -59,99", "EUR -1,00"), "EUR"),
    (("-59.99 USD", "2100.00 USD"), "USD"),
    (("EUR -59,99", "USD -1,00"), ""),      # two codes: no guess, the rows stay without one
    (("-59,99", "-1,00"), ""),
])
def test_a_currency_code_printed_in_every_amount_cell(tmp_path: Path, cells, currency: str) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(f"Datum;Text;Betrag\n01.03.2026;DRI*KASPERSKY;{cells[0]}\n02.03.2026;X;{cells[1]}\n", encoding="utf-8")
    frame = read_statement(path).transactions
    assert frame["currency"].tolist() == [currency, currency]
    assert int(frame["amount_cents"].iloc[0]) == -5999
