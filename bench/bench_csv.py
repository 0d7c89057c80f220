"""Benchmark: a 1M-row bank CSV through ``read_statement`` against plain ``pandas.read_csv``.

Generates (seeded, in a temp dir) two exports of N rows with realistically repeated
descriptors — a Chase-card-like US file (comma, ``MM/DD/YYYY``, signed amounts) and a
German-style file (preamble lines, semicolon, ``DD.MM.YYYY``, quoted decimal-comma amounts) —
then times ``pandas.read_csv(dtype=str)`` and ``chargecheck.importers.read_statement`` on each
in the same run (best of 3 each) and prints both and the ratio.

    python bench/bench_csv.py            # 1,000,000 rows
    python bench/bench_csv.py --rows 200000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from chargecheck.importers import importers, read_statement


def _descriptors(rng: np.random.Generator, merchants: int) -> np.ndarray:
    """Merchant descriptors as banks print them: prefixes, store numbers, city and state."""
    syllables = np.array(["BA", "KO", "RI", "TE", "LU", "MAR", "SON", "DEL", "VI", "NA", "QU", "ST", "OR", "ZE"])
    names = ["".join(rng.choice(syllables, size=rng.integers(2, 4))) for _ in range(merchants)]
    prefixes = np.array(["", "", "", "SQ *", "TST* ", "PAYPAL *", "DRI*", "POS PURCHASE "])
    cities = np.array(["COLUMBUS OH", "AUSTIN TX", "DENVER CO", "TAMPA FL", "BOISE ID", "OMAHA NE"])
    out = []
    for name in names:
        store = f" #{rng.integers(100, 9999)}" if rng.random() < 0.4 else ""
        out.append(f"{rng.choice(prefixes)}{name}{store} {rng.choice(cities)}")
    subscriptions = ["NETFLIX.COM 866-579-7172 CA", "SPOTIFY USA", "DRI*KASPERSKY LAB 866-3285700 MA", "APPLE.COM/BILL"]
    return np.array(out + subscriptions)


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    descriptors = _descriptors(rng, 5000)
    popularity = rng.zipf(1.3, size=n) % len(descriptors)
    days = np.sort(rng.integers(0, 730, size=n))[::-1]  # newest first, like most exports
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    cents = -rng.lognormal(3.0, 1.0, size=n).round(2)
    cents[rng.random(n) < 0.03] *= -20  # payments and refunds
    return pd.DataFrame({"date": dates, "description": descriptors[popularity], "amount": cents})


def write_us(rows: pd.DataFrame, path: Path) -> None:
    frame = pd.DataFrame({
        "Transaction Date": rows.date.dt.strftime("%m/%d/%Y"),
        "Post Date": (rows.date + pd.Timedelta(days=1)).dt.strftime("%m/%d/%Y"),
        "Description": rows.description, "Category": "Shopping",
        "Type": np.where(rows.amount < 0, "Sale", "Payment"),
        "Amount": rows.amount.map("{:.2f}".format), "Memo": "",
    })
    frame.to_csv(path, index=False)


def write_eu(rows: pd.DataFrame, path: Path) -> None:
    amounts = rows.amount.map("{:.2f}".format).str.replace(".", ",", regex=False)
    frame = pd.DataFrame({
        "Buchungstag": rows.date.dt.strftime("%d.%m.%Y"), "Valuta": rows.date.dt.strftime("%d.%m.%Y"),
        "Auftraggeber/Empfänger": rows.description, "Verwendungszweck": "Kartenzahlung",
        "Betrag": amounts, "Währung": "EUR",
    })
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Umsatzanzeige;Datei erstellt am: 01.01.2026\nIBAN;DE00 1234\nKontoname;Girokonto\n\n")
        frame.to_csv(handle, index=False, sep=";", quoting=1)


def _time(func, repeat: int = 3) -> tuple[float, object]:
    """Best of ``repeat`` runs: the machine's noise only ever adds time."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench(path: Path, skiprows: int, sep: str) -> None:
    baseline, frame = _time(lambda: pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, skiprows=skiprows))
    ours, statement = _time(lambda: read_statement(path))
    size = path.stat().st_size / 1e6
    print(f"{path.name}: {len(frame):,} rows, {size:.1f} MB")
    print(f"  pandas.read_csv(dtype=str)  {baseline:6.2f} s")
    print(f"  read_statement              {ours:6.2f} s   ({len(statement.transactions):,} transactions, "
          f"{len(statement.skipped)} skipped, layout {statement.layout})")
    print(f"  ratio                       {ours / baseline:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260301)
    args = parser.parse_args()
    importers()  # import the format modules once, outside the timings
    rows = _rows(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        us, eu = Path(tmp) / "chase_card.csv", Path(tmp) / "umsatz.csv"
        write_us(rows, us)
        write_eu(rows, eu)
        bench(us, 0, ",")
        bench(eu, 4, ";")


if __name__ == "__main__":
    main()
