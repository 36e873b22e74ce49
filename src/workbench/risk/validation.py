"""Honest validation of risk scores: discrimination, calibration, error rates, fairness.

Public contract::

    validate_scores(df, score="total", outcome="reoffended", by="sex")

returns one row for all cases and one per group of each ``by`` variable (n, base rate, AUC
with DeLong standard error and confidence interval, Brier score, calibration intercept and
slope, and error rates at an optional cut-off). ``calibration_table``, ``cutoff_table`` and
``differential_prediction`` return their own tidy tables.

Expected risk. A score in points is not a probability. Unless a column of predicted
probabilities is given (``probability=``), the expected risk of a case is the risk its score
implies in the WHOLE table: a logistic regression of the outcome on the score fitted once on
all rows. Calibration by group then asks the fairness question directly: does the same score
mean the same risk for women as for men? (Overall, this in-sample calibration has intercept
0 and slope 1 by construction; it is the groups that can deviate.)

The DeLong et al. (1988) variance of the AUC is written here (midrank form of Sun & Xu
2014) because scikit-learn gives the AUC without a standard error; logistic fits use
statsmodels, AUC/Brier use scikit-learn.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from sklearn.metrics import brier_score_loss
from statsmodels.stats.proportion import proportion_confint

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

OVERALL = "overall"


# ---- input checks ----------------------------------------------------------------------
def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _prepare(df: pd.DataFrame, score: str, outcome: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Copy of the needed columns with rows lacking score or outcome removed; the outcome
    must be 0/1 (or boolean)."""
    require_columns(df, [score, outcome, *extra], what="the table")
    data = df[[score, outcome, *[c for c in extra if c not in (score, outcome)]]].copy()
    data[score] = pd.to_numeric(data[score], errors="coerce")
    values = pd.to_numeric(data[outcome].astype("object").where(data[outcome].notna()), errors="coerce")
    bad = data[outcome].notna() & ~values.isin([0, 1])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise WorkbenchError("the outcome must be 0/1 (reoffended or not)", row=row + 1, column=outcome,
                             value=data[outcome].iloc[row], expected="0 or 1")
    data[outcome] = values
    return data.dropna(subset=[score, outcome])


def _groups(data: pd.DataFrame, by: list[str]) -> list[tuple[str, object, pd.DataFrame]]:
    """(group variable, group value, rows) for the overall table and every group."""
    out: list[tuple[str, object, pd.DataFrame]] = [(OVERALL, "all", data)]
    for column in by:
        for value, rows in data.groupby(column, sort=True, observed=True):
            out.append((column, value, rows))
    return out


# ---- discrimination --------------------------------------------------------------------
def delong_auc(outcome: Sequence[float], score: Sequence[float]) -> tuple[float, float]:
    """AUC and its DeLong (1988) standard error; ties count one half.

    Placement values: for each positive case the share of negatives it outranks (V10), for
    each negative the share of positives that outrank it (V01); var = S10/m + S01/n.
    """
    y = np.asarray(outcome, dtype=float)
    s = np.asarray(score, dtype=float)
    positives, negatives = s[y == 1], s[y == 0]
    m, n = len(positives), len(negatives)
    if m < 2 or n < 2:
        return float("nan"), float("nan")
    combined = stats.rankdata(np.concatenate([positives, negatives]))
    rank_pos = stats.rankdata(positives)
    rank_neg = stats.rankdata(negatives)
    v10 = (combined[:m] - rank_pos) / n
    v01 = 1.0 - (combined[m:] - rank_neg) / m
    auc = float(v10.mean())
    variance = v10.var(ddof=1) / m + v01.var(ddof=1) / n
    return auc, float(np.sqrt(variance))


def _normal_ci(estimate: float, se: float, level: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + level / 2)
    return max(0.0, estimate - z * se), min(1.0, estimate + z * se)


# ---- calibration ------------------------------------------------------------------------
def implied_probability(df: pd.DataFrame, score: str, outcome: str) -> pd.Series:
    """Risk implied by the score in the whole table: logistic regression of the outcome on
    the score (probability 0-1, aligned with ``df``; NaN where score or outcome missing)."""
    data = _prepare(df, score, outcome)
    model = sm.Logit(data[outcome].to_numpy(), sm.add_constant(data[score].to_numpy(float))).fit(disp=0)
    linear = model.params[0] + model.params[1] * pd.to_numeric(df[score], errors="coerce")
    return pd.Series(1 / (1 + np.exp(-linear)), index=df.index, name="expected")


def calibration_intercept_slope(outcome: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """Calibration-in-the-large (intercept of a logistic model with logit(p) as offset) and
    calibration slope (coefficient of logit(p)); ideal values 0 and 1 (Van Calster 2019)."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(outcome, dtype=float)
    logit = np.log(p / (1 - p))
    nan = {"calibration_intercept": np.nan, "calibration_intercept_se": np.nan,
           "calibration_slope": np.nan, "calibration_slope_se": np.nan}
    if len(y) < 3 or y.min() == y.max():
        return nan
    family = sm.families.Binomial()
    large = sm.GLM(y, np.ones((len(y), 1)), family=family, offset=logit).fit()
    slope = sm.GLM(y, sm.add_constant(logit, has_constant="add"), family=family).fit()
    return {"calibration_intercept": float(large.params[0]), "calibration_intercept_se": float(large.bse[0]),
            "calibration_slope": float(slope.params[1]), "calibration_slope_se": float(slope.bse[1])}


def _with_expected(df: pd.DataFrame, score: str, outcome: str, probability: str | None,
                   extra: Iterable[str]) -> pd.DataFrame:
    columns = list(extra) + ([probability] if probability else [])
    data = _prepare(df, score, outcome, columns)
    if probability:
        data["expected"] = pd.to_numeric(data[probability], errors="coerce")
        if data["expected"].isna().any() or not data["expected"].between(0, 1).all():
            raise WorkbenchError("predicted probabilities must be between 0 and 1", column=probability)
    else:
        data["expected"] = implied_probability(data, score, outcome)
    return data


# ---- classification at cut-offs ---------------------------------------------------------
def _confusion(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    tn = int(np.sum(~flagged & (y == 0)))

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "share_flagged": ratio(tp + fp, len(y)),
            "sensitivity": ratio(tp, tp + fn), "specificity": ratio(tn, tn + fp), "ppv": ratio(tp, tp + fp),
            "npv": ratio(tn, tn + fn), "false_positive_rate": ratio(fp, fp + tn),
            "false_negative_rate": ratio(fn, fn + tp)}


# ---- public tables ----------------------------------------------------------------------
def validate_scores(df: pd.DataFrame, score: str = "total", outcome: str = "reoffended",
                    by: str | Sequence[str] | None = None, probability: str | None = None,
                    cutoff: float | None = None, level: float = 0.95) -> pd.DataFrame:
    """One row for all cases and one per group of each ``by`` variable.

    Columns: ``group_variable``, ``group``, ``n``, ``n_events``, ``base_rate``, ``auc``,
    ``auc_se`` (DeLong), ``auc_ci_low``/``auc_ci_high`` (normal, clipped to [0, 1]),
    ``mean_expected``, ``observed_expected_ratio``, ``brier``, ``calibration_intercept`` (+``_se``),
    ``calibration_slope`` (+``_se``); with ``cutoff`` (flagged = score >= cutoff) also the
    confusion counts, sensitivity, specificity, ppv, npv, false-positive and false-negative
    rates. Rows without score or outcome are left out (``n`` counts the rows used).
    """
    groups = _as_list(by)
    data = _with_expected(df, score, outcome, probability, groups)
    rows = []
    for variable, value, part in _groups(data, groups):
        y = part[outcome].to_numpy(float)
        s = part[score].to_numpy(float)
        p = part["expected"].to_numpy(float)
        auc, se = delong_auc(y, s)
        low, high = _normal_ci(auc, se, level) if np.isfinite(se) else (np.nan, np.nan)
        row: dict[str, object] = {
            "group_variable": variable, "group": value, "n": len(part), "n_events": int(y.sum()),
            "base_rate": float(y.mean()) if len(y) else np.nan, "auc": auc, "auc_se": se,
            "auc_ci_low": low, "auc_ci_high": high, "mean_expected": float(p.mean()) if len(p) else np.nan,
            "observed_expected_ratio": float(y.sum() / p.sum()) if p.sum() > 0 else np.nan,
            "brier": float(brier_score_loss(y, p)) if len(y) else np.nan,
        }
        row.update(calibration_intercept_slope(y, p))
        if cutoff is not None:
            row["cutoff"] = cutoff
            row.update(_confusion(y, s >= cutoff))
        rows.append(row)
    return pd.DataFrame(rows)


def calibration_table(df: pd.DataFrame, score: str = "total", outcome: str = "reoffended",
                      by: str | Sequence[str] | None = None, risk_level: str | None = None, bins: int = 10,
                      probability: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Observed against expected risk per bin, overall and per group; intervals cover ``level``.

    Bins are the categories of ``risk_level`` when given (in their categorical order, else
    sorted), else the score values when there are at most ``bins`` of them, else score
    quantile groups (deciles by default; tied scores stay together). Columns:
    ``group_variable``, ``group``, ``bin``, ``score_min``, ``score_max``, ``n``,
    ``observed_events``, ``observed_rate`` with Wilson ``observed_ci_low``/``_high``,
    ``expected_events``, ``expected_rate``, ``observed_expected_ratio``.
    """
    groups = _as_list(by)
    data = _with_expected(df, score, outcome, probability, groups + ([risk_level] if risk_level else []))
    if risk_level:
        bin_of = data[risk_level]
        order = list(bin_of.cat.categories) if isinstance(bin_of.dtype, pd.CategoricalDtype) else \
            sorted(bin_of.dropna().unique())
    elif data[score].nunique() <= bins:
        bin_of = data[score]
        order = sorted(bin_of.unique())
    else:
        bin_of = pd.qcut(data[score], bins, duplicates="drop")
        order = list(bin_of.cat.categories)
    data["_bin"] = bin_of
    rows = []
    for variable, value, part in _groups(data, groups):
        for bin_value in order:
            cell = part[part["_bin"] == bin_value]
            n, events, expected = len(cell), float(cell[outcome].sum()), float(cell["expected"].sum())
            low, high = proportion_confint(events, n, alpha=1 - level, method="wilson") if n else (np.nan,) * 2
            rows.append({
                "group_variable": variable, "group": value, "bin": str(bin_value),
                "score_min": cell[score].min() if n else np.nan, "score_max": cell[score].max() if n else np.nan,
                "n": n, "observed_events": int(events), "observed_rate": events / n if n else np.nan,
                "observed_ci_low": low, "observed_ci_high": high, "expected_events": expected,
                "expected_rate": expected / n if n else np.nan,
                "observed_expected_ratio": events / expected if expected > 0 else np.nan,
            })
    return pd.DataFrame(rows)


def cutoff_table(df: pd.DataFrame, score: str = "total", outcome: str = "reoffended",
                 cutoffs: Sequence[float] | None = None, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Classification at each cut-off (flagged = score >= cut-off), overall and per group.

    Default cut-offs: every observed score value when there are at most 30, else the score
    deciles. Columns: ``group_variable``, ``group``, ``cutoff``, ``n``, ``tp``, ``fp``,
    ``tn``, ``fn``, ``share_flagged``, ``sensitivity``, ``specificity``, ``ppv``, ``npv``,
    ``false_positive_rate``, ``false_negative_rate``.
    """
    groups = _as_list(by)
    data = _prepare(df, score, outcome, groups)
    if cutoffs is None:
        values = np.unique(data[score].to_numpy(float))
        cutoffs = values if len(values) <= 30 else np.unique(np.quantile(values, np.linspace(0.1, 0.9, 9)))
    rows = []
    for variable, value, part in _groups(data, groups):
        y = part[outcome].to_numpy(float)
        s = part[score].to_numpy(float)
        for cut in cutoffs:
            rows.append({"group_variable": variable, "group": value, "cutoff": float(cut), "n": len(part),
                         **_confusion(y, s >= cut)})
    return pd.DataFrame(rows)


def differential_prediction(df: pd.DataFrame, score: str = "total", outcome: str = "reoffended",
                            group: str = "sex", reference: object | None = None) -> pd.DataFrame:
    """Does the same score mean the same risk in every group? (Cleary-type moderated
    logistic regression.)

    Models on the score centred at its overall mean: M0 ``outcome ~ score``, M1 ``+ group``,
    M2 ``+ group + score:group``. Returns rows of ``kind`` "coefficient" (terms of M2:
    ``estimate`` in log-odds, ``se``, ``z``, ``p_value``, ``odds_ratio``; a group term is the
    difference in log-odds from ``reference`` at the mean score, an interaction term the
    difference in slope per score point) and of ``kind`` "lr_test" (likelihood-ratio tests:
    ``intercepts`` M1 vs M0, ``slopes`` M2 vs M1, ``any_difference`` M2 vs M0, with
    ``statistic``, ``df``, ``p_value``).
    """
    data = _prepare(df, score, outcome, [group]).dropna(subset=[group])
    levels = sorted(data[group].unique(), key=str)
    if len(levels) < 2:
        raise WorkbenchError("differential prediction needs at least two groups", column=group,
                             value=levels, expected="two or more groups with data")
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise WorkbenchError("the reference group is not in the data", column=group, value=reference,
                             expected=f"one of {levels}")
    others = [g for g in levels if g != reference]
    centred = data[score].to_numpy(float) - data[score].mean()
    dummies = np.column_stack([(data[group] == g).to_numpy(float) for g in others])
    y = data[outcome].to_numpy(float)
    names = ["intercept", f"{score}"] + [f"{group}[{g}]" for g in others] + [f"{score}:{group}[{g}]" for g in others]
    x0 = np.column_stack([np.ones(len(y)), centred])
    x1 = np.column_stack([x0, dummies])
    x2 = np.column_stack([x1, dummies * centred[:, None]])
    fits = [sm.Logit(y, x).fit(disp=0) for x in (x0, x1, x2)]
    rows: list[dict[str, object]] = []
    for name, est, se, z, p in zip(names, fits[2].params, fits[2].bse, fits[2].tvalues, fits[2].pvalues):
        rows.append({"kind": "coefficient", "term": name, "reference": reference, "estimate": float(est),
                     "se": float(se), "z": float(z), "p_value": float(p), "odds_ratio": float(np.exp(est))})
    for name, small, big in (("intercepts", 0, 1), ("slopes", 1, 2), ("any_difference", 0, 2)):
        statistic = 2 * (fits[big].llf - fits[small].llf)
        dof = fits[big].df_model - fits[small].df_model
        rows.append({"kind": "lr_test", "term": name, "reference": reference, "statistic": float(statistic),
                     "df": int(dof), "p_value": float(stats.chi2.sf(statistic, dof))})
    return pd.DataFrame(rows)
