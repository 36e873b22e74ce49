"""Taylor-linearisation variance: one engine for every estimator (as R's ``svyrecvar``).

Every estimator hands the engine its *influence values* (the weighted linearised variable,
one column per estimated quantity). The engine sums them within sampling units, centres
the unit totals within strata and adds up the between-unit variance stage by stage
(Lumley 2010, sec. 2.2 and appendix; Sarndal, Swensson & Wretman 1992, sec. 4.3):

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (t_hi - tbar_h)(t_hi - tbar_h)'
        + later stages, each multiplied by the sampling fractions of the stages above.

Later stages contribute only when the stage above was sampled without replacement (it has
an fpc); a stage without fpc below one with fpc is treated as a census (R's convention).

Why our own code: no maintained Python library exposes this engine for arbitrary influence
functions with multistage fpc; it is a few vectorised ``np.bincount`` calls.

Influence values come in two forms so that large designs stay fast and small in memory:
``DenseInfluence`` (an n x p array) and ``CodedInfluence`` for ratios of weighted sums by
category (means, totals, proportions, ratios, crosstab cells), whose unit totals are
computed with a single ``np.bincount`` without building an n x p array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError

LONELY_PSU_OPTIONS = ("fail", "adjust", "average", "certainty", "remove")


@dataclass(frozen=True)
class Stage:
    """Coding of one sampling stage, built once at design construction.

    ``unit_codes`` gives each row its sampling unit (0..n_units-1, unique over the whole
    sample); ``unit_group`` gives each unit its stratum at this stage (the stratum at stage
    1, the parent unit at later stages). Arrays indexed by group hold the number of units
    sampled in the group, the finite population correction 1 - n/N and the product of the
    sampling fractions n/N of the stages above.
    """

    unit_codes: np.ndarray
    n_units: int
    unit_group: np.ndarray
    n_groups: int
    group_size: np.ndarray
    group_fpc: np.ndarray
    group_upper_fraction: np.ndarray
    group_labels: list | None = None


def _column_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (n x p) within integer ``codes``; returns n_groups x p."""
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return out


class DenseInfluence:
    """Influence values held as an explicit n x p array (already multiplied by the weights)."""

    def __init__(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float)
        self.values = values.reshape(len(values), -1)

    @property
    def n_columns(self) -> int:
        return self.values.shape[1]

    def unit_totals(self, codes: np.ndarray, n_units: int) -> np.ndarray:
        return _column_sums(codes, self.values, n_units)

    def dense(self) -> np.ndarray:
        return self.values


class CodedInfluence:
    """Influence of ratios of weighted sums, theta_k = sum_{cell=k} a / sum_{base=b(k)} b.

    Column k of the influence matrix is ``scale_k * (1[cell_i = k] a_i - center_k *
    1[base_i = b(k)] b_i)`` where ``a`` and ``b`` already include the weights. Rows with
    code -1 take part in nothing. With ``center = 0`` and ``scale = 1`` this is a total.
    """

    def __init__(
        self,
        cell: np.ndarray,
        n_cells: int,
        a: np.ndarray,
        base: np.ndarray,
        n_bases: int,
        b: np.ndarray,
        base_of_cell: np.ndarray,
        center: np.ndarray,
        scale: np.ndarray,
    ) -> None:
        self.cell = np.where(cell < 0, n_cells, cell)
        self.n_cells = n_cells
        self.a = a
        self.base = np.where(base < 0, n_bases, base)
        self.n_bases = n_bases
        self.b = b
        self.base_of_cell = base_of_cell
        self.center = center
        self.scale = scale
        self._single: np.ndarray | None = None

    @property
    def n_columns(self) -> int:
        return self.n_cells

    def unit_totals(self, codes: np.ndarray, n_units: int) -> np.ndarray:
        if self.n_cells == 1 and self.n_bases == 1:
            if self._single is None:
                self._single = self.scale[0] * (np.where(self.cell == 0, self.a, 0.0)
                                                - self.center[0]
                                                * np.where(self.base == 0, self.b, 0.0))
            return np.bincount(codes, weights=self._single, minlength=n_units)[:, None]
        kc, kb = self.n_cells + 1, self.n_bases + 1
        a_sum = np.bincount(codes * kc + self.cell, weights=self.a, minlength=n_units * kc)
        b_sum = np.bincount(codes * kb + self.base, weights=self.b, minlength=n_units * kb)
        a_sum = a_sum.reshape(n_units, kc)[:, : self.n_cells]
        b_sum = b_sum.reshape(n_units, kb)[:, self.base_of_cell]
        return self.scale * (a_sum - self.center * b_sum)

    def dense(self) -> np.ndarray:
        n = len(self.a)
        out = np.zeros((n, self.n_cells + 1))
        out[np.arange(n), self.cell] = self.a
        out = out[:, : self.n_cells]
        base_rows = self.base_of_cell[None, :] == self.base[:, None]
        out -= base_rows * (self.center * self.b[:, None])
        return out * self.scale


Influence = DenseInfluence | CodedInfluence


def _stage_covariance(stage: Stage, totals: np.ndarray, lonely_psu: str) -> np.ndarray:
    """Between-unit covariance at one stage from the unit totals (n_units x p)."""
    p = totals.shape[1]
    size = stage.group_size
    group_means = _column_sums(stage.unit_group, totals, stage.n_groups)
    group_means /= np.maximum(size, 1)[:, None]
    deviations = totals - group_means[stage.unit_group]
    lonely = size == 1
    # f_h n_h / (n_h - 1), times the sampling fractions of the stages above.
    factor = np.zeros(stage.n_groups)
    multi = ~lonely
    factor[multi] = stage.group_fpc[multi] * size[multi] / (size[multi] - 1)
    factor *= stage.group_upper_fraction
    # A single unit drawn with certainty (fpc 0) has no variance: never "lonely".
    lonely &= stage.group_fpc > 0
    if lonely.any() and lonely_psu == "adjust":
        grand_mean = totals.mean(axis=0)
        lonely_units = lonely[stage.unit_group]
        deviations[lonely_units] = totals[lonely_units] - grand_mean
        factor[lonely] = stage.group_fpc[lonely] * stage.group_upper_fraction[lonely]
    unit_factor = factor[stage.unit_group]
    cov = (deviations * unit_factor[:, None]).T @ deviations
    if lonely.any() and lonely_psu == "average":
        n_groups_with_units = np.count_nonzero(size > 0)
        n_ok = n_groups_with_units - np.count_nonzero(lonely)
        if n_ok > 0:
            cov *= n_groups_with_units / n_ok
    if lonely.any() and lonely_psu == "fail":
        labels = np.flatnonzero(lonely)
        if stage.group_labels is not None:
            labels = [stage.group_labels[i] for i in labels]
        raise WorkbenchError(
            f"stratum with only one sampled PSU: {list(labels)[:10]}; its variance cannot be "
            "estimated",
            expected="at least two PSUs per stratum, or lonely_psu='adjust', 'average', "
            "'certainty' or 'remove' (as R's options(survey.lonely.psu))",
        )
    return cov.reshape(p, p)


def taylor_covariance(
    stages: list[Stage],
    influence: Influence,
    lonely_psu: str = "fail",
) -> np.ndarray:
    """Design-based covariance matrix (p x p) of the totals of the influence columns."""
    p = influence.n_columns
    cov = np.zeros((p, p))
    for stage in stages:
        totals = influence.unit_totals(stage.unit_codes, stage.n_units)
        cov += _stage_covariance(stage, totals, lonely_psu)
    return cov
