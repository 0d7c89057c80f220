"""chargecheck: catch subscriptions that keep billing after you cancelled them.

Library first, CLI second.  The public API (names resolve lazily, so ``import chargecheck`` is
cheap and the CLI starts fast)::

    from chargecheck import check, read_statement, load_rules, Matcher, render

    result = check(["statements/"], rules="rules/")     # a CheckResult
    print(render(result, "md"))

Stages, one package or module each: ``importers`` (read a statement) → ``dedupe`` (overlapping
files) → ``match`` (clean descriptors, vendor per distinct descriptor) → ``flag`` (charges after
cancellation) → ``report`` (table, JSON, CSV, Markdown, HTML, letters); beside them ``config``
(the rules folder), ``discover`` (recurring series) and ``cli`` (the command line).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "check": "pipeline",
    "read_statements": "pipeline",
    "read_statement": "importers",
    "ImportOptions": "importers",
    "load_rules": "config.rules",
    "append_cancellation": "config.rules",
    "Matcher": "match",
    "clean_descriptor": "match.normalize",
    "load_knowledge": "match.knowledge",
    "flag_charges": "flag",
    "drop_overlaps": "dedupe",
    "render": "report",
    "find_subscriptions": "discover",
    "make_transactions": "schema",
    "TRANSACTION_SCHEMA": "schema",
    "Statement": "schema",
    "SkippedRow": "schema",
    "Cancellation": "model",
    "VendorMatch": "model",
    "Flag": "model",
    "Source": "model",
    "CheckResult": "model",
    "ChargecheckError": "errors",
    "StatementError": "errors",
    "RulesError": "errors",
    "UsageError": "errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'chargecheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
