"""The orchestration layer: which files a run reads, and where its rules live."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargecheck.errors import StatementError, UsageError
from chargecheck.pipeline import expand_statement_paths, rules_directory


def test_folder_expands_to_statements_sorted_skipping_notes_and_hidden(tmp_path: Path) -> None:
    for name in ("b.csv", "a.ofx", "README.md", ".hidden.csv", "sub/c.qif", "report.html", ".git/x.csv",
                 "d.xlsx", "~$d.xlsx"):  # the second is the lock file Excel keeps while d.xlsx is open
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_statement_paths([tmp_path])]
    assert found == ["a.ofx", "b.csv", "d.xlsx", "sub/c.qif"]


def test_named_file_is_read_even_with_a_note_like_suffix(tmp_path: Path) -> None:
    note = tmp_path / "export.txt"
    note.write_text("x")
    assert expand_statement_paths([note]) == [note]


def test_missing_path_is_a_statement_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(StatementError) as err:
        expand_statement_paths([tmp_path / "nope.csv"])
    assert str(err.value) == f"{tmp_path / 'nope.csv'}: expected an existing statement file or folder, found nothing at that path"


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no statement files found"):
        expand_statement_paths([tmp_path])


def test_rules_directory_from_folder_or_file(tmp_path: Path) -> None:
    rules_file = tmp_path / "cancellations.toml"
    rules_file.write_text("")
    assert rules_directory(tmp_path) == tmp_path
    assert rules_directory([rules_file]) == tmp_path
    assert rules_directory(None) is None


def test_apple_billed_subscriptions_are_flagged_by_their_own_amount(tmp_path: Path) -> None:
    """Apple TV+ cancelled: of three APPLE.COM/BILL charges after it, only its own 9.99 is flagged."""
    from chargecheck.pipeline import check

    statement = tmp_path / "card.csv"
    statement.write_text(
        "Date,Description,Amount\n"
        "03/01/2026,APPLE.COM/BILL 866-712-7753 CA,-9.99\n"
        "03/02/2026,APPLE.COM/BILL 866-712-7753 CA,-10.99\n"
        "03/03/2026,APPLE.COM/BILL 866-712-7753 CA,-2.99\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[cancellation]]\nvendor = "Apple TV+"\ncancelled_on = 2026-02-01\namount = "9.99"\n',
                     encoding="utf-8")
    flags = check([statement], rules).flags
    assert [(f.vendor, str(f.amount), f.method) for f in flags] == [("Apple TV+", "-9.99", "exact+biller+amount")]


def _client_folder(tmp_path: Path, broken: int | None = None) -> Path:
    folder = tmp_path / "clients"
    folder.mkdir()
    for i in range(6):
        rows = "".join(f"03/{d:02d}/2026,SHOP {i} {d},-{d}.50\n" for d in range(1, 20))
        text = "Date,Description,Amount\n" + rows if i != broken else "not a statement at all\n"
        (folder / f"client{i}.csv").write_text(text, encoding="utf-8")
    return folder


