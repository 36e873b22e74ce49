"""Score validation on real data (ProPublica COMPAS) against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score

from workbench.errors import WorkbenchError
from workbench.risk import (calibration_table, cutoff_table, delong_auc, differential_prediction,
                            implied_probability, validate_scores)


def test_compas_filter_keeps_propublica_rows(compas: pd.DataFrame) -> None:
    # ProPublica's notebook (compas-analysis, "Compas Analysis.ipynb") reports 6,172 rows after
    # the filter, 3,175 African-American and 2,103 Caucasian defendants, 1,175 women.
    assert len(compas) == 6172
    assert (compas["race"] == "African-American").sum() == 3175
    assert (compas["race"] == "Caucasian").sum() == 2103
    assert (compas["sex"] == "Female").sum() == 1175
    assert "decile_score.1" in compas.columns and "priors_count.1" in compas.columns


def test_validate_scores_matches_sklearn_by_sex_and_race(compas: pd.DataFrame) -> None:
    table = validate_scores(compas, score="decile_score", outcome="reoffended", by=["sex", "race"], cutoff=5)
    expected = implied_probability(compas, "decile_score", "reoffended")
    assert set(table["group_variable"]) == {"overall", "sex", "race"}
    for row in table.itertuples():
        part = compas if row.group_variable == "overall" else compas[compas[row.group_variable] == row.group]
        y = part["reoffended"].to_numpy()
        assert row.n == len(part)
        assert row.base_rate == pytest.approx(y.mean(), abs=1e-12)
        assert row.auc == pytest.approx(roc_auc_score(y, part["decile_score"]), abs=1e-12)
        assert row.brier == pytest.approx(brier_score_loss(y, expected.loc[part.index]), abs=1e-12)
        tn, fp, fn, tp = confusion_matrix(y, (part["decile_score"] >= 5).astype(int), labels=[0, 1]).ravel()
        assert (row.tp, row.fp, row.tn, row.fn) == (tp, fp, tn, fn)
        if tp + fn and fp + tn:
            assert row.false_positive_rate == pytest.approx(fp / (fp + tn))
            assert row.false_negative_rate == pytest.approx(fn / (fn + tp))
            assert row.sensitivity == pytest.approx(tp / (tp + fn))
        if tp + fp:
            assert row.ppv == pytest.approx(tp / (tp + fp))


def test_compas_overall_calibration_in_sample_and_women_overpredicted(compas: pd.DataFrame) -> None:
    table = validate_scores(compas, score="decile_score", outcome="reoffended", by="sex").set_index("group")
    # fitted on all rows, the implied risk is calibrated in the large and in slope by construction
    assert table.loc["all", "calibration_intercept"] == pytest.approx(0, abs=1e-6)
    assert table.loc["all", "calibration_slope"] == pytest.approx(1, abs=1e-6)
    # published finding on these Broward County data (Corbett-Davies & Goel 2018, "The measure and
    # mismeasure of fairness"): women reoffend less often than men with the same COMPAS score
    assert table.loc["Female", "observed_expected_ratio"] < 0.9
    assert table.loc["Female", "calibration_intercept"] < 0


def test_calibration_slope_against_direct_statsmodels_fit(compas: pd.DataFrame) -> None:
    data = compas.assign(p=implied_probability(compas, "decile_score", "reoffended"))
    women = data[data["sex"] == "Female"].assign(logit=lambda d: np.log(d["p"] / (1 - d["p"])))
    slope = smf.logit("reoffended ~ logit", data=women).fit(disp=0).params["logit"]
    table = validate_scores(data, score="decile_score", outcome="reoffended", by="sex", probability="p")
    assert table.set_index("group").loc["Female", "calibration_slope"] == pytest.approx(slope, rel=1e-6)


def test_delong_against_hand_computation() -> None:
    # positives 0.9, 0.8, 0.5; negatives 0.7, 0.5, 0.3, 0.2 (one tie at 0.5). By hand:
    # V10 = (1, 1, 2.5/4), AUC = 2.625/3 = 0.875; V01 = (2/3, 2.5/3, 1, 1);
    # S10 = 0.09375/2 = 0.046875, S01 = 0.0763889/3 = 0.0254630;
    # var = S10/3 + S01/4 = 0.0219907, SE = 0.148293
    auc, se = delong_auc([1, 1, 1, 0, 0, 0, 0], [0.9, 0.8, 0.5, 0.7, 0.5, 0.3, 0.2])
    assert auc == pytest.approx(0.875)
    assert se == pytest.approx(0.148293, abs=1e-6)


def test_delong_se_close_to_bootstrap_on_compas(compas: pd.DataFrame) -> None:
    # independent check: nonparametric bootstrap SE (400 resamples, seeded) within 10%
    y = compas["reoffended"].to_numpy()
    s = compas["decile_score"].to_numpy()
    _, se = delong_auc(y, s)
    rng = np.random.default_rng(20240501)
    boots = [roc_auc_score(y[idx], s[idx]) for idx in (rng.integers(0, len(y), len(y)) for _ in range(400))]
    assert se == pytest.approx(np.std(boots, ddof=1), rel=0.10)


def test_calibration_table_sums_and_levels(compas: pd.DataFrame) -> None:
    table = calibration_table(compas, score="decile_score", outcome="reoffended", by="race")
    overall = table[table["group_variable"] == "overall"]
    assert len(overall) == 10  # ten decile scores -> ten bins
    assert overall["n"].sum() == len(compas)
    assert overall["observed_events"].sum() == compas["reoffended"].sum()
    expected = implied_probability(compas, "decile_score", "reoffended")
    assert overall["expected_events"].sum() == pytest.approx(expected.sum())
    by_level = calibration_table(compas.assign(risk_level=pd.Categorical(compas["score_text"], ["Low", "Medium", "High"])),
                                 score="decile_score", outcome="reoffended", risk_level="risk_level")
    assert by_level["bin"].tolist() == ["Low", "Medium", "High"]
    low = compas[compas["score_text"] == "Low"]
    assert by_level["observed_rate"].iloc[0] == pytest.approx(low["reoffended"].mean())


def test_cutoff_table_is_monotone(compas: pd.DataFrame) -> None:
    table = cutoff_table(compas, score="decile_score", outcome="reoffended")
    assert table["cutoff"].tolist() == list(range(1, 11))
    assert table["sensitivity"].iloc[0] == 1.0
    assert (np.diff(table["sensitivity"]) <= 0).all() and (np.diff(table["specificity"]) >= 0).all()


def test_differential_prediction_against_statsmodels_formula(compas: pd.DataFrame) -> None:
    data = compas.assign(centred=compas["decile_score"] - compas["decile_score"].mean())
    full = smf.logit("reoffended ~ centred * C(sex, Treatment('Female'))", data=data).fit(disp=0)
    small = smf.logit("reoffended ~ centred + C(sex, Treatment('Female'))", data=data).fit(disp=0)
    table = differential_prediction(compas, score="decile_score", outcome="reoffended", group="sex")
    coef = table[table["kind"] == "coefficient"].set_index("term")
    assert coef.loc["sex[Male]", "estimate"] == pytest.approx(full.params["C(sex, Treatment('Female'))[T.Male]"],
                                                              rel=1e-6)
    tests = table[table["kind"] == "lr_test"].set_index("term")
    assert tests.loc["slopes", "statistic"] == pytest.approx(2 * (full.llf - small.llf), rel=1e-6)
    # the same score means a higher risk for men than for women in these data
    assert tests.loc["intercepts", "p_value"] < 0.001


def test_bad_outcome_is_reported() -> None:
    data = pd.DataFrame({"total": [1, 2, 3], "reoffended": [0, 1, 2]})
    with pytest.raises(WorkbenchError, match="0/1") as err:
        validate_scores(data)
    assert err.value.row == 3
