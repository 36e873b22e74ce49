"""Survival analysis against statsmodels, lifelines and hand calculation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter
from lifelines.datasets import load_rossi
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import survdiff

from workbench.errors import WorkbenchError
from workbench.risk import (at_risk_table, cumulative_incidence, fit_cox, kaplan_meier, logrank_test,
                            proportional_hazards_check)

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_fit_cox_on_rossi_matches_statsmodels_phreg() -> None:
    rossi = load_rossi()
    ours = fit_cox(rossi, "week", "arrest", ROSSI_COVARIATES).set_index("term")
    reference = PHReg(rossi["week"], rossi[ROSSI_COVARIATES], status=rossi["arrest"], ties="efron").fit()
    for k, name in enumerate(ROSSI_COVARIATES):
        assert round(ours.loc[name, "coef"], 4) == round(reference.params[k], 4)
        assert round(ours.loc[name, "se"], 4) == round(reference.bse[k], 4)
        assert ours.loc[name, "p"] == pytest.approx(reference.pvalues[k], abs=1e-4)
    assert np.allclose(ours["hazard_ratio"], np.exp(ours["coef"]))
    # Fox (2002), "Cox proportional-hazards regression for survival data", R output on these
    # data: fin coef -0.379, prio 0.0915
    assert ours.loc["fin", "coef"] == pytest.approx(-0.379, abs=5e-4)
    assert ours.loc["prio", "coef"] == pytest.approx(0.0915, abs=5e-4)


def test_ph_check_flags_age_and_wexp_on_rossi() -> None:
    # Fox (2002) and the lifelines documentation: age and wexp break proportional hazards
    table = proportional_hazards_check(load_rossi(), "week", "arrest", ROSSI_COVARIATES).set_index("term")
    assert table.loc["age", "p_value"] < 0.05 and table.loc["wexp", "p_value"] < 0.05
    assert table.loc["fin", "p_value"] > 0.05


def test_kaplan_meier_hand_calculation() -> None:
    # times 1,2,2,3,4,5 with events 1,1,0,1,0,1. By hand: S(1)=5/6, S(2)=5/6*4/5=2/3,
    # S(3)=2/3*2/3=4/9, S(4)=4/9, S(5)=0; at risk 6,5,3,2,1
    data = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "e": [1, 1, 0, 1, 0, 1]})
    table = kaplan_meier(data, "t", "e").set_index("time")
    assert table.loc[[1, 2, 3, 4, 5], "survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    assert table.loc[[1, 2, 3, 4, 5], "at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert at_risk_table(data, "t", "e", times=[0, 3]).at_risk.tolist() == [6, 3]


def test_logrank_matches_statsmodels_survdiff() -> None:
    rossi = load_rossi()
    ours = logrank_test(rossi, "week", "arrest", by="fin").iloc[0]
    statistic, p = survdiff(rossi["week"], rossi["arrest"], rossi["fin"])
    assert ours["statistic"] == pytest.approx(statistic, rel=1e-8)
    assert ours["p_value"] == pytest.approx(p, rel=1e-8)


def test_aalen_johansen_matches_lifelines_without_ties() -> None:
    rng = np.random.default_rng(11)
    n = 300
    data = pd.DataFrame({"t": rng.exponential(10, n), "kind": rng.choice([0, 1, 2], n, p=[0.3, 0.4, 0.3])})
    ours = cumulative_incidence(data, "t", "kind", event_of_interest=1)
    fitter = AalenJohansenFitter(calculate_variance=True).fit(data["t"], data["kind"], event_of_interest=1)
    theirs = fitter.cumulative_density_.iloc[:, 0]
    ours_at = ours.set_index("time")["cumulative_incidence"].reindex(theirs.index.to_numpy(), method="ffill").fillna(0)
    assert np.allclose(ours_at.to_numpy(), theirs.to_numpy(), atol=1e-12)
    # lifelines 0.30 labels its two bounds the other way round ("upper" holds the smaller value),
    # so compare the pointwise minimum and maximum of its two columns
    ci = fitter.confidence_interval_.iloc[1:]
    mine = ours.set_index("time").reindex(ci.index.to_numpy())
    assert np.allclose(mine["ci_low"].to_numpy(), ci.min(axis=1).to_numpy(), atol=1e-10)
    assert np.allclose(mine["ci_high"].to_numpy(), ci.max(axis=1).to_numpy(), atol=1e-10)


def test_aalen_johansen_with_ties_by_hand_and_without_competition() -> None:
    # times 1,1,2,3 with kinds 1 (interest), 2 (competing), 1, 0. By hand:
    # t=1: n=4, one of each -> CIF = 1/4; S = 1/2; t=2: n=2, one event -> CIF = 1/4 + 1/2*1/2 = 1/2
    data = pd.DataFrame({"t": [1, 1, 2, 3], "kind": [1, 2, 1, 0]})
    table = cumulative_incidence(data, "t", "kind", event_of_interest=1).set_index("time")
    assert table.loc[[1, 2, 3], "cumulative_incidence"].tolist() == pytest.approx([0.25, 0.5, 0.5])
    # with no competing event the cumulative incidence is 1 - Kaplan-Meier
    rossi = load_rossi()
    cif = cumulative_incidence(rossi, "week", "arrest", event_of_interest=1).set_index("time")
    km = kaplan_meier(rossi, "week", "arrest").set_index("time")
    assert np.allclose(cif["cumulative_incidence"], 1 - km["survival"].reindex(cif.index))


def test_negative_duration_is_an_error() -> None:
    with pytest.raises(WorkbenchError, match="no outcome window"):
        kaplan_meier(pd.DataFrame({"t": [1, -2], "e": [1, 0]}), "t", "e")
