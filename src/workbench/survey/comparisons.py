"""Indicators and single questions compared across breakdowns (Rao-Scott tests), with one
Holm adjustment over the report's family of tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.indicators import score_column
from workbench.survey.instrument import answer_scores


def compare(design: SurveyDesign, indicator: str, by: str, level: float = 0.95
            ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Share (0/1 indicator) by the levels of ``by`` with CIs, and the Rao-Scott test.

    Rows: ``category`` (code of ``by``), ``estimate`` (share, 0-1), ``ci_low``, ``ci_high``,
    ``n`` (answers in the category). Test: ``F``, ``ndf``, ``ddf``, ``p_value`` (second order,
    R's ``svychisq``); NaN when the table has fewer than two levels either way.
    """
    columns = ["category", "estimate", "se", "ci_low", "ci_high", "n"]
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
    out = pd.DataFrame({"category": totals.index,
                        "estimate": yes["row_percent"].reindex(totals.index).to_numpy() / 100,
                        "se": yes["row_percent_se"].reindex(totals.index).to_numpy() / 100,
                        "ci_low": yes["row_percent_ci_low"].reindex(totals.index).to_numpy() / 100,
                        "ci_high": yes["row_percent_ci_high"].reindex(totals.index).to_numpy() / 100,
                        "n": totals.to_numpy().astype(int)})
    out["estimate"] = out["estimate"].fillna(0.0)  # a category where nobody said yes
    test = {k: float(result.test[k]) for k in ("F", "ndf", "ddf", "p_value")}
    return out, test


def compare_question(design: SurveyDesign, dictionary: DataDictionary, question: str, by: str,
                     level: float = 0.95) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Shares of every answer of a single question by the levels of ``by``, with logit CIs,
    and the Rao-Scott test of the whole answers x levels table (R's ``svychisq``, second order).

    Rows: ``category`` (code of ``by``), ``answer`` (code of the question), ``estimate`` (share of
    the answer among the category's substantive answers, 0-1), ``se``, ``ci_low``, ``ci_high``,
    ``n`` (answers in the category). Test: ``F``, ``ndf``, ``ddf``, ``p_value``; NaN when the
    table has fewer than two levels either way.
    """
    column = score_column(question)
    columns = ["category", "answer", "estimate", "se", "ci_low", "ci_high", "n"]
    scope = design.analysis_weights() > 0
    valid = scope & design.valid_mask(column) & design.valid_mask(by)
    empty = {"F": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan}
    if pd.unique(design.data.loc[valid, by]).size < 2 or pd.unique(design.data.loc[valid, column]).size < 2:
        return pd.DataFrame(columns=columns), empty
    result = design.crosstab(by, column, level=level)
    table = result.table
    codes = {score: code for code, score in answer_scores(dictionary, question).items()}
    totals = table.groupby(by, sort=False)["n"].sum()
    out = pd.DataFrame({"category": table[by].to_numpy(),
                        "answer": [codes.get(float(v), v) for v in table[column]],
                        "estimate": table["row_percent"].to_numpy() / 100,
                        "se": table["row_percent_se"].to_numpy() / 100,
                        "ci_low": table["row_percent_ci_low"].to_numpy() / 100,
                        "ci_high": table["row_percent_ci_high"].to_numpy() / 100,
                        "n": totals.reindex(table[by]).to_numpy().astype(int)})
    declared = list(dictionary.variables[by].values) if by in dictionary.variables else []
    position = {code: k for k, code in enumerate(declared)}
    answer_order = list(codes.values())
    out = out.assign(_category=[position.get(v, len(position)) for v in out["category"]],
                     _answer=[answer_order.index(a) if a in answer_order else len(answer_order) for a in out["answer"]])
    out = out.sort_values(["_category", "_answer"], kind="stable").drop(columns=["_category", "_answer"])
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
    """Holm-adjusted p-values (family-wise error; Holm 1979), by statsmodels' ``multipletests``.

    The package's one Holm adjustment. A NaN p-value (a test that could not be run) is kept as
    NaN and does not count in the family; statsmodels alone would count it and return NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out
