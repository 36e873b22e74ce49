"""Scoring risk assessments with an instrument definition, as a scikit-learn transformer.

``RiskInstrument`` follows scikit-learn conventions (parameters stored unchanged in
``__init__``, ``fit`` returns ``self``, fitted state in attributes ending in ``_``) so that it
can sit in a ``Pipeline`` in front of a model: ``transform`` gives the numeric domain scores
and total, ``predict`` the level and ``score_table`` the full tidy result (domain scores,
total, level by cut-off, level after rules and overrides, which rule decided, and why an
assessment cannot be scored). Scoring is written here, vectorised with numpy, because no
library scores structured instruments; the arithmetic is:

* an item contributes ``weight x answer`` points; items of a protective domain subtract;
* missing answers (blank or a declared missing code) are allowed up to
  ``max_missing_share`` of a domain's applicable items; the domain score is then prorated,
  ``observed points x max applicable points / max answered points``; more missing makes
  the assessment "cannot score" with the reason;
* the level is the highest level whose cut-off the total reaches; a structured-judgement
  rule can raise it (never lower it); an override replaces it and needs a reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from workbench.errors import WorkbenchError
from workbench.risk.definition import InstrumentDefinition, load_instrument

#: columns an assessment table may carry besides the items (bookkeeping, not answers)
CONTEXT_COLUMNS = ("client_id", "assessment_id", "assessment_date", "assessment_type", "assessor_id",
                   "rater", "office_id", "officer_id", "notes")


def _blank(series: pd.Series) -> np.ndarray:
    """True where a cell is empty (NaN/None or only spaces)."""
    text = series.astype("string")
    return (series.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)


class RiskInstrument(TransformerMixin, BaseEstimator):
    """Score assessments (one row each, one column per item) with an instrument definition.

    Parameters
    ----------
    definition: name of a definition in ``data_schemas/``, a YAML path, or a parsed dict.
    id_column: column naming each assessment in error messages (optional in the data).
    extra_columns: further non-item columns the table may carry; any other column that is
        not an item of the instrument is reported as an unknown item.
    """

    def __init__(self, definition: str | Path | dict[str, Any] = "risk_instrument_demo",
                 id_column: str = "assessment_id", extra_columns: Sequence[str] = ()) -> None:
        self.definition = definition
        self.id_column = id_column
        self.extra_columns = extra_columns

    # ---- scikit-learn interface --------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None) -> "RiskInstrument":
        """Load the definition and check that ``X`` has the instrument's columns (nothing is
        learned from data: an instrument's weights and cut-offs are fixed)."""
        self.definition_: InstrumentDefinition = load_instrument(self.definition)
        self._check_columns(X)
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Numeric scores: one column per domain (``score_<domain>``) and ``total``, in
        points; NaN where the assessment cannot be scored."""
        table = self.score_table(X)
        return table[self.get_feature_names_out()].astype(float)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Final level of each assessment (after rules and overrides); None if not scored."""
        return self.score_table(X)["risk_level"].to_numpy(dtype=object)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Total score in points (higher = more risk), for ROC analysis."""
        return self.score_table(X)["total"].to_numpy(dtype=float)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the columns ``transform`` returns."""
        check_is_fitted(self, "definition_")
        return np.asarray([f"score_{d}" for d in self.definition_.domains] + ["total"], dtype=object)

    # ---- scoring -----------------------------------------------------------------------
    def score_table(self, X: pd.DataFrame) -> pd.DataFrame:
        """Full scoring result, one row per assessment in the order of ``X``.

        Columns: the id column (when present), ``score_<domain>`` (points, prorated),
        ``total``, ``n_missing`` (applicable items without an answer), ``prorated``,
        ``status`` ("scored" / "cannot_score"), ``reason``, ``level_by_score`` (cut-offs
        only), ``risk_level`` (final), ``decided_by`` ("cut_off", "rule:<name>", "override",
        "cannot_score"), ``override_reason``.
        """
        check_is_fitted(self, "definition_")
        inst = self.definition_
        self._check_columns(X)
        ids = X[self.id_column].to_numpy() if self.id_column in X.columns else None
        answers, applicable = self._answers(X, ids)
        items = inst.items
        sign = np.array([-1.0 if inst.is_protective(i.domain) else 1.0 for i in items])
        weight = np.array([i.weight for i in items])
        max_points = np.array([i.max_points for i in items])
        answered = applicable & ~np.isnan(answers)
        points = np.where(answered, answers * weight * sign, 0.0)

        n = len(X)
        out = pd.DataFrame(index=X.index)
        if ids is not None:
            out[self.id_column] = ids
        reasons: list[list[str]] = [[] for _ in range(n)]
        prorated = np.zeros(n, dtype=bool)
        domain_scores = {}
        for domain in inst.domains:
            cols = np.array([i.domain == domain for i in items])
            n_applicable = applicable[:, cols].sum(axis=1)
            n_missing = n_applicable - answered[:, cols].sum(axis=1)
            if domain in inst.domain_max_missing:
                allowed = np.full(n, inst.domain_max_missing[domain])
            else:
                allowed = np.floor(inst.max_missing_share * n_applicable + 1e-9).astype(int)
            max_applicable = (applicable[:, cols] * max_points[cols]).sum(axis=1)
            max_answered = (answered[:, cols] * max_points[cols]).sum(axis=1)
            observed = points[:, cols].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(max_answered > 0, max_applicable / max_answered, np.nan)
            score = np.where(n_missing == 0, observed, observed * factor)
            too_many = n_missing > allowed
            score[too_many] = np.nan
            prorated |= (n_missing > 0) & ~too_many
            for row in np.flatnonzero(too_many):
                reasons[row].append(f"domain '{domain}': {n_missing[row]} of {n_applicable[row]} items missing, "
                                    f"at most {allowed[row]} allowed")
            domain_scores[f"score_{domain}"] = score
        for column, score in domain_scores.items():
            out[column] = score
        total = np.sum(np.column_stack(list(domain_scores.values())), axis=1)
        cannot = np.isnan(total)
        out["total"] = total
        out["n_missing"] = (applicable & ~answered).sum(axis=1)
        out["prorated"] = prorated & ~cannot
        out["status"] = np.where(cannot, "cannot_score", "scored")
        out["reason"] = ["; ".join(r) for r in reasons]

        rank_by_score = np.zeros(n, dtype=int)
        for rank, level in enumerate(inst.levels[1:], start=1):
            rank_by_score[total >= inst.cutoffs[level]] = rank
        final_rank = rank_by_score.copy()
        decided = np.array(["cut_off"] * n, dtype=object)
        name_index = {name: k for k, name in enumerate(inst.item_names)}
        for rule in inst.rules:
            fires = np.ones(n, dtype=bool)
            for item, minimum in rule.when.items():
                column = answers[:, name_index[item]]
                fires &= answered[:, name_index[item]] & (np.nan_to_num(column, nan=-np.inf) >= minimum)
            raises = fires & (inst.level_rank(rule.minimum_level) > final_rank)
            final_rank[raises] = inst.level_rank(rule.minimum_level)
            decided[raises] = f"rule:{rule.name}"
        levels = np.array(inst.levels, dtype=object)
        out["level_by_score"] = np.where(cannot, None, levels[rank_by_score])
        level = np.where(cannot, None, levels[final_rank])
        decided[cannot] = "cannot_score"

        override, reason = self._overrides(X, ids)
        has_override = override != None  # noqa: E711 - elementwise on an object array
        level[has_override] = override[has_override]
        decided[has_override] = "override"
        out["risk_level"] = level
        out["decided_by"] = decided
        out["override_reason"] = reason
        return out

    # ---- input checks ------------------------------------------------------------------
    def _check_columns(self, X: pd.DataFrame) -> None:
        """Every item has a column; every other column is a known non-item column."""
        if not isinstance(X, pd.DataFrame):
            raise WorkbenchError("assessments must be a table (pandas DataFrame) with one column per item",
                                 value=type(X).__name__)
        inst = getattr(self, "definition_", None) or load_instrument(self.definition)
        allowed = set(CONTEXT_COLUMNS) | set(self.extra_columns) | {self.id_column}
        allowed |= set(inst.condition_columns) | {inst.override_level_column, inst.override_reason_column}
        items = set(inst.item_names)
        for column in X.columns:
            if column not in items and column not in allowed:
                raise WorkbenchError(f"unknown item {column!r}: the instrument {inst.name!r} has no such item",
                                     column=str(column), expected=f"one of {inst.item_names} "
                                     "(or declare the column in extra_columns)")
        for name in inst.item_names + inst.condition_columns:
            if name not in X.columns:
                raise WorkbenchError(f"the assessments have no column {name!r} that the instrument "
                                     f"{inst.name!r} needs", column=name, expected="one column per item")

    def _answers(self, X: pd.DataFrame, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Answer matrix (NaN = missing) and applicability mask; bad answers raise."""
        inst = self.definition_
        n = len(X)
        answers = np.full((n, len(inst.items)), np.nan)
        applicable = np.ones((n, len(inst.items)), dtype=bool)
        missing_codes = {float(c) for c in inst.missing_codes}
        for k, item in enumerate(inst.items):
            for column, allowed in item.applies_if.items():
                applicable[:, k] &= X[column].isin(allowed).to_numpy()
            raw = X[item.name]
            blank = _blank(raw)
            values = pd.to_numeric(raw.where(~pd.Series(blank, index=raw.index)), errors="coerce").to_numpy(float)
            is_missing_code = np.isin(values, list(missing_codes)) if missing_codes else np.zeros(n, dtype=bool)
            valid = np.isin(values, np.asarray(item.values, dtype=float))
            bad = ~blank & ~is_missing_code & ~valid
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise WorkbenchError(
                    f"answer outside the scale of item {item.name!r} ({int(bad.sum())} such answers)",
                    row=row + 1, record_id=None if ids is None else ids[row], column=item.name,
                    value=raw.iloc[row], expected=f"one of {list(item.values)} or a missing code "
                    f"{list(inst.missing_codes)} or blank")
            given = ~blank & ~is_missing_code
            wrong_client = given & ~applicable[:, k]
            if wrong_client.any():
                row = int(np.flatnonzero(wrong_client)[0])
                condition = ", ".join(f"{c} in {list(v)}" for c, v in item.applies_if.items())
                raise WorkbenchError(f"item {item.name!r} is answered for a client it does not apply to",
                                     row=row + 1, record_id=None if ids is None else ids[row], column=item.name,
                                     value=raw.iloc[row], expected=f"blank unless {condition}")
            answers[:, k] = np.where(given, values, np.nan)
        return answers, applicable

    def _overrides(self, X: pd.DataFrame, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Override levels (None where none) and reasons; an override without reason raises."""
        inst = self.definition_
        n = len(X)
        level = np.full(n, None, dtype=object)
        reason = np.full(n, None, dtype=object)
        if inst.override_level_column not in X.columns:
            return level, reason
        raw_level = X[inst.override_level_column]
        given = ~_blank(raw_level)
        raw_reason = X[inst.override_reason_column] if inst.override_reason_column in X.columns else \
            pd.Series([None] * n, index=X.index)
        no_reason = _blank(raw_reason)
        for row in np.flatnonzero(given):
            value = str(raw_level.iloc[row]).strip()
            where = dict(row=int(row) + 1, record_id=None if ids is None else ids[row])
            if value not in inst.levels:
                raise WorkbenchError("unknown override level", column=inst.override_level_column, value=value,
                                     expected=f"one of {list(inst.levels)} or blank", **where)
            if no_reason[row]:
                raise WorkbenchError("an override needs a reason", column=inst.override_reason_column,
                                     expected="the assessor's reason for overriding the scored level", **where)
            level[row] = value
            reason[row] = str(raw_reason.iloc[row]).strip()
        return level, reason


def score_assessments(assessments: pd.DataFrame, definition: str | Path | dict[str, Any] = "risk_instrument_demo",
                      id_column: str = "assessment_id", keep: Sequence[str] = ()) -> pd.DataFrame:
    """Score a table of assessments; ``keep`` columns of the input are carried into the result
    (e.g. client id and date)."""
    instrument = RiskInstrument(definition, id_column=id_column).fit(assessments)
    table = instrument.score_table(assessments)
    for column in reversed([c for c in keep if c != id_column]):
        table.insert(1 if id_column in table.columns else 0, column, assessments[column].to_numpy())
    return table.reset_index(drop=True)


def answers_from_long(long: pd.DataFrame, id_column: str, item_column: str, answer_column: str,
                      definition: str | Path | dict[str, Any] = "risk_instrument_demo") -> pd.DataFrame:
    """Turn long answers (one row per assessment and item) into the wide table the instrument
    scores; an item the instrument does not know raises, naming the row."""
    inst = load_instrument(definition)
    known = set(inst.item_names)
    unknown = ~long[item_column].isin(known).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise WorkbenchError(f"unknown item: the instrument {inst.name!r} has no such item", row=row + 1,
                             record_id=long[id_column].iloc[row], column=item_column,
                             value=long[item_column].iloc[row], expected=f"one of {inst.item_names}")
    duplicated = long.duplicated([id_column, item_column]).to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise WorkbenchError("the same item is answered twice in one assessment", row=row + 1,
                             record_id=long[id_column].iloc[row], column=item_column,
                             value=long[item_column].iloc[row])
    wide = long.pivot(index=id_column, columns=item_column, values=answer_column)
    wide = wide.reindex(columns=inst.item_names).reset_index()
    wide.columns.name = None
    return wide
