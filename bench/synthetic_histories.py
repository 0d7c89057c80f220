"""Seeded generator of labelled synthetic card/bank histories, for testing recurring discovery.

Output: :class:`SyntheticHistory` — a schema-conforming transaction table (one synthetic file,
``source_line`` = row number) plus the truth: which rows form which subscription series, at
which cadence, and which repeating merchants are *not* subscriptions.

Realism the generator adds on purpose, because discovery must survive it:

* every cadence (weekly, biweekly, monthly, quarterly, yearly; yearly with only 2 charges);
* new subscriptions with only three or four charges, a discounted first month, a membership
  frozen for two or three months;
* a merchant renaming itself mid-series (the same subscription under a new descriptor);
* month-end billing days (the 31st → 28 February), weekend shifts to Monday, postings a few
  days late, a skipped cycle now and then, a rare double charge;
* amount drift from currency conversion, price rises, a subscription moving to a new card,
  two subscriptions of one merchant at different amounts, series that end mid-history;
* a store membership billed under the store's own descriptor, amid the weekly shopping there;
* noise: weekly groceries with varying amounts, coffee several times a week at one price,
  fuel, restaurants, online shopping, same-price irregular purchases (parking, a lunch deal),
  an electricity bill that is monthly but varies with the weather, salary and transfers;
* descriptors with changing store/reference numbers and bank wrappers.

The merchants and descriptors are invented for this generator, except one real rename
(NortonLifeLock → Gen Digital), which only the vendor knowledge base can join.
Same seed → same history.  :func:`score_detection` compares found series with the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from chargecheck.discover.cadence import CADENCE_BY_NAME, add_months
from chargecheck.schema import make_transactions

__all__ = ["LabelledSeries", "SyntheticHistory", "DetectionScore", "generate_history", "score_detection"]


@dataclass(frozen=True)
class LabelledSeries:
    """A true recurring series: its merchant, cadence, the scenario and its rows (source lines)."""

    merchant: str
    cadence: str
    scenario: str
    lines: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class SyntheticHistory:
    """A generated history: the transaction table, the true series, the repeating non-series."""

    transactions: pd.DataFrame
    series: tuple[LabelledSeries, ...]
    non_series: tuple[str, ...]
    start: date
    end: date


# (merchant, descriptor template, price in cents, cadence); {n} is a changing number.
_CATALOG = (
    ("StreamFlix", "STREAMFLIX.COM {n}", 1549, "monthly"),
    ("TuneBox", "TUNEBOX*PREMIUM {n}", 1099, "monthly"),
    ("CloudVault", "CLOUDVAULT STORAGE", 299, "monthly"),
    ("FitHub Gym", "FITHUB GYM #{n}", 3999, "monthly"),
    ("NewsDaily", "NEWSDAILY DIGITAL SUBS", 1700, "monthly"),
    ("VPNshield", "PAYPAL *VPNSHIELD {n}", 4999, "yearly"),
    ("SafeGuard AV", "DRI*SAFEGUARD ANTIVIRUS", 7999, "yearly"),
    ("DomainNest", "DOMAINNEST.COM RENEWAL", 1899, "yearly"),
    ("MealCrate", "MEALCRATE WEEKLY {n}", 6499, "weekly"),
    ("Sparkle Cleaning", "SPARKLE CLEANING SVC", 12000, "biweekly"),
    ("AquaPure Filters", "AQUAPURE FILTER PLAN {n}", 4500, "quarterly"),
    ("PetBox", "PETBOX SUBSCRIPTION", 2899, "monthly"),
    ("CodeCloud", "CODECLOUD INC {n}", 2000, "monthly"),
    ("LearnLingo", "LEARNLINGO PLUS", 8399, "yearly"),
    ("Telco Mobile", "TELCO MOBILE BILLPAY {n}", 6500, "monthly"),
)
_MULTI_PLAN = ("AppMarket", "APPMARKET.COM/BILL {n}", (99, 299, 999, 1099, 1499))
# A membership billed under the same descriptor as everyday shopping at that store.
_STORE_PLAN = ("FreshMart Plus", "FRESHMART #{n}", 1295, "monthly")
# A real rename (NortonLifeLock became Gen Digital in 2022), as printed before and after.
_RENAMED = ("Norton", ("NORTONLIFELOCK {n}", "GEN DIGITAL INC {n}"), 999, "monthly")
_ACCOUNTS = ("CARD-4417", "CARD-9023", "CHK-0071")


def _wrap(rng: random.Random, text: str, day: date) -> str:
    """Bank noise around a descriptor, as debit-card statements print it."""
    roll = rng.random()
    if roll < 0.15:
        return f"RECURRING PAYMENT AUTHORIZED ON {day:%m/%d} {text} CARD {rng.randint(1000, 9999)}"
    if roll < 0.25:
        return f"POS PURCHASE {text}"
    return text


def _shift(rng: random.Random, due: date, late: float) -> date:
    """Posting day of a charge due on ``due``: Monday after a weekend, sometimes a few days late."""
    posted = due
    if posted.weekday() >= 5 and rng.random() < 0.6:
        posted += timedelta(days=7 - posted.weekday())
    if rng.random() < late:
        posted += timedelta(days=rng.randint(1, 5))
    return posted


def _due_dates(rng: random.Random, cadence: str, first: date, end: date) -> list[date]:
    """Scheduled billing days from ``first`` to ``end`` (skipping a cycle now and then)."""
    spec = CADENCE_BY_NAME[cadence]
    anchor = first.day if rng.random() < 0.8 else 31
    out, k = [], 0
    while True:
        due = first + timedelta(days=k * spec.days) if spec.days else add_months(first, k * spec.months, anchor)
        if due > end:
            return out
        if not (out and spec.months and spec.months < 12 and rng.random() < 0.04):
            out.append(due)
        k += 1


class _Builder:
    """Collects rows; ``line`` numbers are 1-based positions in date order, set at the end."""

    def __init__(self, rng: random.Random, start: date, end: date) -> None:
        self.rng, self.start, self.end = rng, start, end
        self.rows: list[dict] = []

    def add(self, day: date, cents: int, text: str, account: str, tag: str | None = None) -> None:
        if self.start <= day <= self.end:
            self.rows.append({"date": day, "amount_cents": -cents, "description": text, "account": account, "tag": tag})

    def series(self, tag, template, cents, cadence, *, first, last, account, drift, price_at, card_at,
               rename_at=None, pause=None):
        """Charges of one subscription with the given noise; returns nothing (rows are tagged)."""
        rng = self.rng
        number = rng.randint(100000, 999999)
        for due in _due_dates(rng, cadence, first, last):
            if pause is not None and pause[0] <= due <= pause[1]:
                continue
            day = _shift(rng, due, 0.12)
            price = cents if price_at is None or due < price_at[0] else price_at[1]
            amount = round(price * (1 + rng.gauss(0, drift))) if drift else price
            acct = account if card_at is None or due < card_at[0] else card_at[1]
            name = template if rename_at is None or due < rename_at[0] else rename_at[1]
            text = name.format(n=number if rng.random() < 0.7 else rng.randint(100000, 999999))
            self.add(day, amount, _wrap(rng, text, day), acct, tag)
            if rng.random() < 0.01:  # the merchant billed twice
                self.add(day + timedelta(days=rng.randint(0, 2)), amount, text, acct, tag)


def _plan(rng: random.Random, start: date, end: date, cadence: str) -> tuple[date, date]:
    """First and last possible due dates, long enough for the cadence to be recognisable."""
    days = (end - start).days
    need = {"weekly": 70, "biweekly": 120, "monthly": 150, "quarterly": 330, "yearly": 400}[cadence]
    offset = rng.randint(0, max(0, days - need - 40)) if rng.random() < 0.5 else rng.randint(0, 25)
    first = start + timedelta(days=offset)
    stop = end if rng.random() < 0.7 else first + timedelta(days=rng.randint(need, max(need, days - offset)))
    return first, min(stop, end)


def _scenario(rng: random.Random, b: "_Builder", cadence: str, cents: int, first: date, last: date) -> tuple[str, dict]:
    """Pick what makes this series hard, as keyword arguments for :meth:`_Builder.series`."""
    mid = first + (last - first) / 2
    roll = rng.random()
    monthly = cadence == "monthly"
    if roll < 0.15:
        return "fx_drift", {"drift": rng.choice([0.005, 0.01, 0.015])}
    if roll < 0.35 and cadence != "yearly":
        return "price_change", {"price_at": (mid, round(cents * rng.uniform(1.03, 1.3)))}
    if roll < 0.5 and cadence != "yearly":
        return "card_change", {"card_at": (mid, rng.choice(_ACCOUNTS[1:]))}
    if roll < 0.6 and monthly:  # signed up recently: only three or four charges so far
        return "new", {"first": b.end - timedelta(days=rng.randint(62, 100)), "last": b.end}
    if roll < 0.7 and monthly:  # a discounted first month, then the full price
        return "intro_price", {"cents": round(cents * rng.choice([0.5, 0.3])), "price_at": (first + timedelta(days=1), cents)}
    if roll < 0.8 and monthly:  # membership frozen for two or three months
        return "paused", {"pause": (mid, mid + timedelta(days=rng.choice([45, 75])))}
    return "plain", {}


def _subscriptions(b: _Builder, truth: dict) -> None:
    rng = b.rng
    chosen = rng.sample(_CATALOG, rng.randint(5, 9))
    for merchant, template, cents, cadence in chosen:
        first, last = _plan(rng, b.start, b.end, cadence)
        scenario, options = _scenario(rng, b, cadence, cents, first, last)
        kwargs = {"cents": cents, "first": first, "last": last, "account": _ACCOUNTS[0], "drift": 0.0,
                  "price_at": None, "card_at": None, **options}
        tag = f"{merchant}|{cadence}|{scenario}"
        truth[tag] = (merchant, cadence, scenario)
        b.series(tag, template, cadence=cadence, **kwargs)
    if rng.random() < 0.7:  # two plans billed under one merchant descriptor
        merchant, template, prices = _MULTI_PLAN
        for cents, cadence in zip(rng.sample(prices, 2), rng.sample(["monthly", "monthly", "yearly"], 2)):
            first, last = _plan(rng, b.start, b.end, cadence)
            tag = f"{merchant} {cents}|{cadence}|two_plans"
            truth[tag] = (merchant, cadence, "two_plans")
            b.series(tag, template, cents, cadence, first=first, last=last, account=_ACCOUNTS[0],
                     drift=0.0, price_at=None, card_at=None)
        for _ in range(rng.randint(0, 4)):  # one-off app purchases under the same descriptor
            day = b.start + timedelta(days=rng.randint(0, (b.end - b.start).days))
            b.add(day, rng.choice([199, 499, 799, 1999]), template.format(n=rng.randint(100000, 999999)), _ACCOUNTS[0])
    if rng.random() < 0.3:  # the merchant renames itself: only vendor knowledge joins the halves
        merchant, (before, after), cents, cadence = _RENAMED
        first, last = _plan(rng, b.start, b.end, cadence)
        tag = f"{merchant}|{cadence}|renamed"
        truth[tag] = (merchant, cadence, "renamed")
        b.series(tag, before, cents, cadence, first=first, last=last, account=_ACCOUNTS[0], drift=0.0,
                 price_at=None, card_at=None, rename_at=(first + (last - first) / 2, after))
    if rng.random() < 0.3:
        merchant, template, cents, cadence = _STORE_PLAN
        first, last = _plan(rng, b.start, b.end, cadence)
        tag = f"{merchant}|{cadence}|store_membership"
        truth[tag] = (merchant, cadence, "store_membership")
        b.series(tag, template, cents, cadence, first=first, last=last, account=_ACCOUNTS[0],
                 drift=0.0, price_at=None, card_at=None)


def _noise(b: _Builder) -> tuple[str, ...]:
    """Everyday spending that repeats without being a subscription."""
    rng, day = b.rng, b.start
    shops = ("FRESHMART #{n}", "GREENLEAF GROCERS {n}")
    while day <= b.end:
        weekday = day.weekday()
        if weekday == 5 and rng.random() < 0.85:
            b.add(day, rng.randint(2500, 16000), rng.choice(shops).format(n=rng.randint(10, 99)), _ACCOUNTS[0])
        if weekday < 5 and rng.random() < 0.45:
            b.add(day, rng.choice([475, 475, 475, 525]), f"SQ *BEANERY COFFEE {rng.randint(1000, 9999)}", _ACCOUNTS[0])
        if rng.random() < 0.13:
            b.add(day, rng.randint(2800, 6500), f"QUIKFUEL {rng.randint(10000, 99999)}", _ACCOUNTS[0])
        if rng.random() < 0.12:
            b.add(day, rng.randint(1200, 9000), rng.choice(["TST* LUNA BISTRO", "PIZZA PALACE #12", "THAI ORCHID"]), _ACCOUNTS[0])
        if rng.random() < 0.08:
            b.add(day, rng.randint(900, 12000), f"WEBMART MKTP*{rng.randint(10**6, 10**7)}", _ACCOUNTS[0])
        if rng.random() < 0.05:  # same price, irregular: a parking meter
            b.add(day, 300, "CITY PARKING METER", _ACCOUNTS[0])
        if day.day == 11:  # electricity: monthly, but the amount follows the weather
            b.add(day + timedelta(days=rng.randint(0, 3)), rng.randint(4500, 16000), "METRO ELECTRIC UTIL PMT", "CHK-0071")
        if weekday < 5 and rng.random() < 0.12:  # the same lunch deal on random weekdays
            b.add(day, 1150, "DELI EXPRESS #7", _ACCOUNTS[0])
        if day.day == 1:
            b.rows.append({"date": day, "amount_cents": 350000, "description": "ACME CORP PAYROLL", "account": "CHK-0071", "tag": None})
            b.add(day, rng.randint(20000, 90000), "CARD SERVICES AUTOPAY", "CHK-0071")
        day += timedelta(days=1)
    return ("FRESHMART", "GREENLEAF GROCERS", "BEANERY COFFEE", "QUIKFUEL", "WEBMART", "CITY PARKING METER",
            "METRO ELECTRIC", "DELI EXPRESS")


def generate_history(seed: int, start: date = date(2024, 1, 1), months: int = 24) -> SyntheticHistory:
    """A labelled history of ``months`` months from ``start``, fully determined by ``seed``."""
    rng = random.Random(seed)
    end = add_months(start, months) - timedelta(days=1)
    builder = _Builder(rng, start, end)
    truth: dict[str, tuple[str, str, str]] = {}
    _subscriptions(builder, truth)
    non_series = _noise(builder)
    rows = sorted(builder.rows, key=lambda r: (r["date"], r["description"], r["amount_cents"]))
    lines: dict[str, list[int]] = {}
    for i, row in enumerate(rows, start=1):
        row["source_line"] = i
        if row["tag"]:
            lines.setdefault(row["tag"], []).append(i)
    table = make_transactions({
        "date": [r["date"] for r in rows],
        "amount_cents": [r["amount_cents"] for r in rows],
        "description": [r["description"] for r in rows],
        "account": [r["account"] for r in rows],
        "currency": ["USD"] * len(rows),
        "source_file": [f"synthetic-{seed}.csv"] * len(rows),
        "source_line": [r["source_line"] for r in rows],
    })
    series = tuple(
        LabelledSeries(truth[tag][0], truth[tag][1], truth[tag][2], tuple(found))
        for tag, found in sorted(lines.items())
        if len(found) >= CADENCE_BY_NAME[truth[tag][1]].min_charges
    )
    return SyntheticHistory(table, series, non_series, start, end)


@dataclass(frozen=True)
class DetectionScore:
    """Found series against the truth: counts, plus the misses and false series for reading."""

    found: int
    true: int
    matched: int
    cadence_ok: int
    hits: dict
    totals: dict
    missed: tuple[LabelledSeries, ...]
    false: tuple
    wrong_cadence: tuple


def score_detection(history: SyntheticHistory, subscriptions) -> DetectionScore:
    """Match found subscriptions to true series by their rows (each shares ≥ half of the other's).

    A true series matches at most one found series and vice versa; scenario hit counts let a
    report show which kind of difficulty is missed.
    """
    used: set[int] = set()
    matched = cadence_ok = 0
    hits: dict[str, int] = {}
    totals: dict[str, int] = {}
    missed, wrong = [], []
    found_lines = [{c.source.line for c in sub.charges} for sub in subscriptions]
    for true in history.series:
        totals[true.scenario] = totals.get(true.scenario, 0) + 1
        lines = set(true.lines)
        best = next((k for k, got in enumerate(found_lines) if k not in used
                     and 2 * len(lines & got) >= len(lines) and 2 * len(lines & got) >= len(got)), None)
        if best is None:
            missed.append(true)
            continue
        used.add(best)
        matched += 1
        hits[true.scenario] = hits.get(true.scenario, 0) + 1
        if subscriptions[best].cadence == true.cadence:
            cadence_ok += 1
        else:
            wrong.append((true, subscriptions[best]))
    false = tuple(sub for k, sub in enumerate(subscriptions) if k not in used)
    return DetectionScore(len(subscriptions), len(history.series), matched, cadence_ok, hits, totals,
                          tuple(missed), false, tuple(wrong))
