"""Electronic monitoring model: eligibility counts and a base case calculated by hand."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.feasibility import (
    EligibilityRules,
    base_case,
    break_even,
    default_parameter_file,
    electronic_monitoring_model,
    eligible_population,
    executive_facts,
    load_parameters,
    monte_carlo,
    option_table,
    outcome_catalogue,
    population_summary,
    summarise,
)

SIMPLE = {
    "placement_share": 0.5, "supervision_cost_per_client_day": 10, "app_cost_per_client_day": 5,
    "rf_cost_per_client_day": 20, "gps_cost_per_client_day": 40, "app_platform_cost_per_year": 1000,
    "monitoring_centre_cost_per_year": 10000, "em_software_cost_per_year": 2000, "centre_setup_cost": 5000,
    "operators_per_100_clients": 2, "minimum_operators": 1, "operator_cost_per_year": 1800,
    "working_hours_per_year": 1800, "training_cost_per_officer": 100, "officers_to_train": 10,
    "amortisation_years": 5, "app_alerts_per_client_day": 0.1, "rf_alerts_per_client_day": 0.05,
    "gps_alerts_per_client_day": 0.2, "false_alarm_share": 0.5, "minutes_per_alert": 30,
    "revocation_rate_status_quo": 0.1, "reoffending_rate_status_quo": 0.2, "app_revocation_rr": 1.0,
    "rf_revocation_rr": 0.8, "gps_revocation_rr": 0.5, "app_reoffending_rr": 1.0, "rf_reoffending_rr": 0.8,
    "gps_reoffending_rr": 0.5, "custody_days_per_revocation": 100, "custody_cost_per_day": 50,
    "early_release_share": 0.5, "custody_days_replaced": 100, "early_release_failure_share": 0.2,
}
PROPORTIONS = {"placement_share", "false_alarm_share", "revocation_rate_status_quo", "reoffending_rate_status_quo",
               "early_release_share", "early_release_failure_share"}
POPULATION = pd.DataFrame({
    "region": ["Bishkek city", "Osh oblast", "Naryn"], "risk_level": ["high", "medium", "low"],
    "clients": [120, 80, 100], "releases_per_year": [12.0, 8.0, 5.0], "eligible": [True, True, False]})


@pytest.fixture
def base(make_fixed):
    params = make_fixed(SIMPLE, proportions=PROPORTIONS)
    table = base_case(electronic_monitoring_model(POPULATION), params)
    return table.set_index("outcome")["value"]


def test_gps_option_by_hand(base):
    # eligible caseload 120 + 80 = 200; monitored N = 0.5 * 200 = 100; client-days = 36,500
    # operators max(1, 2 * 100 / 100) = 2 -> 3,600; training 100 * 10 / 5 = 200; set-up 5,000 / 5 = 1,000
    # fixed = 10,000 + 2,000 + 3,600 + 1,000 + 200 = 16,800
    # variable = 36,500 * (10 + 40) = 1,825,000; alerts = 36,500 * 0.2 = 7,300
    # alert hours = 7,300 * 30 / 60 = 3,650 at 1,800 / 1,800 = 1 KGS/hour -> 3,650
    assert base["gps_bracelet.clients_monitored"] == pytest.approx(100)
    assert base["gps_bracelet.fixed_cost"] == pytest.approx(16_800)
    assert base["gps_bracelet.variable_cost"] == pytest.approx(1_825_000)
    assert base["gps_bracelet.alerts"] == pytest.approx(7_300)
    assert base["gps_bracelet.false_alarms"] == pytest.approx(3_650)
    assert base["gps_bracelet.alert_hours"] == pytest.approx(3_650)
    assert base["gps_bracelet.annual_cost"] == pytest.approx(1_845_450)
    assert base["gps_bracelet.cost_per_client_day"] == pytest.approx(1_845_450 / 36_500)
    # status quo = 36,500 * 10 = 365,000; incremental = 1,480,450
    assert base["status_quo.annual_cost"] == pytest.approx(365_000)
    assert base["gps_bracelet.incremental_cost"] == pytest.approx(1_480_450)
    # avoided revocations = 100 * 0.1 * (1 - 0.5) = 5 -> 500 prison days -> savings 500 * 50 = 25,000
    assert base["gps_bracelet.avoided_revocations"] == pytest.approx(5)
    assert base["gps_bracelet.avoided_prison_days"] == pytest.approx(500)
    assert base["gps_bracelet.custody_savings"] == pytest.approx(25_000)
    assert base["gps_bracelet.net_cost"] == pytest.approx(1_455_450)
    # avoided reoffences = 100 * 0.2 * 0.5 = 10
    assert base["gps_bracelet.avoided_reoffences"] == pytest.approx(10)
    assert base["gps_bracelet.cost_per_avoided_prison_day"] == pytest.approx(1_480_450 / 500)
    assert base["gps_bracelet.break_even_custody_cost"] == pytest.approx(1_480_450 / 500)
    assert base["gps_bracelet.cost_per_avoided_reoffence"] == pytest.approx(145_545)


def test_app_rf_and_custody_alternative_by_hand(base):
    # app: fixed 1,000 + 200; variable 36,500 * 15 = 547,500; alerts 3,650 -> 1,825 hours -> 1,825 KGS
    assert base["app.annual_cost"] == pytest.approx(1_200 + 547_500 + 1_825)
    assert np.isnan(base["app.cost_per_avoided_prison_day"])  # RR 1: nothing avoided
    # rf: fixed 16,800; variable 36,500 * 30 = 1,095,000; alerts 1,825 -> 912.5 hours; avoided 100*0.1*0.2 = 2
    assert base["rf_bracelet.annual_cost"] == pytest.approx(16_800 + 1_095_000 + 912.5)
    assert base["rf_bracelet.avoided_prison_days"] == pytest.approx(200)
    # custody alternative: eligible releases 12 + 8 = 20; days = 20 * 0.5 * 100 * (1 - 0.2/2) = 900
    # operators max(1, 2 * (900/365) / 100) = 1 -> fixed 10,000 + 2,000 + 1,800 + 1,000 + 200 = 15,000
    # variable 900 * (10 + 40) = 45,000; alerts 180 -> 90 hours -> 90 KGS; annual 60,090
    assert base["custody_alternative.client_days"] == pytest.approx(900)
    assert base["custody_alternative.annual_cost"] == pytest.approx(60_090)
    assert base["custody_alternative.custody_savings"] == pytest.approx(45_000)
    assert base["custody_alternative.net_cost"] == pytest.approx(15_090)
    assert base["custody_alternative.break_even_custody_cost"] == pytest.approx(60_090 / 900)


def test_engine_break_even_agrees_with_the_closed_form(make_fixed):
    params = make_fixed(SIMPLE, proportions=PROPORTIONS)
    model = electronic_monitoring_model(POPULATION)
    value = break_even(model, params, "custody_cost_per_day", "custody_alternative.net_cost", 0.0, bounds=(0, 1000))
    assert value == pytest.approx(60_090 / 900, rel=1e-9)


def test_default_parameters_run_vectorised_and_reproducibly():
    params = load_parameters(default_parameter_file("electronic_monitoring"))
    model = electronic_monitoring_model(POPULATION)
    first = monte_carlo(model, params, n_draws=2000, seed=7)
    second = monte_carlo(model, params, n_draws=2000, seed=7)
    pd.testing.assert_frame_equal(first.outcomes, second.outcomes)
    summary = summarise(first)
    facts = executive_facts(summary, POPULATION, {"gps_net_cost_positive": 0.9})
    assert facts.set_index("fact").loc["eligible_clients", "base"] == 200
    assert "gps_bracelet.annual_cost" in set(facts["fact"])
    # every modelled outcome is catalogued with a label and a unit
    assert set(outcome_catalogue()["outcome"]) == set(first.outcomes.columns)
    assert set(option_table(base_case(model, params))["option"]) == {"status_quo", "app", "rf_bracelet",
                                                                     "gps_bracelet", "custody_alternative"}


def client_table():
    return pd.DataFrame({
        "client_id": range(1, 9),
        "oblast": ["Osh oblast", "Osh oblast", "Osh oblast", "Bishkek city", "Bishkek city", "Naryn", "Naryn", "Osh oblast"],
        "risk": ["high", "high", "low", "medium", "medium", "high", "low", "medium"],
        "ve": [True, True, True, True, False, False, True, True],
        "start": ["2023-01-10", "2024-03-01", "2024-02-01", "2022-05-01", "2024-01-05", "2021-01-01",
                  "2024-06-01", "2023-09-01"],
        "end": ["2025-01-10", None, "2024-12-31", "2024-01-31", None, "2025-06-01", None, "2026-01-01"],
    })


def test_eligible_population_counts_by_hand():
    table = eligible_population(client_table(), region_col="oblast", risk_col="risk", extremist_col="ve")
    cells = table.set_index(["region", "risk_level", "violent_extremist"])
    # Osh high VE: clients 1 and 2 -> 2, eligible; Osh low VE: 1, not eligible (risk)
    assert cells.loc[("Osh oblast", "high", True), "clients"] == 2 and cells.loc[("Osh oblast", "high", True), "eligible"]
    assert not cells.loc[("Osh oblast", "low", True), "eligible"]
    assert "risk level low" in cells.loc[("Osh oblast", "low", True), "reason"]
    # Bishkek medium non-VE: not eligible because not flagged
    assert not cells.loc[("Bishkek city", "medium", False), "eligible"]
    assert table["clients"].sum() == 8
    assert table.loc[table["eligible"], "clients"].sum() == 4  # clients 1, 2, 4, 8


def test_eligible_population_on_a_date_with_releases():
    releases = pd.DataFrame({"region": ["Osh oblast", "Naryn"], "risk_level": ["high", "high"], "releases_per_year": [6, 3]})
    table = eligible_population(client_table(), region_col="oblast", risk_col="risk", extremist_col="ve",
                                start_col="start", end_col="end", as_of="2024-07-01", releases=releases,
                                rules=EligibilityRules(risk_levels=("high",), extremist_only=False))
    cells = table.set_index(["region", "risk_level", "violent_extremist"])
    # active on 2024-07-01: Osh high VE clients 1 (to 2025-01-10) and 2 (open) -> 2; both started within
    # 365 days? client 2 (2024-03-01) yes, client 1 (2023-01-10) no -> new_per_year 1
    assert cells.loc[("Osh oblast", "high", True), "clients"] == 2
    assert cells.loc[("Osh oblast", "high", True), "new_per_year"] == 1
    # Bishkek medium VE (client 4) ended 2024-01-31 -> 0 active
    assert cells.loc[("Bishkek city", "medium", True), "clients"] == 0
    # releases go to the flagged rows only; Naryn high has no VE row, so its 3 releases are not counted
    assert cells.loc[("Osh oblast", "high", True), "releases_per_year"] == 6
    assert cells.loc[("Naryn", "high", False), "releases_per_year"] == 0
    assert cells.loc[("Naryn", "high", False), "eligible"]  # extremist_only False
    summary = population_summary(table).set_index("region")
    assert summary.loc["Osh oblast", "clients_eligible"] == 2


def test_eligible_population_rejects_unknown_risk_levels():
    clients = client_table().assign(risk=["high", "very high", "low", "medium", "medium", "high", "low", "medium"])
    with pytest.raises(WorkbenchError, match="risk levels outside"):
        eligible_population(clients, region_col="oblast", risk_col="risk", extremist_col="ve")
    with pytest.raises(WorkbenchError, match="lacks a column"):
        eligible_population(clients, region_col="region", risk_col="risk")
