"""The public-attitudes report runs on a second, differently named survey dictionary, and hides
small cells in its HTML and its Excel annex.

The second survey (``survey_alt``: other variable names, codes, missing codes, batteries, no
population margins, no urban/rural or contact variables) is written into a temporary study
folder and the report is built by the command line, as a user would.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from workbench.reporting.messages import text
from workbench.reporting.tables import MARKER, format_number
from workbench.schemas import load_dictionary
from workbench.study import Study
from workbench.survey.indicator_estimates import estimate_indicators
from workbench.survey.instrument import ATTITUDE, batteries
from workbench.survey.preparation import domain, prepare_survey, respondents
from workbench.synthetic.survey_alt import write_survey_alt

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_public_attitudes.ipynb"
ANNEX = "01_public_attitudes_tables.xlsx"


def _code_strings() -> set[str]:
    """Every string literal in the notebook's code cells."""
    strings: set[str] = set()
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
    return strings


def test_notebook_names_no_variable_or_battery_of_either_questionnaire() -> None:
    strings = _code_strings()
    # the two questionnaires (the margins table's column names are those of the result tables of
    # questionnaire.margin_table, e.g. "population", so they are not checked here)
    for name in ("survey", "survey_alt"):
        dictionary = load_dictionary(name)
        named = (set(dictionary.variables) | set(dictionary.batteries)) & strings
        assert not named, f"{NOTEBOOK.name} names {sorted(named)} of {name}"


def _alt_study(folder: Path) -> Path:
    entries = write_survey_alt(folder, np.random.default_rng(20261122))
    spec = {"title": "Second survey (synthetic)", "synthetic": True, "regions": ["Kara-Suu", "Nookat", "Aravan"],
            "datasets": entries}
    (folder / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return folder


def _build(study: Path, reports: Path, *parameters: str) -> Path:
    command = [sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--only", "01",
               "--reports", str(reports)]
    for parameter in parameters:
        command += ["-p", parameter]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return reports


def _tables(html_file: Path) -> dict[str, pd.DataFrame]:
    """Every report table of the HTML page by its caption, as text cells."""
    root = lxml.html.parse(str(html_file)).getroot()
    found = {}
    for block in root.find_class("wb-table"):
        caption = block.find_class("wb-caption")[0].text_content().strip()
        header = [th.text_content() for th in block.iter("th")]
        rows = [[td.text_content() for td in tr.iter("td")] for tr in block.iter("tr")]
        found[caption] = pd.DataFrame([r for r in rows if r], columns=header)
    return found


def _sheet(workbook: Path, title: str) -> pd.DataFrame:
    """The annex sheet whose first cell is ``title``, as a table (header on row 3)."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and rows[0] and rows[0][0] == title:
            header = rows[2]
            body = []
            for row in rows[3:]:
                if row is None or all(v is None for v in row):
                    break
                body.append(row[: len(header)])
            return pd.DataFrame(body, columns=header)
    raise AssertionError(f"no sheet titled {title!r} in {workbook}")


@pytest.mark.slow
def test_report_builds_on_the_second_survey(tmp_path: Path) -> None:
    study = _alt_study(tmp_path / "alt")
    reports = _build(study, tmp_path / "reports")
    page = (reports / "01_public_attitudes.html").read_text(encoding="utf-8")
    assert (reports / ANNEX).exists()
    alt = load_dictionary("survey_alt")
    # its own batteries and labels, and sentences saying what it lacks
    for battery in alt.batteries:
        assert alt.label(battery, "en") in page
    assert text("qa_not_raked", "en") in page
    assert text("qa_breakdowns_absent", "en", roles=", ".join(
        [text("qa_role_urban_rural", "en"), text("qa_role_contact", "en")])) in page
    assert "Traceback" not in page
    # the favourable share of the first attitude battery, as the report states it
    loaded = Study.load(study)
    prepared = prepare_survey(loaded.read("survey_alt"), alt)
    estimates = estimate_indicators(prepared.design, prepared.indicators).set_index("indicator")
    first = batteries(alt, kind=ATTITUDE)[0].name
    share = format_number(float(estimates.loc[f"favourable__{first}", "estimate"]), 1, percent=True)
    assert f"{share} hold a favourable view" in page


@pytest.mark.slow
def test_small_cells_are_suppressed_in_html_and_excel(tmp_path: Path) -> None:
    study = _alt_study(tmp_path / "alt")
    min_cell = 150  # Aravan has 100 respondents: every table of that edition rests on fewer
    reports = _build(study, tmp_path / "reports", "region=Aravan", f"min_cell={min_cell}", "language=ru")
    html_file = reports / "01_public_attitudes.html"
    page = html_file.read_text(encoding="utf-8")
    alt = load_dictionary("survey_alt")
    loaded = Study.load(study)
    prepared = prepare_survey(loaded.read("survey_alt"), alt)
    aravan, _ = domain(prepared, "Aravan")
    assert respondents(aravan) < min_cell
    estimates = estimate_indicators(aravan, prepared.indicators).set_index("indicator")
    title = text("qa_acceptance_table", "ru")
    shown = _tables(html_file)[title]
    value_columns = [c for c in shown.columns if c not in (text("col_battery", "ru"), text("col_scale", "ru"))]
    assert (shown[value_columns] == MARKER).all().all()
    assert text("suppressed_note", "ru", marker=MARKER, min_cell=min_cell) in page
    # the hidden figures appear nowhere in the page: not in tables, not in sentences
    for battery in batteries(alt, kind=ATTITUDE):
        hidden = format_number(float(estimates.loc[f"favourable__{battery.name}", "estimate"]), 1, percent=True)
        assert hidden not in page
        hidden_index = format_number(float(estimates.loc[f"index__{battery.name}", "estimate"]), 2)
        assert f"{hidden_index} " not in page and f">{hidden_index}<" not in page
    # the Excel annex hides the same cells
    sheet = _sheet(reports / ANNEX, title)
    assert len(sheet) == len(shown)
    assert (sheet[value_columns].astype(str) == MARKER).all().all()
    # the social-distance table too (its rows rest on fewer than 150 answers)
    distance = _sheet(reports / ANNEX, text("qa_social_distance_table", "ru"))
    share_column = text("col_share", "ru")
    assert (distance[share_column].astype(str) == MARKER).all()
