"""Replicate-weight variance: jackknife (JK1, JKn), Rao-Wu bootstrap, BRR and Fay.

A replicate design carries an n x R matrix of full replicate weights. Every estimator is
recomputed with each column and the variance is ``scale * sum_r rscales_r (theta_r -
centre)^2`` (Wolter 2007, ch. 3-5; R's ``svrVar``), centred on the mean of the replicates
(R's default ``mse=FALSE``) or on the full-sample estimate (``mse=True``).

Conversion from a linearisation design follows R's ``as.svrepdesign`` defaults: JK1 for an
unstratified design and JKn for a stratified one, with the stage-1 finite population
correction in the scale (JK1) or the per-stratum scales (JKn); the bootstrap is Rao & Wu's (1988) rescaling bootstrap
drawing n_h - 1 PSUs with replacement in each stratum, weight factor n_h/(n_h - 1) x times
drawn, scale 1/(R - 1); BRR needs exactly two PSUs per stratum and uses the rows of a
Sylvester Hadamard matrix (order the smallest power of two above the number of strata),
with Fay's factors 2 - rho and rho. Degrees of freedom are the rank of the replicate
weights minus one, as R's ``degf``.

The full replicate-weight matrix is held in memory (n x R x 8 bytes), which is meant for
survey-sized data (thousands of rows), not for the million-row benchmark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.linalg import hadamard

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.survey.design import ReplicateSpec, SurveyDesign

REPLICATE_TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay", "other")


def replicate_covariance(replicates: np.ndarray, estimate: np.ndarray,
                         spec: ReplicateSpec) -> np.ndarray:
    """Covariance (K x K) from replicate estimates (K x R) of the estimates (K,)."""
    replicates = np.atleast_2d(replicates)
    centre = (np.asarray(estimate, dtype=float)[:, None] if spec.mse
              else replicates.mean(axis=1, keepdims=True))
    deviations = replicates - centre
    return spec.scale * (deviations * spec.rscales) @ deviations.T


def _rank_df(matrix: np.ndarray) -> float:
    unique_rows = np.unique(np.round(matrix, 12), axis=0)
    return float(np.linalg.matrix_rank(unique_rows, tol=1e-5 * np.abs(unique_rows).max())
                 - 1)


def replicate_spec_from_columns(design: SurveyDesign, columns: list[str], kind: str | None,
                                scale: float | None, rscales: list[float] | None,
                                fay_rho: float, mse: bool) -> ReplicateSpec:
    """Replicate specification from replicate-weight columns supplied with the data."""
    from workbench.survey.design import ReplicateSpec

    if not columns:
        raise WorkbenchError("replicate_weights is empty", expected="replicate weight columns")
    weights = np.empty((design.n_rows, len(columns)))
    for j, column in enumerate(columns):
        values = design.column(column)
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            raise WorkbenchError("replicate weights must be numeric and present", column=column,
                                 expected="a replicate weight on every row")
        weights[:, j] = values.to_numpy(dtype=float)
    if (weights < 0).any():
        raise WorkbenchError("negative replicate weight", expected="weights >= 0")
    n_rep = len(columns)
    kind = kind or ("other" if scale is not None else None)
    if kind not in REPLICATE_TYPES:
        raise WorkbenchError("unknown or missing replicate_type", value=kind,
                             expected=" / ".join(REPLICATE_TYPES))
    default_scale = {"JK1": (n_rep - 1) / n_rep, "JKn": 1.0, "bootstrap": 1 / (n_rep - 1),
                     "BRR": 1 / n_rep, "Fay": 1 / (n_rep * (1 - fay_rho) ** 2)}
    if scale is None:
        if kind == "other":
            raise WorkbenchError("replicate_type 'other' needs replicate_scale",
                                 expected="a number")
        scale = default_scale[kind]
    if rscales is None:
        if kind == "JKn":
            raise WorkbenchError("JKn replicate weights need replicate_rscales",
                                 expected="(n_h - 1)/n_h for each replicate")
        rscales_array = np.ones(n_rep)
    else:
        rscales_array = np.asarray(rscales, dtype=float)
        if rscales_array.shape != (n_rep,):
            raise WorkbenchError("replicate_rscales has the wrong length",
                                 value=len(rscales_array), expected=f"{n_rep} values")
    return ReplicateSpec(weights, kind, float(scale), rscales_array, mse, _rank_df(weights))


def _with_factors(design: SurveyDesign, factors: np.ndarray, kind: str, scale: float,
                  rscales: np.ndarray) -> SurveyDesign:
    """Replicate design from per-PSU weight factors (n_psu x R)."""
    from workbench.survey.design import ReplicateSpec

    psu = design.stages[0].unit_codes
    weights = design.weights[:, None] * factors[psu]
    spec = ReplicateSpec(weights, kind, float(scale), rscales, False, _rank_df(factors))
    return design._derive(replicates=spec)


def _require_linearization(design: SurveyDesign) -> None:
    if design.replicates is not None:
        raise WorkbenchError("design already has replicate weights",
                             expected="a linearisation design to convert")
    if design.calibration is not None:
        raise WorkbenchError(
            "convert to replicate weights before calibrating (R's order of steps), so that "
            "every replicate is calibrated the same way",
            expected="d.jackknife()/d.bootstrap() first, then poststratify/rake/calibrate")


def jackknife(design: SurveyDesign, kind: str | None = None) -> SurveyDesign:
    """Delete-one-PSU jackknife: JK1 for unstratified designs, JKn for stratified ones."""
    _require_linearization(design)
    stage = design.stages[0]
    kind = kind or ("JK1" if stage.n_groups == 1 else "JKn")
    n_psu, strata = stage.n_units, stage.unit_group
    size = stage.group_size[strata]
    # Finite population correction at stage 1 (1 - f_h), as R's as.svrepdesign does.
    fpc = stage.group_fpc[strata]
    if kind == "JK1":
        n = n_psu
        if n < 2:
            raise WorkbenchError("jackknife needs at least two PSUs", expected=">= 2 PSUs")
        if stage.n_groups > 1:
            raise WorkbenchError("JK1 is for unstratified designs", expected="kind='JKn'")
        factors = np.full((n_psu, n_psu), n / (n - 1))
        np.fill_diagonal(factors, 0.0)
        return _with_factors(design, factors, "JK1", (n - 1) / n * fpc[0], np.ones(n_psu))
    if kind != "JKn":
        raise WorkbenchError("unknown jackknife kind", value=kind, expected="JK1 or JKn")
    if (size < 2).any():
        raise WorkbenchError("JKn needs at least two PSUs in every stratum",
                             expected=">= 2 PSUs per stratum")
    same_stratum = strata[:, None] == strata[None, :]
    factors = np.where(same_stratum, (size / (size - 1))[None, :], 1.0)
    np.fill_diagonal(factors, 0.0)
    rscales = fpc * (size - 1) / size
    return _with_factors(design, factors, "JKn", 1.0, rscales)


def bootstrap(design: SurveyDesign, replicates: int = 500,
              seed: int | np.random.Generator = 0) -> SurveyDesign:
    """Rao-Wu rescaling bootstrap with n_h - 1 PSUs drawn per stratum; seeded."""
    _require_linearization(design)
    if replicates < 2:
        raise WorkbenchError("bootstrap needs at least two replicates", value=replicates,
                             expected=">= 2")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    stage = design.stages[0]
    factors = np.zeros((stage.n_units, replicates))
    for h in range(stage.n_groups):
        members = np.flatnonzero(stage.unit_group == h)
        n_h = len(members)
        if n_h < 2:
            raise WorkbenchError("bootstrap needs at least two PSUs in every stratum",
                                 expected=">= 2 PSUs per stratum")
        draws = rng.integers(0, n_h, size=(replicates, n_h - 1))
        counts = np.zeros((replicates, n_h))
        np.add.at(counts, (np.repeat(np.arange(replicates), n_h - 1), draws.ravel()), 1.0)
        factors[members] = (counts * n_h / (n_h - 1)).T
    return _with_factors(design, factors, "bootstrap", 1 / (replicates - 1),
                         np.ones(replicates))


def brr(design: SurveyDesign, fay_rho: float = 0.0) -> SurveyDesign:
    """Balanced repeated replication (Fay's variant for 0 < rho < 1); two PSUs per stratum."""
    _require_linearization(design)
    if not 0 <= fay_rho < 1:
        raise WorkbenchError("Fay's rho must be in [0, 1)", value=fay_rho, expected="0 <= rho < 1")
    stage = design.stages[0]
    if not (stage.group_size == 2).all():
        raise WorkbenchError("BRR needs exactly two PSUs in every stratum",
                             expected="2 PSUs per stratum")
    n_strata = stage.n_groups
    order = 1
    while order <= n_strata:
        order *= 2
    signs = hadamard(order)[:, 1 : n_strata + 1]  # rows = replicates, skip the ones column
    first = np.zeros(stage.n_units, dtype=bool)
    seen = np.zeros(n_strata, dtype=bool)
    for unit, h in enumerate(stage.unit_group):
        if not seen[h]:
            first[unit] = True
            seen[h] = True
    sign_of_unit = signs[:, stage.unit_group].T * np.where(first, 1, -1)[:, None]
    factors = np.where(sign_of_unit > 0, 2.0 - fay_rho, fay_rho)
    kind = "Fay" if fay_rho > 0 else "BRR"
    return _with_factors(design, factors, kind, 1 / (order * (1 - fay_rho) ** 2),
                         np.ones(order))
