"""Weighted two-way tables with percentages, CIs and the Rao-Scott tests of independence.

Cell shares, row and column percentages are ratios of weighted sums of the same cells
(one pass over the data shared by all of them). The tests follow Rao & Scott (1984) as
implemented in R's ``svychisq``:

* Pearson X^2 from the estimated cell proportions p, scaled to the sample size n;
* the generalised design effects are the eigenvalues of
  Delta = (C' D^-1 C / n)^-1 (C' D^-1 V D^-1 C), where D = diag(p), V the design
  covariance of p, and C spans the interaction contrasts (orthogonal to the main effects);
* second-order (default, R's ``statistic="F"``): F = X^2 / tr(Delta) on
  d = tr(Delta)^2 / tr(Delta^2) and d x (design df) degrees of freedom;
* first-order (R's ``statistic="Chisq"``): X^2 / mean(eigenvalues) against chi-square
  on (r - 1)(c - 1) df.

Two chi-square figures, not to be confused: ``pearson`` is the uncorrected Pearson X^2,
the number R prints as "X-squared" for ``statistic="Chisq"``; ``chisq`` is the
first-order corrected statistic X^2 / mean(eigenvalues), which R does not print but from
which it takes the p-value (``chisq_p_value``). On R's apiclus1 (sch.wide x stype) R prints
X-squared = 11.941, p-value = 0.005553: here ``pearson`` = 11.941, ``chisq`` = 10.387 and
``chisq_p_value`` = 0.005553. Report ``chisq`` with its p-value, or the F test.

Missing values (R's ``svychisq``, survey 4.x, whose ``na.rm=TRUE`` is the default): a row
with a missing value in either variable is an out-of-domain row of the same design, never a
dropped row. The cell proportions are estimated among the valid rows with the domain
variance of the whole design (R's ``svymean(mm, design, na.rm=TRUE)``); X^2 is scaled to
every row of the design, n = ``nrow(mm)``, missing ones included (R's
``svytable(..., Ntotal=N)``); the test's design df is the design's own, PSUs minus strata
of the whole design (R's ``nu``), so ``ddf`` = ``ndf`` x that df. "The design" is its rows
with a nonzero weight, within the subset when there is one, as R, which drops the rows
outside a subset; but a subset of a calibrated design keeps every row in R, and here too
(N and the df of the whole sample). F, ``ndf``, ``chisq`` and its p-value do not depend on
n; ``pearson``, ``ddf`` and ``p_value`` do. The table's intervals keep the domain df (PSUs
holding valid rows), as every domain estimate here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.errors import WorkbenchError
from workbench.survey.design import SurveyDesign
from workbench.survey.estimators import (
    SumsSpec,
    _in_scope,
    cell_codes,
    design_effect,
    estimate_sums,
)
from workbench.survey.intervals import check_interval, proportion_interval
from workbench.survey.variance import degf_from_units


@dataclass
class CrosstabResult:
    """``table``: one row per cell; ``test``: Rao-Scott F and first-order chi-square."""

    row: str
    col: str
    table: pd.DataFrame
    test: dict

    def wide(self, value: str = "row_percent") -> pd.DataFrame:
        """The table in row x column layout for one column of ``table``."""
        return self.table.pivot(index=self.row, columns=self.col, values=value)


def rao_scott(proportions: np.ndarray, covariance: np.ndarray, n_rows: int, n_cols: int,
              n: float, design_df: float) -> dict:
    """Rao-Scott first- and second-order corrected tests from cell proportions (row-major)."""
    p = proportions
    table = p.reshape(n_rows, n_cols)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = n * np.nansum(np.where(expected > 0, (table - expected) ** 2 / expected, 0))
    rows = np.repeat(np.arange(n_rows), n_cols)
    cols = np.tile(np.arange(n_cols), n_rows)
    main = np.column_stack([np.ones(n_rows * n_cols)]
                           + [(rows == i).astype(float) for i in range(1, n_rows)]
                           + [(cols == j).astype(float) for j in range(1, n_cols)])
    inter = np.column_stack([((rows == i) & (cols == j)).astype(float)
                             for i in range(1, n_rows) for j in range(1, n_cols)])
    fit, *_ = np.linalg.lstsq(main, inter, rcond=None)
    contrasts = inter - main @ fit
    inverse_p = np.where(p > 0, 1.0 / np.where(p > 0, p, 1.0), 0.0)
    scaled = contrasts * inverse_p[:, None]
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ covariance @ scaled
    delta = np.linalg.solve(denominator, numerator)
    trace = np.trace(delta)
    trace2 = np.trace(delta @ delta)
    d0 = trace**2 / trace2
    f_stat = pearson / trace
    ddf = d0 * design_df
    df_chisq = (n_rows - 1) * (n_cols - 1)
    chisq = pearson / (trace / df_chisq)
    return {"F": float(f_stat), "ndf": float(d0), "ddf": float(ddf),
            "p_value": float(stats.f.sf(f_stat, d0, ddf)),
            "chisq": float(chisq), "chisq_df": df_chisq,
            "chisq_p_value": float(stats.chi2.sf(chisq, df_chisq)),
            "pearson": float(pearson), "design_effects": np.linalg.eigvals(delta).real}


def _observed_levels(codes: np.ndarray, levels: np.ndarray, counts: np.ndarray
                     ) -> tuple[np.ndarray, list]:
    """Old code -> new code (levels with cases only; -1 for dropped) and those levels."""
    present = counts > 0
    remap = np.where(present, np.cumsum(present) - 1, -1)
    return remap, list(np.asarray(levels)[present])


def _test_design_size(design: SurveyDesign) -> tuple[float, float]:
    """R's ``N`` (rows X^2 is scaled to) and ``nu`` (design df) of ``svychisq``: the rows of
    the design with a nonzero weight, missing values included. R drops the rows outside a
    subset, except in a calibrated linearisation design, whose subset keeps every row (N
    and nu then come from the whole sample, while R's ``degf`` counts the subset)."""
    in_design = design.weights != 0
    whole_sample = design.calibration is not None and design.replicates is None
    if design.domain is not None and not whole_sample:
        in_design = in_design & design.domain
    n_design = float(np.count_nonzero(in_design))
    if design.replicates is not None:
        return n_design, design.degf()
    stage = design.stages[0]
    return n_design, degf_from_units(stage, stage.unit_any(in_design))


def crosstab(design: SurveyDesign, row: str, col: str, level: float = 0.95,
             interval: str = "logit") -> CrosstabResult:
    """Weighted crosstab of ``row`` by ``col`` with percentages, CIs and Rao-Scott tests.

    Intervals of shares and percentages: ``interval`` "logit" (default, R's ``svyciprop``)
    or "wald" (symmetric t); see ``intervals``.

    ``table`` columns: the two variables, ``n`` (unweighted), ``weighted_count`` (+ ``_se``),
    ``estimate``/``se``/``ci_low``/``ci_high``/``deff`` (cell share of the total, 0-1),
    ``row_percent``, ``col_percent`` (0-100, each with ``_se``, ``_ci_low``, ``_ci_high``),
    ``n_missing`` (cases left out of the cells for a missing row or column value; they stay
    in the design, see the module docstring).

    ``test`` (R's ``svychisq`` with its missing-value rule, module docstring): ``F``,
    ``ndf``, ``ddf``, ``p_value`` (Rao-Scott second order, R's default);
    ``chisq`` (first-order corrected X^2), ``chisq_df``, ``chisq_p_value`` (R's p-value for
    ``statistic="Chisq"``); ``pearson`` (uncorrected X^2, the figure R prints as
    "X-squared", not a valid test statistic under a complex design); ``design_effects``
    (eigenvalues of the generalised design effect matrix).

    Every estimate is a ratio of the same weighted cell sums with a different base (all
    cells, the row, the column, none for counts): the unit x cell table of weights is
    summed once and shared by the four estimates.
    """
    check_interval(interval)
    scope = _in_scope(design)
    valid = scope & design.valid_mask(row) & design.valid_mask(col)
    row_codes, row_levels = design.factorized(row)
    col_codes, col_levels = design.factorized(col)
    n_r, n_c = len(row_levels), len(col_levels)
    k = n_r * n_c
    cell = cell_codes(row_codes * n_c + col_codes, valid, k) if k > 1 else \
        (~valid).astype(np.int64)
    counts = np.bincount(cell, minlength=k + 1)[:k].reshape(n_r, n_c)
    row_remap, row_levels = _observed_levels(row_codes, row_levels, counts.sum(axis=1))
    col_remap, col_levels = _observed_levels(col_codes, col_levels, counts.sum(axis=0))
    cell_counts = counts.ravel().astype(float)
    if len(row_levels) < n_r or len(col_levels) < n_c:  # levels seen only out of scope
        old_r, old_c = np.divmod(np.arange(k), n_c)
        new_k = len(row_levels) * len(col_levels)
        lookup = np.where((row_remap[old_r] >= 0) & (col_remap[old_c] >= 0),
                          row_remap[old_r] * len(col_levels) + col_remap[old_c], new_k)
        cell = np.append(lookup, new_k)[cell]
        cell_counts = np.bincount(lookup, weights=cell_counts, minlength=new_k + 1)[:new_k]
    n_r, n_c = len(row_levels), len(col_levels)
    if n_r < 2 or n_c < 2:
        raise WorkbenchError("crosstab needs at least two categories in each variable",
                             column=row if n_r < 2 else col, expected=">= 2 observed levels")
    k = n_r * n_c
    all_cells = np.arange(k)
    whole = np.zeros(k, dtype=np.int64)
    shared: dict = {"n_cell": cell_counts}
    shares = estimate_sums(design, SumsSpec(cell, k, None, None, 1, None, whole, nested=True),
                           srs=True, shared=shared)
    counts = estimate_sums(design, SumsSpec(cell, k, None, None, 1, None, whole,
                                            is_total=True, nested=True), shared=shared)
    percents = {
        "row_percent": estimate_sums(design, SumsSpec(cell, k, None, None, n_r, None,
                                                      all_cells // n_c, nested=True),
                                     shared=shared),
        "col_percent": estimate_sums(design, SumsSpec(cell, k, None, None, n_c, None,
                                                      all_cells % n_c, nested=True),
                                     shared=shared),
    }
    if shares.presence is not None:
        design_df = degf_from_units(design.stages[0], shares.presence[:, 0])
    else:
        design_df = design.degf(valid)
    se = np.sqrt(np.clip(np.diag(shares.covariance), 0, None))
    ci_low, ci_high = proportion_interval(shares.estimate, se, design_df, level, interval)
    columns = {row: np.asarray(row_levels, dtype=object)[all_cells // n_c],
               col: np.asarray(col_levels, dtype=object)[all_cells % n_c],
               "n": shares.n_cell.astype(np.int64),
               "weighted_count": counts.estimate,
               "weighted_count_se": np.sqrt(np.diag(counts.covariance)),
               "estimate": shares.estimate, "se": se, "ci_low": ci_low, "ci_high": ci_high,
               "df": design_df, "deff": design_effect(shares.covariance, shares.srs)}
    for name, result in percents.items():
        pct_se = np.sqrt(np.clip(np.diag(result.covariance), 0, None))
        low, high = proportion_interval(result.estimate, pct_se, design_df, level, interval)
        columns[name] = 100 * result.estimate
        columns[f"{name}_se"] = 100 * pct_se
        columns[f"{name}_ci_low"] = 100 * low
        columns[f"{name}_ci_high"] = 100 * high
    columns["n_missing"] = int(np.count_nonzero(scope)) - int(shares.n_base[0])
    frame = pd.DataFrame(columns, index=pd.RangeIndex(k))
    n_design, test_df = _test_design_size(design)
    test = rao_scott(shares.estimate, shares.covariance, n_r, n_c, n_design, test_df)
    return CrosstabResult(row, col, frame, test)
