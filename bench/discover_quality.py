"""Quality of recurring-charge discovery on seeded synthetic histories (chargecheck.synthetic).

For each seed: generate a labelled 24-month history, run ``discover.find_subscriptions`` and
match found series to true series by their rows (a found series matches a true one when they
share at least half of each other's charges).  Prints per-scenario recall, the misses of the
first seeds, and as the LAST line::

    precision=0.xxx recall=0.xxx cadence_accuracy=0.xxx

precision = matched found / found; recall = matched true / true; cadence accuracy = matched
pairs whose cadence agrees / matched pairs.  Usage: ``python bench/discover_quality.py [SEEDS]``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chargecheck.discover import find_subscriptions  # noqa: E402
from chargecheck.synthetic import generate_history  # noqa: E402


def _lines(sub) -> set[int]:
    return {c.source.line for c in sub.charges}


def score_seed(seed: int, show: bool = False):
    """(found, true, matched, cadence_ok, per-scenario hits, per-scenario totals) for one seed."""
    history = generate_history(seed)
    found = find_subscriptions(history.transactions)
    truth = list(history.series)
    used: set[int] = set()
    matched = cadence_ok = 0
    hits, totals = Counter(), Counter()
    for true in truth:
        totals[true.scenario] += 1
        lines = set(true.lines)
        best = None
        for k, sub in enumerate(found):
            shared = len(lines & _lines(sub))
            if k not in used and shared * 2 >= len(lines) and shared * 2 >= len(sub.charges):
                best = k
                break
        if best is None:
            if show:
                print(f"  seed {seed}: missed {true.merchant} {true.cadence} {true.scenario} ({len(lines)} charges)")
            continue
        used.add(best)
        matched += 1
        hits[true.scenario] += 1
        if found[best].cadence == true.cadence:
            cadence_ok += 1
        elif show:
            print(f"  seed {seed}: {true.merchant} is {true.cadence}, found {found[best].cadence}")
    if show:
        for k, sub in enumerate(found):
            if k not in used:
                print(f"  seed {seed}: false series {sub.vendor} {sub.cadence} {sub.amount} ({len(sub.charges)} charges, {sub.evidence})")
    return len(found), len(truth), matched, cadence_ok, hits, totals


def main(argv: list[str]) -> None:
    seeds = int(argv[1]) if len(argv) > 1 else 100
    start = time.perf_counter()
    n_found = n_true = n_matched = n_cadence = 0
    hits, totals = Counter(), Counter()
    for seed in range(seeds):
        f, t, m, c, h, tot = score_seed(seed, show=seed < 5)
        n_found, n_true, n_matched, n_cadence = n_found + f, n_true + t, n_matched + m, n_cadence + c
        hits.update(h)
        totals.update(tot)
    for scenario in sorted(totals):
        print(f"{scenario:14} recall {hits[scenario] / totals[scenario]:.3f} ({hits[scenario]}/{totals[scenario]})")
    print(f"{seeds} seeds, {n_true} true series, {n_found} found, {time.perf_counter() - start:.1f} s")
    precision = n_matched / n_found if n_found else 1.0
    recall = n_matched / n_true if n_true else 1.0
    cadence = n_cadence / n_matched if n_matched else 1.0
    print(f"precision={precision:.3f} recall={recall:.3f} cadence_accuracy={cadence:.3f}")


if __name__ == "__main__":
    main(sys.argv)
