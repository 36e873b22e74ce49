"""Default count tables kept in the parameter files, and glue from a study's client data.

A feasibility report needs counts (eligible clients, releases, completions) even when the
study has no client-level probation data. Each parameter file may hold a ``counts:`` section
(``what``, ``source``, ``basis``, ``rows``: a list of mappings with the same keys) with a
default table from public figures and declared assumptions; :func:`default_counts` reads and
checks it. :func:`population_from_counts` turns such a table into the electronic monitoring
model's population table, and :func:`latest_levels` gives each client's latest assessed risk
level on a date, so that a study's client table can be counted with
:func:`workbench.feasibility.population.eligible_population`.

Region names: the models use the study's region names (``study.yaml``'s ``regions:``, see
``workbench.regions``); other spellings the study declares (``Osh``, ``Bishkek``, Russian
names) map onto them with :func:`model_region`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.feasibility.parameters import source_texts
from workbench.io.safe_yaml import load_yaml
from workbench.regions import Region, canonical_region
from workbench.feasibility.population import RISK_LEVELS, EligibilityRules, eligible_population


def model_region(label: str, regions: Sequence[Region]) -> str:
    """The region name the models use (the study's, ``workbench.regions``), from any spelling
    of it the study declares; an error listing the regions for any other label."""
    return canonical_region(label, regions)


@dataclass(frozen=True)
class DefaultCounts:
    """A count table from a parameter file with what it counts and where it comes from."""

    table: pd.DataFrame
    what: str
    source: str
    basis: str | None
    file: str
    sources: Mapping[str, str] = field(default_factory=dict)

    def source_in(self, language: str = "en") -> str:
        """Where the counts come from, in ``language`` when the file gives it."""
        return self.sources.get(language) or self.source


def default_counts(path: str | Path, regions: Sequence[Region] = ()) -> DefaultCounts:
    """Read and check the ``counts:`` section of a parameter file.

    Every row must have the same keys; ``region``, when the study declares ``regions``, must
    spell one of them (mapped to its name with :func:`model_region`), else it is kept as
    written; ``risk_level``, when present, low/medium/high; every other column a finite
    number >= 0 (persons or persons per year).
    """
    path = Path(path)
    document = load_yaml(path, what="the parameter file")
    section = document.get("counts") if isinstance(document, dict) else None
    if not isinstance(section, dict):
        raise WorkbenchError("parameter file has no 'counts' section", file=str(path),
                             expected="counts: {what, source, rows: [...]}")
    sources = source_texts(section.get("source"))
    if sources is None:
        raise WorkbenchError("counts: missing source", file=str(path), expected="where the counts come from")
    source = sources["en"]
    rows = section.get("rows")
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        raise WorkbenchError("counts: 'rows' must be a non-empty list of mappings", file=str(path))
    keys = list(rows[0])
    if "region" not in keys:
        raise WorkbenchError("counts: rows need a 'region'", file=str(path), column="region")
    problems = []
    for number, row in enumerate(rows, start=1):
        if list(row) != keys:
            problems.append((number, None, sorted(row), f"the keys of row 1: {keys}"))
            continue
        try:
            row["region"] = model_region(row["region"], regions) if regions else row["region"]
        except WorkbenchError:
            problems.append((number, "region", row["region"], "one of " + ", ".join(r.name for r in regions)))
        if "risk_level" in row and row["risk_level"] not in RISK_LEVELS:
            problems.append((number, "risk_level", row["risk_level"], "low, medium or high"))
        for key in keys:
            if key in ("region", "risk_level"):
                continue
            value = row[key]
            if key == "violent_extremist":
                if not isinstance(value, bool):
                    problems.append((number, key, value, "true or false"))
            elif (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                  or value < 0):
                problems.append((number, key, value, "a number >= 0"))
    if problems:
        row, column, value, expected = problems[0]
        raise WorkbenchError(f"counts: {len(problems)} problem(s) in the rows", file=str(path), row=row,
                             column=column, value=value, expected=expected)
    return DefaultCounts(table=pd.DataFrame(rows), what=str(section.get("what", "")), source=source, sources=sources,
                         basis=section.get("basis"), file=str(path))


def population_from_counts(counts: pd.DataFrame, rules: EligibilityRules | None = None) -> pd.DataFrame:
    """The EM model's population table from a count table (``region``, ``risk_level``,
    ``clients``, optional ``releases_per_year`` and ``violent_extremist``).

    Marks ``eligible`` and ``reason`` with the same rules as ``eligible_population``; a table
    without a ``violent_extremist`` column counts violent-extremist clients only.
    """
    rules = rules or EligibilityRules()
    require_columns(counts, ["region", "risk_level", "clients"], what="the count table")
    out = counts.copy()
    if "releases_per_year" not in out.columns:
        out["releases_per_year"] = 0.0
    risk_ok = out["risk_level"].isin(list(rules.risk_levels))
    flagged = out["violent_extremist"].astype(bool) if "violent_extremist" in out.columns else True
    flag_ok = flagged if rules.extremist_only else True
    out["eligible"] = risk_ok & flag_ok
    out["reason"] = np.where(
        ~risk_ok, "risk level " + out["risk_level"].astype(str) + " not in " + "/".join(rules.risk_levels),
        np.where(out["eligible"], "eligible", "not flagged as violent-extremist offender"))
    out["clients"] = out["clients"].astype(float)
    out["releases_per_year"] = out["releases_per_year"].astype(float)
    return out.sort_values(["region", "risk_level"], kind="stable").reset_index(drop=True)


def latest_levels(scored: pd.DataFrame, as_of: str | pd.Timestamp, *, client_col: str = "client_id",
                  date_col: str = "assessment_date", level_col: str = "risk_level") -> pd.DataFrame:
    """Each client's latest assessed level on or before ``as_of``: ``client_id``, ``risk_level``,
    ``assessed_on``. Assessments without a level (not scorable) are skipped."""
    require_columns(scored, (client_col, date_col, level_col), what="the assessment table")
    data = scored[[client_col, date_col, level_col]].copy()
    data[date_col] = pd.to_datetime(data[date_col])
    data = data[data[level_col].notna() & (data[date_col] <= pd.Timestamp(as_of))]
    data = data.sort_values([client_col, date_col], kind="stable").drop_duplicates(client_col, keep="last")
    return (data.rename(columns={client_col: "client_id", level_col: "risk_level", date_col: "assessed_on"})
            [["client_id", "risk_level", "assessed_on"]].reset_index(drop=True))


@dataclass(frozen=True)
class EmPopulation:
    """The EM model's population table and where its counts come from (``clients`` or
    ``default``); ``as_of`` and ``unassessed`` (active clients without a scored level) when
    counted from a client table."""

    table: pd.DataFrame
    source: str
    as_of: pd.Timestamp | None = None
    unassessed: int = 0


def em_population(counts: DefaultCounts, clients: pd.DataFrame | None = None,
                  scored: pd.DataFrame | None = None, *, rules: EligibilityRules | None = None,
                  extremist_col: str = "ve_client", start_col: str = "followup_start",
                  end_col: str = "followup_end", as_of: str | pd.Timestamp | None = None) -> EmPopulation:
    """Who the EM model concerns: from the study's client table when there is one, else the
    parameter file's default counts.

    With ``clients`` (one row per probation client: ``client_id``, ``region``, the extremist
    flag and follow-up dates) and ``scored`` assessments (``client_id``, ``assessment_date``,
    ``risk_level``), the caseload is the clients under supervision on ``as_of`` (default: the last
    follow-up end date, i.e. the data cut-off) at their latest level; clients without a
    scored assessment are not counted (their number is returned). Eligible prison releases
    per year always come from the default table, which is the only source of them.
    """
    if clients is None or scored is None:
        return EmPopulation(table=population_from_counts(counts.table, rules), source="default")
    day = pd.Timestamp(as_of) if as_of is not None else pd.to_datetime(clients[end_col]).max()
    levels = latest_levels(scored, day)
    start = pd.to_datetime(clients[start_col])
    end = pd.to_datetime(clients[end_col])
    active = clients[(start <= day) & (end.isna() | (end >= day))]
    assessed = active.merge(levels[["client_id", "risk_level"]], on="client_id", how="inner")
    releases = None
    if "releases_per_year" in counts.table.columns and "risk_level" in counts.table.columns:
        releases = counts.table[["region", "risk_level", "releases_per_year"]]
    table = eligible_population(assessed, extremist_col=extremist_col, start_col=start_col, end_col=end_col,
                                as_of=day, releases=releases, rules=rules)
    return EmPopulation(table=table, source="clients", as_of=day, unassessed=int(len(active) - len(assessed)))
