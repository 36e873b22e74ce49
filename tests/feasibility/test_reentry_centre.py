"""Re-entry centre model: Erlang B, demand projection and a base case calculated by hand."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.feasibility import (
    LOCATION_OPTIONS,
    base_case,
    default_parameter_file,
    erlang_b,
    load_parameters,
    monte_carlo,
    monthly_utilisation,
    project_demand,
    reach_by_region,
    reentry_centre_model,
)

SIMPLE = {
    "demand_multiplier": 1.0, "uptake_releases": 0.5, "uptake_completions": 0.2, "reach_local": 1.0,
    "reach_near": 0.5, "reach_remote": 0.2, "reach_outreach": 0.4, "housing_share": 0.5,
    "housing_nights_per_client": 73, "beds_per_centre": 1, "employment_sessions_per_client": 2,
    "document_share": 0.5, "counselling_sessions_per_client": 3, "clients_per_case_worker": 100,
    "case_worker_cost_per_year": 1000, "centre_running_cost_per_year": 5000, "centre_setup_cost": 10000,
    "amortisation_years": 5, "outreach_team_cost_per_year": 1000, "housing_cost_per_night": 10,
    "employment_session_cost": 50, "document_case_cost": 100, "counselling_session_cost": 20,
}
PROPORTIONS = {"uptake_releases", "uptake_completions", "reach_local", "reach_near", "reach_remote",
               "reach_outreach", "housing_share", "document_share"}
DEMAND = pd.DataFrame({"region": ["Bishkek city", "Osh city"], "year": [2025, 2025], "releases": [100.0, 200.0],
                       "probation_completions": [100.0, 0.0]})


def test_erlang_b_against_closed_forms():
    # B(a, 1) = a / (1 + a); B(a, 2) = (a^2/2) / (1 + a + a^2/2) (Erlang loss formula)
    assert erlang_b(np.array([7.0]), np.array([1]))[0] == pytest.approx(7 / 8)
    assert erlang_b(np.array([2.0]), np.array([2]))[0] == pytest.approx(2 / 5)
    assert erlang_b(np.array([3.0, 3.0]), np.array([0, 2])) == pytest.approx([1.0, 4.5 / 8.5])


@pytest.fixture
def base(make_fixed):
    params = make_fixed(SIMPLE, proportions=PROPORTIONS)
    return base_case(reentry_centre_model(DEMAND), params).set_index("outcome")["value"]


def test_two_centres_by_hand(base):
    # potential: Bishkek 100*0.5 + 100*0.2 = 70; Osh city 200*0.5 = 100; both local (reach 1) -> 170
    # housing requests 35 and 50 a year; load per month = (R/12)/(365/12) * 73 = R/5 -> 7 and 10 erlangs
    # one bed: B = a/(1+a) = 7/8 and 10/11; turned away 35*7/8 + 50*10/11
    assert base["bishkek_and_osh.potential_clients"] == pytest.approx(170)
    assert base["bishkek_and_osh.clients_reached"] == pytest.approx(170)
    assert base["bishkek_and_osh.turned_away"] == pytest.approx(35 * 7 / 8 + 50 * 10 / 11)
    nights = (35 / 8 + 50 / 11) * 73
    assert base["bishkek_and_osh.housing_nights"] == pytest.approx(nights)
    # utilisation a(1-B)/c = 7/8 and 10/11, averaged over the two centres' months
    assert base["bishkek_and_osh.bed_utilisation"] == pytest.approx((7 / 8 + 10 / 11) / 2)
    # case workers max(170/100, 2 sites) = 2 -> 2,000; fixed 2 * (5,000 + 10,000/5) = 14,000
    # services: nights * 10 + 170 * (2*50 + 0.5*100 + 3*20 = 210)
    total = 14_000 + 2_000 + nights * 10 + 170 * 210
    assert base["bishkek_and_osh.total_cost"] == pytest.approx(total)
    assert base["bishkek_and_osh.annual_cost"] == pytest.approx(total)  # one projected year
    assert base["bishkek_and_osh.cost_per_client"] == pytest.approx(total / 170)


def test_national_centre_and_outreach_by_hand(base):
    # national: Osh city is remote (0.2) -> 20 reached; 70 + 20 = 90; requests 45 -> load 9 -> B 0.9
    assert base["national_bishkek.clients_reached"] == pytest.approx(90)
    assert base["national_bishkek.reach_share"] == pytest.approx(90 / 170)
    assert base["national_bishkek.turned_away"] == pytest.approx(40.5)
    # cost: 1 case worker 1,000 + fixed 7,000 + nights 4.5*73*10 + 90*210
    assert base["national_bishkek.total_cost"] == pytest.approx(1_000 + 7_000 + 4.5 * 73 * 10 + 90 * 210)
    # outreach: 0.4 * 170 = 68; no beds; 3 teams -> 3 case workers minimum, 3 * 1,000 team cost
    assert base["outreach.clients_reached"] == pytest.approx(68)
    assert base["outreach.housing_nights"] == 0
    assert base["outreach.total_cost"] == pytest.approx(3_000 + 3_000 + 68 * 210)


def test_monthly_table_and_reach_by_region(make_fixed):
    params = make_fixed(SIMPLE, proportions=PROPORTIONS)
    monthly = monthly_utilisation(params.values(), DEMAND)
    osh = monthly[(monthly["option"] == "bishkek_and_osh") & (monthly["centre"] == "Osh city")]
    assert len(osh) == 12 and osh["offered_load"].to_numpy() == pytest.approx(np.full(12, 10.0))
    seasonal = monthly_utilisation(params.values(), DEMAND, seasonality=[2] + [1] * 11)
    january = seasonal[(seasonal["option"] == "bishkek_and_osh") & (seasonal["centre"] == "Osh city")].iloc[0]
    assert january["offered_load"] == pytest.approx(10 * 12 * 2 / 13)
    reach = reach_by_region(params.values(), DEMAND).set_index(["option", "region"])
    assert reach.loc[("national_bishkek", "Osh city"), "access"] == "remote"
    assert reach.loc[("national_bishkek", "Osh city"), "clients_reached"] == pytest.approx(20)


def test_project_demand_recovers_an_exact_log_linear_trend():
    # counts + 1 = 100 * 1.1^t exactly, so the fitted trend extends it exactly
    years = np.arange(2020, 2025)
    history = pd.DataFrame({"region": "Osh oblast", "year": years, "releases": 100 * 1.1 ** (years - 2020) - 1,
                            "probation_completions": [50, 50, 50, 50, 50]})
    projected = project_demand(history, years=5)
    assert list(projected["year"]) == [2025, 2026, 2027, 2028, 2029]
    assert projected["releases"].to_numpy() == pytest.approx(100 * 1.1 ** (np.arange(2025, 2030) - 2020) - 1)
    assert projected["probation_completions"].to_numpy() == pytest.approx(np.full(5, 50.0))
    short = project_demand(history[history["year"] >= 2023], years=2)
    assert short["releases"].to_numpy() == pytest.approx(np.full(2, 100 * 1.1**4 - 1))  # flat: last year


def test_default_parameters_all_regions_reproducible():
    params = load_parameters(default_parameter_file("reentry_centre"))
    regions = sorted({region for option in LOCATION_OPTIONS.values() for region in option.served_by})
    demand = pd.DataFrame({"region": regions, "year": 2025, "releases": 100.0, "probation_completions": 500.0})
    model = reentry_centre_model(demand)
    first = monte_carlo(model, params, n_draws=500, seed=1)
    second = monte_carlo(model, params, n_draws=500, seed=1)
    pd.testing.assert_frame_equal(first.outcomes, second.outcomes)
    # two centres never reach fewer people than one centre in Bishkek (reach classes only improve)
    assert (first.outcomes["bishkek_and_osh.clients_reached"]
            >= first.outcomes["national_bishkek.clients_reached"] - 1e-9).all()


def test_unserved_region_is_an_error():
    demand = pd.DataFrame({"region": ["Atlantis"], "year": [2025], "releases": [1.0], "probation_completions": [1.0]})
    model = reentry_centre_model(demand)
    params = load_parameters(default_parameter_file("reentry_centre"))
    with pytest.raises(WorkbenchError, match="Atlantis"):
        base_case(model, params)
    with pytest.raises(WorkbenchError, match="lacks a column"):
        reentry_centre_model(demand.drop(columns="releases"))
