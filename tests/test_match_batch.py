"""``Matcher.annotate``'s fast path (``match_batch``) gives exactly what matching each value plainly gives.

The reference below is the per-value path annotate used before ``match_batch``: every distinct
raw descriptor stripped (``strip_row_noise``), reduced (``Segmenter.reduce``, always run),
cleaned and looked up one after the other in one process.  The sample is every labelled
descriptor under ``tests/fixtures/match`` plus generated rows: card wrappers with new dates and
card references per row, SEPA lines with new end-to-end ids, Amazon-style order ids, lower case,
non-ASCII text, empty and missing descriptions, and amounts that confirm near misses.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from chargecheck.match.matcher import Matcher
from chargecheck.model import Cancellation
from chargecheck.match.normalize import basic_text, clean_steps, strip_row_noise

FIXTURES = Path(__file__).parent / "fixtures" / "match"
COLUMNS = ["cleaned", "match_vendor", "match_score", "match_alias", "match_method", "match_tier", "match_doubt"]


def _fixture_descriptors() -> list[str]:
    out = []
    for path in sorted(FIXTURES.glob("*.csv")):
        if not path.name.endswith("_vendors.csv"):
            with path.open(newline="", encoding="utf-8") as handle:
                out.extend(row["descriptor"] for row in csv.DictReader(handle))
    return out


def _cancellations() -> list[Cancellation]:
    seen: dict[str, tuple[str, ...]] = {}
    for path in sorted(FIXTURES.glob("*_vendors.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                seen.setdefault(row["vendor"], tuple(a for a in row["aliases"].split(";") if a))
    # Usual amounts make near misses ("NETFLIX FAMILY SHARE") match on the rows that charge them.
    return [Cancellation(v, date(2026, 1, 1), aliases=a, amount=Decimal("15.49") if i % 3 == 0 else None)
            for i, (v, a) in enumerate(sorted(seen.items()))]


def _generated(base: list[str], rows: int) -> list[str | None]:
    rng = random.Random(2026)
    out: list[str | None] = []
    for _ in range(rows):
        text = rng.choice(base)
        kind = rng.randrange(9)
        day = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
        if kind == 0:
            text = f"PURCHASE AUTHORIZED ON {day} {text} S{rng.randrange(10**14):015d} CARD {rng.randrange(10**4):04d}"
        elif kind == 1:
            text = f"RECURRING PAYMENT authorized on {day} {text}"
        elif kind == 2:
            text = f"SEPA-LASTSCHRIFT {text} EREF+{rng.randrange(10**9)} MREF+M{rng.randrange(99)} SVWZ+{text}"
        elif kind == 3:
            text = f"{text} / Ref: {rng.randrange(10**6)}"
        elif kind == 4:
            text = f"AMAZON MKTPL*{rng.randrange(36**8):X}"
        elif kind == 5:
            text = text.lower() + rng.choice(["", " ß", " Müller", " ｆｕｌｌ"])
        elif kind == 6:
            text = rng.choice(["", None, "   ", text + "\n"])
        out.append(text)
    return out


def _plain_annotate(matcher: Matcher, transactions: pd.DataFrame) -> pd.DataFrame:
    """The per-value path: each distinct descriptor stripped, reduced, cleaned and matched in turn."""
    out = transactions.copy()
    codes, uniques = pd.factorize(out["description"].astype("object").fillna("").map(str), sort=False)
    reduce = matcher._segmenter.reduce
    inner = [reduce(strip_row_noise(v)) for v in uniques]
    results = [matcher._lookup(value, clean_steps(value)) for value in inner]
    rows = [results[code] for code in codes]
    cents = out["amount_cents"].tolist()
    # As annotate does: a near miss confirmed by the amount wins even over a segment match.
    matches = [matcher._for_amount(m, near, c) for (_, m, near), c in zip(rows, cents)]
    out["cleaned"] = pd.Series([r[0] for r in rows], index=out.index, dtype="str")
    out["match_vendor"] = pd.Series([m.vendor if m else "" for m in matches], index=out.index, dtype="str")
    out["match_score"] = pd.Series([m.score if m else 0.0 for m in matches], index=out.index, dtype="float64")
    out["match_alias"] = pd.Series([m.alias if m else "" for m in matches], index=out.index, dtype="str")
    out["match_method"] = pd.Series([m.method if m else "" for m in matches], index=out.index, dtype="str")
    out["match_tier"] = pd.Series([m.tier.value if m else "" for m in matches], index=out.index, dtype="str")
    out["match_doubt"] = pd.Series([m.doubt if m else "" for m in matches], index=out.index, dtype="str")
    return out


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    base = _fixture_descriptors()
    descriptions = base + _generated(base, 6000)
    rng = random.Random(7)
    cents = [rng.choice([-1549, -999, 1549, -120]) for _ in descriptions]
    return pd.DataFrame({"description": pd.Series(descriptions, dtype="str"),
                         "amount_cents": pd.Series(cents, dtype="int64")})


def test_sample_is_varied(sample: pd.DataFrame) -> None:
    plain = _plain_annotate(Matcher(_cancellations()), sample)
    assert plain["match_vendor"].ne("").sum() > 500
    assert plain["match_method"].str.endswith("+amount").any()
    assert plain["match_method"].str.contains("segment").any()
    assert sample["description"].isna().any()


def test_fast_path_equals_plain_path(sample: pd.DataFrame) -> None:
    expected = _plain_annotate(Matcher(_cancellations()), sample)
    got = Matcher(_cancellations()).annotate(sample)
    # The prefilter leaves texts no vendor can match uncleaned (upper case only): their matches
    # are the same (none), and where any vendor matched the cleaned text is the full cleaning.
    matched = expected["match_vendor"].ne("")
    pd.testing.assert_frame_equal(got.drop(columns="cleaned"), expected.drop(columns="cleaned"))
    pd.testing.assert_series_equal(got["cleaned"][matched], expected["cleaned"][matched])
    skipped = got["cleaned"].ne(expected["cleaned"])
    reduce = Matcher(_cancellations())._segmenter.reduce
    basic = sample["description"].astype("object").fillna("").map(lambda v: basic_text(reduce(strip_row_noise(str(v)))))
    assert (got["cleaned"][skipped] == basic[skipped]).all()
    assert skipped.any()  # some texts were decided by the prefilter alone


@pytest.mark.parametrize("text, maybe", [
    ("WALMART SUPERCENTER #1234 BENTONVILLE AR", False),
    ("ZELLE TO ANNA SCHMIDT", False),
    ("NETFLIX.COM 866-579-7172 CA", True),
    ("NET FLIX", True),                    # a one-word alias written as two words
    ("SPOTIFV USA", True),                 # a typo, through the fuzzy lookup
    ("NORTONLIFEL", True),                 # a truncation
    ("DISNEY+ 888-905-7888", True),        # "+" is the word PLUS
    ("ACME 800-698-4637NORTON", True),     # a word glued to digits counts by its letters
])
def test_prefilter_decides_no_candidate_by_words(text: str, maybe: bool) -> None:
    matcher = Matcher.for_vendors({"Netflix": [], "Spotify": [], "Norton": ["NortonLifeLock"], "Disney+": []})
    assert matcher.index.prefilter([basic_text(text)]).tolist() == [maybe]


def test_fast_path_on_object_column_and_empty_table() -> None:
    matcher = Matcher(_cancellations())
    table = pd.DataFrame({"description": pd.Series(["NETFLIX.COM", None, 12], dtype=object),
                          "amount_cents": [-1549, -1, -2]})
    got = matcher.annotate(table)
    assert got["cleaned"].tolist() == ["NETFLIX.COM", "", "12"]
    assert got["match_vendor"].tolist() == ["Netflix", "", ""]
    empty = matcher.annotate(table.iloc[:0])
    assert empty[COLUMNS].shape == (0, 7)


@pytest.mark.parametrize("text", ["Straße GmbH EREF+123 SVWZ+Beitrag", "ſvwz+netflix", "xmref+1 netflix",
                                  "NETFLIX.COM", "Netflix / Maart 2026", "PAYPAL *SPOTIFY ; ref: 9"])
def test_segment_shortcuts_never_skip_a_cut(text: str) -> None:
    segmenter = Matcher(_cancellations())._segmenter
    assert segmenter.may_reduce(text) or segmenter.reduce(text) == text
    assert segmenter.may_split(text) or segmenter.split(text) == ()


def test_segment_shortcuts_on_the_whole_sample(sample: pd.DataFrame) -> None:
    segmenter = Matcher(_cancellations())._segmenter
    texts = sample["description"].dropna().unique().tolist()
    assert all(segmenter.may_reduce(t) or segmenter.reduce(t) == t for t in texts)
    assert all(segmenter.may_split(t) or segmenter.split(t) == () for t in texts)
    assert sum(not segmenter.may_reduce(t) for t in texts) > len(texts) // 2  # the shortcut does skip
