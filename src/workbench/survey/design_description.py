"""The design and its weighting described for a methods section: respondents, strata and PSUs,
the raking margins before and after, and the spread of the weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.instrument import role_variable
from workbench.survey.labels import code_label, variable_label
from workbench.survey.preparation import PreparedSurvey


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
    return ", ".join(code_label(dictionary, v, p, language) for v, p in zip(variables, parts))


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
                         "cell": _cell_label(prepared.dictionary, variables, str(record["category"]), language),
                         "n": int(counts.get(record["category"], 0)),
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
