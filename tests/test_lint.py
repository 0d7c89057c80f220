"""The code stays lint-clean: ruff's pyflakes rules (unused imports, undefined names) over the
package, the tests and the benchmarks, with the settings in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]' brings it)")
    done = subprocess.run([ruff, "check", "--no-cache", "chargecheck", "tests", "bench"], cwd=PROJECT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
