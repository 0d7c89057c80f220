"""Overlapping statements: a transaction held by two files is counted once, and every drop is listed."""

from __future__ import annotations

import json
import textwrap
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.dedupe import SAME_BANK_ID, SAME_CONTENT, drop_overlaps
from chargecheck.importers import ImportOptions
from chargecheck.importers.mt940 import IMPORTER as MT940
from chargecheck.model import DuplicateDrop, Source
from chargecheck.schema import TRANSACTION_SCHEMA, Statement, make_transactions


def statement(name: str, *rows: tuple, fmt: str = "ofx") -> Statement:
    """A statement from (date, cents, description[, bank_id[, account]]) rows, lines 1..n."""
    frame = make_transactions({
        "date": [r[0] for r in rows],
        "amount_cents": [r[1] for r in rows],
        "description": [r[2] for r in rows],
        "bank_id": [r[3] if len(r) > 3 else "" for r in rows],
        "account": [r[4] if len(r) > 4 else "ACC" for r in rows],
        "source_file": [name] * len(rows),
        "source_line": list(range(1, len(rows) + 1)),
    })
    return Statement(name, fmt, len(rows), frame)


COFFEE = ("2026-03-02", -350, "COFFEE SHOP")


def kept(frame: pd.DataFrame) -> list[tuple[str, int]]:
    return list(zip(frame["source_file"], frame["source_line"].astype(int)))


def test_identical_rows_in_one_file_stay_and_the_extra_one_from_another_file_is_new():
    a = statement("a.csv", COFFEE, COFFEE)
    b = statement("b.csv", COFFEE, COFFEE, COFFEE)
    frame, drops = drop_overlaps([a, b])
    assert kept(frame) == [("a.csv", 1), ("a.csv", 2), ("b.csv", 3)]
    assert drops == (
        DuplicateDrop(Source("a.csv", 1), Source("b.csv", 1), date(2026, 3, 2), Decimal("-3.50"), "COFFEE SHOP", SAME_CONTENT),
        DuplicateDrop(Source("a.csv", 2), Source("b.csv", 2), date(2026, 3, 2), Decimal("-3.50"), "COFFEE SHOP", SAME_CONTENT),
    )


def test_one_file_alone_is_never_deduplicated():
    frame, drops = drop_overlaps([statement("a.csv", COFFEE, COFFEE, COFFEE)])
    assert len(frame) == 3 and drops == ()


def test_three_files_keep_the_largest_count_of_a_row():
    a = statement("a.csv", COFFEE, COFFEE)
    b = statement("b.csv", COFFEE, COFFEE, COFFEE)
    c = statement("c.csv", COFFEE)
    frame, drops = drop_overlaps([a, b, c])
    assert kept(frame) == [("a.csv", 1), ("a.csv", 2), ("b.csv", 3)]
    assert [(d.kept, d.dropped) for d in drops] == [
        (Source("a.csv", 1), Source("b.csv", 1)), (Source("a.csv", 2), Source("b.csv", 2)),
        (Source("a.csv", 1), Source("c.csv", 1))]


def test_same_bank_id_is_one_transaction_even_with_different_descriptions():
    a = statement("jan.ofx", ("2026-03-02", -999, "NETFLIX.COM", "FIT1"))
    b = statement("feb.ofx", ("2026-03-02", -999, "NETFLIX.COM 866-579-7172 CA", "FIT1"))
    frame, drops = drop_overlaps([a, b])
    assert kept(frame) == [("jan.ofx", 1)]
    assert drops == (DuplicateDrop(
        Source("jan.ofx", 1, "FIT1"), Source("feb.ofx", 1, "FIT1"), date(2026, 3, 2), Decimal("-9.99"),
        "NETFLIX.COM 866-579-7172 CA", SAME_BANK_ID),)


def test_different_bank_ids_are_different_transactions_even_when_identical():
    a = statement("a.ofx", (*COFFEE, "FIT1"))
    b = statement("b.ofx", (*COFFEE, "FIT2"))
    frame, drops = drop_overlaps([a, b])
    assert len(frame) == 2 and drops == ()


def test_reused_bank_id_on_another_date_is_a_new_charge():
    # a creditor reusing its reference every month must not hide next month's charge
    a = statement("jan.xml", ("2026-01-05", -1299, "GYM", "MANDATE-7"))
    b = statement("feb.xml", ("2026-02-05", -1299, "GYM", "MANDATE-7"))
    frame, drops = drop_overlaps([a, b])
    assert len(frame) == 2 and drops == ()


def test_ids_of_different_schemes_are_not_compared_so_content_decides():
    # the same payment as an OFX FITID and as a CAMT account-servicer reference
    a = statement("bank.ofx", (*COFFEE, "20260302-1"), fmt="ofx")
    b = statement("bank.xml", (*COFFEE, "ACSR-99812"), fmt="camt")
    frame, drops = drop_overlaps([a, b])
    assert kept(frame) == [("bank.ofx", 1)]
    assert drops[0].dropped == Source("bank.xml", 1, "ACSR-99812") and drops[0].reason == SAME_CONTENT


def test_row_without_bank_id_matches_by_content_a_row_with_one():
    a = statement("bank.ofx", (*COFFEE, "FIT1"))
    b = statement("export.csv", COFFEE)
    frame, drops = drop_overlaps([a, b])
    assert kept(frame) == [("bank.ofx", 1)]
    assert drops[0].kept == Source("bank.ofx", 1, "FIT1") and drops[0].reason == SAME_CONTENT


def test_content_match_ignores_case_and_spacing_but_not_account_date_or_amount():
    a = statement("a.csv", ("2026-03-02", -350, "Coffee  Shop"), ("2026-03-02", -350, "X", "", "OTHER"))
    b = statement("b.csv", ("2026-03-02", -350, "COFFEE SHOP"), ("2026-03-02", -350, "X"),
                  ("2026-03-03", -350, "COFFEE SHOP"), ("2026-03-02", -351, "COFFEE SHOP"))
    frame, drops = drop_overlaps([a, b])
    assert [d.dropped for d in drops] == [Source("b.csv", 1)]
    assert len(frame) == 5


def test_the_earlier_file_in_the_given_order_keeps_its_rows():
    a = statement("a.csv", COFFEE)
    b = statement("b.csv", COFFEE)
    assert kept(drop_overlaps([a, b])[0]) == [("a.csv", 1)]
    assert kept(drop_overlaps([b, a])[0]) == [("b.csv", 1)]


def test_schema_is_kept_and_empty_input_gives_an_empty_table():
    frame, drops = drop_overlaps([statement("a.csv", COFFEE), statement("b.csv")])
    assert {c: str(t) for c, t in frame.dtypes.items()} == {c: str(pd.Series(dtype=t).dtype) for c, t in TRANSACTION_SCHEMA.items()}
    empty, none = drop_overlaps([])
    assert list(empty.columns) == list(TRANSACTION_SCHEMA) and len(empty) == 0 and none == ()



def test_rows_no_other_file_shares_date_and_amount_with_are_kept_around_the_duplicates():
    # Only rows whose (date, amount) another file also holds are matched; the rows between
    # them keep their places and the drops still name the right lines.
    lunch, rent = ("2026-03-02", -1200, "LUNCH"), ("2026-03-01", -90000, "RENT")
    a = statement("a.csv", rent, COFFEE, ("2026-03-03", -500, "BOOKS"))
    b = statement("b.csv", ("2026-03-02", -350, "coffee  shop"), lunch, COFFEE, rent)
    c = statement("c.csv", lunch, ("2026-03-04", -999, "GYM"))
    frame, drops = drop_overlaps([a, b, c])
    assert kept(frame) == [("a.csv", 1), ("a.csv", 2), ("a.csv", 3), ("b.csv", 2), ("b.csv", 3), ("c.csv", 2)]
    assert drops == (
        DuplicateDrop(Source("a.csv", 2), Source("b.csv", 1), date(2026, 3, 2), Decimal("-3.50"), "coffee  shop", SAME_CONTENT),
        DuplicateDrop(Source("a.csv", 1), Source("b.csv", 4), date(2026, 3, 1), Decimal("-900.00"), "RENT", SAME_CONTENT),
        DuplicateDrop(Source("b.csv", 2), Source("c.csv", 1), date(2026, 3, 2), Decimal("-12.00"), "LUNCH", SAME_CONTENT),
    )


def test_files_without_a_shared_date_and_amount_are_concatenated_as_they_are():
    a = statement("a.csv", COFFEE, COFFEE)
    b = statement("b.csv", ("2026-03-02", -351, "COFFEE SHOP"), ("2026-03-03", -350, "COFFEE SHOP"))
    frame, drops = drop_overlaps([a, b])
    assert drops == ()
    pd.testing.assert_frame_equal(frame, pd.concat([a.transactions, b.transactions], ignore_index=True))


JAN_MAR = """\
    :20:Q1
    :25:NL00BANK0123456789
    :60F:C260101EUR100,00
    :61:2601150115D9,99NDDTNONREF//B0115
    :86:/NAME/NETFLIX/REMI/USTD//January
    :61:2602150215D9,99NDDTNONREF//B0215
    :86:/NAME/NETFLIX/REMI/USTD//February
    :61:2603150315D9,99NDDTNONREF//B0315
    :86:/NAME/NETFLIX/REMI/USTD//March
    :62F:C260331EUR70,03
"""
FEB_APR = """\
    :20:Q2
    :25:NL00BANK0123456789
    :60F:C260201EUR90,02
    :61:2602150215D9,99NDDTNONREF//B0215
    :86:/NAME/NETFLIX/REMI/USTD//February
    :61:2603150315D9,99NDDTNONREF//B0315
    :86:/NAME/NETFLIX/REMI/USTD//March
    :61:2604150415D9,99NDDTNONREF//B0415
    :86:/NAME/NETFLIX/REMI/USTD//April
    :62F:C260430EUR60,04
"""


def test_overlapping_mt940_statements_end_to_end(tmp_path: Path):
    paths = []
    for name, text in (("q1.sta", JAN_MAR), ("q2.sta", FEB_APR)):
        paths.append(tmp_path / name)
        paths[-1].write_text(textwrap.dedent(text))
    statements = [MT940.extract(path, ImportOptions()) for path in paths]
    frame, drops = drop_overlaps(statements)
    assert list(frame["date"].dt.strftime("%m-%d")) == ["01-15", "02-15", "03-15", "04-15"]
    assert list(frame["amount_cents"]) == [-999] * 4
    assert [(d.kept, d.dropped, d.reason) for d in drops] == [
        (Source(str(paths[0]), 6, "B0215"), Source(str(paths[1]), 4, "B0215"), SAME_BANK_ID),
        (Source(str(paths[0]), 8, "B0315"), Source(str(paths[1]), 6, "B0315"), SAME_BANK_ID),
    ]


def test_large_overlap_is_vectorised():
    n = 300_000
    rng = np.random.default_rng(7)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    cents = -rng.integers(100, 100_000, n)
    texts = np.array([f"VENDOR {i}" for i in range(500)])[rng.integers(0, 500, n)]

    def part(name: str, lo: int, hi: int) -> Statement:
        frame = make_transactions({"date": days[lo:hi], "amount_cents": cents[lo:hi], "description": texts[lo:hi],
                                   "source_file": [name] * (hi - lo), "source_line": np.arange(hi - lo) + 1})
        return Statement(name, "csv", hi - lo, frame)

    first, second = part("a.csv", 0, 200_000), part("b.csv", 100_000, 300_000)
    started = time.perf_counter()
    frame, drops = drop_overlaps([first, second])
    elapsed = time.perf_counter() - started
    assert len(frame) + len(drops) == 400_000
    assert len(drops) >= 100_000  # the overlap, plus any chance repeats between the files
    assert elapsed < 15, f"{elapsed:.1f} s for 400,000 rows"


CAMT_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>\n'
             "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n")
CAMT_ENTRY = ('<Ntry><Amt Ccy="EUR">15.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-{m:02d}-03</Dt>'
              "</BookgDt><AcctSvcrRef>NFX-{m:02d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Cdtr>"
              "<Nm>NETFLIX.COM</Nm></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>\n")


def test_check_counts_overlapping_camt_statements_once_and_lists_the_drops(tmp_path: Path):
    """End to end: January-March and February-April flag each post-cancellation charge once."""
    for name, months in (("q1.xml", (1, 2, 3)), ("q2.xml", (2, 3, 4))):
        entries = "".join(CAMT_ENTRY.format(m=m) for m in months)
        (tmp_path / name).write_text(CAMT_HEAD + entries + "</Stmt></BkToCstmrStmt></Document>\n")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cancellations.toml").write_text('[[cancellation]]\nvendor = "Netflix"\ncancelled_on = 2026-01-15\n')
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "q1.xml"), str(tmp_path / "q2.xml"),
                                      "--rules", str(rules), "--format", "json"])
    report = json.loads(result.output)
    assert sorted(flag["date"] for flag in report["flags"]) == ["2026-02-03", "2026-03-03", "2026-04-03"]
    assert [(d["date"], d["kept"]["fitid"], Path(d["kept"]["file"]).name, Path(d["dropped"]["file"]).name)
            for d in report["duplicates"]] == [
        ("2026-02-03", "NFX-02", "q1.xml", "q2.xml"), ("2026-03-03", "NFX-03", "q1.xml", "q2.xml")]
