"""Recurring-charge discovery on small hand-written histories, with the exact series expected.

Merchants are invented and grouped without the vendor knowledge base (``NO_MATCHER``), so
each expectation depends only on discovery itself; ``test_discover_vendor.py`` covers naming.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from chargecheck.discover.subscriptions import PriceChange, discover, find_subscriptions
from chargecheck.model import Cancellation, Source
from chargecheck.schema import make_transactions


class _NoMatcher:
    """A matcher that knows no vendor: grouping falls back to the cleaned descriptor."""

    def annotate(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(match_vendor="")


NO_MATCHER = _NoMatcher()


def table(*rows) -> pd.DataFrame:
    """Rows of (ISO date, amount as printed, description[, account]) → a schema table, lines from 2."""
    return make_transactions({
        "date": [r[0] for r in rows],
        "amount_cents": [int(Decimal(r[1]) * 100) for r in rows],
        "description": [r[2] for r in rows],
        "account": [r[3] if len(r) > 3 else "card-1" for r in rows],
        "currency": ["USD"] * len(rows),
        "source_file": ["card.csv"] * len(rows),
        "source_line": list(range(2, len(rows) + 2)),
    })


def subs_of(*rows, **kwargs):
    return find_subscriptions(table(*rows), matcher=NO_MATCHER, **kwargs)


def groceries(start: date, weeks: int, seed: int = 7) -> list[tuple]:
    """A Saturday shop with varying amounts: repeats weekly, is no subscription."""
    rng = random.Random(seed)
    return [((start + timedelta(weeks=k)).isoformat(), f"-{rng.randint(2500, 16000) / 100:.2f}",
             f"FRESHMART #{rng.randint(10, 99)}") for k in range(weeks)]


def test_month_end_weekend_late_and_skipped_month_are_one_monthly_series():
    rows = [("2025-01-31", "-15.49", "STREAMFLIX.COM 866-555-0101"),
            ("2025-02-28", "-15.49", "STREAMFLIX.COM 866-555-0101"),
            ("2025-03-31", "-15.49", "STREAMFLIX.COM 866-555-0101"),
            ("2025-05-01", "-15.49", "STREAMFLIX.COM 866-555-0101"),   # due 30 April, posted late
            ("2025-06-02", "-15.49", "STREAMFLIX.COM 866-555-0101"),   # 31 May was a Saturday
            ("2025-08-01", "-15.49", "STREAMFLIX.COM 866-555-0101"),   # July skipped
            ("2025-08-31", "-15.49", "STREAMFLIX.COM 866-555-0101")]
    (sub,) = subs_of(*rows)
    assert (sub.vendor, sub.cadence, sub.status) == ("STREAMFLIX", "monthly", "active")
    assert (sub.amount, sub.amount_min, sub.amount_max, sub.next_amount) == (Decimal("15.49"),) * 4
    assert (sub.first, sub.last, sub.next_expected) == (date(2025, 1, 31), date(2025, 8, 31), date(2025, 9, 30))
    assert sub.price_changes == ()
    assert [c.source for c in sub.charges] == [Source("card.csv", line) for line in range(2, 9)]
    assert sub.evidence == "7 charges, 6 of 6 intervals monthly within 3 days, 1 cycle skipped, amount 15.49 every time"
    assert sub.confidence == pytest.approx(0.867)  # (6 - 0.4 per skip) / 6 on time, mapped 50..100% → 0..1
    assert sub.cancel_command == "chargecheck cancel STREAMFLIX --on 2025-08-31 --amount 15.49 --alias STREAMFLIX.COM"


def test_price_change_is_reported_with_date_and_both_amounts():
    dates = ["2025-01-09", "2025-02-09", "2025-03-10", "2025-04-09", "2025-05-09", "2025-06-09"]
    amounts = ["-10.99", "-10.99", "-10.99", "-12.99", "-12.99", "-12.99"]
    (sub,) = subs_of(*[(d, a, "TUNEBOX*PREMIUM") for d, a in zip(dates, amounts)])
    assert sub.price_changes == (PriceChange(date(2025, 4, 9), Decimal("10.99"), Decimal("12.99")),)
    assert (sub.amount_min, sub.amount_max, sub.next_amount) == (Decimal("10.99"), Decimal("12.99"), Decimal("12.99"))
    assert sub.next_expected == date(2025, 7, 9)
    assert len(sub.charges) == 6


def test_two_plans_of_one_merchant_are_two_series():
    rows = []
    for month in range(1, 9):
        rows.append((f"2025-{month:02d}-05", "-0.99", "APPMARKET.COM/BILL"))
        rows.append((f"2025-{month:02d}-17", "-9.99", "APPMARKET.COM/BILL"))
    subs = subs_of(*rows)
    assert [(s.vendor, s.amount, s.cadence, len(s.charges)) for s in subs] == [
        ("APPMARKET BILL", Decimal("0.99"), "monthly", 8),
        ("APPMARKET BILL", Decimal("9.99"), "monthly", 8),
    ]
    assert {c.date.day for c in subs[0].charges} == {5}


def test_tax_drift_stays_one_series_without_price_changes():
    amounts = ["-20.00", "-20.13", "-19.94", "-20.07", "-20.02", "-19.97", "-20.10"]
    rows = [(f"2025-{m + 1:02d}-12", a, "CODECLOUD INC") for m, a in enumerate(amounts)]
    (sub,) = subs_of(*rows)
    assert (sub.amount, sub.amount_min, sub.amount_max) == (Decimal("20.02"), Decimal("19.94"), Decimal("20.13"))
    assert sub.price_changes == ()
    assert sub.cadence == "monthly"


def test_subscription_moving_to_a_new_card_is_one_series():
    old = [(f"2025-{m:02d}-03", "-39.99", "FITHUB GYM #4471", "card-1") for m in range(1, 6)]
    new = [(f"2025-{m:02d}-03", "-39.99", "FITHUB GYM #4471", "card-2") for m in range(6, 10)]
    (sub,) = subs_of(*old, *new)
    assert [c.account for c in sub.charges] == ["card-1"] * 5 + ["card-2"] * 4
    assert (sub.first, sub.last, sub.cadence) == (date(2025, 1, 3), date(2025, 9, 3), "monthly")


def test_yearly_renewal_with_only_two_charges():
    rows = [("2024-03-14", "-79.99", "DRI*SAFEGUARD ANTIVIRUS"), ("2025-03-17", "-79.99", "DRI*SAFEGUARD ANTIVIRUS"),
            ("2025-06-01", "-5.00", "CORNER STORE")]
    (sub,) = subs_of(*rows)
    assert (sub.vendor, sub.cadence, sub.status) == ("SAFEGUARD ANTIVIRUS", "yearly", "active")
    assert sub.next_expected == date(2026, 3, 17)
    assert sub.evidence == "2 charges, 1 of 1 intervals yearly within 3 days, amount 79.99 every time"


@pytest.mark.parametrize(
    ("cadence", "step", "count"),
    [("weekly", timedelta(weeks=1), 10), ("biweekly", timedelta(weeks=2), 8)],
)
def test_weekly_and_biweekly(cadence, step, count):
    start = date(2025, 3, 4)
    rows = [((start + k * step).isoformat(), "-64.99", "MEALCRATE DELIVERY") for k in range(count)]
    (sub,) = subs_of(*rows)
    assert (sub.cadence, len(sub.charges)) == (cadence, count)
    assert sub.next_expected == start + count * step


def test_quarterly():
    rows = [(d, "-45.00", "AQUAPURE FILTER PLAN") for d in ("2024-11-20", "2025-02-20", "2025-05-21", "2025-08-20")]
    (sub,) = subs_of(*rows)
    assert (sub.cadence, sub.next_expected) == ("quarterly", date(2025, 11, 20))


def test_weekly_groceries_with_varying_amounts_are_refused_with_evidence():
    found = discover(table(*groceries(date(2025, 1, 4), 30)), matcher=NO_MATCHER)
    assert found.subscriptions == ()
    (refused,) = found.refused
    assert refused.vendor == "FRESHMART"
    assert refused.charges == 30
    assert refused.evidence.startswith("30 charges, 29 of 29 intervals weekly")
    assert refused.evidence.endswith("amounts 31.14–159.55 (±28.3% around the price level)")
    assert refused.confidence < 0.5


def test_irregular_coffee_at_one_price_is_not_a_subscription():
    rng = random.Random(3)
    day, rows = date(2025, 1, 2), []
    while day < date(2025, 7, 1):
        rows.append((day.isoformat(), "-4.75", "SQ *BEANERY COFFEE"))
        day += timedelta(days=rng.choice([1, 1, 2, 3, 4, 6]))
    found = discover(table(*rows), matcher=NO_MATCHER)
    assert found.subscriptions == ()
    assert [r.vendor for r in found.refused] == ["BEANERY COFFEE"]


def test_subscription_among_groceries_of_another_merchant_is_still_found():
    rows = groceries(date(2025, 1, 4), 30) + [(f"2025-{m:02d}-20", "-17.00", "NEWSDAILY DIGITAL") for m in range(1, 8)]
    (sub,) = subs_of(*rows)
    assert (sub.vendor, sub.cadence, len(sub.charges)) == ("NEWSDAILY DIGITAL", "monthly", 7)


def test_status_ended_when_the_next_charge_is_long_overdue():
    rows = [(f"2025-{m:02d}-10", "-2.99", "CLOUDVAULT STORAGE") for m in range(1, 6)] + [("2025-12-01", "-30.00", "FRESHMART")]
    (sub,) = subs_of(*rows)
    assert (sub.status, sub.next_expected) == ("ended", date(2025, 6, 10))


def test_cancelled_but_charging_names_the_rule_vendor_and_offers_no_command():
    rows = [(f"2025-{m:02d}-10", "-28.99", "PETBOX SUBSCRIPTION") for m in range(1, 8)]
    cancelled = Cancellation(vendor="PetBox Subscription", cancelled_on=date(2025, 4, 20))
    (sub,) = find_subscriptions(table(*rows), [cancelled], matcher=NO_MATCHER)
    assert (sub.vendor, sub.status, sub.cancel_command) == ("PetBox Subscription", "cancelled_but_charging", None)
    assert sub.cancelled_on == date(2025, 4, 20)


def test_cancelled_and_stopped_is_ended():
    rows = [(f"2025-{m:02d}-10", "-28.99", "PETBOX SUBSCRIPTION") for m in range(1, 5)] + [("2025-09-01", "-3.00", "KIOSK")]
    cancelled = Cancellation(vendor="PETBOX SUBSCRIPTION", cancelled_on=date(2025, 4, 20), paid_through=date(2025, 5, 9))
    (sub,) = find_subscriptions(table(*rows), [cancelled], matcher=NO_MATCHER)
    assert (sub.status, sub.cancel_command) == ("ended", None)


def test_as_of_defaults_to_the_last_transaction_and_can_be_given():
    rows = [(f"2025-{m:02d}-10", "-2.99", "CLOUDVAULT STORAGE") for m in range(1, 6)]
    assert subs_of(*rows)[0].status == "active"
    assert subs_of(*rows, as_of=date(2026, 1, 1))[0].status == "ended"


def test_refunds_and_transfers_are_not_subscriptions():
    rows = [(f"2025-{m:02d}-01", "-350.00", "CARD SERVICES AUTOPAY") for m in range(1, 8)]
    rows += [(f"2025-{m:02d}-15", "12.00", "STREAMFLIX REFUND") for m in range(1, 8)]
    assert subs_of(*rows) == ()


def test_one_off_purchase_at_the_same_price_is_left_out_of_the_series():
    rows = [(f"2025-{m:02d}-08", "-9.99", "APPMARKET.COM/BILL") for m in range(1, 10)] + [("2025-04-21", "-9.99", "APPMARKET.COM/BILL")]
    (sub,) = subs_of(*rows)
    assert len(sub.charges) == 9 and date(2025, 4, 21) not in [c.date for c in sub.charges]
    assert sub.evidence.endswith("1 off-cycle charge left out")


def test_currencies_are_separate_series():
    rows = [(f"2025-{m:02d}-08", "-9.99", "CLOUDVAULT STORAGE") for m in range(1, 6)]
    frame = table(*rows, *rows)
    frame.loc[5:, "currency"] = "EUR"
    subs = find_subscriptions(frame, matcher=NO_MATCHER)
    assert [s.currency for s in subs] == ["EUR", "USD"]


def test_empty_and_income_only_tables():
    assert subs_of() == ()
    assert subs_of(("2025-01-01", "2000.00", "PAYROLL"), ("2025-02-01", "2000.00", "PAYROLL")) == ()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ROW = st.tuples(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 12, 31)),
    st.sampled_from([-999, -999, -1549, -1549, -4200, -12, 2500, -100000, 0]),
    st.sampled_from(["STREAMFLIX.COM", "SQ *BEANERY", "APPMARKET.COM/BILL", "", "=cmd|' /C calc'!A0", "ÉCOLE Ü*123"]),
    st.sampled_from(["", "card-1", "card-2"]),
    st.sampled_from(["USD", "", "EUR"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, max_size=40))
def test_any_table_gives_consistent_subscriptions(rows):
    frame = make_transactions({
        "date": [r[0] for r in rows], "amount_cents": [r[1] for r in rows], "description": [r[2] for r in rows],
        "account": [r[3] for r in rows], "currency": [r[4] for r in rows],
        "source_file": ["f.csv"] * len(rows), "source_line": list(range(1, len(rows) + 1)),
    })
    found = discover(frame, matcher=NO_MATCHER)
    seen: set[int] = set()
    for sub in found.subscriptions:
        lines = [c.source.line for c in sub.charges]
        assert not seen & set(lines), "a charge belongs to one series only"
        seen |= set(lines)
        dates = [c.date for c in sub.charges]
        assert dates == sorted(dates) and (sub.first, sub.last) == (dates[0], dates[-1])
        assert sub.amount_min <= sub.amount <= sub.amount_max and sub.amount_min > 0
        assert sub.last < sub.next_expected and 0.5 <= sub.confidence <= 1
        assert sub.cadence in {"weekly", "biweekly", "monthly", "quarterly", "yearly"}
        assert sub.status in {"active", "ended"}
        assert all(c.amount > 0 for c in sub.charges)
    for refused in found.refused:
        assert refused.charges >= 3 and 0 <= refused.confidence < 1


def test_yearly_renewal_at_a_new_price_is_one_series_with_a_price_change():
    rows = [("2024-03-14", "-59.99", "DRI*SAFEGUARD ANTIVIRUS"), ("2025-03-16", "-69.99", "DRI*SAFEGUARD ANTIVIRUS")]
    (sub,) = subs_of(*rows)
    assert (sub.cadence, sub.next_expected, sub.next_amount) == ("yearly", date(2026, 3, 16), Decimal("69.99"))
    assert sub.price_changes == (PriceChange(date(2025, 3, 16), Decimal("59.99"), Decimal("69.99")),)


def test_the_latest_of_two_cancellations_decides():
    rows = [(f"2025-{m:02d}-10", "-28.99", "PETBOX SUBSCRIPTION") for m in range(1, 10)]
    first = Cancellation(vendor="PetBox Subscription", cancelled_on=date(2025, 2, 20))
    again = Cancellation(vendor="PetBox Subscription", cancelled_on=date(2025, 9, 20))
    (sub,) = find_subscriptions(table(*rows), [again, first], matcher=NO_MATCHER)
    assert (sub.status, sub.cancelled_on) == ("active", date(2025, 9, 20))


def test_a_cancellation_with_an_amount_covers_only_the_plan_at_that_price():
    rows = []
    for month in range(1, 9):
        rows.append((f"2025-{month:02d}-05", "-0.99", "APPMARKET.COM/BILL"))
        rows.append((f"2025-{month:02d}-17", "-9.99", "APPMARKET.COM/BILL"))
    cancelled = Cancellation(vendor="AppMarket Bill", cancelled_on=date(2025, 5, 1), amount=Decimal("9.99"))
    cheap, dear = find_subscriptions(table(*rows), [cancelled], matcher=NO_MATCHER)
    assert (cheap.amount, cheap.status, cheap.cancelled_on) == (Decimal("0.99"), "active", None)
    assert cheap.cancel_command == "chargecheck cancel 'AppMarket Bill' --on 2025-08-17 --amount 0.99 --alias APPMARKET.COM/BILL"
    assert (dear.amount, dear.status, dear.cancelled_on, dear.cancel_command) == (
        Decimal("9.99"), "cancelled_but_charging", date(2025, 5, 1), None)


@pytest.mark.parametrize("double", ["2025-04-08", "2025-08-08"])
def test_a_double_charge_does_not_break_the_series(double):
    rows = [(f"2025-{m:02d}-08", "-15.49", "STREAMFLIX.COM") for m in range(1, 9)] + [(double, "-15.49", "STREAMFLIX.COM")]
    (sub,) = subs_of(*rows)
    assert (sub.cadence, len(sub.charges), sub.last) == ("monthly", 8, date(2025, 8, 8))
    assert sub.evidence == "8 charges, 7 of 7 intervals monthly within 0 days, amount 15.49 every time, 1 off-cycle charge left out"


def test_concatenated_tables_with_repeated_index_labels():
    first = table(*[(f"2025-{m:02d}-08", "-9.99", "CLOUDVAULT STORAGE") for m in range(1, 4)])
    second = table(*[(f"2025-{m:02d}-08", "-9.99", "CLOUDVAULT STORAGE") for m in range(4, 7)])
    (sub,) = find_subscriptions(pd.concat([first, second]), matcher=NO_MATCHER)
    assert len(sub.charges) == 6


def test_a_statement_without_currency_joins_the_vendors_only_known_currency():
    frame = table(*[(f"2025-{m:02d}-08", "-9.99", "CLOUDVAULT STORAGE") for m in range(1, 7)])
    frame.loc[:2, "currency"] = ""
    (sub,) = find_subscriptions(frame, matcher=NO_MATCHER)
    assert (sub.currency, len(sub.charges)) == ("USD", 6)
    frame.loc[3:, "currency"] = ["USD", "EUR", "EUR"]
    # two known currencies: the unknown rows stay apart (three monthly charges of their own)
    assert [s.currency for s in find_subscriptions(frame, matcher=NO_MATCHER)] == [""]
