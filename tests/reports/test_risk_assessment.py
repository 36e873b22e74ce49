"""Report 03's sections without papermill, on the seeded demo study and ProPublica's COMPAS counts.

Oracles: scikit-learn's ``roc_auc_score`` (an independent AUC), pandas counts and hand
calculations on the validation sample (levels, error rates), a hand-made intake table for the
secondary suppression of the level counts, ProPublica's published sample (6,172 defendants),
and properties that must hold (findings first, methods last, no hidden count recoverable from a
total, every finding links to a section, no raw identifier or None/nan in the rendered text).
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from workbench.disclosure import Disclosure
from workbench.reports import risk_assessment as ra
from workbench.risk import compas_records
from workbench.reports.sections import Chart, Finding, in_report_order
from workbench.study import Study


@pytest.fixture(scope="module")
def study(demo_study: Study) -> Study:
    return demo_study


@pytest.fixture(scope="module")
def data(study: Study) -> ra.RiskData:
    return ra.load(study)


@pytest.fixture(scope="module")
def sections(study: Study) -> list:
    return ra.sections(study, Disclosure(10))


def _block(section, name):
    return next(b for b in section.blocks if getattr(b, "name", None) == name or getattr(b, "key", None) == name)


def test_findings_first_methods_last_compas_in_the_annex(sections: list) -> None:
    ordered = in_report_order(sections)
    assert [s.id for s in ordered] == ["findings", "levels", "validation", "calibration", "errors", "fairness",
                                       "reliability", "data", "instrument", "compas"]
    assert [s.part for s in ordered][-3:] == ["methods"] * 3
    findings = ordered[0].blocks
    assert 5 <= len(findings) <= 7 and all(isinstance(f, Finding) for f in findings)
    assert {f.section for f in findings} <= {s.id for s in sections}
    compas = ordered[-1]
    assert compas.blocks[0].key == "risk_compas_banner"  # "real public data, United States" before anything else


def test_levels_and_auc_findings_match_independent_counts(sections: list, data: ra.RiskData) -> None:
    findings = {f.key: f.values for f in sections[0].blocks}
    levels = data.intake["risk_level"].dropna()
    assert findings["risk_finding_levels"]["n"] == len(levels)
    assert findings["risk_finding_levels"]["share"] == pytest.approx((levels == "high").mean())
    validation = data.validation
    auc = roc_auc_score(validation["reoffended_within"], validation["total"])
    assert findings["risk_finding_auc"]["auc"] == pytest.approx(auc, abs=1e-12)
    assert findings["risk_finding_auc"]["low"] < auc < findings["risk_finding_auc"]["high"]
    # false-positive rate at the first cut-off, by hand: non-reoffenders scored at or above it
    cutoff = data.instrument.cutoffs[data.levels[1]]
    calm = validation[validation["reoffended_within"] == 0]
    assert findings["risk_finding_errors"]["fpr"] == pytest.approx((calm["total"] >= cutoff).mean())
    assert findings["risk_finding_unscored"]["cannot"] == int((data.scored["status"] == "cannot_score").sum())


def test_level_counts_equal_pandas_counts_where_shown(sections: list, data: ra.RiskData) -> None:
    table = _block(sections[1], "levels-by-sex")
    assert table.count == "suppressed"
    frame = table.frame
    truth = pd.crosstab(data.intake["sex"], data.intake["risk_level"])
    female = frame.iloc[0]
    for level in data.levels:
        assert pd.isna(female[level]) or female[level] == truth.loc["female", level]
    assert frame.iloc[-1]["all_levels"] == len(data.intake["risk_level"].dropna())  # both sexes, every level


def test_a_hidden_count_cannot_be_recovered_from_a_total(data: ra.RiskData) -> None:
    # hand-made: region A has 3 medium (primary); its row and the medium column then hold one
    # hidden cell each, so a second cell must go in both (secondary), and never a lone one
    intake = pd.DataFrame({"region": ["A"] * 26 + ["B"] * 40,
                           "risk_level": ["low"] * 12 + ["medium"] * 3 + ["high"] * 11
                           + ["low"] * 15 + ["medium"] * 13 + ["high"] * 12})
    made = ra.RiskData(data.instrument, "en", data.clients, data.scored, intake, data.validation, data.second, 365)
    wide = ra.level_counts(made, Disclosure(10), "region", ["A", "B"]).set_index("region")
    assert pd.isna(wide.loc["A", "medium"])
    assert wide.loc[ra.TOTAL, "all_levels"] == 66 and wide.loc["A", "all_levels"] == 26
    cells = wide[[*data.levels, "all_levels"]]
    for _, row in cells.iterrows():  # each row: cells = total
        assert row.isna().sum() != 1
    for column in cells:  # each column: regions = total
        assert cells[column].isna().sum() != 1
    assert cells.isna().sum().sum() == 4  # the smallest rectangle: A/B x medium/high
    assert wide.loc["A", "low"] == 12 and wide.loc["B", "low"] == 15


def test_compas_annex_uses_the_packaged_counts(sections: list) -> None:
    compas = sections[-1]
    assert _block(compas, "risk_compas_intro").values["n"] == 6172  # ProPublica's filtered sample
    validity = _block(compas, "compas-validity").frame
    records = compas_records()
    assert validity.iloc[0]["auc"] == pytest.approx(roc_auc_score(records["reoffended"], records["decile_score"]))
    assert validity.iloc[0]["defendants"] == 6172
    chart = next(b for b in compas.blocks if isinstance(b, Chart))
    assert isinstance(chart, Chart) and chart.count == "defendants"


def test_too_few_clients_leave_the_checks_out_with_a_reason(study: Study) -> None:
    strict = ra.sections(study, Disclosure(100_000))
    by_id = {s.id: s for s in strict}
    assert [b.key for b in by_id["calibration"].blocks] == ["risk_too_few"]
    assert [b.key for b in by_id["fairness"].blocks] == ["risk_dp_too_few"]
    assert by_id["reliability"].blocks[0].key == "risk_irr_too_few"
    assert [f.key for f in by_id["findings"].blocks] == ["risk_finding_levels", "risk_finding_unscored"]
    levels = _block(by_id["levels"], "levels-by-region").frame
    assert levels[[*ra.load(study).levels, "all_levels"]].isna().all().all()  # every count is small


def test_rendered_in_russian_without_identifiers(study: Study, tmp_path: Path) -> None:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(study.root, language="ru", output_dir=tmp_path, edition="03_risk_assessment")
        report.begin(ra.title(report.study, "ru"), ra.intro(report.study, "ru"))
        report.show(*ra.sections(report.study, report.tables.disclosure, language="ru"))
    assert sum(isinstance(p, go.Figure) for p in shown) == 4  # levels by sex and by region, calibration, COMPAS calibration
    page = "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))
    assert page.index('id="findings"') < page.index('id="levels"') < page.index('id="compas"')
    assert "Техническое приложение — реальные открытые данные, США." in page
    assert "0,65" in page  # AUC with a decimal comma
    for raw in ("None", "nan", "reoffended_within", "risk_assessments", "probation_clients", "_total", "cannot_score"):
        assert raw not in page, raw
    findings = json.loads((tmp_path / "03_risk_assessment.findings.json").read_text(encoding="utf-8"))
    assert findings["title"] == "Оценка рисков: инструмент, уровни риска и точность прогноза"
    assert [f["section"] for f in findings["findings"]][:3] == ["levels", "data", "validation"]
    assert np.isfinite(findings["findings"][2]["values"]["auc"])


def test_calibration_chart_points_equal_a_hand_computation(study: Study, sections: list, data: ra.RiskData) -> None:
    """Oracle: observed rate = pandas mean of the outcome per sex and level; expected rate =
    mean probability of scikit-learn's unpenalised logistic regression of the outcome on the
    score (the risk the score implies), per sex and level."""
    from sklearn.linear_model import LogisticRegression

    chart = next(b for b in sections[3].blocks if isinstance(b, Chart) and b.name == "calibration")
    assert (chart.kind, chart.x, chart.y, chart.label) == ("calibration", "expected_rate", "observed_rate", "risk_level")
    assert chart.count == "clients" and chart.meaning == "sex"  # one point per sex and level, never per client
    v = data.validation.dropna(subset=["total", "reoffended_within"])
    model = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000).fit(v[["total"]].to_numpy(float), v["reoffended_within"].to_numpy(int))
    v = v.assign(p=model.predict_proba(v[["total"]].to_numpy(float))[:, 1])
    by_hand = v.groupby(["sex", "risk_level"]).agg(observed=("reoffended_within", "mean"), expected=("p", "mean"),
                                              clients=("p", "size")).reset_index()
    by_hand["sex"] = by_hand["sex"].map(ra._labels(study, "sex", "en"))
    by_hand["risk_level"] = by_hand["risk_level"].map(data.level_name)
    frame = chart.frame.merge(by_hand, on=["sex", "risk_level"], validate="one_to_one")
    assert len(frame) == len(chart.frame) == len(by_hand) and (frame["clients_x"] == frame["clients_y"]).all()
    assert np.allclose(frame["observed_rate"], frame["observed"], atol=1e-12)
    assert np.allclose(frame["expected_rate"], frame["expected"], atol=1e-6)


def test_levels_by_region_chart_shares_equal_pandas_shares(study: Study, sections: list, data: ra.RiskData) -> None:
    """Oracle: pandas crosstab of intake levels by region, normalised per region; a property:
    the chart draws exactly the cells the table shows (a hidden count is not drawn)."""
    chart = next(b for b in sections[1].blocks if isinstance(b, Chart) and b.name == "levels-by-region")
    table = next(b for b in sections[1].blocks if not isinstance(b, Chart) and getattr(b, "name", "") == "levels-by-region")
    truth = pd.crosstab(data.intake["region"], data.intake["risk_level"], normalize="index")
    code = {label: c for c, label in ra._labels(study, "region", "en").items()}
    assert len(chart.frame) == int(table.frame[data.levels].notna().sum().sum()) > 0
    for row in chart.frame.itertuples():
        level = next(n for n in data.levels if data.level_name(n) == row.risk_level)
        if isinstance(row.region, str):
            assert row.share == pytest.approx(truth.loc[code[row.region], level], abs=1e-12)
        else:  # every region in scope
            assert row.region.key == "risk_all_regions_in_scope"
            assert row.share == pytest.approx((data.intake["risk_level"].dropna() == level).mean(), abs=1e-12)


def test_compas_calibration_points_equal_a_hand_computation(sections: list) -> None:
    """Oracle: ProPublica's records; observed = pandas mean of two-year reoffending per race and
    decile, expected = mean probability of scikit-learn's logistic regression of reoffending on
    the decile score over every defendant."""
    from sklearn.linear_model import LogisticRegression

    chart = next(b for b in sections[-1].blocks if isinstance(b, Chart) and b.name == "compas-calibration")
    assert (chart.kind, chart.x, chart.label, chart.count) == ("calibration", "expected_rate", "decile", "defendants")
    records = compas_records().dropna(subset=["decile_score", "reoffended"])
    score = records[["decile_score"]].to_numpy(float)
    model = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000)
    records = records.assign(p=model.fit(score, records["reoffended"].to_numpy(int)).predict_proba(score)[:, 1])
    by_hand = records.groupby(["race", "decile_score"]).agg(observed=("reoffended", "mean"), expected=("p", "mean"),
                                                            defendants=("p", "size"))
    assert len(chart.frame) == 20  # two groups, ten deciles
    for row in chart.frame.itertuples():
        race = next(r for r in ra.COMPAS_GROUPS if ra._compas_group("race", r) == row.group)
        truth = by_hand.loc[(race, row.decile)]
        assert row.defendants == truth["defendants"]
        assert row.observed_rate == pytest.approx(truth["observed"], abs=1e-12)
        assert row.expected_rate == pytest.approx(truth["expected"], abs=1e-6)
