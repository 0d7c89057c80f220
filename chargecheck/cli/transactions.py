"""``chargecheck transactions``: show what was read from statements, to debug an import.

``--format csv`` writes the transactions as CSV (to stdout or ``-o``) and the per-file summary and
skipped rows to stderr, so the CSV stays a clean table.
"""

from __future__ import annotations

import click

from ..report import TRANSACTION_FORMATS
from ._options import (format_option, import_options, load_workspace, output_option, rules_option,
                       statements_argument, write_output)


@click.command("transactions")
@statements_argument
@rules_option
@format_option(TRANSACTION_FORMATS, "Output format.")
@output_option
@import_options
def command(statements, rules, fmt, output, **kwargs) -> None:
    """Show the transactions and skipped rows read from STATEMENTS (files, folders, or - for standard input).

    Prints, per file, the format, layout and encoding detected and rows read /
    transactions / skipped, then each transaction and each skipped row with its reason
    and line.  Layouts in the rules folder (--rules, default ./rules) are used as by check.
    """
    from .. import pipeline, report
    from ..report.transactions import summary_lines

    read = pipeline.transactions(statements, load_workspace(rules, kwargs, required=False))
    write_output(report.render_transactions(read, fmt), output)
    if fmt == "csv":
        for line in summary_lines(list(read)):
            click.echo(line, err=True)
