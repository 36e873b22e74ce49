"""Confidence intervals of proportions: the logit interval (R's ``svyciprop``) and Wald.

References:
* R's definition of ``svyciprop(method="logit")``: the confint of the intercept of the
  intercept-only quasibinomial ``svyglm``, with df = ``degf(design)``, back-transformed
  (survey package documentation, ``?svyciprop``). Checked here through the workbench's own
  GLM path (statsmodels fit + sandwich variance), which shares no code with the interval.
* svy 0.35, whose ``prop`` default (``ci_method="logit"``) is the same interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import svy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from workbench.errors import WorkbenchError
from workbench.survey import SurveyDesign
from workbench.survey.intervals import logit_interval, t_interval

API = Path(__file__).resolve().parents[1] / "fixtures" / "survey"


def test_logit_interval_equals_the_intercept_only_binomial_glm(apiclus1):
    """R: svyciprop(~I(sch.wide == "Yes"), dclus1, method = "logit")."""
    frame = apiclus1.assign(yes=(apiclus1["sch.wide"] == "Yes").astype(float))
    design = SurveyDesign(frame, psu="dnum", weights="pw", fpc="fpc")
    share = design.proportion("sch.wide").set_index("category").loc["Yes"]
    model = design.glm("yes ~ 1", family="binomial")
    crit = stats.t.ppf(0.975, design.degf())
    low = special.expit(model.params["Intercept"] - crit * model.bse["Intercept"])
    high = special.expit(model.params["Intercept"] + crit * model.bse["Intercept"])
    assert share["estimate"] == pytest.approx(special.expit(model.params["Intercept"]),
                                              rel=1e-9)
    assert share["ci_low"] == pytest.approx(low, rel=1e-8)
    assert share["ci_high"] == pytest.approx(high, rel=1e-8)
    assert share["ci_low"] < share["estimate"] < share["ci_high"]


def test_domain_logit_intervals_agree_with_svy(dclus1):
    frame = pl.read_csv(API / "apiclus1.csv", null_values="NA")
    sample = svy.Sample(frame, svy.Design(psu="dnum", wgt="pw", pop_size="fpc"))
    ref = (sample.estimation.prop("sch.wide", by="stype", ci_method="logit").to_polars()
           .sort(["stype", "sch.wide"]))
    ours = dclus1.proportion("sch.wide", by="stype").sort_values(["stype", "category"])
    assert list(ours["category"]) == ref["sch.wide"].to_list()
    np.testing.assert_allclose(ours["estimate"], ref["est"], rtol=1e-10)
    np.testing.assert_allclose(ours["se"], ref["se"], rtol=1e-8)
    np.testing.assert_allclose(ours["ci_low"], ref["lci"], rtol=1e-8)
    np.testing.assert_allclose(ours["ci_high"], ref["uci"], rtol=1e-8)


def test_crosstab_percentages_use_the_same_interval(dclus1):
    table = dclus1.crosstab("stype", "sch.wide").table
    rows = dclus1.proportion("sch.wide", by="stype").sort_values(["stype", "category"])
    # A row percentage is the proportion within the row's domain; the crosstab uses the
    # whole table's df (R's svychisq / svytable convention) where proportion(by=) uses the
    # domain's, so compare the interval rebuilt with the crosstab's own df.
    low, high = logit_interval(rows["estimate"].to_numpy(), rows["se"].to_numpy(),
                               table["df"].to_numpy(), 0.95)
    np.testing.assert_allclose(table["row_percent"] / 100, rows["estimate"], rtol=1e-10)
    np.testing.assert_allclose(table["row_percent_ci_low"] / 100, low, rtol=1e-8)
    np.testing.assert_allclose(table["row_percent_ci_high"] / 100, high, rtol=1e-8)


def test_wald_option_gives_the_symmetric_t_interval(dclus1):
    wald = dclus1.proportion("stype", interval="wald")
    low, high = t_interval(wald["estimate"], wald["se"], wald["df"], 0.95)
    np.testing.assert_allclose(wald["ci_low"], low)
    np.testing.assert_allclose(wald["ci_high"], high)
    np.testing.assert_allclose(wald["ci_high"] - wald["estimate"],
                               wald["estimate"] - wald["ci_low"])


def test_share_of_zero_has_no_logit_interval():
    """The logit of 0 is infinite: NaN bounds, as svy (R's svyglm does not converge)."""
    frame = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "w": 1.0,
                          "answer": ["no", "no", "no", "no", "no", "yes"],
                          "group": ["a", "a", "a", "b", "b", "b"]})
    table = SurveyDesign(frame, weights="w", psu="psu").proportion("answer", by="group")
    zero = table[(table["group"] == "a") & (table["category"] == "yes")].iloc[0]
    assert zero["estimate"] == 0 and np.isnan(zero["ci_low"]) and np.isnan(zero["ci_high"])


def test_unknown_interval_is_a_clear_error(dclus1):
    with pytest.raises(WorkbenchError, match="interval"):
        dclus1.proportion("stype", interval="exact")
    with pytest.raises(WorkbenchError, match="interval"):
        dclus1.crosstab("stype", "sch.wide", interval="beta")


@settings(max_examples=200, deadline=None)
@given(p=st.floats(1e-6, 1 - 1e-6), se=st.floats(0, 0.5), df=st.integers(1, 500))
def test_logit_interval_lies_in_zero_one_around_the_estimate(p, se, df):
    low, high = logit_interval(np.array([p]), np.array([se]), df, 0.95)
    assert 0 <= low[0] <= p <= high[0] <= 1
    # The width on the logit scale is the delta-method one: 2 t se / (p (1 - p)) (checked
    # where the bounds are not so close to 0 or 1 that the logit of a bound loses digits).
    half_width = stats.t.ppf(0.975, df) * se / (p * (1 - p))
    if 1e-6 < half_width < 10 and 1e-4 < low[0] and high[0] < 1 - 1e-4:
        width = special.logit(high[0]) - special.logit(low[0])
        assert width == pytest.approx(2 * stats.t.ppf(0.975, df) * se / (p * (1 - p)),
                                      rel=1e-6)
