"""Engines: where the "read and match" work of a check runs, behind one explicit interface.

Input: a task (a plain module-level function), a list of parts (the statement files of a scan,
:class:`.work.Part`) and one shared value (the import options and the matcher).  Output: the task's result per part, in the parts' order.

* ``local`` (the default): every part in this process, one after another, so memory holds one
  part at a time plus the reduced results.  Needs nothing beyond chargecheck.
* ``dask``: the parts are tasks of a Dask cluster (``dask.distributed``), the shared value is
  sent to every worker once (scattered, broadcast); without a scheduler address a
  ``LocalCluster`` of two worker processes is started on this machine.  Needs
  ``pip install 'chargecheck[dask]'``; Dask is imported only when this engine is chosen.

What a part's task does (:mod:`.work`): import the part, match it, keep the rows the flag
stage needs and the keys de-duplication needs.  What is sent to workers: the part (a path;
the statement read from standard input as read), the options and the matcher, never the
statement's rows; each worker opens the statement files itself, at the same path.

May import: importers, match, dedupe, scan, schema, model, errors.  Never imported by importers,
match, flag or report; the pipeline imports it.
"""

from __future__ import annotations

from .base import ENGINES, Engine, open_engine
from .local import LocalEngine

__all__ = ["ENGINES", "Engine", "LocalEngine", "open_engine"]
