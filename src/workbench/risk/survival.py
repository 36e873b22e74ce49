"""Time to reoffending: Kaplan-Meier, log-rank, Cox with the PH check, competing risks.

Public contract: ``kaplan_meier(df, duration, event, by=None)`` returns survival with its
confidence interval and the number at risk at each event time; ``fit_cox(df, duration,
event, covariates)`` returns one row per covariate with ``coef``, ``se``, ``hazard_ratio``,
``p`` (and the CI). lifelines does the fitting (Kaplan-Meier, log-rank, Cox with Efron ties,
Schoenfeld-residual PH test). The Aalen-Johansen cumulative incidence is computed here
because lifelines' ``AalenJohansenFitter`` randomly jitters tied times through numpy's
global random state, which would make reports irreproducible; the estimate itself has no
problem with ties (CIF_k(t) = sum over event times <= t of S(t-) d_k / n) and the variance
is Collett's Greenwood-type formula (as in SAS LIFETEST and lifelines), with the
log(-log) interval. Durations are in the units of the input (the demo uses days).
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test, proportional_hazard_test
from scipy import stats

from workbench.columns import require_columns
from workbench.errors import WorkbenchError


def _check(df: pd.DataFrame, columns: Sequence[str], duration: str) -> pd.DataFrame:
    """Copy of the needed columns; durations must be present and non-negative."""
    require_columns(df, columns, what="the table")
    data = df[list(dict.fromkeys(columns))].copy()
    bad = pd.to_numeric(data[duration], errors="coerce")
    problem = bad.isna() | (bad < 0)
    if problem.any():
        row = int(np.flatnonzero(problem.to_numpy())[0])
        raise WorkbenchError("a follow-up time is missing or negative (no outcome window)", row=row + 1,
                             column=duration, value=data[duration].iloc[row], expected="a duration >= 0")
    data[duration] = bad.astype(float)
    return data


def kaplan_meier(df: pd.DataFrame, duration: str, event: str, by: str | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival per group at time 0 and every event or censoring time.

    Columns: ``group`` ("all" without ``by``), ``time``, ``at_risk`` (just before ``time``),
    ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high`` (lifelines'
    exponential Greenwood interval).
    """
    data = _check(df, [duration, event] + ([by] if by else []), duration)
    parts = [("all", data)] if by is None else list(data.groupby(by, sort=True, observed=True))
    frames = []
    for value, part in parts:
        fitter = KaplanMeierFitter(alpha=1 - level).fit(part[duration], part[event].astype(float))
        table = fitter.event_table
        ci = fitter.confidence_interval_survival_function_
        frames.append(pd.DataFrame({
            "group": value, "time": table.index.to_numpy(float), "at_risk": table["at_risk"].to_numpy(int),
            "events": table["observed"].to_numpy(int), "censored": table["censored"].to_numpy(int),
            "survival": fitter.survival_function_.iloc[:, 0].reindex(table.index).to_numpy(float),
            "ci_low": ci.iloc[:, 0].reindex(table.index).to_numpy(float),
            "ci_high": ci.iloc[:, 1].reindex(table.index).to_numpy(float),
        }))
    return pd.concat(frames, ignore_index=True)


def at_risk_table(df: pd.DataFrame, duration: str, event: str, by: str | None = None,
                  times: Sequence[float] = (0, 180, 365, 730, 1095)) -> pd.DataFrame:
    """Number at risk (still followed, no event) at given times, per group: the table printed
    under a Kaplan-Meier plot. Columns ``group``, ``time``, ``at_risk``."""
    data = _check(df, [duration, event] + ([by] if by else []), duration)
    parts = [("all", data)] if by is None else list(data.groupby(by, sort=True, observed=True))
    rows = [{"group": value, "time": float(t), "at_risk": int((part[duration] >= t).sum())}
            for value, part in parts for t in times]
    return pd.DataFrame(rows)


def logrank_test(df: pd.DataFrame, duration: str, event: str, by: str) -> pd.DataFrame:
    """Log-rank test that survival is equal across the groups of ``by`` (one row:
    ``statistic`` chi-square, ``df``, ``p_value``, ``groups``)."""
    data = _check(df, [duration, event, by], duration)
    result = multivariate_logrank_test(data[duration], data[by], data[event].astype(float))
    return pd.DataFrame([{"statistic": float(result.test_statistic), "df": int(result.degrees_of_freedom),
                          "p_value": float(result.p_value), "groups": int(data[by].nunique())}])


def _design(df: pd.DataFrame, duration: str, event: str, covariates: Sequence[str]) -> pd.DataFrame:
    data = _check(df, [duration, event, *covariates], duration)
    for column in covariates:
        values = pd.to_numeric(data[column], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise WorkbenchError("a Cox covariate must be numeric with no blanks (code categories as 0/1 columns)",
                                 row=row + 1, column=column, value=data[column].iloc[row], expected="a number")
        data[column] = values.astype(float)
    data[event] = data[event].astype(float)
    return data


def _fit(data: pd.DataFrame, duration: str, event: str) -> CoxPHFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter().fit(data, duration_col=duration, event_col=event)


def fit_cox(df: pd.DataFrame, duration: str, event: str, covariates: Sequence[str],
            level: float = 0.95) -> pd.DataFrame:
    """Cox proportional hazards (Efron ties). One row per covariate: ``term``, ``coef``
    (log hazard ratio per unit), ``se``, ``hazard_ratio``, ``ci_low``/``ci_high`` (of
    ``coef``), ``hr_ci_low``/``hr_ci_high``, ``z``, ``p`` (named ``p``, not the package's usual
    ``p_value``, because the issue's public contract for ``fit_cox`` names it so, as lifelines)."""
    data = _design(df, duration, event, covariates)
    model = _fit(data, duration, event)
    summary = model.summary
    z_crit = stats.norm.ppf(0.5 + level / 2)
    coef = summary["coef"].to_numpy(float)
    se = summary["se(coef)"].to_numpy(float)
    return pd.DataFrame({
        "term": list(summary.index), "coef": coef, "se": se, "hazard_ratio": np.exp(coef),
        "ci_low": coef - z_crit * se, "ci_high": coef + z_crit * se,
        "hr_ci_low": np.exp(coef - z_crit * se), "hr_ci_high": np.exp(coef + z_crit * se),
        "z": summary["z"].to_numpy(float), "p": summary["p"].to_numpy(float),
    })


def proportional_hazards_check(df: pd.DataFrame, duration: str, event: str, covariates: Sequence[str],
                               time_transform: str = "km") -> pd.DataFrame:
    """Schoenfeld-residual test of proportional hazards per covariate (lifelines; "km" time
    transform, as R's cox.zph default). Columns ``term``, ``statistic``, ``p_value``,
    ``violated_at_5pct``."""
    data = _design(df, duration, event, covariates)
    model = _fit(data, duration, event)
    result = proportional_hazard_test(model, data, time_transform=time_transform)
    summary = result.summary
    return pd.DataFrame({"term": [str(i if not isinstance(i, tuple) else i[0]) for i in summary.index],
                         "statistic": summary["test_statistic"].to_numpy(float),
                         "p_value": summary["p"].to_numpy(float),
                         "violated_at_5pct": summary["p"].to_numpy(float) < 0.05})


def cumulative_incidence(df: pd.DataFrame, duration: str, event_type: str, event_of_interest: object,
                         censored: object = 0, by: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of one event type when others compete.

    ``event_type`` holds the censoring code ``censored`` or the type of the first event
    (e.g. "reoffence", "revocation", "death"). Columns: ``group``, ``time``, ``at_risk``,
    ``events`` (of interest), ``competing_events``, ``censored``, ``cumulative_incidence``,
    ``ci_low``, ``ci_high``.
    """
    data = _check(df, [duration, event_type] + ([by] if by else []), duration)
    parts = [("all", data)] if by is None else list(data.groupby(by, sort=True, observed=True))
    z_crit = stats.norm.ppf(0.5 + level / 2)
    frames = []
    for value, part in parts:
        times = part[duration].to_numpy(float)
        kind = part[event_type].to_numpy(object)
        is_censored = np.array([k == censored for k in kind])
        of_interest = np.array([k == event_of_interest for k in kind])
        grid = np.unique(times)
        at_risk = len(times) - np.searchsorted(np.sort(times), grid, side="left")
        d_k = np.array([np.sum(of_interest & (times == t)) for t in grid], dtype=float)
        d_all = np.array([np.sum(~is_censored & (times == t)) for t in grid], dtype=float)
        c = np.array([np.sum(is_censored & (times == t)) for t in grid], dtype=int)
        survival = np.cumprod(1 - d_all / at_risk)
        lagged = np.concatenate([[1.0], survival[:-1]])
        cif = np.cumsum(lagged * d_k / at_risk)
        variance = np.empty(len(grid))
        for j in range(len(grid)):
            n_i, d_i, dk_i, s_i = at_risk[: j + 1], d_all[: j + 1], d_k[: j + 1], lagged[: j + 1]
            diff = cif[j] - cif[: j + 1]
            with np.errstate(divide="ignore", invalid="ignore"):
                first = np.where(n_i > d_i, diff ** 2 * d_i / (n_i * (n_i - d_i)), 0.0)
            second = s_i ** 2 * dk_i * (n_i - dk_i) / n_i ** 3
            third = diff * s_i * dk_i / n_i ** 2
            variance[j] = first.sum() + second.sum() - 2 * third.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            se_loglog = np.sqrt(np.maximum(variance, 0)) / (cif * np.abs(np.log(cif)))
            lower = cif ** np.exp(z_crit * se_loglog)
            upper = cif ** np.exp(-z_crit * se_loglog)
        frames.append(pd.DataFrame({
            "group": value, "time": grid, "at_risk": at_risk.astype(int), "events": d_k.astype(int),
            "competing_events": (d_all - d_k).astype(int), "censored": c, "cumulative_incidence": cif,
            "ci_low": np.where(cif > 0, lower, 0.0), "ci_high": np.where(cif > 0, upper, 0.0),
        }))
    return pd.concat(frames, ignore_index=True)


def values_at(table: pd.DataFrame, times: Sequence[float], columns: Sequence[str] = ("survival", "ci_low", "ci_high"),
              group: str = "group", time: str = "time") -> pd.DataFrame:
    """Read step-function estimates (``kaplan_meier`` or ``cumulative_incidence`` output) at
    given times: for each group and time the values of the last row at or before that time.

    Returns ``group``, ``time`` and ``columns``; values are NaN after a group's last
    observed time (the curve is not estimated there). Times are in the table's units.
    """
    require_columns(table, [group, time, *columns], what="the estimate table")
    rows = []
    for value, part in table.groupby(group, sort=False, observed=True):
        ordered = part.sort_values(time, kind="stable")
        stamps = ordered[time].to_numpy(float)
        for t in times:
            position = int(np.searchsorted(stamps, float(t), side="right")) - 1
            inside = 0 <= position and float(t) <= stamps[-1]
            rows.append({"group": value, "time": float(t),
                         **{c: (ordered[c].iloc[position] if inside else np.nan) for c in columns}})
    return pd.DataFrame(rows, columns=["group", "time", *columns])
