"""Inter-rater reliability of a risk instrument on double-scored assessments.

Totals: intraclass correlation ICC(A,1); levels: weighted kappa (linear = Cicchetti-Allison,
quadratic = Fleiss-Cohen weights on the level ranks). Both come from ``workbench.agreement``,
the one implementation the qualitative and programme modules use too; so do the verbal
bands (``agreement.agreement_band``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench.agreement import ROW, agreement_row, icc_agreement, weighted_kappa
from workbench.columns import require_columns
from workbench.errors import WorkbenchError


def interrater_reliability(first: pd.DataFrame, second: pd.DataFrame, id_column: str = "assessment_id",
                           total: str = "total", risk_level: str = "risk_level",
                           levels: Sequence[str] = ("low", "medium", "high"), level: float = 0.95) -> pd.DataFrame:
    """Agreement of two raters on the same assessments (matched on ``id_column``).

    ``total`` and ``risk_level`` name the columns of the total score and the risk level,
    ``levels`` the risk levels in order; intervals cover ``level``. Rows: ``icc_a1_total``,
    ``weighted_kappa_linear``, ``weighted_kappa_quadratic`` (levels), ``exact_agreement_level``
    (share of identical levels). Columns: ``measure``, ``estimate``, ``se``, ``ci_low``,
    ``ci_high``, ``n``, ``method``. Pairs where either rating cannot be scored are left out.
    """
    require_columns(first, [id_column, total, risk_level], what="the first rater's table")
    require_columns(second, [id_column, total, risk_level], what="the second rater's table")
    pairs = first[[id_column, total, risk_level]].merge(second[[id_column, total, risk_level]], on=id_column,
                                                        suffixes=("_1", "_2"), validate="one_to_one")
    pairs = pairs.dropna()
    order = {name: k for k, name in enumerate(levels)}
    unknown = set(pairs[f"{risk_level}_1"]).union(pairs[f"{risk_level}_2"]) - set(order)
    if unknown:
        raise WorkbenchError("unknown level in double-scored assessments", column=risk_level, value=sorted(unknown),
                             expected=f"one of {list(levels)}")
    rows = [{"measure": "icc_a1_total", **icc_agreement(pairs[[f"{total}_1", f"{total}_2"]].to_numpy(float), level)}]
    table = np.zeros((len(levels), len(levels)))
    np.add.at(table, (pairs[f"{risk_level}_1"].map(order).to_numpy(int),
                      pairs[f"{risk_level}_2"].map(order).to_numpy(int)), 1)
    for weights in ("linear", "quadratic"):
        rows.append({"measure": f"weighted_kappa_{weights}", **weighted_kappa(table, weights, level)})
    agree = float(np.trace(table) / table.sum())
    rows.append({"measure": "exact_agreement_level",
                 **agreement_row(agree, n=int(table.sum()), method="share of identical levels")})
    return pd.DataFrame(rows)[["measure", *ROW]]
