"""The "to check" tier, the user's own history, one payment counted once, every cancellation
accounted for: flag_charges, link_same_payments, account_cancellations and closest_descriptors
on matcher-annotated tables (the tier columns written as the matcher writes them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from chargecheck.dedupe import SAME_PAYMENT_DAYS, link_same_payments
from chargecheck.flag import account_cancellations, flag_charges
from chargecheck.match import Matcher
from chargecheck.match.closest import closest_descriptors
from chargecheck.model import Cancellation, MatchTier
from chargecheck.schema import decimal_to_cents, make_transactions

K = "Kaspersky"
KASPERSKY = Cancellation(K, date(2026, 3, 20))
SURE, DOUBT = MatchTier.FLAGGED.value, MatchTier.TO_CHECK.value


def annotated(rows, file="card.csv") -> pd.DataFrame:
    """Rows (date, amount, description, vendor or "", tier, doubt) as the matcher annotates them."""
    frame = make_transactions({
        "date": [r[0] for r in rows],
        "amount_cents": [decimal_to_cents(Decimal(r[1])) for r in rows],
        "description": [r[2] for r in rows],
        "source_file": [r[6] if len(r) > 6 else file for r in rows],
        "source_line": list(range(2, len(rows) + 2)),
        "currency": "USD",
    })
    frame["cleaned"] = [" ".join(r[2].upper().split()) for r in rows]
    frame["match_vendor"] = [r[3] for r in rows]
    frame["match_score"] = [100.0 if r[3] else 0.0 for r in rows]
    frame["match_alias"] = [r[3].upper() for r in rows]
    frame["match_method"] = ["token" if r[3] else "" for r in rows]
    frame["match_tier"] = [r[4] if r[3] else "" for r in rows]
    frame["match_doubt"] = [r[5] if r[3] else "" for r in rows]
    return frame


HISTORY = [("2026-01-12", "-12.99", "DRI*KASPERSKY", K, SURE, ""),
           ("2026-02-12", "-12.99", "DRI*KASPERSKY", K, SURE, ""),
           ("2026-03-12", "-12.99", "DRI*KASPERSKY", K, SURE, "")]
GBP = "an amount and currency echoed in the text"


def _summary(flags):
    return [(f.date.isoformat(), str(f.amount), f.status, f.method, f.reason) for f in flags]


def test_a_doubtful_match_after_the_cancellation_is_to_check_not_flagged():
    rows = [("2026-04-02", "-7.49", "DRI*KASPERSKY LAB IRL 4.99 GBP", K, DOUBT, GBP)]
    result = flag_charges(annotated(rows), [KASPERSKY])
    assert result.flags == ()
    assert _summary(result.to_check) == [("2026-04-02", "-7.49", "to_check", "token", GBP)]
    assert not result.to_check[0].outstanding  # never totalled, never in the exit code


def test_without_a_tier_column_every_match_is_confident():
    frame = annotated([("2026-04-02", "-7.49", "DRI*KASPERSKY LAB IRL 4.99 GBP", K, DOUBT, GBP)])
    result = flag_charges(frame.drop(columns=["match_tier", "match_doubt"]), [KASPERSKY])
    assert [f.status for f in result.flags] == ["flagged"] and result.to_check == ()


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Same amount, on the monthly cadence: the series goes on, flagged.
        (("2026-04-13", "-12.99", "KASPERSKY LAB IRL 12.99 GBP", K, DOUBT, GBP), ("flagged", "token+series")),
        # A skipped month is still on the cadence.
        (("2026-05-11", "-12.99", "KASPERSKY LAB IRL 12.99 GBP", K, DOUBT, GBP), ("flagged", "token+series")),
        # Same descriptor at a new price (a price rise), on the cadence.
        (("2026-04-12", "-14.99", "DRI*KASPERSKY", K, DOUBT, "generic"), ("flagged", "token+series")),
        # Same amount, off the cadence: nothing in the history vouches for it.
        (("2026-03-29", "-12.99", "KASPERSKY LAB IRL 12.99 GBP", K, DOUBT, GBP), ("to_check", "token")),
        # Another amount under another descriptor: stays to check.
        (("2026-04-12", "-4.99", "KASPERSKY LAB IRL 4.99 GBP", K, DOUBT, GBP), ("to_check", "token")),
    ],
)
def test_charges_continuing_a_series_of_the_users_history_are_flagged(after, expected):
    result = flag_charges(annotated(HISTORY + [after]), [KASPERSKY])
    (entry,) = result.flags + result.to_check
    assert (entry.status, entry.method) == expected


def test_a_history_of_doubtful_matches_alone_vouches_for_nothing():
    doubtful = [(day, amount, text, vendor, DOUBT, "generic") for day, amount, text, vendor, _, _ in HISTORY]
    rows = doubtful + [("2026-04-12", "-12.99", "DRI*KASPERSKY", K, DOUBT, "generic")]
    result = flag_charges(annotated(rows), [KASPERSKY])
    assert result.flags == () and [f.status for f in result.to_check] == ["to_check"]


NEW_NAME = "DIGITAL RIVER IRELAND DUBLIN"


def test_a_new_series_at_the_usual_amount_around_the_cancellation_is_to_check():
    rows = HISTORY + [("2026-04-12", "-12.99", NEW_NAME, "", "", ""), ("2026-05-12", "-12.99", NEW_NAME, "", "", ""),
                      ("2026-04-09", "-12.99", "CHIPOTLE 1187", "", "", "")]  # a one-off: no series
    result = flag_charges(annotated(rows), [KASPERSKY])
    assert result.flags == ()
    assert [(f.date.isoformat(), f.method, f.vendor) for f in result.to_check] == [
        ("2026-04-12", "series", K), ("2026-05-12", "series", K)]
    assert "new series at Kaspersky's usual amount (12.99) starting 2026-04-12" in result.to_check[0].reason


@pytest.mark.parametrize(
    "extra",
    [
        [("2025-11-12", "-12.99", NEW_NAME, "", "", "")],  # the descriptor was charged long before: not new
        [],  # one charge is no series (the other is removed below)
    ],
)
def test_no_new_series_without_a_new_recurring_descriptor(extra):
    new = [("2026-04-12", "-12.99", NEW_NAME, "", "", "")] + ([("2026-05-12", "-12.99", NEW_NAME, "", "", "")]
                                                               if extra else [])
    result = flag_charges(annotated(extra + HISTORY + new), [KASPERSKY])
    assert result.flags == () and result.to_check == ()


NETFLIX = Cancellation("Netflix", date(2026, 3, 1))
CARD_LINE = ("2026-03-16", "-15.49", "PAYPAL*NETFLIX", "Netflix", SURE, "", "chase.csv")
WALLET_LINE = ("2026-03-14", "-15.49", "NETFLIX, INC. PREAPPROVED PAYMENT BILL USER PAYMENT", "Netflix", DOUBT,
               "payment-type words", "paypal.csv")


def _linked(rows):
    return link_same_payments(annotated(rows), ["PAYPAL*", "PP*"])


def test_a_wallet_line_and_the_card_line_funding_it_are_one_flag_with_both_sources():
    result = flag_charges(_linked([CARD_LINE, WALLET_LINE]), [NETFLIX])
    (flag,) = result.flags
    assert result.to_check == ()  # the confident card line stands for the doubtful wallet line
    assert (flag.source.file, [s.file for s in flag.same_payment]) == ("chase.csv", ["paypal.csv"])
    assert account_cancellations(_linked([CARD_LINE, WALLET_LINE]), [NETFLIX])[0].matched_after == 1


def test_two_doubtful_lines_of_one_payment_are_one_entry_to_check():
    card = (*CARD_LINE[:4], DOUBT, "truncated", CARD_LINE[6])
    result = flag_charges(_linked([card, WALLET_LINE]), [NETFLIX])
    (entry,) = result.to_check
    assert result.flags == () and entry.source.file == "chase.csv" and len(entry.same_payment) == 1


@pytest.mark.parametrize(
    "wallet",
    [
        ("2026-03-09", *WALLET_LINE[1:]),  # more than SAME_PAYMENT_DAYS apart: two payments
        (*WALLET_LINE[:6], "chase.csv"),  # the same file: two lines of one statement are two payments
        ("2026-03-14", "-17.99", *WALLET_LINE[2:]),  # another amount
    ],
)
def test_lines_that_are_not_one_payment_stay_two(wallet):
    assert (date(2026, 3, 16) - date(2026, 3, 9)).days > SAME_PAYMENT_DAYS
    result = flag_charges(_linked([CARD_LINE, wallet]), [NETFLIX])
    assert len(result.flags + result.to_check) == 2
    assert all(f.same_payment == () for f in result.flags + result.to_check)


def test_a_refund_seen_in_the_wallet_and_on_the_card_answers_the_charge_once():
    rows = [CARD_LINE, WALLET_LINE,
            ("2026-03-20", "15.49", "PAYPAL*NETFLIX", "Netflix", SURE, "", "chase.csv"),
            ("2026-03-19", "15.49", "NETFLIX, INC. PAYMENT REFUND", "Netflix", SURE, "", "paypal.csv")]
    (flag,) = flag_charges(_linked(rows), [NETFLIX]).flags
    assert flag.status == "refunded" and flag.same_payment


def test_every_cancellation_is_accounted_for_before_and_after():
    twice = [Cancellation(K, date(2026, 2, 1)), KASPERSKY, Cancellation("Norton", date(2026, 3, 1))]
    rows = HISTORY + [("2026-04-12", "-12.99", "DRI*KASPERSKY", K, SURE, "")]
    accounts = account_cancellations(annotated(rows), twice)
    assert [(a.cancellation.cancelled_on.isoformat(), a.matched_before, a.matched_after, a.last_seen_before)
            for a in accounts] == [("2026-02-01", 1, 2, date(2026, 1, 12)),
                                   ("2026-03-20", 2, 1, date(2026, 3, 12)),
                                   ("2026-03-01", 0, 0, None)]
    assert [a.matched_nothing for a in accounts] == [False, False, True]


def test_closest_descriptors_are_the_nearest_refused_ones_with_the_matchers_reason():
    norton = Cancellation("Norton", date(2026, 3, 1), exclude=("NORTON'S PIZZA",))
    matcher = Matcher([norton, Cancellation("Netflix", date(2026, 3, 1))])
    descriptors = {"TST*NORTON'S PIZZA": "TST* NORTON'S PIZZA NEW YORK NY", "NETFLIX.COM": "NETFLIX.COM",
                   "SHELL OIL": "SHELL OIL 57444370104", "NORTONLIFELOCK BURLINGTON": "NORTONLIFELOCK BURLINGTON MA",
                   "NORTHWIND COFFEE CO BROOKLYN": "NORTHWIND COFFEE CO BROOKLYN NY"}
    closest = closest_descriptors(matcher, norton, descriptors)
    described = [c.description for c in closest]
    # Both contain the whole name (a tie at 100): the cleaned text decides the order.
    assert described[:2] == ["NORTONLIFELOCK BURLINGTON MA", "TST* NORTON'S PIZZA NEW YORK NY"]
    assert "SHELL OIL 57444370104" not in described and "NETFLIX.COM" not in described
    assert all(c.reason for c in closest)
    assert closest == closest_descriptors(matcher, norton, dict(reversed(list(descriptors.items()))))
    assert closest_descriptors(matcher, norton, descriptors, limit=1) == closest[:1]
