"""Code frequencies, code x attribute matrices and code co-occurrence for a coded corpus.

All functions take the corpus tables (``documents``, ``cases``, ``turns``, ``codes``,
``segments``; see the corpus contract) and return tidy DataFrames. Only segments with
status "accepted" are analysed.

Who said it: a segment in a document that has a ``case_id`` (individual and expert
interviews) belongs to that case. A segment in a document without a ``case_id`` (focus
groups) belongs to every participant whose speaker turn it overlaps by at least one
character; a segment that overlaps no turn belongs to the document only. A segment that
spans the turns of two participants from different groups therefore counts once in each
group (a group total is then not the sum of the segments overall).

Written here rather than taken from a library: no Python package works on this
corpus model; the operations are short pandas joins and interval overlaps.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

CooccurrenceUnit = Literal["overlap", "turn", "document"]
STAFF_ROLES: tuple[str, ...] = ("interviewer", "moderator")


# ---------------------------------------------------------------------------------------
# Shared helpers (also used by framework, quotes, saturation and stakeholders)
# ---------------------------------------------------------------------------------------


def accepted_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """Copy of the segments with status "accepted" (a missing status counts as accepted)."""
    require_columns(segments, ["segment_id", "doc_id", "start", "end", "code_id"], what="the segments table")
    if "status" in segments.columns:
        status = segments["status"].fillna("accepted").astype(str)
        segments = segments[status == "accepted"]
    result = segments.copy()
    result["doc_id"] = result["doc_id"].astype(str)
    return result.reset_index(drop=True)


def code_ancestors(codes: pd.DataFrame) -> dict[Any, list[Any]]:
    """For each code_id its path from the top-level code down to itself."""
    require_columns(codes, ["code_id", "parent_id"], what="the codes table")
    parents = {
        row.code_id: (None if pd.isna(row.parent_id) else row.parent_id)
        for row in codes.itertuples(index=False)
    }
    paths: dict[Any, list[Any]] = {}
    for code_id in parents:
        path, current, seen = [], code_id, set()
        while current is not None:
            if current in seen:
                raise WorkbenchError(
                    "the code hierarchy has a cycle", record_id=code_id, column="parent_id",
                    expected="each code's parents to end at a top-level code",
                )
            seen.add(current)
            path.append(current)
            current = parents.get(current)
        paths[code_id] = path[::-1]
    return paths


def rollup_codes(segments: pd.DataFrame, codes: pd.DataFrame, depth: int = 1) -> pd.DataFrame:
    """Replace each segment's code by its ancestor at ``depth`` (1 = top-level theme).

    Codes higher than ``depth`` keep their own id. The original code is kept in
    ``original_code_id``. Used to count themes including their sub-codes.
    """
    if depth < 1:
        raise WorkbenchError("depth must be 1 or more", value=depth, expected="1 = top level")
    paths = code_ancestors(codes)
    result = segments.copy()
    result["original_code_id"] = result["code_id"]
    result["code_id"] = [
        paths[c][min(depth, len(paths[c])) - 1] if c in paths else c for c in result["code_id"]
    ]
    return result


def participants(
    documents: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per document x participant, with document, case and speaker attributes.

    Columns: doc_id, doc_name, doc_type, case_id (NA when unknown), speaker (NA for
    interviews), then every other attribute. Case attributes take precedence over speaker
    attributes of the same name. A document without case and turns gets one row with no
    participant. Turns whose ``role`` is "interviewer" or "moderator" are not participants.
    """
    require_columns(documents, ["doc_id"], what="the documents table")
    docs = documents.drop(columns=[c for c in ("text",) if c in documents.columns]).copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    docs = docs.rename(columns={"name": "doc_name"})
    if "case_id" not in docs.columns:
        docs["case_id"] = pd.NA
    rows = []
    turn_docs: set[str] = set()
    if turns is not None and not turns.empty:
        require_columns(turns, ["doc_id", "speaker", "start", "end"], what="the turns table")
        speaker_columns = [c for c in turns.columns if c not in ("doc_id", "turn_id", "start", "end")]
        speakers = turns.copy()
        speakers["doc_id"] = speakers["doc_id"].astype(str)
        if "role" in speakers.columns:  # interviewers and moderators are not participants
            speakers = speakers[~speakers["role"].isin(STAFF_ROLES)]
        speakers = speakers[["doc_id", *speaker_columns]].drop_duplicates(["doc_id", "speaker"])
        no_case_docs = set(docs.loc[docs["case_id"].isna(), "doc_id"])
        speakers = speakers[speakers["doc_id"].isin(no_case_docs)]
        turn_docs = set(speakers["doc_id"])
        if "case_id" not in speakers.columns:
            speakers["case_id"] = pd.NA
        rows.append(speakers.merge(docs.drop(columns=["case_id"]), on="doc_id", how="left"))
    interviews = docs[~docs["doc_id"].isin(turn_docs)].copy()
    interviews["speaker"] = pd.NA
    rows.append(interviews)
    table = pd.concat(rows, ignore_index=True)
    if cases is not None and not cases.empty:
        require_columns(cases, ["case_id"], what="the cases table")
        case_table = cases.rename(columns={"name": "case_name"}).copy()
        attributes = [c for c in case_table.columns if c != "case_id"]
        table = table.merge(case_table, on="case_id", how="left", suffixes=("_speaker", ""))
        for column in attributes:
            if f"{column}_speaker" in table.columns:
                table[column] = table[column].combine_first(table.pop(f"{column}_speaker"))
    front = ["doc_id", "doc_name", "doc_type", "case_id", "speaker"]
    front = [c for c in front if c in table.columns]
    return table[front + [c for c in table.columns if c not in front]].reset_index(drop=True)


def segment_participants(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Link each accepted segment to the participant(s) who said it (see module docstring).

    One row per segment x participant: segment_id, code_id, start, end, then the
    participant columns of :func:`participants`.
    """
    accepted = accepted_segments(segments)
    people = participants(documents, cases, turns)
    keep = ["segment_id", "doc_id", "code_id", "start", "end"]
    keep += [c for c in ("coder", "memo") if c in accepted.columns]
    accepted = accepted[keep]
    turn_links = pd.DataFrame(columns=["segment_id", "doc_id", "speaker"])
    if turns is not None and not turns.empty:
        spoken = turns[["doc_id", "speaker", "start", "end"]].copy()
        spoken["doc_id"] = spoken["doc_id"].astype(str)
        pairs = accepted[["segment_id", "doc_id", "start", "end"]].merge(
            spoken, on="doc_id", suffixes=("", "_turn")
        )
        overlap = (pairs["start"] < pairs["end_turn"]) & (pairs["end"] > pairs["start_turn"])
        turn_links = pairs.loc[overlap, ["segment_id", "doc_id", "speaker"]].drop_duplicates()
    speaker_rows = people[people["speaker"].notna()]
    linked = accepted.merge(turn_links, on=["segment_id", "doc_id"], how="inner").merge(
        speaker_rows, on=["doc_id", "speaker"], how="inner"
    )
    unlinked = accepted[~accepted["segment_id"].isin(linked["segment_id"])]
    doc_rows = people[people["speaker"].isna()]
    with_doc_row = unlinked["doc_id"].isin(doc_rows["doc_id"])
    doc_level = unlinked[with_doc_row].merge(doc_rows, on="doc_id", how="left")
    # focus-group segments that overlap no turn belong to the document, no participant
    doc_columns = [c for c in ("doc_name", "doc_type") if c in people.columns]
    doc_info = people.drop_duplicates("doc_id")[["doc_id", *doc_columns]]
    orphans = unlinked[~with_doc_row].merge(doc_info, on="doc_id", how="left")
    orphans["case_id"] = pd.NA
    orphans["speaker"] = pd.NA
    doc_level = pd.concat([doc_level, orphans], ignore_index=True)
    return pd.concat([linked, doc_level], ignore_index=True)


# ---------------------------------------------------------------------------------------
# Frequencies and matrices
# ---------------------------------------------------------------------------------------


def code_frequencies(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    *,
    by: str | None = None,
    rollup_depth: int | None = None,
) -> pd.DataFrame:
    """How often each code occurs: segments, documents and cases, overall or by a group.

    ``by`` names a case, speaker or document attribute (e.g. "respondent_group",
    "sex", "doc_type"); every code x group combination is listed, zeros included.
    ``rollup_depth`` (with ``codes``) counts sub-codes under their ancestor at that depth.
    Columns: [by], code_id, code_name, n_segments, n_documents, n_cases,
    documents_in_group, cases_in_group, pct_documents, pct_cases (per cent of the
    group's documents / cases in which the code occurs; cases are participants with a
    case_id).
    """
    data = segments
    if rollup_depth is not None:
        if codes is None:
            raise WorkbenchError("rollup_depth needs the codes table", expected="codes with parent_id")
        data = rollup_codes(accepted_segments(segments), codes, rollup_depth)
    links = segment_participants(data, documents, cases, turns)
    people = participants(documents, cases, turns)
    keys = [by] if by else []
    if by and by not in people.columns:
        raise WorkbenchError(
            "unknown grouping attribute", column=by,
            expected=f"one of {sorted(c for c in people.columns if c not in ('doc_id', 'speaker'))}",
        )
    code_ids = _code_list(links, codes, rollup_depth)
    groups = people.groupby(keys, dropna=False) if keys else [((), people)]
    rows = []
    for level, members in groups:
        level_value = level[0] if isinstance(level, tuple) and level else level
        in_group = links[_matches(links, by, level_value)] if by else links
        docs_in_group = members["doc_id"].nunique()
        cases_in_group = members["case_id"].dropna().nunique()
        counts = in_group.groupby("code_id").agg(
            n_segments=("segment_id", "nunique"),
            n_documents=("doc_id", "nunique"),
            n_cases=("case_id", "nunique"),
        )
        counts = counts.reindex(code_ids, fill_value=0)
        for code_id, count in counts.iterrows():
            row = {by: level_value} if by else {}
            row.update(
                code_id=code_id,
                n_segments=int(count.n_segments),
                n_documents=int(count.n_documents),
                n_cases=int(count.n_cases),
                documents_in_group=int(docs_in_group),
                cases_in_group=int(cases_in_group),
            )
            rows.append(row)
    result = pd.DataFrame(rows)
    result["pct_documents"] = _percent(result["n_documents"], result["documents_in_group"])
    result["pct_cases"] = _percent(result["n_cases"], result["cases_in_group"])
    result.insert(len(keys) + 1, "code_name", _code_names(result["code_id"], codes))
    return result


def code_attribute_matrix(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    cases: pd.DataFrame,
    attribute: str,
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    *,
    rollup_depth: int | None = None,
) -> pd.DataFrame:
    """Code x attribute matrix in long form: cases with the code and column percentages.

    One row per code x attribute category: code_id, code_name, attribute, category, n_cases,
    cases_in_category, pct_cases (per cent of the category's participating cases whose coded
    text contains the code; columns sum to more than 100 because a case has many codes).
    Pivot ``category`` to columns for the usual matrix layout.
    """
    table = code_frequencies(
        segments, documents, cases, turns, codes, by=attribute, rollup_depth=rollup_depth
    )
    result = pd.DataFrame(
        {
            "code_id": table["code_id"],
            "code_name": table["code_name"],
            "attribute": attribute,
            "category": table[attribute],
            "n_cases": table["n_cases"],
            "cases_in_category": table["cases_in_group"],
            "pct_cases": table["pct_cases"],
        }
    )
    return result.reset_index(drop=True)


def _matches(table: pd.DataFrame, column: str, value: Any) -> pd.Series:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return table[column].isna()
    return table[column] == value


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    values = 100.0 * numerator.astype(float) / denominator.astype(float).where(denominator > 0)
    return values


def _code_list(links: pd.DataFrame, codes: pd.DataFrame | None, rollup_depth: int | None) -> list[Any]:
    if codes is None:
        return sorted(links["code_id"].dropna().unique().tolist(), key=str)
    if rollup_depth is None:
        return codes["code_id"].tolist()
    paths = code_ancestors(codes)
    return [c for c in codes["code_id"] if len(paths[c]) <= rollup_depth]


def _code_names(code_ids: pd.Series, codes: pd.DataFrame | None) -> pd.Series:
    if codes is None or "name" not in codes.columns:
        return pd.Series([None] * len(code_ids), index=code_ids.index, dtype=object)
    return code_ids.map(dict(zip(codes["code_id"], codes["name"])))


# ---------------------------------------------------------------------------------------
# Co-occurrence
# ---------------------------------------------------------------------------------------


def _presence_sets(
    segments: pd.DataFrame,
    unit: CooccurrenceUnit,
    turns: pd.DataFrame | None,
) -> tuple[dict[Any, set[Any]], pd.DataFrame]:
    """For each code the set of units in which it is present; also the overlapping pairs."""
    if unit == "document":
        return {c: set(g["doc_id"]) for c, g in segments.groupby("code_id")}, pd.DataFrame()
    if unit == "turn":
        if turns is None or turns.empty:
            raise WorkbenchError("unit='turn' needs the turns table", column="turns", expected="speaker turns")
        spoken = turns[["doc_id", "turn_id", "start", "end"]].copy()
        spoken["doc_id"] = spoken["doc_id"].astype(str)
        pairs = segments[["doc_id", "code_id", "start", "end"]].merge(spoken, on="doc_id", suffixes=("", "_turn"))
        pairs = pairs[(pairs["start"] < pairs["end_turn"]) & (pairs["end"] > pairs["start_turn"])]
        units = list(zip(pairs["doc_id"], pairs["turn_id"]))
        sets: dict[Any, set[Any]] = {}
        for code_id, key in zip(pairs["code_id"], units):
            sets.setdefault(code_id, set()).add(key)
        return sets, pd.DataFrame()
    # overlap: pairs of segments of different codes sharing at least one character
    left = segments[["segment_id", "doc_id", "code_id", "start", "end"]]
    pairs = left.merge(left, on="doc_id", suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["code_id_a"] != pairs["code_id_b"])
        & (pairs["start_a"] < pairs["end_b"])
        & (pairs["end_a"] > pairs["start_b"])
    ]
    return {c: set(g["segment_id"]) for c, g in segments.groupby("code_id")}, pairs


def code_cooccurrence(
    segments: pd.DataFrame,
    *,
    unit: CooccurrenceUnit = "overlap",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    include_zero: bool = False,
) -> pd.DataFrame:
    """Co-occurrence of each pair of codes with a Jaccard coefficient (0..1).

    - unit="turn": units are speaker turns; a code is present in a turn when one of its
      segments overlaps the turn. n_a, n_b = turns with each code, n_both = turns with
      both, jaccard = n_both / (n_a + n_b - n_both).
    - unit="document": the same with documents as units.
    - unit="overlap": units are the segments of the two codes; a segment "co-occurs" when
      it overlaps (by at least one character) a segment of the other code. n_a, n_b =
      segments of each code, n_both = segments of either code that overlap the other
      code, n_either = n_a + n_b, jaccard = n_both / n_either. Also n_overlapping_pairs.
    One row per code pair (code_a < code_b in the order of ``codes`` or sorted ids).
    Pairs that never co-occur are dropped unless ``include_zero``.
    """
    if unit not in ("overlap", "turn", "document"):
        raise WorkbenchError("unknown co-occurrence unit", value=unit, expected="overlap | turn | document")
    accepted = accepted_segments(segments)
    sets, pairs = _presence_sets(accepted, unit, turns)
    order = codes["code_id"].tolist() if codes is not None else sorted(sets, key=str)
    order = [c for c in order if c in sets]
    rows = []
    if unit == "overlap":
        with_other = pairs.groupby(["code_id_a", "code_id_b"])["segment_id_a"].nunique().to_dict()
        pair_counts = pairs.groupby(["code_id_a", "code_id_b"]).size().to_dict()
    for code_a, code_b in combinations(order, 2):
        n_a, n_b = len(sets[code_a]), len(sets[code_b])
        if unit == "overlap":
            n_both = with_other.get((code_a, code_b), 0) + with_other.get((code_b, code_a), 0)
            n_either = n_a + n_b
            n_pairs = pair_counts.get((code_a, code_b), 0)
        else:
            n_both = len(sets[code_a] & sets[code_b])
            n_either = n_a + n_b - n_both
            n_pairs = np.nan
        if n_both == 0 and not include_zero:
            continue
        rows.append(
            {
                "code_a": code_a, "code_b": code_b, "unit": unit,
                "n_a": n_a, "n_b": n_b, "n_both": n_both, "n_either": n_either,
                "jaccard": n_both / n_either if n_either else np.nan,
                "n_overlapping_pairs": n_pairs,
            }
        )
    columns = ["code_a", "code_b", "unit", "n_a", "n_b", "n_both", "n_either", "jaccard", "n_overlapping_pairs"]
    result = pd.DataFrame(rows, columns=columns)
    if codes is not None and "name" in codes.columns:
        names = dict(zip(codes["code_id"], codes["name"]))
        result.insert(2, "name_a", result["code_a"].map(names))
        result.insert(3, "name_b", result["code_b"].map(names))
    if unit != "overlap":
        result = result.drop(columns=["n_overlapping_pairs"])
    return result
