"""Means, totals, proportions, ratios and quantiles, overall and by domain.

All linear estimators are ratios of weighted sums, theta_k = sum_{cell k} w u /
sum_{domain of k} w v (a total has no denominator). Their influence function is
w (u 1[cell k] - theta_k v 1[domain]) / denominator (Lumley 2010, sec. 2.2; Woodruff
1971), passed to the one variance engine; replicate designs re-evaluate the same sums with
every replicate weight. Domain estimates use the whole design: rows outside the domain
contribute zero, and the domain variance follows.

Output columns: by variables, ``variable`` (and ``level``), ``estimate``, ``se``,
``ci_low``/``ci_high`` (t with design df, as R's ``confint(..., df=degf(design))``), ``df``,
``deff`` (design variance over SRS-without-replacement variance, as R's ``deff=TRUE``),
``n`` (unweighted cases used) and ``n_missing`` (cases in the domain excluded because a
variable was missing or had a declared missing code).

Quantiles: R's default (survey >= 4.1) ``qrule="math"`` (the smallest value whose weighted
CDF reaches q) with the Woodruff interval (``interval.type="mean"``): a CI for the CDF at
the estimate, mapped back through the inverse CDF; SE = CI width / (2 t).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from workbench.errors import WorkbenchError
from workbench.survey.design import Columns, SurveyDesign, _as_list
from workbench.survey.replicate import replicate_covariance
from workbench.survey.variance import CodedInfluence, DenseInfluence, taylor_covariance


@dataclass
class Domains:
    """Integer domain code per row (-1 = no domain) and the label frame of the domains."""

    codes: np.ndarray
    labels: pd.DataFrame

    @property
    def count(self) -> int:
        return len(self.labels)


def domains(design: SurveyDesign, by: Columns) -> Domains:
    """Code the domains of ``by`` (one or more columns); rows with a missing by value get -1."""
    columns = _as_list(by)
    if not columns:
        return Domains(np.zeros(design.n_rows, dtype=np.int64), pd.DataFrame(index=[0]))
    codes = np.zeros(design.n_rows, dtype=np.int64)
    missing = np.zeros(design.n_rows, dtype=bool)
    level_lists = []
    for column in columns:
        column_codes, uniques = design.factorized(column)
        missing |= column_codes < 0
        codes = codes * len(uniques) + np.maximum(column_codes, 0)
        level_lists.append(uniques)
    n_combined = int(np.prod([len(levels) for levels in level_lists]))
    counts = np.bincount(codes[~missing], minlength=n_combined)
    present = np.flatnonzero(counts)
    remap = np.cumsum(counts > 0) - 1
    codes = np.where(missing, -1, remap[codes])
    labels = {}
    remainder = present.copy()
    for column, levels in zip(reversed(columns), reversed(level_lists)):
        labels[column] = np.asarray(levels)[remainder % len(levels)]
        remainder = remainder // len(levels)
    frame = pd.DataFrame({c: labels[c] for c in columns})
    return Domains(codes, frame)


@dataclass
class SumsSpec:
    """Ratio-of-weighted-sums estimands: numerator cells and denominator bases."""

    cell: np.ndarray          # cell code per row, -1 = not counted
    n_cells: int
    u: np.ndarray             # numerator value per row (unweighted)
    base: np.ndarray          # denominator base per row, -1 = not counted
    n_bases: int
    v: np.ndarray             # denominator value per row (unweighted)
    base_of_cell: np.ndarray
    is_total: bool = False


@dataclass
class SumsResult:
    estimate: np.ndarray
    covariance: np.ndarray
    denominator: np.ndarray   # per cell (1 for totals)


def _sums(spec: SumsSpec, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if spec.n_cells == 1 and spec.n_bases == 1:
        numerator = np.dot(weights * spec.u, (spec.cell == 0).astype(float))
        denominator = np.dot(weights * spec.v, (spec.base == 0).astype(float))
        return np.array([numerator]), np.array([denominator])
    cell = np.where(spec.cell < 0, spec.n_cells, spec.cell)
    base = np.where(spec.base < 0, spec.n_bases, spec.base)
    numerator = np.bincount(cell, weights=weights * spec.u, minlength=spec.n_cells + 1)
    denominator = np.bincount(base, weights=weights * spec.v, minlength=spec.n_bases + 1)
    return numerator[: spec.n_cells], denominator[: spec.n_bases][spec.base_of_cell]


def _replicate_sums(spec: SumsSpec, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators (n_cells x R) for every replicate weight column."""
    n = len(spec.u)
    rows = np.arange(n)

    def indicator(codes: np.ndarray, k: int, values: np.ndarray) -> sparse.csr_matrix:
        keep = codes >= 0
        return sparse.csr_matrix((values[keep], (codes[keep], rows[keep])), shape=(k, n))

    numerator = indicator(spec.cell, spec.n_cells, spec.u) @ weights
    denominator = indicator(spec.base, spec.n_bases, spec.v) @ weights
    return np.asarray(numerator), np.asarray(denominator)[spec.base_of_cell]


def estimate_sums(design: SurveyDesign, spec: SumsSpec) -> SumsResult:
    """Point estimates and design covariance of ratio-of-sums estimands."""
    weights = design.analysis_weights()
    numerator, denominator = _sums(spec, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = numerator if spec.is_total else numerator / denominator
    if design.replicates is not None:
        rep = design.replicates
        rep_weights = rep.weights
        if design.domain is not None:
            rep_weights = rep_weights * design.domain[:, None]
        rep_num, rep_den = _replicate_sums(spec, rep_weights)
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = rep_num if spec.is_total else rep_num / rep_den
        covariance = replicate_covariance(replicates, estimate, rep)
    else:
        if spec.is_total:
            center, scale = np.zeros(spec.n_cells), np.ones(spec.n_cells)
        else:
            center = np.nan_to_num(estimate)
            with np.errstate(divide="ignore"):
                scale = np.where(denominator != 0, 1.0 / denominator, 0.0)
        influence = CodedInfluence(spec.cell, spec.n_cells, weights * spec.u, spec.base,
                                   spec.n_bases, weights * spec.v, spec.base_of_cell,
                                   center, scale)
        covariance = linearized_covariance(design, influence)
    return SumsResult(estimate, covariance, 1.0 if spec.is_total else denominator)


def linearized_covariance(design: SurveyDesign, influence: CodedInfluence | DenseInfluence
                          ) -> np.ndarray:
    """Covariance from influence values, after removing calibration fits when calibrated."""
    if design.calibration is not None:
        influence = DenseInfluence(
            design.calibration.residualize(influence.dense(), design.weights))
    return taylor_covariance(design.stages, influence, design.lonely_psu)


def srs_variance(design: SurveyDesign, spec: SumsSpec, estimate: np.ndarray,
                 denominator: np.ndarray | float) -> np.ndarray:
    """Variance under simple random sampling without replacement of the same size.

    As R's ``deff=TRUE``: S^2 (weighted, divisor (n-1)/n) of the linearised variable in
    the domain, over n, times (1 - n / N_hat), scaled like the estimator.
    """
    weights = design.analysis_weights()
    positive = weights > 0
    base = np.where(spec.base < 0, spec.n_bases, spec.base)
    cell = np.where(spec.cell < 0, spec.n_cells, spec.cell)
    k_b, k_c = spec.n_bases + 1, spec.n_cells + 1

    in_base = (base == 0).astype(float) if spec.n_bases == 1 else None
    in_cell = (cell == 0).astype(float) if spec.n_cells == 1 else None

    def by_base(values: np.ndarray) -> np.ndarray:
        if in_base is not None:
            return np.full(spec.n_cells, np.dot(values, in_base))
        return np.bincount(base, weights=values, minlength=k_b)[: spec.n_bases][
            spec.base_of_cell]

    def by_cell(values: np.ndarray) -> np.ndarray:
        if in_cell is not None:
            return np.array([np.dot(values, in_cell)])
        return np.bincount(cell, weights=values, minlength=k_c)[: spec.n_cells]

    center = np.zeros(spec.n_cells) if spec.is_total else np.nan_to_num(estimate)
    n = by_base(positive.astype(float))
    population = by_base(weights)
    sum_z = by_cell(weights * spec.u) - center * by_base(weights * spec.v)
    sum_z2 = (by_cell(weights * spec.u**2) - 2 * center * by_cell(weights * spec.u * spec.v)
              + center**2 * by_base(weights * spec.v**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = (sum_z2 - sum_z**2 / population) / population * n / (n - 1)
        variance = s2 / n * (population - n) / population
        scale = population if spec.is_total else population / denominator
        variance = variance * scale**2
    return np.where(population >= n, variance, np.nan)


def design_effect(covariance: np.ndarray, srs: np.ndarray) -> np.ndarray:
    """Design variance over SRS variance; NaN where the SRS variance is zero or undefined
    (e.g. weights that sum to the sample size, so that 1 - n/N_hat = 0)."""
    variance = np.diag(covariance)
    ok = np.isfinite(srs) & (srs > 0)
    return np.where(ok, variance / np.where(ok, srs, 1.0), np.nan)


def t_interval(estimate: np.ndarray, se: np.ndarray, df: np.ndarray,
               level: float) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval estimate -/+ t_{df, (1+level)/2} se (normal when df is inf)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        crit = np.where(np.isinf(df), stats.norm.ppf((1 + level) / 2),
                        stats.t.ppf((1 + level) / 2, np.where(df > 0, df, np.nan)))
    return estimate - crit * se, estimate + crit * se


def _domain_df(design: SurveyDesign, dom: Domains, valid: np.ndarray) -> np.ndarray:
    """Design df within each domain: PSUs minus strata that hold domain members."""
    if design.replicates is not None or dom.count == 1:
        return np.full(dom.count, design.degf(valid if dom.count == 1 else None))
    mask = valid & (dom.codes >= 0) & (design.weights > 0)
    if design.domain is not None:
        mask &= design.domain
    codes = dom.codes[mask]
    psus = np.bincount(codes * design.n_psu + design._stage0_units[mask],
                       minlength=dom.count * design.n_psu).reshape(dom.count, -1) > 0
    strata = np.bincount(codes * design.n_strata + design._strata_codes[mask],
                         minlength=dom.count * design.n_strata).reshape(dom.count, -1) > 0
    return (psus.sum(axis=1) - strata.sum(axis=1)).astype(float)


def _result_frame(dom: Domains, extra: dict, estimate: np.ndarray, covariance: np.ndarray,
                  df: np.ndarray, deff: np.ndarray, n: np.ndarray, n_missing: np.ndarray,
                  level: float, rows: np.ndarray | None = None) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(covariance), 0, None))
    low, high = t_interval(estimate, se, df, level)
    frame = dom.labels.iloc[rows if rows is not None else np.arange(dom.count)]
    frame = frame.reset_index(drop=True)
    for key, value in extra.items():
        frame[key] = value
    frame["estimate"] = estimate
    frame["se"] = se
    frame["ci_low"] = low
    frame["ci_high"] = high
    frame["df"] = df
    frame["deff"] = deff
    frame["n"] = n.astype(np.int64)
    frame["n_missing"] = n_missing.astype(np.int64)
    return frame


def _in_scope(design: SurveyDesign) -> np.ndarray:
    scope = design.weights > 0
    return scope if design.domain is None else scope & design.domain


def _linear(design: SurveyDesign, variables: list[str], by: Columns, level: float,
            kind: str) -> pd.DataFrame:
    dom = domains(design, by)
    scope = _in_scope(design) & (dom.codes >= 0)
    valid = scope.copy()
    for name in variables:
        valid &= design.valid_mask(name)
    values = [design.numeric(name, valid) for name in variables]
    cell = np.where(valid, dom.codes, -1)
    u = values[0]
    v = values[1] if kind == "ratio" else np.ones(design.n_rows)
    if kind == "ratio":
        zero = np.bincount(np.where(valid, dom.codes, dom.count), weights=v,
                           minlength=dom.count + 1)[: dom.count] == 0
        if zero.any():
            raise WorkbenchError("denominator of the ratio sums to zero in a domain",
                                 column=variables[1], expected="a non-zero denominator total")
    spec = SumsSpec(cell, dom.count, u, cell, dom.count, v, np.arange(dom.count),
                    is_total=kind == "total")
    result = estimate_sums(design, spec)
    deff = design_effect(result.covariance,
                         srs_variance(design, spec, result.estimate, result.denominator))
    n = np.bincount(cell[cell >= 0], minlength=dom.count)
    n_missing = np.bincount(dom.codes[scope & ~valid], minlength=dom.count)
    df = _domain_df(design, dom, valid)
    extra = {"variable": variables[0] if kind != "ratio" else f"{variables[0]}/{variables[1]}"}
    return _result_frame(dom, extra, result.estimate, result.covariance, df, deff, n,
                         n_missing, level)


def mean(design: SurveyDesign, variable: str, by: Columns = None,
         level: float = 0.95) -> pd.DataFrame:
    """Weighted mean sum(w y)/sum(w) per domain."""
    return _linear(design, [variable], by, level, "mean")


def total(design: SurveyDesign, variable: str, by: Columns = None,
          level: float = 0.95) -> pd.DataFrame:
    """Estimated total sum(w y) per domain."""
    return _linear(design, [variable], by, level, "total")


def ratio(design: SurveyDesign, numerator: str, denominator: str, by: Columns = None,
          level: float = 0.95) -> pd.DataFrame:
    """Ratio of totals sum(w y)/sum(w x) per domain (rows need both variables)."""
    return _linear(design, [numerator, denominator], by, level, "ratio")


def proportion(design: SurveyDesign, variable: str, by: Columns = None,
               level: float = 0.95) -> pd.DataFrame:
    """Share of each level of ``variable`` per domain; ``n`` is the domain's case count
    and ``n_level`` the unweighted count in the level."""
    dom = domains(design, by)
    scope = _in_scope(design) & (dom.codes >= 0)
    valid = scope & design.valid_mask(variable)
    level_codes, levels = design.factorized(variable)
    n_levels = len(levels)
    if n_levels == 0:
        raise WorkbenchError("no valid values for the proportion", column=variable,
                             expected="at least one non-missing value")
    all_cells = np.arange(dom.count * n_levels)  # every level in every domain, as svyby
    cell = np.where(valid, dom.codes * n_levels + level_codes, -1)
    base = np.where(valid, dom.codes, -1)
    ones = np.ones(design.n_rows)
    spec = SumsSpec(cell, len(all_cells), ones, base, dom.count, ones,
                    all_cells // n_levels)
    result = estimate_sums(design, spec)
    deff = design_effect(result.covariance,
                         srs_variance(design, spec, result.estimate, result.denominator))
    n_base = np.bincount(base[base >= 0], minlength=dom.count)
    n_cell = np.bincount(cell[cell >= 0], minlength=len(all_cells))
    n_missing = np.bincount(dom.codes[scope & ~valid], minlength=dom.count)
    df = _domain_df(design, dom, valid)
    domain_of_cell = all_cells // n_levels
    extra = {"variable": variable, "level": np.asarray(levels)[all_cells % n_levels]}
    frame = _result_frame(dom, extra, result.estimate, result.covariance,
                          df[domain_of_cell], deff, n_base[domain_of_cell],
                          n_missing[domain_of_cell], level, rows=domain_of_cell)
    frame.insert(frame.columns.get_loc("n") + 1, "n_level", n_cell)
    return frame


def _inverse_cdf(sorted_values: np.ndarray, cumulative: np.ndarray, p: float) -> float:
    """Smallest value whose weighted CDF reaches p (R's qrule "math" / Hyndman-Fan 1)."""
    if not np.isfinite(p) or p < 0 or p > 1:
        return np.nan
    index = np.searchsorted(cumulative, p * cumulative[-1] * (1 - 1e-12), side="left")
    return float(sorted_values[min(index, len(sorted_values) - 1)])


def quantile(design: SurveyDesign, variable: str, q: float | Sequence[float] = 0.5,
             by: Columns = None, level: float = 0.95) -> pd.DataFrame:
    """Weighted quantiles with Woodruff intervals; one row per domain and probability."""
    probabilities = np.atleast_1d(np.asarray(q, dtype=float))
    if ((probabilities < 0) | (probabilities > 1)).any():
        raise WorkbenchError("quantile probability outside [0, 1]", value=q,
                             expected="probabilities between 0 and 1")
    dom = domains(design, by)
    scope = _in_scope(design) & (dom.codes >= 0)
    valid = scope & design.valid_mask(variable)
    values = design.numeric(variable, valid)
    weights = design.analysis_weights()
    df = _domain_df(design, dom, valid)
    n = np.bincount(dom.codes[valid], minlength=dom.count)
    n_missing = np.bincount(dom.codes[scope & ~valid], minlength=dom.count)
    rows = []
    for k in range(dom.count):
        members = valid & (dom.codes == k)
        order = np.argsort(values[members], kind="stable")
        sorted_values = values[members][order]
        cumulative = np.cumsum(weights[members][order])
        for p in probabilities:
            if len(sorted_values) == 0:
                rows.append((k, p, np.nan, np.nan, np.nan, np.nan))
                continue
            estimate = _inverse_cdf(sorted_values, cumulative, p)
            below = np.where(members & (values <= estimate), 1.0, 0.0)
            spec = SumsSpec(np.where(members, 0, -1), 1, below, np.where(members, 0, -1), 1,
                            np.ones(design.n_rows), np.zeros(1, dtype=np.int64))
            cdf = estimate_sums(design, spec)
            cdf_se = np.sqrt(cdf.covariance[0, 0])
            p_low, p_high = t_interval(cdf.estimate[0], cdf_se, df[k], level)
            low = _inverse_cdf(sorted_values, cumulative, p_low)
            high = _inverse_cdf(sorted_values, cumulative, p_high)
            crit = (high - low) / 2
            t_crit = (stats.norm.ppf((1 + level) / 2) if np.isinf(df[k])
                      else stats.t.ppf((1 + level) / 2, df[k]))
            rows.append((k, p, estimate, crit / t_crit, low, high))
    frame = dom.labels.iloc[[r[0] for r in rows]].reset_index(drop=True)
    frame["variable"] = variable
    frame["quantile"] = [r[1] for r in rows]
    frame["estimate"] = [r[2] for r in rows]
    frame["se"] = [r[3] for r in rows]
    frame["ci_low"] = [r[4] for r in rows]
    frame["ci_high"] = [r[5] for r in rows]
    frame["df"] = [df[r[0]] for r in rows]
    frame["deff"] = np.nan
    frame["n"] = [int(n[r[0]]) for r in rows]
    frame["n_missing"] = [int(n_missing[r[0]]) for r in rows]
    return frame
