"""Means, totals, proportions, ratios and quantiles, overall and by domain.

All linear estimators are ratios of weighted sums, theta_k = sum_{cell k} w u /
sum_{domain of k} w v (a total has no denominator). Their influence function is
w (u 1[cell k] - theta_k v 1[domain]) / denominator (Lumley 2010, sec. 2.2; Woodruff
1971), passed to the one variance engine; replicate designs re-evaluate the same sums with
every replicate weight. Domain estimates use the whole design: rows outside the domain
contribute zero, and the domain variance follows.

Why hand-written numpy: one influence-function engine serves every estimator, and it is
fast. The weighted numerator and denominator are summed once per sampling unit and cell
(domain, level, table cell); the point estimates, the influence totals per unit, the SRS
variance for the design effect and the domain df all come from those small tables, so a
million-row estimate makes a few passes over the data and never builds an n x k array.

Output columns: by variables, ``variable`` (and ``category``), ``estimate``, ``se``,
``ci_low``/``ci_high`` (t with design df, as R's ``confint(..., df=degf(design))``), ``df``,
``deff`` (design variance over SRS-without-replacement variance, as R's ``deff=TRUE``),
``n`` (unweighted cases used) and ``n_missing`` (cases in the domain excluded because a
variable was missing or had a declared missing code).

Quantiles: the mathematical inverse of the weighted CDF, the smallest value whose weighted
CDF reaches q (the definition of R's default ``qrule="math"``, survey >= 4.1, and of
Hyndman-Fan type 1), with the Woodruff interval (``interval.type="mean"``): a CI for the CDF
at the estimate, mapped back through the inverse CDF; SE = CI width / (2 t). R's code for
that rule (``survey:::qs``) departs from its definition below the weight share of the
smallest value: there ``last(cumw <= p * sum(w))`` finds no position, falls back to
position 1, and the rule returns the second smallest value (also for p = 0). That happens
for a CI's lower limit at a low quantile in small samples. ``rule="R"`` reproduces R's code
exactly (for comparison with R); the default keeps the definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.errors import WorkbenchError
from workbench.survey.design import Columns, SurveyDesign, _as_list
from workbench.survey.intervals import (
    check_interval,
    proportion_interval,
    t_interval,
    t_quantile,
)
from workbench.survey.replicate import replicate_covariance
from workbench.survey.variance import (
    DenseInfluence,
    Stage,
    TableInfluence,
    degf_from_units,
    taylor_covariance,
)


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
        # One domain: a read-only zero code for every row, without a million-row array.
        return Domains(np.broadcast_to(np.int64(0), (design.n_rows,)), pd.DataFrame(index=[0]))
    if len(columns) == 1:
        codes, levels = design.factorized(columns[0])
        return Domains(codes, pd.DataFrame({columns[0]: levels}))
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
    """Ratio-of-weighted-sums estimands: numerator cells and denominator bases.

    Code ``n_cells`` (resp. ``n_bases``) marks a row counted in no cell (base). ``u`` or
    ``v`` None means 1 on every row. ``nested``: every row's base is ``base_of_cell`` of its
    cell (rows in no cell are in no base) and ``v`` is ``u``; the denominator sums then
    follow from the numerator's and ``base`` may be None.
    """

    cell: np.ndarray          # cell code per row, n_cells = not counted
    n_cells: int
    u: np.ndarray | None      # numerator value per row (unweighted), None = 1
    base: np.ndarray | None   # denominator base per row, n_bases = not counted
    n_bases: int
    v: np.ndarray | None      # denominator value per row (unweighted), None = 1
    base_of_cell: np.ndarray
    is_total: bool = False
    nested: bool = False

    def base_codes(self) -> np.ndarray:
        if self.base is None:
            return np.append(self.base_of_cell, self.n_bases)[self.cell]
        return self.base


@dataclass
class SumsResult:
    estimate: np.ndarray
    covariance: np.ndarray
    denominator: np.ndarray | float   # per cell (1 for totals)
    n_cell: np.ndarray                # unweighted cases per cell
    n_base: np.ndarray                # unweighted cases in the base of each cell
    srs: np.ndarray | None = None     # SRS-without-replacement variance per cell
    presence: np.ndarray | None = None  # stage-1 units x bases: the unit holds base cases


def cell_codes(codes: np.ndarray, valid: np.ndarray, n_codes: int) -> np.ndarray:
    """``codes`` where ``valid``, else the sentinel ``n_codes`` (read only: it is ``codes``
    itself when every row is valid)."""
    if n_codes == 1:
        return (~valid).view(np.int8)  # 0 inside, 1 outside
    if valid.all() and codes.dtype == np.int64 and codes.min() >= 0:
        return codes
    out = codes.astype(np.int64, copy=True)
    np.copyto(out, n_codes, where=~valid)
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of a * b over the rows, in one thread: BLAS's dot starts threads for a million
    rows, which costs 10-30 times the arithmetic in wall time on a busy machine."""
    return float(np.einsum("i,i->", a, b))


def _by_code(codes: np.ndarray, k: int, values: np.ndarray | None) -> np.ndarray:
    """Sums of ``values`` (None = counts) per code 0..k-1 (code k ignored)."""
    if k == 1:
        inside = codes == 0
        total = np.count_nonzero(inside) if values is None else _dot(values, inside)
        return np.array([total], dtype=float)
    return np.bincount(codes, weights=values, minlength=k + 1)[:k].astype(float)


def _merge_cells(table: np.ndarray, base_of_cell: np.ndarray, n_bases: int) -> np.ndarray:
    """Sum the cell columns (last axis) of ``table`` into their bases."""
    onehot = np.zeros((len(base_of_cell), n_bases))
    onehot[np.arange(len(base_of_cell)), base_of_cell] = 1.0
    return table @ onehot


def _stage_tables(stage: Stage, spec: SumsSpec, a: np.ndarray, b: np.ndarray,
                  numerator: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unit x cell numerator sums and unit x base denominator sums at one stage."""
    key = None
    if numerator is None:
        numerator, key = stage.cell_sums(spec.cell, spec.n_cells, a)
    if spec.nested:
        denominator = _merge_cells(numerator, spec.base_of_cell, spec.n_bases)
    elif spec.base is spec.cell:
        denominator, _ = stage.cell_sums(spec.cell, spec.n_cells, b, key)
    else:
        denominator, _ = stage.cell_sums(spec.base, spec.n_bases, b)
    return numerator, denominator


def _replicate_sums(spec: SumsSpec, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators (n_cells x R) for every replicate weight column."""
    n = len(spec.cell)

    def indicator(codes: np.ndarray, k: int, values: np.ndarray | None) -> sparse.csr_matrix:
        rows = np.flatnonzero(codes < k)
        data = np.ones(len(rows)) if values is None else values[rows]
        return sparse.csr_matrix((data, (codes[rows], rows)), shape=(k, n))

    numerator = indicator(spec.cell, spec.n_cells, spec.u) @ weights
    denominator = indicator(spec.base_codes(), spec.n_bases, spec.v) @ weights
    return np.asarray(numerator), np.asarray(denominator)[spec.base_of_cell]


def _dense_influence(spec: SumsSpec, a: np.ndarray, b: np.ndarray, center: np.ndarray,
                     scale: np.ndarray) -> np.ndarray:
    """The n x n_cells influence matrix (only for calibrated designs, which regress it)."""
    n = len(a)
    out = np.zeros((n, spec.n_cells + 1))
    out[np.arange(n), spec.cell] = a
    out = out[:, : spec.n_cells]
    base_rows = spec.base_of_cell[None, :] == spec.base_codes()[:, None]
    out -= base_rows * (center * b[:, None])
    return out * scale


def estimate_sums(design: SurveyDesign, spec: SumsSpec, *, srs: bool = False,
                  shared: dict | None = None) -> SumsResult:
    """Point estimates, design covariance (and SRS variance) of ratio-of-sums estimands.

    Linearisation designs sum the weighted numerator and denominator by sampling unit and
    cell once; estimates, influence unit totals and domain df all come from those tables.
    ``shared`` (a dict) lets several specs over the same cells and ``u`` reuse the
    numerator tables and cell counts.
    """
    shared = {} if shared is None else shared
    weights = design.analysis_weights()
    if spec.n_cells == 1 and (spec.nested or spec.base is spec.cell):
        return _estimate_one(design, spec, weights, srs)
    if "n_cell" not in shared:
        shared["n_cell"] = _by_code(spec.cell, spec.n_cells, None)
    n_cell = shared["n_cell"]
    if spec.nested:
        n_base_b = np.bincount(spec.base_of_cell, weights=n_cell, minlength=spec.n_bases)
    elif spec.base is spec.cell:
        n_base_b = n_cell
    else:
        n_base_b = _by_code(spec.base, spec.n_bases, None)
    a = weights if spec.u is None else weights * spec.u
    b = a if spec.v is spec.u else (weights if spec.v is None else weights * spec.v)
    presence = None
    if design.replicates is not None:
        numerator = _by_code(spec.cell, spec.n_cells, a)
        denominator_b = _by_code(spec.base_codes(), spec.n_bases, b)
    else:
        numerator_tables = shared.get("tables")
        if numerator_tables is None:
            numerator_tables = [None] * len(design.stages)
        tables = [_stage_tables(design.stages[0], spec, a, b, numerator_tables[0])]
        numerator = tables[0][0].sum(axis=0)
        denominator_b = tables[0][1].sum(axis=0)
        if spec.v is None and not design.negative_weights:  # weights > 0 on base rows
            presence = tables[0][1] > 0
    denominator = denominator_b[spec.base_of_cell]
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
        if design.calibration is not None:
            influence = DenseInfluence(_dense_influence(spec, a, b, center, scale))
            covariance = linearized_covariance(design, influence)
        else:
            for index in range(1, len(design.stages)):
                tables.append(_stage_tables(design.stages[index], spec, a, b,
                                            numerator_tables[index]))
            shared["tables"] = [numerator for numerator, _ in tables]
            covariance = taylor_covariance(design.stages, TableInfluence(
                [(num, den[:, spec.base_of_cell]) for num, den in tables], center, scale),
                design.lonely_psu)
    result = SumsResult(estimate, covariance, 1.0 if spec.is_total else denominator,
                        n_cell, n_base_b[spec.base_of_cell], presence=presence)
    if srs:
        result.srs = _srs_variance(spec, weights, a, b, numerator, denominator_b, n_base_b,
                                   estimate)
    return result


def _estimate_one(design: SurveyDesign, spec: SumsSpec, weights: np.ndarray, srs: bool
                  ) -> SumsResult:
    """``estimate_sums`` for one cell that is its own base (a mean, total or ratio over
    one domain): the weights are zeroed outside the cell once, then every sum is plain.
    A linearisation design takes the numerator and denominator from their sums by
    sampling unit, which the variance needs anyway, saving two passes over the rows."""
    if spec.cell.strides == (0,) and spec.cell[0] == 0:  # a broadcast code: every row
        inside, n = np.broadcast_to(True, spec.cell.shape), len(spec.cell)
    else:
        inside = spec.cell == 0
        n = np.count_nonzero(inside)
    w = weights if n == len(inside) else weights * inside
    a = w if spec.u is None else w * spec.u
    b = a if spec.v is spec.u else (w if spec.v is None else w * spec.v)
    linearized = design.replicates is None and design.calibration is None
    if linearized:
        tables = [(stage.unit_sums(a)[:, None],
                   stage.unit_sums(b)[:, None] if b is not a else None)
                  for stage in design.stages]
        tables = [(num, num if den is None else den) for num, den in tables]
        numerator, denominator = tables[0][0].sum(axis=0), tables[0][1].sum(axis=0)
    else:
        numerator, denominator = np.array([a.sum()]), np.array([b.sum()])
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = numerator if spec.is_total else numerator / denominator
    presence = None
    if spec.is_total:
        center, scale = np.zeros(1), np.ones(1)
    else:
        center = np.nan_to_num(estimate)
        scale = np.array([1.0 / denominator[0] if denominator[0] != 0 else 0.0])
    if design.replicates is not None:
        rep = design.replicates
        rep_weights = rep.weights
        if design.domain is not None:
            rep_weights = rep_weights * design.domain[:, None]
        u_in = inside.astype(float) if spec.u is None else spec.u * inside
        v_in = inside.astype(float) if spec.v is None else spec.v * inside
        rep_num, rep_den = u_in @ rep_weights, v_in @ rep_weights
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = (rep_num if spec.is_total else rep_num / rep_den)[None, :]
        covariance = replicate_covariance(replicates, estimate, rep)
    elif design.calibration is not None:
        z = (a - center[0] * b) * scale[0]
        covariance = linearized_covariance(design, DenseInfluence(z))
    else:
        if spec.v is None and not design.negative_weights:
            presence = tables[0][1] > 0
        covariance = taylor_covariance(design.stages, TableInfluence(tables, center, scale),
                                       design.lonely_psu)
    counts = np.array([n], dtype=float)
    result = SumsResult(estimate, covariance, 1.0 if spec.is_total else denominator,
                        counts, counts, presence=presence)
    if srs:
        sum_u2 = numerator if spec.u is None else np.array([_dot(a, spec.u)])
        if spec.v is None:
            sum_uv, sum_v2, population = numerator, denominator, denominator
        else:
            sum_uv = np.array([_dot(b, spec.u)]) if spec.u is not None else denominator
            sum_v2, population = np.array([_dot(b, spec.v)]), np.array([w.sum()])
        result.srs = _srs_formula(spec.is_total, estimate, numerator, denominator, sum_u2,
                                  sum_uv, sum_v2, counts, population)
    return result


def linearized_covariance(design: SurveyDesign, influence: DenseInfluence) -> np.ndarray:
    """Covariance from influence values, after removing calibration fits when calibrated."""
    if design.calibration is not None:
        dense = design.calibration.residualize(influence.dense(), design.weights)
        influence = DenseInfluence(np.asfortranarray(dense))
    return taylor_covariance(design.stages, influence, design.lonely_psu)


def _srs_variance(spec: SumsSpec, weights: np.ndarray, a: np.ndarray, b: np.ndarray,
                  numerator: np.ndarray, denominator_b: np.ndarray, n_base_b: np.ndarray,
                  estimate: np.ndarray) -> np.ndarray:
    """Variance under simple random sampling without replacement of the same size.

    As R's ``deff=TRUE``: S^2 (weighted, divisor (n-1)/n) of the linearised variable in
    the domain, over n, times (1 - n / N_hat), scaled like the estimator. The sums of
    w u^2, w u v and w v^2 come from the estimate's own sums when u or v is 1.
    """
    cells, bases = spec.base_of_cell, spec.base_codes() if spec.v is not None else None
    population_b = denominator_b if spec.v is None else _by_code(bases, spec.n_bases, weights)
    sum_u2 = numerator if spec.u is None else _by_code(spec.cell, spec.n_cells, a * spec.u)
    if spec.v is None:
        sum_uv = numerator
    elif spec.u is None:
        sum_uv = _by_code(spec.cell, spec.n_cells, b)
    else:
        sum_uv = _by_code(spec.cell, spec.n_cells, a * spec.v)
    sum_v2 = denominator_b if spec.v is None else _by_code(bases, spec.n_bases, b * spec.v)
    return _srs_formula(spec.is_total, estimate, numerator, denominator_b[cells], sum_u2,
                        sum_uv, sum_v2[cells], n_base_b[cells].astype(float),
                        population_b[cells])


def _srs_formula(is_total: bool, estimate: np.ndarray, numerator: np.ndarray,
                 denominator: np.ndarray, sum_u2: np.ndarray, sum_uv: np.ndarray,
                 sum_v2: np.ndarray, n: np.ndarray, population: np.ndarray) -> np.ndarray:
    """SRS variance per cell from the cell's weighted sums (see ``_srs_variance``)."""
    center = np.zeros(len(numerator)) if is_total else np.nan_to_num(estimate)
    sum_z = numerator - center * denominator
    sum_z2 = sum_u2 - 2 * center * sum_uv + center**2 * sum_v2
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = (sum_z2 - sum_z**2 / population) / population * n / (n - 1)
        variance = s2 / n * (population - n) / population
        scale = population if is_total else population / denominator
        variance = variance * scale**2
    return np.where(population >= n, variance, np.nan)


def design_effect(covariance: np.ndarray, srs: np.ndarray) -> np.ndarray:
    """Design variance over SRS variance; NaN where the SRS variance is zero or undefined
    (e.g. weights that sum to the sample size, so that 1 - n/N_hat = 0)."""
    variance = np.diag(covariance)
    ok = np.isfinite(srs) & (srs > 0)
    return np.where(ok, variance / np.where(ok, srs, 1.0), np.nan)


def _domain_df(design: SurveyDesign, dom: Domains, valid: np.ndarray,
               presence: np.ndarray | None = None) -> np.ndarray:
    """Design df within each domain: PSUs minus strata that hold domain members.

    ``presence`` (stage-1 units x domains, from the estimate's sums) saves a pass.
    """
    if design.replicates is not None:
        return np.full(dom.count, design.degf())
    stage = design.stages[0]
    if presence is None:
        if dom.count == 1:
            return np.full(1, design.degf(valid))
        mask = valid & (dom.codes >= 0) & (design.weights != 0)
        if design.domain is not None:
            mask &= design.domain
        presence = stage.cell_sums(cell_codes(dom.codes, mask, dom.count), dom.count,
                                   None)[0] > 0
    return np.array([degf_from_units(stage, presence[:, k]) for k in range(dom.count)])


def _result_frame(dom: Domains, extra: dict, estimate: np.ndarray, covariance: np.ndarray,
                  df: np.ndarray, deff: np.ndarray, n: np.ndarray, n_missing: np.ndarray,
                  level: float, rows: np.ndarray | None = None,
                  interval: str = "wald") -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(covariance), 0, None))
    low, high = proportion_interval(estimate, se, df, level, interval)
    labels = dom.labels if rows is None else dom.labels.iloc[rows]
    columns = {name: labels[name].to_numpy() for name in labels.columns}
    columns.update(extra)
    columns.update({"estimate": estimate, "se": se, "ci_low": low, "ci_high": high,
                    "df": df, "deff": deff, "n": n.astype(np.int64),
                    "n_missing": n_missing.astype(np.int64)})
    return pd.DataFrame(columns, index=pd.RangeIndex(len(estimate)))


def _in_scope(design: SurveyDesign) -> np.ndarray:
    """Rows an estimate uses: nonzero weight (negative calibrated weights included, as R)
    and inside the subset. A domain is the subset mask, never the sign of a weight."""
    scope = design.weights != 0
    return scope if design.domain is None else scope & design.domain


def _missing_counts(dom: Domains, scope: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Cases per domain in scope but excluded for a missing value."""
    dropped = scope & ~valid
    if not dropped.any():
        return np.zeros(dom.count, dtype=np.int64)
    return np.bincount(dom.codes[dropped], minlength=dom.count)


def _whole_sample_valid(design: SurveyDesign, variables: list[str], by: Columns) -> bool:
    """Whether an estimate over the whole sample uses every row: no subset, no ``by``,
    every weight nonzero and no missing value. It then needs no row masks at all."""
    return (design.domain is None and not _as_list(by) and design.weights_nonzero
            and all(design.valid_mask(name).all() for name in variables))


def _linear(design: SurveyDesign, variables: list[str], by: Columns, level: float,
            kind: str) -> pd.DataFrame:
    dom = domains(design, by)
    if _whole_sample_valid(design, variables, by):
        every_row = design.valid_mask(variables[0])
        values = [design.numeric(name, every_row) for name in variables]
        cell = dom.codes  # the read-only zero code of every row
        no_missing = np.zeros(1, dtype=np.int64)
        return _linear_result(design, dom, variables, kind, values, cell, every_row,
                              no_missing, level)
    scope = _in_scope(design)
    if dom.count > 1 or _as_list(by):
        scope &= dom.codes >= 0
    valid = scope.copy()
    for name in variables:
        valid &= design.valid_mask(name)
    values = [design.numeric(name, valid) for name in variables]
    cell = cell_codes(dom.codes, valid, dom.count)
    return _linear_result(design, dom, variables, kind, values, cell, valid,
                          _missing_counts(dom, scope, valid), level)


def _linear_result(design: SurveyDesign, dom: Domains, variables: list[str], kind: str,
                   values: list[np.ndarray], cell: np.ndarray, valid: np.ndarray,
                   n_missing: np.ndarray, level: float) -> pd.DataFrame:
    v = values[1] if kind == "ratio" else None
    if kind == "ratio":
        if (_by_code(cell, dom.count, v) == 0).any():
            raise WorkbenchError("denominator of the ratio sums to zero in a domain",
                                 column=variables[1], expected="a non-zero denominator total")
    spec = SumsSpec(cell, dom.count, values[0], cell, dom.count, v, np.arange(dom.count),
                    is_total=kind == "total")
    result = estimate_sums(design, spec, srs=True)
    deff = design_effect(result.covariance, result.srs)
    df = _domain_df(design, dom, valid, result.presence)
    extra = {"variable": variables[0] if kind != "ratio" else f"{variables[0]}/{variables[1]}"}
    return _result_frame(dom, extra, result.estimate, result.covariance, df, deff,
                         result.n_cell, n_missing, level)


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
               level: float = 0.95, interval: str = "logit") -> pd.DataFrame:
    """Share of each level of ``variable`` per domain; ``n`` is the domain's case count
    and ``n_category`` the unweighted count in the category.

    ``interval``: "logit" (default, R's ``svyciprop``; inside 0-1, NaN bounds for a share
    of exactly 0 or 1) or "wald" (symmetric t, R's ``confint(svymean(...))``); see
    ``intervals``.
    """
    check_interval(interval)
    dom = domains(design, by)
    scope = _in_scope(design)
    if dom.count > 1 or _as_list(by):
        scope &= dom.codes >= 0
    valid = scope & design.valid_mask(variable)
    level_codes, levels = design.factorized(variable)
    n_levels = len(levels)
    if n_levels == 0:
        raise WorkbenchError("no valid values for the proportion", column=variable,
                             expected="at least one non-missing value")
    all_cells = np.arange(dom.count * n_levels)  # every level in every domain, as svyby
    combined = level_codes if dom.count == 1 else dom.codes * n_levels + level_codes
    cell = cell_codes(combined, valid, len(all_cells))
    domain_of_cell = all_cells // n_levels
    spec = SumsSpec(cell, len(all_cells), None, None, dom.count, None, domain_of_cell,
                    nested=True)
    result = estimate_sums(design, spec, srs=True)
    deff = design_effect(result.covariance, result.srs)
    df = _domain_df(design, dom, valid, result.presence)
    n_missing = _missing_counts(dom, scope, valid)
    extra = {"variable": variable, "category": np.asarray(levels)[all_cells % n_levels]}
    frame = _result_frame(dom, extra, result.estimate, result.covariance,
                          df[domain_of_cell], deff, result.n_base,
                          n_missing[domain_of_cell], level, rows=domain_of_cell,
                          interval=interval)
    frame.insert(frame.columns.get_loc("n") + 1, "n_category", result.n_cell.astype(np.int64))
    return frame


QUANTILE_RULES = ("math", "R")


def _inverse_cdf(sorted_values: np.ndarray, cumulative: np.ndarray, p: float,
                 rule: str = "math") -> float:
    """Smallest value whose weighted CDF reaches p (rule "math", Hyndman-Fan 1), or R's
    code for ``qrule="math"`` (rule "R", see the module docstring). NaN outside [0, 1]."""
    if not np.isfinite(p) or p < 0 or p > 1:
        return np.nan
    total = cumulative[-1]
    if rule == "R":  # survey:::qs and qrule_math, step by step
        reached = np.flatnonzero(cumulative <= p * total)
        position = reached[-1] if len(reached) else 0
        if p - cumulative[position] / total != 0:
            position = min(position + 1, len(sorted_values) - 1)
        return float(sorted_values[position])
    index = np.searchsorted(cumulative, p * total * (1 - 1e-12), side="left")
    return float(sorted_values[min(index, len(sorted_values) - 1)])


def quantile(design: SurveyDesign, variable: str, q: float | Sequence[float] = 0.5,
             by: Columns = None, level: float = 0.95, rule: str = "math") -> pd.DataFrame:
    """Weighted quantiles with Woodruff intervals; one row per domain and probability.

    ``rule``: "math" (default, the smallest value whose weighted CDF reaches q) or "R"
    (R survey 4.x's code for ``qrule="math"``, which returns the second smallest value
    when q is below the smallest value's weight share; see the module docstring).
    """
    if rule not in QUANTILE_RULES:
        raise WorkbenchError("unknown quantile rule", value=rule,
                             expected=" or ".join(QUANTILE_RULES))
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
            estimate = _inverse_cdf(sorted_values, cumulative, p, rule)
            below = (members & (values <= estimate)).astype(float)
            cell = (~members).astype(np.int64)  # 0 = in the domain, 1 = elsewhere
            spec = SumsSpec(cell, 1, below, cell, 1, None, np.zeros(1, dtype=np.int64))
            cdf = estimate_sums(design, spec)
            cdf_se = np.sqrt(cdf.covariance[0, 0])
            p_low, p_high = t_interval(cdf.estimate[0], cdf_se, df[k], level)
            low = _inverse_cdf(sorted_values, cumulative, p_low, rule)
            high = _inverse_cdf(sorted_values, cumulative, p_high, rule)
            crit = (high - low) / 2
            t_crit = t_quantile((1 + level) / 2, df[k])
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
