"""Agreement statistics shared by every area: weighted Cohen's kappa, ICC(A,1), and the
published bands that put kappa (Landis & Koch 1977) and alpha (Krippendorff 2004) in words.

One implementation serves the qualitative module (intercoder reliability), the risk module
(inter-rater reliability of levels and totals) and programme monitoring (internal vs
external reviewers). Kappa's standard error is the large-sample one of Fleiss, Cohen and
Everitt (1969) as printed in the SAS PROC FREQ documentation; ICC(A,1) is McGraw & Wong
(1996) case 2A (= Shrout & Fleiss 1979 ICC(2,1)) with its F-based interval. Written here
because scikit-learn gives kappa without a standard error and no installed library gives
ICC(A,1) with its interval; ``sklearn.metrics.cohen_kappa_score`` is the independent check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from workbench.errors import WorkbenchError

#: Landis & Koch (1977, Biometrics 33:159-174, Table p. 165): upper bound -> band
LANDIS_KOCH_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
    (1.0, "almost_perfect"),
)
#: Krippendorff (2004, Content Analysis, 2nd ed., p. 241): alpha >= 0.800 reliable;
#: 0.667 <= alpha < 0.800 tentative conclusions only; below 0.667 not reliable
KRIPPENDORFF_RELIABLE = 0.800
KRIPPENDORFF_TENTATIVE = 0.667


def icc_agreement(ratings: np.ndarray | pd.DataFrame, confidence: float = 0.95) -> dict[str, float]:
    """ICC(A,1) of an n-subjects x k-raters matrix (no missing values) with its CI."""
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 3 or np.isnan(x).any():
        raise WorkbenchError("ICC needs a complete table of at least 3 subjects by 2 raters",
                             value=getattr(x, "shape", None), expected="subjects in rows, raters in columns, no blanks")
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * np.sum((x.mean(axis=1) - grand) ** 2)
    ss_cols = n * np.sum((x.mean(axis=0) - grand) ** 2)
    ss_err = np.sum((x - grand) ** 2) - ss_rows - ss_cols
    ms_r, ms_c, ms_e = ss_rows / (n - 1), ss_cols / (k - 1), ss_err / ((n - 1) * (k - 1))
    icc = (ms_r - ms_e) / (ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n)
    alpha = 1 - confidence
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    v = (a * ms_c + b * ms_e) ** 2 / ((a * ms_c) ** 2 / (k - 1) + (b * ms_e) ** 2 / ((n - 1) * (k - 1)))
    f_low = stats.f.ppf(1 - alpha / 2, n - 1, v)
    f_high = stats.f.ppf(1 - alpha / 2, v, n - 1)
    lower = n * (ms_r - f_low * ms_e) / (f_low * (k * ms_c + (k * n - k - n) * ms_e) + n * ms_r)
    upper = n * (f_high * ms_r - ms_e) / (k * ms_c + (k * n - k - n) * ms_e + n * f_high * ms_r)
    return {"estimate": float(icc), "ci_low": float(lower), "ci_high": float(upper), "n": n}


def weighted_kappa(table: np.ndarray, weights: str = "quadratic", confidence: float = 0.95) -> dict[str, float]:
    """Weighted kappa of a square agreement table (rows rater 1, columns rater 2, categories
    in order) with the asymptotic SE; ``weights`` is "linear", "quadratic" or "none"."""
    counts = np.asarray(table, dtype=float)
    c = counts.shape[0]
    total = counts.sum()
    p = counts / total
    pos = np.arange(c, dtype=float)
    distance = np.abs(pos[:, None] - pos[None, :]) / (c - 1)
    w = {"linear": 1 - distance, "quadratic": 1 - distance ** 2, "none": np.eye(c)}[weights]
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed = float(np.sum(w * p))
    expected = float(np.sum(w * np.outer(rows, cols)))
    kappa = (observed - expected) / (1 - expected)
    w_row = w @ cols          # weighted mean agreement of row category i
    w_col = rows @ w          # weighted mean agreement of column category j
    inner = np.sum(p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2)
    variance = (inner - (kappa - expected * (1 - kappa)) ** 2) / (total * (1 - expected) ** 2)
    se = float(np.sqrt(max(variance, 0.0)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return {"estimate": float(kappa), "se": se, "ci_low": kappa - z * se, "ci_high": kappa + z * se,
            "n": int(total)}


def landis_koch_band(kappa: float) -> str | None:
    """Landis & Koch (1977) band of a kappa: poor (< 0), slight (0-0.20), fair (0.21-0.40),
    moderate (0.41-0.60), substantial (0.61-0.80), almost_perfect (0.81-1); None for NaN."""
    if kappa is None or not np.isfinite(kappa):
        return None
    if kappa < 0:
        return LANDIS_KOCH_BANDS[0][1]
    for upper, band in LANDIS_KOCH_BANDS[1:]:
        if kappa <= upper:
            return band
    return LANDIS_KOCH_BANDS[-1][1]


def krippendorff_band(alpha: float) -> str | None:
    """Krippendorff's (2004) reading of alpha: "reliable" (>= 0.800), "tentative"
    (0.667-0.800: tentative conclusions only), "unreliable" (< 0.667); None for NaN."""
    if alpha is None or not np.isfinite(alpha):
        return None
    if alpha >= KRIPPENDORFF_RELIABLE:
        return "reliable"
    if alpha >= KRIPPENDORFF_TENTATIVE:
        return "tentative"
    return "unreliable"
