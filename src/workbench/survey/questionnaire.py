"""Questionnaire analysis driven by the data dictionary: batteries, roles, indicators, weighting.

A report on an attitude survey must run unchanged on another questionnaire that comes with its
own dictionary, so nothing here names a variable: batteries are found by their ``kind`` and
``group`` tags, single questions by the role ``question``, design variables by their roles
(``weight``, ``stratum``, ``cluster``, ``fpc``; every one but ``weight`` optional; breakdowns
``stratum``, ``sex``, ``age_group`` (or ``age``), ``urban_rural``, ``contact`` and any number of
``breakdown``), and "don't know"/refused by the declared missing codes. Answers may be coded as
numbers or text: ``answer_scores`` turns them into scores (numbers by value, text by the order
the dictionary declares), so order, direction and the upper half of a scale come from the
dictionary. The estimates themselves come from ``SurveyDesign``.

Indicators (``indicator_definitions``), each a derived column of the analysis frame so that
the design's linearised variance, domains and Rao-Scott tests apply to it:

* ``index`` (attitude batteries): per respondent the mean item score over respondents who
  answered every item (a declared missing code on any item gives no score), reversed items
  scored (min + max - code); higher = more accepting. Scale 1..5 on a 5-point battery.
* ``favourable`` (attitude batteries): 1 when that index is above the scale midpoint
  ((min + max) / 2), else 0; no value when there is no index.
* ``share`` (items of every other battery): 1 when the answer is in the upper half of the
  item's declared codes (the "yes" code of a yes/no item; codes 3-4 of a 4-point item; 4-5 of
  a 5-point item, the middle code counting as neither), 0 for any other substantive answer,
  no value for a declared missing code. The estimate is the share among substantive answers.

Weighting (``rake_margins``): the population-margins table holds one or more margins (rows
tagged by a ``margin`` column, dimensions blank where not part of that margin). A margin cell
resting on fewer than ``min_respondents`` respondents makes raking unstable, so such a margin
is collapsed: first the stratum dimension is dropped (the national margin of the others,
the stratum totals then enter as a margin of their own), then the margin is split into its
single dimensions; a single dimension that still has too small a cell is left out. The plan
says what was used. Why our own code: this is bookkeeping on the dictionary; raking and
variance are the engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.regions import dictionary_region_codes
from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.intervals import logit_interval
from workbench.survey.scales import cronbach_alpha, reverse_code

#: roles used as breakdowns of the headline indicators, in report order
BREAKDOWN_ROLES = ("stratum", "sex", "age_group", "urban_rural", "contact", "breakdown")
#: roles used as predictors of the attitude indices (the stratum only in national editions)
PREDICTOR_ROLES = ("sex", "age_group", "urban_rural", "contact", "breakdown", "stratum")
#: age bands (years, inclusive) used when the dictionary has an ``age`` but no ``age_group``
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((18, 29), (30, 44), (45, 59), (60, None))
DERIVED_AGE_GROUP = "age_group__derived"
ATTITUDE, SOCIAL_DISTANCE = "attitude", "social_distance"
#: role of a single categorical question; role of any further breakdown variable
QUESTION, BREAKDOWN = "question", "breakdown"


# ---- the dictionary -------------------------------------------------------------------------
@dataclass(frozen=True)
class Battery:
    """A battery of items with its tags, item order, reversed items and scale range (codes)."""

    name: str
    kind: str | None
    group: str | None
    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    scale_min: float
    scale_max: float


def role_variable(dictionary: DataDictionary, role: str) -> str | None:
    """The first variable with ``role`` (dictionary order), or None when none has it."""
    names = dictionary.by_role(role)
    return names[0] if names else None


def answer_scores(dictionary: DataDictionary, item: str) -> dict[Any, float]:
    """Score of each substantive answer code of an item (declared missing codes excluded).

    Numeric codes score their own value (their order is the numeric order); text codes
    (``"No"``, ``"Yes"``; ``"disagree"`` ... ``"agree"``) score their position 1, 2, ... in the
    order the dictionary declares them, so text- and number-coded questionnaires are read alike.
    """
    var = dictionary.variables[item]
    codes = [c for c in var.values if c not in var.missing_codes]
    if codes and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes):
        return {c: float(c) for c in sorted(codes)}
    return {c: float(k) for k, c in enumerate(codes, start=1)}


def item_codes(dictionary: DataDictionary, item: str) -> list[float]:
    """Scores of an item's substantive answers (see ``answer_scores``), ascending."""
    codes = sorted(answer_scores(dictionary, item).values())
    if len(codes) < 2:
        raise WorkbenchError("item has fewer than two answer codes", file=dictionary.source,
                             column=item, expected="values: {code: label} with at least two answers "
                                                   "(numbers, or text in the order low to high)")
    return codes


def positive_codes(dictionary: DataDictionary, item: str) -> list[float]:
    """Codes in the upper half of the item's scale (strictly above its midpoint)."""
    codes = item_codes(dictionary, item)
    middle = (codes[0] + codes[-1]) / 2
    return [c for c in codes if c > middle]


def batteries(dictionary: DataDictionary, kind: str | None = None,
              group: str | None = None) -> list[Battery]:
    """Batteries with the given ``kind``/``group`` tags (None = any), in dictionary order."""
    found = []
    for name, spec in dictionary.batteries.items():
        spec = spec or {}
        if kind is not None and spec.get("kind") != kind:
            continue
        if group is not None and spec.get("group") != group:
            continue
        items = dictionary.battery_items(name)
        if not items:
            continue
        ranges = [item_codes(dictionary, item) for item in items]
        found.append(Battery(
            name=name, kind=spec.get("kind"), group=spec.get("group"), items=tuple(items),
            reversed_items=tuple(i for i in items if dictionary.variables[i].reversed),
            scale_min=min(r[0] for r in ranges), scale_max=max(r[-1] for r in ranges)))
    return found


def breakdowns(dictionary: DataDictionary, roles: Sequence[str] = BREAKDOWN_ROLES) -> list[tuple[str, str]]:
    """``(role, variable)`` of each breakdown the dictionary has; an ``age`` without an
    ``age_group`` gives the derived age-group column (added by ``analysis_frame``)."""
    found = []
    for role in roles:
        if role == BREAKDOWN:  # any number of further breakdowns
            found.extend((role, name) for name in dictionary.by_role(role))
            continue
        name = role_variable(dictionary, role)
        if name is None and role == "age_group" and role_variable(dictionary, "age") is not None:
            name = DERIVED_AGE_GROUP
        if name is not None:
            found.append((role, name))
    return found


def level_labels(dictionary: DataDictionary, variable: str, language: str = "en") -> dict[Any, str]:
    """Code -> label of a variable in the report language (derived age groups included)."""
    if variable == DERIVED_AGE_GROUP:
        return {k + 1: (f"{lo}-{hi}" if hi is not None else f"{lo}+") for k, (lo, hi) in enumerate(AGE_BANDS)}
    return dictionary.value_labels(variable, language)


def variable_label(dictionary: DataDictionary, variable: str, language: str = "en") -> str:
    """Label of a variable (the age-group label of the ``age`` variable for the derived one)."""
    if variable == DERIVED_AGE_GROUP:
        return dictionary.label(role_variable(dictionary, "age"), language)
    return dictionary.label(variable, language)


def _label_of(labels: dict[Any, str], code: Any) -> str:
    """Label of a code whatever its numeric type (1, 1.0 and "1" are the same code)."""
    if code in labels:
        return labels[code]
    try:
        number = float(code)
        if number.is_integer() and int(number) in labels:
            return labels[int(number)]
    except (TypeError, ValueError):
        pass
    return str(code)


def questions(dictionary: DataDictionary) -> list[str]:
    """Single categorical questions (role ``question``), in dictionary order."""
    return [name for name in dictionary.by_role(QUESTION) if len(answer_scores(dictionary, name)) >= 2]


# ---- indicators and the analysis frame ------------------------------------------------------
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


# ---- design and weighting -------------------------------------------------------------------
def design_from_roles(frame: pd.DataFrame, dictionary: DataDictionary,
                      lonely_psu: str = "adjust") -> SurveyDesign:
    """The design from the roles ``weight``, ``stratum``, ``cluster`` and ``fpc`` (each
    optional), with every declared missing code of the dictionary treated as missing.
    ``fpc`` is the population size of the first stage (PSUs in the stratum; without clusters,
    units in the stratum, as in R's ``svydesign(id=~1, fpc=)``).
    ``lonely_psu="adjust"`` (R's option) keeps a report running when a stratum has one PSU."""
    present = set(frame.columns)
    cluster = role_variable(dictionary, "cluster")
    return SurveyDesign(
        frame, weights=role_variable(dictionary, "weight"), strata=role_variable(dictionary, "stratum"),
        psu=cluster, fpc=role_variable(dictionary, "fpc"),
        missing_codes={k: v for k, v in dictionary.missing_code_map().items() if k in present},
        lonely_psu=lonely_psu)


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


@dataclass
class PreparedSurvey:
    """Everything an attitude report needs: the weighted design (``design``, raked when margins
    were given), the design before raking (``base``), indicator definitions and the margins."""

    design: SurveyDesign
    base: SurveyDesign
    indicators: pd.DataFrame
    dictionary: DataDictionary
    margins: RakeMargins | None = None

    @property
    def raked(self) -> bool:
        return self.margins is not None and bool(self.margins.margins)


def prepare_survey(data: pd.DataFrame, dictionary: DataDictionary, margins_table: pd.DataFrame | None = None,
                   margins_dictionary: DataDictionary | None = None, *, min_respondents: int = 20,
                   lonely_psu: str = "adjust") -> PreparedSurvey:
    """Indicators, analysis frame, design from roles and (with a margins table) raking."""
    indicators = indicator_definitions(dictionary)
    frame = analysis_frame(data, dictionary, indicators)
    margins = None
    if margins_table is not None and margins_dictionary is not None:
        margins = rake_margins(frame, dictionary, margins_table, margins_dictionary, min_respondents)
        frame = margins.add_keys(frame)
    base = design_from_roles(frame, dictionary, lonely_psu)
    design = base.rake(margins.margins) if margins is not None and margins.margins else base
    return PreparedSurvey(design, base, indicators, dictionary, margins)


def domain(prepared: PreparedSurvey, region: Any = None) -> tuple[SurveyDesign, SurveyDesign]:
    """The weighted and the unraked design restricted to ``region`` (domain estimation: the
    whole design is kept). ``region`` is a code or label of the stratum (``workbench.regions``);
    an unknown one is an error listing the known values; a known one without respondents gives
    an empty domain (the caller says so)."""
    if region is None:
        return prepared.design, prepared.base
    name, codes = dictionary_region_codes(prepared.dictionary, region)
    mask = prepared.design.data[name].isin(codes).fillna(False).to_numpy(dtype=bool)
    return prepared.design.subset(mask), prepared.base.subset(mask)


def respondents(design: SurveyDesign) -> int:
    """Respondents in the design's domain (positive weight)."""
    return int((design.analysis_weights() > 0).sum())


# ---- estimates -------------------------------------------------------------------------------
def estimate_indicators(design: SurveyDesign, indicators: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Design-based mean of each indicator's column (a share for 0/1 columns), overall or by
    ``by``: indicator columns plus ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``,
    ``deff``, ``n`` (answers used) and ``n_missing`` (no substantive answer). Shares (the
    mean of a 0/1 indicator) get the logit interval of R's ``svyciprop``, which stays inside
    0-1 where the symmetric interval of a small share in a small domain would not."""
    parts = []
    for row in indicators.to_dict("records"):
        result = design.mean(row["indicator"], by=by)
        for key in ("indicator", "statistic", "battery", "kind", "group", "variable"):
            result[key] = row[key]
        parts.append(result)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    shares = out["statistic"].ne("index").to_numpy()
    low, high = logit_interval(out.loc[shares, "estimate"].to_numpy(float),
                               out.loc[shares, "se"].to_numpy(float),
                               out.loc[shares, "df"].to_numpy(float), 0.95)
    out.loc[shares, "ci_low"], out.loc[shares, "ci_high"] = low, high
    first = ["indicator", "statistic", "battery", "kind", "group", "variable"] + ([by] if by else [])
    return out[first + [c for c in out.columns if c not in first]]


def compare(design: SurveyDesign, indicator: str, by: str, level: float = 0.95
            ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Share (0/1 indicator) by the levels of ``by`` with CIs, and the Rao-Scott test.

    Rows: ``level`` (code of ``by``), ``estimate`` (share, 0-1), ``ci_low``, ``ci_high``,
    ``n`` (answers in the level). Test: ``F``, ``ndf``, ``ddf``, ``p_value`` (second order,
    R's ``svychisq``); NaN when the table has fewer than two levels either way.
    """
    columns = ["level", "estimate", "se", "ci_low", "ci_high", "n"]
    scope = design.analysis_weights() > 0
    valid = scope & design.valid_mask(indicator) & design.valid_mask(by)
    levels = pd.unique(design.data.loc[valid, by])
    answers = pd.unique(design.data.loc[valid, indicator])
    empty = {"F": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan}
    if len(levels) < 2 or len(answers) < 2:
        return pd.DataFrame(columns=columns), empty
    result = design.crosstab(by, indicator, level=level)
    table = result.table
    totals = table.groupby(by, sort=False)["n"].sum()
    yes = table[table[indicator] == 1].set_index(by)
    out = pd.DataFrame({"level": totals.index,
                        "estimate": yes["row_percent"].reindex(totals.index).to_numpy() / 100,
                        "se": yes["row_percent_se"].reindex(totals.index).to_numpy() / 100,
                        "ci_low": yes["row_percent_ci_low"].reindex(totals.index).to_numpy() / 100,
                        "ci_high": yes["row_percent_ci_high"].reindex(totals.index).to_numpy() / 100,
                        "n": totals.to_numpy().astype(int)})
    out["estimate"] = out["estimate"].fillna(0.0)  # a level where nobody said yes
    test = {k: float(result.test[k]) for k in ("F", "ndf", "ddf", "p_value")}
    return out, test


def score_column(question: str) -> str:
    """The analysis frame's column of a question's answer scores (missing answers blank)."""
    return f"score__{question}"


def compare_question(design: SurveyDesign, dictionary: DataDictionary, question: str, by: str,
                     level: float = 0.95) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Shares of every answer of a single question by the levels of ``by``, with logit CIs,
    and the Rao-Scott test of the whole answers x levels table (R's ``svychisq``, second order).

    Rows: ``level`` (code of ``by``), ``answer`` (code of the question), ``estimate`` (share of
    the answer among the level's substantive answers, 0-1), ``se``, ``ci_low``, ``ci_high``,
    ``n`` (answers in the level). Test: ``F``, ``ndf``, ``ddf``, ``p_value``; NaN when the
    table has fewer than two levels either way.
    """
    column = score_column(question)
    columns = ["level", "answer", "estimate", "se", "ci_low", "ci_high", "n"]
    scope = design.analysis_weights() > 0
    valid = scope & design.valid_mask(column) & design.valid_mask(by)
    empty = {"F": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan}
    if pd.unique(design.data.loc[valid, by]).size < 2 or pd.unique(design.data.loc[valid, column]).size < 2:
        return pd.DataFrame(columns=columns), empty
    result = design.crosstab(by, column, level=level)
    table = result.table
    codes = {score: code for code, score in answer_scores(dictionary, question).items()}
    totals = table.groupby(by, sort=False)["n"].sum()
    out = pd.DataFrame({"level": table[by].to_numpy(),
                        "answer": [codes.get(float(v), v) for v in table[column]],
                        "estimate": table["row_percent"].to_numpy() / 100,
                        "se": table["row_percent_se"].to_numpy() / 100,
                        "ci_low": table["row_percent_ci_low"].to_numpy() / 100,
                        "ci_high": table["row_percent_ci_high"].to_numpy() / 100,
                        "n": totals.reindex(table[by]).to_numpy().astype(int)})
    declared = list(dictionary.variables[by].values) if by in dictionary.variables else []
    position = {code: k for k, code in enumerate(declared)}
    answer_order = list(codes.values())
    out = out.assign(_level=[position.get(v, len(position)) for v in out["level"]],
                     _answer=[answer_order.index(a) if a in answer_order else len(answer_order) for a in out["answer"]])
    out = out.sort_values(["_level", "_answer"], kind="stable").drop(columns=["_level", "_answer"])
    return out.reset_index(drop=True), {k: float(result.test[k]) for k in ("F", "ndf", "ddf", "p_value")}


def compare_questions(design: SurveyDesign, dictionary: DataDictionary, names: Sequence[str],
                      by_variables: Sequence[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every single question by every breakdown (``compare_question``): answer shares per
    level, and one test per pair (``question``, ``role``, ``variable``, ``F``, ``ndf``, ``ddf``,
    ``p_value``); adjust the p-values together with the report's other tests (``holm_family``)."""
    shares, tests = [], []
    for name in names:
        for role, variable in by_variables:
            table, test = compare_question(design, dictionary, name, variable)
            table.insert(0, "variable", variable)
            table.insert(0, "role", role)
            table.insert(0, "question", name)
            shares.append(table)
            tests.append({"question": name, "role": role, "variable": variable, **test})
    share_table = pd.concat(shares, ignore_index=True) if shares else pd.DataFrame()
    return share_table, pd.DataFrame(tests, columns=["question", "role", "variable", "F", "ndf", "ddf", "p_value"])


def holm_family(tests: Sequence[pd.DataFrame], alpha: float = 0.05) -> list[pd.DataFrame]:
    """Copies of the test tables with ``p_holm`` and ``difference`` (adjusted p below ``alpha``)
    from one Holm adjustment over all their p-values: the report's family of tests."""
    p_values = np.concatenate([t["p_value"].to_numpy(dtype=float) for t in tests]) if tests else np.array([])
    adjusted = holm(p_values)
    out, start = [], 0
    for table in tests:
        copy = table.copy()
        copy["p_holm"] = adjusted[start:start + len(table)]
        copy["difference"] = copy["p_holm"] < alpha
        start += len(table)
        out.append(copy)
    return out


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values (family-wise error), NaN kept as NaN (Holm 1979)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if len(ok) == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out


def compare_all(design: SurveyDesign, indicators: pd.DataFrame, by_variables: Sequence[tuple[str, str]],
                alpha: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every indicator by every breakdown: shares per level, and one Rao-Scott test per pair
    with Holm-adjusted p-values over all pairs; ``difference`` is True when the adjusted
    p-value is below ``alpha`` (only then does a report call it a difference)."""
    shares, tests = [], []
    for row in indicators.to_dict("records"):
        for role, variable in by_variables:
            table, test = compare(design, row["indicator"], variable)
            table.insert(0, "variable", variable)
            table.insert(0, "role", role)
            table.insert(0, "indicator", row["indicator"])
            table.insert(1, "battery", row["battery"])
            shares.append(table)
            tests.append({"indicator": row["indicator"], "battery": row["battery"], "role": role,
                          "variable": variable, **test})
    share_table = pd.concat(shares, ignore_index=True) if shares else pd.DataFrame()
    test_table = pd.DataFrame(tests, columns=["indicator", "battery", "role", "variable", "F", "ndf", "ddf",
                                              "p_value"])
    test_table["p_holm"] = holm(test_table["p_value"].to_numpy()) if len(test_table) else []
    test_table["difference"] = test_table["p_holm"] < alpha
    return share_table, test_table


def nonresponse_shares(design: SurveyDesign, dictionary: DataDictionary, items: Sequence[str]) -> pd.DataFrame:
    """Per item, the weighted share of each declared missing code among respondents in the
    domain (``share_<code>``, 0-1) and the unweighted count (``n_<code>``); ``n`` = respondents."""
    weights = design.analysis_weights()
    scope = weights > 0
    total = weights[scope].sum()
    codes = list(dictionary.missing_codes)
    rows = []
    for item in items:
        values = design.data[item]
        row: dict[str, Any] = {"variable": item, "n": int(scope.sum())}
        declared = set(dictionary.variables[item].missing_codes)
        for code in codes:
            hit = (values == code).fillna(False).to_numpy(dtype=bool) & scope
            row[f"share_{code}"] = float(weights[hit].sum() / total) if code in declared and total > 0 else np.nan
            row[f"n_{code}"] = int(hit.sum()) if code in declared else 0
        rows.append(row)
    return pd.DataFrame(rows)


def reliability(design: SurveyDesign, dictionary: DataDictionary, battery: Battery
                ) -> tuple[dict[str, Any], pd.DataFrame]:
    """Weighted Cronbach's alpha of a battery after reverse-coding its reversed items, and its
    item statistics (mean and SD of the reversed score, corrected item-total correlation,
    alpha if the item is deleted, ``reversed`` flag)."""
    items = list(battery.items)
    if len(items) < 2:
        raise WorkbenchError("Cronbach's alpha needs at least two items", value=battery.name,
                             expected="a battery of two or more items (the report skips alpha for one item)")
    data = scored_items(design.data, dictionary, items)  # text or numeric codes, missing as NaN
    if battery.reversed_items:
        data = reverse_code(data, list(battery.reversed_items), battery.scale_min, battery.scale_max)
    result = cronbach_alpha(data, items, weights=design.analysis_weights())
    table = result.items.copy()
    table["reversed"] = [i in battery.reversed_items for i in items]
    table["n"] = result.n
    summary = {"battery": battery.name, "items": len(items), "alpha": result.alpha, "n": result.n,
               "n_missing": result.n_missing}
    return summary, table


#: Cronbach's alpha bands (Nunnally 1978): at or above 0.8 good, at or above 0.7 acceptable, else low
ALPHA_BANDS: tuple[tuple[float, str], ...] = ((0.8, "good"), (0.7, "acceptable"))
#: an item is weak when alpha without it rises by more than this
WEAK_ITEM_GAIN = 0.02


def alpha_quality(alpha: float) -> str:
    """The band of a Cronbach's alpha: ``good``, ``acceptable`` or ``low`` (``ALPHA_BANDS``)."""
    return next((name for bound, name in ALPHA_BANDS if alpha >= bound), "low")


def weak_items(items: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rows of ``reliability``'s item table whose deletion would raise alpha by more than
    ``WEAK_ITEM_GAIN``: statements that measure something somewhat different."""
    return items[items["alpha_if_deleted"] > alpha + WEAK_ITEM_GAIN]


# ---- models ----------------------------------------------------------------------------------
def index_model(design: SurveyDesign, dictionary: DataDictionary, indicator: str,
                predictors: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Linear model of an index on categorical predictors with design-based SEs; one row per
    coefficient (intercept excluded): ``term``, ``variable``, ``level`` (code) and the
    reference code ``reference``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``df``, ``n``.
    Empty when the design has too few PSUs for the model (residual df < 1)."""
    usable = []
    scope = design.analysis_weights() > 0
    for name in predictors:
        values = design.data.loc[scope & design.valid_mask(name), name]
        if values.nunique() >= 2:
            usable.append(name)
    columns = ["term", "variable", "level", "reference", "estimate", "se", "ci_low", "ci_high", "p_value",
               "df", "n"]
    if not usable:
        return pd.DataFrame(columns=columns)
    formula = f"{indicator} ~ " + " + ".join(f"C({name})" for name in usable)
    try:
        result = design.glm(formula, level=level)
    except WorkbenchError:
        # e.g. a domain lacking a predictor's first level: the engine's reference level is the
        # first level of the whole sample, so the dummies become collinear there
        return pd.DataFrame(columns=columns)
    if not np.isfinite(result.df_resid) or result.df_resid < 1:
        return pd.DataFrame(columns=columns)
    summary = result.summary()
    summary = summary[summary["term"] != "Intercept"].reset_index(drop=True)
    rows = []
    for record in summary.to_dict("records"):
        variable, code = record["term"].split("[T.", 1)
        variable = variable.removeprefix("C(").removesuffix(")")
        rows.append({**record, "variable": variable, "level": code.rstrip("]"),
                     "reference": design.factorized(variable)[1][0]})
    out = pd.DataFrame(rows)
    return out[columns]


# ---- finding the datasets and describing the weighting ----------------------------------------
def find_survey(study: Any, name: str | None = None) -> str:
    """Name of the study's survey dataset: ``name`` when given (the ``survey`` parameter, e.g.
    from study.yaml ``parameters:``), else the first dataset whose dictionary has a ``weight``
    role and a questionnaire (a battery tagged with a ``kind``, or a ``question``)."""
    if name is not None:
        study.dataset(name)  # an unknown name is an error listing the datasets
        return name
    for candidate, entry in study.datasets.items():
        if not entry.dictionary:
            continue
        try:
            dictionary = study.dictionary(candidate)
        except WorkbenchError:
            continue
        tagged = any((spec or {}).get("kind") for spec in dictionary.batteries.values())
        if (tagged or dictionary.by_role(QUESTION)) and role_variable(dictionary, "weight") is not None:
            return candidate
    raise WorkbenchError("the study has no survey dataset", file=str(study.root / "study.yaml"),
                         expected="a dataset whose dictionary has a weight role and batteries tagged with "
                                  "kind or variables with role question (or parameters: survey: <dataset>)")


def find_margins(study: Any, survey: str) -> str | None:
    """``<survey>_population_margins`` when the study has that dataset, else None."""
    name = f"{survey}_population_margins"
    return name if name in study.datasets else None


def design_summary(design: SurveyDesign, dictionary: DataDictionary, language: str = "en") -> dict[str, Any]:
    """Respondents, strata, PSUs (in the domain) and the labels of the design variables."""
    scope = design.analysis_weights() > 0
    labels = {}
    for role in ("weight", "stratum", "cluster"):
        name = role_variable(dictionary, role)
        labels[role] = dictionary.label(name, language) if name else None
    stratum, cluster = role_variable(dictionary, "stratum"), role_variable(dictionary, "cluster")
    data = design.data[scope]
    psus = len(data[[c for c in (stratum, cluster) if c]].drop_duplicates()) if cluster else int(scope.sum())
    return {"n": int(scope.sum()), "strata": int(data[stratum].nunique()) if stratum else 1, "psus": psus,
            "clustered": cluster is not None, "stratified": stratum is not None,
            "df": design.degf(), **{f"{k}_label": v for k, v in labels.items()}}


def _cell_label(dictionary: DataDictionary, variables: Sequence[str], key: str, language: str) -> str:
    parts = key.split("|")
    return ", ".join(_label_of(level_labels(dictionary, v, language), p) for v, p in zip(variables, parts))


def margin_table(prepared: PreparedSurvey, language: str = "en") -> pd.DataFrame:
    """One row per raking cell: ``margin`` (label), ``cell`` (label), ``n`` (respondents),
    ``population``, ``before`` and ``after`` (weighted), each as a share of the margin's total."""
    columns = ["margin", "cell", "n", "population", "before", "after"]
    if not prepared.raked:
        return pd.DataFrame(columns=columns)
    diagnostics = prepared.design.weighting_diagnostics
    rows = []
    for column, variables in prepared.margins.keys.items():
        part = diagnostics[(diagnostics["section"] == "margin") & (diagnostics["variable"] == column)]
        counts = prepared.design.data[column].value_counts()
        label = " × ".join(variable_label(prepared.dictionary, v, language) for v in variables)
        for record in part.to_dict("records"):
            rows.append({"margin": label,
                         "cell": _cell_label(prepared.dictionary, variables, str(record["level"]), language),
                         "n": int(counts.get(record["level"], 0)),
                         "population": record["target"] / part["target"].sum(),
                         "before": record["before"] / part["before"].sum(),
                         "after": record["after"] / part["after"].sum()})
    return pd.DataFrame(rows, columns=columns)


def _describe_weights(weights: np.ndarray) -> dict[str, float]:
    w = weights[weights > 0]
    return {"n": float(len(w)), "min": w.min(), "p25": np.quantile(w, 0.25), "median": np.median(w),
            "p75": np.quantile(w, 0.75), "max": w.max(), "max_min_ratio": w.max() / w.min(),
            "kish_deff": len(w) * (w**2).sum() / w.sum() ** 2, "effective_n": w.sum() ** 2 / (w**2).sum()}


def weight_summary(base: SurveyDesign, weighted: SurveyDesign) -> pd.DataFrame:
    """Weights before and after raking among respondents of the domain: ``statistic`` (n, min,
    p25, median, p75, max, max_min_ratio, kish_deff = n sum w^2 / (sum w)^2 (Kish 1965),
    effective_n = (sum w)^2 / sum w^2), ``before``, ``after``."""
    before, after = _describe_weights(base.analysis_weights()), _describe_weights(weighted.analysis_weights())
    return pd.DataFrame({"statistic": list(before), "before": list(before.values()),
                         "after": [after[k] for k in before]})


def counted_answers(dictionary: DataDictionary, item: str, codes: Sequence[float], language: str = "en") -> str:
    """Labels of the answers an indicator counts (``codes`` are scores, see ``answer_scores``),
    e.g. "Rather agree / Strongly agree"."""
    labels = dictionary.value_labels(item, language)
    by_score = {score: _label_of(labels, code) for code, score in answer_scores(dictionary, item).items()}
    return " / ".join(by_score.get(float(c), str(c)) for c in codes)


def with_labels(table: pd.DataFrame, dictionary: DataDictionary, language: str = "en") -> pd.DataFrame:
    """Copy of a result table with ``battery_label`` and ``item_label`` (report language)."""
    out = table.copy()
    if "battery" in out:
        out["battery_label"] = [dictionary.label(b, language) if isinstance(b, str) else "" for b in out["battery"]]
    if "variable" in out:
        out["item_label"] = [variable_label(dictionary, v, language) if isinstance(v, str) else ""
                             for v in out["variable"]]
    return out


def code_label(dictionary: DataDictionary, variable: str, code: Any, language: str = "en") -> str:
    """Label of one code of a variable (1, 1.0 and "1" are the same code); the code itself if unlabelled."""
    return _label_of(level_labels(dictionary, variable, language), code)


def battery_reading(dictionary: DataDictionary, battery: str, language: str = "en") -> str | None:
    """The battery's ``reading`` text from the dictionary (how to read its figures, in the
    study's own topic), or None when it gives none."""
    raw = (dictionary.batteries.get(battery) or {}).get("reading")
    if isinstance(raw, dict):
        value = raw.get(language, raw.get("en"))
        return None if value is None else str(value)
    return None if raw is None else str(raw)
