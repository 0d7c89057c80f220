"""The engine interface and the function that opens an engine by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import UsageError

__all__ = ["ENGINES", "Engine", "open_engine"]

ENGINES: tuple[str, ...] = ("local", "dask")

P = TypeVar("P")
R = TypeVar("R")


class Engine(ABC):
    """Runs one task over many parts; used as a context manager (``with open_engine(...)``),
    so whatever the engine started (a local cluster) is stopped when the check ends."""

    name: str

    @abstractmethod
    def run(self, task: Callable[[P, Any], R], parts: Sequence[P], shared: Any) -> list[R]:
        """``task(part, shared)`` for every part; the results in the parts' order.

        ``task`` must be a module-level function (a worker process imports it by name) and
        ``shared`` picklable; an error raised by a task is raised here (the first part's).
        """

    def close(self) -> None:
        """Stop what the engine started (nothing for the local engine)."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_engine(name: str = "local", scheduler: str | None = None, workers: int = 2) -> Engine:
    """The engine called ``name``: ``local``, or ``dask`` (at ``scheduler``, a ``tcp://host:port``
    address, or on a new local cluster of ``workers`` processes when None)."""
    if name == "local":
        if scheduler is not None:
            raise UsageError("--scheduler needs --engine dask")
        from .local import LocalEngine

        return LocalEngine()
    if name == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(scheduler, workers)
    raise UsageError(f"unknown engine {name!r}", hint="one of " + ", ".join(ENGINES))
