"""Review decisions: reviews.toml loading and validation, in-place replacement, stale decisions, CLI."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from chargecheck.cli import cli
from chargecheck.errors import RulesError, UsageError
from chargecheck.model import Flag, FlagResult, Source, StaleReview
from chargecheck.config.reviews import Review, apply_reviews, apply_reviews_to_result, load_reviews, record_review

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def make_flag(flag_id: str, status: str = "flagged") -> Flag:
    return Flag(id=flag_id, vendor="Kaspersky", date=date(2026, 4, 1), amount=Decimal("-59.99"), currency="USD",
                description="DRI*KASPERSKY", source=Source("card.csv", 2), cancelled_on=date(2026, 3, 1),
                paid_through=None, days_after=31, reference=None, score=100.0, alias="KASPERSKY",
                method="token", status=status)


def test_load_reviews_from_file_or_folder():
    path = FIXTURES / "valid" / "reviews.toml"
    expected = {"0123456789": Review("0123456789", "disputed", "chargeback filed", date(2026, 4, 10), str(path), 3)}
    assert load_reviews(path) == expected
    assert load_reviews(FIXTURES / "valid") == expected  # a folder: [[review]] in any of its files


def test_a_reviews_file_not_written_yet_holds_no_decisions(tmp_path: Path):
    assert load_reviews(tmp_path / "reviews.toml") == {}


def test_invalid_review_records_are_reported_with_lines(tmp_path: Path):
    path = write(tmp_path, "reviews.toml", '''
        [[review]]
        flag_id = "0123456789"
        decision = "dispute"

        [[review]]
        flag_id = "0123"
        decision = "ignore"
        decided = 2026-04-01

        [[review]]
        flag_id = "ABCDEF0123"
        ''')
    with pytest.raises(RulesError) as caught:
        load_reviews(path)
    assert list(caught.value.problems) == [
        f"{path}:3: review #1 (0123456789): decision: expected one of disputed, refunded, expected, ignore, "
        "found \"dispute\" (did you mean 'disputed'?)",
        f"{path}:6: review #2 (0123): flag_id: expected a flag id of 10 hex digits as shown in the report's "
        "id column, found \"0123\"",
        f"{path}:8: review #2 (0123): unknown key 'decided' (did you mean 'decided_on'?)",
        f"{path}:10: review #3 (ABCDEF0123): missing required key 'decision' (add decision = …)",
    ]


def test_later_record_for_the_same_id_wins(tmp_path: Path):
    path = write(tmp_path, "reviews.toml", '''
        [[review]]
        flag_id = "0123456789"
        decision = "disputed"
        [[review]]
        flag_id = "0123456789"
        decision = "refunded"
        ''')
    assert load_reviews(path)["0123456789"].decision == "refunded"


EXISTING = '''\
# Decisions recorded with `chargecheck review`.   (spacing kept)

# phoned them on 2026-04-09
[[review]]
# case 77
flag_id = "0123456789"
decision = "disputed"   # for now
note = "chargeback filed"

# the other one
[[review]]
flag_id = "abcdefabcd"
decision = "ignore"
'''


def test_record_appends_a_new_decision_keeping_every_byte(tmp_path: Path):
    path = tmp_path / "reviews.toml"
    path.write_text(EXISTING)
    stored = record_review(path, "FEDCBA9876", "expected", note="annual plan", on=date(2026, 4, 12))
    assert stored == Review("fedcba9876", "expected", "annual plan", date(2026, 4, 12), str(path), 15)
    assert path.read_text() == EXISTING + (
        '\n[[review]]\nflag_id = "fedcba9876"\ndecision = "expected"\nnote = "annual plan"\ndecided_on = 2026-04-12\n'
    )


def test_a_second_decision_replaces_only_that_block(tmp_path: Path):
    path = tmp_path / "reviews.toml"
    path.write_text(EXISTING)
    record_review(path, "0123456789", "refunded", on=date(2026, 4, 20))
    assert path.read_text() == EXISTING.replace(
        '[[review]]\n# case 77\nflag_id = "0123456789"\ndecision = "disputed"   # for now\nnote = "chargeback filed"\n',
        '# case 77\n[[review]]\nflag_id = "0123456789"\ndecision = "refunded"\ndecided_on = 2026-04-20\n',
    )
    assert load_reviews(path)["0123456789"].decision == "refunded"
    assert load_reviews(path)["abcdefabcd"].decision == "ignore"


def test_duplicate_blocks_for_one_id_collapse_into_one(tmp_path: Path):
    path = write(tmp_path, "reviews.toml", '''
        [[review]]
        flag_id = "0123456789"
        decision = "disputed"

        [[review]]
        flag_id = "abcdefabcd"
        decision = "ignore"

        [[review]]
        flag_id = "0123456789"
        decision = "refunded"
        ''')
    record_review(path, "0123456789", "expected", on=date(2026, 5, 1))
    assert path.read_text() == (
        '[[review]]\nflag_id = "0123456789"\ndecision = "expected"\ndecided_on = 2026-05-01\n\n'
        '[[review]]\nflag_id = "abcdefabcd"\ndecision = "ignore"\n'
    )


def test_record_refuses_bad_values_and_broken_files_without_writing(tmp_path: Path):
    path = tmp_path / "reviews.toml"
    with pytest.raises(UsageError, match="expected one of disputed, refunded, expected, ignore"):
        record_review(path, "0123456789", "maybe")
    with pytest.raises(UsageError, match="expected a flag id of 10 hex digits"):
        record_review(path, "01234", "ignore")
    assert not path.exists()
    path.write_text("[[review]]\nflag_id = 0123456789\n")
    with pytest.raises(RulesError, match="invalid TOML"):
        record_review(path, "0123456789", "ignore")
    assert path.read_text() == "[[review]]\nflag_id = 0123456789\n"


def test_apply_reviews_sets_decisions_and_reports_stale_ones(tmp_path: Path):
    reviews = {
        "aaaaaaaaaa": Review("aaaaaaaaaa", "expected", "annual plan", None, "rules/reviews.toml", 1),
        "bbbbbbbbbb": Review("bbbbbbbbbb", "disputed", None, None, "rules/reviews.toml", 5),
        "cccccccccc": Review("cccccccccc", "ignore", "gone", None, "rules/reviews.toml", 9),
    }
    flags, stale = apply_reviews([make_flag("aaaaaaaaaa"), make_flag("bbbbbbbbbb"), make_flag("dddddddddd")], reviews)
    assert [(f.id, f.review, f.review_note, f.outstanding) for f in flags] == [
        ("aaaaaaaaaa", "expected", "annual plan", False),
        ("bbbbbbbbbb", "disputed", None, True),  # disputed still needs the money back
        ("dddddddddd", None, None, True),
    ]
    assert stale == (StaleReview("cccccccccc", "ignore", "gone", "rules/reviews.toml", 9),)


def test_reviews_of_refundable_charges_are_not_stale():
    result = FlagResult(flags=(make_flag("aaaaaaaaaa"),), refundable=(make_flag("bbbbbbbbbb", "refundable"),))
    reviews = {"bbbbbbbbbb": Review("bbbbbbbbbb", "disputed", None, None, "r.toml", 1)}
    reviewed, stale = apply_reviews_to_result(result, reviews)
    assert stale == ()
    assert [f.review for f in reviewed.flags] == [None]
    assert [f.review for f in reviewed.refundable] == ["disputed"]


def test_review_command_records_and_replaces(tmp_path: Path):
    runner = CliRunner()
    target = tmp_path / "reviews.toml"
    result = runner.invoke(cli, ["review", "0123456789", "--as", "disputed", "--note", "case 77", "--rules", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Recorded 0123456789: disputed (case 77)\n  in {target}:1\n"
    assert result.stderr == "note: 0123456789 was not checked against your statements (give them after the id to check it)\n"
    result = runner.invoke(cli, ["review", "0123456789", "--as", "refunded", "--rules", str(tmp_path)])
    assert result.stdout == f"Recorded 0123456789: refunded\n  in {target}:1\n"
    (review,) = load_reviews(target).values()
    assert (review.decision, review.note, review.decided_on) == ("refunded", None, date.today())


def test_review_command_default_file(tmp_path: Path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["review", "0123456789", "--as", "ignore"])
        assert result.stdout == "Recorded 0123456789: ignore\n  in rules/reviews.toml:1\n"


@pytest.mark.parametrize("args, message", [
    (["0123456789", "--as", "maybe"], "Invalid value for '--as': 'maybe' is not one of"),
    (["01234", "--as", "ignore"], "chargecheck: error: expected a flag id of 10 hex digits as shown in the "
                                  "report's id column, found \"01234\""),
])
def test_review_command_bad_values_exit_2(tmp_path: Path, args, message):
    result = CliRunner().invoke(cli, ["review", *args, "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "reviews.toml").exists()


def test_decisions_persist_across_check_runs(tmp_path: Path):
    """End to end: a decision shows in the next run and leaves the outstanding list; a vanished flag is stale."""
    from chargecheck.pipeline import check

    statement = write(tmp_path, "card.csv", """
        Date,Description,Amount
        2026-02-01,DRI*KASPERSKY LAB 866-3285700 MA,-59.99
        2026-04-01,DRI*KASPERSKY LAB 866-3285700 MA,-59.99
        2026-05-01,DRI*KASPERSKY LAB 866-3285700 MA,-59.99
        2026-05-02,GROCERY STORE,-12.00
        """)
    rules = tmp_path / "rules"
    rules.mkdir()
    write(rules, "cancellations.toml", '[[cancellation]]\nvendor = "Kaspersky"\ncancelled_on = 2026-03-01\n')
    first = check([statement], rules)
    assert [(f.date.isoformat(), f.outstanding) for f in first.flags] == [("2026-04-01", True), ("2026-05-01", True)]
    record_review(rules / "reviews.toml", first.flags[0].id, "expected", note="annual plan", on=date(2026, 6, 1))
    record_review(rules / "reviews.toml", "0000000000", "disputed", on=date(2026, 6, 1))
    second = check([statement], rules)
    assert [f.id for f in second.flags] == [f.id for f in first.flags]  # ids are stable across runs
    assert [(f.review, f.review_note, f.outstanding) for f in second.flags] == [
        ("expected", "annual plan", False), (None, None, True)]
    assert second.stale_reviews == (StaleReview("0000000000", "disputed", None, str(rules / "reviews.toml"), 7),)
