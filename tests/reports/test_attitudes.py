"""Report 01's sections without papermill: on R survey's apistrat (tests/fixtures/byo_apistrat)
and on the seeded demo study.

Oracles, per test: independent pandas computations on the raw data (weighted shares as
sum(w * yes) / sum(w), interview counts per stratum), Holm's step-down adjustment written out
by hand below, ``workbench.study_facts`` (the one source of respondents per region), and
properties that must hold (findings first and linked, methods last, the disclosure policy
hiding every sentence figure on too few people, no "no difference" where the model reports
one, no raw identifier shown). The published apistrat design (200 schools: 100 elementary,
50 middle, 50 high) is the count oracle. R's own figures for the same survey are compared in
tests/survey/test_byo_survey.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.reports import attitudes, attitudes_methods
from workbench.reports.sections import Chart, Finding, Section, Table, Text, in_report_order
from workbench.study import Study
from workbench.survey.instrument import ATTITUDE
from workbench.survey.labels import variable_label
from workbench.survey.preparation import respondents
from workbench.synthetic.demo import write_demo_study

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo_apistrat"


@pytest.fixture(scope="module")
def api() -> attitudes.Attitudes:
    return attitudes.analyse(Study.load(FIXTURE))


@pytest.fixture(scope="module")
def demo_study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return Study.load(write_demo_study(tmp_path_factory.mktemp("demo") / "study"))


@pytest.fixture(scope="module")
def demo(demo_study: Study) -> attitudes.Attitudes:
    return attitudes.analyse(demo_study)


@pytest.fixture(scope="module")
def demo_sections(demo: attitudes.Attitudes) -> list[Section]:
    return attitudes.sections(demo, Disclosure(10))


def _by_id(sections: list[Section]) -> dict[str, Section]:
    return {s.id: s for s in sections}


def _blocks(section: Section, kind: type) -> list:
    return [b for b in section.blocks if isinstance(b, kind)]


def _hand_holm(p: list[float]) -> list[float]:
    """Holm (1979) written out: sort, multiply the k-th smallest by (m - k + 1), running maximum, cap at 1."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    out, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p) - rank) * p[i])
        out[i] = min(running, 1.0)
    return out


# ---- order and findings (properties) ---------------------------------------------------------------
def test_findings_first_methods_last_and_every_finding_linked(demo_sections: list[Section]) -> None:
    ordered = in_report_order(demo_sections)
    parts = [s.part for s in ordered]
    assert parts[0] == "findings" and parts == sorted(parts, key=["findings", "body", "methods"].index)
    assert [s.id for s in ordered if s.part == "methods"] == ["weighting", "scales", "nonresponse"]
    findings = _blocks(ordered[0], Finding)
    assert 5 <= len(findings) <= 7
    assert {f.section for f in findings} <= {s.id for s in ordered}


def test_favourable_findings_are_the_acceptance_table_with_their_intervals(demo_sections: list[Section]) -> None:
    sections = _by_id(demo_sections)
    table = next(b for b in sections["acceptance"].blocks if isinstance(b, Table)).frame
    shares = [f for f in _blocks(sections["findings"], Finding) if f.key.startswith("qa_finding_favourable")]
    assert [f.values["share"] for f in shares] == table["favourable"].tolist()
    for f in shares:  # the wording follows where the interval lies against one half
        low, high = f.values["low"], f.values["high"]
        assert low < f.values["share"] < high
        expected = "majority" if low > 0.5 else "minority" if high < 0.5 else "split"
        assert f.key == f"qa_finding_favourable_{expected}"


def test_favourable_share_equals_a_weighted_mean_of_the_raw_indicator(demo: attitudes.Attitudes) -> None:
    """Independent: sum(w * favourable) / sum(w) over respondents with a score, raked weights."""
    table = attitudes.acceptance_table(demo)
    data, weights = demo.design.data, demo.design.analysis_weights()
    for row in demo.rows(ATTITUDE, "favourable").itertuples():
        values = pd.to_numeric(data[row.indicator], errors="coerce").to_numpy(float)
        ok = ~np.isnan(values) & (weights > 0)
        expected = float((weights[ok] * values[ok]).sum() / weights[ok].sum())
        shown = table.loc[table["name"] == row.battery, "favourable"].iloc[0]
        assert shown == pytest.approx(expected, rel=1e-12)
        assert table.loc[table["name"] == row.battery, "respondents"].iloc[0] == int(ok.sum())


# ---- single questions and tests on apistrat -----------------------------------------------------------
def test_question_shares_are_weighted_proportions_of_the_raw_answers(api: attitudes.Attitudes) -> None:
    """Independent: share of "Yes" = sum(pw * yes) / sum(pw) over the 200 schools."""
    raw = Study.load(FIXTURE).read("apistrat")
    table = attitudes.answers_table(api)
    for question in ("sch.wide", "comp.imp", "both", "awards"):
        label = variable_label(api.dictionary, question, "en")
        row = table[(table["question"] == label) & (table["answer"] == "Yes")].iloc[0]
        yes = (raw[question].astype(str) == "Yes").to_numpy()
        assert row["share"] == pytest.approx(float((raw["pw"] * yes).sum() / raw["pw"].sum()), rel=1e-12)
        assert row["respondents"] == 200 and row["ci_low"] < row["share"] < row["ci_high"]


def test_one_holm_family_and_no_difference_only_where_none_is_found(api: attitudes.Attitudes) -> None:
    comparisons = attitudes.compare(api)
    tests = comparisons.question_tests
    assert len(tests) == 8  # 4 questions x 2 breakdowns (stype, yr.rnd)
    assert tests["p_holm"].tolist() == pytest.approx(_hand_holm(tests["p_value"].tolist()), rel=1e-12)
    assert (tests["difference"] == (tests["p_holm"] < attitudes.ALPHA_LEVEL)).all()
    section = attitudes.differences_section(api, comparisons, pd.DataFrame(), Disclosure(10))
    said = {(b.values["question"], b.values["breakdown"]) for b in _blocks(section, Text)
            if b.key == "qa_question_difference"}
    expected = {(api.label(q), api.label(v)) for q, v, d in zip(tests["question"], tests["variable"],
                                                                tests["difference"]) if d}
    assert said == expected
    for block in _blocks(section, Text):
        if block.key == "qa_question_no_difference":
            question = tests[tests["question"].map(api.label) == block.values["question"]]
            for breakdown in block.values["breakdowns"].split(", "):
                assert not question[question["variable"].map(api.label) == breakdown]["difference"].any()


def test_p_values_go_to_the_one_formatter(api: attitudes.Attitudes) -> None:
    section = attitudes.differences_section(api, attitudes.compare(api), pd.DataFrame(), Disclosure(10))
    tests = next(b for b in section.blocks if isinstance(b, Table) and b.name == "question-tests")
    assert tests.pvalues == ("p_value", "p_holm") and tests.count is None


# ---- models: exploratory, Holm-adjusted, never contradicted ------------------------------------------------
def test_models_are_holm_adjusted_and_only_adjusted_effects_are_described(demo: attitudes.Attitudes) -> None:
    fitted, skipped = attitudes.models(demo, Disclosure(10))
    assert not skipped and len(fitted)
    assert fitted["p_holm"].tolist() == pytest.approx(_hand_holm(fitted["p_value"].tolist()), rel=1e-12)
    section = attitudes.determinants_section(demo, fitted, skipped)
    described = [b for b in _blocks(section, Text) if b.key in ("qa_model_higher", "qa_model_lower")]
    assert len(described) == int(fitted["difference"].sum())
    assert all(b.values["p_holm"] < attitudes.ALPHA_LEVEL for b in described)
    assert section.title_key == "qa_determinants"  # its heading says "exploratory" (catalogue)


def test_no_difference_is_never_said_where_the_model_finds_one(demo: attitudes.Attitudes) -> None:
    fitted, _ = attitudes.models(demo, Disclosure(10))
    section = attitudes.differences_section(demo, attitudes.compare(demo), fitted, Disclosure(10))
    supported = {(demo.label(b), demo.label(v)) for b, v in fitted.loc[fitted["difference"], ["battery", "variable"]]
                 .itertuples(index=False)}
    for block in _blocks(section, Text):
        if block.key == "qa_difference_not_supported":
            for breakdown in block.values["breakdowns"].split(", "):
                assert (block.values["group"], breakdown) not in supported
    # the demo has such a case: contact shows in the model but not in the Holm-adjusted share test
    assert any(b.key == "qa_difference_model_only" for b in _blocks(section, Text))


# ---- disclosure and shared facts ---------------------------------------------------------------------
def test_a_high_threshold_hides_every_figure_from_sentences_and_findings(demo: attitudes.Attitudes) -> None:
    strict = Disclosure(100_000)  # more than the survey's 1 001 interviews
    sections = attitudes.sections(demo, strict)
    # figures about people (shares, scores, reliability); the weighting section states design
    # figures (weights, design effects) and the intros the test level, which are not about people
    numbers = [(b.key, k) for s in sections if s.id != "weighting" for b in s.blocks
               if isinstance(b, (Text, Finding)) and not b.key.endswith("_intro")
               for k in b.values if k in ("share", "index", "high", "low", "alpha", "n", "missing")]
    assert numbers == []
    for section in sections:
        for block in section.blocks:
            if isinstance(block, (Table, Chart)) and block.count is not None:
                assert block.count in block.frame.columns  # the renderer suppresses by this column


def test_respondents_by_region_is_the_study_fact(demo: attitudes.Attitudes, demo_study: Study) -> None:
    section = attitudes_methods.weighting_section(demo, Disclosure(10))
    table = next(b for b in section.blocks if isinstance(b, Table) and b.name == "respondents_by_region")
    fact = study_facts.respondents_by_region(demo_study)
    assert table.frame.values.tolist() == fact.values.tolist()
    assert int(table.frame["respondents"].sum()) == len(demo_study.read("survey")) == 1001


def test_a_regional_edition_counts_its_interviews_from_the_study_fact(demo_study: Study) -> None:
    osh = attitudes.analyse(demo_study, region="Osh", language="ru")
    fact = study_facts.respondents_by_region(demo_study).set_index("region")["respondents"]
    assert attitudes.region_respondents(osh) == respondents(osh.design) == fact["Osh oblast"]
    findings = attitudes.findings_section(osh, attitudes.compare(osh), pd.DataFrame(), Disclosure(10))
    domain = next(b for b in findings.blocks if isinstance(b, Text) and b.key == "qa_region_domain")
    assert domain.values == {"region": "Ошская область", "n": int(fact["Osh oblast"])}


def test_no_raw_identifier_is_shown(demo: attitudes.Attitudes, demo_sections: list[Section],
                                    demo_study: Study) -> None:
    names = set(demo.dictionary.variables) | set(demo.dictionary.batteries) | set(demo_study.datasets)

    def strings(value):
        if isinstance(value, Text):
            yield from (s for v in value.values.values() for s in strings(v))
        elif isinstance(value, (list, tuple)):
            yield from (s for v in value for s in strings(v))
        elif isinstance(value, str):
            yield value

    for section in demo_sections:
        for block in section.blocks:
            if isinstance(block, (Text, Finding)):
                assert not set(strings(list(block.values.values()))) & names, (section.id, block.key)
            elif isinstance(block, Table):
                for column in block.labels:
                    assert not set(strings(block.frame[column].tolist())) & names, (section.id, block.name)


# ---- rendering (one test, Russian) -------------------------------------------------------------------------
def test_rendered_in_russian_findings_first_with_localised_numbers(tmp_path: Path, demo_study: Study) -> None:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(demo_study.root, language="ru", output_dir=tmp_path, edition=attitudes.REPORT)
        report.begin(attitudes.title(report.study, "ru"), attitudes.intro(report.study, "ru"))
        analysis = attitudes.analyse(report.study, language="ru")
        report.show(*attitudes.sections(analysis, report.tables.disclosure))
    assert sum(isinstance(p, go.Figure) for p in shown) >= 5
    page = "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))
    ids = ["findings", "acceptance", "differences", "determinants", "weighting", "nonresponse"]
    assert [page.index(f'<h2 id="{i}">') for i in ids] == sorted(page.index(f'<h2 id="{i}">') for i in ids)
    assert "&lt;\u00a00,001" in page or "<\u00a00,001" in page  # p-values below 0.001, decimal comma
    assert "1\u202f001" in page  # thin-space thousands
    assert "None" not in page and ">nan<" not in page
    findings = json.loads((tmp_path / f"{attitudes.REPORT}.findings.json").read_text(encoding="utf-8"))
    assert 5 <= len(findings["findings"]) <= 7
    assert all(f["section"] in ids + ["social-distance"] for f in findings["findings"])


def test_a_battery_reading_from_the_dictionary_is_a_value_not_markdown() -> None:
    from workbench.reporting.messages import text

    message = text("qa_reading", "en", group="G", reading="**bold** [link](http://example.org) <b>x</b>")
    assert "\\*\\*bold\\*\\*" in message.markdown and "\\[link\\]" in message.markdown
    assert "\\<b\\>" in message.markdown
