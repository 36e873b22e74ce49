"""Seeded random survey designs, the workbench's estimates on them, and the R script that
computes the same estimates with R's survey package (the oracle of test_live_r.py).

Every case is a data frame and a design: one or two stages or element sampling, with or
without fpc (at stage 1 only, or at both stages), 1-8 strata, PSU codes repeated across
strata (R's ``nest=TRUE``), unequal weights, missing values in an outcome and in a
category, text or integer codes, rows shuffled or sorted. ``workbench_values`` and the R
script emit the same keys (positions, never labels, so that 1 and "1" cannot differ);
``r_script`` writes one CSV of ``case,key,value`` for all cases.

Where R's defaults stop early, R's control is tightened (never the test's tolerance):
``rake(control=list(maxit=1000, epsilon=1e-13))`` (R's default epsilon=1 stops at one
unit of weighted count), ``svyglm(control=glm.control(epsilon=1e-13, maxit=100))``,
``svyolr(control=list(reltol=1e-16, maxit=10000, ndeps=1e-5))`` (BFGS stops at a relative
change of 1e-8 by default, and its numerical Hessian uses steps of 1e-3). For the crosstab
of a subset, R's factors lose the levels the subset does not hold (``droplevels``), which
the workbench never tabulates; R would otherwise give X^2 = NaN for an empty table row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.survey import SurveyDesign

QUANTILES = (0.25, 0.5, 0.9)
CHISQ_KEYS = ("F", "ndf", "ddf", "p_value", "pearson", "chisq_p_value")


@dataclass
class Case:
    """One random design: its data, design columns and the population totals used to
    post-stratify, rake and calibrate it."""

    name: str
    data: pd.DataFrame
    strata: str | None
    psu: list[str]
    fpc: list[str]
    text: bool
    post: dict = field(default_factory=dict)       # c level -> N
    rake_k: dict = field(default_factory=dict)     # k level -> N (same total as post)
    calib_x: float = 0.0                           # population total of x
    r_fpc: list[str] = field(default_factory=list)  # the same fpc as R must be told

    def design(self) -> SurveyDesign:
        return SurveyDesign(self.data, weights="w", strata=self.strata, psu=self.psu or None,
                            fpc=self.fpc or None)


def _labels(codes: np.ndarray, text: bool, prefix: str) -> np.ndarray:
    if text:
        return np.array([f"{prefix}{int(c):02d}" for c in codes], dtype=object)
    return codes.astype(np.int64)


def make_case(index: int) -> Case:
    """The seeded random design number ``index`` (layout cycles with the index)."""
    rng = np.random.default_rng(18_000 + index)
    layout = ["one-stage", "two-stage", "element"][index % 3]
    fpc_mode = ["none", "stage1", "all"][(index // 3) % 3]
    text = index % 2 == 1
    n_strata = int(rng.integers(1, 9))
    rows = []
    for h in range(1, n_strata + 1):
        if layout == "element":
            n_psu = int(rng.integers(8, 20))
        else:  # few strata get more PSUs, so that every case has some 50+ rows
            n_psu = int(rng.integers(2, 6) if n_strata > 2 else rng.integers(4, 9))
        population_psu = n_psu * int(rng.integers(2, 8))
        base = float(rng.uniform(5, 40))
        for p in range(1, n_psu + 1):
            if layout == "element":
                n_ssu, sizes = 1, [1]
            elif layout == "one-stage":
                n_ssu, sizes = 1, [int(rng.integers(3, 12))]
            else:
                n_ssu = int(rng.integers(2, 4))
                sizes = [int(rng.integers(2, 7)) for _ in range(n_ssu)]
            population_ssu = n_ssu * int(rng.integers(1, 5))
            for s, size in enumerate(sizes, start=1):
                for _ in range(size):
                    rows.append((h, p, s, population_psu, population_ssu,
                                 base * float(rng.uniform(0.5, 2.0))))
    frame = pd.DataFrame(rows, columns=["h", "p1", "p2", "N1", "N2", "w"])
    n = len(frame)
    if layout == "element":  # element sampling: the fpc is the stratum's population size
        frame["N1"] = frame.groupby("h")["h"].transform("size") * int(rng.integers(2, 8))
    stratum_effect = rng.normal(0, 3, n_strata + 1)[frame["h"]]
    x = rng.gamma(4.0, 5.0, n) + 1.0
    frame["x"] = x
    frame["z"] = rng.normal(10, 4, n) + 0.2 * x
    c = rng.integers(0, 3, n)
    k = rng.integers(0, 2, n)
    g = rng.integers(0, 3, n)
    frame["y"] = 50 + stratum_effect + 0.8 * x + 4 * c - 3 * k + rng.normal(0, 6, n)
    frame["b"] = (rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.05 * x - 0.5 * c)))).astype(int)
    latent = 0.06 * x + 0.1 * frame["z"] + rng.logistic(0, 1, n)
    frame["o"] = np.digitize(latent, np.quantile(latent, [0.3, 0.6, 0.85])) + 1
    frame.loc[(rng.random(n) < 0.06) | (np.arange(n) == 0), "y"] = np.nan
    frame["c"] = _labels(c, text, "c")
    frame["k"] = _labels(k, text, "k")
    g_labels = _labels(g, text, "g")
    if text:
        g_labels[(rng.random(n) < 0.05) | (np.arange(n) == 1)] = None
        frame["g"] = g_labels
    else:
        frame["g"] = pd.array(g_labels, dtype="Int64")
        frame.loc[(rng.random(n) < 0.05) | (np.arange(n) == 1), "g"] = pd.NA
    frame["h"] = _labels(frame["h"].to_numpy(), text, "s")
    frame["p1"] = _labels(frame["p1"].to_numpy(), text, "p")
    if index % 4 != 0:
        frame = frame.iloc[rng.permutation(n)].reset_index(drop=True)
    psu = {"one-stage": ["p1"], "two-stage": ["p1", "p2"], "element": []}[layout]
    if fpc_mode == "none":
        fpc: list[str] = []
    elif fpc_mode == "stage1" or layout != "two-stage":
        fpc = ["N1"]
    else:
        fpc = ["N1", "N2"]
    strata = "h" if n_strata > 1 else None
    case = Case(f"case{index:02d}", frame, strata, psu, fpc, text, r_fpc=list(fpc))
    if len(psu) == 2 and fpc == ["N1"]:
        # R needs an fpc per stage: a census at stage 2 is N2 = the SSUs sampled (m2)
        frame["m2"] = frame.groupby(["h", "p1"])["p2"].transform("nunique")
        case.r_fpc = ["N1", "m2"]
    weights = frame["w"].to_numpy()
    c_totals = pd.Series(weights).groupby(frame["c"].to_numpy()).sum().sort_index()
    c_pop = (c_totals * rng.uniform(0.8, 1.25, len(c_totals))).round()
    case.post = {level: float(v) for level, v in c_pop.items()}
    k_totals = pd.Series(weights).groupby(frame["k"].to_numpy()).sum().sort_index()
    k_pop = k_totals / k_totals.sum() * c_pop.sum() * np.array([1.1, 0.9])
    k_pop = k_pop / k_pop.sum() * c_pop.sum()
    case.rake_k = {level: float(v) for level, v in k_pop.items()}
    # every fourth case: a target far enough from the sample that linear calibration
    # gives negative weights
    stretch = 1.7 if index % 4 == 2 else float(rng.uniform(0.9, 1.1))
    case.calib_x = float(np.dot(weights, x) / weights.sum() * c_pop.sum() * stretch)
    return case


# ---------------------------------------------------------------- workbench side
def _put(out: list, case: Case, key: str, value: float, scale: float = 0.0) -> None:
    out.append((case.name, key, float(value), float(scale)))


def _put_frame(out: list, case: Case, prefix: str, frame: pd.DataFrame,
               columns: tuple[str, ...] = ("estimate", "se")) -> None:
    for j, row in enumerate(frame.itertuples(index=False)):
        for column in columns:
            _put(out, case, f"{prefix}.{j}.{column}", getattr(row, column))


def _put_model(out: list, case: Case, prefix: str, result) -> None:
    for j, (coef, se) in enumerate(zip(result.params, result.bse)):
        _put(out, case, f"{prefix}.{j}.coef", coef)
        _put(out, case, f"{prefix}.{j}.se", se)


def _put_quantiles(out: list, case: Case, d: SurveyDesign) -> None:
    """Quantiles with Woodruff CIs under ``rule="R"``, R's code for ``qrule="math"``: it
    differs from the default (the definition, the smallest value whose CDF reaches p) only
    where a CDF limit falls below the smallest value's weight share, where R returns the
    second smallest value; that happens for some lower CI limits of these cases."""
    frame = d.quantile("y", list(QUANTILES), rule="R")
    _put_frame(out, case, "quantile", frame, ("estimate", "se", "ci_low", "ci_high"))


def _put_chisq(out: list, case: Case, prefix: str, table) -> None:
    for key in CHISQ_KEYS:
        _put(out, case, f"{prefix}.{key}", table.test[key])


def _calibrated_values(out: list, case: Case, prefix: str, design: SurveyDesign) -> None:
    _put_frame(out, case, f"{prefix}.mean_y", design.mean("y"))
    _put_frame(out, case, f"{prefix}.total_z", design.total("z"))
    _put_frame(out, case, f"{prefix}.by_c", design.mean("y", by="c"))


def workbench_values(case: Case) -> list[tuple[str, str, float, float]]:
    """(case, key, value, scale) for every compared quantity; ``scale`` is the magnitude
    the tolerance is relative to when the value itself is (near) zero."""
    import warnings

    from workbench.survey.weighting import NegativeWeightsWarning

    d = case.design()
    data = case.data
    out: list = []
    _put_frame(out, case, "mean_y", d.mean("y"))
    _put_frame(out, case, "total_y", d.total("y"))
    _put_frame(out, case, "by_g", d.mean("y", by="g"))
    ciprop = d.proportion("b").query("category == 1")
    _put_frame(out, case, "ciprop", ciprop, ("estimate", "ci_low", "ci_high"))
    by_c = d.proportion("b", by="c").query("category == 1")
    _put_frame(out, case, "ciprop_c", by_c, ("estimate", "ci_low", "ci_high"))
    _put_frame(out, case, "prop_g", d.proportion("g", interval="wald"))
    _put_frame(out, case, "ratio", d.ratio("y", "x"))
    _put_quantiles(out, case, d)
    _put_model(out, case, "glm_gaussian", d.glm("y ~ x + C(g)"))
    _put_model(out, case, "glm_binomial", d.glm("b ~ x + C(c)", family="binomial"))
    _put_model(out, case, "olr", d.ordinal_logit("o ~ x + z"))
    _put_chisq(out, case, "chisq", d.crosstab("c", "k"))
    # g has missing values: its rows stay in the design as out-of-domain rows (R's rule)
    _put_chisq(out, case, "chisq_missing", d.crosstab("g", "c"))
    post = d.poststratify("c", case.post)
    _calibrated_values(out, case, "post", post)
    # a calibrated design's subset keeps every row (R's N and nu of the whole sample)
    first_k = sorted(case.rake_k)[0]
    _put_chisq(out, case, "post_sub.chisq", post.subset(data["k"] == first_k).crosstab("g", "c"))
    raked = d.rake({"c": case.post, "k": case.rake_k}, variance="R", tolerance=1e-14,
                   max_iter=1000)
    _calibrated_values(out, case, "rake", raked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeWeightsWarning)
        calibrated = d.calibrate({"x": case.calib_x, "c": case.post})
    _calibrated_values(out, case, "calib", calibrated)
    own = calibrated.total("x").iloc[0]
    _put(out, case, "calib.total_x.0.estimate", own["estimate"])
    _put(out, case, "calib.total_x.0.se", own["se"], scale=own["estimate"])
    _put(out, case, "calib.negative", int((calibrated.weights < 0).sum()))
    jk = d.jackknife()
    _put_frame(out, case, "jk.mean_y", jk.mean("y"))
    _put_frame(out, case, "jk.total_x", jk.total("x"))
    _put_frame(out, case, "jk.by_c", jk.mean("y", by="c"))
    first_c = sorted(case.post)[0]
    sub = d.subset(data["c"] == first_c)
    _put_frame(out, case, "sub.mean_y", sub.mean("y"))
    _put_frame(out, case, "sub.total_x", sub.total("x"))
    _put_frame(out, case, "sub.ratio", sub.ratio("y", "x"))
    _put_frame(out, case, "sub.by_k", sub.mean("y", by="k"))
    _put_chisq(out, case, "sub.chisq", sub.crosstab("g", "k"))
    return out


# ---------------------------------------------------------------- R side
R_HEADER = r"""
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail", survey.replicates.mse = FALSE)
out <- list()
put <- function(case, key, values) {
  values <- as.numeric(values)
  keys <- if (length(values) == 1) key else paste0(key, ".", seq_along(values) - 1)
  out[[length(out) + 1]] <<- data.frame(case = case, key = keys,
                                        value = sprintf("%.17g", values))
}
put_est <- function(case, key, est) {   # estimate and SE, one row per element
  e <- as.numeric(coef(est)); s <- as.numeric(SE(est))
  for (j in seq_along(e)) {
    put(case, paste0(key, ".", j - 1, ".estimate"), e[j])
    put(case, paste0(key, ".", j - 1, ".se"), s[j])
  }
}
put_by <- function(case, key, by) {
  put_est(case, key, by)
}
put_ci <- function(case, key, est, ci) {
  for (j in seq_along(est)) {
    put(case, paste0(key, ".", j - 1, ".estimate"), est[j])
    put(case, paste0(key, ".", j - 1, ".ci_low"), ci[j, 1])
    put(case, paste0(key, ".", j - 1, ".ci_high"), ci[j, 2])
  }
}
put_model <- function(case, key, model) {
  e <- coef(model); s <- sqrt(diag(vcov(model)))  # svyolr: coefficients, then zeta
  for (j in seq_along(e)) {
    put(case, paste0(key, ".", j - 1, ".coef"), e[j])
    put(case, paste0(key, ".", j - 1, ".se"), s[j])
  }
}
put_chisq <- function(case, key, formula, d) {
  f <- svychisq(formula, d)
  put(case, paste0(key, ".F"), f$statistic)
  put(case, paste0(key, ".ndf"), f$parameter[1])
  put(case, paste0(key, ".ddf"), f$parameter[2])
  put(case, paste0(key, ".p_value"), f$p.value)
  x2 <- svychisq(formula, d, statistic = "Chisq")
  put(case, paste0(key, ".pearson"), x2$statistic)
  put(case, paste0(key, ".chisq_p_value"), x2$p.value)
}
calibrated <- function(case, key, d) {
  put_est(case, paste0(key, ".mean_y"), svymean(~y, d, na.rm = TRUE))
  put_est(case, paste0(key, ".total_z"), svytotal(~z, d))
  put_by(case, paste0(key, ".by_c"), svyby(~y, ~c, d, svymean, na.rm = TRUE))
}
run_case <- function(case, file, ids, strata, fpc, post, rake_k, calib_x) {
  data <- read.csv(file, na.strings = c("NA", ""), stringsAsFactors = FALSE)
  data$c <- factor(data$c); data$k <- factor(data$k); data$g <- factor(data$g)
  d <- svydesign(ids = ids, strata = strata, weights = ~w, fpc = fpc, nest = TRUE,
                 data = data)
  put_est(case, "mean_y", svymean(~y, d, na.rm = TRUE))
  put_est(case, "total_y", svytotal(~y, d, na.rm = TRUE))
  put_by(case, "by_g", svyby(~y, ~g, d, svymean, na.rm = TRUE))
  p <- svyciprop(~I(b == 1), d, method = "logit")
  put_ci(case, "ciprop", as.numeric(coef(p)), matrix(confint(p), nrow = 1))
  pc <- svyby(~I(b == 1), ~c, d, svyciprop, method = "logit", vartype = "ci")
  put_ci(case, "ciprop_c", as.numeric(coef(pc)), cbind(pc$ci_l, pc$ci_u))
  put_est(case, "prop_g", svymean(~g, d, na.rm = TRUE))
  put_est(case, "ratio", svyratio(~y, ~x, d, na.rm = TRUE))
  q <- svyquantile(~y, d, c(0.25, 0.5, 0.9), ci = TRUE, na.rm = TRUE)
  qe <- coef(q); qs <- SE(q); qc <- confint(q)
  for (j in seq_along(qe)) {
    put(case, paste0("quantile.", j - 1, ".estimate"), qe[j])
    put(case, paste0("quantile.", j - 1, ".se"), qs[j])
    put(case, paste0("quantile.", j - 1, ".ci_low"), qc[j, 1])
    put(case, paste0("quantile.", j - 1, ".ci_high"), qc[j, 2])
  }
  put_model(case, "glm_gaussian", svyglm(y ~ x + g, d,
                                         control = list(epsilon = 1e-13, maxit = 100)))
  put_model(case, "glm_binomial", svyglm(b ~ x + c, d, family = quasibinomial(),
                                         control = list(epsilon = 1e-13, maxit = 100)))
  olr <- svyolr(factor(o) ~ x + z, d,
                control = list(reltol = 1e-16, maxit = 10000, ndeps = rep(1e-5, 5)))
  put_model(case, "olr", olr)
  put_chisq(case, "chisq", ~c + k, d)
  put_chisq(case, "chisq_missing", ~g + c, d)  # g has missing values (na.rm = TRUE)
  pop_c <- data.frame(c = names(post), Freq = as.numeric(post))
  ps <- postStratify(d, ~c, pop_c)
  calibrated(case, "post", ps)
  put_chisq(case, "post_sub.chisq", ~g + c, subset(ps, k == levels(data$k)[1]))
  pop_k <- data.frame(k = names(rake_k), Freq = as.numeric(rake_k))
  raked <- rake(d, list(~c, ~k), list(pop_c, pop_k),
                control = list(maxit = 1000, epsilon = 1e-13))
  calibrated(case, "rake", raked)
  totals <- c(sum(post), calib_x, as.numeric(post)[-1])
  cal <- calibrate(d, ~x + c, totals)
  calibrated(case, "calib", cal)
  put_est(case, "calib.total_x", svytotal(~x, cal))
  put(case, "calib.negative", sum(weights(cal) < 0))
  jk <- as.svrepdesign(d, type = if (is.null(strata)) "JK1" else "JKn")
  put_est(case, "jk.mean_y", svymean(~y, jk, na.rm = TRUE))
  put_est(case, "jk.total_x", svytotal(~x, jk))
  put_by(case, "jk.by_c", svyby(~y, ~c, jk, svymean, na.rm = TRUE))
  sub <- subset(d, c == levels(data$c)[1])
  put_est(case, "sub.mean_y", svymean(~y, sub, na.rm = TRUE))
  put_est(case, "sub.total_x", svytotal(~x, sub))
  put_est(case, "sub.ratio", svyratio(~y, ~x, sub, na.rm = TRUE))
  put_by(case, "sub.by_k", svyby(~y, ~k, sub, svymean, na.rm = TRUE))
  # a level absent from the subset (g = 0 in case00) stays a level of R's factor, and
  # svytable's table then has an empty row: X^2 is NaN. The workbench tabulates the levels
  # the subset holds; R is given the same levels (droplevels), never a looser tolerance.
  sub$variables <- droplevels(sub$variables)
  put_chisq(case, "sub.chisq", ~g + k, sub)
}
"""


def _r_vector(mapping: dict) -> str:
    names = ", ".join(f'"{k}"' for k in mapping)
    values = ", ".join(repr(float(v)) for v in mapping.values())
    return f"setNames(c({values}), c({names}))"


def _r_formula(columns: list[str]) -> str:
    return "~" + " + ".join(columns) if columns else "NULL"


def r_script(cases: list[Case], folder: Path, output: Path) -> str:
    """Write every case's data to ``folder`` and return the R script that estimates them
    all and writes ``output`` (case, key, value)."""
    lines = [R_HEADER]
    for case in cases:
        file = folder / f"{case.name}.csv"
        case.data.to_csv(file, index=False)
        ids = "~" + " + ".join(case.psu) if case.psu else "~1"
        strata = f"~{case.strata}" if case.strata else "NULL"
        lines.append(
            f'run_case("{case.name}", "{file}", {ids}, {strata}, {_r_formula(case.r_fpc)}, '
            f"{_r_vector(case.post)}, {_r_vector(case.rake_k)}, {case.calib_x!r})")
    lines.append(f'write.csv(do.call(rbind, out), "{output}", row.names = FALSE)')
    return "\n".join(lines) + "\n"
