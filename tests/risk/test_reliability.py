"""Inter-rater reliability: published values and scikit-learn as independent references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.agreement import ROW, icc_agreement, weighted_kappa
from workbench.risk import interrater_reliability

# Shrout & Fleiss (1979), Psychological Bulletin 86:420-428, Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def test_icc_a1_matches_shrout_fleiss_published_value() -> None:
    result = icc_agreement(SHROUT_FLEISS)
    assert result["estimate"] == pytest.approx(0.29, abs=0.005)  # published ICC(2,1) = .29
    assert result["ci_low"] < result["estimate"] < result["ci_high"]
    assert list(result.index) == ROW and result.n == 6 and "ICC(A,1)" in result.method


def test_kappa_and_its_se_match_the_sas_example() -> None:
    # SAS PROC FREQ documentation example (reference/README.md): kappa 0.4842, ASE 0.1380
    table = np.array([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    result = weighted_kappa(table, weights="none")
    assert result["estimate"] == pytest.approx(0.4842, abs=5e-5)
    assert result["se"] == pytest.approx(0.1380, abs=5e-5)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_matches_sklearn(weights: str) -> None:
    rng = np.random.default_rng(3)
    first = rng.integers(0, 3, 300)
    second = np.clip(first + rng.choice([-1, 0, 0, 0, 1], 300), 0, 2)
    table = np.zeros((3, 3))
    np.add.at(table, (first, second), 1)
    assert weighted_kappa(table, weights)["estimate"] == pytest.approx(
        cohen_kappa_score(first, second, weights=weights), abs=1e-12)


def test_interrater_table_on_demo(demo: dict) -> None:
    from workbench.risk import score_assessments

    first = score_assessments(demo["risk_assessments"])
    second = score_assessments(demo["risk_second_ratings"])
    table = interrater_reliability(first[first["assessment_id"].isin(second["assessment_id"])], second)
    assert table["measure"].tolist() == ["icc_a1_total", "weighted_kappa_linear", "weighted_kappa_quadratic",
                                         "exact_agreement_level"]
    # the generator moves 12% of answers by one step: agreement high but not perfect
    icc = table.set_index("measure").loc["icc_a1_total"]
    assert 0.8 < icc["estimate"] < 1.0 and icc["ci_low"] < icc["estimate"] < icc["ci_high"]
    # cross-check the point estimate of quadratic kappa on the same pairs with scikit-learn
    pairs = first.merge(second, on="assessment_id").dropna(subset=["risk_level_x", "risk_level_y"])
    order = {"low": 0, "medium": 1, "high": 2}
    reference = cohen_kappa_score(pairs["risk_level_x"].map(order), pairs["risk_level_y"].map(order), weights="quadratic")
    assert table.set_index("measure").loc["weighted_kappa_quadratic", "estimate"] == pytest.approx(reference)
    assert list(table.columns) == ["measure", *ROW]
