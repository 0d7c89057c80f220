"""The Dask engine: parts as tasks of a ``dask.distributed`` cluster, the shared value sent once.

Dask is imported when this engine is opened, never by ``import chargecheck``; without it the
user gets one line naming the extra to install.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ChargecheckError, UsageError
from .base import Engine, P, R

__all__ = ["DaskEngine"]

_INSTALL = "pip install 'chargecheck[dask]'"


class DaskEngine(Engine):
    """Runs the parts on a Dask cluster: at ``scheduler`` (``tcp://host:8786``), or on a
    ``LocalCluster`` of ``workers`` single-threaded processes started here (and stopped on
    :meth:`close`)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("the dask engine needs Dask, which is not installed", hint=_INSTALL) from None
        self._cluster = None
        try:
            if scheduler is None:
                # No dashboard: a check is a batch job, and the port may be taken on a shared machine.
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            else:
                self._client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:  # refused, timed out, not an address
            self.close()
            where = scheduler or "a local cluster"
            raise UsageError(f"cannot reach the Dask scheduler at {where}: {exc}",
                             hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`") from None

    def run(self, task: Callable[[P, Any], R], parts: Sequence[P], shared: Any) -> list[R]:
        """Every part as one task; ``shared`` scattered to every worker once, results gathered in order."""
        from distributed import KilledWorker

        if not parts:
            return []
        [handle] = self._client.scatter([shared], broadcast=True, hash=False)
        futures = self._client.map(task, list(parts), [handle] * len(parts), pure=False)
        try:
            return self._client.gather(futures)
        except KilledWorker as exc:
            raise ChargecheckError(f"a Dask worker died while reading the statements ({exc}); "
                                   "most often it ran out of memory",
                                   hint="give the workers more memory, or start more of them") from None
        finally:
            self._client.cancel(futures + [handle])

    def close(self) -> None:
        """Close the client, and the local cluster if this engine started it."""
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
