"""Benchmark: reading a 20,000-transaction OFX file, chargecheck vs plain ofxparse.

Generates a seeded OFX 1.02 SGML card statement (realistic repeated merchants, zone-suffixed
dates, NAME and MEMO), then times in one run:

* ``chargecheck.importers.read_statement`` on the whole file (sanitizer + tolerant extractor);
* plain ``ofxparse.OfxParser.parse`` on smaller slices (it is quadratic: ~35 s for 20k), with
  the time for the full size extrapolated from the growth between the two slices
  (``--full`` also times ofxparse on the whole file).

Usage: ``python bench/bench_ofx.py [--transactions 20000] [--full]``
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chargecheck.importers import read_statement  # noqa: E402

MERCHANTS = [
    ("NETFLIX.COM", "866-579-7172 CA"), ("DRI*KASPERSKY LAB", "866-3285700 MA"),
    ("SPOTIFY USA", "NEW YORK NY"), ("AMAZON MKTPLACE PMTS", "AMZN.COM/BILL WA"),
    ("STARBUCKS STORE 01234", "SEATTLE WA"), ("SHELL OIL 57442", "HOUSTON TX"),
    ("APPLE.COM/BILL", "866-712-7753 CA"), ("PAYPAL *HULU", "402-935-7733 CA"),
    ("WHOLE FOODS MKT #102", "AUSTIN TX"), ("UBER *TRIP", "HELP.UBER.COM CA"),
]

HEADER = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260301120000[-5:EST]<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111111111111111</CCACCTFROM>
<BANKTRANLIST><DTSTART>20250101<DTEND>20260301
"""
FOOTER = """</BANKTRANLIST><LEDGERBAL><BALAMT>-1234.56<DTASOF>20260301</LEDGERBAL>
</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>
</OFX>
"""


def make_ofx(count: int, seed: int = 20261126) -> str:
    """A seeded OFX card statement with ``count`` transactions."""
    rng = random.Random(seed)
    parts = [HEADER]
    for i in range(count):
        name, memo = rng.choice(MERCHANTS)
        day = 1 + (i * 400 // max(count, 1)) % 28
        month = 1 + (i * 12 // max(count, 1))
        cents = rng.randint(99, 25000) * (-1 if rng.random() < 0.95 else 1)
        parts.append(
            f"<STMTTRN>\n<TRNTYPE>{'DEBIT' if cents < 0 else 'CREDIT'}\n"
            f"<DTPOSTED>2025{month:02d}{day:02d}{rng.randint(0, 23):02d}0000.000[-5:EST]\n"
            f"<TRNAMT>{cents / 100:.2f}\n<FITID>{seed}{i:08d}\n<NAME>{name}\n<MEMO>{memo}\n</STMTTRN>\n"
        )
    parts.append(FOOTER)
    return "".join(parts)


def time_ofxparse(count: int) -> float:
    """CPU seconds plain ofxparse needs for a ``count``-transaction file (one run)."""
    from ofxparse import OfxParser

    data = make_ofx(count).encode("ascii")
    start = time.process_time()
    parsed = OfxParser.parse(io.BytesIO(data))
    elapsed = time.process_time() - start
    assert len(parsed.accounts[0].statement.transactions) == count
    return elapsed


def main() -> None:
    """Generate, time both readers, print figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=20_000)
    parser.add_argument("--full", action="store_true", help="also time ofxparse on the full file")
    args = parser.parse_args()
    n = args.transactions
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.ofx"
        path.write_text(make_ofx(n), encoding="ascii")
        print(f"file: {n:,} transactions, {path.stat().st_size / 1e6:.1f} MB")
        start, cpu = time.perf_counter(), time.process_time()
        statement = read_statement(path)
        ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(statement.transactions) == n, statement.notes
    # CPU time too: on a shared machine the wall clock also counts other processes' turns.
    print(f"chargecheck read_statement: {ours:.2f} s wall, {ours_cpu:.2f} s CPU, {len(statement.transactions):,} transactions")
    small, large = max(n // 8, 10), max(n // 4, 20)
    t_small, t_large = time_ofxparse(small), time_ofxparse(large)
    exponent = math.log(t_large / t_small) / math.log(large / small)
    estimate = t_large * (n / large) ** exponent
    print(f"plain ofxparse (CPU): {small:,} txns {t_small:.2f} s, {large:,} txns {t_large:.2f} s "
          f"(growth exponent {exponent:.2f})")
    print(f"plain ofxparse, {n:,} txns extrapolated: {estimate:.1f} s")
    if args.full:
        full = time_ofxparse(n)
        print(f"plain ofxparse, {n:,} txns measured: {full:.1f} s")
        estimate = full
    print(f"ratio ofxparse / chargecheck (CPU): {estimate / ours_cpu:.0f}x")


if __name__ == "__main__":
    main()
