"""Who the feasibility models concern: eligible probation clients and release/completion demand.

The models take small tables of counts (region x risk level, or region x year); these helpers
derive them from the study's client-level probation table and release counts, with the
column names as arguments, and project demand over the next years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

RISK_LEVELS = ["low", "medium", "high"]


@dataclass(frozen=True)
class EligibilityRules:
    """Who may be placed on electronic monitoring.

    ``risk_levels``: assessed risk levels that qualify. ``extremist_only``: only clients
    flagged as violent-extremist/terrorist offenders qualify (ignored when the table has no
    such flag column).
    """

    risk_levels: Sequence[str] = field(default_factory=lambda: ("medium", "high"))
    extremist_only: bool = True


def eligible_population(clients: pd.DataFrame, *, region_col: str = "region", risk_col: str = "risk_level",
                        extremist_col: str | None = "violent_extremist", start_col: str | None = None,
                        end_col: str | None = None, as_of: str | pd.Timestamp | None = None,
                        releases: pd.DataFrame | None = None,
                        rules: EligibilityRules | None = None) -> pd.DataFrame:
    """Count probation clients by region, risk level (and extremist flag) and mark eligibility.

    With ``start_col``, ``end_col`` and ``as_of`` the count is the caseload active on that
    date (start <= as_of and (end missing or end >= as_of)) and ``new_per_year`` counts
    starts in the 365 days up to ``as_of``; otherwise every row counts once.
    ``releases`` (optional; columns region, risk_level, releases_per_year) adds prison
    releases per year; cells without releases get 0.

    Returns one row per region x risk level (x extremist flag): ``region``, ``risk_level``,
    ``violent_extremist`` (if flagged), ``clients``, ``new_per_year`` (if dated),
    ``releases_per_year``, ``eligible`` (bool) and ``reason`` (why or why not).
    """
    rules = rules or EligibilityRules()
    if extremist_col is not None and extremist_col not in clients.columns:
        extremist_col = None
    require_columns(clients, [region_col, risk_col], what="the client table")
    frame = clients.copy()
    unknown = sorted(set(frame[risk_col].dropna().astype(str)) - set(RISK_LEVELS))
    if unknown or frame[risk_col].isna().any():
        raise WorkbenchError("client table has risk levels outside low/medium/high", column=risk_col,
                             value=unknown or None, expected="low, medium or high (no missing)")
    dated = start_col is not None and end_col is not None and as_of is not None
    keys = [region_col, risk_col] + ([extremist_col] if extremist_col else [])
    if dated:
        require_columns(frame, [start_col, end_col], what="the client table")
        day = pd.Timestamp(as_of)
        start = pd.to_datetime(frame[start_col], errors="raise")
        end = pd.to_datetime(frame[end_col], errors="raise")
        frame["_active"] = (start <= day) & (end.isna() | (end >= day))
        frame["_new"] = (start > day - pd.Timedelta(days=365)) & (start <= day)
        counts = frame.groupby(keys, observed=True).agg(clients=("_active", "sum"), new_per_year=("_new", "sum"))
    else:
        counts = frame.groupby(keys, observed=True).size().to_frame("clients")
    counts = counts.reset_index().rename(columns={region_col: "region", risk_col: "risk_level"})
    if extremist_col:
        counts = counts.rename(columns={extremist_col: "violent_extremist"})
        counts["violent_extremist"] = counts["violent_extremist"].astype(bool)
    counts["releases_per_year"] = 0.0
    if releases is not None:
        require_columns(releases, ["region", "risk_level", "releases_per_year"], what="the release table")
        per_cell = releases.groupby(["region", "risk_level"])["releases_per_year"].sum()
        if extremist_col:
            # releases are not split by flag: attribute them to the extremist rows, which the
            # models concern; non-extremist rows keep 0
            mask = counts["violent_extremist"]
        else:
            mask = pd.Series(True, index=counts.index)
        looked_up = pd.MultiIndex.from_frame(counts[["region", "risk_level"]])
        counts.loc[mask, "releases_per_year"] = per_cell.reindex(looked_up).fillna(0.0).to_numpy()[mask.to_numpy()]
    risk_ok = counts["risk_level"].isin(list(rules.risk_levels))
    flag_ok = counts["violent_extremist"] if (extremist_col and rules.extremist_only) else True
    counts["eligible"] = risk_ok & flag_ok
    counts["reason"] = np.where(
        ~risk_ok, "risk level " + counts["risk_level"] + " not in " + "/".join(rules.risk_levels),
        np.where(counts["eligible"], "eligible", "not flagged as violent-extremist offender"))
    counts["clients"] = counts["clients"].astype(int)
    return counts.sort_values(["region", "risk_level"], kind="stable").reset_index(drop=True)


def eligible_totals(population: pd.DataFrame) -> dict[str, float]:
    """Sum the eligible rows: ``clients`` (average caseload) and ``releases_per_year``."""
    require_columns(population, ["clients", "releases_per_year", "eligible"], what="the population table")
    eligible = population[population["eligible"].astype(bool)]
    return {"clients": float(eligible["clients"].sum()), "releases_per_year": float(eligible["releases_per_year"].sum())}


def project_demand(history: pd.DataFrame, years: int = 5, *, region_col: str = "region", year_col: str = "year",
                   count_cols: Sequence[str] = ("releases", "probation_completions"),
                   start_year: int | None = None) -> pd.DataFrame:
    """Project yearly counts by region for ``years`` years after the last observed year.

    Per region and count, a log-linear trend (least squares on log(count + 1) over the
    observed years) when there are at least three years of history, otherwise the last
    year's count held flat. Why log-linear: counts cannot go negative and change by
    proportions. Returns ``region``, ``year`` and the counts (floats, persons per year) for the
    projected years only.
    """
    require_columns(history, [region_col, year_col, *count_cols], what="the demand history")
    first = start_year if start_year is not None else int(history[year_col].max()) + 1
    future = np.arange(first, first + years)
    rows = []
    for region, group in history.groupby(region_col, sort=True):
        group = group.groupby(year_col)[list(count_cols)].sum().sort_index()
        observed_years = group.index.to_numpy(dtype=float)
        row_block = {"region": np.repeat(region, years), "year": future}
        for column in count_cols:
            counts = group[column].to_numpy(dtype=float)
            if (counts < 0).any():
                raise WorkbenchError("demand history has negative counts", column=column, record_id=region)
            if len(counts) >= 3:
                slope, intercept = np.polyfit(observed_years, np.log(counts + 1.0), 1)
                row_block[column] = np.exp(intercept + slope * future) - 1.0
            else:
                row_block[column] = np.full(years, counts[-1])
        rows.append(pd.DataFrame(row_block))
    return pd.concat(rows, ignore_index=True)
