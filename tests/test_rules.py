"""Rules files: loading, every validation message (file:line), appending without loss, `cancel`."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chargecheck.cli import cli
from chargecheck.errors import RulesError
from chargecheck.model import Cancellation
from chargecheck.config.rules import append_cancellation, cancellation_block, load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
BROKEN = sorted((FIXTURES / "broken").glob("*.toml"))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(paths) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_rules(paths)
    return list(caught.value.problems)


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_rules_file_gives_exact_messages(path: Path):
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    error = caught.value
    assert [p.replace(str(path), path.name) for p in error.problems] == expected
    first_line = int(expected[0].split(":")[1])
    assert (error.path, error.line) == (str(path), first_line)
    assert str(error).startswith(expected[0].rsplit(" (", 1)[0].replace(path.name, str(path), 1))


def test_every_broken_fixture_has_its_expected_messages():
    assert BROKEN and all(p.with_suffix(".expected").exists() for p in BROKEN)


def test_str_names_the_first_problem_and_counts_the_rest():
    path = FIXTURES / "broken" / "several_records.toml"
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}:9: cancellation #2 (Kaspersky): unknown key 'refrence' "
        "(did you mean 'reference'?; 4 more problems listed below)"
    )
    assert caught.value.record == "cancellation #2 (Kaspersky)"


def test_valid_folder_loads_every_cancellation_in_file_order():
    folder = FIXTURES / "valid"
    source = str(folder / "cancellations.toml")
    assert load_rules(folder) == (
        Cancellation("Kaspersky", date(2026, 3, 1), aliases=("DRI*KASPERSKY",), reference="KL-58213",
                     amount=Decimal("59.99"), refund_window_days=30, exclude=("KASPER JEWELRY",),
                     source_file=source, source_line=3),
        Cancellation("Netflix", date(2026, 2, 10), paid_through=date(2026, 2, 28),
                     notes="cancelled in the app;\nthey said the plan runs to the end of the month",
                     source_file=source, source_line=12),
        # The same vendor twice is allowed: both records apply (flag.py picks the one governing each charge).
        Cancellation("Kaspersky", date(2026, 5, 2), reference="58214", source_file=source, source_line=22),
    )


def test_a_file_list_and_a_single_file_are_accepted(tmp_path: Path):
    one = write(tmp_path, "a.toml", '[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-01\n')
    two = write(tmp_path, "b.toml", '[[cancellation]]\nvendor = "Max"\ncancelled_on = 2026-01-02\n')
    assert [c.vendor for c in load_rules([two, one])] == ["Max", "Hulu"]
    assert [c.vendor for c in load_rules(one)] == ["Hulu"]
    assert load_rules(str(tmp_path))[1].source_file == str(two)


def test_problems_of_every_file_are_reported_at_once(tmp_path: Path):
    write(tmp_path, "a.toml", '[[cancellation]]\nvendor = "Hulu"\n')
    write(tmp_path, "b.toml", "colour = 1\n")
    write(tmp_path, ".hidden.toml", "this is not toml")  # editors' temp files are passed over
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'a.toml'}:1: cancellation #1 (Hulu): missing required key 'cancelled_on' "
        "(add cancelled_on = 2026-03-01)",
        f"{tmp_path / 'b.toml'}:1: unknown top-level key 'colour' "
        "(a rules file holds [[cancellation]], [[layout]], [[review]], [[vendor]])",
    ]


def test_keys_without_their_record_header_say_so(tmp_path: Path):
    path = write(tmp_path, "r.toml", '# forgot the header\nvendor = "Hulu"\ncancelled_on = 2026-01-01\n')
    assert problems_of(path) == [
        f"{path}:2: 'vendor' is outside any record (add a [[cancellation]] line above it)",
        f"{path}:3: 'cancelled_on' is outside any record (add a [[cancellation]] line above it)",
    ]
    path = write(tmp_path, "v.toml", "vendor = [1, 2]\n")  # the kinds owned by other modules: shape checked here
    assert problems_of(path) == [
        f"{path}:1: 'vendor' must be a list of records (start each record with a [[vendor]] line, with two brackets)"
    ]


def test_missing_path_is_a_rules_error(tmp_path: Path):
    assert problems_of(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: rules file or folder not found"]


def test_lines_are_found_past_multiline_values_and_in_inline_records(tmp_path: Path):
    path = write(tmp_path, "r.toml", '''
        cancellation = [
          { vendor = "Hulu", cancelled_on = 2026-01-01 },
        ]
        [[review]]
        flag_id = "0123456789"
        decision = "expected"
        note = """
        [[cancellation]]
        vendr = "not a key: inside a string"
        """
        ''')
    assert [c.source_line for c in load_rules(path)] == [1]
    path = write(tmp_path, "s.toml", '''
        [[cancellation]]
        vendor = "Norton"
        aliases = [
          "NORTONLIFELOCK",
          "GEN DIGITAL",  # renamed 2022
        ]
        cancelled_on = "2026-3-1"
        ''')
    assert problems_of(path) == [
        f"{path}:7: cancellation #1 (Norton): cancelled_on: expected a date like 2026-03-01, found \"2026-3-1\""
    ]


@pytest.mark.parametrize("written, expected", [('"59.99"', "59.99"), ("59.99", "59.99"), ("60", "60.00"), ('"7.5"', "7.50")])
def test_amount_accepts_text_or_numbers_as_exact_decimals(tmp_path: Path, written: str, expected: str):
    path = write(tmp_path, "r.toml", f'[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-01\namount = {written}\n')
    assert load_rules(path)[0].amount == Decimal(expected)


HEADER = b"# my rules \xe2\x80\x94 keep this comment\n\n[[cancellation]]\nvendor = \"Hulu\"   # odd   spacing kept\ncancelled_on = 2026-01-15\n"
KASPERSKY = Cancellation("Kaspersky", date(2026, 3, 1), aliases=("DRI*KASPERSKY",), reference="KL-58213",
                         amount=Decimal("59.99"), refund_window_days=60)
KASPERSKY_BLOCK = (
    '[[cancellation]]\nvendor = "Kaspersky"\ncancelled_on = 2026-03-01\naliases = ["DRI*KASPERSKY"]\n'
    'reference = "KL-58213"\namount = "59.99"\nrefund_window_days = 60\n'
)


def test_block_has_one_line_per_key_and_leaves_empty_fields_out():
    assert cancellation_block(KASPERSKY) == KASPERSKY_BLOCK


def test_awkward_text_round_trips_through_append(tmp_path: Path):
    record = Cancellation('Café "Rouge" \\ Bar', date(2026, 3, 1), aliases=("SQ *CAFE ROUGE", "CAFÉ#1"),
                          exclude=("ROUGE'S",), notes="line one\nline two\t# not a comment")
    path = tmp_path / "c.toml"
    stored = append_cancellation(path, record)
    assert stored == replace(record, source_file=str(path), source_line=1)
    assert 'aliases = ["SQ *CAFE ROUGE", "CAFÉ#1"]\n' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("existing, separator", [
    (HEADER, b"\n"),
    (HEADER.rstrip(b"\n"), b"\n\n"),  # no final newline: one is added, never a byte changed
    (HEADER.replace(b"\n", b"\r\n"), b"\r\n"),  # CRLF files stay CRLF
])
def test_append_keeps_existing_bytes_exactly(tmp_path: Path, existing: bytes, separator: bytes):
    path = tmp_path / "cancellations.toml"
    path.write_bytes(existing)
    stored = append_cancellation(path, KASPERSKY)
    newline = b"\r\n" if b"\r\n" in existing else b"\n"
    assert path.read_bytes() == existing + separator + KASPERSKY_BLOCK.encode().replace(b"\n", newline)
    assert stored.source_line == 7
    assert load_rules(path)[1] == stored
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".chargecheck.lock") == ["cancellations.toml"]  # no temp file left (the hidden lock file stays)


def test_append_creates_the_file_and_its_folder(tmp_path: Path):
    path = tmp_path / "new" / "rules" / "cancellations.toml"
    append_cancellation(path, Cancellation("Hulu", date(2026, 1, 15)))
    assert path.read_text() == '[[cancellation]]\nvendor = "Hulu"\ncancelled_on = 2026-01-15\n'


def test_append_refuses_an_invalid_result_and_leaves_the_file_alone(tmp_path: Path):
    path = tmp_path / "cancellations.toml"
    path.write_bytes(HEADER)
    bad = Cancellation("Hulu", date(2026, 3, 1), paid_through=date(2026, 2, 1))
    with pytest.raises(RulesError, match=r"cancellations.toml:10: cancellation #2 \(Hulu\): paid_through 2026-02-01"):
        append_cancellation(path, bad)
    assert path.read_bytes() == HEADER
    broken = tmp_path / "broken.toml"
    broken.write_text("[[cancellation]]\nvendr = 'x'\n")
    with pytest.raises(RulesError):
        append_cancellation(broken, KASPERSKY)
    assert broken.read_text() == "[[cancellation]]\nvendr = 'x'\n"


def test_cancel_command_records_and_says_where(tmp_path: Path):
    rules = tmp_path / "rules"
    rules.mkdir()
    result = CliRunner().invoke(cli, ["cancel", "Kaspersky", "--on", "2026-03-01", "--ref", "KL-58213",
                                      "--paid-through", "2026-03-31", "--amount", "59.99", "--alias", "DRI*KASPERSKY",
                                      "--alias", "NEXWAY*KASPERSKY", "--refund-window", "60", "--notes", "online",
                                      "--rules", str(rules)])
    target = rules / "cancellations.toml"
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Recorded Kaspersky: cancelled on 2026-03-01, paid through 2026-03-31, reference KL-58213\n"
        f"  in {target}:1\n"
    )
    assert load_rules(rules) == (
        Cancellation("Kaspersky", date(2026, 3, 1), aliases=("DRI*KASPERSKY", "NEXWAY*KASPERSKY"),
                     paid_through=date(2026, 3, 31), reference="KL-58213", amount=Decimal("59.99"),
                     refund_window_days=60, notes="online", source_file=str(target), source_line=1),
    )


def test_cancel_command_mentions_an_earlier_record_for_the_same_vendor(tmp_path: Path):
    runner = CliRunner()
    runner.invoke(cli, ["cancel", "Hulu", "--on", "2026-01-15", "--rules", str(tmp_path)])
    result = runner.invoke(cli, ["cancel", "hulu", "--on", "2026-03-15", "--rules", str(tmp_path), "--add"])
    target = tmp_path / "cancellations.toml"
    assert result.output == (
        f"Recorded hulu: cancelled on 2026-03-15\n  in {target}:5\n"
        f"  note: Hulu also has a cancellation on 2026-01-15 ({target}:1); "
        "each charge is judged by the latest one before it\n"
    )


def test_cancel_command_default_file_and_explicit_file(tmp_path: Path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["cancel", "Hulu", "--on", "2026-01-15"])
        assert result.output == "Recorded Hulu: cancelled on 2026-01-15\n  in rules/cancellations.toml:1\n"
        result = runner.invoke(cli, ["cancel", "Max", "--on", "2026-01-16", "--rules", "mine.toml"])
        assert result.output == "Recorded Max: cancelled on 2026-01-16\n  in mine.toml:1\n"
        assert Path("mine.toml").exists()


@pytest.mark.parametrize("args, message", [
    (["--on", "03/01/2026"], "Invalid value for '--on': expected a date like 2026-03-01, found \"03/01/2026\""),
    (["--on", "2026-02-30"], "Invalid value for '--on': expected a real calendar date, found \"2026-02-30\""),
    (["--on", "2026-03-01", "--amount", "-5"], "Invalid value for '--amount': expected a positive amount"),
    (["--on", "2026-03-01", "--paid-through", "2026-02-01"], "paid_through 2026-02-01 is before cancelled_on"),
])
def test_cancel_command_bad_values_exit_2(tmp_path: Path, args: list[str], message: str):
    result = CliRunner().invoke(cli, ["cancel", "Hulu", *args, "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "cancellations.toml").exists()


_SCALARS = st.one_of(st.text(max_size=12), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                     st.booleans(), st.dates(), st.datetimes())
_KEYS = st.sampled_from(["vendor", "cancelled_on", "aliases", "paid_through", "amount", "refund_window_days",
                         "exclude", "notes", "reference", "vendr", "x"])
_RECORDS = st.dictionaries(_KEYS, st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3)), max_size=6)
_DOCUMENTS = st.dictionaries(st.sampled_from(["cancellation", "review", "cancelation", "layout"]),
                             st.one_of(st.lists(_RECORDS, max_size=3), _RECORDS, _SCALARS), max_size=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_DOCUMENTS)
@example(document={"cancellation": [{"vendor": "", "amount": 1e26}]})  # once crashed quantize() (28 digits)
def test_any_toml_document_loads_or_raises_rules_error(tmp_path: Path, document):
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    try:
        load_rules(path)
    except RulesError as error:
        assert error.problems and all(p.startswith(str(path)) for p in error.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet='[]{}="\'#\n =.,abcdefgkvo0123456789-:T', max_size=80))
def test_any_text_loads_or_raises_rules_error(tmp_path: Path, text: str):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_rules(path)
    except RulesError as error:
        assert error.problems
