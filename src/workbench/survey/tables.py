"""Weighted two-way tables with percentages, CIs and the Rao-Scott tests of independence.

Cell shares, row and column percentages are ratios of weighted sums (one engine call
each). The tests follow Rao & Scott (1984) as implemented in R's ``svychisq``:

* Pearson X^2 from the estimated cell proportions p, scaled to the sample size n;
* the generalised design effects are the eigenvalues of
  Delta = (C' D^-1 C / n)^-1 (C' D^-1 V D^-1 C), where D = diag(p), V the design
  covariance of p, and C spans the interaction contrasts (orthogonal to the main effects);
* second-order (default, R's ``statistic="F"``): F = X^2 / tr(Delta) on
  d = tr(Delta)^2 / tr(Delta^2) and d x (design df) degrees of freedom;
* first-order (R's ``statistic="Chisq"``): X^2 / mean(eigenvalues) against chi-square
  on (r - 1)(c - 1) df.
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
    design_effect,
    estimate_sums,
    srs_variance,
    t_interval,
)


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


def _codes(design: SurveyDesign, name: str, valid: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of the levels observed among ``valid`` rows (-1 elsewhere)."""
    codes, levels = design.factorized(name)
    codes = np.where(valid, codes, -1)
    present = np.bincount(codes[codes >= 0], minlength=len(levels)) > 0
    if not present.all():
        remap = np.cumsum(present) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        levels = levels[present]
    return codes, list(levels)


def crosstab(design: SurveyDesign, row: str, col: str, level: float = 0.95) -> CrosstabResult:
    """Weighted crosstab of ``row`` by ``col`` with percentages, CIs and Rao-Scott tests.

    ``table`` columns: the two variables, ``n`` (unweighted), ``weighted_count`` (+ ``_se``),
    ``estimate``/``se``/``ci_low``/``ci_high``/``deff`` (cell share of the total, 0-1),
    ``row_percent``, ``col_percent`` (0-100, each with ``_se``, ``_ci_low``, ``_ci_high``),
    ``n_missing`` (cases dropped for a missing row or column value).
    """
    scope = _in_scope(design)
    valid = scope & design.valid_mask(row) & design.valid_mask(col)
    row_codes, row_levels = _codes(design, row, valid)
    col_codes, col_levels = _codes(design, col, valid)
    n_r, n_c = len(row_levels), len(col_levels)
    if n_r < 2 or n_c < 2:
        raise WorkbenchError("crosstab needs at least two categories in each variable",
                             column=row if n_r < 2 else col, expected=">= 2 observed levels")
    k = n_r * n_c
    cell = np.where(valid, row_codes * n_c + col_codes, -1)
    ones = np.ones(design.n_rows)
    all_cells = np.arange(k)
    whole = np.where(valid, 0, -1)
    shares_spec = SumsSpec(cell, k, ones, whole, 1, ones, np.zeros(k, dtype=np.int64))
    counts_spec = SumsSpec(cell, k, ones, whole, 1, ones, np.zeros(k, dtype=np.int64),
                           is_total=True)
    row_spec = SumsSpec(cell, k, ones, np.where(valid, row_codes, -1), n_r, ones,
                        all_cells // n_c)
    col_spec = SumsSpec(cell, k, ones, np.where(valid, col_codes, -1), n_c, ones,
                        all_cells % n_c)
    design_df = design.degf(valid)
    shares = estimate_sums(design, shares_spec)
    frame = pd.DataFrame({row: np.asarray(row_levels, dtype=object)[all_cells // n_c],
                          col: np.asarray(col_levels, dtype=object)[all_cells % n_c]})
    frame["n"] = np.bincount(cell[cell >= 0], minlength=k)
    counts = estimate_sums(design, counts_spec)
    frame["weighted_count"] = counts.estimate
    frame["weighted_count_se"] = np.sqrt(np.diag(counts.covariance))
    se = np.sqrt(np.clip(np.diag(shares.covariance), 0, None))
    frame["estimate"] = shares.estimate
    frame["se"] = se
    frame["ci_low"], frame["ci_high"] = t_interval(shares.estimate, se, design_df, level)
    frame["df"] = design_df
    frame["deff"] = design_effect(shares.covariance, srs_variance(
        design, shares_spec, shares.estimate, shares.denominator))
    for name, spec in (("row_percent", row_spec), ("col_percent", col_spec)):
        result = estimate_sums(design, spec)
        pct_se = np.sqrt(np.clip(np.diag(result.covariance), 0, None))
        low, high = t_interval(result.estimate, pct_se, design_df, level)
        frame[name] = 100 * result.estimate
        frame[f"{name}_se"] = 100 * pct_se
        frame[f"{name}_ci_low"] = 100 * low
        frame[f"{name}_ci_high"] = 100 * high
    frame["n_missing"] = int((scope & ~valid).sum())
    n_valid = float(valid.sum())
    test = rao_scott(shares.estimate, shares.covariance, n_r, n_c, n_valid, design_df)
    return CrosstabResult(row, col, frame, test)
