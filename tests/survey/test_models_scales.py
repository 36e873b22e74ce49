"""Models against statsmodels (point estimates) and scales against hand calculation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.miscmodels.ordinal_model import OrderedModel

from workbench.survey import SurveyDesign, cronbach_alpha, reverse_code, scale_index


def test_glm_coefficients_match_statsmodels(apistrat):
    # Weighted-likelihood coefficients equal statsmodels GLM with the same (frequency)
    # weights; only the standard errors differ (design-based here).
    data = apistrat.assign(high=(apistrat["api00"] > 700).astype(int))
    design = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    x = sm.add_constant(data[["ell", "meals"]])
    for family, response, sm_family in (("binomial", "high", sm.families.Binomial()),
                                        ("poisson", "meals", sm.families.Poisson()),
                                        ("gaussian", "api00", sm.families.Gaussian())):
        formula = f"{response} ~ ell" if response == "meals" else f"{response} ~ ell + meals"
        cols = ["const", "ell"] if response == "meals" else ["const", "ell", "meals"]
        reference = sm.GLM(data[response], x[cols], family=sm_family,
                           freq_weights=data["pw"]).fit(tol=1e-12)
        ours = design.glm(formula, family=family)
        np.testing.assert_allclose(ours.params.to_numpy(), reference.params.to_numpy(),
                                   rtol=1e-7)


def test_ordinal_logit_matches_statsmodels_unweighted(apistrat):
    # With equal weights and element sampling the point estimates are the ordinary
    # proportional-odds MLE (statsmodels OrderedModel, same sign convention).
    data = apistrat.assign(band=pd.cut(apistrat["api00"], [0, 600, 700, 800, 1000],
                                       labels=False))
    design = SurveyDesign(data)
    ours = design.ordinal_logit("band ~ ell + meals")
    model = OrderedModel(data["band"], data[["ell", "meals"]], distr="logit")
    fit = model.fit(method="newton", disp=False, maxiter=200)
    cuts = model.transform_threshold_params(fit.params)[1:-1]
    np.testing.assert_allclose(ours.params[["ell", "meals"]], fit.params[["ell", "meals"]],
                               rtol=1e-5)
    np.testing.assert_allclose(ours.params[["0|1", "1|2", "2|3"]], cuts, rtol=1e-5)
    # Design-based SEs for a with-replacement SRS are close to the model-based ones.
    np.testing.assert_allclose(ours.bse[["ell", "meals"]], fit.bse[["ell", "meals"]],
                               rtol=0.35)


def test_reverse_code_and_index():
    data = pd.DataFrame({"q1": [1, 5, 3, 99], "q2": [2, np.nan, 4, 5], "q3": [5, 4, 99, 1]})
    codes = {"q1": [99], "q3": [99]}
    reversed_ = reverse_code(data, ["q1"], 1, 5, missing_codes=codes)
    assert reversed_["q1"].tolist() == [5, 1, 3, 99]  # 6 - x, code 99 untouched
    assert data["q1"].tolist() == [1, 5, 3, 99]       # input unchanged
    mean = scale_index(data, ["q1", "q2", "q3"], min_answered=2, missing_codes=codes)
    # row 1: (1+2+5)/3; row 2: (5+4)/2; row 3: (3+4)/2; row 4: (5+1)/2
    assert mean.tolist() == pytest.approx([8 / 3, 4.5, 3.5, 3.0])
    strict = scale_index(data, ["q1", "q2", "q3"], min_answered=3, missing_codes=codes)
    assert strict.isna().tolist() == [False, True, True, True]
    total = scale_index(data, ["q1", "q2", "q3"], method="sum", min_answered=2,
                        missing_codes=codes)
    assert total.iloc[1] == pytest.approx(13.5)  # prorated: mean 4.5 x 3 items


def test_cronbach_alpha_hand_calculation():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    result = cronbach_alpha(items, ["a", "b", "c"])
    # Hand calculation: item variances (ddof 0) 2.0, 1.36, 1.76; total scores
    # 4, 7, 9, 13, 14 with variance 13.84; alpha = 3/2 (1 - 5.12/13.84) = 0.945087...
    assert result.alpha == pytest.approx(1.5 * (1 - 5.12 / 13.84), rel=1e-12)
    # alpha without item b: variances 2.0 and 1.76, total (a+c) variance 7.36
    row_b = result.items.set_index("item").loc["b"]
    assert row_b["alpha_if_deleted"] == pytest.approx(2 * (1 - 3.76 / 7.36), rel=1e-12)
    # corrected item-total correlation of b with a + c (numpy as the reference)
    expected = np.corrcoef(items["b"], items["a"] + items["c"])[0, 1]
    assert row_b["item_total_correlation"] == pytest.approx(expected, rel=1e-12)


def test_weighted_alpha_equals_alpha_on_replicated_rows():
    rng = np.random.default_rng(1)
    items = pd.DataFrame(rng.integers(1, 6, size=(30, 4)), columns=list("abcd"))
    weights = rng.integers(1, 4, size=30)
    weighted = cronbach_alpha(items, list("abcd"), weights=weights.astype(float))
    expanded = cronbach_alpha(items.loc[items.index.repeat(weights)], list("abcd"))
    assert weighted.alpha == pytest.approx(expanded.alpha, rel=1e-12)
    pd.testing.assert_frame_equal(weighted.items, expanded.items)


def test_design_alpha_uses_design_weights(dstrat, apistrat):
    items = ["api00", "api99"]
    result = dstrat.cronbach_alpha(items)
    direct = cronbach_alpha(apistrat, items, weights=apistrat["pw"].to_numpy())
    assert result.alpha == pytest.approx(direct.alpha)


def test_glm_on_a_jackknife_design_matches_the_jackknife_mean(dclus1):
    # An intercept-only gaussian model estimates the mean, and a replicate design refits it
    # with every replicate's weights, so its SE must equal the jackknife SE of the mean
    # (R: svyglm(api00 ~ 1, as.svrepdesign(dclus1)) and svymean agree the same way).
    jk = dclus1.jackknife()
    mean = jk.mean("api00").iloc[0]
    model = jk.glm("api00 ~ 1", family="gaussian")
    assert model.params["Intercept"] == pytest.approx(mean["estimate"], rel=1e-10)
    assert model.bse["Intercept"] == pytest.approx(mean["se"], rel=1e-8)
