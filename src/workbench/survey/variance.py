"""Taylor-linearisation variance: one engine for every estimator (as R's ``svyrecvar``).

Every estimator hands the engine its *influence values* (the weighted linearised variable,
one column per estimated quantity) or, cheaper, their totals within sampling units. The
engine centres the unit totals within strata and adds up the between-unit variance stage
by stage (Lumley 2010, sec. 2.2 and appendix; Sarndal, Swensson & Wretman 1992, sec. 4.3):

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (t_hi - tbar_h)(t_hi - tbar_h)'
        + later stages, each multiplied by the sampling fractions of the stages above.

Later stages contribute only when the stage above was sampled without replacement (it has
an fpc); a stage without fpc below one with fpc is treated as a census (R's convention).

Why our own code: no maintained Python library exposes this engine for arbitrary influence
functions with multistage fpc, and hand-written numpy keeps a million-row estimate in
milliseconds. The costly step is summing n values within units; ``RowGroups.sums`` does
it with ``np.add.reduceat`` over rows in unit order (in place when the data are sorted by
stratum and PSU, as survey files usually are), which is several times faster than
``np.bincount`` and handles a matrix of influence columns in one call.
``Stage.cell_sums`` sums by unit x category (cells of a table, domains) with one
``np.bincount``, so that means, proportions and crosstab cells never build an n x k array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError

LONELY_PSU_OPTIONS = ("fail", "adjust", "average", "certainty", "remove")


class RowGroups:
    """Which group (stratum or sampling unit, coded 0..n_groups-1, none empty) each row
    belongs to, and sums of row values within groups.

    Held as one code per row, or, for rows sorted by group, as the first row of each group;
    either form is derived from the other on demand and kept. Sums over sorted rows run in
    place with ``np.add.reduceat``; over other rows a single column is summed with
    ``np.bincount`` and a matrix is first put in group order by a radix sort of the codes,
    computed once.
    """

    def __init__(self, n_rows: int, n_groups: int, *, codes: np.ndarray | None = None,
                 starts: np.ndarray | None = None) -> None:
        if codes is None and starts is None:
            raise ValueError("give codes, starts (rows sorted by group) or both")
        self.n_rows, self.n_groups = n_rows, n_groups
        self._codes = codes
        self._starts = starts
        self._sorted: bool | None = True if starts is not None else None
        self._order: np.ndarray | None = None

    @property
    def codes(self) -> np.ndarray:
        """The group of every row (int64)."""
        if self._codes is None:
            lengths = np.diff(np.append(self._starts, self.n_rows))
            self._codes = np.repeat(np.arange(self.n_groups, dtype=np.int64), lengths)
        return self._codes

    def is_sorted(self) -> bool:
        """Whether rows come in group order (then ``starts`` are known)."""
        if self._sorted is None:
            codes = self._codes
            self._sorted = bool((codes[1:] >= codes[:-1]).all())
            if self._sorted:
                self._starts = np.searchsorted(codes, np.arange(self.n_groups))
        return self._sorted

    def _ordered(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows in group order and where each group starts in that order (unsorted rows)."""
        if self._order is None:
            codes = self._codes
            small = codes.astype(np.uint16) if self.n_groups <= 65535 else codes
            self._order = np.argsort(small, kind="stable")  # radix sort for 16-bit codes
            self._ordered_starts = np.searchsorted(codes[self._order], np.arange(self.n_groups))
        return self._order, self._ordered_starts

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Sums of ``values`` (n,) or (n, p) within groups: (n_groups,) or (n_groups, p).

        A matrix is fastest in column-major order (e.g. the transpose of a p x n array).
        """
        if self.is_sorted():
            if values.ndim == 1:
                return np.add.reduceat(values, self._starts)
            return np.add.reduceat(values.T, self._starts, axis=1).T
        if values.ndim == 1:
            return np.bincount(self._codes, weights=values, minlength=self.n_groups)
        order, starts = self._ordered()
        columns = np.take(values.T, order, axis=1)  # p x n, rows contiguous
        return np.add.reduceat(columns, starts, axis=1).T

    def any(self, mask: np.ndarray) -> np.ndarray:
        """Whether each group holds at least one row where ``mask`` is True."""
        if self.is_sorted():
            return np.maximum.reduceat(mask.view(np.uint8), self._starts) > 0
        return np.bincount(self._codes[mask], minlength=self.n_groups) > 0


@dataclass(frozen=True)
class Stage:
    """Coding of one sampling stage, built once at design construction.

    ``units`` gives each row its sampling unit (0..n_units-1, unique over the whole sample,
    every code used); ``unit_group`` gives each unit its stratum at this stage (the stratum
    at stage 1, the parent unit at later stages). Arrays indexed by group hold the number of
    units sampled in the group, the finite population correction 1 - n/N and the product of
    the sampling fractions n/N of the stages above.
    """

    units: RowGroups
    unit_group: np.ndarray
    n_groups: int
    group_size: np.ndarray
    group_fpc: np.ndarray
    group_upper_fraction: np.ndarray
    group_labels: list | None = None

    @property
    def n_units(self) -> int:
        return self.units.n_groups

    @property
    def unit_codes(self) -> np.ndarray:
        return self.units.codes

    def unit_sums(self, values: np.ndarray) -> np.ndarray:
        """Sums of ``values`` (n,) or (n, p) within units: (n_units,) or (n_units, p)."""
        return self.units.sums(values)

    def unit_any(self, mask: np.ndarray) -> np.ndarray:
        """Whether each unit holds at least one row where ``mask`` is True."""
        return self.units.any(mask)

    def cell_sums(self, cells: np.ndarray, n_cells: int, values: np.ndarray | None,
                  key: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Sums of ``values`` (None = counts) by unit x cell: (n_units, n_cells).

        ``cells`` holds 0..n_cells-1, or n_cells for rows counted nowhere. Returns the
        bincount key too, so that a second variable summed over the same cells reuses it.
        """
        if n_cells == 1:
            inside = cells == 0
            summed = self.unit_sums(inside.astype(float) if values is None
                                    else values * inside)
            return summed[:, None], None
        width = n_cells + 1
        if key is None:
            key = self.unit_codes * width
            key += cells
        table = np.bincount(key, weights=values, minlength=self.n_units * width)
        return table.reshape(self.n_units, width)[:, :n_cells].astype(float), key


def _column_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (n x p) within integer ``codes``; returns n_groups x p."""
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return out


class DenseInfluence:
    """Influence values held as an explicit n x p array (already multiplied by the weights).

    ``transform`` (p x q, optional) maps the columns to the influence of the estimates
    (values @ transform), applied to the small unit totals instead of the n rows.
    """

    def __init__(self, values: np.ndarray, transform: np.ndarray | None = None) -> None:
        values = np.asarray(values, dtype=float)
        self.values = values.reshape(len(values), -1)
        self.transform = transform

    @property
    def n_columns(self) -> int:
        return self.values.shape[1] if self.transform is None else self.transform.shape[1]

    def unit_totals(self, stage: Stage) -> np.ndarray:
        totals = stage.unit_sums(self.values)
        return totals if self.transform is None else totals @ self.transform

    def dense(self) -> np.ndarray:
        return self.values if self.transform is None else self.values @ self.transform


class TableInfluence:
    """Influence of ratios of weighted sums given directly as unit totals per stage.

    theta_k = A_k / B_k; the unit total of column k is ``scale_k (A_uk - center_k B_uk)``
    with A, B the unit x k tables of the weighted numerator and denominator sums.
    """

    def __init__(self, tables: list[tuple[np.ndarray, np.ndarray]], center: np.ndarray,
                 scale: np.ndarray) -> None:
        self.tables = tables
        self.center = center
        self.scale = scale

    @property
    def n_columns(self) -> int:
        return len(self.center)

    def stage_totals(self, index: int) -> np.ndarray:
        numerator, denominator = self.tables[index]
        return self.scale * (numerator - self.center * denominator)


Influence = DenseInfluence | TableInfluence


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
    for index, stage in enumerate(stages):
        if isinstance(influence, TableInfluence):
            totals = influence.stage_totals(index)
        else:
            totals = influence.unit_totals(stage)
        cov += _stage_covariance(stage, totals, lonely_psu)
    return cov


def degf_from_units(stage: Stage, present: np.ndarray) -> float:
    """Units holding cases minus the strata (groups) those units belong to."""
    strata = np.bincount(stage.unit_group[present], minlength=stage.n_groups) > 0
    return float(np.count_nonzero(present) - np.count_nonzero(strata))
