"""The labelled synthetic histories, and discovery measured against their truth."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from chargecheck.discover.subscriptions import find_subscriptions
from chargecheck.schema import TRANSACTION_SCHEMA

# The generator is test and bench code, kept out of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from synthetic_histories import generate_history, score_detection  # noqa: E402

SEEDS = range(8)


@pytest.fixture(scope="module")
def scored():
    """(history, found, score) for a few seeds, computed once for the module."""
    out = []
    for seed in SEEDS:
        history = generate_history(seed)
        found = find_subscriptions(history.transactions)
        out.append((history, found, score_detection(history, found)))
    return out


def test_same_seed_same_history_and_different_seeds_differ():
    a, b, c = generate_history(11), generate_history(11), generate_history(12)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    assert a.series == b.series
    assert not a.transactions.equals(c.transactions)


def test_history_is_a_schema_table_with_consistent_labels():
    history = generate_history(5, start=date(2024, 1, 1), months=24)
    table = history.transactions
    assert dict(table.dtypes.astype(str)) == TRANSACTION_SCHEMA
    assert list(table["source_line"]) == list(range(1, len(table) + 1))
    assert table["date"].min() >= pd.Timestamp("2024-01-01") and table["date"].max() <= pd.Timestamp("2025-12-31")
    by_line = table.set_index("source_line")
    for series in history.series:
        rows = by_line.loc[list(series.lines)]
        assert (rows["amount_cents"] < 0).all(), series
        assert rows["date"].is_monotonic_increasing, series
    labelled = [line for s in history.series for line in s.lines]
    assert len(labelled) == len(set(labelled))
    assert {"BEANERY COFFEE", "FRESHMART", "METRO ELECTRIC"} <= set(history.non_series)


def test_every_cadence_and_scenario_occurs_across_seeds():
    histories = [generate_history(seed) for seed in range(30)]
    cadences = {s.cadence for history in histories for s in history.series}
    scenarios = {s.scenario for history in histories for s in history.series}
    assert cadences == {"weekly", "biweekly", "monthly", "quarterly", "yearly"}
    assert scenarios == {"plain", "fx_drift", "price_change", "card_change", "two_plans", "renamed", "store_membership",
                         "new", "intro_price", "paused"}
    yearly_pairs = [s for history in histories for s in history.series if s.cadence == "yearly" and len(s.lines) == 2]
    assert yearly_pairs, "some yearly series have only two charges"


def test_detection_quality_on_the_generator(scored):
    found = sum(s.found for _, _, s in scored)
    true = sum(s.true for _, _, s in scored)
    matched = sum(s.matched for _, _, s in scored)
    cadence_ok = sum(s.cadence_ok for _, _, s in scored)
    assert matched / found >= 0.97
    assert matched / true >= 0.97
    assert cadence_ok == matched


def test_no_everyday_noise_is_reported_as_a_subscription(scored):
    noise = ("BEANERY COFFEE", "QUIKFUEL", "METRO ELECTRIC", "DELI EXPRESS", "CITY PARKING", "GREENLEAF")
    for _, found, _ in scored:
        assert not [s.vendor for s in found if s.vendor.startswith(noise)]


def test_exact_series_of_seed_0(scored):
    history, found, score = scored[0]
    assert score.missed == () and score.false == () and score.wrong_cadence == ()
    assert [(s.vendor, s.cadence, s.status, len(s.charges), str(s.next_amount)) for s in found] == [
        ("APPMARKET BILL", "monthly", "active", 15, "2.99"),      # two plans, one descriptor
        ("APPMARKET BILL", "yearly", "active", 2, "9.99"),
        ("CODECLOUD", "monthly", "active", 24, "20.00"),          # a double charge left out
        ("DOMAINNEST RENEWAL", "yearly", "active", 2, "18.99"),
        ("LEARNLINGO PLUS", "yearly", "active", 2, "83.99"),
        ("MEALCRATE WEEKLY", "weekly", "active", 25, "80.69"),
        ("NEWSDAILY DIGITAL SUBS", "monthly", "active", 22, "20.66"),
        ("PETBOX SUBSCRIPTION", "monthly", "active", 20, "29.87"),
        ("SAFEGUARD ANTIVIRUS", "yearly", "active", 2, "79.99"),
        ("STREAMFLIX", "monthly", "active", 22, "15.49"),          # moved to another card
    ]
    changes = {s.vendor: [(c.date, str(c.from_amount), str(c.to_amount)) for c in s.price_changes] for s in found}
    assert changes["MEALCRATE WEEKLY"] == [(date(2025, 10, 11), "64.99", "80.69")]
    assert changes["NEWSDAILY DIGITAL SUBS"] == [(date(2025, 1, 31), "17.00", "20.66")]
    assert changes["PETBOX SUBSCRIPTION"] == [(date(2025, 2, 28), "28.99", "29.87")]   # a 3% rise
    (streamflix,) = [s for s in found if s.vendor == "STREAMFLIX"]
    (truth,) = [s for s in history.series if s.merchant == "StreamFlix"]
    assert len({c.account for c in streamflix.charges}) == 2
    assert [c.source.line for c in streamflix.charges] == list(truth.lines)


def _recorded(command: str):
    """The Cancellation that running a printed ``chargecheck cancel …`` command would record."""
    import shlex
    from decimal import Decimal

    from chargecheck.model import Cancellation

    words = shlex.split(command)
    assert words[:2] == ["chargecheck", "cancel"]
    options = dict(zip(words[3::2], words[4::2]))
    aliases = tuple(w for k, w in zip(words[3::2], words[4::2]) if k == "--alias")
    return Cancellation(vendor=words[2], cancelled_on=date.fromisoformat(options["--on"]),
                        amount=Decimal(options["--amount"]), aliases=aliases)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_printed_cancel_command_would_recognise_its_series(scored, seed):
    """Discovery turns into monitoring in one step: the recorded rule matches every charge."""
    from chargecheck.match.matcher import Matcher

    _, found, _ = scored[seed]
    commands = [s.cancel_command for s in found]
    assert all(commands)
    matcher = Matcher([_recorded(c) for c in commands])
    for sub in found:
        descriptions = pd.DataFrame({"description": [c.description for c in sub.charges]})
        assert set(matcher.annotate(descriptions)["match_vendor"]) == {sub.vendor}, sub.vendor
