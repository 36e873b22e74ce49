"""The two strands of evidence for a joint display, each as a tidy table.

Survey strand: the indicators named in the mapping, estimated with the survey engine
(``workbench.survey.preparation``: raking to the population margins, linearised variance,
domains). An item indicator is the share of substantive answers in the upper half of the
item's codes (the ``share`` rule of ``workbench.survey.indicators``), also for items of attitude
batteries, which that module summarises only as an index; a battery indicator is
the share with a favourable index. ``favourable`` turns every indicator into "share of the
public on the side of reintegration": the estimate for ``openness`` readings, one minus it
(interval flipped) for ``concern`` readings.

Qualitative strand: who raised the codes of each mapping row, counted as people (cases), not
segments: key informants (documents of the key-informant type) overall, by target group and
by sex, experts, and focus groups (documents; the participants of those groups are the people
the count rests on). Built on ``workbench.qualitative.analysis.segment_participants``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.mixed.mapping import IndicatorRef, JointDisplayMapping, _as_text
from workbench.qualitative.analysis import participants, segment_participants
from workbench.qualitative.corpus import Corpus
from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.indicator_estimates import estimate_indicators
from workbench.survey.instrument import positive_codes
from workbench.survey.preparation import PreparedSurvey, prepare_survey

RAISED_COLUMNS = ["row_id", "source", "attribute", "category", "n", "base", "people"]


# ---- survey strand ---------------------------------------------------------------------------
def with_item_indicators(data: pd.DataFrame, dictionary: DataDictionary, refs: list[IndicatorRef]) -> pd.DataFrame:
    """Copy of the survey with one 0/1 column ``item__<variable>`` per item indicator (1 = answer
    in the upper half of the item's codes, NaN for a declared missing code or a blank)."""
    out = data.copy()
    for ref in refs:
        if ref.variable is None or ref.key in out.columns:
            continue
        codes = positive_codes(dictionary, ref.variable)
        values = pd.to_numeric(out[ref.variable], errors="coerce").astype(float)
        values = values.mask(out[ref.variable].isin(list(dictionary.variables[ref.variable].missing_codes)))
        out[ref.key] = values.isin(codes).astype(float).where(values.notna())
    return out


def indicator_table(refs: list[IndicatorRef], dictionary: DataDictionary) -> pd.DataFrame:
    """Indicator definitions (the columns ``indicator_estimates.estimate_indicators`` needs) of ``refs``."""
    rows = []
    for ref in refs:
        battery = ref.battery or dictionary.variables[ref.variable].battery
        spec = dictionary.batteries.get(battery) or {}
        rows.append({"indicator": ref.key, "statistic": "share" if ref.variable else "favourable",
                     "battery": battery, "kind": spec.get("kind"), "group": spec.get("group"),
                     "variable": ref.variable, "reading": ref.reading})
    return pd.DataFrame(rows, columns=["indicator", "statistic", "battery", "kind", "group", "variable", "reading"])


def prepare_mapped_survey(data: pd.DataFrame, dictionary: DataDictionary, mapping: JointDisplayMapping,
                          margins: pd.DataFrame | None = None, margins_dictionary: DataDictionary | None = None,
                          *, min_respondents: int = 20) -> PreparedSurvey:
    """The survey prepared as ``preparation.prepare_survey`` does, with the mapping's item
    indicators added as columns of the analysis frame (so design, raking and domains apply)."""
    extended = with_item_indicators(data, dictionary, mapping.indicators())
    return prepare_survey(extended, dictionary, margins, margins_dictionary, min_respondents=min_respondents)


def survey_evidence(design: SurveyDesign, indicators: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Design-based estimates of the mapping's indicators (one row per indicator, per level of
    ``by`` when given): the engine's columns plus ``reading`` and ``favourable``,
    ``favourable_low``, ``favourable_high`` (share on the side of reintegration, 0-1)."""
    if indicators.empty:
        return pd.DataFrame(columns=[*indicators.columns, "estimate", "ci_low", "ci_high", "n", "favourable",
                                     "favourable_low", "favourable_high"])
    estimates = estimate_indicators(design, indicators.drop(columns="reading"), by=by)
    readings = dict(zip(indicators["indicator"], indicators["reading"]))
    estimates["reading"] = estimates["indicator"].map(readings)
    concern = (estimates["reading"] == "concern").to_numpy()
    estimates["favourable"] = np.where(concern, 1 - estimates["estimate"], estimates["estimate"])
    estimates["favourable_low"] = np.where(concern, 1 - estimates["ci_high"], estimates["ci_low"])
    estimates["favourable_high"] = np.where(concern, 1 - estimates["ci_low"], estimates["ci_high"])
    return estimates


# ---- qualitative strand ----------------------------------------------------------------------
def _matches(table: pd.DataFrame, selector: dict[str, tuple[str, ...]]) -> pd.Series:
    require_columns(table, list(selector), what="the cases table (attributes named by the mapping)")
    mask = pd.Series(True, index=table.index)
    for attribute, values in selector.items():
        mask &= table[attribute].map(lambda v: _as_text(v) if not pd.isna(v) else "").isin(values)
    return mask


def _people(corpus: Corpus) -> pd.DataFrame:
    """Participants (doc_id, doc_type, case_id and case attributes), staff excluded."""
    table = participants(corpus.documents, corpus.cases, corpus.turns)
    return table[table["case_id"].notna()].copy()


def qualitative_evidence(corpus: Corpus, segments: pd.DataFrame, mapping: JointDisplayMapping) -> pd.DataFrame:
    """Who raised each mapping row's codes (any of them), counted in people.

    One row per mapping row x count: ``source`` (key_informants, experts, focus_groups),
    ``attribute``/``category`` (None for the source overall; the group attribute or sex for key
    informants), ``n`` (people, or focus groups, raising it), ``base`` (people, or focus
    groups, in that count) and ``people`` (the people the count rests on: the base for people,
    the participants of all those focus groups for focus groups). ``segments`` is the coding
    the findings rest on (one coder)."""
    people = _people(corpus)
    links = segment_participants(segments, corpus.documents, corpus.cases, corpus.turns)
    links = links[links["case_id"].notna()]
    types = mapping.sources
    rows: list[dict[str, Any]] = []
    key = people[people["doc_type"] == types["key_informants"]].drop_duplicates("case_id")
    experts = people[people["doc_type"] == types["experts"]].drop_duplicates("case_id")
    groups = people[people["doc_type"] == types["focus_groups"]]
    levels = list(mapping.group_levels) or sorted(key[mapping.group_attribute].dropna().astype(str).unique())
    sexes = sorted(key[mapping.sex_attribute].dropna().astype(str).unique())
    for row in mapping.rows:
        raised = links[links["code_id"].isin(row.codes)]
        raised_cases = set(raised["case_id"])

        def add(source: str, attribute: str | None, level: Any, base_table: pd.DataFrame) -> None:
            n = int(base_table["case_id"].isin(raised_cases).sum())
            rows.append({"row_id": row.id, "source": source, "attribute": attribute, "category": level, "n": n,
                         "base": len(base_table), "people": len(base_table)})

        add("key_informants", None, None, key)
        for level in levels:
            add("key_informants", mapping.group_attribute, level, key[key[mapping.group_attribute].astype(str) == level])
        for sex in sexes:
            add("key_informants", mapping.sex_attribute, sex, key[key[mapping.sex_attribute].astype(str) == sex])
        add("experts", None, None, experts)
        fg_docs = raised.loc[raised["doc_type"] == types["focus_groups"], "doc_id"].unique()
        rows.append({"row_id": row.id, "source": "focus_groups", "attribute": None, "category": None,
                     "n": int(len(fg_docs)), "base": int(groups["doc_id"].nunique()),
                     "people": int(groups["case_id"].nunique())})
    return pd.DataFrame(rows, columns=RAISED_COLUMNS)


def selected_raising(corpus: Corpus, segments: pd.DataFrame, mapping: JointDisplayMapping,
                     selector: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """For the key informants matching ``selector`` (case attributes -> values), how many
    raised each mapping row: ``row_id``, ``n``, ``base``, ``share`` (n / base, NaN when empty)."""
    people = _people(corpus)
    key = people[people["doc_type"] == mapping.sources["key_informants"]].drop_duplicates("case_id")
    chosen = key[_matches(key, selector)]
    links = segment_participants(segments, corpus.documents, corpus.cases, corpus.turns)
    rows = []
    for row in mapping.rows:
        raised = set(links.loc[links["code_id"].isin(row.codes), "case_id"].dropna())
        n = int(chosen["case_id"].isin(raised).sum())
        rows.append({"row_id": row.id, "n": n, "base": len(chosen), "share": n / len(chosen) if len(chosen) else np.nan})
    return pd.DataFrame(rows, columns=["row_id", "n", "base", "share"])


def row_reliability(reliability: pd.DataFrame, mapping: JointDisplayMapping) -> pd.DataFrame:
    """Per mapping row the weakest Krippendorff's alpha of its codes (a row is only as reliable
    as its least reliable code): ``row_id``, ``alpha`` (NaN when no code was compared),
    ``weakest_code``, ``n_documents`` (double-coded documents)."""
    by_code = reliability.set_index("code_id") if len(reliability) else pd.DataFrame(columns=["alpha", "n_documents"])
    rows = []
    for row in mapping.rows:
        known = [c for c in row.codes if c in by_code.index and pd.notna(by_code.loc[c, "alpha"])]
        if known:
            weakest = min(known, key=lambda c: float(by_code.loc[c, "alpha"]))
            rows.append({"row_id": row.id, "alpha": float(by_code.loc[weakest, "alpha"]), "weakest_code": weakest,
                         "n_documents": int(by_code.loc[weakest, "n_documents"])})
        else:
            rows.append({"row_id": row.id, "alpha": np.nan, "weakest_code": None, "n_documents": 0})
    return pd.DataFrame(rows, columns=["row_id", "alpha", "weakest_code", "n_documents"])


def row_segments(segments: pd.DataFrame, mapping: JointDisplayMapping) -> pd.DataFrame:
    """Segments of the mapping's codes with ``code_id`` replaced by the row id (a segment of a
    code used in two rows appears twice), e.g. to draw quotes per row with ``quote_bank``."""
    parts = []
    for row in mapping.rows:
        part = segments[segments["code_id"].isin(row.codes)].copy()
        part["code_id"] = row.id
        part["segment_id"] = part["segment_id"].astype(str) + "@" + row.id
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else segments.iloc[0:0].copy()
