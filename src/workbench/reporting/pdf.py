"""Print an offline HTML report to PDF with Debian's headless Chromium.

Chromium is driven by the ``playwright`` package with ``executable_path`` (playwright's own
browser download is not used), the network is blocked, and printing waits until every
plotly chart has drawn. Page breaks come from the report template's print CSS
(``h2`` starts a page; tables and charts are not split).

The page is laid out at the printed width from the start (print media, viewport of the
portrait A4 column), so that plotly draws each chart for the page: a chart drawn for a wider
screen was cut at the page edge (a heatmap lost a column and half its rows).

Every page carries the report's synthetic-data banner (when it has one) in the page header,
which Chromium repeats on each printed page, and the page number in the footer. A table
wider than the printed column is scaled down to fit it (CSS ``zoom``, not below
``MIN_ZOOM``), so that no column is cut; the template keeps headings from breaking inside a
word. (Chromium lays a document out at one page width, so a landscape ``@page`` for wide
tables still cut them: tried and left; tests/reports/test_pdf_headers.py checks on the
printed PDFs that no heading word is broken.)
"""

from __future__ import annotations

import html as html_text
import shutil
from pathlib import Path

from workbench.errors import WorkbenchError

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
CHARTS_DRAWN = ("() => [...document.querySelectorAll('div.plotly-graph-div')]"
                ".every(d => d.querySelector('svg.main-svg'))")
#: smallest scale of a wide table (below it, text gets too small to read on paper)
MIN_ZOOM = 0.6
#: scales every report table wider than the printed column (portrait A4 less the margins) down
#: to fit it and marks it ``wb-wide``; returns how many
FIT_WIDE_TABLES = """([limit, least]) => {
  let wide = 0;
  for (const box of document.querySelectorAll('.wb-table')) {
    const table = box.querySelector('table');
    // the room left of the table (cell padding, prompts) is not room for it
    const room = 0.97 * (limit - (box.getBoundingClientRect().left - document.body.getBoundingClientRect().left));
    if (table && table.scrollWidth > room) {
      box.classList.add('wb-wide');
      box.style.zoom = Math.max(least, room / table.scrollWidth).toFixed(3);
      wide += 1;
    }
  }
  return wide;
}"""
#: the printed column of a portrait A4 page in CSS pixels: (210 - 2 x 12) mm at 96 px per inch
PORTRAIT_WIDTH_PX = round((210 - 24) / 25.4 * 96)
BANNER = "() => { const b = document.querySelector('.wb-banner'); return b ? b.innerText.trim() : ''; }"


def chromium_path() -> str:
    """Path of Debian's Chromium, or a clear error saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise WorkbenchError("Chromium is needed to print PDF reports and is not installed",
                             expected="apt-get install chromium (make report installs it)")
    return path


def page_header(banner: str) -> str:
    """The header template of every printed page: the synthetic-data banner (escaped), or nothing."""
    if not banner:
        return "<span></span>"
    return ('<div style="font-size:8px;width:100%;text-align:center;color:#7a5d00;font-weight:600;">'
            f"{html_text.escape(banner)}</div>")


def print_pdf(html: Path, pdf: Path, timeout_ms: int = 60000) -> Path:
    """Print ``html`` to ``pdf`` (A4, backgrounds, the synthetic banner in the header of every
    page, page numbers in the footer, wide tables scaled to the page width)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                          else route.abort())
            page = context.new_page()
            # lay out (and let the charts draw) at the printed width: a chart drawn for a wider
            # screen was cut at the page's edge (10's heatmap lost a column and half its rows)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": PORTRAIT_WIDTH_PX, "height": 1200})
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
            page.evaluate(FIT_WIDE_TABLES, [PORTRAIT_WIDTH_PX, MIN_ZOOM])
            page.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                     header_template=page_header(page.evaluate(BANNER)), prefer_css_page_size=True,
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()
    return pdf
