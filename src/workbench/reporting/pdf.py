"""Print an offline HTML report to PDF with Debian's headless Chromium.

Chromium is driven by the ``playwright`` package with ``executable_path`` (playwright's own
browser download is not used), the network is blocked, and printing waits until every
plotly chart has drawn. Page breaks come from the report template's print CSS
(``h2`` starts a page; tables and charts are not split).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.errors import WorkbenchError

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
CHARTS_DRAWN = ("() => [...document.querySelectorAll('div.plotly-graph-div')]"
                ".every(d => d.querySelector('svg.main-svg'))")


def chromium_path() -> str:
    """Path of Debian's Chromium, or a clear error saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise WorkbenchError("Chromium is needed to print PDF reports and is not installed",
                             expected="apt-get install chromium (make report installs it)")
    return path


def print_pdf(html: Path, pdf: Path, timeout_ms: int = 60000) -> Path:
    """Print ``html`` to ``pdf`` (A4, backgrounds, page numbers in the footer)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                          else route.abort())
            page = context.new_page()
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                     header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()
    return pdf
