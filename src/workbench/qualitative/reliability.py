"""Intercoder reliability of coded corpora: unitising, then the coefficients per code.

The coefficients themselves (percent agreement, Cohen's and Fleiss' kappa, Krippendorff's
alpha, with their intervals) live in ``workbench.agreement``; this module only turns coded
segments into the coders x units data they need:

- ``text_units`` cuts documents into comparison units (document, paragraph, sentence or
  speaker turn);
- ``presence`` / ``presence_data`` give 0/1 code presence per coder and unit (see
  ``presence`` for the unitising);
- ``code_reliability`` gives one row per code (and a pooled "ALL" row),
  ``pairwise_cohen_kappa`` one row per code and coder pair, ``coder_disagreements`` lists
  the units where coders differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from workbench.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement
from workbench.columns import require_columns
from workbench.errors import WorkbenchError

UnitKind = Literal["document", "paragraph", "sentence", "turn"]
UNIT_KINDS: tuple[str, ...] = ("document", "paragraph", "sentence", "turn")


# ---------------------------------------------------------------------------------------
# Corpus level: units, per-code reliability, disagreements
# ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\r\n\s*\r\n")


def _split_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans (start, end exclusive, in code points) between separators, blanks dropped."""
    spans, start = [], 0
    for match in pattern.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def text_units(
    documents: pd.DataFrame, unit: UnitKind = "sentence", turns: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Split documents into comparison units: doc_id, unit_id, start, end (end exclusive).

    "document" = whole text; "paragraph" = text between blank lines; "sentence" = text
    after ., !, ?, … plus whitespace, or a line break; "turn" = the speaker turns of
    ``turns`` (documents without turns fall back to paragraphs).
    """
    if unit not in UNIT_KINDS:
        raise WorkbenchError("unknown comparison unit", value=unit, expected=" | ".join(UNIT_KINDS))
    rows: list[tuple[str, str, int, int]] = []
    turn_docs: set[str] = set()
    if unit == "turn":
        if turns is None or turns.empty:
            raise WorkbenchError("unit='turn' needs the turns table", column="turns", expected="speaker turns")
        for turn in turns.itertuples(index=False):
            rows.append((str(turn.doc_id), str(turn.turn_id), int(turn.start), int(turn.end)))
        turn_docs = set(turns["doc_id"].astype(str))
    for doc in documents.itertuples(index=False):
        doc_id, text = str(doc.doc_id), str(doc.text)
        if doc_id in turn_docs:
            continue
        if unit == "document":
            spans = [(0, len(text))]
        elif unit == "sentence":
            spans = _split_spans(text, _SENTENCE_END)
        else:
            spans = _split_spans(text, _PARAGRAPH_BREAK)
        rows.extend((doc_id, f"{doc_id}:{i + 1}", s, e) for i, (s, e) in enumerate(spans))
    return pd.DataFrame(rows, columns=["doc_id", "unit_id", "start", "end"])


def _accepted(segments: pd.DataFrame) -> pd.DataFrame:
    require_columns(segments, ["doc_id", "start", "end", "code_id", "coder"], what="the segments table")
    if "status" in segments.columns:
        segments = segments[segments["status"].fillna("accepted") == "accepted"]
    segments = segments.copy()
    segments["doc_id"] = segments["doc_id"].astype(str)
    return segments


@dataclass(frozen=True)
class Presence:
    """Code presence on comparison units: ``values[coder, unit, code]`` is 1/0, NaN when the
    coder did not code the unit's document. ``units`` has doc_id, unit_id, start, end."""

    units: pd.DataFrame
    coders: list[Any]
    codes: list[Any]
    values: np.ndarray


def presence(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: Sequence[Any] | None = None,
) -> Presence:
    """Code presence per coder on the comparison units of double-coded documents.

    Unitising: a document counts as coded by a coder when the coder has at least one
    accepted segment in it; documents coded by two or more coders are compared. Each
    document is cut into units (see :func:`text_units`); a coder "applied" a code to a unit
    when one of the coder's segments with that code overlaps the unit by at least one
    character. Every code is compared on every unit of every double-coded document, so
    agreement that a code is absent counts too.
    """
    accepted = _accepted(segments)
    coders_per_doc = accepted.groupby("doc_id")["coder"].unique()
    double = coders_per_doc[coders_per_doc.map(len) >= 2]
    code_list = list(codes) if codes is not None else sorted(accepted["code_id"].unique().tolist(), key=str)
    coder_list = sorted({c for doc_coders in double for c in doc_coders}, key=str)
    empty_units = pd.DataFrame(columns=["doc_id", "unit_id", "start", "end"])
    if double.empty or not code_list:
        return Presence(empty_units, coder_list, code_list, np.empty((len(coder_list), 0, len(code_list))))
    docs = documents[documents["doc_id"].astype(str).isin(double.index)].copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    units = text_units(docs, unit, turns)
    units = units[units["doc_id"].isin(double.index)].sort_values(["doc_id", "start"], kind="stable")
    units = units.reset_index(drop=True)
    code_position = {code_id: i for i, code_id in enumerate(code_list)}
    coder_position = {coder: i for i, coder in enumerate(coder_list)}
    values = np.full((len(coder_list), len(units), len(code_list)), np.nan)
    relevant = accepted[accepted["code_id"].isin(code_position)]
    for doc_id, rows in units.groupby("doc_id", sort=False).indices.items():
        starts, ends = units["start"].to_numpy()[rows], units["end"].to_numpy()[rows]
        doc_segments = relevant[relevant["doc_id"] == doc_id]
        for coder in double[doc_id]:
            present = np.zeros((len(rows), len(code_list)))
            mine = doc_segments[doc_segments["coder"] == coder]
            if len(mine):
                overlap = (mine["start"].to_numpy()[None, :] < ends[:, None]) & (
                    mine["end"].to_numpy()[None, :] > starts[:, None]
                )
                column_of = mine["code_id"].map(code_position).to_numpy()
                for j in np.unique(column_of):
                    present[:, j] = overlap[:, column_of == j].any(axis=1)
            values[coder_position[coder], rows, :] = present
    return Presence(units, coder_list, code_list, values)


def presence_data(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Tidy form of :func:`presence`: doc_id, unit_id, start, end, code_id, coder, present (0/1)."""
    data = presence(segments, documents, unit=unit, turns=turns, codes=codes)
    columns = ["doc_id", "unit_id", "start", "end", "code_id", "coder", "present"]
    coder_idx, unit_idx, code_idx = np.nonzero(~np.isnan(data.values))
    if coder_idx.size == 0:
        return pd.DataFrame(columns=columns)
    table = data.units.iloc[unit_idx].reset_index(drop=True)
    table["code_id"] = np.asarray(data.codes, dtype=object)[code_idx]
    table["coder"] = np.asarray(data.coders, dtype=object)[coder_idx]
    table["present"] = data.values[coder_idx, unit_idx, code_idx].astype(int)
    return table.sort_values(["doc_id", "start", "coder"], kind="stable", ignore_index=True)[columns]


def _coefficients(matrix: np.ndarray, level: float, n_boot: int, generator: np.random.Generator) -> dict[str, float]:
    """All coefficients for one coders x units 0/1 matrix (rows of absent coders dropped)."""
    matrix = matrix[~np.isnan(matrix).all(axis=1)]
    nan = float("nan")
    row: dict[str, float] = {"n_coders": matrix.shape[0], "percent_agreement": percent_agreement(matrix)}
    kappa = pd.Series({"estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan})
    if matrix.shape[0] == 2 and not np.isnan(matrix).any():
        kappa = cohen_kappa(matrix, value_order=[0.0, 1.0], level=level)
    row.update(cohen_kappa=kappa.estimate, cohen_se=kappa.se, cohen_ci_low=kappa.ci_low, cohen_ci_high=kappa.ci_high)
    try:
        row["fleiss_kappa"] = fleiss_kappa(matrix).estimate
    except WorkbenchError:
        row["fleiss_kappa"] = nan
    alpha = krippendorff_alpha(matrix, "nominal", n_boot=n_boot, level=level, seed=generator)
    row.update(alpha=alpha.estimate, alpha_se=alpha.se, alpha_ci_low=alpha.ci_low, alpha_ci_high=alpha.ci_high)
    return row


def code_reliability(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Reliability of each code on double-coded documents, one row per code.

    Data are code presence (0/1, nominal) per comparison unit (see :func:`presence`).
    Columns: code_id, code_name, unit, n_documents, n_units, n_coders, percent_agreement
    (0..1), cohen_kappa with se and Wald interval (only when exactly two coders coded all
    compared documents, else NaN), fleiss_kappa (NaN when units have unequal numbers of
    coders), alpha with bootstrap se and interval. The last row, code_id "ALL", pools
    every code's units.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    if data.values.shape[1] == 0:
        return pd.DataFrame(columns=_RELIABILITY_COLUMNS)
    names = dict(zip(codes["code_id"], codes["name"])) if codes is not None and "name" in codes else {}
    generator = np.random.default_rng(seed)  # one stream for every code, in code order
    n_documents = data.units["doc_id"].nunique()
    n_coders, n_units, n_codes = data.values.shape
    rows = []
    for j, code_id in enumerate(data.codes):
        row = {"code_id": code_id, "code_name": names.get(code_id), "unit": unit, "n_documents": n_documents, "n_units": n_units}
        row.update(_coefficients(data.values[:, :, j], level, n_boot, generator))
        rows.append(row)
    pooled = {"code_id": "ALL", "code_name": "all codes", "unit": unit, "n_documents": n_documents, "n_units": n_units * n_codes}
    pooled.update(_coefficients(data.values.reshape(n_coders, n_units * n_codes), level, n_boot, generator))
    rows.append(pooled)
    return pd.DataFrame(rows, columns=_RELIABILITY_COLUMNS)


_RELIABILITY_COLUMNS = [
    "code_id", "code_name", "unit", "n_documents", "n_units", "n_coders", "percent_agreement",
    "cohen_kappa", "cohen_se", "cohen_ci_low", "cohen_ci_high", "fleiss_kappa",
    "alpha", "alpha_se", "alpha_ci_low", "alpha_ci_high",
]


def pairwise_cohen_kappa(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Cohen's kappa per code and per pair of coders, on the units both coders coded.

    One row per code x coder pair: code_id, coder_a, coder_b, n_units, percent_agreement,
    kappa, se, ci_low, ci_high. Useful when more than two coders share the work.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    columns = ["code_id", "coder_a", "coder_b", "n_units", "percent_agreement", "kappa", "se", "ci_low", "ci_high"]
    rows = []
    for j, code_id in enumerate(data.codes):
        for a, b in combinations(range(len(data.coders)), 2):
            pair = data.values[[a, b], :, j]
            pair = pair[:, ~np.isnan(pair).any(axis=0)]
            if pair.shape[1] == 0:
                continue
            result = cohen_kappa(pair, value_order=[0.0, 1.0], level=level)
            rows.append(
                (code_id, data.coders[a], data.coders[b], pair.shape[1], percent_agreement(pair),
                 result.estimate, result.se, result.ci_low, result.ci_high)
            )
    return pd.DataFrame(rows, columns=columns)


def coder_disagreements(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "sentence",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    excerpt_chars: int = 160,
) -> pd.DataFrame:
    """Where coders disagree: one row per unit x code on which coders differ.

    Columns: doc_id, unit_id, start, end, code_id, applied_by, not_applied_by (coder
    names joined by ", "), excerpt (the unit's text, cut to ``excerpt_chars``). Sorted by
    document and position, for a coders' reconciliation meeting.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    columns = ["doc_id", "unit_id", "start", "end", "code_id", "applied_by", "not_applied_by", "excerpt"]
    applied = np.nansum(data.values, axis=0)
    coded = (~np.isnan(data.values)).sum(axis=0)
    unit_idx, code_idx = np.nonzero((applied > 0) & (applied < coded))
    if unit_idx.size == 0:
        return pd.DataFrame(columns=columns)
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    rows = []
    for u, j in zip(unit_idx, code_idx):
        unit_row = data.units.iloc[u]
        column = data.values[:, u, j]
        yes = [str(c) for c, v in zip(data.coders, column) if v == 1]
        no = [str(c) for c, v in zip(data.coders, column) if v == 0]
        text = texts[unit_row["doc_id"]][int(unit_row["start"]) : int(unit_row["end"])].strip()
        if len(text) > excerpt_chars:
            text = text[: excerpt_chars - 1].rstrip() + "…"
        rows.append(
            (unit_row["doc_id"], unit_row["unit_id"], int(unit_row["start"]), int(unit_row["end"]),
             data.codes[j], ", ".join(sorted(yes)), ", ".join(sorted(no)), text)
        )
    return pd.DataFrame(rows, columns=columns)
