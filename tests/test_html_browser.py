"""The HTML report in a real browser: headless Chromium shows hostile statement text as text and
runs no script from the data.  Skips (with the reason) where Debian's ``chromium`` is not installed;
CI's ``.ci/run`` installs it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chargecheck import report

FIXTURES = Path(__file__).parent / "fixtures" / "report"
_spec = importlib.util.spec_from_file_location("report_story", FIXTURES / "story.py")
story = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(story)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium; .ci/run does it)"
)
TITLE = "chargecheck report: charges after cancellation"
CSP = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"


def _chromium(tmp_path: Path, page: Path, *extra: str) -> str:
    """Run headless Chromium on a local file (no network, throwaway profile); return stdout."""
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}", *extra, page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Dom(HTMLParser):
    """Tags, attributes, <title> text and visible body text of a dumped DOM."""

    def __init__(self, dom: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self.text: list[str] = []
        self._stack: list[str] = []
        self.feed(dom)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br", "wbr", "meta", "line", "rect", "circle", "polygon"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self._stack[-2:] == ["head", "title"]:
            self.title += data
        elif "body" in self._stack and "style" not in self._stack:
            self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)


def _page(tmp_path: Path, html: str, name: str) -> Path:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    return page


@pytest.mark.parametrize("with_csp", [True, False], ids=["as-written", "csp-removed"])
def test_hostile_text_shown_as_text_and_no_script_runs(tmp_path, with_csp):
    html = report.render(story.hostile(), "html")
    if not with_csp:  # escaping alone must hold, without the Content-Security-Policy safety net
        assert CSP in html
        html = html.replace(CSP, "")
    dom = _Dom(_chromium(tmp_path, _page(tmp_path, html, "report.html"), "--dump-dom"))
    assert dom.title == TITLE  # the payload that sets document.title did not run
    assert dom.count("script") == dom.count("img") == dom.count("iframe") == dom.count("i") == dom.count("b") == 0
    assert dom.count("svg") == 3  # two vendor timelines and the legend, nothing injected
    assert not [(t, a) for t, a in dom.tags if any(name.startswith("on") for name in a)]
    text = "".join(dom.text)
    for shown in ("135.47 USD", "119.98 USD", "Kasp\"ersky <b>&</b>", "Netflix", story.XSS_IMG, story.XSS_SCRIPT,
                  story.XSS_ATTR, story.FORMULA, "<script>document.title='skipped'</script>", "-KL<i>1</i>"):
        assert shown in text


def test_harness_detects_a_script_that_runs(tmp_path):
    """Positive control: an unescaped script in the page does change the title the test reads."""
    html = report.render(story.story(), "html").replace(CSP, "")
    html = html.replace("</body>", '<script>document.title="pwned"</script></body>')
    dom = _Dom(_chromium(tmp_path, _page(tmp_path, html, "control.html"), "--dump-dom"))
    assert dom.title == "pwned"


def test_story_report_visible_content_and_screenshot(tmp_path):
    page = _page(tmp_path, report.render(story.story(), "html"), "story.html")
    dom = _Dom(_chromium(tmp_path, page, "--dump-dom"))
    text = " ".join(" ".join(dom.text).split())
    for shown in ("Total at stake 135.47 USD", "3 outstanding charge(s) from 2 vendor(s)", "Kaspersky 119.98 USD at stake",
                  "Netflix 15.49 USD at stake", "cancelled 2026-03-01", "paid through 2026-03-24",
                  "DRI*KASPERSKY LAB 866-3285700 MA", "FITID 202603150001",
                  "Skipped rows (1)", "Duplicates dropped (1)", "Stale review decisions"):
        assert shown in text
    assert "statements/chase_card.csv:9" in "".join(dom.text)  # <wbr> splits the text node, not the text
    shot = tmp_path / "story.png"
    _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2200")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
