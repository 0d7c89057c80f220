"""Seeded synthetic statement and rules for the benchmark (``bench_check.py``).

Output: a Chase-card-layout CSV (``Transaction Date,Post Date,Description,Category,Type,Amount,Memo``,
``MM/DD/YYYY``, charges negative, newest first) of N rows whose descriptors repeat the way real
ones do, and a rules TOML of cancellations for subscription vendors billed in that statement.

Why it looks like this: matching cost depends on how many *distinct* descriptors and tokens a
statement holds, so the generator reproduces real structure rather than random strings —
a few thousand merchants (chains with store numbers, local shops behind Square/Toast prefixes,
Amazon order ids that are unique per row, Wells-Fargo-style ``PURCHASE AUTHORIZED ON`` wrappers
with a per-row reference), card payments, and monthly subscription charges from the cancelled
vendors (via PayPal, Digital River, Google, their own ``.COM`` descriptor), some of which go on
after the cancellation.  Every name is generated from syllables; nothing comes from real data.

``expected_flags`` counts, by construction, the vendor charges dated after the day charges were
expected to stop, and ``expected_refunded`` the credits a vendor later gave back for one of them
(same descriptor, same amount): an independent check on what ``chargecheck check`` finds.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

__all__ = ["SynthInfo", "make_names", "write_statement"]

_ONSETS = ["B", "BR", "C", "CH", "D", "DR", "F", "FL", "G", "GR", "H", "J", "K", "KL", "L", "M", "N",
           "P", "PL", "QU", "R", "S", "ST", "T", "TR", "V", "W", "Z"]
_VOWELS = ["A", "E", "I", "O", "U", "AI", "EA", "OU"]
_CODAS = ["", "", "N", "R", "L", "X", "S", "M", "NT", "RD", "SK", "V"]
_GENERIC = ["PIZZA", "COFFEE", "MARKET", "DELI", "AUTO REPAIR", "NAILS", "BAKERY", "TACOS", "BREWING",
            "HARDWARE", "PHARMACY", "LIQUOR", "GRILL", "DENTAL", "CLEANERS", "FLORIST", "BOOKS", "PET SUPPLY"]
_CATEGORIES = ["Food & Drink", "Groceries", "Shopping", "Gas", "Health & Wellness", "Home", "Personal",
               "Automotive", "Entertainment", "Travel"]
_CITIES = [("COLUMBUS", "OH"), ("DAYTON", "OH"), ("AUSTIN", "TX"), ("DENVER", "CO"), ("TAMPA", "FL"),
           ("FRESNO", "CA"), ("BOISE", "ID"), ("OMAHA", "NE"), ("RALEIGH", "NC"), ("TUCSON", "AZ"),
           ("MADISON", "WI"), ("ALBANY", "NY"), ("SALEM", "OR"), ("DOVER", "DE"), ("LANSING", "MI")]
_PLANS = ["PRO", "PLUS", "PREMIUM", "MONTHLY", "ANNUAL", "BASIC"]
START, END = date(2024, 1, 1), date(2026, 10, 31)


@dataclass(frozen=True)
class SynthInfo:
    """What was generated: row count, distinct descriptors, vendors and flags expected by construction."""

    rows: int
    distinct_descriptors: int
    vendors: int
    vendor_rows: int
    expected_flags: int
    expected_refunded: int


def make_names(rng: np.random.Generator, count: int, min_len: int = 5) -> list[str]:
    """``count`` distinct pronounceable upper-case names, none within fuzzy reach of another.

    Near-duplicates (ratio >= 80) are dropped so a vendor name never fuzzily equals an unrelated
    merchant's: a false match in the benchmark would measure the generator, not the matcher.
    """
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        batch = []
        for _ in range((count - len(names)) * 2 + 50):
            n = int(rng.integers(2, 4))
            word = "".join(_ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))]
                           + _CODAS[rng.integers(len(_CODAS))] for _ in range(n))
            if len(word) >= min_len and word not in seen:
                seen.add(word)
                batch.append(word)
        pool = names + batch + _GENERIC
        scores = process.cdist(batch, pool, scorer=fuzz.ratio, score_cutoff=80, dtype=np.uint8, workers=-1)
        for i, word in enumerate(batch):
            close = [pool[j] for j in np.flatnonzero(scores[i]) if pool[j] != word]
            if not close and len(names) < count:
                names.append(word)
    return names


def _local_descriptors(rng: np.random.Generator, names: list[str]) -> list[str]:
    """Fixed descriptors of ordinary merchants: chains with store numbers, local shops, processors."""
    out = []
    for i, name in enumerate(names):
        city, state = _CITIES[i % len(_CITIES)]
        kind = i % 6
        if kind == 0:  # a chain: several stores, each its own descriptor
            out += [f"{name} #{int(rng.integers(1, 9999)):04d}" for _ in range(4)]
        elif kind == 1:
            out.append(f"SQ *{name} {_GENERIC[i % len(_GENERIC)]}"[:22])
        elif kind == 2:
            out.append(f"TST* {name} {_GENERIC[i % len(_GENERIC)]}"[:22])
        elif kind == 3:
            out.append(f"{name} {int(rng.integers(10000, 99999))} {city} {state}")
        elif kind == 4:
            out.append(f"POS PURCHASE {name} {city} {state}")
        else:
            out.append(f"{name} {_GENERIC[i % len(_GENERIC)]} {city} {state}")
    return out


def _vendor_descriptor(rng: np.random.Generator, vendor: str, style: int) -> str:
    """How one subscription vendor's charge is printed, in one of the real-world shapes."""
    phone = f"{int(rng.integers(800, 889))}-{int(rng.integers(200, 999))}-{int(rng.integers(1000, 9999))}"
    state = _CITIES[style % len(_CITIES)][1]
    return [f"{vendor}.COM {phone} {state}", f"PAYPAL *{vendor}"[:19], f"DRI*{vendor} {phone} {state}",
            f"GOOGLE *{vendor.title()}", f"{vendor}*{_PLANS[style % len(_PLANS)]}", f"{vendor} {phone}"][style % 6]


def _wrapper(day: date, merchant: str, rng: np.random.Generator) -> str:
    """A Wells-Fargo-style per-row descriptor (authorization day and reference make it unique)."""
    kind = "RECURRING PAYMENT" if rng.random() < 0.3 else "PURCHASE"
    return (f"{kind} AUTHORIZED ON {day:%m/%d} {merchant} S{int(rng.integers(10**14, 10**15))} "
            f"CARD {int(rng.integers(1000, 9999))}")


def _vendor_charges(rng: np.random.Generator, vendors: list[str]):
    """Monthly charges of every vendor and its cancellation record.

    The last field of a row is True for a charge due a flag, False for an expected one and None
    for a refund credit.
    """
    rows, rules = [], []
    days = (END - START).days
    for v, vendor in enumerate(vendors):
        cancelled = START + timedelta(days=int(rng.integers(200, days - 60)))
        first = cancelled - timedelta(days=int(rng.integers(40, 400)))
        paid_through = cancelled + timedelta(days=int(rng.integers(5, 28))) if v % 5 == 0 else None
        amount = int(rng.choice([499, 999, 1299, 1499, 2999, 5999, 9999]))
        descriptor = _vendor_descriptor(rng, vendor, v)
        after = int(rng.integers(1, 4)) if rng.random() < 0.3 else 0
        stop = cancelled + timedelta(days=31 * after)
        day, charges = first, []
        while day <= min(stop, END):
            charges.append(day)
            day += timedelta(days=30)
        until = paid_through or cancelled
        for n, day in enumerate(charges):
            text = _wrapper(day, descriptor, rng) if n % 7 == 3 else descriptor
            rows.append((day, text, -amount, "Sale", day > until))
            # the vendor gave this one back (not where a money-back window applies: there a
            # credit answers the refundable renewal before the cancellation first)
            if day > until and v % 10 and rng.random() < 0.15:
                rows.append((day + timedelta(days=int(rng.integers(3, 20))), descriptor, amount, "Return", None))
        rule = {"vendor": vendor.title(), "cancelled_on": cancelled, "reference": f"BX-{10000 + v}"}
        if paid_through:
            rule["paid_through"] = paid_through
        if v % 3 == 0:
            rule["amount"] = f"{amount // 100}.{amount % 100:02d}"
        if v % 4 == 0:
            rule["aliases"] = [descriptor.split()[0]] if descriptor.startswith(vendor) else []
        if v % 10 == 0:
            rule["refund_window_days"] = 30
        rules.append(rule)
    return rows, rules


def _rules_toml(rules: list[dict]) -> str:
    """The cancellations as TOML text (ASCII strings, so JSON quoting is valid TOML)."""
    parts = ["# generated by bench/synth_statement.py\n"]
    for rule in rules:
        parts.append("\n[[cancellation]]\n")
        for key, value in rule.items():
            if isinstance(value, date):
                parts.append(f"{key} = {value.isoformat()}\n")
            elif isinstance(value, int):
                parts.append(f"{key} = {value}\n")
            elif value:
                parts.append(f"{key} = {json.dumps(value)}\n")
    return "".join(parts)


def _fresh_descriptors(rng: np.random.Generator, words: list[str], count: int) -> list[str]:
    """``count`` descriptors that seldom repeat and that no row-noise stripping collapses: a
    merchant named by two of ``words`` (a shop seen once, a person paid by Zelle or Venmo, a
    marketplace seller), in a city, with a terminal id inside the name field, as a high-cardinality
    statement (a business account, years of history) prints them."""
    first = rng.integers(0, len(words), count)
    second = rng.integers(0, len(words), count)
    shape = rng.integers(0, 5, count)
    terminal = rng.integers(100, 9999, count)
    out = []
    for i in range(count):
        a, b = words[first[i]], words[second[i]]
        city, state = _CITIES[(first[i] + second[i]) % len(_CITIES)]
        out.append([f"{a} {b} {_GENERIC[first[i] % len(_GENERIC)]} {city} {state}",
                    f"ZELLE TO {a} {b}",
                    f"VENMO *{a} {b}",
                    f"SQ *{a} {b} T{terminal[i]}"[:22],
                    f"{a} {b} STORE {terminal[i]} {city} {state}"][shape[i]])
    return out


def _noise_rows(rng: np.random.Generator, local: list[str], count: int,
                fresh: list[str] | None = None) -> list[tuple]:
    """``count`` ordinary rows: local merchants (Zipf-like popularity), Amazon orders, payments;
    with ``fresh``, every other one of the plain merchant rows takes one of those descriptors instead."""
    weights = 1.0 / np.arange(1, len(local) + 1) ** 0.9  # a few merchants dominate, as in real life
    pick = rng.choice(len(local), count, p=weights / weights.sum())
    offsets = rng.integers(0, (END - START).days + 1, count)
    cents = (rng.lognormal(3.0, 0.9, count) * 100).astype(np.int64) + 1
    special = rng.random(count)
    day_list = [START + timedelta(days=d) for d in range((END - START).days + 1)]
    rows = []
    for i in range(count):
        day = day_list[offsets[i]]
        if special[i] < 0.01:
            rows.append((day, "Payment Thank You-Mobile", int(cents[i]) * 10, "Payment", False))
        elif special[i] < 0.06:  # an order id unique per row, as Amazon prints it
            order = "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"), 9))
            rows.append((day, f"AMAZON MKTPL*{order}", -int(cents[i]), "Sale", False))
        elif special[i] < 0.16:
            rows.append((day, _wrapper(day, local[pick[i]], rng), -int(cents[i]), "Sale", False))
        elif fresh and i % 2:
            rows.append((day, fresh[i % len(fresh)], -int(cents[i]), "Sale", False))
        else:
            rows.append((day, local[pick[i]], -int(cents[i]), "Sale", False))
    return rows


def _write_csv(path: Path, body: list[tuple]) -> None:
    """The rows in the Chase card layout: MM/DD/YYYY, charges negative, newest first."""
    body.sort(key=lambda r: r[0], reverse=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount", "Memo"])
        for n, (day, text, amount, kind, _due) in enumerate(body):
            sign = "-" if amount < 0 else ""
            category = "" if kind == "Payment" else _CATEGORIES[n % len(_CATEGORIES)]
            out.writerow([f"{day:%m/%d/%Y}", f"{day + timedelta(days=n % 3):%m/%d/%Y}", text, category, kind,
                          f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}", ""])


def write_statement(csv_path: Path, rules_path: Path, rows: int, vendors: int = 1000,
                    merchants: int = 3000, seed: int = 2026, high_cardinality: bool = False) -> SynthInfo:
    """Write the statement (``rows`` rows) and ``vendors`` cancellations; returns what was made.

    ``high_cardinality``: half the plain merchant rows get a descriptor of their own (two
    generated words, a city, a terminal id): a million rows hold ~570k distinct descriptors,
    ~425k after stripping row noise, where the default statement's 155k collapse to about 10k.
    """
    rng = np.random.default_rng(seed)
    names = make_names(rng, merchants + vendors)
    vendor_names, merchant_names = names[:vendors], names[vendors:]
    vendor_rows, rules = _vendor_charges(rng, vendor_names)
    if len(vendor_rows) > rows // 4:  # a quick run with few rows keeps a sane mix
        keep = set(rng.choice(len(vendor_rows), rows // 4, replace=False).tolist())
        # a refund follows its charge in the list: keep it only with that charge
        vendor_rows = [row for i, row in enumerate(vendor_rows)
                       if i in keep and (row[4] is not None or i - 1 in keep)]
    expected = sum(1 for row in vendor_rows if row[4])
    refunds = sum(1 for row in vendor_rows if row[4] is None)
    noise = rows - len(vendor_rows)
    fresh = _fresh_descriptors(rng, merchant_names, noise) if high_cardinality else None
    body = _noise_rows(rng, _local_descriptors(rng, merchant_names), noise, fresh) + vendor_rows
    _write_csv(csv_path, body)
    rules_path.write_text(_rules_toml(rules), encoding="utf-8")
    return SynthInfo(len(body), len({r[1] for r in body}), vendors, len(vendor_rows), expected, refunds)
