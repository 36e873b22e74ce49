"""The two quantile rules: the definition (default) and R's code for ``qrule="math"``.

Oracles: hand-calculated weighted CDFs (values 1, 2, 3); the figures of R's
``survey:::qrule_math`` on the same data (R 4.2.2, survey 4.1.1, run while writing this
test: ``qrule_math(c(1,2,3), c(5,1,1), 0.5)`` = 2, ``(..., 0)`` = 2,
``qrule_math(c(1,2,3), c(1,1,2), 0.5)`` = 2); a brute-force inverse CDF on random data
(property). The live-R module compares ``rule="R"`` with R on random designs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.survey import SurveyDesign


def _design(weights: list[float]) -> SurveyDesign:
    frame = pd.DataFrame({"y": [3.0, 1.0, 2.0][: len(weights)], "w": weights})
    return SurveyDesign(frame, weights="w")


def test_below_the_smallest_share_the_rules_differ():
    # y = 3, 1, 2 with weights 1, 5, 1: F(1) = 5/7, F(2) = 6/7, F(3) = 1
    design = _design([1.0, 5.0, 1.0])
    math = design.quantile("y", [0.0, 0.5, 5 / 7, 0.8, 1.0])
    r_code = design.quantile("y", [0.0, 0.5, 5 / 7, 0.8, 1.0], rule="R")
    # the definition: smallest value with F >= p
    assert math["estimate"].tolist() == [1.0, 1.0, 1.0, 2.0, 3.0]
    # R: below 5/7 (and at p = 0) its last() falls back to position 1 and moves on to 2
    assert r_code["estimate"].tolist() == [2.0, 2.0, 1.0, 2.0, 3.0]


def test_exact_cdf_step_is_the_same_in_both_rules():
    # weights 2, 1, 1 on y = 3, 1, 2: F(1) = 1/4, F(2) = 1/2; p = 1/2 lands on the step
    design = _design([2.0, 1.0, 1.0])
    for rule in ("math", "R"):
        assert design.quantile("y", 0.5, rule=rule)["estimate"].iloc[0] == 2.0


def test_default_rule_is_the_inverse_cdf():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"y": rng.integers(0, 30, 200).astype(float),
                          "w": rng.uniform(0.5, 3.0, 200)})
    design = SurveyDesign(frame, weights="w")
    probabilities = np.linspace(0.01, 0.99, 37)
    ours = design.quantile("y", probabilities)["estimate"].to_numpy()
    values = np.unique(frame["y"])
    cdf = np.array([frame.loc[frame["y"] <= v, "w"].sum() for v in values]) / frame["w"].sum()
    brute = [values[np.argmax(cdf >= p - 1e-12)] for p in probabilities]
    np.testing.assert_array_equal(ours, brute)
    # away from the lower edge R's code gives the same values
    r_code = design.quantile("y", probabilities, rule="R")["estimate"].to_numpy()
    np.testing.assert_array_equal(r_code, ours)


def test_unknown_rule_is_an_error():
    with pytest.raises(WorkbenchError, match="quantile rule"):
        _design([1.0, 1.0, 1.0]).quantile("y", 0.5, rule="hf7")
