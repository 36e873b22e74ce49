"""Labels of variables, codes, counted answers and batteries in the report language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from workbench.schemas import DataDictionary
from workbench.survey.instrument import AGE_BANDS, DERIVED_AGE_GROUP, answer_scores, role_variable


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


def code_label(dictionary: DataDictionary, variable: str, code: Any, language: str = "en") -> str:
    """Label of one code of a variable (1, 1.0 and "1" are the same code); the code itself if unlabelled."""
    return _label_of(level_labels(dictionary, variable, language), code)


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


def battery_reading(dictionary: DataDictionary, battery: str, language: str = "en") -> str | None:
    """The battery's ``reading`` text from the dictionary (how to read its figures, in the
    study's own topic), or None when it gives none."""
    raw = (dictionary.batteries.get(battery) or {}).get("reading")
    if isinstance(raw, dict):
        value = raw.get(language, raw.get("en"))
        return None if value is None else str(value)
    return None if raw is None else str(raw)
