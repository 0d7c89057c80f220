"""The vendor knowledge base: shipped data, lookups by any spelling, user extensions, strict validation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chargecheck.errors import RulesError
from chargecheck.match.knowledge import load_knowledge, vendor_key


def test_shipped_knowledge_loads_with_processors_and_vocabulary() -> None:
    kb = load_knowledge()
    assert len(kb.vendors) >= 100
    kinds = {p.name: p.kind for p in kb.processors}
    for name, kind in [("Digital River", "reseller"), ("Nexway", "reseller"), ("2Checkout (Avangate)", "reseller"),
                       ("Cleverbridge", "reseller"), ("FastSpring", "reseller"), ("Paddle", "reseller"),
                       ("PayPal", "wallet"), ("Google Play", "wallet"), ("Apple", "wallet"),
                       ("Square", "pos"), ("Toast", "pos")]:
        assert kinds[name] == kind
    assert {"PIZZA", "JEWELRY", "FEDERAL"} <= kb.vocabulary.conflict
    assert {"MEMBERSHIP", "INC"} <= kb.vocabulary.neutral


@pytest.mark.parametrize("spelling, vendor", [
    ("Disney Plus", "Disney+"), ("disneyplus", "Disney+"), ("HBO Max", "Max"), ("NortonLifeLock", "Norton"),
    ("Gen Digital", "Norton"), ("OpenAI", "ChatGPT"), ("Kaspersky Lab", "Kaspersky"), ("iCloud", "Apple"),
    ("Xbox Game Pass", "Xbox"), ("CBS All Access", "Paramount+"),
])
def test_resolve_any_spelling(spelling: str, vendor: str) -> None:
    entry = load_knowledge().resolve(spelling)
    assert entry is not None and entry.name == vendor


def test_resolve_unknown_is_none() -> None:
    assert load_knowledge().resolve("Acme Anvils Monthly") is None


def test_vendor_key_ignores_spelling() -> None:
    assert vendor_key("Disney+") == vendor_key("disney plus") == "DISNEYPLUS"


def test_descriptors_of_resellers_and_parents() -> None:
    kb = load_knowledge()
    assert "DRI*KASPERSKY" in kb.get("Kaspersky").descriptors
    assert "APPLE.COM/BILL" in kb.get("Apple").descriptors
    assert "MSFT*" in kb.get("Microsoft").descriptors
    assert kb.get("Xbox").parent == "Microsoft"
    assert kb.get("Apple Music").inherit is True


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_file_extends_and_adds(tmp_path: Path) -> None:
    path = _write(tmp_path, "vendors.toml", """\
        [[vendor]]
        name = "Kaspersky"
        descriptors = ["KL*RENEWAL"]

        [[vendor]]
        name = "Acme Anvils"
        names = ["Acme Anvil Club"]
        descriptors = ["ACMEANV*"]
        exclude = ["ACME ANVIL REPAIR"]
        """)
    kb = load_knowledge(path)
    kaspersky = kb.get("Kaspersky")
    assert "KL*RENEWAL" in kaspersky.descriptors and "DRI*KASPERSKY" in kaspersky.descriptors
    acme = kb.resolve("acme anvil club")
    assert acme is not None and acme.name == "Acme Anvils"
    assert acme.exclude == ("ACME ANVIL REPAIR",)
    assert acme.source == f"{path}:5"
    assert load_knowledge().resolve("Acme Anvils") is None  # the shipped base is untouched


def test_rules_folder_reads_only_vendor_records(tmp_path: Path) -> None:
    _write(tmp_path, "cancellations.toml", """\
        [[cancellation]]
        vendor = "Kaspersky"
        cancelled_on = 2026-03-01
        """)
    _write(tmp_path, "vendors.toml", """\
        [[vendor]]
        name = "Acme Anvils"
        """)
    assert load_knowledge(tmp_path).resolve("Acme Anvils") is not None


def test_unknown_key_names_file_line_and_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path, "vendors.toml", """\
        [[vendor]]
        name = "Acme"

        [[vendor]]
        name = "Widgets"
        descriptor = ["WIDG*"]
        """)
    with pytest.raises(RulesError) as info:
        load_knowledge(path)
    assert str(info.value) == (f"{path}:6: vendor #2 (Widgets): unknown key 'descriptor' (did you mean 'descriptors'?)")


def test_wrong_type_and_missing_name_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path, "vendors.toml", """\
        [[vendor]]
        names = ["No Name"]

        [[vendor]]
        name = "Widgets"
        descriptors = "WIDG*"
        """)
    with pytest.raises(RulesError) as info:
        load_knowledge(path)
    assert info.value.problems == (
        f"{path}:1: vendor #1: name: Field required",
        f"{path}:6: vendor #2 (Widgets): descriptors: Input should be a valid list",
    )


def test_invalid_toml_is_a_rules_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "vendors.toml", "[[vendor]\nname = 1\n")
    with pytest.raises(RulesError) as info:
        load_knowledge(path)
    assert info.value.path == str(path) and info.value.line == 1


def test_shipped_processor_kinds_are_known() -> None:
    assert {p.kind for p in load_knowledge().processors} <= {"reseller", "wallet", "pos"}


def test_installed_package_finds_its_data(tmp_path: Path) -> None:
    # Run from an unrelated folder: the data is found through the package, not the checkout.
    import subprocess
    import sys

    code = "from chargecheck.match.knowledge import load_knowledge; print(len(load_knowledge().vendors) > 100)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_knowledge_paths_cover_files_folders_and_the_vendors_file_beside(tmp_path: Path) -> None:
    from chargecheck.match.knowledge import knowledge_paths

    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("a.toml", "vendors.toml"):
        (rules / name).write_text("", encoding="utf-8")
    other = tmp_path / "mine.toml"
    other.write_text("", encoding="utf-8")
    assert knowledge_paths([rules]) == [rules / "a.toml", rules / "vendors.toml"]
    assert knowledge_paths([rules / "a.toml"]) == [rules / "a.toml", rules / "vendors.toml"]
    assert knowledge_paths([other]) == [other]


def test_vendor_records_in_any_rules_file_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "cancellations.toml", """\
        [[cancellation]]
        vendor = "Acme Anvils"
        cancelled_on = 2026-03-01

        [[vendor]]
        name = "Acme Anvils"
        descriptors = ["ACMEANV*"]
        """)
    from chargecheck.match.knowledge import knowledge_paths

    assert load_knowledge(knowledge_paths([path])).resolve("Acme Anvils").descriptors == ("ACMEANV*",)
