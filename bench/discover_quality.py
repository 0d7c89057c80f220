"""Quality of recurring-charge discovery on seeded synthetic histories (chargecheck.synthetic).

For each seed: generate a labelled 24-month history, run ``discover.find_subscriptions`` (with
the default vendor knowledge base) and match found series to true series by their rows
(:func:`chargecheck.synthetic.score_detection`).  Prints per-scenario recall, the misses and
false series of the first seeds, and as the LAST line::

    precision=0.xxx recall=0.xxx cadence_accuracy=0.xxx

precision = matched found / found; recall = matched true / true; cadence accuracy = matched
pairs whose cadence agrees / matched pairs.  Usage: ``python bench/discover_quality.py [SEEDS]``
(default 100 seeds: 0..99); ``python bench/discover_quality.py 200 1000`` runs seeds 1000..1199,
a range never looked at while tuning.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chargecheck.discover.subscriptions import find_subscriptions  # noqa: E402
from synthetic_histories import generate_history, score_detection  # noqa: E402


def _show(seed: int, score) -> None:
    for true in score.missed:
        print(f"  seed {seed}: missed {true.merchant} {true.cadence} {true.scenario} ({len(true.lines)} charges)")
    for true, sub in score.wrong_cadence:
        print(f"  seed {seed}: {true.merchant} is {true.cadence}, found {sub.cadence}")
    for sub in score.false:
        print(f"  seed {seed}: false series {sub.vendor} {sub.cadence} {sub.amount} ({sub.evidence})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Recurring-charge discovery on seeded synthetic histories.")
    parser.add_argument("seeds", nargs="?", type=int, default=100, help="how many seeds (default 100)")
    parser.add_argument("first", nargs="?", type=int, default=0, help="the first seed (default 0)")
    args = parser.parse_args(argv[1:])
    seeds, first = args.seeds, args.first
    start = time.perf_counter()
    found = true = matched = cadence_ok = 0
    hits, totals = Counter(), Counter()
    for seed in range(first, first + seeds):
        history = generate_history(seed)
        score = score_detection(history, find_subscriptions(history.transactions))
        if seed < first + 10:
            _show(seed, score)
        found, true = found + score.found, true + score.true
        matched, cadence_ok = matched + score.matched, cadence_ok + score.cadence_ok
        hits.update(score.hits)
        totals.update(score.totals)
    for scenario in sorted(totals):
        print(f"{scenario:17} recall {hits[scenario] / totals[scenario]:.3f} ({hits[scenario]}/{totals[scenario]})")
    print(f"seeds {first}..{first + seeds - 1}, {true} true series, {found} found, {matched} matched, {time.perf_counter() - start:.1f} s")
    precision = matched / found if found else 1.0
    recall = matched / true if true else 1.0
    cadence = cadence_ok / matched if matched else 1.0
    print(f"precision={precision:.3f} recall={recall:.3f} cadence_accuracy={cadence:.3f}")


if __name__ == "__main__":
    main(sys.argv)
