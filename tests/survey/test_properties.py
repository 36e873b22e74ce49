"""Properties that must hold whatever the data (hypothesis), plus hand-calculable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.survey import SurveyDesign

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def survey_frames(draw, min_rows: int = 6, max_rows: int = 40) -> pd.DataFrame:
    n = draw(st.integers(min_rows, max_rows))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    strata = np.repeat([0, 1], [n // 2, n - n // 2])
    psu = np.concatenate([np.arange(n // 2) // 2, 100 + np.arange(n - n // 2) // 2])
    return pd.DataFrame({
        "stratum": strata, "psu": psu,
        "w": rng.uniform(0.5, 5.0, n),
        "y": rng.normal(10, 3, n).round(2),
        "sex": rng.choice(["f", "m"], n),
        "region": rng.choice(["a", "b", "c"], n),
    })


@SETTINGS
@given(frame=survey_frames())
def test_raked_weights_reproduce_every_margin(frame):
    sex = {"f": 600.0, "m": 400.0}
    region = {"a": 300.0, "b": 500.0, "c": 200.0}
    present_sex = {k: v for k, v in sex.items() if k in set(frame["sex"])}
    present_region = {k: v for k, v in region.items() if k in set(frame["region"])}
    # Rescale so both margins total 1000 over the categories present.
    present_sex = {k: v * 1000 / sum(present_sex.values()) for k, v in present_sex.items()}
    present_region = {k: v * 1000 / sum(present_region.values())
                      for k, v in present_region.items()}
    design = SurveyDesign(frame, weights="w", strata="stratum", psu="psu",
                          lonely_psu="certainty")
    raked = design.rake({"sex": present_sex, "region": present_region}, max_iter=500,
                        require_convergence=False)
    if not raked.convergence["converged"].iloc[-1]:
        return  # some small tables have no raking solution; nothing to check
    for variable, targets in (("sex", present_sex), ("region", present_region)):
        sums = pd.Series(raked.weights).groupby(frame[variable].to_numpy()).sum()
        for level, target in targets.items():
            assert sums[level] == pytest.approx(target, rel=1e-8)


@SETTINGS
@given(frame=survey_frames(), seed=st.integers(0, 1000))
def test_estimates_do_not_depend_on_row_order(frame, seed):
    design = SurveyDesign(frame, weights="w", strata="stratum", psu="psu",
                          lonely_psu="certainty")
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = SurveyDesign(frame.iloc[order].reset_index(drop=True), weights="w",
                            strata="stratum", psu="psu", lonely_psu="certainty")
    for method, args in (("mean", ("y",)), ("total", ("y",)), ("proportion", ("region",))):
        a = getattr(design, method)(*args, by="sex")
        b = getattr(shuffled, method)(*args, by="sex")
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
        np.testing.assert_allclose(a["se"], b["se"], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(frame=survey_frames(min_rows=3))
def test_srs_mean_se_equals_textbook_formula(frame):
    # One PSU per respondent, no strata, no fpc: the linearised variance of the weighted
    # mean is n/(n-1) sum w_i^2 (y_i - ybar_w)^2 / (sum w)^2 (Cochran 1977, ratio
    # estimator with replacement).
    design = SurveyDesign(frame, weights="w")
    row = design.mean("y").iloc[0]
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    n = len(y)
    ybar = np.sum(w * y) / w.sum()
    variance = n / (n - 1) * np.sum(w**2 * (y - ybar) ** 2) / w.sum() ** 2
    assert row["estimate"] == pytest.approx(ybar, rel=1e-12)
    assert row["se"] == pytest.approx(np.sqrt(variance), rel=1e-9)
    assert row["df"] == n - 1


def test_unweighted_srs_matches_scipy_sem():
    # Equal weights, no design: SE of the mean is the ordinary standard error s/sqrt(n)
    # and the CI is the t interval (scipy as the independent reference).
    y = np.array([3.0, 7.5, 1.2, 9.9, 4.4, 6.0, 5.5])
    design = SurveyDesign(pd.DataFrame({"y": y}))
    row = design.mean("y").iloc[0]
    assert row["se"] == pytest.approx(stats.sem(y), rel=1e-12)
    low, high = stats.t.interval(0.95, len(y) - 1, loc=y.mean(), scale=stats.sem(y))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-12)
    # R's deff uses the SRS-without-replacement variance with N_hat = sum of weights = n
    # here, so 1 - n/N_hat = 0 and the design effect is undefined: NaN, not inf.
    assert np.isnan(row["deff"])


def test_subset_equals_domain_and_keeps_psus(dclus1, apiclus1):
    # R's domain.R: a subset mean, the by-domain mean and a ratio estimator agree.
    subset = dclus1.subset(apiclus1["comp.imp"] == "Yes").mean("api00").iloc[0]
    by = dclus1.mean("api00", by="comp.imp").set_index("comp.imp").loc["Yes"]
    assert subset["se"] == pytest.approx(by["se"], rel=1e-12)
    flag = (apiclus1["comp.imp"] == "Yes").astype(float)
    data = apiclus1.assign(num=apiclus1["api00"] * flag, den=flag)
    ratio = SurveyDesign(data, weights="pw", psu="dnum", fpc="fpc").ratio("num", "den")
    assert subset["se"] == pytest.approx(ratio["se"].iloc[0], rel=1e-10)
    # Dropping the rows instead would understate the variance (fewer PSU deviations).
    dropped = SurveyDesign(apiclus1[apiclus1["comp.imp"] == "Yes"], weights="pw",
                           psu="dnum", fpc="fpc").mean("api00").iloc[0]
    assert dropped["estimate"] == pytest.approx(subset["estimate"])


def test_domain_mean_se_equals_glm_coefficient_se(dstrat, apistrat):
    # R's domain.R: svyglm(enroll ~ comp.imp - 1) coefficient SE = subset mean SE.
    model = dstrat.glm("enroll ~ C(comp.imp) + 0")
    yes = dstrat.subset(apistrat["comp.imp"] == "Yes").mean("enroll").iloc[0]
    assert model.bse["comp.imp[T.Yes]"] == pytest.approx(yes["se"], rel=1e-9)


def test_missing_codes_are_excluded_and_counted(apistrat):
    data = apistrat.copy()
    data.loc[:9, "api00"] = 999
    design = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc",
                          missing_codes={"api00": [999]})
    row = design.mean("api00").iloc[0]
    reference = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc").subset(
        np.arange(len(data)) >= 10).mean("api00").iloc[0]
    assert row["n_missing"] == 10
    assert row["n"] == 190
    assert row["estimate"] == pytest.approx(reference["estimate"], rel=1e-12)
    assert row["se"] == pytest.approx(reference["se"], rel=1e-12)


def test_brr_equals_linearisation_for_two_psu_strata():
    # With two PSUs per stratum, BRR variance of a total equals the with-replacement
    # linearisation variance exactly (Wolter 2007, sec. 3.3); Fay's variant too.
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"h": np.repeat(np.arange(6), 10),
                          "psu": np.repeat(np.arange(12), 5),
                          "w": rng.uniform(1, 3, 60), "y": rng.normal(size=60)})
    design = SurveyDesign(frame, weights="w", strata="h", psu="psu")
    taylor = design.total("y")["se"].iloc[0]
    assert design.brr().total("y")["se"].iloc[0] == pytest.approx(taylor, rel=1e-10)
    assert design.brr(fay_rho=0.5).total("y")["se"].iloc[0] == pytest.approx(taylor,
                                                                              rel=1e-10)
    # JKn is exact for totals too.
    assert design.jackknife().total("y")["se"].iloc[0] == pytest.approx(taylor, rel=1e-10)


def test_bootstrap_is_seeded_and_close_to_linearisation(dclus1):
    a = dclus1.bootstrap(replicates=200, seed=3).mean("api00").iloc[0]
    b = dclus1.bootstrap(replicates=200, seed=3).mean("api00").iloc[0]
    assert a["se"] == b["se"]
    taylor = dclus1.mean("api00").iloc[0]["se"]
    assert 0.7 * taylor < a["se"] < 1.4 * taylor


def test_lonely_psu_options():
    frame = pd.DataFrame({"h": [1, 1, 2, 2, 3], "psu": [1, 2, 3, 4, 5],
                          "w": [1.0, 2.0, 1.5, 1.0, 3.0], "y": [1.0, 2.0, 3.0, 5.0, 8.0]})
    se = {}
    for option in ("certainty", "remove", "average", "adjust"):
        design = SurveyDesign(frame, weights="w", strata="h", psu="psu", lonely_psu=option)
        se[option] = design.total("y")["se"].iloc[0]
    assert se["certainty"] == se["remove"]
    # average: the two-PSU strata's variance scaled by 3 strata / 2 usable strata.
    assert se["average"] ** 2 == pytest.approx(se["certainty"] ** 2 * 1.5, rel=1e-12)
    # adjust: the lonely PSU total (3 x 8 = 24) deviates from the mean PSU total.
    totals = frame["w"] * frame["y"]
    extra = (24.0 - totals.mean()) ** 2
    assert se["adjust"] ** 2 == pytest.approx(se["certainty"] ** 2 + extra, rel=1e-12)


def test_weighting_diagnostics(dclus1):
    raked = dclus1.rake({"stype": {"E": 4421, "H": 755, "M": 1018},
                         "sch.wide": {"No": 1072, "Yes": 5122}})
    diag = raked.weighting_diagnostics.set_index(["section", "category"])
    w = raked.weights
    assert diag.loc[("weights", "kish_deff"), "after"] == pytest.approx(
        len(w) * np.sum(w**2) / np.sum(w) ** 2)
    assert diag.loc[("weights", "effective_n"), "before"] == pytest.approx(183.0)
    assert raked.convergence["converged"].all()
