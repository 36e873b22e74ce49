"""Report 02's sections without papermill, on the seeded demo study.

Oracles: an independent count in this file (segment -> the speaker turn that holds its start
-> the turn's participant, else the interview's participant; people per code counted with
plain pandas) for the barrier counts and the group bases; the disclosure rule written out by
hand for suppression and quote attribution; ``agreement.RELIABLE_ALPHA`` (Krippendorff 2004's
0.667) for the reliability threshold; properties that must hold (findings first and linked,
methods last, no raw identifier in any table, Russian numbers and plurals).
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from openpyxl import load_workbook

from workbench.agreement import RELIABLE_ALPHA
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.reporting.messages import text
from workbench.reports import interviews
from workbench.reports.sections import Chart, Finding, Quote, Section, Table, Text, in_report_order
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

FAST = {"n_boot": 50}  # bootstrap resamples: the interval is not under test here


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return Study.load(write_demo_study(tmp_path_factory.mktemp("demo02") / "study"))


@pytest.fixture(scope="module")
def material(study: Study) -> interviews.Material:
    return interviews.material(study)


@pytest.fixture(scope="module")
def sections(material: interviews.Material) -> list[Section]:
    return interviews.sections(material, Disclosure(10), **FAST)


def _by_id(sections: list[Section], section_id: str) -> Section:
    return next(s for s in sections if s.id == section_id)


def _independent_participants(m: interviews.Material) -> pd.Series:
    """Participants per code: each accepted segment of the primary coder belongs to the speaker
    turn holding its start; the turn's participant, else the interview's."""
    c = m.corpus
    segments = c.segments[(c.segments["coder"] == m.coder) & (c.segments["status"].fillna("accepted") == "accepted")]
    by_document = dict(zip(c.documents["doc_id"], c.documents["case_id"]))
    people: dict[str, set] = {}
    for seg in segments.itertuples(index=False):
        turns = c.turns[(c.turns["doc_id"] == seg.doc_id) & (c.turns["start"] <= seg.start) & (c.turns["end"] > seg.start)]
        case = turns["case_id"].iloc[0] if len(turns) and pd.notna(turns["case_id"].iloc[0]) else by_document[seg.doc_id]
        if pd.notna(case):
            people.setdefault(seg.code_id, set()).add(case)
    return pd.Series({code: len(cases) for code, cases in people.items()})


def test_findings_first_methods_last_each_finding_linked(sections: list[Section]) -> None:
    ordered = in_report_order(sections)
    assert [s.id for s in ordered] == ["findings", "barriers", "cooccurrence", "framework", "stakeholders", "quotes",
                                       "material", "reliability", "saturation"]
    assert [s.part for s in ordered[-3:]] == ["methods"] * 3
    findings = ordered[0].blocks
    assert 5 <= len(findings) <= 7 and all(isinstance(f, Finding) for f in findings)
    assert {f.section for f in findings} <= {s.id for s in sections}


def test_barrier_counts_match_an_independent_count(material: interviews.Material, sections: list[Section]) -> None:
    counts = interviews.barrier_counts(material).set_index("code_id")
    expected = _independent_participants(material).reindex(counts.index).fillna(0).astype(int)
    assert counts["participants"].to_dict() == expected.to_dict()
    assert (counts["total"] == len(material.corpus.cases)).all()
    assert counts["participants"].is_monotonic_decreasing  # most raised first
    top = next(f for f in sections[0].blocks if f.key == "ql_finding_top")
    best = expected.idxmax()
    assert top.values == {"code": material.code_names[best], "n": int(expected.max()),
                          "total": len(material.corpus.cases), "share": expected.max() / len(material.corpus.cases)}
    overall = next(b for b in _by_id(sections, "barriers").blocks if isinstance(b, Table)
                   and b.name == "participants_mentioning")
    assert overall.count == "participants" and overall.frame["participants"].tolist() == counts["participants"].tolist()


def test_group_table_rests_on_the_participants_of_each_group(material: interviews.Material,
                                                              sections: list[Section]) -> None:
    table = next(b for b in _by_id(sections, "barriers").blocks if isinstance(b, Table) and b.name == "barriers-by-group")
    assert table.count == "participants" and table.labels == ("breakdown", "category")
    labels = material.study.dictionary("qual_cases").value_labels("respondent_group", "en")
    groups = table.frame[table.frame["breakdown"] == "Respondent group"].set_index("category")["participants"]
    expected = material.corpus.cases["respondent_group"].map(labels).value_counts()
    assert groups.to_dict() == expected.reindex(groups.index).to_dict()
    # suppression: the report's Disclosure hides exactly the groups of fewer than min_cell participants
    hidden = Disclosure(64).suppress_rows(table.frame, n="participants", keep=table.labels)
    assert hidden["suppressed"].tolist() == (table.frame["participants"] < 64).tolist()
    charts = [b for b in _by_id(sections, "barriers").blocks if isinstance(b, Chart)]
    assert [(c.name, c.kind, c.count) for c in charts] == [("barriers-by-group", "heatmap", "participants")]


def test_no_raw_identifier_in_any_table(material: interviews.Material, sections: list[Section]) -> None:
    raw = set(material.corpus.codes["code_id"]) | set(material.corpus.cases["respondent_group"]) | \
        {"respondent_group", "sex", "qual_cases", "qual_documents"}
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Table):
                shown = [block.headings.get(c, f"col_{c}") for c in block.frame.columns]  # what a reader sees
                cells = {str(v) for v in block.frame.astype(object).to_numpy().ravel()} | set(shown)
                assert not (cells & raw), (block.name, cells & raw)


def test_one_reliability_threshold(material: interviews.Material, sections: list[Section]) -> None:
    assert RELIABLE_ALPHA == 0.667  # Krippendorff (2004): the floor for tentative conclusions
    table = interviews.reliability(material, **FAST)
    per_code = table[table["code_id"] != "ALL"]
    summary = next(b for b in _by_id(sections, "reliability").blocks if b.key == "ql_reliability_summary")
    assert summary.values["threshold"] == RELIABLE_ALPHA
    assert summary.values["weak"] == int((per_code["alpha"] < 0.667).sum())
    finding = next(f for f in sections[0].blocks if f.key == "ql_finding_reliability")
    assert finding.values["weak"] == summary.values["weak"] and finding.values["low"] <= finding.values["alpha"]


def test_quotes_attributed_by_the_disclosure_rule(material: interviews.Material) -> None:
    cases = material.corpus.cases
    def speakers(min_cell: int) -> list[Text]:
        section = interviews.quotes_section(material, Disclosure(min_cell))
        return [b.who for b in section.blocks if isinstance(b, Quote)]
    assert {w.key for w in speakers(len(cases) + 1)} == {"ql_who_unknown"}  # no group that large
    group_sizes = cases["respondent_group"].value_counts()
    labels = material.study.dictionary("qual_cases").value_labels("respondent_group", "en")
    for who in speakers(10):
        if who.key != "ql_who_unknown":  # named only where at least 10 participants share the group
            group = next(g for g, label in labels.items() if label == who.values["group"])
            assert group_sizes[group] >= 10
    assert any(w.key == "ql_who" for w in speakers(1))  # with no threshold the sex is named too


def test_too_few_interviews_for_saturation_says_so(material: interviews.Material) -> None:
    few = interviews.saturation(material, base_size=1000)
    section = interviews.saturation_section(few, base_size=1000)
    assert section.part == "methods" and [b.key for b in section.blocks] == ["ql_saturation_too_few"]
    assert section.blocks[0].values["n"] == int((material.corpus.documents["doc_type"] == "KII").sum())


def test_unknown_option_is_an_error(material: interviews.Material) -> None:
    with pytest.raises(WorkbenchError, match="unknown option"):
        interviews.sections(material, Disclosure(10), saturation_treshold=0.1)


def test_rendered_in_russian(study: Study, tmp_path: Path) -> None:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(study.root, language="ru", output_dir=tmp_path, edition=interviews.REPORT)
        report.begin(interviews.title(), interviews.intro())
        m = interviews.material(report.study, language="ru")
        report.show(*interviews.sections(m, report.tables.disclosure, output_dir=tmp_path,
                                         framework_title=report.t("ql_framework"),
                                         framework_label=report.synthetic_label, **FAST))
    # barriers heat map, theme network, influence-interest bubbles, network of stakeholder types, discovery curve
    assert sum(isinstance(p, go.Figure) for p in shown) == 5
    page = "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))
    assert page.index('id="findings"') < page.index('id="barriers"') < page.index('id="reliability"')
    total = len(m.corpus.cases)
    assert f"из {total} участников" in page  # genitive plural after "из" for 118
    assert "препятствия для реинтеграции" in page and "Препятствия по группам респондентов и полу" in page
    assert "Цитаты приводятся на языке расшифровок (английский)" in page
    assert '«<span lang="en">' in page  # the words in the transcript's language, marked as such
    assert "0,667" in page  # the one threshold, decimal comma
    assert "None" not in page and "nan" not in page and "BAR_" not in page
    assert (tmp_path / f"{interviews.REPORT}_framework.xlsx").is_file()
    # issue 14.6 (oracle: properties that must hold): every sheet of both workbooks carries the synthetic
    # label in A2 as the annex does; no cell is cut to "(+n)" there, while the page keeps its short excerpt
    cut = re.compile(r"\(\+\d+( more)?\)$")
    assert re.search(r"\(\+\d+\)", page)
    annex = report.tables.write_xlsx(tmp_path / "annex.xlsx", synthetic=report.study.synthetic)
    framework = load_workbook(tmp_path / f"{interviews.REPORT}_framework.xlsx")
    for book in (load_workbook(annex), framework):
        for sheet in book.worksheets:
            assert sheet["A2"].value == text("synthetic_banner", "ru"), sheet.title
            assert not [c.value for row in sheet.iter_rows() for c in row
                        if isinstance(c.value, str) and cut.search(c.value.strip())], sheet.title
    excerpt = next(s for s in load_workbook(annex).worksheets if s["A1"].value == report.t("ql_framework_table"))
    assert excerpt.max_row >= 4 and len(framework.worksheets) >= 3
