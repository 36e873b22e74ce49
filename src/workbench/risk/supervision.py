"""Supervision by risk level and what it means for probation officers' workload.

Compares the officer hours a month that risk-based contact standards need with the hours
the staff can give, and with the former regime of two contacts a month for every client.
The default standards are ASSUMPTIONS for the demo (no public Kyrgyz figure exists; only
"twice a month for everyone" before the project and 88 trained officers are public, UNODC
results report 2021-2023): pass the service's own standards as a table. Hours are officer
hours per month; minutes per contact include preparation and, for home visits, travel.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

#: trained probation officers (UNODC results report 2021-2023: 88 officers trained)
DEFAULT_OFFICERS = 88
#: officer hours a month available for casework (assumption: 168 h x 0.6)
DEFAULT_HOURS_PER_OFFICER_MONTH = 100.0

#: risk-based contact standards per level (assumptions for the demo, see module docstring)
DEFAULT_STANDARDS = pd.DataFrame([
    {"risk_level": "low", "contacts_per_month": 1, "minutes_per_contact": 30, "home_visits_per_month": 0,
     "minutes_per_home_visit": 120, "admin_minutes_per_month": 30},
    {"risk_level": "medium", "contacts_per_month": 2, "minutes_per_contact": 40, "home_visits_per_month": 1,
     "minutes_per_home_visit": 120, "admin_minutes_per_month": 60},
    {"risk_level": "high", "contacts_per_month": 4, "minutes_per_contact": 45, "home_visits_per_month": 2,
     "minutes_per_home_visit": 120, "admin_minutes_per_month": 120},
])
#: the former regime: every client seen twice a month, whatever the risk
FORMER_REGIME = {"contacts_per_month": 2, "minutes_per_contact": 40, "home_visits_per_month": 0,
                 "minutes_per_home_visit": 120, "admin_minutes_per_month": 60}
_STANDARD_COLUMNS = ["contacts_per_month", "minutes_per_contact", "home_visits_per_month",
                     "minutes_per_home_visit", "admin_minutes_per_month"]


def contact_standards(standards: pd.DataFrame | None = None) -> pd.DataFrame:
    """Contact standards per level with ``hours_per_client_month`` (officer hours one client
    at that level needs a month)."""
    table = (DEFAULT_STANDARDS if standards is None else standards).copy()
    require_columns(table, ["risk_level", *_STANDARD_COLUMNS], what="the contact standards")
    negative = (table[_STANDARD_COLUMNS] < 0).any(axis=1)
    if negative.any():
        row = int(np.flatnonzero(negative.to_numpy())[0])
        raise WorkbenchError("contact standards cannot be negative", row=row + 1, value=table["risk_level"].iloc[row])
    table["hours_per_client_month"] = _hours(table)
    return table.reset_index(drop=True)


def _hours(standard: pd.DataFrame | Mapping[str, float]) -> np.ndarray | float:
    s = standard
    return (s["contacts_per_month"] * s["minutes_per_contact"] + s["home_visits_per_month"] * s["minutes_per_home_visit"]
            + s["admin_minutes_per_month"]) / 60.0


def current_levels(history: pd.DataFrame, on: str | pd.Timestamp) -> pd.DataFrame:
    """Level in force on a date for each client under supervision then (from
    ``level_history`` with ``period_end``): ``client_id``, ``risk_level``."""
    day = pd.Timestamp(on)
    active = history[(history["date"] <= day) & (history["period_end"] > day)]
    return active[["client_id", "risk_level"]].drop_duplicates("client_id", keep="last").reset_index(drop=True)


def caseload(clients: pd.DataFrame, by: Sequence[str] = ("region", "office_id"), risk_level: str = "risk_level",
             levels: Sequence[str] = ("low", "medium", "high")) -> pd.DataFrame:
    """Clients per group and level (all levels listed, zeros included): ``by`` columns,
    ``risk_level``, ``clients``."""
    by = list(by)
    require_columns(clients, [*by, risk_level], what="the clients table")
    counts = clients.groupby([*by, risk_level], observed=True).size()
    groups = clients[by].drop_duplicates().sort_values(by) if by else pd.DataFrame(index=[0])
    grid = groups.merge(pd.DataFrame({risk_level: list(levels)}), how="cross")
    table = grid.merge(counts.rename("clients").reset_index(), on=[*by, risk_level], how="left")
    table["clients"] = table["clients"].fillna(0).astype(int)
    return table.rename(columns={risk_level: "risk_level"}).reset_index(drop=True)


def workload(caseload_table: pd.DataFrame, by: Sequence[str] = (), standards: pd.DataFrame | None = None,
             officers: int | pd.DataFrame = DEFAULT_OFFICERS,
             hours_per_officer_month: float = DEFAULT_HOURS_PER_OFFICER_MONTH,
             former: Mapping[str, float] = FORMER_REGIME) -> pd.DataFrame:
    """Officer hours needed a month against hours available, risk-based vs former regime.

    ``caseload_table`` comes from ``caseload`` (columns ``by``, ``risk_level``, ``clients``).
    ``officers`` is a total (overall only) or a table with the ``by`` columns and
    ``officers``. Rows per group and ``regime`` ("risk_based", "former"): ``clients``,
    ``hours_needed``, ``officers``, ``hours_available``, ``utilisation`` (needed /
    available), ``officers_needed``, ``clients_per_officer``.
    """
    by = list(by)
    table = contact_standards(standards)
    hours = dict(zip(table["risk_level"], table["hours_per_client_month"]))
    unknown = sorted(set(caseload_table["risk_level"]) - set(hours))
    if unknown:
        raise WorkbenchError("no contact standard for a level", column="risk_level", value=unknown,
                             expected=f"one of {list(hours)}")
    data = caseload_table.copy()
    data["_risk"] = data["clients"] * data["risk_level"].map(hours)
    data["_former"] = data["clients"] * _hours(former)
    grouped = data.groupby(by, sort=True)[["clients", "_risk", "_former"]].sum().reset_index() if by else \
        pd.DataFrame([data[["clients", "_risk", "_former"]].sum()])
    if isinstance(officers, pd.DataFrame):
        if not by:
            grouped["officers"] = float(officers["officers"].sum())
        else:
            staff = officers.groupby(by)["officers"].sum().reset_index()
            grouped = grouped.merge(staff, on=by, how="left")
            grouped["officers"] = grouped["officers"].fillna(0)
    else:
        if by:
            raise WorkbenchError("workload by group needs officers per group", column="officers",
                                 expected="a table with the by columns and 'officers'")
        grouped["officers"] = float(officers)
    grouped["clients"] = grouped["clients"].astype(int)
    rows = []
    for regime, column in (("risk_based", "_risk"), ("former", "_former")):
        part = grouped[[*by, "clients", "officers"]].copy()
        part.insert(len(by), "regime", regime)
        part["hours_needed"] = grouped[column].to_numpy(float)
        part["hours_available"] = part["officers"] * hours_per_officer_month
        part["utilisation"] = np.where(part["hours_available"] > 0, part["hours_needed"] / part["hours_available"].where(
            part["hours_available"] > 0, 1), np.nan)
        part["officers_needed"] = part["hours_needed"] / hours_per_officer_month
        part["clients_per_officer"] = np.where(part["officers"] > 0, part["clients"] / part["officers"].where(
            part["officers"] > 0, 1), np.nan)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values([*by, "regime"], kind="stable").reset_index(drop=True)


def high_risk_capacity(counts: Mapping[str, int], standards: pd.DataFrame | None = None,
                       officers: int = DEFAULT_OFFICERS,
                       hours_per_officer_month: float = DEFAULT_HOURS_PER_OFFICER_MONTH,
                       high_level: str = "high") -> pd.DataFrame:
    """How many high-risk clients the staff can supervise at standard once every other
    client gets their standard: one row with ``hours_available``, ``hours_other_levels``,
    ``hours_per_high_client``, ``max_high_risk_clients`` (whole clients), ``high_risk_clients``
    (now), ``spare_places`` (negative = shortfall)."""
    table = contact_standards(standards)
    hours = dict(zip(table["risk_level"], table["hours_per_client_month"]))
    if high_level not in hours:
        raise WorkbenchError("no contact standard for the high level", value=high_level, expected=f"one of {list(hours)}")
    available = officers * hours_per_officer_month
    other = sum(n * hours[level] for level, n in counts.items() if level != high_level)
    per_high = hours[high_level]
    capacity = int(np.floor(max(available - other, 0) / per_high)) if per_high > 0 else np.nan
    current = int(counts.get(high_level, 0))
    return pd.DataFrame([{"officers": officers, "hours_available": available, "hours_other_levels": other,
                          "hours_per_high_client": per_high, "max_high_risk_clients": capacity,
                          "high_risk_clients": current, "spare_places": capacity - current}])


def officers_by_group(offices: pd.DataFrame, total: float | None = None, by: str = "region") -> pd.DataFrame:
    """Officers per group (e.g. region) from an offices table (``by``, ``officers``).

    With ``total`` different from the table's sum, the groups' officers are scaled so that
    they add up to ``total`` (officer equivalents, keeping each group's share): a what-if on
    staff numbers keeps the present spread over regions. Columns ``by``, ``officers``.
    """
    require_columns(offices, [by, "officers"], what="the offices table")
    counts = pd.to_numeric(offices["officers"], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        row = int(np.flatnonzero((counts.isna() | (counts < 0)).to_numpy())[0])
        raise WorkbenchError("officers must be a number >= 0", row=row + 1, column="officers",
                             value=offices["officers"].iloc[row], expected="a count of officers")
    table = offices.assign(officers=counts.astype(float)).groupby(by, sort=True)["officers"].sum().reset_index()
    present = float(table["officers"].sum())
    if total is not None and float(total) != present:
        if present <= 0:
            raise WorkbenchError("cannot share officers out: the offices table has none", column="officers")
        table["officers"] = table["officers"] * float(total) / present
    return table
