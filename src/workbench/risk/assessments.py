"""Assessments over time: intake and reassessments, level changes, time at each level, and
whether supervision followed the level.

The classification rule under study: a client's supervision intensity follows the level of
the latest assessment (high -> intensive, medium -> standard, low -> reduced); a high-risk
client stays on intensive supervision until a reassessment lowers the level. Tables here
are built from scored assessments (``score_assessments`` output with client id and date)
and supervision episodes; dates are pandas datetimes, durations are in days.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

#: supervision intensity each level calls for (the classification system's rule)
REQUIRED_SUPERVISION = {"low": "reduced", "medium": "standard", "high": "intensive"}
SUPERVISION_ORDER = ("reduced", "standard", "intensive")


def check_assessment_sequence(assessments: pd.DataFrame, client: str = "client_id", date: str = "assessment_date",
                              kind: str = "assessment_type", id_column: str = "assessment_id",
                              clients: pd.DataFrame | None = None) -> None:
    """Raise ``WorkbenchError`` unless every client has exactly one intake, no reassessment
    is dated before the intake, and (when ``clients`` is given) every assessed client is
    a known client."""
    require_columns(assessments, [client, date, kind], what="the assessments table")
    dates = pd.to_datetime(assessments[date], errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise WorkbenchError("assessment date missing or not a date", row=row + 1, column=date,
                             record_id=assessments[id_column].iloc[row] if id_column in assessments else None,
                             value=assessments[date].iloc[row], expected="a date YYYY-MM-DD")
    kinds = assessments[kind].astype(str)
    bad_kind = ~kinds.isin(["intake", "reassessment"])
    if bad_kind.any():
        row = int(np.flatnonzero(bad_kind.to_numpy())[0])
        raise WorkbenchError("unknown assessment type", row=row + 1, column=kind, value=kinds.iloc[row],
                             expected="intake or reassessment")
    intakes = assessments.loc[kinds.eq("intake")]
    counts = intakes[client].value_counts()
    twice = counts[counts > 1]
    if len(twice):
        raise WorkbenchError("a client has more than one intake assessment", record_id=twice.index[0],
                             column=kind, value=int(twice.iloc[0]), expected="exactly one intake per client")
    intake_date = pd.Series(dates[kinds.eq("intake")].to_numpy(), index=intakes[client].to_numpy())
    no_intake = ~assessments[client].isin(intake_date.index)
    if no_intake.any():
        row = int(np.flatnonzero(no_intake.to_numpy())[0])
        raise WorkbenchError("a client has reassessments but no intake assessment", row=row + 1,
                             record_id=assessments[client].iloc[row], column=client,
                             expected="an intake before any reassessment")
    first = assessments[client].map(intake_date)
    early = kinds.eq("reassessment") & (dates < first)
    if early.any():
        row = int(np.flatnonzero(early.to_numpy())[0])
        raise WorkbenchError("a reassessment is dated before the client's intake", row=row + 1,
                             record_id=assessments[id_column].iloc[row] if id_column in assessments else
                             assessments[client].iloc[row], column=date, value=str(dates.iloc[row].date()),
                             expected=f"on or after the intake of {first.iloc[row].date()}")
    if clients is not None:
        unknown = ~assessments[client].isin(clients[client])
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise WorkbenchError("an assessment belongs to an unknown client", row=row + 1, column=client,
                                 value=assessments[client].iloc[row], expected="a client of the clients table")


def level_history(scored: pd.DataFrame, client: str = "client_id", date: str = "assessment_date",
                  risk_level: str = "risk_level", end: pd.Series | Mapping | None = None,
                  levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """One row per scored assessment in time order with the period the level was in force.

    Columns: ``client_id``, ``sequence`` (0 = intake), ``date``, ``risk_level``,
    ``previous_level``, ``change`` ("intake", "up", "down", "same"), ``days_since_previous``,
    ``period_end`` (next assessment, else ``end[client]`` when given) and ``days_at_level``.
    ``end`` maps client id to the end of supervision (Series indexed by client, or dict).
    Assessments without a level (cannot score, no override) are left out.
    """
    require_columns(scored, [client, date, risk_level], what="the scored assessments table")
    data = scored[[client, date, risk_level]].dropna(subset=[risk_level]).copy()
    data[date] = pd.to_datetime(data[date])
    data = data.sort_values([client, date], kind="stable").reset_index(drop=True)
    ranks = {name: k for k, name in enumerate(levels)}
    unknown = sorted(set(data[risk_level]) - set(ranks))
    if unknown:
        raise WorkbenchError("unknown level in the scored assessments", column=risk_level, value=unknown,
                             expected=f"one of {list(levels)} (lowest risk first)")
    grouped = data.groupby(client, sort=False)
    out = pd.DataFrame({
        "client_id": data[client], "sequence": grouped.cumcount(), "date": data[date], "risk_level": data[risk_level],
        "previous_level": grouped[risk_level].shift(1),
    })
    previous_date = grouped[date].shift(1)
    rank = out["risk_level"].map(ranks)
    previous_rank = out["previous_level"].map(ranks)
    out["change"] = np.select([out["previous_level"].isna(), rank > previous_rank, rank < previous_rank],
                              ["intake", "up", "down"], "same")
    out["days_since_previous"] = (out["date"] - previous_date).dt.days
    next_date = grouped[date].shift(-1)
    if end is not None:
        end_dates = pd.to_datetime(out["client_id"].map(pd.Series(end) if isinstance(end, Mapping) else end))
        next_date = next_date.fillna(end_dates)
        if (next_date < out["date"]).any():
            row = int(np.flatnonzero((next_date < out["date"]).to_numpy())[0])
            raise WorkbenchError("a client's end of supervision is before an assessment",
                                 record_id=out["client_id"].iloc[row], value=str(next_date.iloc[row].date()),
                                 expected=f"on or after {out['date'].iloc[row].date()}")
    out["period_end"] = next_date
    out["days_at_level"] = (next_date - out["date"]).dt.days
    return out


def level_transitions(history: pd.DataFrame, levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Counts of level changes between consecutive assessments: ``from_level``,
    ``to_level``, ``n``, ``share`` (of the from-level's transitions)."""
    pairs = history.dropna(subset=["previous_level"])
    grid = pd.MultiIndex.from_product([levels, levels], names=["from_level", "to_level"])
    counts = pairs.groupby(["previous_level", "risk_level"]).size()
    counts.index.names = ["from_level", "to_level"]
    table = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    totals = table.groupby("from_level")["n"].transform("sum")
    table["share"] = np.where(totals > 0, table["n"] / totals.where(totals > 0, 1), np.nan)
    return table


def time_at_level(history: pd.DataFrame, levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Days spent at each level (needs ``period_end``): ``risk_level``, ``clients`` (ever at the
    level), ``periods``, ``client_days``, ``mean_days_per_period``, ``share_of_time``."""
    if history["days_at_level"].isna().any():
        raise WorkbenchError("time at level needs the end of every period (pass end= to level_history)",
                             column="period_end", expected="an end date for each client's last level")
    rows = []
    total = history["days_at_level"].sum()
    for level in levels:
        part = history[history["risk_level"] == level]
        days = float(part["days_at_level"].sum())
        rows.append({"risk_level": level, "clients": int(part["client_id"].nunique()), "periods": len(part),
                     "client_days": days, "mean_days_per_period": days / len(part) if len(part) else np.nan,
                     "share_of_time": days / total if total else np.nan})
    return pd.DataFrame(rows)


def supervision_adherence(history: pd.DataFrame, supervision: pd.DataFrame, client: str = "client_id",
                          start: str = "start_date", end: str = "end_date", intensity: str = "supervision_level",
                          required: Mapping[str, str] = REQUIRED_SUPERVISION) -> pd.DataFrame:
    """Did supervision follow the level? Per client and level period, days under supervision
    at, below or above the intensity the level requires.

    ``supervision`` holds episodes (client, start, end exclusive, intensity). Returns
    columns ``client_id``, ``risk_level``, ``required``, ``days_as_required``, ``days_below``,
    ``days_above``, ``days_unrecorded`` (level in force but no episode). A high-risk
    client with ``days_below > 0`` was stepped down before a reassessment lowered the level.
    """
    require_columns(supervision, [client, start, end, intensity], what="the supervision table")
    episodes = supervision[[client, start, end, intensity]].copy()
    episodes[start] = pd.to_datetime(episodes[start])
    episodes[end] = pd.to_datetime(episodes[end])
    unknown = ~episodes[intensity].isin(SUPERVISION_ORDER)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise WorkbenchError("unknown supervision level", row=row + 1, column=intensity,
                             value=episodes[intensity].iloc[row], expected=f"one of {list(SUPERVISION_ORDER)}")
    periods = history.dropna(subset=["period_end"]).reset_index(drop=True)
    periods = periods.assign(_period=np.arange(len(periods)))
    merged = periods.merge(episodes.rename(columns={client: "client_id"}), on="client_id", how="left")
    overlap_start = merged[["date", start]].max(axis=1)
    overlap_end = merged[["period_end", end]].min(axis=1)
    days = (overlap_end - overlap_start).dt.days.clip(lower=0).fillna(0)
    need = merged["risk_level"].map(required).map(SUPERVISION_ORDER.index)
    got = merged[intensity].map({name: k for k, name in enumerate(SUPERVISION_ORDER)})
    merged["_as"] = np.where(got == need, days, 0)
    merged["_below"] = np.where(got < need, days, 0)
    merged["_above"] = np.where(got > need, days, 0)
    merged["_covered"] = days
    sums = merged.groupby("_period")[["_as", "_below", "_above", "_covered"]].sum()
    out = periods[["client_id", "risk_level", "date", "period_end", "days_at_level"]].copy()
    out["required"] = out["risk_level"].map(required)
    out["days_as_required"] = sums["_as"].to_numpy(float)
    out["days_below"] = sums["_below"].to_numpy(float)
    out["days_above"] = sums["_above"].to_numpy(float)
    out["days_unrecorded"] = np.maximum(out["days_at_level"] - sums["_covered"].to_numpy(float), 0)
    return out


def adherence_summary(adherence: pd.DataFrame, levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Share of client-days supervised as the level requires, per level: ``risk_level``,
    ``client_days``, ``share_as_required``, ``share_below``, ``share_above``,
    ``clients_stepped_down_early`` (clients with any day below the required intensity)."""
    rows = []
    for level in levels:
        part = adherence[adherence["risk_level"] == level]
        days = float(part["days_at_level"].sum())
        rows.append({"risk_level": level, "client_days": days,
                     "share_as_required": part["days_as_required"].sum() / days if days else np.nan,
                     "share_below": part["days_below"].sum() / days if days else np.nan,
                     "share_above": part["days_above"].sum() / days if days else np.nan,
                     "clients_stepped_down_early": int(part.loc[part["days_below"] > 0, "client_id"].nunique())})
    return pd.DataFrame(rows)


def level_flows(history: pd.DataFrame, steps: int = 3, levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Client counts moving between levels from one assessment to the next, for a flow
    (Sankey) chart: intake (step 0) to first reassessment (step 1), step 1 to step 2, ...
    up to ``steps`` transitions. Takes ``level_history`` output; columns ``step_from``,
    ``step_to``, ``from_level``, ``to_level``, ``n`` (only pairs that occur, levels in
    order)."""
    require_columns(history, ["client_id", "sequence", "risk_level"], what="the level history table")
    nodes = history[history["sequence"] <= steps][["client_id", "sequence", "risk_level"]]
    following = nodes.assign(sequence=nodes["sequence"] - 1).rename(columns={"risk_level": "to_level"})
    pairs = nodes.rename(columns={"risk_level": "from_level"}).merge(following, on=["client_id", "sequence"])
    counts = pairs.groupby(["sequence", "from_level", "to_level"]).size().rename("n").reset_index()
    rank = {name: k for k, name in enumerate(levels)}
    counts = counts.assign(_from=counts["from_level"].map(rank), _to=counts["to_level"].map(rank))
    counts = counts.sort_values(["sequence", "_from", "_to"], kind="stable")
    out = pd.DataFrame({"step_from": counts["sequence"].astype(int), "step_to": counts["sequence"].astype(int) + 1,
                        "from_level": counts["from_level"], "to_level": counts["to_level"],
                        "n": counts["n"].astype(int)})
    return out.reset_index(drop=True)


def level_distribution(table: pd.DataFrame, by: Sequence[str] = ("region", "sex"), risk_level: str = "risk_level",
                       levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Share of clients at each level per group: one row per group with ``n`` (clients with
    a level) and ``share_<level>`` (0-1) for every level; rows without a level are left out.
    Groups are those present in the data, sorted (categorical order when categorical)."""
    by = list(by)
    require_columns(table, [*by, risk_level], what="the clients table")
    data = table.dropna(subset=[risk_level])
    unknown = sorted(set(data[risk_level]) - set(levels))
    if unknown:
        raise WorkbenchError("unknown level", column=risk_level, value=unknown, expected=f"one of {list(levels)}")
    if by:
        counts = data.groupby([*by, risk_level], observed=True).size().unstack(risk_level, fill_value=0)
    else:
        counts = pd.DataFrame([data[risk_level].value_counts()])
    counts = counts.reindex(columns=list(levels), fill_value=0)
    n = counts.sum(axis=1)
    out = pd.DataFrame({"n": n.astype(int)})
    for name in levels:
        out[f"share_{name}"] = counts[name] / n
    return out.reset_index() if by else out.reset_index(drop=True)
