"""A high-cardinality synthetic statement: most descriptors occur once or a few times.

Output: the same Chase-card CSV layout and rules TOML as ``synth_statement.py`` (the same
1000 subscription vendors, their charges and cancellations), but the ordinary rows are drawn
from a large, fresh merchant population per million rows: random two-part merchant names,
random cities and states, store numbers and per-row reference numbers, the way an acquirer's
feed of many cardholders looks, rather than one person's few hundred merchants.  By
construction a million rows hold well over 400,000 distinct descriptors (counted and
returned).  Written block by block (``BLOCK`` rows at a time), so ten million rows need the
memory of one block.  Every name is generated from letters; nothing comes from real data.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import synth_statement as base  # noqa: E402  (the vendors, their charges and rules)

__all__ = ["WideInfo", "write_wide_statement"]

BLOCK = 500_000
# Letters unlike the subscription vendors' syllables, so a merchant never fuzzily equals a vendor.
_HEADS = ["KW", "YX", "ZH", "VY", "XU", "QY", "JY", "WY", "KY", "ZY", "VH", "XY"]
_MIDS = ["OBB", "UGG", "EFF", "IZZ", "OPP", "UKK", "AWW", "EQQ", "IJJ", "OXX"]
_TAILS = ["", "ET", "UM", "IK", "OV", "AZ", "YN"]
_STATES = ["OH", "TX", "CO", "FL", "CA", "ID", "NE", "NC", "AZ", "WI", "NY", "OR", "DE", "MI", "WA", "GA"]


@dataclass(frozen=True)
class WideInfo:
    """What was written: rows, distinct descriptors, and the vendor rows among them."""

    rows: int
    distinct_descriptors: int
    vendor_rows: int


def _words(rng: np.random.Generator, count: int) -> np.ndarray:
    parts = [np.array(p, dtype=object)[rng.integers(0, len(p), count)] for p in (_HEADS, _MIDS, _TAILS, _MIDS)]
    return parts[0] + parts[1] + parts[2] + parts[3]


def _descriptors(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` ordinary descriptors from a population that grows with the block."""
    names = _words(rng, max(count // 3, 1000)) + " " + _words(rng, max(count // 3, 1000))
    cities = _words(rng, 5000)
    name = names[rng.integers(0, len(names), count)]
    city = cities[rng.integers(0, len(cities), count)]
    state = np.array(_STATES, dtype=object)[rng.integers(0, len(_STATES), count)]
    store = rng.integers(1, 9999, count).astype(str).astype(object)
    ref = rng.integers(10**7, 10**8, count).astype(str).astype(object)
    kind = rng.random(count)
    out = name + " " + city + " " + state  # 45 %: merchant in a city
    out = np.where(kind < 0.25, "SQ *" + name, out)
    out = np.where((kind >= 0.25) & (kind < 0.45), "POS DEBIT " + name + " REF " + ref + " " + city, out)
    return np.where((kind >= 0.45) & (kind < 0.55), name + " #" + store, out)


def _lines(days: list, texts, cents: np.ndarray, kinds) -> str:
    rows = []
    for n, (day, text, amount, kind) in enumerate(zip(days, texts, cents.tolist(), kinds)):
        sign = "-" if amount < 0 else ""
        category = base._CATEGORIES[n % len(base._CATEGORIES)]
        quoted = f'"{text}"' if "," in text or '"' in text else text
        rows.append(f"{day:%m/%d/%Y},{day + timedelta(days=n % 3):%m/%d/%Y},{quoted},{category},{kind},"
                    f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d},\n")
    return "".join(rows)


def write_wide_statement(csv_path: Path, rules_path: Path, rows: int, seed: int = 2026) -> WideInfo:
    """Write ``rows`` rows (block by block) and the vendors' rules; returns what was made."""
    rng = np.random.default_rng(seed)
    vendor_names = base.make_names(rng, 1000)
    vendor_rows, rules = base._vendor_charges(rng, vendor_names)
    vendor_rows = vendor_rows[: rows // 20]
    rules_path.write_text(base._rules_toml(rules), encoding="utf-8")
    span = (base.END - base.START).days + 1
    day_list = [base.START + timedelta(days=d) for d in range(span)]
    distinct: set[int] = set()
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n")
        handle.write(_lines([r[0] for r in vendor_rows], [r[1] for r in vendor_rows],
                            np.array([r[2] for r in vendor_rows], dtype=np.int64), [r[3] for r in vendor_rows]))
        distinct.update(hash(r[1]) for r in vendor_rows)
        left = rows - len(vendor_rows)
        while left > 0:
            count = min(BLOCK, left)
            texts = _descriptors(rng, count)
            distinct.update(map(hash, texts.tolist()))
            days = [day_list[d] for d in rng.integers(0, span, count)]
            cents = -((rng.lognormal(3.0, 0.9, count) * 100).astype(np.int64) + 1)
            handle.write(_lines(days, texts.tolist(), cents, ["Sale"] * count))
            left -= count
    return WideInfo(rows, len(distinct), len(vendor_rows))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("csv", type=Path)
    parser.add_argument("rules", type=Path)
    args = parser.parse_args()
    print(write_wide_statement(args.csv, args.rules, args.rows))
