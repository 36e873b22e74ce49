"""The two chi-square figures of ``crosstab`` (issue 18, point 3).

Oracle: R survey 4.1.1 run on this machine (``options(digits=15)``):

    d <- read.csv("tests/fixtures/survey/apiclus1.csv")
    dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=d)
    a <- svychisq(~sch.wide+stype, dclus1, statistic="Chisq")
    # prints X-squared = 11.941, df = 2, p-value = 0.005553
    a$statistic  # 11.9408920807453   (uncorrected Pearson X^2)
    a$p.value    # 0.00555326330311322 (from the first-order corrected statistic)
    b <- svychisq(~sch.wide+stype, dclus1)  # F 5.19336954147488, ndf 1.49463977770746,
                                            # ddf 20.92495688790438, p 0.0217474623707969

The corrected statistic R uses for its p-value is qchisq(p, 2, lower=FALSE), 10.3867; with
two degrees of freedom it is -2 log(p) (hand calculation).
"""

from __future__ import annotations

import math

import pytest


@pytest.fixture(scope="module")
def test_result(dclus1):
    return dclus1.crosstab("sch.wide", "stype").test


def test_pearson_is_the_figure_r_prints(test_result):
    assert test_result["pearson"] == pytest.approx(11.9408920807453, rel=1e-10)


def test_chisq_is_the_first_order_corrected_statistic(test_result):
    assert test_result["chisq_df"] == 2
    assert test_result["chisq_p_value"] == pytest.approx(0.00555326330311322, rel=1e-9)
    assert test_result["chisq"] == pytest.approx(-2 * math.log(0.00555326330311322),
                                                 rel=1e-9)
    assert test_result["chisq"] == pytest.approx(10.3867, abs=5e-5)
    # first order: Pearson X^2 divided by the mean generalised design effect
    mean_effect = test_result["design_effects"].mean()
    assert test_result["chisq"] == pytest.approx(test_result["pearson"] / mean_effect,
                                                 rel=1e-12)


def test_second_order_f_matches_r(test_result):
    assert test_result["F"] == pytest.approx(5.19336954147488, rel=1e-9)
    assert test_result["ndf"] == pytest.approx(1.49463977770746, rel=1e-9)
    assert test_result["ddf"] == pytest.approx(20.92495688790438, rel=1e-9)
    assert test_result["p_value"] == pytest.approx(0.0217474623707969, rel=1e-8)
