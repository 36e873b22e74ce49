"""Linear calibration that produces negative weights (issue 18, point 1).

Oracles: (1) a property that must hold: the calibrated total of a calibration variable is
its target, with SE 0, because its calibration residuals vanish; (2) R survey 4.1.1, run
on this machine with the script below (values printed with ``options(digits=15)``); the
live-R module (test_live_r.py) repeats such comparisons on random designs.

    d <- read.csv("tests/fixtures/survey/apiclus1.csv")
    dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=d)
    g <- calibrate(dclus1, ~api.stu, c(`(Intercept)`=6194, api.stu=6194*300))
    sum(weights(g) < 0)                              # 13, min -49.9
    svymean(~api00, g); svytotal(~enroll, g, na.rm=TRUE)
    svyby(~api00, ~stype, g, svymean); degf(subset(g, stype=="E"))
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from workbench.survey.weighting import NegativeWeightsWarning

TARGETS = {"(Intercept)": 6194, "api.stu": 6194 * 300}


@pytest.fixture(scope="module")
def calibrated(dclus1):
    with pytest.warns(NegativeWeightsWarning, match="bounds"):
        return dclus1.calibrate(TARGETS)


def test_calibration_gives_negative_weights(calibrated):
    assert int((calibrated.weights < 0).sum()) == 13  # R: sum(weights(g) < 0)
    assert calibrated.weights.min() == pytest.approx(-49.8965, abs=1e-4)
    low = calibrated.weighting_diagnostics.query("category == 'min'")["after"].iloc[0]
    assert low < 0


def test_own_total_is_reproduced_with_zero_se(calibrated):
    row = calibrated.total("api.stu").iloc[0]
    assert row["estimate"] == pytest.approx(6194 * 300, rel=1e-12)
    assert row["se"] < 1e-6 * row["estimate"]
    count = calibrated.total("fpc").iloc[0]  # fpc is constant (757): 757 x N
    assert count["estimate"] == pytest.approx(757 * 6194, rel=1e-12)
    assert count["se"] < 1e-6 * count["estimate"]


def test_estimates_match_r(calibrated):
    mean = calibrated.mean("api00").iloc[0]
    assert mean["estimate"] == pytest.approx(652.066064409894, rel=1e-10)
    assert mean["se"] == pytest.approx(20.0978476416863, rel=1e-8)
    assert mean["df"] == 14  # every PSU keeps its nonzero-weight rows
    total = calibrated.total("enroll").iloc[0]
    assert total["estimate"] == pytest.approx(2178280.20937601, rel=1e-10)
    assert total["se"] == pytest.approx(40466.6697378146, rel=1e-8)


def test_domains_are_the_subset_mask_not_the_weight_sign(calibrated, apiclus1):
    by = calibrated.mean("api00", by="stype").set_index("stype")
    expected = {"E": (651.037854087132, 21.8218333122025),
                "H": (800.015624247826, 460.1958312594871),
                "M": (635.813296258088, 41.6632833378671)}
    for level, (estimate, se) in expected.items():
        assert by.loc[level, "estimate"] == pytest.approx(estimate, rel=1e-10)
        assert by.loc[level, "se"] == pytest.approx(se, rel=1e-8)
    subset = calibrated.subset(apiclus1["stype"] == "E").mean("api00").iloc[0]
    assert subset["estimate"] == pytest.approx(651.037854087132, rel=1e-10)
    assert subset["se"] == pytest.approx(21.8218333122025, rel=1e-8)
    assert subset["df"] == 14  # R: degf(subset(g, stype == "E"))
    # n counts every row of the domain, whatever the sign of its weight
    assert subset["n"] == int((apiclus1["stype"] == "E").sum())


def test_bounds_keep_weights_positive_without_warning(dclus1):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeWeightsWarning)
        bounded = dclus1.calibrate(TARGETS, bounds=(0.1, 10), max_iter=200)
    assert (bounded.weights > 0).all()
    assert np.isclose(bounded.weights.sum(), 6194, rtol=1e-9)
