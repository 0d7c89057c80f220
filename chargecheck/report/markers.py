"""How a file chargecheck wrote says so, and how a folder scan recognises one.

Input: the first and last bytes of a file.  Output: the kind of report it is, or None.  Each
format carries the marker its consumers ignore, so no report breaks a reader:

==========  =====================================================================================
JSON        first key ``"generator": "chargecheck"`` (a key consumers look up by name)
HTML        ``<meta name="generator" content="chargecheck">`` in the head (the standard meta name)
Markdown    a trailing ``<!-- generator: chargecheck -->`` (an HTML comment: never rendered)
CSV         no marker (a first column or comment line would break spreadsheets and parsers):
            recognised by its exact header row, which no bank export has
==========  =====================================================================================

May import: the report modules' column lists only.
"""

from __future__ import annotations

import re

__all__ = ["GENERATOR", "HTML_META", "MARKDOWN_MARK", "recognise_report", "HEAD_BYTES", "TAIL_BYTES"]

GENERATOR = "chargecheck"
HTML_META = f'<meta name="generator" content="{GENERATOR}">'
MARKDOWN_MARK = f"<!-- generator: {GENERATOR} -->"
HEAD_BYTES, TAIL_BYTES = 4096, 256

_JSON_START = re.compile(rb'^\s*\{\s*"generator"\s*:\s*"' + GENERATOR.encode() + rb'"')


def _csv_headers() -> dict[bytes, str]:
    from .csv_report import CSV_COLUMNS as FLAG_COLUMNS
    from .subscriptions import CSV_COLUMNS as SUBSCRIPTION_COLUMNS
    from .transactions import CSV_COLUMNS as TRANSACTION_COLUMNS

    return {",".join(FLAG_COLUMNS).encode(): "a CSV report written by chargecheck check",
            ",".join(SUBSCRIPTION_COLUMNS).encode(): "a CSV report written by chargecheck subscriptions",
            ",".join(TRANSACTION_COLUMNS).encode(): "a CSV export written by chargecheck transactions"}


def recognise_report(head: bytes, tail: bytes) -> str | None:
    """What report ``head``/``tail`` (a file's first :data:`HEAD_BYTES` and last :data:`TAIL_BYTES`)
    come from, in words, or None for anything else (a statement, say)."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    if _JSON_START.match(head):
        return "a JSON report written by chargecheck"
    if HTML_META.encode() in head:
        return "an HTML report written by chargecheck"
    if tail.rstrip().endswith(MARKDOWN_MARK.encode()):
        return "a Markdown report written by chargecheck"
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return _csv_headers().get(first_line)
