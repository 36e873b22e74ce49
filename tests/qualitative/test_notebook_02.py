"""End-to-end: notebook 02 builds on the demo study and leaks no personal data.

The demo corpus plants names (``people.csv``), phone numbers, personal numbers (PIN) and
passport numbers in the raw transcripts (docs/demo-qualitative.md). The report's visible
text and every cell of the Excel files it writes must hold none of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from openpyxl import load_workbook

from workbench.qualitative.quotes import find_personal_data
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

EDITION = "02_interviews_and_focus_groups"


def _visible_texts(html_file: Path) -> list[str]:
    """Every text node a reader sees (scripts and styles dropped), one string per node."""
    root = lxml.html.parse(str(html_file)).getroot()
    for hidden in root.xpath("//script|//style"):
        hidden.drop_tree()
    return [t.strip() for t in root.xpath("//body//text()") if t.strip()]


def _xlsx_texts(folder: Path) -> list[str]:
    texts = []
    for workbook in sorted(folder.glob("*.xlsx")):
        book = load_workbook(workbook, read_only=True)
        for sheet in book.worksheets:
            texts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, float) and not value.is_integer():
                        continue  # a measured figure, not an identifier (its digits can look like a PIN)
                    if isinstance(value, float):
                        value = int(value)
                    if value is not None:
                        texts.append(str(value))
    return texts


@pytest.mark.slow
def test_notebook_02_builds_and_leaks_no_personal_data(tmp_path: Path) -> None:
    study = write_demo_study(tmp_path / "demo")
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--only", "02",
         "--reports", str(reports)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html_file = reports / f"{EDITION}.html"
    assert html_file.is_file()
    assert (reports / f"{EDITION}_framework.xlsx").is_file()
    assert (reports / f"{EDITION}_tables.xlsx").is_file()

    corpus = load_study_corpus(Study.load(study))
    people = corpus.people
    # the demo really holds personal data to leak: names in the text, numbers found by pattern
    raw = "\n".join(corpus.documents["text"])
    assert any(name in raw for name in people["name"])
    kinds = {m.kind for text in corpus.documents["text"] for m in find_personal_data(text, people)}
    assert {"person", "place", "phone", "pin", "passport"} <= kinds

    visible = _visible_texts(html_file)
    cells = _xlsx_texts(reports)
    page = "\n".join(visible)
    assert "What informants said" in page  # the quotes section is there
    assert page.count("\u201c") >= 5  # with quotes (opening quotation marks)
    for where, texts in (("report", visible), ("Excel", cells)):
        for text in texts:
            found = find_personal_data(text, people)
            assert not found, f"personal data in the {where}: {found} in {text[:200]!r}"
            for name in people["name"]:
                assert name.lower() not in text.lower(), f"{name!r} in the {where}: {text[:200]!r}"
    # the scrubbing ran on text that needed it
    assert "[PIN]" in page or "[PHONE]" in page or "[PERSON]" in page or any("[" in c for c in cells)
    # the framework workbook holds a row per participant (title, label, header, then the cases down to a blank row)
    framework = pd.read_excel(reports / f"{EDITION}_framework.xlsx", sheet_name="Matrix", header=2)
    assert framework.iloc[:, 0].isna().idxmax() == len(corpus.cases)
