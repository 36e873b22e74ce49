"""Shares with exact (Clopper-Pearson) confidence intervals, for tables of counts.

The interval is scipy's ``binomtest(...).proportion_ci(method="exact")``: the
Clopper-Pearson interval, i.e. beta quantiles ``B(a/2; k, n-k+1)`` and
``B(1-a/2; k+1, n-k)``. It never falls below its nominal coverage, which is why programme
results ("95% of officers improved") are reported with it even when n is small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CI_METHOD = "Clopper-Pearson exact"


def exact_ci(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval of ``successes / trials`` (NaN, NaN when ``trials == 0``)."""
    if trials <= 0:
        return float("nan"), float("nan")
    interval = stats.binomtest(int(successes), int(trials)).proportion_ci(level, method="exact")
    return float(interval.low), float(interval.high)


def share_table(successes: pd.Series, trials: pd.Series, level: float = 0.95) -> pd.DataFrame:
    """``share``, ``ci_low``, ``ci_high`` (0..1) for aligned count series; NaN where no trials."""
    rows = [
        (s / t if t > 0 else np.nan, *exact_ci(int(s), int(t), level))
        for s, t in zip(successes.to_numpy(), trials.to_numpy())
    ]
    return pd.DataFrame(rows, columns=["share", "ci_low", "ci_high"], index=successes.index)
