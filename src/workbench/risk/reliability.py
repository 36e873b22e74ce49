"""Inter-rater reliability of a risk instrument on double-scored assessments.

Totals: intraclass correlation ICC(A,1); levels: weighted kappa (linear = Cicchetti-Allison,
quadratic = Fleiss-Cohen weights on the level ranks). Both come from ``workbench.agreement``,
the one implementation the qualitative and programme modules use too.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.agreement import icc_agreement, weighted_kappa
from workbench.errors import WorkbenchError


def interrater_reliability(first: pd.DataFrame, second: pd.DataFrame, id_column: str = "assessment_id",
                           total: str = "total", level: str = "level", levels: Sequence[str] = ("low", "medium", "high"),
                           confidence: float = 0.95) -> pd.DataFrame:
    """Agreement of two raters on the same assessments (matched on ``id_column``).

    Rows: ``icc_a1_total``, ``weighted_kappa_linear``, ``weighted_kappa_quadratic`` (levels),
    ``exact_agreement_level`` (share of identical levels). Columns: ``measure``, ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``n``. Pairs where either rating cannot be scored
    are left out.
    """
    for name, table in (("first", first), ("second", second)):
        for column in (id_column, total, level):
            if column not in table.columns:
                raise WorkbenchError(f"the {name} rater's table has no column {column!r}", column=column)
    pairs = first[[id_column, total, level]].merge(second[[id_column, total, level]], on=id_column,
                                                   suffixes=("_1", "_2"), validate="one_to_one")
    pairs = pairs.dropna()
    order = {name: k for k, name in enumerate(levels)}
    unknown = set(pairs[f"{level}_1"]).union(pairs[f"{level}_2"]) - set(order)
    if unknown:
        raise WorkbenchError("unknown level in double-scored assessments", column=level, value=sorted(unknown),
                             expected=f"one of {list(levels)}")
    rows = [{"measure": "icc_a1_total", "se": np.nan,
             **icc_agreement(pairs[[f"{total}_1", f"{total}_2"]].to_numpy(float), confidence)}]
    table = np.zeros((len(levels), len(levels)))
    np.add.at(table, (pairs[f"{level}_1"].map(order).to_numpy(int), pairs[f"{level}_2"].map(order).to_numpy(int)), 1)
    for weights in ("linear", "quadratic"):
        rows.append({"measure": f"weighted_kappa_{weights}", **weighted_kappa(table, weights, confidence)})
    agree = float(np.trace(table) / table.sum())
    rows.append({"measure": "exact_agreement_level", "estimate": agree, "se": np.nan, "ci_low": np.nan,
                 "ci_high": np.nan, "n": int(table.sum())})
    return pd.DataFrame(rows)[["measure", "estimate", "se", "ci_low", "ci_high", "n"]]


#: upper bounds of the verbal bands: ICC after Koo & Li (2016, J Chiropr Med 15:155-163),
#: kappa after Landis & Koch (1977, Biometrics 33:159-174)
ICC_BANDS = ((0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (float("inf"), "excellent"))
KAPPA_BANDS = ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (float("inf"), "almost_perfect"))


def agreement_band(estimate: float, measure: str) -> str:
    """Verbal band of an agreement statistic for readers: ``measure`` "icc" (Koo & Li 2016:
    below .5 poor, .5-.75 moderate, .75-.9 good, above excellent) or "kappa" (Landis & Koch
    1977: below 0 poor, up to .2 slight, .4 fair, .6 moderate, .8 substantial, above almost
    perfect). Returns the band's key; "unknown" for a missing estimate."""
    bands = {"icc": ICC_BANDS, "kappa": KAPPA_BANDS}.get(measure)
    if bands is None:
        raise WorkbenchError("unknown agreement measure", value=measure, expected="icc or kappa")
    if estimate is None or not np.isfinite(estimate):
        return "unknown"
    if measure == "icc":   # Koo & Li: "less than 0.5", "between 0.5 and 0.75", ...
        return next(name for bound, name in bands if estimate < bound)
    if estimate < 0:       # Landis & Koch: < 0 poor, 0.00-0.20 slight, 0.21-0.40 fair, ...
        return "poor"
    return next(name for bound, name in bands[1:] if estimate <= bound)
