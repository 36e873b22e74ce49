"""Survey indicators as derived columns of the analysis frame, so that the design's linearised
variance, domains and Rao-Scott tests apply to them.

Indicators (``indicator_definitions``):

* ``index`` (attitude batteries): per respondent the mean item score over respondents who
  answered every item (a declared missing code on any item gives no score), reversed items
  scored (min + max - code); higher = more accepting. Scale 1..5 on a 5-point battery.
* ``favourable`` (attitude batteries): 1 when that index is above the scale midpoint
  ((min + max) / 2), else 0; no value when there is no index.
* ``share`` (items of every other battery): 1 when the answer is in the upper half of the
  item's declared codes (the "yes" code of a yes/no item; codes 3-4 of a 4-point item; 4-5 of
  a 5-point item, the middle code counting as neither), 0 for any other substantive answer,
  no value for a declared missing code. The estimate is the share among substantive answers.
* ``answer`` (single questions): 1 for one answer code, 0 for any other substantive answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.schemas import DataDictionary
from workbench.survey.instrument import (
    AGE_BANDS, ATTITUDE, DERIVED_AGE_GROUP, QUESTION, Battery, answer_scores, batteries,
    positive_codes, questions, role_variable)


def indicator_definitions(dictionary: DataDictionary) -> pd.DataFrame:
    """One row per indicator: ``indicator`` (derived column), ``statistic`` (index,
    favourable, share), ``battery``, ``kind``, ``group``, ``variable`` (the item for shares),
    ``items``, ``reversed``, ``codes`` (counted codes), ``scale_min``/``scale_max``."""
    rows = []
    for battery in batteries(dictionary):
        common = {"battery": battery.name, "kind": battery.kind, "group": battery.group,
                  "scale_min": battery.scale_min, "scale_max": battery.scale_max}
        if battery.kind == ATTITUDE:
            for statistic in ("index", "favourable"):
                rows.append({"indicator": f"{statistic}__{battery.name}", "statistic": statistic,
                             **common, "variable": None, "items": battery.items,
                             "reversed": battery.reversed_items, "codes": ()})
        else:
            for item in battery.items:
                rows.append({"indicator": f"share__{item}", "statistic": "share", **common,
                             "variable": item, "items": (item,), "reversed": (),
                             "codes": tuple(positive_codes(dictionary, item))})
    for name in questions(dictionary):
        scores = answer_scores(dictionary, name)
        common = {"battery": None, "kind": QUESTION, "group": None, "scale_min": min(scores.values()),
                  "scale_max": max(scores.values()), "variable": name, "items": (name,), "reversed": ()}
        for score in scores.values():
            rows.append({"indicator": f"answer__{name}__{int(score)}", "statistic": "answer", **common,
                         "codes": (score,)})
    columns = ["indicator", "statistic", "battery", "kind", "group", "variable", "items", "reversed",
               "codes", "scale_min", "scale_max"]
    return pd.DataFrame(rows, columns=columns)


def _substantive(data: pd.DataFrame, dictionary: DataDictionary, item: str) -> pd.Series:
    """Item scores as floats (``answer_scores``) with declared missing codes (and blanks) as NaN."""
    scores = answer_scores(dictionary, item)
    if scores and any(not isinstance(c, (int, float)) for c in scores):
        return data[item].astype(object).map(scores).astype(float)
    values = pd.to_numeric(data[item], errors="coerce").astype(float)
    codes = list(dictionary.variables[item].missing_codes)
    return values.mask(data[item].isin(codes)) if codes else values


def scored_items(data: pd.DataFrame, dictionary: DataDictionary, items: Sequence[str]) -> pd.DataFrame:
    """Item scores of several items (``answer_scores``), missing answers as NaN."""
    return pd.DataFrame({item: _substantive(data, dictionary, item) for item in items}, index=data.index)


def attitude_index(data: pd.DataFrame, dictionary: DataDictionary, battery: Battery) -> pd.Series:
    """Mean item score of respondents answering every item, reversed items scored min + max - x."""
    scored = scored_items(data, dictionary, battery.items)
    for item in battery.reversed_items:
        scored[item] = battery.scale_min + battery.scale_max - scored[item]
    complete = scored.notna().all(axis=1)
    return scored.mean(axis=1).where(complete)


def score_column(question: str) -> str:
    """The analysis frame's column of a question's answer scores (missing answers blank)."""
    return f"score__{question}"


def analysis_frame(data: pd.DataFrame, dictionary: DataDictionary,
                   indicators: pd.DataFrame) -> pd.DataFrame:
    """Copy of the survey with one derived column per indicator (and a derived age group
    when the dictionary has ages but no age groups). Input is not modified."""
    missing = [v for v in dictionary.variables if dictionary.variables[v].required and v not in data.columns]
    if missing:
        raise WorkbenchError("survey data lacks variables of its dictionary", file=dictionary.source,
                             column=missing[0], expected="every variable the dictionary declares")
    derived: dict[str, pd.Series] = {}
    by_battery = {b.name: b for b in batteries(dictionary)}
    for row in indicators.itertuples(index=False):
        if row.indicator in data.columns:
            raise WorkbenchError("a survey variable has the name of a derived indicator",
                                 column=row.indicator, expected="no variable named <statistic>__<name>")
        if row.statistic in ("share", "answer"):
            values = _substantive(data, dictionary, row.variable)
            derived[row.indicator] = values.isin(row.codes).astype(float).where(values.notna())
        else:
            index = attitude_index(data, dictionary, by_battery[row.battery])
            if row.statistic == "index":
                derived[row.indicator] = index
            else:
                middle = (row.scale_min + row.scale_max) / 2
                derived[row.indicator] = (index > middle).astype(float).where(index.notna())
    for name in questions(dictionary):
        derived[score_column(name)] = _substantive(data, dictionary, name)
    age = role_variable(dictionary, "age")
    if role_variable(dictionary, "age_group") is None and age is not None:
        years = _substantive(data, dictionary, age)
        group = pd.Series(np.nan, index=data.index)
        for k, (low, high) in enumerate(AGE_BANDS, start=1):
            group = group.mask((years >= low) & ((years <= high) if high is not None else True), float(k))
        derived[DERIVED_AGE_GROUP] = group
    return pd.concat([data.copy(), pd.DataFrame(derived, index=data.index)], axis=1)
