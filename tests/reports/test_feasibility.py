"""Reports 05 and 06 without papermill: sections, reading rules and overrides.

Oracles, per test:
- tie rule and base-case percentile: hand-made shares and draws whose answers are counted by
  hand (52/48 is a tie of two; 3 of 4 draws below the base is 0.75);
- overrides: the package's own parameter names (a name of the other model is passed on, a
  misspelt one refused with its did-you-mean);
- the sections on the demo study: independent computations with numpy/pandas on the
  simulation (median, share of draws below the base case), ``workbench.study_facts`` for the
  facts other reports show (violent-extremist clients on probation, officers trained);
- properties that must hold: findings first and each linked to a section, methods last,
  every finding with its number, no raw distribution text, no raw identifier, no None/nan,
  years without a thousands separator.
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from workbench import feasibility as fz
from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.feasibility.engine import MonteCarloResult
from workbench.feasibility.parameters import split_overrides
from workbench.feasibility.reading import CLEAR_BEST, base_percentile, best_or_tie
from workbench.reports import feasibility
from workbench.reports.sections import Chart, Finding, Table, Text, in_report_order
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

DRAWS = 300


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return Study.load(write_demo_study(tmp_path_factory.mktemp("demo") / "study"))


@pytest.fixture(scope="module")
def em(study: Study) -> feasibility.Run:
    return feasibility.em_run(study, draws=DRAWS, seed=7)


@pytest.fixture(scope="module")
def re_(study: Study) -> feasibility.Run:
    return feasibility.re_run(study, draws=DRAWS, seed=7)


# ---- reading rules (hand-made) ------------------------------------------------------------------------

def test_a_near_tie_is_a_tie_and_a_clear_lead_is_best() -> None:
    assert best_or_tie({"a": 0.52, "b": 0.48}).options == ("a", "b")
    assert not best_or_tie({"a": 0.52, "b": 0.48}).clear
    # 45 / 30 / 25: b and c are best at least half as often as a (22.5%)
    assert best_or_tie({"a": 0.45, "b": 0.30, "c": 0.25}).options == ("a", "b", "c")
    # 55 / 40 / 5: c is out of the tie
    assert best_or_tie({"a": 0.55, "b": 0.40, "c": 0.05}).options == ("a", "b")
    clear = best_or_tie({"a": 0.91, "b": 0.09, "c": 0.0})
    assert clear.options == ("a",) and clear.clear and clear.share == pytest.approx(0.91)
    assert best_or_tie({"a": CLEAR_BEST, "b": 1 - CLEAR_BEST}).clear  # the rule's edge is "at least"
    with pytest.raises(WorkbenchError):
        best_or_tie({})


def _result(draws: list[float], base: float) -> MonteCarloResult:
    return MonteCarloResult(inputs=pd.DataFrame(), outcomes=pd.DataFrame({"x.y": draws}),
                            base=pd.Series({"x.y": base}), seed=1, n_draws=len(draws))


def test_base_percentile_counts_draws_below_the_base_case() -> None:
    assert base_percentile(_result([1, 2, 3, 10], 5.0), "x.y") == 0.75
    assert base_percentile(_result([5, 5, 5, 5], 5.0), "x.y") == 0.5  # ties count half
    assert base_percentile(_result([1, 5, 9, 9], 5.0), "x.y") == pytest.approx(0.25 + 0.125)
    with pytest.raises(WorkbenchError, match="no simulated outcome"):
        base_percentile(_result([1.0], 1.0), "nope")


# ---- overrides -----------------------------------------------------------------------------------------

def test_overrides_are_split_between_the_models_and_a_typo_is_refused(study: Study) -> None:
    params = fz.load_parameters(study.path("electronic_monitoring_parameters"))
    own, other = split_overrides(params, {"custody_cost_per_day": 250, "beds_per_centre": 30})
    assert own == {"custody_cost_per_day": 250} and other == ["beds_per_centre"]
    with pytest.raises(WorkbenchError, match="did you mean 'custody_cost_per_day'"):
        split_overrides(params, {"custody_cost_per_dy": 250})
    with pytest.raises(WorkbenchError, match="mapping"):
        split_overrides(params, ["custody_cost_per_day"])
    assert split_overrides(params, None) == ({}, [])


def test_an_override_reaches_the_model_and_is_named(study: Study) -> None:
    run = feasibility.em_run(study, overrides={"custody_cost_per_day": 250, "beds_per_centre": 30}, draws=50, seed=1)
    assert run.params["custody_cost_per_day"].value == 250 and run.overrides == {"custody_cost_per_day": 250}
    keys = [b.key for b in feasibility.em_summary(run, None).blocks]
    assert keys[:2] == ["fe_overrides_note", "fe_overrides_ignored"]
    # the officers to train come from the study unless the override names them
    assert run.params["officers_to_train"].value == study_facts.officers_trained(study)["officers"].sum()
    chosen = feasibility.em_run(study, overrides={"officers_to_train": 40}, draws=50, seed=1)
    assert chosen.params["officers_to_train"].value == 40 and chosen.extra["staff"] is None


# ---- sections on the demo study ------------------------------------------------------------------------

def test_05_sections_findings_first_methods_last_and_linked(em: feasibility.Run) -> None:
    sections = feasibility.em_sections(em, disclosure=Disclosure(10))
    ordered = in_report_order(sections)  # also checks every finding links to a section
    assert ordered[0].id == "findings" and [s.part for s in ordered[-2:]] == ["methods", "methods"]
    findings = [b for b in ordered[0].blocks if isinstance(b, Finding)]
    assert 5 <= len(findings) <= 7


def test_05_cost_finding_leads_with_the_median_and_places_the_base_case(em: feasibility.Run) -> None:
    values = {f.key: f.values for f in feasibility.em_findings(em).blocks}["fe_em_finding_cost"]
    draws = em.simulation.outcomes["gps_bracelet.annual_cost"].to_numpy()
    base = em.base["gps_bracelet.annual_cost"]
    assert values["median"] == pytest.approx(np.median(draws))
    assert values["low"] == pytest.approx(np.quantile(draws, 0.05))
    assert values["percentile"] == pytest.approx(np.mean(draws < base) + 0.5 * np.mean(draws == base))
    assert values["base"] == base


def test_05_shared_facts_come_from_study_facts(study: Study, em: feasibility.Run) -> None:
    who = feasibility.em_findings(em).blocks[0]
    clients = pd.read_csv(study.root / "data" / "probation_clients.csv", comment="#")
    day = pd.to_datetime(clients["followup_end"]).max()
    active = clients[(pd.to_datetime(clients["followup_start"]) <= day) & (pd.to_datetime(clients["followup_end"]) >= day)]
    assert who.values["ve_clients_on_probation"] == int((active["ve_client"] == 1).sum())
    assert who.values["ve_clients_on_probation"] == study_facts.ve_clients_on_probation(study)["clients"].sum()
    assert who.values["eligible"] <= who.values["ve_clients_on_probation"]
    staff = [b for b in feasibility.em_who(em, None, Disclosure(10)).blocks if isinstance(b, Text)
             and b.key == "fe_em_staff"][0]
    assert staff.values["officers_trained"] == study_facts.officers_trained(study)["officers"].sum()
    assert staff.values["probation_offices"] == study_facts.probation_offices(study)["offices"].sum()


def test_05_a_mostly_suppressed_region_table_becomes_national(em: feasibility.Run) -> None:
    people = em.extra["people"].table
    eligible = people.loc[people["eligible"].astype(bool), "clients"].sum()
    small = feasibility.em_who(em, None, Disclosure(10)).blocks[-1]
    big = feasibility.em_who(em, None, Disclosure(1)).blocks[-1]
    by_region = fz.population_summary(people)
    # the demo's eligible clients are few in every region (hand check of the oracle's premise)
    assert (by_region["clients_eligible"] < 10).mean() > 0.5
    assert len(small.frame) == 1 and small.frame["clients_eligible"].iloc[0] == eligible and small.note is not None
    assert len(big.frame) == len(by_region) and big.note is None and big.count == "clients_eligible"


def test_assumptions_show_distributions_in_words(em: feasibility.Run) -> None:
    table = feasibility.assumptions_section(em.params, "en").blocks[1]
    assert isinstance(table, Table) and table.count is None
    words = table.frame["distribution"]
    assert all(isinstance(w, Text) and w.key.startswith("fe_dist_") for w in words)
    custody = em.params["custody_cost_per_day"].distribution  # triangular(low=70, mode=100, high=300)
    assert feasibility.distribution_text(custody) == Text("fe_dist_triangular", {"low": 70, "mode": 100, "high": 300,
                                                                                  "value": 100})
    assert all(re.fullmatch(r"\d{4}|", y) for y in table.frame["price_year"])


def test_06_reach_near_tie_is_reported_as_a_tie(re_: feasibility.Run) -> None:
    shares = re_.extra["reach_share"]
    reached = re_.simulation.outcomes[[f"{o}.clients_reached" for o in feasibility.RE_OPTIONS]].to_numpy()
    counted = np.bincount(reached.argmax(axis=1), minlength=len(feasibility.RE_OPTIONS)) / len(reached)
    assert [shares[o] for o in feasibility.RE_OPTIONS] == pytest.approx(counted)
    sure = feasibility.re_findings(re_).blocks[-1]
    verdict = best_or_tie(shares)
    assert sure.values["reach"].key == ("fe_re_reach_clear" if verdict.clear else "fe_re_reach_tie")
    assert len(feasibility.re_findings(re_).blocks) == 2 + len(feasibility.RE_OPTIONS)
    # the base case in brief states the same verdict: a base-case leader is not a clear winner
    compare = [b for b in feasibility.re_summary(re_, None).blocks
               if isinstance(b, Text) and b.key == "fe_re_exec_compare"][0]
    assert compare.values["reach"] == sure.values["reach"]


def test_06_sections_order_and_scenarios(re_: feasibility.Run) -> None:
    ordered = in_report_order(feasibility.re_sections(re_))
    assert ordered[0].id == "findings" and ordered[-1].id == "sensitivity" and ordered[-1].part == "methods"
    scenarios = [s for s in ordered if s.id == "scenarios"][0].blocks[1]
    assert list(scenarios.frame.columns) == ["outcome", "base", "demand_high", "uptake_low", "housing_high",
                                             "beds_half", "beds_double"]
    first = scenarios.frame.iloc[0]
    assert first["base"] == pytest.approx(re_.base[f"{feasibility.RE_OPTIONS[0]}.cost_per_client"])
    charts = [b for s in ordered for b in s.blocks if isinstance(b, Chart)]
    assert {c.kind for c in charts} == {"bars", "interval", "lines", "forest"}


# ---- rendering -----------------------------------------------------------------------------------------

def _page(study: Study, language: str, tmp_path: Path, report: str) -> str:
    import IPython.display
    import plotly.graph_objects as go

    from workbench.reporting import start_report

    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        page = start_report(study.root, language=language, output_dir=tmp_path, edition=report)
        if report == feasibility.EM:
            page.begin(Text("fe_em_title"), Text("fe_em_intro"))
            run = feasibility.em_run(page.study, draws=DRAWS, seed=7)
            page.show(*feasibility.em_sections(run, disclosure=page.tables.disclosure, language=language))
        else:
            page.begin(Text("fe_re_title"), Text("fe_re_intro"))
            page.show(*feasibility.re_sections(feasibility.re_run(page.study, draws=DRAWS, seed=7), language=language))
    return "\n".join(p._repr_html_() for p in shown if not isinstance(p, go.Figure))


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("report", [feasibility.EM, feasibility.RE])
def test_rendered_page_findings_first_no_raw_text(study: Study, language: str, report: str, tmp_path: Path) -> None:
    page = _page(study, language, tmp_path, report)
    assert page.index('id="findings"') < page.index('id="summary"') < page.index('id="assumptions"')
    for raw in ["triangular(", "beta(", "lognormal(", "None", "0.0000", "2 024", "2\u202f024", "(s)",
                "electronic_monitoring_parameters", "custody_cost_per_day", "gps_bracelet"]:
        assert raw not in page, raw
    assert not re.search(r"\bnan\b", page, flags=re.IGNORECASE)
    if language == "ru":
        assert "медиана" in page and "симуляций" in page


def test_sources_in_the_report_language(em: feasibility.Run) -> None:
    from workbench.feasibility.parameters import source_texts

    assert source_texts("  Parliament 2024 ") == {"en": "Parliament 2024"}
    assert source_texts({"en": "a", "ru": "б"}) == {"en": "a", "ru": "б"}
    for bad in (None, "", {"ru": "только русский"}, {"en": "a", "ru": 3}, ["a"]):
        assert source_texts(bad) is None
    custody = em.params["custody_cost_per_day"]
    assert custody.source.startswith("About 100 som") and custody.source_in("ru").startswith("Около 100 сом")
    ru = feasibility.assumptions_section(em.params, "ru").blocks[1].frame
    assert ru["source"].iloc[list(em.params.names).index("custody_cost_per_day")] == custody.source_in("ru")
    assert em.extra["counts"].source_in("ru") != em.extra["counts"].source


def test_parameter_dataset_is_found_by_its_model(study: Study) -> None:
    """Notebooks 05/06 name no dataset: the parameter file is the study's one dataset declaring
    ``model: <model>`` (the demo's study.yaml, read here), a given name wins, and two or none is an error."""
    assert feasibility.parameters_dataset_of(study, "electronic_monitoring") == "electronic_monitoring_parameters"
    assert feasibility.parameters_dataset_of(study, "reentry_centre") == "reentry_centre_parameters"
    assert feasibility.parameters_dataset_of(study, "reentry_centre", "my_file") == "my_file"
    with pytest.raises(WorkbenchError, match="0 parameter datasets"):
        feasibility.parameters_dataset_of(study, "no_such_model")
    twin = dict(study.datasets)
    twin["second_em"] = study.datasets["electronic_monitoring_parameters"]
    two = Study(root=study.root, title=study.title, datasets=twin)
    with pytest.raises(WorkbenchError, match="2 parameter datasets"):
        feasibility.parameters_dataset_of(two, "electronic_monitoring")
