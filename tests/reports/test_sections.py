"""The report-sections framework on small constructed cases (no papermill).

Oracles: hand-written expectations (CLDR number and plural conventions for English and
Russian; disclosure: counts below min_cell hidden); properties that must hold (findings
first, methods last; a chart of one flat value is not drawn)."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from workbench.errors import WorkbenchError
from workbench.reporting import charts, numbers
from workbench.reporting.index import headline_findings
from workbench.reporting.parameters import ReportParameters, for_notebook, reader_value
from workbench.reporting.sections import column_heading
from workbench.reports.sections import Chart, Contents, Finding, Section, Table, Text, in_report_order

ROOT = Path(__file__).resolve().parents[2]
APISTRAT = ROOT / "tests" / "fixtures" / "byo_apistrat"


@pytest.mark.parametrize(("value", "language", "kwargs", "expected"), [
    (1001, "ru", {}, "1\u202f001"),
    (1234567, "en", {}, "1\u202f234\u202f567"),
    (0.1234, "en", {"percent": True}, "12.3%"),
    (0.1234, "ru", {"percent": True}, "12,3\u00a0%"),
    (429240.0000000001, "en", {"decimals": 2}, "429\u202f240.00"),  # no float tail
    (np.float64(2.5), "ru", {"decimals": 1}, "2,5"),
    (np.int64(7), "ru", {"decimals": 3}, "7"),  # whole numbers have no decimals
    (None, "en", {}, ""), (float("nan"), "ru", {}, ""), (pd.NA, "en", {}, ""),
])
def test_numbers_follow_the_language(value, language, kwargs, expected) -> None:
    assert numbers.format_number(value, language, **kwargs) == expected


def test_one_p_value_formatter() -> None:
    assert numbers.format_p(0.0004, "en") == "<\u00a00.001"
    assert numbers.format_p(0.0004, "ru") == "<\u00a00,001"
    assert numbers.format_p(0.04567, "en") == "0.046"
    assert numbers.format_p(None, "en") == ""


def test_catalogue_specs_format_raw_values() -> None:
    from workbench.reporting.messages import _Localised

    filled = _Localised("ru").format("{n:n}|{s:.1%}|{p:p}|{x:.2f}|{year}", n=12345, s=0.5, p=0.2, x=3.14159, year=2024)
    assert filled == "12\u202f345|50,0\u00a0%|0,200|3,14|2024"  # a year without spec is not grouped


def test_report_order_and_links() -> None:
    body = Section("body", "overview_sample", [Text("overview_no_survey")])
    methods = Section("how", "methods_title", part="methods")
    findings = Section("findings", "key_findings", [Finding("overview_finding_strata", "body", {"strata": 2})],
                       part="findings")
    assert [s.id for s in in_report_order([methods, body, findings])] == ["findings", "body", "how"]
    with pytest.raises(WorkbenchError, match="links to no section"):
        in_report_order([Section("f", "key_findings", [Finding("overview_finding_strata", "nowhere")], part="findings")])
    with pytest.raises(WorkbenchError, match="section id"):
        Section("Bad id!", "key_findings")


def test_headings_by_convention_and_a_missing_one_is_an_error() -> None:
    assert column_heading("respondents", "ru") == "Респонденты"
    assert column_heading("category", "en", {"category": "Region"}) == "Region"
    with pytest.raises(WorkbenchError, match="col_no_such_column"):
        column_heading("no_such_column", "en")


def test_charts_not_drawn_when_empty_or_flat_and_colours_per_meaning() -> None:
    flat = pd.DataFrame({"category": ["a", "b"], "respondents": [5, 5]})
    spec = Chart("c", "bars", flat, x="category", y="respondents", title_key="overview_sample")
    assert charts.why_not_drawn(spec, flat) == "chart_flat"
    assert charts.why_not_drawn(spec, flat.iloc[0:0]) == "chart_no_data"
    assert charts.why_not_drawn(spec, flat.assign(respondents=[5, 6])) is None
    risk = charts.colour_map("risk", ["low", "medium", "high"])
    assert risk == {"low": charts.RISK_SCALE[0], "medium": charts.RISK_SCALE[2], "high": charts.RISK_SCALE[-1]}
    assert charts.colour_map("sex", ["male", "female"]) == {"male": "#3b6fb6", "female": "#c8553d"}
    assert charts.colour_map("significance", [True, False]) == {True: "#b2182b", False: "#8c8c8c"}


def test_forest_plot_one_row_per_term_and_group() -> None:
    frame = pd.DataFrame({"term": ["age", "age", "sex"], "group": ["A", "B", "A"],
                          "estimate": [0.1, 0.2, -0.3], "ci_low": [0.0, 0.1, -0.5], "ci_high": [0.2, 0.3, -0.1]})
    spec = Chart("f", "forest", frame, x="term", y="estimate", low="ci_low", high="ci_high", group="group",
                 title_key="overview_sample", headings={"term": "Term", "estimate": "Estimate"})
    fig = charts.draw(spec, frame, "ru", lambda c: spec.headings[c], "t")
    assert list(fig.data[0].y) == ["age · A", "age · B", "sex · A"]
    assert list(fig.data[0].error_x.array) == pytest.approx([0.1, 0.1, 0.2])
    assert fig.layout.separators == ",\u202f"


def test_render_suppresses_small_rows_in_tables_and_charts(tmp_path: Path) -> None:
    import IPython.display

    from workbench.reporting import start_report

    counts = pd.DataFrame({"category": ["A", "B", "C"], "respondents": [40, 3, 57], "share": [0.4, 0.03, 0.57]})
    section = Section("sample", "overview_sample", [
        Table("by-category", "overview_sample", counts, count="respondents", labels=("category",), percent=("share",),
              headings={"category": "Group"}),
        Chart("by-category", "bars", counts, x="category", y="respondents", count="respondents",
              title_key="overview_sample", headings={"category": "Group"})])
    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(APISTRAT, min_cell=10, output_dir=tmp_path, edition="t")
        report.show(section)
    table = next(p for p in shown if type(p).__name__ == "HtmlTable")
    assert table.table.values.tolist() == [["A", "40", "40.0%"], ["B", "x", "x"], ["C", "57", "57.0%"]]
    figure = next(p for p in shown if isinstance(p, go.Figure))
    assert list(figure.data[0].x) == ["A", "C"]  # the hidden group is not drawn
    recorded = json.loads((tmp_path / "t.figures.json").read_text(encoding="utf-8"))["figures"]
    assert {(f["section"], f["table"], f["row"], f["column"], f["value"]) for f in recorded} >= {
        ("sample", "by-category", "A", "respondents", 40), ("sample", "by-category", "B", "respondents", "x")}


def test_an_annex_only_table_goes_to_the_annex_not_to_the_page(tmp_path: Path) -> None:
    """Property: a ``Table(annex_only=True)`` is displayed nowhere, yet the annex and
    figures.json hold it with its figures as given (hand-made table)."""
    import IPython.display

    from workbench.reporting import start_report

    figures = pd.DataFrame({"category": ["A", "B"], "estimate": [0.41234, 0.5]})
    section = Section("sample", "overview_sample", [
        Table("shown", "overview_sample", figures, count=None, labels=("category",), headings={"category": "Group",
                                                                                             "estimate": "Share"}),
        Table("behind", "overview_sample", figures, count=None, labels=("category",), decimals=3, annex_only=True,
              headings={"category": "Group", "estimate": "Share"})])
    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(APISTRAT, min_cell=10, output_dir=tmp_path, edition="t")
        report.show(section)
    assert sum(type(p).__name__ == "HtmlTable" for p in shown) == 1
    assert len(report.tables.shown) == 2  # both go to the annex
    assert report.tables.shown[1].table["Share"].tolist() == [0.41234, 0.5]  # unrounded there
    recorded = json.loads((tmp_path / "t.figures.json").read_text(encoding="utf-8"))["figures"]
    assert {f["table"] for f in recorded} == {"shown", "behind"}


def test_contents_link_each_title_to_its_section_and_name_only_sections_of_the_report(tmp_path: Path) -> None:
    """Property: the contents list is internal links (href "#<section id>") to sections the
    report has, each reading that section's own title (escaped); an entry naming no section,
    or a section by another title, is an error. Hand-made sections."""
    import IPython.display
    from lxml import html as lxml_html

    from workbench.reporting import start_report

    contents = Contents((("sample", "overview_sample"), ("findings", "key_findings")))
    sections = [Section("sample", "overview_sample", [contents, Text("overview_sample")]),
                Section("findings", "key_findings", [Finding("overview_sample", "sample")], part="findings")]
    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(APISTRAT, min_cell=10, output_dir=tmp_path, edition="t", language="ru")
        report.show(*sections)
    nav = next(lxml_html.fromstring(p) for p in [getattr(p, "body", "") for p in shown] if "wb-contents" in p)
    links = nav.xpath("//ol/li/a")
    assert [a.get("href") for a in links] == ["#sample", "#findings"]
    assert [a.text_content() for a in links] == [report.t("overview_sample"), report.t("key_findings")]
    assert nav.xpath("//p/strong")[0].text == "Содержание"
    with pytest.raises(WorkbenchError, match="contents entry"):
        in_report_order([Section("a", "overview_sample", [Contents((("b", "overview_sample"),))])])
    with pytest.raises(WorkbenchError, match="contents entry"):
        in_report_order([Section("a", "overview_sample", [Contents((("a", "key_findings"),))])])


def test_parameters_are_checked_before_a_build() -> None:
    from workbench.study import Study

    study = Study.load(APISTRAT)
    assert ReportParameters().min_cell == 10 and ReportParameters().region is None
    ReportParameters(region="H").validate(study)  # a stratum code of apistrat
    for bad, message in [(ReportParameters(language="kg"), "not a known report language"),
                         (ReportParameters(min_cell=0), "positive whole number"),
                         (ReportParameters(min_cell="10"), "positive whole number"),
                         (ReportParameters(region="Narnia"), "unknown region")]:
        with pytest.raises(WorkbenchError, match=message):
            bad.validate(study)
    assert reader_value("region", None, "ru") == "все регионы"
    assert ReportParameters(extra={"survey": None}).describe()["region"] == "all regions"


def test_a_notebook_receives_only_what_it_declares() -> None:
    notebook = ROOT / "notebooks" / "00_data_overview.ipynb"
    given = {"study": "s", "language": "ru", "overrides": {"x": 1}, "min_cell": 5}
    assert for_notebook(notebook, given) == {"study": "s", "language": "ru", "min_cell": 5}


def test_study_summary_takes_each_report_in_turn(tmp_path: Path) -> None:
    for name, count in (("00_a", 3), ("01_b", 1)):
        body = {"findings": [{"key": f"k{i}", "text": f"{name} {i}", "section": "s"} for i in range(count)]}
        (tmp_path / f"{name}.findings.json").write_text(json.dumps(body), encoding="utf-8")
    runs = [{"name": "00_a"}, {"name": "01_b"}, {"name": "02_missing"}]
    assert [f["text"] for f in headline_findings(tmp_path, runs, size=3)] == ["00_a 0", "01_b 0", "00_a 1"]
