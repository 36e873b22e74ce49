"""Report 00's sections without papermill, on R survey's apistrat (tests/fixtures/byo_apistrat).

Oracle: the published design of apistrat (R survey, ``?api``): a stratified sample of 200
schools, 100 elementary, 50 middle and 50 high schools, no clusters; its dictionary declares
no sex, age or settlement role. Rendering is checked against hand-written expectations.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from workbench.reports import overview
from workbench.reports.sections import Chart, Finding, Table, Text, in_report_order
from workbench.study import Study

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo_apistrat"


@pytest.fixture(scope="module")
def study() -> Study:
    return Study.load(FIXTURE)


def test_findings_first_and_each_links_to_a_section(study: Study) -> None:
    sections = overview.sections(study)
    assert [s.id for s in in_report_order(sections)] == ["findings", "datasets", "sample"]
    findings = sections[0].blocks
    assert all(isinstance(f, Finding) for f in findings)
    assert {f.section for f in findings} <= {s.id for s in sections}
    assert [(f.key, f.values) for f in findings] == [
        ("overview_finding_valid", {"count": 1}),
        ("overview_finding_sample", {"n": 200, "dataset": "California schools 2000: stratified sample (R survey's apistrat)"}),
        ("overview_finding_strata", {"strata": 3})]


def test_sample_counts_match_the_published_apistrat_design(study: Study) -> None:
    sample = overview.sample_section(study, "apistrat", None, "en")
    texts = {b.key: b.values for b in sample.blocks if isinstance(b, Text)}
    assert texts["overview_sample_total"]["n"] == 200
    assert texts["overview_sample_strata"]["strata"] == 3
    assert "overview_sample_unclustered" in texts  # apistrat has no clusters
    assert [r.key for r in texts["overview_roles_absent"]["roles"]] == \
        ["qa_role_sex", "qa_role_age_group", "qa_role_urban_rural"]
    by_type = next(b for b in sample.blocks if isinstance(b, Table) and b.name == "respondents_by_region")
    assert by_type.frame[["category", "respondents"]].values.tolist() == [["Elementary", 100], ["Middle", 50], ["High", 50]]
    assert by_type.frame["share"].tolist() == [0.5, 0.25, 0.25]
    assert by_type.count == "respondents" and by_type.labels == ("category",)
    assert any(isinstance(b, Chart) and b.name == "sample-stype" for b in sample.blocks)


def test_a_region_keeps_only_its_schools_and_an_unknown_one_is_an_error(study: Study) -> None:
    high = overview.sample_section(study, "apistrat", "H", "en")
    assert next(b for b in high.blocks if isinstance(b, Text)).values["n"] == 50
    strata = next(b for b in high.blocks if isinstance(b, Table) and b.name == "respondents_by_region")
    assert strata.frame.values.tolist() == [["High", 50, 1.0]]  # the edition's own stratum, all of its rows
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match="unknown region"):
        overview.sample_section(study, "apistrat", "Narnia", "en")


def test_no_survey_says_so(study: Study) -> None:
    section = overview.sample_section(study, None, None, "en")
    assert [b.key for b in section.blocks] == ["overview_no_survey"]


def test_rendered_in_russian_with_plural_agreement_and_anchors(study: Study, tmp_path: Path) -> None:
    import IPython.display

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(FIXTURE, language="ru", output_dir=tmp_path, edition="00_data_overview")
        report.begin(overview.title(report.study, "ru"), overview.intro(report.study, "ru"))
        report.show(*overview.sections(report.study, language="ru"))
    import plotly.graph_objects as go

    assert sum(isinstance(p, go.Figure) for p in shown) == 2  # one bar chart per breakdown
    page = "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))
    assert "<h1>Школы Калифорнии, 2000: данные</h1>" in page  # the study's own title
    assert '<h2 id="findings">' in page and page.index('id="findings"') < page.index('id="sample"')
    # "many" form for 200; the survey is named by its dictionary's Russian title, not its dataset name
    assert "В опросе (Школы Калифорнии, 2000: стратифицированная выборка (apistrat из пакета survey для R)) " \
           "200 респондентов." in page
    assert '<a class="wb-details" href="#sample">' in page
    assert "50,0\u00a0%" in page  # decimal comma, Russian percent sign spacing
    assert "None" not in page and "nan" not in page
    import json

    findings = json.loads((tmp_path / "00_data_overview.findings.json").read_text(encoding="utf-8"))
    assert findings["title"] == "Школы Калифорнии, 2000: данные"
    # the key finding names the survey by its title too, never by the dataset's identifier
    title = "Школы Калифорнии, 2000: стратифицированная выборка (apistrat из пакета survey для R)"
    sample_finding = {k: v for k, v in findings["findings"][1].items() if k != "markdown"}
    assert sample_finding == {"key": "overview_finding_sample", "values": {"n": 200, "dataset": title},
                              "text": f"В опросе ({title}) 200 респондентов — это основа всех показателей "
                                      "опроса в этих отчётах.", "section": "sample"}
    figures = json.loads((tmp_path / "00_data_overview.figures.json").read_text(encoding="utf-8"))["figures"]
    stype = [f for f in figures if f["table"] == "respondents_by_region" and f["column"] == "respondents"]
    assert [(f["section"], f["row"], f["value"]) for f in stype] == \
        [("sample", "Начальная", 100), ("sample", "Средняя", 50), ("sample", "Старшая", 50)]
