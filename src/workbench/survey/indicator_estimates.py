"""Design-based estimates of the indicators: means and shares with intervals, the shares of
non-answers, and the exploratory model of an attitude index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.intervals import logit_interval


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


def index_model(design: SurveyDesign, dictionary: DataDictionary, indicator: str,
                predictors: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Linear model of an index on categorical predictors with design-based SEs; one row per
    coefficient (intercept excluded): ``term``, ``variable``, ``category`` (code) and the
    reference code ``reference``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``df``, ``n``.
    Empty when the design has too few PSUs for the model (residual df < 1)."""
    usable = []
    scope = design.analysis_weights() > 0
    for name in predictors:
        values = design.data.loc[scope & design.valid_mask(name), name]
        if values.nunique() >= 2:
            usable.append(name)
    columns = ["term", "variable", "category", "reference", "estimate", "se", "ci_low", "ci_high", "p_value",
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
        rows.append({**record, "variable": variable, "category": code.rstrip("]"),
                     "reference": design.factorized(variable)[1][0]})
    out = pd.DataFrame(rows)
    return out[columns]
