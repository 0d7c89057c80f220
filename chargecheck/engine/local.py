"""The local engine: every part in this process, in order (the default; no extra packages)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .base import Engine, P, R

__all__ = ["LocalEngine"]


class LocalEngine(Engine):
    """Runs the parts one after another here: peak memory is one part plus the results."""

    name = "local"

    def run(self, task: Callable[[P, Any], R], parts: Sequence[P], shared: Any) -> list[R]:
        """``task(part, shared)`` for each part, in order."""
        return [task(part, shared) for part in parts]
