"""Report 04's sections without papermill, on the seeded demo study.

Oracles: a product-limit (Kaplan-Meier) estimate written out in numpy, pandas counts of the
client table for the caseload on the cut-off day, ``workbench.study_facts`` for officers and
clients (one source per fact), hand-calculated hours per client from the published contact
standards (low 1.0 h, medium 260/60 h, high 9.0 h a month), and properties that must hold (the
sensitivity range scales every time, findings first, no hidden count recoverable from a total,
one forest row per term, no raw identifier or None/nan in the rendered text).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from workbench import study_facts as sf
from workbench.disclosure import Disclosure
from workbench.reports import recidivism as rc
from workbench.reports.sections import Chart, Finding, Table, in_report_order
from workbench.study import Study


@pytest.fixture(scope="module")
def study(demo_study: Study) -> Study:
    return demo_study


@pytest.fixture(scope="module")
def data(study: Study) -> rc.RecidivismData:
    return rc.load(study)


@pytest.fixture(scope="module")
def sections(study: Study) -> dict:
    return {s.id: s for s in rc.sections(study, Disclosure(10))}


def _block(section, name, kind=None):
    return next(b for b in section.blocks if (getattr(b, "name", None) == name or getattr(b, "key", None) == name)
                and (kind is None or isinstance(b, kind)))


def test_findings_first_data_last_each_linked(sections: dict) -> None:
    ordered = in_report_order(list(sections.values()))
    assert [s.id for s in ordered] == ["findings", "survival", "cox", "incidence", "flows", "workload", "data"]
    findings = ordered[0].blocks
    assert 5 <= len(findings) <= 7 and all(isinstance(f, Finding) for f in findings)
    assert {f.section for f in findings} <= set(sections)


def test_one_year_reoffending_matches_a_hand_written_product_limit(sections: dict, data: rc.RecidivismData) -> None:
    high = data.data[data.data["risk_level"] == data.levels[-1]]
    times, events = high["duration_days"].to_numpy(float), high["reoffended"].to_numpy(int)
    survival = 1.0
    for t in np.unique(times[events == 1]):
        if t > 12 * rc.DAYS_PER_MONTH:
            break
        survival *= 1 - events[times == t].sum() / (times >= t).sum()
    year = _block(sections["findings"], "risk_rec_finding_year").values
    assert year["share"] == pytest.approx(1 - survival, abs=1e-12)
    assert year["low"] < year["share"] < year["high"]


def test_officers_and_clients_come_from_study_facts(study: Study, sections: dict) -> None:
    staff = _block(sections["findings"], "risk_rec_finding_staff").values
    assert staff["officers_trained"] == sf.officers_trained(study)["officers"].sum() == 88  # trained, not staff
    assert staff["probation_staff"] == sf.probation_staff(study)["officers"].sum()
    assert staff["probation_staff"] != staff["officers_trained"]
    table = _block(sections["workload"], "workload", Table).frame
    # clients in follow-up on the cut-off, counted directly from the client table
    clients = study.read("probation_clients")
    day = pd.to_datetime(clients["followup_end"]).max()
    active = clients[(pd.to_datetime(clients["followup_start"]) <= day) & (pd.to_datetime(clients["followup_end"]) >= day)]
    assert table["clients_in_followup"].sum() == len(active)
    assert table["probation_staff"].sum() == staff["probation_staff"]
    sentence = _block(sections["workload"], "risk_rec_workload_plain").values
    assert sentence["clients_in_followup"] == len(active) and sentence["probation_staff"] == staff["probation_staff"]


def test_hours_needed_by_hand_and_the_sensitivity_range(study: Study, sections: dict, data: rc.RecidivismData) -> None:
    current, _ = rc.caseload(study, data)
    counts = current["risk_level"].value_counts()
    hours = {"low": (1 * 30 + 0 + 30) / 60, "medium": (2 * 40 + 1 * 120 + 60) / 60, "high": (4 * 45 + 2 * 120 + 120) / 60}
    needed = sum(counts.get(level, 0) * h for level, h in hours.items())
    total = _block(sections["workload"], "workload", Table).frame.sum(numeric_only=True)
    assert total["hours_needed_risk_based"] == pytest.approx(needed)
    assert total["hours_needed_former"] == pytest.approx(len(current) * (2 * 40 + 60) / 60)
    use = needed / total["hours_available"]
    finding = _block(sections["findings"], "risk_rec_finding_workload").values
    assert finding["use"] == pytest.approx(use)
    # every time x (1 -/+ range): hours, and so utilisation, scale by the same factor
    assert finding["low"] == pytest.approx(use * (1 - rc.STANDARDS_RANGE))
    assert finding["high"] == pytest.approx(use * (1 + rc.STANDARDS_RANGE))
    explain = _block(sections["workload"], "risk_rec_standards_explain")
    assert explain.values["officers_trained"] == 88  # stated beside the staff, never used as staff


def test_transitions_hide_nothing_recoverable_and_add_up(sections: dict, data: rc.RecidivismData) -> None:
    table = _block(sections["flows"], "transitions", Table)
    assert table.count == "suppressed"
    cells = table.frame[[*data.levels, "all_levels"]]
    for _, row in cells.iterrows():
        assert row.isna().sum() != 1
    for column in cells:
        assert cells[column].isna().sum() != 1
    moves = data.history[data.history["sequence"] > 0]
    assert cells.iloc[-1]["all_levels"] == len(moves)


def test_transitions_with_a_small_cell_get_secondary_suppression(data: rc.RecidivismData) -> None:
    strict = rc.transitions(data, Disclosure(100))  # High -> Low has 73 reassessments in the demo
    cells = strict[[*data.levels, "all_levels"]]
    assert cells.isna().any().any()
    for _, row in cells.iterrows():
        assert row.isna().sum() != 1


def test_forest_plot_one_row_per_term(sections: dict) -> None:
    chart = _block(sections["cox"], "cox", Chart)
    assert chart.kind == "forest" and chart.low == "hr_ci_low" and chart.high == "hr_ci_high"
    assert [(r.value, r.on) for r in chart.references] == [(1.0, "y")]  # the line of no effect
    assert chart.frame["term"].map(lambda t: t.key).is_unique
    assert np.allclose(chart.frame["hazard_ratio"], np.exp(chart.frame["coef"]))


def test_too_few_leaves_the_analyses_out(study: Study) -> None:
    strict = {s.id: s for s in rc.sections(study, Disclosure(100_000))}
    assert [b.key for b in strict["survival"].blocks] == ["risk_rec_too_few"]
    assert [b.key for b in strict["cox"].blocks] == ["risk_rec_too_few_events"]
    assert [f.key for f in strict["findings"].blocks] == ["risk_rec_finding_workload", "risk_rec_finding_staff"]


def test_rendered_in_russian_without_identifiers(study: Study, tmp_path: Path) -> None:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(study.root, language="ru", output_dir=tmp_path, edition="04_recidivism_and_supervision")
        report.begin(rc.title(report.study, "ru"), rc.intro(report.study, "ru"))
        report.show(*rc.sections(report.study, report.tables.disclosure, language="ru"))
    assert sum(isinstance(p, go.Figure) for p in shown) == 5  # survival, forest, incidence, flows, workload
    page = "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))
    assert page.index('id="findings"') < page.index('id="survival"') < page.index('id="data"')
    assert "Нормативы контактов ниже — допущения рабочей среды" in page
    assert "Баткенская область" in page  # regions by the one spelling of study_facts, in Russian
    for raw in ("None", "nan", "probation_clients", "_total", "risk_based", "followup_end"):
        assert raw not in page, raw
    findings = json.loads((tmp_path / "04_recidivism_and_supervision.findings.json").read_text(encoding="utf-8"))
    assert [f["section"] for f in findings["findings"]] == ["survival", "cox", "flows", "workload", "workload"]


def _product_limit(times: np.ndarray, events: np.ndarray) -> dict[float, float]:
    """Kaplan-Meier written out: survival just after each event time."""
    survival, out = 1.0, {}
    for t in np.unique(times[events == 1]):
        survival *= 1 - events[times == t].sum() / (times >= t).sum()
        out[t] = survival
    return out


def test_survival_chart_is_the_step_curve_of_a_hand_written_product_limit(sections: dict,
                                                                         data: rc.RecidivismData) -> None:
    """Oracle: the product-limit estimate in numpy at every reoffence day, per level."""
    chart = _block(sections["survival"], "survival", Chart)
    assert chart.kind == "steps" and (chart.low, chart.high, chart.count) == ("ci_low", "ci_high", "at_risk")
    for level in data.levels:
        part = data.data[data.data["risk_level"] == level]
        expected = _product_limit(part["duration_days"].to_numpy(float), part["reoffended"].to_numpy(int))
        curve = chart.frame[chart.frame["risk_level"] == data.level_name(level)]
        days = (curve["months"] * rc.DAYS_PER_MONTH).round(6)
        assert curve["survival"].iloc[0] == 1.0 and curve["months"].iloc[0] == 0.0
        assert dict(zip(days.iloc[1:], curve["survival"].iloc[1:])) == pytest.approx(
            {round(t, 6): v for t, v in expected.items()}, abs=1e-12)
        assert (curve["ci_low"] <= curve["survival"] + 1e-12).all() and (curve["survival"] <= curve["ci_high"] + 1e-12).all()
        assert curve["at_risk"].is_monotonic_decreasing  # aggregated steps: one row per event time, not per client
        assert len(curve) == len(expected) + 1 < len(part)


def test_incidence_chart_is_a_hand_written_aalen_johansen(sections: dict, data: rc.RecidivismData) -> None:
    """Oracle: cumulative incidence by hand, CIF(t) = sum over reoffence times s <= t of
    S(s-) d(s) / n(s), with S the Kaplan-Meier of any event (revocation and death compete)."""
    chart = _block(sections["incidence"], "incidence", Chart)
    assert chart.kind == "steps" and chart.y == "cumulative_incidence"
    level = data.levels[-1]
    part = data.data[data.data["risk_level"] == level]
    times, outcome = part["duration_days"].to_numpy(float), part["outcome"].to_numpy(object)
    survival, cif, expected = 1.0, 0.0, {}
    for t in np.unique(times):
        at_risk = (times >= t).sum()
        reoffences = ((times == t) & (outcome == "reoffence")).sum()
        cif += survival * reoffences / at_risk
        survival *= 1 - ((times == t) & (outcome != "none")).sum() / at_risk
        if reoffences:
            expected[round(t, 6)] = cif
    curve = chart.frame[chart.frame["risk_level"] == data.level_name(level)]
    days = (curve["months"] * rc.DAYS_PER_MONTH).round(6)
    assert dict(zip(days.iloc[1:], curve["cumulative_incidence"].iloc[1:])) == pytest.approx(expected, abs=1e-12)


def test_flows_chart_counts_moves_between_assessments(sections: dict, data: rc.RecidivismData) -> None:
    """Oracle: pandas counts of each client's level at one assessment and the next."""
    chart = _block(sections["flows"], "flows", Chart)
    assert chart.kind == "sankey" and chart.count == "reassessments" and chart.meaning == "risk"
    assert chart.frame.equals(rc.shown_flows(data, Disclosure(10)))
    history = data.history[data.history["sequence"] <= rc.FLOW_STEPS]
    wide = history.pivot(index="client_id", columns="sequence", values="risk_level")
    every = rc.flows(data)
    for step in range(rc.FLOW_STEPS):
        pairs = wide[[step, step + 1]].dropna().value_counts()
        rows = every[[t.values["step"].key == ("risk_rec_step_intake" if step == 0 else
                                               "risk_rec_step_reassessment") and
                      t.values["step"].values.get("k", 0) == step for t in every["source"]]]
        got = {(a, b): n for a, b, n in zip(rows["from_level"], rows["to_level"], rows["reassessments"])}
        assert got == {(data.level_name(a), data.level_name(b)): n for (a, b), n in pairs.items()}


def test_a_level_change_with_a_small_flow_is_drawn_at_no_step(data: rc.RecidivismData) -> None:
    """Property: the transitions table shows each change's total over all reassessments, so a
    change with one hidden flow must show none (total minus drawn flows would reveal it).
    Oracle: pandas counts of each client's level at consecutive assessments."""
    history = data.history[data.history["sequence"] <= rc.FLOW_STEPS]
    wide = history.pivot(index="client_id", columns="sequence", values="risk_level")
    counts = pd.concat([wide[[k, k + 1]].dropna().set_axis(["a", "b"], axis=1) .value_counts()
                        for k in range(rc.FLOW_STEPS)], keys=range(rc.FLOW_STEPS))
    small = {(data.level_name(a), data.level_name(b)) for (_, a, b), n in counts.items() if n < 10}
    assert small  # the demo has such changes: the check is not vacuous
    shown = rc.shown_flows(data, Disclosure(10))
    drawn = set(zip(shown["from_level"], shown["to_level"]))
    assert not drawn & small and (shown["reassessments"] >= 10).all()
    every = {(data.level_name(a), data.level_name(b)) for (_, a, b) in counts.index}
    assert drawn == every - small  # nothing else is left out
    for pair in drawn:  # a drawn change is drawn at every step where it happens
        steps = sum(1 for (_, a, b) in counts.index if (data.level_name(a), data.level_name(b)) == pair)
        assert (shown[["from_level", "to_level"]].apply(tuple, axis=1) == pair).sum() == steps


def test_flows_of_too_few_clients_are_not_drawn(study: Study, data: rc.RecidivismData) -> None:
    """Property: the rendered Sankey carries no flow under min_cell, and every node of a
    level has that level's colour on the one risk scale."""
    from workbench.reporting import charts
    from workbench.reporting.sections import _chart

    report = mock.Mock(language="en", t=lambda key, **values: key)
    report.tables.disclosure = Disclosure(100)
    chart = dataclasses.replace(_block(rc.flows_section(data, Disclosure(100)), "flows", Chart), frame=rc.flows(data))
    figure = _chart(chart, report)  # the renderer too leaves out what the disclosure hides
    values = list(figure.data[0].link.value)
    assert values and min(values) >= 100 and len(values) < len(chart.frame)
    colours = charts.colour_map("risk", [data.level_name(n) for n in data.levels])
    for label, colour in zip(figure.data[0].node.label, figure.data[0].node.color):
        assert colour == colours[label.split(": ")[1]]
