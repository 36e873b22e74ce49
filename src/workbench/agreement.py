"""Agreement statistics, the one home for every area: Cohen's and weighted kappa, Fleiss'
kappa, Krippendorff's alpha, ICC(A,1), percent agreement, and the published bands that put
them in words.

The qualitative module (intercoder reliability of coded corpora), the risk module
(inter-rater reliability of levels and totals) and programme monitoring (internal vs
external reviewers) all call these functions. Each coefficient returns **one tidy row**, a
``pandas.Series`` with ``estimate, se, ci_low, ci_high, n, method`` (``se`` and the interval
NaN where the method gives none), so that rows stack into a tidy table with
``pd.DataFrame([...])``. ``level`` is the coverage of an interval (0.95); ``scale`` is
Krippendorff's level of measurement ("nominal", "ordinal", "interval", "ratio"); ``seed``
seeds a bootstrap.

Coder data come as a *coders x units* matrix (a 2-D array or a DataFrame with one row per
coder and one column per unit); NaN (or None) marks a unit a coder did not code. Values may
be numbers or, for nominal data, any labels.

Formulas: Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability" (coincidence
matrix, the nominal/ordinal/interval/ratio difference functions); Fleiss (1971); Cohen
(1960); kappa's standard error is the large-sample one of Fleiss, Cohen and Everitt (1969)
as printed in the SAS PROC FREQ documentation (``ASE``), with a Wald interval; ICC(A,1) is
McGraw & Wong (1996) case 2A (= Shrout & Fleiss 1979 ICC(2,1)) with its F-based interval.
Alpha's interval is the percentile bootstrap over pairable units (the ordinary
nonparametric bootstrap, not Hayes & Krippendorff's 2007 algorithm).

Why our own code: scikit-learn's ``cohen_kappa_score`` and statsmodels' ``fleiss_kappa``
give no standard error for non-null kappa, accept no missing values and do not work from
the coders x units layout; no installed library gives ICC(A,1) with its interval; the
``krippendorff`` package builds the coincidence matrix in time that grows with the square of
the number of categories. Here the coincidence matrix comes from per-unit value counts
``n_uc`` (one ``np.bincount``): ``o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)``, a
weighted matrix product. scikit-learn, statsmodels and ``krippendorff`` are the
independent checks in the tests.
"""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.errors import WorkbenchError

Scale = Literal["nominal", "ordinal", "interval", "ratio"]
SCALES: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
ROW = ["estimate", "se", "ci_low", "ci_high", "n", "method"]

_NAN = float("nan")
_KAPPA_SE = "asymptotic SE (Fleiss, Cohen & Everitt 1969), Wald interval"


def agreement_row(estimate: float, se: float = _NAN, ci_low: float = _NAN, ci_high: float = _NAN, *,
                  n: int, method: str) -> pd.Series:
    """One tidy row of an agreement coefficient: estimate, se, ci_low, ci_high, n, method."""
    return pd.Series({"estimate": float(estimate), "se": float(se), "ci_low": float(ci_low),
                      "ci_high": float(ci_high), "n": int(n), "method": method})


# ---------------------------------------------------------------------------------------
# Coder data: coders x units matrices -> units x categories value counts
# ---------------------------------------------------------------------------------------


def _as_coder_matrix(matrix: Any, *, min_coders: int = 2) -> np.ndarray:
    """Return the coders x units matrix as a 2-D object/float array (rows = coders)."""
    if isinstance(matrix, pd.DataFrame):
        array = matrix.to_numpy()
    else:
        array = np.asarray(matrix)
    if array.ndim != 2:
        raise WorkbenchError(
            "the reliability data must be a coders x units table",
            value=f"{array.ndim}-dimensional input",
            expected="a 2-D array or DataFrame with one row per coder and one column per unit",
        )
    if array.shape[0] < min_coders:
        raise WorkbenchError(
            f"reliability needs at least {min_coders} coders (rows)",
            value=f"{array.shape[0]} row(s)",
            expected="one row per coder, one column per unit",
        )
    return array


def _missing_mask(array: np.ndarray) -> np.ndarray:
    """True where a value is missing (NaN, None or pandas NA)."""
    return pd.isna(array)


def _encode_values(
    array: np.ndarray, scale: str, value_order: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map present values to category indices.

    Returns ``(coder_idx, unit_idx, category_idx)`` for every present value and the
    category values (sorted for numeric data, or in ``value_order``).
    """
    missing = _missing_mask(array)
    coder_idx, unit_idx = np.nonzero(~missing)
    present = array[coder_idx, unit_idx]
    if value_order is not None:
        categories = np.asarray(list(value_order), dtype=object)
        lookup = {value: i for i, value in enumerate(categories)}
        try:
            category_idx = np.fromiter((lookup[v] for v in present), dtype=np.int64, count=present.size)
        except KeyError as exc:
            raise WorkbenchError(
                "a coded value is not in value_order",
                value=exc.args[0],
                expected=f"one of {list(categories)}",
            ) from None
        if scale in ("interval", "ratio"):
            categories = categories.astype(float)
        return unit_idx, category_idx, categories
    if scale == "nominal" and present.dtype.kind not in "fiub":
        codes, uniques = pd.factorize(pd.Series(present, dtype=object), sort=False)
        return unit_idx, codes.astype(np.int64), np.asarray(uniques, dtype=object)
    try:
        numeric = present.astype(float)
    except (TypeError, ValueError):
        raise WorkbenchError(
            f"{scale} reliability needs numeric values (or value_order for ordinal labels)",
            value=present[:5].tolist(),
            expected="numbers",
        ) from None
    return (unit_idx, *_sorted_factorize(numeric))


def _sorted_factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Category index per value and the sorted distinct values.

    Whole numbers in a modest range (the usual codes 0/1, 1..5, ...) are indexed by
    offset and counting; anything else is hashed (pandas.factorize) and ranked.
    """
    if values.size and np.isfinite(values).all():
        low, high = float(values.min()), float(values.max())
        if high - low <= 10 * values.size + 1000 and np.array_equal(values, np.floor(values)):
            offsets = (values - low).astype(np.int64)
            used = np.bincount(offsets) > 0
            index_of_offset = np.cumsum(used) - 1
            return index_of_offset[offsets], np.flatnonzero(used) + low
    codes, uniques = pd.factorize(values, sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes], np.asarray(uniques)[order]


def _unit_category_counts(
    matrix: Any, scale: str, value_order: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n_uc`` (units x categories value counts) and the category values."""
    if scale not in SCALES:
        raise WorkbenchError("unknown scale of measurement", value=scale, expected=" | ".join(SCALES))
    array = _as_coder_matrix(matrix)
    if value_order is None and array.dtype.kind in "fiub":
        fast = _whole_number_counts(array.astype(float, copy=False))
        if fast is not None:
            return fast
    unit_idx, category_idx, categories = _encode_values(array, scale, value_order)
    n_units, n_categories = array.shape[1], len(categories)
    counts = np.bincount(
        unit_idx * n_categories + category_idx, minlength=n_units * n_categories
    ).reshape(n_units, n_categories)
    return counts, categories


def _whole_number_counts(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``n_uc`` for numeric data made of whole numbers in a modest range, else None.

    The common case (codes 0/1, ratings 1..5) without hashing or gathering: each cell's
    offset from the smallest value (NaN -> an extra column) is counted per unit with one
    ``np.bincount``; columns of values that never occur are dropped.
    """
    low, high = np.fmin.reduce(array, axis=None), np.fmax.reduce(array, axis=None)
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > 10_000:
        return None  # all missing, infinite values or a wide range: use the general path
    width = int(high - low) + 2  # the last column collects missing cells
    filled = np.nan_to_num(array - low, nan=width - 1)
    offsets = filled.astype(np.int64)
    if not np.array_equal(offsets, filled):
        return None  # not whole numbers
    n_units = array.shape[1]
    offsets += width * np.arange(n_units, dtype=np.int64)[None, :]
    counts = np.bincount(offsets.ravel(), minlength=n_units * width).reshape(n_units, width)[:, :-1]
    used = counts.any(axis=0)
    return counts[:, used], np.flatnonzero(used) + low

def coincidence_matrix(counts: np.ndarray, unit_weights: np.ndarray | None = None) -> np.ndarray:
    """Coincidence matrix ``o_ck`` from units x categories value counts (Krippendorff 2011).

    Only pairable units (at least two values) contribute. ``unit_weights`` (optional)
    repeats units, e.g. for bootstrap resamples.
    """
    counts = np.asarray(counts, dtype=float)
    values_per_unit = counts.sum(axis=1)
    pairable = values_per_unit >= 2
    # 1 / (m_u - 1) for pairable units, 0 for the rest (they contribute nothing)
    scale = np.divide(1.0, values_per_unit - 1.0, out=np.zeros_like(values_per_unit), where=pairable)
    if unit_weights is not None:
        scale = scale * np.asarray(unit_weights, dtype=float)
    scaled = counts * scale[:, None]
    coincidences = scaled.T @ counts
    coincidences[np.diag_indices_from(coincidences)] -= scaled.sum(axis=0)
    return coincidences


def _squared_differences(scale: str, categories: np.ndarray, marginals: np.ndarray) -> np.ndarray:
    """The difference function delta^2_ck for the scale of measurement."""
    n_categories = len(categories)
    if scale == "nominal":
        return 1.0 - np.eye(n_categories)
    if scale == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
        # sum_{g=c}^{k} n_g - (n_c + n_k) / 2, for c <= k (symmetric)
        low = np.minimum.outer(np.arange(n_categories), np.arange(n_categories))
        high = np.maximum.outer(np.arange(n_categories), np.arange(n_categories))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2
    values = categories.astype(float)
    difference = np.subtract.outer(values, values)
    if scale == "interval":
        return difference**2
    total = np.add.outer(values, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, difference / np.where(total == 0, 1.0, total))
    return ratio**2


def _alpha_from_coincidences(coincidences: np.ndarray, categories: np.ndarray, scale: str) -> float:
    marginals = coincidences.sum(axis=1)
    total = marginals.sum()
    if total <= 1:
        return float("nan")
    delta = _squared_differences(scale, categories, marginals)
    observed = float((coincidences * delta).sum())
    expected = float((np.outer(marginals, marginals) * delta).sum())
    if expected == 0:
        return float("nan")
    return 1.0 - (total - 1.0) * observed / expected


def krippendorff_alpha(
    matrix: Any,
    scale: Scale = "nominal",
    *,
    value_order: Sequence[Any] | None = None,
    n_boot: int = 0,
    level: float = 0.95,
    seed: int | np.random.Generator = 0,
) -> pd.Series:
    """Krippendorff's alpha for a coders x units matrix (NaN = not coded), as one tidy row.

    ``scale`` is "nominal", "ordinal", "interval" or "ratio"; ordinal values are ranked by
    their numeric order, or by ``value_order`` for labels. Units with fewer than two values
    are not pairable and are ignored; ``n`` counts the pairable units. The estimate is NaN
    when expected disagreement is zero (a single value in the whole data).

    With ``n_boot`` > 0 the pairable units are resampled with replacement ``n_boot`` times
    (``seed``: an integer, or a Generator when a caller draws several intervals from one
    stream); the standard error is the standard deviation of the bootstrap alphas and the
    interval their ``level`` percentiles; resamples with undefined alpha are dropped. Units
    with the same value counts contribute identically, so a resample is drawn exactly as
    multinomial counts over the distinct count patterns (fast for 0/1 presence data).
    """
    counts, categories = _unit_category_counts(matrix, scale, value_order)
    estimate = _alpha_from_coincidences(coincidence_matrix(counts), categories, scale)
    pairable = counts[counts.sum(axis=1) >= 2]
    method = f"Krippendorff's alpha ({scale})"
    if n_boot <= 0:
        return agreement_row(estimate, n=pairable.shape[0], method=method)
    method += ", percentile bootstrap over units"
    if not np.isfinite(estimate) or pairable.shape[0] < 2:
        return agreement_row(estimate, n=pairable.shape[0], method=method)
    generator = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    patterns, frequency = np.unique(pairable, axis=0, return_counts=True)
    n_units, n_categories = pairable.shape[0], patterns.shape[1]
    # each pattern's contribution to the coincidence matrix, flattened to C*C
    contribution = np.stack([coincidence_matrix(pattern[None, :]).ravel() for pattern in patterns])
    replicates = np.empty(n_boot)
    chunk = max(1, 5_000_000 // max(len(patterns), 1))
    for first in range(0, n_boot, chunk):
        size = min(chunk, n_boot - first)
        draws = generator.multinomial(n_units, frequency / n_units, size=size)
        coincidences = (draws @ contribution).reshape(size, n_categories, n_categories)
        for offset in range(size):
            replicates[first + offset] = _alpha_from_coincidences(coincidences[offset], categories, scale)
    replicates = replicates[np.isfinite(replicates)]
    if replicates.size < 2:
        return agreement_row(estimate, n=n_units, method=method)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    return agreement_row(estimate, replicates.std(ddof=1), low, high, n=n_units, method=method)


# ---------------------------------------------------------------------------------------
# Percent agreement, Fleiss' kappa, Cohen's and weighted kappa, ICC
# ---------------------------------------------------------------------------------------


def percent_agreement(matrix: Any) -> float:
    """Share of agreeing coder pairs, averaged over units (0..1, not per cent).

    For each unit with at least two values: agreeing pairs / all pairs of its values; the
    result is the mean over those units. With two coders this is the share of units on
    which both coders gave the same value.
    """
    counts, _ = _unit_category_counts(matrix, "nominal", None)
    values_per_unit = counts.sum(axis=1)
    pairable = values_per_unit >= 2
    if not pairable.any():
        return float("nan")
    counts, values_per_unit = counts[pairable].astype(float), values_per_unit[pairable].astype(float)
    per_unit = (counts * (counts - 1)).sum(axis=1) / (values_per_unit * (values_per_unit - 1))
    return float(per_unit.mean())

def fleiss_kappa(matrix: Any) -> pd.Series:
    """Fleiss' (1971) kappa for a raters x subjects matrix (same number of ratings per subject).

    Raters need not be the same people across subjects, but every subject must have the
    same number of ratings; subjects with no rating at all are ignored. One tidy row with
    ``n`` subjects; no standard error (Fleiss 1971 gives one only under the null hypothesis).
    """
    method = "Fleiss' kappa (Fleiss 1971)"
    counts, _ = _unit_category_counts(matrix, "nominal", None)
    per_subject = counts.sum(axis=1)
    counts = counts[per_subject > 0]
    per_subject = per_subject[per_subject > 0]
    if counts.shape[0] == 0:
        return agreement_row(_NAN, n=0, method=method)
    if np.unique(per_subject).size != 1 or per_subject[0] < 2:
        raise WorkbenchError(
            "Fleiss' kappa needs the same number (>= 2) of ratings for every subject",
            value=sorted(set(per_subject.tolist())),
            expected="a constant number of ratings per subject",
        )
    raters = float(per_subject[0])
    counts = counts.astype(float)
    n_subjects = counts.shape[0]
    category_share = counts.sum(axis=0) / (n_subjects * raters)
    subject_agreement = ((counts * (counts - 1)).sum(axis=1)) / (raters * (raters - 1))
    observed = subject_agreement.mean()
    expected = float((category_share**2).sum())
    if expected == 1.0:
        return agreement_row(_NAN, n=n_subjects, method=method)
    return agreement_row((observed - expected) / (1.0 - expected), n=n_subjects, method=method)

def _two_coder_table(matrix: Any, value_order: Sequence[Any] | None) -> np.ndarray:
    """Agreement table (coder 1 rows x coder 2 columns) over units both coders coded."""
    array = _as_coder_matrix(matrix)
    if array.shape[0] != 2:
        raise WorkbenchError(
            "Cohen's kappa compares exactly two coders",
            value=f"{array.shape[0]} coders",
            expected="a 2 x units matrix (use fleiss_kappa or krippendorff_alpha for more)",
        )
    both = ~_missing_mask(array).any(axis=0)
    array = array[:, both]
    unit_idx, category_idx, categories = _encode_values(array, "nominal", value_order)
    # _encode_values returns present values in row-major order: coder 0 first, then coder 1
    n_units = array.shape[1]
    first, second = category_idx[:n_units], category_idx[n_units:]
    n_categories = len(categories)
    table = np.zeros((n_categories, n_categories))
    np.add.at(table, (first, second), 1.0)
    return table


def cohen_kappa(matrix: Any, *, value_order: Sequence[Any] | None = None, level: float = 0.95) -> pd.Series:
    """Cohen's (1960) kappa of a 2 x units matrix with its asymptotic SE and Wald interval
    (one tidy row, ``n`` units); units missing for either coder are dropped. NaN when there
    is no unit or chance agreement is total (both coders used one and the same value)."""
    return weighted_kappa(_two_coder_table(matrix, value_order), "none", level)


def weighted_kappa(table: Any, weights: str = "quadratic", level: float = 0.95) -> pd.Series:
    """Kappa of a square agreement table (rows coder 1, columns coder 2, categories in order)
    with the asymptotic SE and a Wald interval, as one tidy row (``n`` = units rated).

    ``weights``: "none" (Cohen's kappa), "linear" (Cicchetti-Allison) or "quadratic"
    (Fleiss-Cohen), on the categories' ranks.
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise WorkbenchError("an agreement table must be square", value=counts.shape, expected="k x k")
    if weights not in ("none", "linear", "quadratic"):
        raise WorkbenchError("unknown kappa weights", value=weights, expected="none | linear | quadratic")
    method = ("Cohen's kappa" if weights == "none" else f"weighted kappa ({weights})") + ", " + _KAPPA_SE
    total = counts.sum()
    c = counts.shape[0]
    p = counts / total if total > 0 else counts
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    pos = np.arange(c, dtype=float)
    distance = np.abs(pos[:, None] - pos[None, :]) / max(c - 1, 1)
    w = {"linear": 1 - distance, "quadratic": 1 - distance ** 2, "none": np.eye(c)}[weights]
    expected = float(np.sum(w * np.outer(rows, cols)))
    if total == 0 or expected == 1.0:
        return agreement_row(_NAN, n=int(total), method=method)
    observed = float(np.sum(w * p))
    kappa = (observed - expected) / (1 - expected)
    w_row = w @ cols          # weighted mean agreement of row category i
    w_col = rows @ w          # weighted mean agreement of column category j
    inner = np.sum(p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2)
    variance = (inner - (kappa - expected * (1 - kappa)) ** 2) / (total * (1 - expected) ** 2)
    se = float(np.sqrt(max(variance, 0.0)))
    z = stats.norm.ppf(0.5 + level / 2)
    return agreement_row(kappa, se, kappa - z * se, kappa + z * se, n=int(total), method=method)


def icc_agreement(ratings: np.ndarray | pd.DataFrame, level: float = 0.95) -> pd.Series:
    """ICC(A,1) of an n-subjects x k-raters matrix (no missing values) with its F-based
    interval, as one tidy row (``n`` subjects; no standard error)."""
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
    alpha = 1 - level
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    v = (a * ms_c + b * ms_e) ** 2 / ((a * ms_c) ** 2 / (k - 1) + (b * ms_e) ** 2 / ((n - 1) * (k - 1)))
    f_low = stats.f.ppf(1 - alpha / 2, n - 1, v)
    f_high = stats.f.ppf(1 - alpha / 2, v, n - 1)
    lower = n * (ms_r - f_low * ms_e) / (f_low * (k * ms_c + (k * n - k - n) * ms_e) + n * ms_r)
    upper = n * (f_high * ms_r - ms_e) / (k * ms_c + (k * n - k - n) * ms_e + n * f_high * ms_r)
    return agreement_row(icc, _NAN, lower, upper, n=n, method="ICC(A,1), F-based interval (McGraw & Wong 1996)")


# ---------------------------------------------------------------------------------------
# Bands: the published readings of each coefficient
# ---------------------------------------------------------------------------------------

#: upper bound -> band. kappa: Landis & Koch (1977, Biometrics 33:159-174, p. 165), < 0 poor,
#: 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1 almost
#: perfect (upper limits inclusive); ICC: Koo & Li (2016, J Chiropr Med 15:155-163), below
#: 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, above excellent (upper limits exclusive).
KAPPA_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
    (float("inf"), "almost_perfect"),
)
ICC_BANDS: tuple[tuple[float, str], ...] = (
    (0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (float("inf"), "excellent"),
)
#: Krippendorff (2004, Content Analysis, 2nd ed., p. 241): alpha >= 0.800 reliable;
#: 0.667 <= alpha < 0.800 tentative conclusions only; below 0.667 not reliable
KRIPPENDORFF_RELIABLE = 0.800
KRIPPENDORFF_TENTATIVE = 0.667
#: the one reliability threshold of every report (02 and 10): coded evidence whose
#: Krippendorff's alpha is below it is not reliable enough to draw even tentative conclusions
RELIABLE_ALPHA = KRIPPENDORFF_TENTATIVE
MEASURES = ("kappa", "alpha", "icc")


def agreement_band(estimate: float | None, measure: str) -> str | None:
    """The published reading of an agreement coefficient, as a band key; None when missing.

    ``measure``: "kappa" (any kappa; Landis & Koch 1977: poor, slight, fair, moderate,
    substantial, almost_perfect), "alpha" (Krippendorff 2004: reliable, tentative,
    unreliable) or "icc" (Koo & Li 2016: poor, moderate, good, excellent).
    """
    if measure not in MEASURES:
        raise WorkbenchError("unknown agreement measure", value=measure, expected=" | ".join(MEASURES))
    if estimate is None or pd.isna(estimate) or not np.isfinite(estimate):
        return None
    if measure == "alpha":
        if estimate >= KRIPPENDORFF_RELIABLE:
            return "reliable"
        return "tentative" if estimate >= KRIPPENDORFF_TENTATIVE else "unreliable"
    if measure == "icc":
        return next(name for bound, name in ICC_BANDS if estimate < bound)
    if estimate < 0:
        return KAPPA_BANDS[0][1]
    return next(name for bound, name in KAPPA_BANDS[1:] if estimate <= bound)
