"""Printed reports (issue 14.7, 14.8): the synthetic banner on every PDF page, and a table too
wide for the page scaled to fit it, every column printed, headings whole.

Oracle: properties read back from the printed PDF with poppler (``pdftotext`` per page,
``pdfinfo`` page sizes): A4 portrait is 595 x 842 pt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from workbench.reporting.build import export_html
from workbench.reporting.pdf import page_header, print_pdf

pytestmark = pytest.mark.browser
BANNER = "SYNTHETIC DEMO DATA: every figure comes from generated data."


def _report(tmp_path: Path) -> Path:
    """A three-part report as the build exports it: banner, long text, a wide and a narrow table."""
    head = "".join(f"<th>Respondents {k}</th>" for k in range(11))  # about 900 px: wider than the page
    row = "<tr>" + "".join(f"<td>{k * 1000}</td>" for k in range(11)) + "</tr>"
    wide = f'<div class="wb-table"><table><thead><tr>{head}</tr></thead><tbody>{row * 3}</tbody></table></div>'
    narrow = '<div class="wb-table"><table><thead><tr><th>Region</th><th>Share</th></tr></thead>' \
             '<tbody><tr><td>Batken</td><td>41%</td></tr></tbody></table></div>'
    text = "".join(f"<p>Paragraph {k}: " + "words of the report " * 40 + "</p>" for k in range(12))
    cells = [nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html})]) for html in
        (f'<h1>Report</h1><p class="wb-banner">{BANNER}</p>', text, "<h2>Wide</h2>" + wide, "<h2>Narrow</h2>" + narrow)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    executed = tmp_path / "report.ipynb"
    nbformat.write(notebook, executed)
    target = tmp_path / "report.html"
    export_html(executed, target, title="Report")
    return target


def test_header_escapes_and_is_empty_without_banner() -> None:
    assert page_header("") == "<span></span>"
    assert "&lt;b&gt;" in page_header("<b>x</b>")


def test_banner_on_every_page_and_wide_table_fits(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.fail("Debian chromium is not installed: `make test` installs it (scripts/system-packages.sh)")
    pdf = print_pdf(_report(tmp_path), tmp_path / "report.pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = [tuple(round(float(v)) for v in m) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    assert pages >= 3 and len(sizes) == pages
    assert all(abs(w - 595) <= 2 and abs(h - 842) <= 2 for w, h in sizes), sizes  # A4 portrait (points)
    wide_pages = []
    for number in range(1, pages + 1):
        page_text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
                                   capture_output=True, text=True, check=True).stdout
        assert "SYNTHETIC DEMO DATA" in page_text, f"page {number} has no banner"
        if "Respondents 10" in page_text or "Respondents" in page_text and "10000" in page_text:
            wide_pages.append(number)  # the last column is printed: the table is not cut
            assert page_text.count("Respondents") == 11  # every heading whole, none broken inside the word
    assert wide_pages, "the wide table's last column is on no page"
