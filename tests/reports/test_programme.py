"""Report 07's sections without papermill, and the cluster-aware interval of supervision checks.

Oracles, per test:
- the clustered interval: statsmodels GEE (independence working correlation, office groups),
  whose robust standard error times sqrt(G / (G - 1)) is the with-replacement linearisation
  standard error of a ratio with G clusters, on hand-made checks and on the demo study;
- the figures of the sections: independent pandas counts on the raw demo files (officers who
  gained at least one point, met / applicable checks, officer posts in offices.csv), and
  ``workbench.study_facts`` for facts other reports show too;
- properties that must hold: findings first and each linked to a section, methods last, the
  published figure compared with the interval, suppression by the ``Disclosure``, no raw
  dataset or variable name, no None / nan in the rendered page.
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.programme import supervision as sv
from workbench.reports import programme
from workbench.reports.sections import Chart, Finding, Table, Text, in_report_order
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return Study.load(write_demo_study(tmp_path_factory.mktemp("demo") / "study"))


@pytest.fixture(scope="module")
def sections(study: Study) -> list:
    return programme.sections(study, disclosure=Disclosure(10))


def _gee_interval(checks: pd.DataFrame, level: float = 0.95) -> tuple[float, float]:
    """Independent oracle: intercept-only GEE on 0/1 checks with office groups."""
    fit = sm.GEE(checks["met"].astype(float), np.ones((len(checks), 1)), groups=checks["office_id"],
                 family=sm.families.Gaussian(), cov_struct=sm.cov_struct.Independence()).fit()
    clusters = checks["office_id"].nunique()
    se = float(fit.bse.iloc[0]) * np.sqrt(clusters / (clusters - 1))
    q = stats.t.ppf(0.5 + level / 2, clusters - 1)
    return float(fit.params.iloc[0]) - q * se, float(fit.params.iloc[0]) + q * se


# ---- the clustered interval ------------------------------------------------------------------------

def test_clustered_interval_equals_gee_on_hand_made_checks() -> None:
    # 4 offices, 2 reviews each, 2 standards; "8" = not applicable, blank = not assessed
    reviews = pd.DataFrame({"review_id": [f"R{i}" for i in range(8)],
                            "office_id": ["A", "A", "B", "B", "C", "C", "D", "D"],
                            "s1": [1, 1, 1, 0, 0, 0, 1, 1], "s2": [1, 8, 1, 1, 0, 1, None, 0]})
    out = sv.clustered_intervals(reviews, ["s1", "s2"]).set_index("standard")
    long = reviews.melt(id_vars=["office_id"], value_vars=["s1", "s2"], value_name="met")
    long = long[long["met"].isin([0, 1])]
    low, high = _gee_interval(long)
    assert out.loc["ALL", "ci_low"] == pytest.approx(max(0.0, low), abs=1e-12)
    assert out.loc["ALL", "ci_high"] == pytest.approx(min(1.0, high), abs=1e-12)  # bounded to 0..1
    assert out.loc["ALL", "n_clusters"] == 4
    # s1 alone: offices A 2/2, B 1/2, C 0/2, D 2/2 -> 5/8; by hand: z_c = (y_c - 5/8 x_c) / 8
    z = np.array([2 - 1.25, 1 - 1.25, 0 - 1.25, 2 - 1.25]) / 8
    se = np.sqrt(4 / 3 * np.sum(z ** 2))
    q = stats.t.ppf(0.975, 3)
    assert out.loc["s1", "ci_low"] == pytest.approx(max(0.0, 5 / 8 - q * se), abs=1e-12)
    assert out.loc["s1", "ci_high"] == pytest.approx(min(1.0, 5 / 8 + q * se), abs=1e-12)


def test_clustered_compliance_on_the_demo_equals_gee_and_is_wider_than_binomial(study: Study) -> None:
    data = programme.supervision_data(study)
    clustered = sv.compliance(data.internal, data.standards, cluster="office_id").set_index("standard")
    exact = sv.compliance(data.internal, data.standards).set_index("standard")
    long = data.internal.melt(id_vars=["office_id"], value_vars=data.standards, value_name="met")
    long = long[long["met"].isin([0, 1])]
    low, high = _gee_interval(long)
    assert clustered.loc["ALL", "ci_low"] == pytest.approx(low, abs=1e-10)
    assert clustered.loc["ALL", "ci_high"] == pytest.approx(high, abs=1e-10)
    assert clustered.loc["ALL", "share_met"] == pytest.approx(long["met"].mean())
    # offices differ in the demo, so the clustered interval must be wider than the binomial one
    assert high - low > exact.loc["ALL", "ci_high"] - exact.loc["ALL", "ci_low"]
    assert clustered["ci_method"].str.contains("clustered by office_id").all()


# ---- the sections -----------------------------------------------------------------------------------

def test_findings_first_methods_last_and_each_finding_links_to_a_section(sections: list) -> None:
    ordered = in_report_order(sections)
    assert ordered[0].id == "findings" and ordered[-1].id == "methods"
    assert ordered[-1].part == "methods"
    findings = ordered[0].blocks
    assert all(isinstance(f, Finding) for f in findings) and 5 <= len(findings) <= 7
    assert {f.section for f in findings} <= {s.id for s in sections}


def test_share_improved_is_recounted_from_the_raw_tests(study: Study, sections: list) -> None:
    tests = study.read("training_tests")
    people = study.read("training_participants")
    officers = people.loc[people["role"] == "officer", "participant_id"]
    items = study.dictionary("training_tests").battery_items("classification_knowledge")
    mine = tests[(tests["course"] == "officers") & tests["participant_id"].isin(officers)]
    score = mine.assign(points=mine[items].sum(axis=1)).pivot(index="participant_id", columns="phase", values="points")
    paired = score.dropna(subset=["pre", "post"])
    improved = int((paired["post"] - paired["pre"] >= programme.MIN_GAIN).sum())
    finding = sections[0].blocks[0]
    assert finding.values["n_improved"] == improved and finding.values["n_paired"] == len(paired)
    low, high = stats.binomtest(improved, len(paired)).proportion_ci(0.95, method="exact")
    assert (finding.values["low"], finding.values["high"]) == pytest.approx((low, high))
    published = programme.published_figures(study)["share_improved"]
    assert published == 0.95  # the demo study declares the published figure in study.yaml
    inside = low <= published <= high
    assert finding.key == ("pm_finding_improved_published" if inside else "pm_finding_improved_unlike_published")
    assert finding.values["published"] == 0.95


def test_published_figure_inside_the_interval_is_reported_as_consistent(study: Study) -> None:
    data = programme.training_data(study)
    share = programme.pg.share_improved(data.scores).iloc[0]["share_improved"]
    with mock.patch.object(programme, "published_figures", lambda _: {"share_improved": share}):
        section = programme.training_section(data, study, Disclosure(10), "en")
        findings = programme.findings_section(data, programme.supervision_data(study), study, None, Disclosure(10))
    assert "pm_published_inside" in [b.key for b in section.blocks if isinstance(b, Text)]
    assert findings.blocks[0].key == "pm_finding_improved_published"


def test_coverage_and_register_facts_come_from_study_facts(study: Study, sections: list) -> None:
    values = {f.key: f.values for f in sections[0].blocks}
    offices = pd.read_csv(study.root / "data" / "offices.csv", comment="#")
    assert values["pm_finding_coverage"] == {
        "officers_trained": int(study_facts.officers_trained(study)["officers"].sum()),
        "probation_staff": int(offices["n_officers"].sum()), "probation_offices": len(offices)}
    assert values["pm_finding_coverage"]["officers_trained"] == 88  # the programme's 88 officers, not its staff
    serving = study_facts.ve_register_serving_probation(study, programme.LAST_YEAR)["people"].sum()
    assert values["pm_finding_register"]["ve_register_serving_probation"] == serving


def test_compliance_finding_is_met_over_applicable_with_the_clustered_interval(study: Study, sections: list) -> None:
    data = programme.supervision_data(study)
    codes = data.internal[data.standards]
    met, applicable = int((codes == 1).sum().sum()), int(codes.isin([0, 1]).sum().sum())
    finding = next(f for f in sections[0].blocks if f.key == "pm_finding_compliance")
    assert finding.values["share"] == pytest.approx(met / applicable)
    long = data.internal.melt(id_vars=["office_id"], value_vars=data.standards, value_name="met")
    assert (finding.values["low"], finding.values["high"]) == pytest.approx(_gee_interval(long[long["met"].isin([0, 1])]))


def test_a_strict_disclosure_hides_small_figures(study: Study) -> None:
    strict = Disclosure(10_000)
    sections = programme.sections(study, disclosure=strict)
    keys = [f.key for f in sections[0].blocks]
    assert not any(k.startswith("pm_finding_improved") for k in keys)
    assert "pm_finding_compliance" not in keys and "pm_finding_register" not in keys
    register = next(s for s in sections if s.id == "register")
    by_year = next(b for b in register.blocks if isinstance(b, Table))
    counts = by_year.frame.drop(columns="register_year")
    assert by_year.count == "suppressed" and ((counts == 0) | counts.isna()).all().all()  # zeros disclose nobody
    assert "pm_facts_latest_hidden" in [b.key for b in register.blocks if isinstance(b, Text)]


def test_tables_name_their_count_and_charts_have_data(sections: list) -> None:
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Table) and block.count not in (None, "suppressed"):
                assert block.count in block.frame.columns, block.name
            if isinstance(block, Chart):
                assert block.frame[block.y].notna().any(), block.name


def _page(study_root: Path, language: str, tmp_path: Path) -> str:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(study_root, language=language, output_dir=tmp_path, edition=programme.REPORT)
        report.begin(programme.title(report.study, language), programme.intro(report.study, language))
        report.show(*programme.sections(report.study, language=language, disclosure=report.tables.disclosure))
    return "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_rendered_page_has_findings_first_and_no_identifier(study: Study, language: str, tmp_path: Path) -> None:
    page = _page(study.root, language, tmp_path)
    assert page.index('id="findings"') < page.index('id="training"') < page.index('id="methods"')
    for identifier in ["training_participants", "training_tests", "supervision_reviews", "ve_register", "std_",
                       "q01", "office_id", "None", "0.0000"]:
        assert identifier not in page, identifier
    assert not re.search(r"\bnan\b", page, flags=re.IGNORECASE)
    if language == "ru":
        assert "Мониторинг программы" in page and "95-процентный" in page
        # demo: most trainers trained fewer than 10 officers, so the per-trainer tables are notes (issue 14.4)
        assert "Тренер 1" not in page and "Вместо неё приведён общий результат тренеров выше." in page
        assert "< 0.001" not in page or "< 0,001" in page or "<\u00a00,001" in page


def test_a_region_edition_does_not_compare_with_the_national_published_figure(study: Study) -> None:
    data = programme.training_data(study, "Osh oblast")
    section = programme.training_section(data, study, Disclosure(10), "en", region="Osh oblast")
    keys = [b.key for b in section.blocks if isinstance(b, Text)]
    assert "pm_published_inside" not in keys and "pm_published_outside" not in keys and "pm_coverage" not in keys
    findings = programme.findings_section(data, programme.supervision_data(study, "Osh oblast"), study, "Osh oblast",
                                          Disclosure(10))
    assert all(not f.key.endswith("published") for f in findings.blocks)
    assert "pm_finding_coverage" not in [f.key for f in findings.blocks]  # national facts stay national
    officers = study.read("training_participants").query("role == 'officer'")
    osh = officers["region"] == 6  # code 6 = "Osh" in the demo dictionary, "Osh oblast" in workbench.regions
    assert 0 < len(data.officers) == int(osh.sum())


def _chart(sections: list, name: str) -> Chart:
    return next(b for s in sections for b in s.blocks if isinstance(b, Chart) and b.name == name)


def test_each_standard_per_quarter_is_met_over_applicable(study: Study, sections: list) -> None:
    """Oracle: pandas counts on the raw internal reviews, per calendar quarter and standard
    (codes 1 = met, 0 = not met; anything else not applicable)."""
    data = programme.supervision_data(study)
    chart = _chart(sections, "over-time-by-standard")
    assert chart.kind == "lines" and chart.count == "n_applicable" and chart.meaning == "group"
    names = programme._standard_names(study, data.standards, "en")
    quarter = pd.to_datetime(data.internal["review_date"]).dt.to_period("Q").astype(str)
    long = data.internal.assign(quarter=quarter).melt(id_vars=["quarter"], value_vars=data.standards,
                                                      var_name="standard", value_name="code")
    long = long[long["code"].isin([0, 1])]
    truth = long.groupby(["quarter", "standard"])["code"].agg(["sum", "size"]).reset_index()
    truth["checklist_standard"] = truth["standard"].map(names)
    got = chart.frame.assign(quarter=chart.frame["quarter"].astype(str))
    merged = got.merge(truth, on=["quarter", "checklist_standard"], validate="one_to_one")
    assert len(merged) == len(got) == len(truth)
    assert (merged["n_applicable"] == merged["size"]).all()
    assert np.allclose(merged["share_met"], merged["sum"] / merged["size"])


def test_threshold_and_improvement_lines_are_drawn_where_the_report_sets_them(sections: list) -> None:
    """Property: the compliance charts carry the threshold (80%), the score-change chart the
    line between 'not improved' and 'improved by MIN_GAIN'; the drawn figure has the line at
    that place (percent scale on shares) with its label in the report language."""
    from workbench.reporting.sections import _chart as render_chart

    report = mock.Mock(language="ru", t=lambda key, **values: key)
    report.tables.disclosure = Disclosure(10)
    for name in ("by-standard", "over-time", "over-time-by-standard", "offices"):
        chart = _chart(sections, name)
        assert [(r.value, r.on) for r in chart.references] == [(programme.THRESHOLD, "y")], name
        figure = render_chart(chart, report)
        (shape,) = figure.layout.shapes
        along = ("x0", "x1") if chart.kind == "forest" else ("y0", "y1")  # forest: the share is horizontal
        assert [shape[a] for a in along] == [100 * programme.THRESHOLD] * 2, name
        assert figure.layout.annotations[0].text == "порог 80\u00a0%"
    change = _chart(sections, "score-change")
    (line,) = change.references
    assert (line.value, line.on) == (programme.MIN_GAIN - 0.5, "x")
    figure = render_chart(change, report)
    assert figure.layout.shapes[0].x0 == programme.MIN_GAIN - 0.5


def test_item_tests_are_holm_adjusted_as_one_family(sections: list) -> None:
    # Oracle: Holm (1979) by hand on the table's own McNemar p-values (sort, multiply the k-th
    # smallest by m - k + 1, running maximum, cap at 1); the finding counts the items that
    # improved with an adjusted p-value below 0.05
    table = next(b for s in sections for b in s.blocks if isinstance(b, Table) and b.name == "item-mcnemar").frame
    p = table["mcnemar_p"].to_numpy(float)
    order = np.argsort(p, kind="stable")
    expected = np.empty(len(p))
    expected[order] = np.minimum(np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]), 1.0)
    np.testing.assert_allclose(table["mcnemar_p_holm"].to_numpy(float), expected)
    improved = int(((table["post_correct"] > table["pre_correct"]) & (table["mcnemar_p_holm"] < 0.05)).sum())
    result = next(b for s in sections for b in s.blocks if isinstance(b, Text) and b.key == "pm_mcnemar_result")
    assert result.values["k"] == improved and result.values["m"] == len(p)


def _hidden_cells(table: Table, disclosure: Disclosure) -> np.ndarray:
    """The value cells (not label columns) a reader would see as the marker, the small-cell rule
    written out: a blank cell, or any cell of a row whose count of people is below min_cell."""
    values = table.frame[[c for c in table.frame.columns if c not in table.labels]]
    hidden = values.isna().to_numpy()
    if table.count not in (None, "suppressed"):
        few = ~(pd.to_numeric(table.frame[table.count], errors="coerce") >= disclosure.min_cell).to_numpy()
        hidden |= few[:, None]
    return hidden


def test_no_table_is_mostly_markers_and_a_note_stands_for_it(study: Study, sections: list) -> None:
    # Property (issue 14.4), oracle the rule above; and independent pandas counts on the raw demo
    # file: 14 of the 15 national trainers trained fewer than 10 officers (T06: 11), so both
    # per-trainer tables must be notes, each naming the table it replaces
    shown = [b for s in sections for b in s.blocks if isinstance(b, Table) and not b.annex_only]
    assert shown
    for table in shown:
        assert _hidden_cells(table, Disclosure(10)).mean() <= 0.5, table.name
    notes = {b.values["table"].key: b for s in sections for b in s.blocks
             if isinstance(b, Text) and b.key == "pm_table_aggregated"}
    officers = study.read("training_participants").query("role == 'officer'")
    assert (officers.groupby("trainer_id").size() < 10).mean() > 0.5
    assert {"pm_results_by_trainer_id", "pm_tot_table"} <= set(notes)
    assert all(n.values["min_cell"] == 10 and n.values["instead"].key.startswith("pm_instead_") for n in notes.values())
    assert not {b.name for b in shown} & {"trainers", "results-by-trainer"}
    # with a threshold of 1 nothing is hidden, so every table is shown and no note is written
    every = programme.sections(study, disclosure=Disclosure(1))
    names = {b.name for s in every for b in s.blocks if isinstance(b, Table)}
    assert {"trainers", "results-by-trainer", "register-charged-by-sex", "register-charged-by-region"} <= names
    assert not [b for s in every for b in s.blocks if isinstance(b, Text) and b.key == "pm_table_aggregated"]
