"""Raking targets from a population-margins table, collapsed where the sample is too thin.

The population-margins table holds one or more margins (rows tagged by a ``margin`` column,
dimensions blank where not part of that margin). A margin cell resting on fewer than
``min_respondents`` respondents makes raking unstable, so such a margin is collapsed: first the
stratum dimension is dropped (the national margin of the others, the stratum totals then enter
as a margin of their own), then the margin is split into its single dimensions; a single
dimension that still has too small a cell is left out. The plan says what was used. Why our
own code: this is bookkeeping on the dictionary; raking itself is ``SurveyDesign.rake``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.schemas import DataDictionary
from workbench.survey.instrument import role_variable


@dataclass
class RakeMargins:
    """Raking targets ``{key column: {cell key: N}}``, the key columns to add to the frame
    (``keys``: key column -> survey variables), and the plan: one row per piece of each margin
    of the table (``variables`` used, ``status`` used / collapsed / dropped, ``smallest_cell``
    in respondents; ``full_variables`` and ``full_smallest_cell`` for the margin as given)."""

    margins: dict[str, dict[str, float]]
    keys: dict[str, tuple[str, ...]]
    plan: pd.DataFrame

    def add_keys(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Copy of ``frame`` with the cell-key column of every margin."""
        out = frame.copy()
        for column, variables in self.keys.items():
            out[column] = _cell_keys(frame, variables)
        return out


def _key_part(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    try:
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    except (TypeError, ValueError):
        return str(value)


def _cell_keys(frame: pd.DataFrame, variables: Sequence[str]) -> pd.Series:
    parts = [frame[v].astype(object).map(_key_part) for v in variables]
    keys = parts[0]
    for part in parts[1:]:
        keys = keys + "|" + part
    return keys.where(~pd.concat([p == "" for p in parts], axis=1).any(axis=1))


def _margin_columns(margins_dictionary: DataDictionary, survey_dictionary: DataDictionary,
                    survey_columns: Sequence[str]) -> tuple[str, str | None, dict[str, str]]:
    """Count column, margin-name column and margins column -> survey variable."""
    count = role_variable(margins_dictionary, "population_size")
    if count is None:
        raise WorkbenchError("the margins dictionary has no population count", file=margins_dictionary.source,
                             expected="a variable with role population_size")
    name_column = role_variable(margins_dictionary, "margin") or (
        "margin" if "margin" in margins_dictionary.variables else None)
    dims = {}
    for var in margins_dictionary.variables.values():
        if var.name in (count, name_column) or var.role in ("text", "id", "weight"):
            continue
        target = None
        if var.role not in ("attribute", "item"):
            target = role_variable(survey_dictionary, var.role)
        if target is None and var.name in survey_columns:
            target = var.name
        if target is None:
            raise WorkbenchError("a margin dimension has no matching survey variable",
                                 file=margins_dictionary.source, column=var.name,
                                 expected="the same role or the same name as a survey variable")
        dims[var.name] = target
    return count, name_column, dims


def rake_margins(frame: pd.DataFrame, survey_dictionary: DataDictionary, margins_table: pd.DataFrame,
                 margins_dictionary: DataDictionary, min_respondents: int = 20) -> RakeMargins:
    """Raking targets from the population-margins table, collapsed where cells are too small."""
    count, name_column, dims = _margin_columns(margins_dictionary, survey_dictionary, list(frame.columns))
    stratum = role_variable(survey_dictionary, "stratum")
    table = margins_table.copy()
    names = table[name_column].astype(str) if name_column else pd.Series("margin", index=table.index)
    margin_labels = (margins_dictionary.variables[name_column].values if name_column else {})
    chosen: list[tuple[str, tuple[str, ...], pd.Series, str]] = []
    plan_rows = []
    for name in dict.fromkeys(names):
        rows = table[names == name]
        used = [d for d in dims if rows[d].notna().all()]
        if not used or rows[[d for d in dims if d not in used]].notna().any().any():
            raise WorkbenchError("a margin's rows do not fill the same dimensions", file=margins_dictionary.source,
                                 value=name, expected="each margin's dimensions filled, the others blank")
        survey_vars = tuple(dims[d] for d in used)
        full = tuple(survey_vars)
        candidates: list[list[tuple[str, ...]]] = [[full]]
        if stratum in full and len(full) > 1:
            candidates.append([tuple(v for v in full if v != stratum), (stratum,)])
        if len(full) > 1:
            candidates.append([(v,) for v in full])
        full_smallest = _cell_check(frame, full, _targets(rows, used, dims, full, count), min_respondents)[1]
        for attempt, candidate in enumerate(candidates):
            pieces = [(vars_, _targets(rows, used, dims, vars_, count)) for vars_ in candidate]
            checks = [_cell_check(frame, vars_, target, min_respondents) for vars_, target in pieces]
            last = attempt == len(candidates) - 1
            if all(ok for ok, _ in checks) or last:
                for (vars_, target), (ok, smallest) in zip(pieces, checks):
                    note = "used" if attempt == 0 else "collapsed"
                    if not ok:
                        note = "dropped"
                    plan_rows.append({"margin": name, "margin_label": margin_labels.get(name),
                                      "variables": vars_, "cells": len(target), "smallest_cell": smallest,
                                      "full_variables": full, "full_smallest_cell": full_smallest,
                                      "status": note})
                    if ok:
                        chosen.append((name, vars_, target, note))
                break
    margins: dict[str, dict[str, float]] = {}
    keys: dict[str, tuple[str, ...]] = {}
    for _, vars_, target, _ in chosen:
        column = "margin__" + "__".join(vars_)
        if column in keys:
            continue  # the same margin twice (e.g. stratum totals from two margins)
        keys[column] = vars_
        margins[column] = {str(k): float(v) for k, v in target.items()}
    totals = [sum(m.values()) for m in margins.values()]
    if totals and max(totals) - min(totals) > 1e-6 * max(totals):
        raise WorkbenchError("population margins do not add up to the same total", file=margins_dictionary.source,
                             value=totals, expected="every margin covering the same population")
    plan = pd.DataFrame(plan_rows, columns=["margin", "margin_label", "variables", "cells", "smallest_cell",
                                            "full_variables", "full_smallest_cell", "status"])
    plan["key_column"] = ["margin__" + "__".join(v) if s != "dropped" else None
                          for v, s in zip(plan["variables"], plan["status"])]
    return RakeMargins(margins, keys, plan)


def _targets(rows: pd.DataFrame, used: list[str], dims: dict[str, str], survey_vars: Sequence[str],
             count: str) -> pd.Series:
    """Population per cell key of ``survey_vars`` (summed over the other dimensions), N > 0 only."""
    back = {dims[d]: d for d in used}
    keys = _cell_keys(rows, [back[v] for v in survey_vars])
    totals = pd.to_numeric(rows[count]).astype(float).groupby(keys.to_numpy()).sum()
    return totals[totals > 0]


def _cell_check(frame: pd.DataFrame, variables: Sequence[str], target: pd.Series,
                min_respondents: int) -> tuple[bool, int]:
    """Every population cell has >= min_respondents respondents and every sampled cell a target."""
    counts = _cell_keys(frame, variables).value_counts()
    per_cell = counts.reindex(target.index, fill_value=0)
    smallest = int(per_cell.min()) if len(per_cell) else 0
    unmatched = set(counts.index) - set(target.index)
    return bool(smallest >= min_respondents and not unmatched), smallest
