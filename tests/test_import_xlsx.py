"""Excel (.xlsx) exports: the first non-empty sheet is read like a CSV export, rows keep their
sheet row numbers, and a damaged or empty workbook is a StatementError naming the file."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from chargecheck.errors import StatementError
from chargecheck.importers import Sample, identify, read_statement
from chargecheck.importers.xlsx import IMPORTER
from chargecheck.pipeline import check

FIXTURES = Path(__file__).parent / "fixtures" / "xlsx"

# fixture: [(date, cents, description, sheet row)], skipped
EXPECTED = {
    "checking_preamble.xlsx": ([("2026-03-01", -5999, "DRI*KASPERSKY LAB 866-3285700", 5),
                                ("2026-03-05", -450, "COFFEE", 6), ("2026-03-13", 210000, "SALARY", 7)], 0),
    # everything stored as text, charges positive, on the second sheet (the first is empty)
    "card_text_cells.xlsx": ([("2026-03-01", -3999, "PAYPAL *NORTONLIFEL", 2),
                              ("2026-02-10", -3999, "PAYPAL *NORTONLIFEL", 3),
                              ("2026-03-04", 50000, "PAYMENT THANK YOU", 4)], 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_workbook_rows(name: str) -> None:
    rows, skipped = EXPECTED[name]
    statement = read_statement(FIXTURES / name)
    frame = statement.transactions
    got = [(d.date().isoformat(), int(c), desc, int(line)) for d, c, desc, line in
           zip(frame["date"], frame["amount_cents"], frame["description"], frame["source_line"])]
    assert (statement.format, got, len(statement.skipped)) == ("xlsx", rows, skipped)
    assert statement.rows_read == len(frame) + len(statement.skipped)


@pytest.mark.parametrize("name, found", [
    ("empty.xlsx", "only empty sheets"),
    ("truncated.xlsx", "one openpyxl cannot read (BadZipFile"),
])
def test_broken_workbooks(name: str, found: str) -> None:
    path = FIXTURES / "broken" / name
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(path) in str(caught.value) and found in str(caught.value)


def test_identified_by_content_not_by_name(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["Date", "Description", "Amount"])
    book.active.append(["2026-03-02", "NETFLIX.COM", -15.49])
    handle = io.BytesIO()
    book.save(handle)
    path = tmp_path / "download.bin"
    path.write_bytes(handle.getvalue())
    assert identify(path).name == "xlsx"
    assert not IMPORTER.identify(Sample(tmp_path / "x.zip", b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml"))


def test_check_flags_a_charge_from_a_workbook(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[cancellation]]\nvendor = "Kaspersky"\ncancelled_on = 2026-02-15\n', encoding="utf-8")
    result = check([FIXTURES / "checking_preamble.xlsx"], rules)
    assert [(f.date, f.amount, str(f.source)) for f in result.flags] == [
        (date(2026, 3, 1), Decimal("-59.99"), f"{FIXTURES / 'checking_preamble.xlsx'}:5")]


@pytest.mark.parametrize("head, found", [
    (b"%PDF-1.7\n", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "an Excel 97-2003 (.xls) workbook"),
])
def test_files_a_bank_offers_that_hold_no_rows_are_named(tmp_path: Path, head: bytes, found: str) -> None:
    path = tmp_path / "statement.download"
    path.write_bytes(head)
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert f"found {found}" in str(caught.value) and caught.value.hint


def test_a_zip_that_is_no_workbook_is_named(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "statements.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("march.csv", "Date,Description,Amount\n2026-03-01,NETFLIX.COM,-15.49\n")
    with pytest.raises(StatementError, match="found a ZIP archive"):
        read_statement(path)
