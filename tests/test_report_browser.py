"""The report in a real browser: headless Chromium draws it, at 800 px wide too.

Chromium must be installed: ``make unit`` installs Debian's ``chromium`` first when it is missing
and it can (root with apt-get). Without a browser these tests fail, saying so: they are the only
check of what a reader sees.

At 800 px, a script injected into a copy of the page measures the summary table (every column
header shown inside the window, the table no wider than the window) and every chart's value
labels against its reference lines (England's line, the neighbours' line): no label's box, as
the browser lays it out (``getBBox``), touches one.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

import cyp_indicators as cyp
from cyp_indicators.reports.benchmark_report import Report, build_report, write_html

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
WIDTH = 800

#: Measures the page and writes the result into it as JSON (``<pre id="measurements">``).
MEASURE = r"""
(function () {
  const out = {viewport: window.innerWidth};
  const table = document.querySelector('section.summary table');
  const box = table.getBoundingClientRect();
  out.table = {scrollWidth: table.scrollWidth, left: box.left, right: box.right,
               rows: table.querySelectorAll('tbody tr').length};
  out.headers = [...table.querySelectorAll('thead th')].map(function (th) {
    const b = th.getBoundingClientRect();
    const style = getComputedStyle(th);
    return {text: th.textContent.trim(), left: b.left, right: b.right, width: b.width,
            height: b.height, shown: style.display !== 'none' && style.visibility === 'visible',
            overflows: th.scrollWidth > th.clientWidth + 1};
  });
  function lines(svg) {
    const found = [];
    svg.querySelectorAll('line.reference-line').forEach(function (l) {
      found.push(['x1', 'y1', 'x2', 'y2'].map(function (a) { return +l.getAttribute(a); }));
    });
    svg.querySelectorAll('path.reference-line').forEach(function (p) {
      const n = p.getAttribute('d').match(/-?[0-9.]+/g).map(Number);
      for (let i = 0; i + 3 < n.length; i += 2) found.push([n[i], n[i + 1], n[i + 2], n[i + 3]]);
    });
    return found;
  }
  function touches(s, b) {  // a segment against a box grown by the line's half width
    const x0 = b.x - 1, y0 = b.y - 1, x1 = b.x + b.width + 1, y1 = b.y + b.height + 1;
    const inside = function (x, y) { return x >= x0 && x <= x1 && y >= y0 && y <= y1; };
    if (inside(s[0], s[1]) || inside(s[2], s[3])) return true;
    const dx = s[2] - s[0], dy = s[3] - s[1];
    let lo = 0, hi = 1;
    for (const [p, q] of [[-dx, s[0] - x0], [dx, x1 - s[0]], [-dy, s[1] - y0], [dy, y1 - s[1]]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const t = q / p;
      if (p < 0) lo = Math.max(lo, t); else hi = Math.min(hi, t);
      if (lo > hi) return false;
    }
    return true;
  }
  out.charts = 0; out.labels = 0; out.moved = 0; out.references = 0; out.hits = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    out.charts += 1;
    const refs = lines(svg);
    out.references += refs.length;
    svg.querySelectorAll('text.value-label').forEach(function (t) {
      out.labels += 1;
      if (t.hasAttribute('data-moved')) out.moved += 1;
      const b = t.getBBox();
      refs.forEach(function (s) {
        if (touches(s, b)) out.hits.push(svg.id + ': ' + t.textContent + ' on ' + s.join(','));
      });
    });
  });
  const pre = document.createElement('pre');
  pre.id = 'measurements';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def _find_browser() -> str | None:
    for name in ("/usr/bin/chromium", *_BROWSER_NAMES):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> str:
    """A headless Chromium; a clear failure (not a skip) when there is none."""
    found = _find_browser()
    if found is None:
        pytest.fail(
            "no headless browser for the report's rendering tests: looked for /usr/bin/chromium "
            f"and {', '.join(_BROWSER_NAMES)} on PATH. Install Debian's chromium "
            "(`apt-get install chromium`; `make unit` does it when run as root) or put a "
            "Chromium on PATH."
        )
    return found


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    """A throwaway Chromium profile folder."""
    folder = tmp_path / "chromium-profile"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser, "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def _console_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Uncaught" in line or "CONSOLE" in line]


def _png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _measure(browser: str, profile: Path, html: Path, tmp_path: Path) -> dict[str, Any]:
    """The page at 800 px, measured by :data:`MEASURE` in a copy of it."""
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page  # the report itself runs no script
    measured = tmp_path / f"measured-{html.name}"
    measured.write_text(page.replace("</body>", f"<script>{MEASURE}</script></body>"), "utf-8")
    done = _chromium(
        browser, profile, f"--window-size={WIDTH},1200", "--dump-dom", measured.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="measurements">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, "the measuring script did not run: " + done.stderr[-2000:]
    result: dict[str, Any] = json.loads(unescape(found.group(1)))
    return result


def _check_800(result: dict[str, Any], report: Report) -> None:
    """The summary table fits 800 px with every column's header shown; no value label touches
    a reference line."""
    assert result["viewport"] == WIDTH
    headers = result["headers"]
    assert [h["text"] for h in headers] == [
        "Indicator", f"{report.la_name} (95% CI)", "England",
        f"Neighbours ({report.sn_method})", "Rank among neighbours", "Quartile band",
        "Gap to England", "Trend",
    ]  # fmt: skip
    for h in headers:
        assert h["shown"], h
        assert h["width"] > 20, h
        assert h["left"] >= 0, h
        assert h["right"] <= WIDTH, h
        assert not h["overflows"], h
    table = result["table"]
    assert table["scrollWidth"] <= WIDTH, table
    assert table["right"] <= WIDTH, table
    assert result["charts"] == 2 * len(report.sections)
    assert result["labels"] > 0
    assert result["references"] > 0
    assert result["hits"] == []


def _screenshot(browser: str, profile: Path, html: Path, tmp_path: Path) -> Path:
    shot = tmp_path / f"{html.stem}-800.png"
    done = _chromium(
        browser, profile, f"--screenshot={shot}", f"--window-size={WIDTH},1600", html.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not _console_problems(done.stderr)
    assert shot.exists()
    return shot


def test_the_console_check_sees_an_error(browser: str, profile: Path, tmp_path: Path) -> None:
    """The console check works: a deliberate script error is seen."""
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><title>c</title><script>undefinedFn()</script>")
    seen = _chromium(browser, profile, "--dump-dom", control.as_uri())
    assert _console_problems(seen.stderr), "the console check must see a deliberate error"


def test_another_councils_report_at_800_px(browser: str, profile: Path, tmp_path: Path) -> None:
    """Derby's report (not Peterborough's): every chart drawn, the summary table readable at
    800 px (all eight columns' headers inside the window), value labels clear of England's and
    the neighbours' lines (some were moved to be), a screenshot 800 px wide, no console
    message."""
    report = build_report("831")
    html = write_html(report, tmp_path / "derby.html")
    dom = _chromium(browser, profile, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 2 * len(report.sections)
    assert dom.stdout.count('class="bar bar-la"') == len(report.sections)
    assert not _console_problems(dom.stderr)
    result = _measure(browser, profile, html, tmp_path)
    _check_800(result, report)
    assert result["moved"] > 0  # without the placement, some labels would sit on a line
    shot = _screenshot(browser, profile, html, tmp_path)
    assert _png_size(shot)[0] == WIDTH
    assert shot.stat().st_size > 10_000


def test_a_topic_report_with_published_only_measures_at_800_px(
    browser: str, profile: Path, tmp_path: Path, catalogue: cyp.Catalogue
) -> None:
    """Birmingham on the adoption topic: DfE's published figures only (and measures with no
    figures, listed): the same checks at 800 px."""
    ids = [d.id for d in catalogue.list(topic="adoption")]
    report = build_report("330", indicators=ids)
    assert report.sections
    assert report.unavailable
    assert not any(s.computed for s in report.sections)
    html = write_html(report, tmp_path / "adoption.html")
    result = _measure(browser, profile, html, tmp_path)
    _check_800(result, report)
    rows = len(report.sections) + len(report.unavailable) + len(report.areas)
    assert result["table"]["rows"] == rows
    shot = _screenshot(browser, profile, html, tmp_path)
    assert _png_size(shot)[0] == WIDTH
