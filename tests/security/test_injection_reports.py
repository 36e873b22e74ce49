"""Script and formula injection end to end (issue 13, points 1 and 2): the real reports, built
from a demo study whose labels, group and region labels, code names, stakeholder names, quotes
and title are hostile (see ``hostile_study.py``), contain nothing from data that can run, and
their workbooks hold no formula.

One hostile build is shared by every test (module fixture; 00, 01, 02 and 10, i.e. the survey
labels, the qualitative names and quotes, the barriers report with its PDF). Oracles: the HTML
parsed with lxml (script elements, on* attributes, javascript: addresses, images, links), the
payloads found back in the visible text (so the checks see the data, they are not vacuous),
openpyxl's ``data_type`` of every workbook cell, pdftotext for the PDF, and Chromium with a
``dialog`` handler (an ``alert`` that ran would open a dialog).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import openpyxl
import pytest

from workbench.reporting.render import offline_plotlyjs

sys.path.insert(0, str(Path(__file__).parent))
from hostile_study import EMPHASIS, FORMULAS, HOSTILE, MARKER, SCRIPTS, write_hostile_study  # noqa: E402

pytestmark = pytest.mark.slow
REPORTS = ["00_data_overview", "01_public_attitudes", "02_interviews_and_focus_groups",
           "10_barriers_to_reintegration"]
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile study and its reports, built once by the command line."""
    base = tmp_path_factory.mktemp("hostile")
    study = write_hostile_study(base / "study")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in study.rglob("*") if p.is_file()}
    reports = base / "reports"
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--reports",
                             str(reports), "--only", *REPORTS], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in study.rglob("*") if p.is_file()}
    assert after == before  # the build never touches the raw data
    return {"study": study, "reports": reports}


def unsafe_html(page: str) -> list[str]:
    """What in an HTML page could run or fetch because of data: script elements other than
    plotly.js and the chart calls (whose data must sit inside JSON strings), on* attributes,
    javascript: addresses, images and embedded frames."""
    library = offline_plotlyjs()
    root = lxml.html.document_fromstring(page)
    found = []
    for script in root.iter("script"):
        body = script.text or ""
        if body == library:
            continue
        if "Plotly.newPlot(" in body and MARKER not in _JSON_STRING.sub('""', body):
            continue
        found.append(f"script: {body[:80]!r}")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("img", "iframe", "object", "embed", "svg", "frame"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag} {name}=")
            if "javascript:" in value.lower() or MARKER in value:
                found.append(f"{element.tag} {name}={value[:60]!r}")
    return found


def visible_text(page: str) -> str:
    root = lxml.html.document_fromstring(page)
    for element in root.xpath("//script|//style"):
        element.drop_tree()
    return root.text_content()


def test_the_check_can_fail() -> None:
    # the oracle must flag each way a payload could run
    for bad in ["<script>alert(1337)</script>", "<p><img src=x onerror=alert(1)></p>", "<a href='javascript:x'>a</a>",
                "<div onclick=x>a</div>", "<script>Plotly.newPlot('d', [alert(1337)])</script>"]:
        assert unsafe_html(f"<html><body>{bad}</body></html>"), bad
    assert unsafe_html("<html><body><p>&lt;script&gt;alert(1337)&lt;/script&gt;</p></body></html>") == []


@pytest.mark.parametrize("name", REPORTS + ["index"])
def test_no_markup_from_data_runs(hostile: dict[str, Path], name: str) -> None:
    page = (hostile["reports"] / f"{name}.html").read_text(encoding="utf-8")
    assert unsafe_html(page) == []


@pytest.mark.parametrize("name", REPORTS)
def test_hostile_text_is_shown_as_text(hostile: dict[str, Path], name: str) -> None:
    # the payloads reached the report and read exactly as written: escaped, not dropped
    text = visible_text((hostile["reports"] / f"{name}.html").read_text(encoding="utf-8"))
    shown = [payload for payload in SCRIPTS if payload in text]
    assert len(shown) >= 4, f"only {shown} shown"
    assert "<script>alert(1337)</script>" in text
    assert not re.search(r"\\[!-/:-@\[-`{-~]", text)  # no Markdown escape shows through


@pytest.mark.parametrize("name", REPORTS)
def test_markdown_syntax_from_data_is_not_interpreted(hostile: dict[str, Path], name: str) -> None:
    # group labels carry "**1337** _1337_": rendered as Markdown it would become <strong>1337</strong>
    root = lxml.html.document_fromstring((hostile["reports"] / f"{name}.html").read_text(encoding="utf-8"))
    made = [el.tag for el in root.iter("strong", "em", "code", "del", "a") if el.text_content().strip() == MARKER]
    assert made == []
    assert EMPHASIS in visible_text(lxml.html.tostring(root, encoding="unicode"))


def test_study_title_escaped_in_header_and_index(hostile: dict[str, Path]) -> None:
    for name in ("index", "00_data_overview"):
        text = visible_text((hostile["reports"] / f"{name}.html").read_text(encoding="utf-8"))
        assert '<script>alert(1337)</script> =HYPERLINK("x") [t](javascript:alert(1337)) Demo' in text


def test_quotes_and_code_names_reach_the_qualitative_report_as_text(hostile: dict[str, Path]) -> None:
    page = (hostile["reports"] / "02_interviews_and_focus_groups.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(page)
    headings = [h.text_content() for h in root.iter("h3")]
    assert sum(any(payload in h for payload in HOSTILE) for h in headings) >= 3  # code names as headings
    quotes = [p.text_content() for p in root.iter("p") if MARKER in p.text_content()]
    assert any(payload in q for q in quotes for payload in SCRIPTS)


def test_chart_text_from_data_is_escaped(hostile: dict[str, Path]) -> None:
    # chart titles, tick labels, legends and hover text: no live tag from data in the figure JSON
    for name in REPORTS:
        page = (hostile["reports"] / f"{name}.html").read_text(encoding="utf-8")
        calls = [s.text or "" for s in lxml.html.document_fromstring(page).iter("script")
                 if "Plotly.newPlot(" in (s.text or "")]
        strings = [m.group(0) for call in calls for m in _JSON_STRING.finditer(call)]
        decoded = [s.encode().decode("unicode_escape", errors="ignore") for s in strings]
        with_data = [s for s in decoded if MARKER in s]
        assert with_data, f"{name}: no chart carries the hostile labels"
        live = [s for s in with_data if re.search(r"<(?!/?(br|b|i|em|sup|sub|extra)\s*/?>)", s, re.I)]
        assert live == [], f"{name}: {live[:2]}"


def test_no_workbook_cell_from_data_is_a_formula(hostile: dict[str, Path]) -> None:
    books = sorted(hostile["reports"].glob("*.xlsx"))
    assert {p.name for p in books} >= {"01_public_attitudes_tables.xlsx", "02_interviews_and_focus_groups_tables.xlsx",
                                       "02_interviews_and_focus_groups_framework.xlsx"}
    for path in books:
        cells = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows() for c in row if c.value is not None]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], path.name
        hostile_cells = [c for c in cells if isinstance(c.value, str) and MARKER in c.value]
        assert hostile_cells, f"{path.name} carries none of the hostile text"
        risky = [c for c in hostile_cells if c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert all(c.data_type == "s" and c.quotePrefix for c in risky), path.name
    annex = [c.value for ws in openpyxl.load_workbook(hostile["reports"] / "01_public_attitudes_tables.xlsx")
             for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert sum(any(v.startswith(f) for f in FORMULAS) for v in annex) >= len(FORMULAS)


def test_pdf_shows_the_text(hostile: dict[str, Path]) -> None:
    pdf = hostile["reports"] / "10_barriers_to_reintegration.pdf"
    assert pdf.exists()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext (poppler-utils) is missing: `make test` installs it")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert MARKER in text and "alert(1337)" in text  # printed as text


@pytest.mark.browser
def test_no_dialog_opens_in_chromium(hostile: dict[str, Path]) -> None:
    if shutil.which("chromium") is None:
        pytest.fail("Debian chromium is not installed: `make test` installs it (scripts/system-packages.sh)")
    from playwright.sync_api import sync_playwright

    from workbench.reporting.pdf import CHROMIUM_ARGS, chromium_path

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                      else route.abort())
        for page_file in sorted(hostile["reports"].glob("*.html")):
            page = context.new_page()
            page.on("dialog", lambda dialog, name=page_file.name: (dialogs.append(f"{name}: {dialog.message}"),
                                                                   dialog.dismiss()))
            page.goto(page_file.as_uri(), wait_until="load")
            if page_file.name != "index.html":
                page.wait_for_function("() => [...document.querySelectorAll('div.plotly-graph-div')]"
                                       ".every(d => d.querySelector('svg.main-svg'))", timeout=60000)
            # hover every chart point a little, where hover text from data is drawn
            for chart in page.locator("div.plotly-graph-div").all()[:6]:
                chart.hover()
            page.close()
        # the handler works: a page that does call alert opens a dialog
        probe = context.new_page()
        probe.on("dialog", lambda dialog: (dialogs.append("probe"), dialog.dismiss()))
        probe.set_content("<script>alert(1)</script>")
        probe.close()
        browser.close()
    assert dialogs == ["probe"]


def test_hostile_strings_cover_the_brief() -> None:
    # the corpus holds each kind of payload the issue names
    joined = "\n".join(HOSTILE)
    for needle in ("<script>", "onerror=", "](javascript:", "</script>", "=HYPERLINK(", "+cmd", "-1+1", "@SUM(A1)",
                   "\t=", "\r="):
        assert needle in joined, needle
