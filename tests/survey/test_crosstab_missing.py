"""Crosstab tests with missing values follow R's ``svychisq``: the rows with a missing value
stay in the design as out-of-domain rows (issue 18).

Oracles: properties that R's rule implies (``survey:::svychisq.survey.design``: X^2 scaled
to ``N = nrow(mm)``, every row; ``nu`` = PSUs minus strata of the whole design), checked on
a design before and after rows with a missing value are added; R's figures for subsets of
apiclus1 (R 4.2.2, survey 4.1.1, printed with 12 digits while writing this test). The
live-R module compares the same statistics with R on random designs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.survey import SurveyDesign


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(18)
    n = 240
    psu = np.repeat(np.arange(24), 10)
    a = rng.integers(0, 3, n)
    b = (rng.random(n) < 0.3 + 0.15 * a).astype(int)
    return pd.DataFrame({"h": psu % 3, "psu": psu, "w": rng.uniform(1, 4, n),
                         "a": a.astype(float), "b": b})


def _test(data: pd.DataFrame) -> dict:
    return SurveyDesign(data, weights="w", strata="h", psu="psu").crosstab("a", "b").test


def test_missing_rows_in_existing_psus_scale_only_pearson(frame):
    extra = frame.iloc[::4].assign(a=np.nan)  # 60 rows, all in PSUs already sampled
    before = _test(frame)
    after = _test(pd.concat([frame, extra], ignore_index=True))
    # cell shares and their domain variance do not change, so neither do these
    for key in ("F", "ndf", "ddf", "p_value", "chisq", "chisq_p_value"):
        assert after[key] == pytest.approx(before[key], rel=1e-10)
    # X^2 is scaled to every row of the design: 300 instead of 240
    assert after["pearson"] == pytest.approx(before["pearson"] * 300 / 240, rel=1e-10)


def test_missing_rows_in_new_psus_count_in_the_design_df(frame):
    extra = frame.iloc[:20].assign(psu=frame["psu"].iloc[:20] + 100, a=np.nan)  # 2 new PSUs
    design = SurveyDesign(pd.concat([frame, extra], ignore_index=True), weights="w",
                          strata="h", psu="psu")
    test = design.crosstab("a", "b").test
    assert design.degf() == 26 - 3
    assert test["ddf"] == pytest.approx(test["ndf"] * 23, rel=1e-12)
    table = design.crosstab("a", "b").table
    assert (table["n_missing"] == 20).all()
    assert (table["df"] == 24 - 3).all()  # the table's intervals keep the domain df


# R: dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
#    ps <- postStratify(dclus1, ~stype, data.frame(stype=c("E","H","M"),
#                                                  Freq=c(4421, 755, 1018)))
#    svychisq(~stype + awards, subset(<design>, comp.imp == "Yes"), statistic=...)
# F, ndf, ddf, p (statistic="F"); X-squared, p (statistic="Chisq")
R_SUBSETS = {
    "uncalibrated": (3.9282391488410, 1.1207178819741, 14.5693324656632, 0.0630457562236,
                     7.0549679487179, 0.0196782926081),
    # a calibrated design's subset keeps every row in R: N = 183 rows and 15 PSUs
    "post-stratified": (3.9918728187652, 1.1504842367409, 16.1067793143732,
                        0.0582763127188, 10.9775636763767, 0.0184650999312),
}


@pytest.mark.parametrize("kind", list(R_SUBSETS))
def test_subset_tests_match_r(dclus1, apiclus1, kind):
    design = dclus1
    if kind == "post-stratified":
        design = dclus1.poststratify("stype", {"E": 4421, "H": 755, "M": 1018})
    test = design.subset(apiclus1["comp.imp"] == "Yes").crosstab("stype", "awards").test
    ours = [test[key] for key in ("F", "ndf", "ddf", "p_value", "pearson", "chisq_p_value")]
    assert ours == pytest.approx(R_SUBSETS[kind], rel=1e-9)
