"""Match quality on a labelled descriptor set: the real matcher against two baselines.

    python bench/match_quality.py --labels FILE --vendors FILE [--split N/M] [--errors]

``--labels``: CSV with ``descriptor,vendor,kind[,notes]`` (empty vendor = none of ours; kind
``hard_negative`` marks a look-alike that must match nothing).
``--vendors``: CSV with ``vendor,aliases`` (aliases ``;``-separated).  Every vendor becomes a
recorded cancellation with those aliases, matched by :class:`chargecheck.match.matcher.Matcher` —
the same code ``chargecheck check`` runs, knowledge base included.  A prediction is right
only when it names the labelled vendor; naming a vendor for a "none" row is a false
positive.  ``--split N/M`` keeps rows whose position modulo M equals N (cross-checks).

Prints a per-kind table, the baselines (case-insensitive substring of any alias; rapidfuzz
``partial_ratio >= 90`` on ``default_process``-ed text) and, as the last line,
``precision=… recall=… f1=… recall_any=… check_rate=…`` for the matcher: precision and recall
of the *flagged* tier; ``recall_any`` the share of vendor rows named right in either tier
(flagged or to check); ``check_rate`` the share of ``hard_negative`` rows that land in to check.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, utils  # noqa: E402

from chargecheck.match.matcher import Matcher  # noqa: E402
from chargecheck.model import Cancellation, MatchTier  # noqa: E402


def read_vendors(path: Path) -> dict[str, list[str]]:
    """``{vendor: aliases}`` from the vendors CSV."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["vendor"]: [a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()]
                for row in csv.DictReader(handle)}


def read_labels(path: Path, split: str | None) -> list[dict[str, str]]:
    """Labelled rows, optionally only those of one split (``N/M``)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if split:
        part, parts = (int(x) for x in split.split("/"))
        rows = [row for i, row in enumerate(rows) if i % parts == part]
    return rows


def substring_baseline(vendors: dict[str, list[str]]):
    """Case-insensitive substring of any alias (first vendor in file order wins)."""
    table = [(v, [a.lower() for a in [v, *aliases]]) for v, aliases in vendors.items()]

    def predict(text: str) -> str:
        low = text.lower()
        return next((v for v, aliases in table if any(a in low for a in aliases)), "")
    return predict


def partial_baseline(vendors: dict[str, list[str]]):
    """Best rapidfuzz partial_ratio >= 90 over all aliases, on default_process-ed text."""
    table = [(v, utils.default_process(a)) for v, aliases in vendors.items() for a in [v, *aliases]]

    def predict(text: str) -> str:
        processed = utils.default_process(text)
        best, vendor = 0.0, ""
        for v, alias in table:
            if alias and (score := fuzz.partial_ratio(alias, processed)) > best:
                best, vendor = score, v
        return vendor if best >= 90 else ""
    return predict


def score(rows: list[dict[str, str]], predictions: list[str]) -> dict[str, float]:
    """tp/fp/fn counts and precision, recall, f1 (fp: a wrong vendor named; fn: right one missed)."""
    tp = fp = fn = 0
    for row, got in zip(rows, predictions):
        want = row["vendor"]
        if got and got == want:
            tp += 1
        else:
            fp += bool(got)
            fn += bool(want)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the tables; the last line is the matcher's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, required=True)
    parser.add_argument("--vendors", type=Path, required=True)
    parser.add_argument("--split", help="N/M: keep rows whose index %% M == N")
    parser.add_argument("--errors", action="store_true", help="list every wrong prediction")
    args = parser.parse_args(argv)

    vendors = read_vendors(args.vendors)
    rows = read_labels(args.labels, args.split)
    cancellations = [Cancellation(vendor=v, cancelled_on=date(2026, 1, 1), aliases=tuple(a))
                     for v, a in vendors.items()]
    started = time.perf_counter()
    matcher = Matcher(cancellations)
    found = [matcher.match(row["descriptor"]) for row in rows]
    elapsed = time.perf_counter() - started
    ours = [m.vendor if m is not None and m.tier is MatchTier.FLAGGED else "" for m in found]
    either = [m.vendor if m is not None else "" for m in found]

    baselines = {name: [predict(row["descriptor"]) for row in rows] for name, predict in
                 (("substring", substring_baseline(vendors)), ("partial_ratio>=90", partial_baseline(vendors)))}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_kind[row.get("kind") or "-"].append(i)
    print(f"{len(rows)} descriptors, {len(vendors)} vendors, matched in {elapsed:.2f} s")
    print(f"{'kind':<16}{'rows':>6}{'right':>7}{'fp':>5}{'fn':>5}   baselines right: substring, partial")
    for kind in sorted(by_kind):
        idx = by_kind[kind]
        sub = score([rows[i] for i in idx], [ours[i] for i in idx])
        right = [sum(got[i] == rows[i]["vendor"] for i in idx) for got in (ours, *baselines.values())]
        print(f"{kind:<16}{len(idx):>6}{right[0]:>7}{sub['fp']:>5}{sub['fn']:>5}   {right[1]:>4}, {right[2]:>4}")
    if args.errors:
        for row, m in zip(rows, found):
            got = m.vendor if m is not None and m.tier is MatchTier.FLAGGED else ""
            if got != row["vendor"]:
                checked = f" (to check: {m.vendor}: {m.doubt})" if m is not None and not got else ""
                print(f"  wrong: {row['descriptor']!r} labelled {row['vendor'] or 'none'!r}, got {got or 'none'!r}"
                      f"{checked}")
    for name, predictions in baselines.items():
        base = score(rows, predictions)
        print(f"baseline {name}: precision={base['precision']:.3f} recall={base['recall']:.3f} f1={base['f1']:.3f}")
    result = score(rows, ours)
    wanted = [i for i, row in enumerate(rows) if row["vendor"]]
    recall_any = sum(either[i] == rows[i]["vendor"] for i in wanted) / len(wanted) if wanted else 1.0
    negatives = [i for i, row in enumerate(rows) if row.get("kind") == "hard_negative"]
    checked = sum(found[i] is not None and found[i].tier is MatchTier.TO_CHECK for i in negatives)
    check_rate = checked / len(negatives) if negatives else 0.0
    print(f"precision={result['precision']:.3f} recall={result['recall']:.3f} f1={result['f1']:.3f} "
          f"recall_any={recall_any:.3f} check_rate={check_rate:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
