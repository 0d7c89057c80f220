"""Untrusted statement text in every report: CSV formula injection, Markdown markup, HTML/SVG tags."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chargecheck import report
from chargecheck.report.common import visible
from chargecheck.report.csv_report import CSV_COLUMNS, csv_safe
from chargecheck.report.markdown import md_escape

FIXTURES = Path(__file__).parent / "fixtures" / "report"
_spec = importlib.util.spec_from_file_location("report_story", FIXTURES / "story.py")
story = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(story)


# --- CSV ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        # A leading tab or CR is shown escaped (as every control character is): not a formula.
        ("\t=1+2", "\\x09=1+2"),
        ("\r=1+2", "\\x0d=1+2"),
        ("NETFLIX.COM 866-579-7172 CA", "NETFLIX.COM 866-579-7172 CA"),
        ("PAYPAL *SPOTIFY = 1", "PAYPAL *SPOTIFY = 1"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_safe(text, expected):
    assert csv_safe(text) == expected


def _csv_rows(result):
    return list(csv.DictReader(io.StringIO(report.render(result, "csv"), newline="")))


@pytest.mark.parametrize(("description", "cell"), [
    ("=1+2", "'=1+2"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(1,2)", "'@SUM(1,2)"),
    ("\t=1", "\\x09=1"), ("\r=1", "\\x0d=1"),  # a control character is shown escaped: no formula
])
def test_csv_text_cells_neutralised_amounts_stay_numbers(description, cell):
    base = story.story()
    flags = tuple(dataclasses.replace(f, description=description, alias="=ALIAS", reference="-KL") for f in base.flags)
    rows = [r for r in _csv_rows(dataclasses.replace(base, flags=flags)) if r["record"] == "flag"]
    assert [r["description"] for r in rows] == [cell] * 4
    assert {r["alias"] for r in rows} == {"'=ALIAS"} and {r["reference"] for r in rows} == {"'-KL"}
    assert [r["amount"] for r in rows] == ["-59.99", "-59.99", "-15.49", "-15.49"]
    assert [r["days_after"] for r in rows] == ["14", "45", "39", "69"]


def test_csv_columns_fixed_and_one_row_per_flag_to_check_and_cancellation():
    rows = _csv_rows(story.hostile())
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["record"] for r in rows] == ["flag"] * 4 + ["to_check"] + ["cancellation"] * 3
    warning = rows[-1]["reason"]  # Norton matched nothing: the warning, closest descriptor included
    assert warning.startswith("Norton never matched any of 13 transaction(s)") and story.HOSTILE_CLOSEST in warning
    assert rows[4]["reason"] == visible(story.HOSTILE_DOUBT)  # the doubt of the charge to check, control characters shown
    assert rows[3]["description"] == "'" + story.FORMULA
    assert rows[2]["description"] == story.XSS_IMG  # harmless in a spreadsheet: kept as printed


# --- Markdown -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("[x](http://e.example)", "\\[x\\]\\(http://e.example\\)"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert\\(1\\)\\>"),
        ("AT&T", "AT\\&T"),
        ("line\nbreak\x1b[31m", r"line\\x0abreak\\x1b\[31m"),
        ("NETFLIX.COM 866-579-7172 CA", "NETFLIX.COM 866-579-7172 CA"),
    ],
)
def test_md_escape(text, expected):
    assert md_escape(text) == expected


def test_markdown_tables_keep_their_shape_with_hostile_text():
    text = report.render(story.hostile(), "md")
    for raw in (story.XSS_IMG, story.XSS_SCRIPT, "<script>", "a|b", "*bold*", "[x](", "<b>&</b>", "<i>",
                "<svg onload=alert(2)>", "*x*", "[y]("):
        assert raw not in text
    assert "\x1b" not in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 6  # 4 flags + 1 to check + 1 refundable
    # An unescaped pipe would add a cell: every data row has exactly 10 cells.
    for row in rows:
        assert len(row.replace("\\|", "").split("|")) == 12
    assert r"a\|b \*bold\* \[x\]\(http://e.example\) \\x1b\[31mRED \& \<i\>" in text
    assert "## Kasp\"ersky \\<b\\>\\&\\</b\\>" in text


# --- HTML -----------------------------------------------------------------------------------------

class _Collector(HTMLParser):
    """Every start tag and attribute, and the text, of a document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "section", "div", "span", "dl",
    "dt", "dd", "figure", "wbr", "table", "thead", "tbody", "tr", "th", "td", "a", "br", "ul", "li", "footer",
    "svg", "g", "line", "rect", "circle", "polygon", "text",
}


def test_html_has_only_our_tags_and_no_script_or_external_resource():
    html = report.render(story.hostile(), "html")
    parsed = _parse(html)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs
        if "href" in attrs:
            assert attrs["href"].startswith("#vendor-")
    assert "<script" not in html.lower()
    assert "http:" not in report.render(story.story(), "html")  # no URL at all, not even an SVG namespace
    assert "https:" not in report.render(story.story(), "html")
    assert "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';" in html


def test_html_shows_hostile_text_as_text():
    html = report.render(story.hostile(), "html")
    text = "".join(_parse(html).text)
    for hostile in (story.XSS_IMG, story.XSS_SCRIPT, "Kasp\"ersky <b>&</b>", "-KL<i>1</i>", story.XSS_ATTR,
                    "<script>document.title='skipped'</script>", "a|b *bold* [x](http://e.example) \\x1b[31mRED & <i>",
                    story.HOSTILE_CLOSEST, "\\x1b[2J<i>doubt</i> | [y](http://e.example)"):
        assert hostile in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html


def test_svg_titles_escape_descriptions():
    html = report.render(story.hostile(), "html")
    assert ("<title>#1 2026-03-15 · 59.99 USD charged · &lt;/script&gt;&lt;script&gt;document.title="
            "&quot;pwned&quot;&lt;/script&gt; · flagged</title>") in html
    assert '<title id="tl1">Timeline of Kasp&quot;ersky &lt;b&gt;&amp;&lt;/b&gt;: 2 flagged charge(s) among 3 transaction(s)</title>' in html


def test_timeline_marks_for_a_vendor():
    html = report.render(story.story(), "html")
    netflix = html[html.index('id="vendor-2"'):]
    svg = netflix[netflix.index("<svg"):netflix.index("</svg>")]
    # Jan, Feb, Mar charges inside the paid term; April flag refunded (hollow), May flag; one credit.
    assert svg.count('class="m-charge"') == 3
    assert svg.count('class="m-settled"') == 1
    assert svg.count('class="m-flag"') == 1
    assert svg.count('class="m-credit"') == 1
    assert '>cancelled 2026-02-25</text>' in svg and '>paid through 2026-03-24</text>' in svg
    labels = [part.split(">", 1)[1].split("<")[0] for part in svg.split('<text class="tlabel"')[1:]]
    assert labels == ["2026", "Feb", "Mar", "Apr", "May"]  # January ticks carry the year


def test_timeline_without_matcher_columns_still_shows_flags():
    result = dataclasses.replace(story.story(), transactions=story.story().transactions.iloc[:, :9])
    html = report.render(result, "html")
    assert html.count('class="m-flag"') == 1 + 3  # legend + Kaspersky 2 + Netflix 1
    assert 'class="m-charge" cx' not in html.split("</svg>", 1)[1].replace('class="m-charge" cx="8"', "")
