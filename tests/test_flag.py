"""flag_charges: which charges are flagged, refunded, refundable; stable ids; exact Flag records."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from chargecheck.flag import flag_charges, flag_ids
from chargecheck.model import Cancellation, Flag, Source
from chargecheck.schema import decimal_to_cents, make_transactions

KASPERSKY = Cancellation("Kaspersky", date(2026, 3, 1), reference="KL-58213")


def annotated(rows, file="card.csv", first_line=2, **columns) -> pd.DataFrame:
    """A matcher-annotated table: rows are (date, amount, description, matched vendor or "")."""
    frame = make_transactions({
        "date": [r[0] for r in rows],
        "amount_cents": [decimal_to_cents(Decimal(r[1])) for r in rows],
        "description": [r[2] for r in rows],
        "source_file": file,
        "source_line": [first_line + i for i in range(len(rows))],
        **{"currency": "USD", **columns},
    })
    vendors = [r[3] for r in rows]
    frame["cleaned"] = frame["description"].str.upper()
    frame["match_vendor"] = vendors
    frame["match_score"] = [100.0 if v else float("nan") for v in vendors]
    frame["match_alias"] = [v.upper() for v in vendors]
    frame["match_method"] = ["token" if v else "" for v in vendors]
    return frame


def summary(flags) -> list[tuple]:
    """(date, amount, status, days_after, line, refunded_by line) per flag, for scenario tables."""
    return [(f.date.isoformat(), str(f.amount), f.status, f.days_after, f.source.line,
             f.refunded_by.line if f.refunded_by else None) for f in flags]


K = "Kaspersky"
SCENARIOS = {
    "before, on and after the cancellation day": (
        [KASPERSKY],
        [("2026-02-01", "-59.99", "DRI*KASPERSKY", K), ("2026-03-01", "-59.99", "DRI*KASPERSKY", K),
         ("2026-03-02", "-59.99", "DRI*KASPERSKY", K), ("2026-04-01", "-59.99", "DRI*KASPERSKY", K)],
        [("2026-03-02", "-59.99", "flagged", 1, 4, None), ("2026-04-01", "-59.99", "flagged", 31, 5, None)],
    ),
    "paid through the end of the month": (
        [Cancellation("Kaspersky", date(2026, 2, 10), paid_through=date(2026, 2, 28))],
        [("2026-02-15", "-9.99", "KASPERSKY", K), ("2026-02-28", "-9.99", "KASPERSKY", K),
         ("2026-03-01", "-9.99", "KASPERSKY", K)],
        [("2026-03-01", "-9.99", "flagged", 19, 4, None)],
    ),
    "a later credit of the same amount refunds the flag": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-04-05", "59.99", "KASPERSKY REFUND", K)],
        [("2026-04-01", "-59.99", "refunded", 31, 2, 3)],
    ),
    "one credit refunds the nearest earlier of two charges": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-01", "-59.99", "KASPERSKY", K),
         ("2026-05-10", "59.99", "KASPERSKY REFUND", K)],
        [("2026-04-01", "-59.99", "flagged", 31, 2, None), ("2026-05-01", "-59.99", "refunded", 61, 3, 4)],
    ),
    "two credits refund two charges, each the nearest open one": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-01", "-59.99", "KASPERSKY", K),
         ("2026-05-10", "59.99", "KASPERSKY REFUND", K), ("2026-05-11", "59.99", "KASPERSKY REFUND", K)],
        [("2026-04-01", "-59.99", "refunded", 31, 2, 5), ("2026-05-01", "-59.99", "refunded", 61, 3, 4)],
    ),
    "a credit naming its period nets that month, not the oldest (Rueckgabe Lastschrift 05/2026)": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-01", "-59.99", "KASPERSKY", K),
         ("2026-06-01", "-59.99", "KASPERSKY", K),
         ("2026-06-10", "59.99", "RUECKGABE LASTSCHRIFT KASPERSKY 05/2026", K)],
        [("2026-04-01", "-59.99", "flagged", 31, 2, None), ("2026-05-01", "-59.99", "refunded", 61, 3, 5),
         ("2026-06-01", "-59.99", "flagged", 92, 4, None)],
    ),
    "a credit naming its month in words (MAI 2026)": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-01", "-59.99", "KASPERSKY", K),
         ("2026-06-01", "-59.99", "KASPERSKY", K),
         ("2026-06-10", "59.99", "GUTSCHRIFT KASPERSKY ABO MAI 2026", K)],
        [("2026-04-01", "-59.99", "flagged", 31, 2, None), ("2026-05-01", "-59.99", "refunded", 61, 3, 5),
         ("2026-06-01", "-59.99", "flagged", 92, 4, None)],
    ),
    "a credit sharing the charge's mandate reference nets that charge": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY MREF+KL4471 EREF+E2E20260401", K),
         ("2026-05-01", "-59.99", "KASPERSKY MREF+KL4471 EREF+E2E20260501", K),
         ("2026-06-10", "59.99", "RUECKLASTSCHRIFT MREF+KL4471 EREF+E2E20260401", K)],
        [("2026-04-01", "-59.99", "refunded", 31, 2, 4), ("2026-05-01", "-59.99", "flagged", 61, 3, None)],
    ),
    "a credit printing the charge's day nets that charge": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-01", "-59.99", "KASPERSKY", K),
         ("2026-06-10", "59.99", "REFUND OF CHARGE 2026-04-01", K)],
        [("2026-04-01", "-59.99", "refunded", 31, 2, 4), ("2026-05-01", "-59.99", "flagged", 61, 3, None)],
    ),
    "credits that do not answer the charge": (
        [KASPERSKY],
        [("2026-03-20", "59.99", "KASPERSKY", K),  # before the charge
         ("2026-04-01", "-59.99", "KASPERSKY", K),
         ("2026-04-03", "59.99", "NETFLIX", "Netflix")],  # another vendor
        [("2026-04-01", "-59.99", "flagged", 31, 3, None)],
    ),
    "a smaller credit answers the charge in part": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", K),
         ("2026-04-02", "5.00", "KASPERSKY", K)],  # another amount: a partial refund, still flagged
        [("2026-04-01", "-59.99", "flagged", 31, 2, 3)],
    ),
    "unmatched rows and other vendors are left alone": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPER JEWELRY", ""), ("2026-04-01", "-15.49", "NETFLIX.COM", "Netflix")],
        [],
    ),
    "vendor names compare case-insensitively": (
        [KASPERSKY],
        [("2026-04-01", "-59.99", "KASPERSKY", "kaspersky ")],
        [("2026-04-01", "-59.99", "flagged", 31, 2, None)],
    ),
    "the later cancellation governs charges after it": (
        [KASPERSKY, Cancellation("Kaspersky", date(2026, 5, 2), reference="KL-2")],
        [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-05-02", "-59.99", "KASPERSKY", K),
         ("2026-06-01", "-59.99", "KASPERSKY", K)],
        [("2026-04-01", "-59.99", "flagged", 31, 2, None), ("2026-05-02", "-59.99", "flagged", 62, 3, None),
         ("2026-06-01", "-59.99", "flagged", 30, 4, None)],
    ),
}


@pytest.mark.parametrize("cancellations, rows, expected", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_scenarios(cancellations, rows, expected):
    result = flag_charges(annotated(rows), cancellations)
    assert summary(result.flags) == expected
    assert result.refundable == ()


def test_partial_and_combined_credits_are_netted_nearest_earlier_first():
    rows = [("2026-04-01", "-59.99", "K", K), ("2026-05-01", "-59.99", "K", K), ("2026-06-01", "-59.99", "K", K),
            ("2026-05-15", "80.00", "K REFUND", K),   # covers May whole and 20.01 of April
            ("2026-06-20", "10.00", "K REFUND", K),   # 10.00 of June, the nearest open charge
            ("2026-03-25", "30.00", "K", K)]          # before every charge: answers none
    flags = flag_charges(annotated(rows), [KASPERSKY]).flags
    got = [(f.date.isoformat(), f.status, f.refunded_amount, f.owed, f.refunded_by and f.refunded_by.line) for f in flags]
    assert got == [
        ("2026-04-01", "flagged", Decimal("20.01"), Decimal("39.98"), 5),
        ("2026-05-01", "refunded", Decimal("59.99"), Decimal("0.00"), 5),
        ("2026-06-01", "flagged", Decimal("10.00"), Decimal("49.99"), 6),
    ]
    assert sum(f.owed for f in flags if f.outstanding) == Decimal("89.97")


def test_governing_cancellation_supplies_reference_and_dates():
    later = Cancellation("Kaspersky", date(2026, 5, 2), paid_through=date(2026, 5, 31), reference="KL-2")
    rows = [("2026-04-20", "-59.99", "K", K),  # after the first, before the second: the first governs
            ("2026-05-20", "-59.99", "K", K),  # inside the second's paid term: expected, not flagged
            ("2026-06-01", "-59.99", "K", K)]
    flags = flag_charges(annotated(rows), [later, KASPERSKY]).flags
    assert [(f.date.isoformat(), f.reference, f.cancelled_on, f.paid_through) for f in flags] == [
        ("2026-04-20", "KL-58213", date(2026, 3, 1), None),
        ("2026-06-01", "KL-2", date(2026, 5, 2), date(2026, 5, 31)),
    ]


def test_full_flag_record():
    cancellation = Cancellation("Kaspersky", date(2026, 3, 1), reference="KL-58213", refund_window_days=30,
                                amount=Decimal("59.99"), paid_through=date(2026, 3, 15))
    frame = annotated([("2026-04-01", "-59.99", "DRI*KASPERSKY LAB 866-3285700 MA", K)], file="stmts/card.csv")
    (flag,) = flag_charges(frame, [cancellation]).flags
    assert flag == Flag(
        id=flag_ids(frame).iloc[0], vendor="Kaspersky", date=date(2026, 4, 1), amount=Decimal("-59.99"),
        currency="USD", description="DRI*KASPERSKY LAB 866-3285700 MA", source=Source("stmts/card.csv", 2),
        cancelled_on=date(2026, 3, 1), paid_through=date(2026, 3, 15), days_after=31, reference="KL-58213",
        score=100.0, alias="KASPERSKY", method="token+amount", status="flagged",
        refund_deadline=date(2026, 5, 1), refunded_by=None, cleaned="DRI*KASPERSKY LAB 866-3285700 MA",
    )
    assert flag.outstanding


def test_a_charge_of_another_amount_is_still_flagged_without_the_amount_evidence():
    cancellation = replace(KASPERSKY, amount=Decimal("59.99"))
    rows = [("2026-04-01", "-59.99", "K", K), ("2026-05-01", "-69.99", "K", K)]
    assert [f.method for f in flag_charges(annotated(rows), [cancellation]).flags] == ["token+amount", "token"]


def test_refundable_window_before_the_cancellation():
    cancellation = replace(KASPERSKY, refund_window_days=30)
    rows = [("2026-01-20", "-59.99", "K", K),  # deadline 02-19 passed before the cancellation
            ("2026-01-30", "-59.99", "K", K),  # deadline 03-01: the cancellation day itself, still in time
            ("2026-02-05", "-59.99", "K", K),
            ("2026-03-01", "-59.99", "K", K),  # on the cancellation day: not flagged, refundable
            ("2026-03-05", "-59.99", "K", K),
            ("2026-03-06", "59.99", "K REFUND", K)]
    result = flag_charges(annotated(rows), [cancellation])
    assert [(f.date.isoformat(), f.status, f.days_after, f.refund_deadline.isoformat(), f.refunded_by)
            for f in result.refundable] == [
        ("2026-01-30", "refundable", -30, "2026-03-01", None),
        ("2026-02-05", "refundable", -24, "2026-03-07", None),
        ("2026-03-01", "refundable", 0, "2026-03-31", None),
    ]
    # The window never moves a credit: it refunds the nearest earlier charge, as without one.
    assert summary(result.flags) == [("2026-03-05", "-59.99", "refunded", 4, 6, 7)]
    assert summary(flag_charges(annotated(rows), [KASPERSKY]).flags) == summary(result.flags)
    assert result.flags[0].refund_deadline == date(2026, 4, 4)


def test_refunds_respect_currency_but_a_statement_without_one_matches_any():
    frame = annotated([("2026-04-01", "-59.99", "K", K), ("2026-04-02", "59.99", "K", K),
                       ("2026-05-01", "-59.99", "K", K), ("2026-05-02", "59.99", "K", K)],
                      currency=["USD", "EUR", "USD", ""])
    assert summary(flag_charges(frame, [KASPERSKY]).flags) == [
        ("2026-04-01", "-59.99", "flagged", 31, 2, None),  # the EUR credit cannot answer a USD charge
        ("2026-05-01", "-59.99", "refunded", 61, 4, 5),
    ]


def test_no_refund_window_means_no_refundable_list_and_no_deadline():
    result = flag_charges(annotated([("2026-02-28", "-5", "K", K), ("2026-03-02", "-5", "K", K)]), [KASPERSKY])
    assert result.refundable == ()
    assert result.flags[0].refund_deadline is None


def test_source_is_the_fitid_when_there_is_no_line():
    frame = annotated([("2026-04-01", "-59.99", "K", K)], file="card.ofx", bank_id=["2026040101"])
    frame["source_line"] = pd.array([pd.NA], dtype="Int64")
    (flag,) = flag_charges(frame, [KASPERSKY]).flags
    assert flag.source == Source("card.ofx", None, "2026040101")
    assert str(flag.source) == "card.ofx#2026040101"


def test_order_is_vendor_date_source():
    rows = [("2026-04-02", "-1", "N", "Netflix"), ("2026-04-01", "-2", "K", K), ("2026-04-01", "-3", "N", "Netflix"),
            ("2026-03-05", "-4", "K", K)]
    cancellations = [KASPERSKY, Cancellation("Netflix", date(2026, 3, 1))]
    flags = flag_charges(annotated(rows), cancellations).flags
    assert [(f.vendor, f.date.isoformat(), f.source.line) for f in flags] == [
        ("Kaspersky", "2026-03-05", 5), ("Kaspersky", "2026-04-01", 3),
        ("Netflix", "2026-04-01", 4), ("Netflix", "2026-04-02", 2),
    ]


def test_id_is_the_documented_hash():
    frame = annotated([("2026-04-01", "-59.99", "DRI*KASPERSKY  LAB", K)], account=["4111"])
    content = "4111\x1f\x1f2026-04-01\x1f-5999\x1fDRI*KASPERSKY LAB\x1f0"
    assert flag_ids(frame).tolist() == [hashlib.sha256(content.encode()).hexdigest()[:10]]


ROWS = [("2026-04-01", "-59.99", "KASPERSKY", K), ("2026-04-01", "-59.99", "KASPERSKY", K),  # identical twins
        ("2026-05-01", "-59.99", "KASPERSKY", K), ("2026-05-03", "59.99", "KASPERSKY", K),
        ("2026-05-04", "-3.00", "COFFEE", "")]


def test_ids_survive_row_order_file_renames_and_shifted_lines():
    base = flag_charges(annotated(ROWS), [KASPERSKY])
    ids = [f.id for f in base.flags]
    assert len(set(ids)) == 3  # identical twins still get distinct ids
    shuffled = annotated(ROWS).sample(frac=1, random_state=7)
    assert flag_charges(shuffled, [KASPERSKY]) == base
    moved = flag_charges(annotated(ROWS, file="2026/renamed.csv", first_line=40), [KASPERSKY])
    assert [f.id for f in moved.flags] == ids


def test_only_charges_from_cancelled_vendors_are_touched_and_missing_columns_are_refused():
    assert flag_charges(annotated(ROWS), []).flags == ()
    assert flag_charges(annotated(ROWS).iloc[0:0], [KASPERSKY]).flags == ()
    with pytest.raises(ValueError, match="missing: match_vendor"):
        flag_charges(annotated(ROWS).drop(columns="match_vendor"), [KASPERSKY])
