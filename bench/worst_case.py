"""Crafted worst-case statements: time and peak memory of reading each, one process per case.

Each case is a file built to hit one known soft spot of an importer (issue 14): a regex with
polynomial backtracking, ``csv.Sniffer`` on a quote-heavy header, rows with hundreds of
thousands of fields, an xlsx whose dimension or one cell is enormous, a FIFO.  The regex cases
come at the size the issue reports and scaled to about 1 MB, so the table shows whether time
grows linearly (time per MB should stay roughly flat between the two).

Every case runs ``read_statement`` in a fresh Python process with a wall-clock timeout and an
RSS ceiling (the process is killed past either; the table then says ``> N s`` or ``> N MB``).
Outcome is what the importer answered: ``ok`` (rows read), ``StatementError`` (refused, with its
reason), or another exception (a bug).

Usage::

    python bench/worst_case.py [--timeout 20] [--max-rss-mb 1500] [--code DIR] [--only NAME ...]

``--code DIR`` runs the cases against another checkout of the project (e.g. the commit before
the fixes, extracted with ``git archive``), so the "before" column is measured the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20

# ------------------------------------------------------------------------------------ the cases

_OFX_HEAD = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
    "<CURDEF>USD<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST>"
)
_OFX_TAIL = "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"


def _ofx_transaction(date: str = "20260301", amount: str = "-9.99") -> str:
    return f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{date}<TRNAMT>{amount}<FITID>A1<NAME>NETFLIX</STMTTRN>"


def csv_amount_spaces(spaces: int) -> bytes:
    """An amount cell ``-9.99`` + spaces + ``?`` (the amount regex backtracked ~n^4)."""
    return ("Date,Description,Amount\n2026-03-01,NETFLIX,-9.99" + " " * spaces + "?\n"
            "2026-03-02,SPOTIFY,-9.99\n2026-03-03,HULU,-7.99\n").encode()


def qif_amount_spaces(spaces: int) -> bytes:
    """The same amount in a QIF T line."""
    return ("!Type:Bank\nD03/01/2026\nT-9.99" + " " * spaces + "?\nPNETFLIX\n^\n").encode()


def qif_date_commas(commas: int) -> bytes:
    """A QIF date followed by commas (the date-shape regexes backtracked)."""
    return ("!Type:Bank\nD03/01/2026" + "," * commas + "\nT-9.99\nPNETFLIX\n^\n").encode()


def ofx_tag_spaces(spaces: int) -> bytes:
    """An OFX tag ``<`` + spaces that never closes (the tag regex tried every split)."""
    return (_OFX_HEAD + _ofx_transaction() + "<" + " " * spaces + "X" + _OFX_TAIL).encode()


def csv_sniffer_quotes(quotes: int) -> bytes:
    """A quoted field, a delimiter, then a run of quotes (csv.Sniffer's doubled-quote regex is ~n^4)."""
    return ('"Date",' + '"' * quotes + "x\n2026-03-01,NETFLIX,-9.99\n").encode()


def csv_wide_row(fields: int) -> bytes:
    """One record of ``fields`` fields (per-cell Python work on every column)."""
    return ("Date,Description,Amount\n2026-03-01,NETFLIX,-9.99" + ",1" * fields + "\n").encode()


def csv_many_columns(columns: int) -> bytes:
    """A header of ``columns`` names and one row as wide."""
    header = "Date,Description,Amount" + "".join(f",c{i}" for i in range(3, columns))
    return (header + "\n2026-03-01,NETFLIX,-9.99" + ",1" * (columns - 3) + "\n").encode()


def mt940_long_line(length: int) -> bytes:
    """An :86: line of one long word (description parsing on a single huge field)."""
    return (":20:A\n:25:NL01BANK0123456789\n:60F:C260101EUR1,00\n:61:2601020102D9,99NTRFNONREF\n"
            ":86:" + "?2" * length + "\n:62F:C260102EUR2,00\n-\n").encode()


def _xlsx(path: Path, sheet_xml_chunks) -> None:
    """A minimal workbook whose first sheet's XML is written in chunks (it may be huge)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_xml_chunks:
                sheet.write(chunk)


_SHEET_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>'
               b'<row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c><c r="B1" t="inlineStr"><is><t>'
               b'Description</t></is></c><c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>'
               b'<row r="2"><c r="A2" t="inlineStr"><is><t>2026-03-01</t></is></c><c r="B2" t="inlineStr"><is>'
               b'<t>NETFLIX</t></is></c><c r="C2"><v>-9.99</v></c></row>')
_SHEET_CLOSE = b"</sheetData></worksheet>"


def xlsx_far_cell(path: Path) -> None:
    """A workbook with a cell at XFD1048576 (openpyxl pads every row up to it)."""
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    _xlsx(path, [_SHEET_OPEN, far, _SHEET_CLOSE])


def xlsx_huge_cell(path: Path, cell_mb: int) -> None:
    """A workbook whose one text cell holds ``cell_mb`` MB (it compresses ~1000:1)."""
    block = b"A" * MB
    chunks = [_SHEET_OPEN, b'<row r="3"><c r="B3" t="inlineStr"><is><t>']
    chunks += [block] * cell_mb
    chunks += [b"</t></is></c></row>", _SHEET_CLOSE]
    _xlsx(path, chunks)


def _cases(folder: Path, big: bool) -> list[tuple[str, Path]]:
    """Write every case file into ``folder``; (name, path) in table order."""
    made: list[tuple[str, Path]] = []

    def put(name: str, data: bytes, suffix: str) -> None:
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        made.append((name, path))

    put("csv amount + 300 spaces", csv_amount_spaces(300), ".csv")
    put("csv amount + 1M spaces", csv_amount_spaces(MB), ".csv")
    put("qif amount + 300 spaces", qif_amount_spaces(300), ".qif")
    put("qif amount + 1M spaces", qif_amount_spaces(MB), ".qif")
    put("qif date + 40k commas", qif_date_commas(40_000), ".qif")
    put("qif date + 1M commas", qif_date_commas(MB), ".qif")
    put("ofx tag + 160k spaces", ofx_tag_spaces(160_000), ".ofx")
    put("ofx tag + 1M spaces", ofx_tag_spaces(MB), ".ofx")
    put("csv header of 300 quotes", csv_sniffer_quotes(300), ".csv")
    put("csv header of 1M quotes", csv_sniffer_quotes(MB), ".csv")
    put("csv one row of 191k fields", csv_wide_row(191_000), ".csv")
    put("csv 120k columns", csv_many_columns(120_000), ".csv")
    if big:
        put("csv 1M columns", csv_many_columns(1_000_000), ".csv")
    put("mt940 :86: of 500k '?2'", mt940_long_line(500_000), ".sta")
    far = folder / "xlsx_far_cell.xlsx"
    xlsx_far_cell(far)
    made.append(("xlsx cell at XFD1048576", far))
    huge = folder / "xlsx_huge_cell.xlsx"
    xlsx_huge_cell(huge, 1024 if big else 256)
    made.append((f"xlsx one {1024 if big else 256} MB cell", huge))
    fifo = folder / "statement_fifo.csv"
    os.mkfifo(fifo)
    made.append(("FIFO named as statement", fifo))
    return made


# ----------------------------------------------------------------------------------- the runner

_CHILD = r"""
import json, sys, time
from chargecheck.errors import ChargecheckError
from chargecheck.importers import read_statement
started = time.perf_counter()
try:
    statement = read_statement(sys.argv[1])
    outcome = f"ok: {statement.rows_read} read, {len(statement.skipped)} skipped"
except ChargecheckError as exc:
    outcome = f"{type(exc).__name__}: {exc.message}"
except BaseException as exc:
    outcome = f"BUG {type(exc).__name__}: {exc}"
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome[:110]}))
"""


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_case(path: Path, code: Path, timeout: float, max_rss_mb: float) -> dict:
    """Read one file in a fresh process; seconds (import time excluded), peak RSS, outcome."""
    env = dict(os.environ, PYTHONPATH=str(code))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, cwd=str(code))
    started, killed, usage, status = time.monotonic(), None, None, 0
    while True:  # reaped here (not by Popen) so its own rusage gives the peak RSS
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            killed = f"> {timeout:g} s"
        elif _rss_mb(child.pid) > max_rss_mb:
            killed = f"> {max_rss_mb:g} MB"
        if killed:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.02)
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024
    out = child.stdout.read().decode() if child.stdout else ""
    if killed:
        return {"seconds": None, "peak_mb": peak, "outcome": f"killed ({killed})", "killed": killed}
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"seconds": None, "outcome": f"crashed (exit {child.returncode})"}
    result["peak_mb"] = peak
    return result


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _human(size: int) -> str:
    return f"{size / MB:.2f} MB" if size >= MB else f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"


def main(argv: list[str] | None = None) -> int:
    """Build the cases, run each, print the table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a case is killed")
    parser.add_argument("--max-rss-mb", type=float, default=1500.0, help="RSS (MB) at which a case is killed")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout of the project to run against")
    parser.add_argument("--big", action="store_true", help="also the 13 MB / 1 GiB-cell cases of the issue")
    parser.add_argument("--only", nargs="*", default=None, help="run only cases whose name contains one of these")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chargecheck-worst-") as tmp:
        cases = _cases(Path(tmp), args.big)
        if args.only:
            cases = [(n, p) for n, p in cases if any(word in n for word in args.only)]
        print(f"code: {args.code}  timeout {args.timeout:g} s  RSS ceiling {args.max_rss_mb:g} MB")
        print("| case | input | time | time per MB | peak RSS | outcome |")
        print("|---|---|---|---|---|---|")
        for name, path in cases:
            size = _size(path)
            result = run_case(path, args.code, args.timeout, args.max_rss_mb)
            seconds = result["seconds"]
            shown = result.get("killed") or f"{seconds:.2f} s"
            per_mb = "" if seconds is None or not size else f"{seconds / (size / MB):.2f} s/MB"
            print(f"| {name} | {_human(size)} | {shown} | {per_mb} | {result['peak_mb']:.0f} MB | "
                  f"{result['outcome']} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
