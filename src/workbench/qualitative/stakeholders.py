"""Stakeholder mapping: mentions in focus groups and expert interviews, a mention network,
centrality, and the influence-interest grid.

The ``stakeholders`` table is coded by researchers: stakeholder_id, name, type (e.g.
"religious leader", "aksakal", "local council", "women's committee", "NGO", "police",
"probation"), optional ``aliases`` ("; "-separated words used for the stakeholder in
transcripts, Russian and Kyrgyz forms included), optional ``code_id`` (a code whose
segments mark mentions), and the ratings influence, interest (numbers on a scale such as
1-5) and stance. Several rows per stakeholder (one per researcher) are averaged.

Mentions are found per *unit*: a speaker turn in documents with turns, a paragraph
elsewhere. A stakeholder is mentioned in a unit when its name or an alias occurs in the
unit's text (whole words, case-insensitive, Russian/Kyrgyz case endings allowed as in
:mod:`quotes`) or when a segment with its ``code_id`` overlaps the unit. Two
stakeholders mentioned in the same unit are linked; the edge weight is the number of
such units. Centrality comes from networkx: degree centrality, betweenness (edge
length = 1 / weight, so frequent co-mentions are close), eigenvector centrality
(weighted). On a disconnected network eigenvector centrality is computed on the
component with the largest leading eigenvalue (where the leading eigenvector of the whole
network lives; with a tie, the first such component); other stakeholders get 0.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import accepted_segments
from workbench.qualitative.quotes import _word_pattern
from workbench.qualitative.reliability import text_units

STAKEHOLDER_TYPES: tuple[str, ...] = (
    "religious leader", "aksakal", "local council", "women's committee", "youth committee",
    "NGO", "police", "probation", "government", "local government", "school", "family",
    "employer", "health", "media", "other",
)

QUADRANTS = {
    (True, True): "manage closely",
    (True, False): "keep satisfied",
    (False, True): "keep informed",
    (False, False): "monitor",
}


def _check_stakeholders(stakeholders: pd.DataFrame) -> None:
    require_columns(stakeholders, ["stakeholder_id", "name"], what="the stakeholders table")


def _name_pattern(name: str, aliases: Any) -> re.Pattern[str]:
    options = [name] + ([a.strip() for a in str(aliases).split(";") if a.strip()] if isinstance(aliases, str) else [])
    parts = []
    for option in options:
        words = option.split()
        parts.append(r"\s+".join(_word_pattern(w, inflect=i == len(words) - 1) for i, w in enumerate(words)))
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(set(parts), key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE)


def stakeholder_mentions(
    documents: pd.DataFrame,
    stakeholders: pd.DataFrame,
    *,
    turns: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    doc_types: Sequence[str] | None = ("FGD", "expert"),
) -> pd.DataFrame:
    """Every mention of a stakeholder, one row per unit x stakeholder x source.

    ``doc_types`` limits the documents searched (None = all). Columns: doc_id, unit_id,
    speaker (NA outside turns), stakeholder_id, source ("text" or "code"), n_matches.
    """
    _check_stakeholders(stakeholders)
    docs = documents.copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    if doc_types is not None and "doc_type" in docs.columns:
        docs = docs[docs["doc_type"].isin(doc_types)]
    doc_turns = None
    if turns is not None and not turns.empty:
        doc_turns = turns.copy()
        doc_turns["doc_id"] = doc_turns["doc_id"].astype(str)
        doc_turns = doc_turns[doc_turns["doc_id"].isin(docs["doc_id"])]
    units = text_units(docs, "turn", doc_turns) if doc_turns is not None and not doc_turns.empty else text_units(docs, "paragraph")
    speakers = {}
    if doc_turns is not None:
        speakers = {(d, str(t)): s for d, t, s in zip(doc_turns["doc_id"], doc_turns["turn_id"], doc_turns["speaker"])}
    texts = dict(zip(docs["doc_id"], docs["text"].astype(str)))
    profiles = stakeholders.drop_duplicates("stakeholder_id")
    patterns = [
        (row.stakeholder_id, _name_pattern(str(row.name), getattr(row, "aliases", None)))
        for row in profiles.itertuples(index=False)
    ]
    rows = []
    for unit in units.itertuples(index=False):
        text = texts[unit.doc_id][unit.start : unit.end]
        for stakeholder_id, pattern in patterns:
            count = len(pattern.findall(text))
            if count:
                rows.append((unit.doc_id, unit.unit_id, speakers.get((unit.doc_id, unit.unit_id), pd.NA), stakeholder_id, "text", count))
    if segments is not None and "code_id" in profiles.columns:
        code_to_stakeholder = {c: s for c, s in zip(profiles["code_id"], profiles["stakeholder_id"]) if pd.notna(c)}
        coded = accepted_segments(segments)
        coded = coded[coded["code_id"].isin(code_to_stakeholder) & coded["doc_id"].isin(texts)]
        pairs = coded[["doc_id", "code_id", "start", "end"]].merge(units, on="doc_id", suffixes=("", "_unit"))
        pairs = pairs[(pairs["start"] < pairs["end_unit"]) & (pairs["end"] > pairs["start_unit"])]
        for (doc_id, unit_id, code_id), data in pairs.groupby(["doc_id", "unit_id", "code_id"], sort=True):
            rows.append((doc_id, unit_id, speakers.get((doc_id, unit_id), pd.NA), code_to_stakeholder[code_id], "code", len(data)))
    return pd.DataFrame(rows, columns=["doc_id", "unit_id", "speaker", "stakeholder_id", "source", "n_matches"])


def mention_network(
    mentions: pd.DataFrame,
    stakeholders: pd.DataFrame | None = None,
    *,
    unit_column: str | None = None,
) -> nx.Graph:
    """Undirected network: stakeholders as nodes, co-mention in a unit as weighted edges.

    ``mentions`` needs doc_id, stakeholder_id and a unit column: ``unit_column``, or
    "unit_id" (from :func:`stakeholder_mentions`) or "turn_id" (a coded mentions table).

    Node attributes: name, type (when ``stakeholders`` is given; every stakeholder is a
    node, mentioned or not), n_units (units in which it is mentioned). Edge attributes:
    weight (units with both), distance (1 / weight, for shortest paths).
    """
    graph = nx.Graph()
    if stakeholders is not None:
        _check_stakeholders(stakeholders)
        for row in stakeholders.drop_duplicates("stakeholder_id").itertuples(index=False):
            graph.add_node(row.stakeholder_id, name=row.name, type=getattr(row, "type", None), n_units=0)
    unit = unit_column or next((c for c in ("unit_id", "turn_id") if c in mentions.columns), None)
    missing = [c for c in ("doc_id", "stakeholder_id") if c not in mentions.columns]
    if unit is None or unit not in mentions.columns or missing:
        raise WorkbenchError(
            "the mentions table lacks required columns", column=", ".join(missing) or str(unit_column or "unit_id"),
            expected="doc_id, stakeholder_id and a unit column (unit_id or turn_id)",
        )
    units = mentions.drop_duplicates(["doc_id", unit, "stakeholder_id"])
    for stakeholder_id, count in units.groupby("stakeholder_id").size().items():
        if stakeholder_id not in graph:
            graph.add_node(stakeholder_id, name=None, type=None, n_units=0)
        graph.nodes[stakeholder_id]["n_units"] = int(count)
    for _, data in units.groupby(["doc_id", unit], sort=False):
        members = sorted(data["stakeholder_id"].unique(), key=str)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                weight = graph.edges[first, second]["weight"] + 1 if graph.has_edge(first, second) else 1
                graph.add_edge(first, second, weight=weight, distance=1.0 / weight)
    return graph


def stakeholder_centrality(graph: nx.Graph, *, top_n: int = 5) -> pd.DataFrame:
    """Centrality of every stakeholder in the mention network, most central first.

    Columns: stakeholder_id, name, type, n_units, degree (number of stakeholders it is
    co-mentioned with), degree_centrality (degree / (nodes - 1)), strength (sum of edge
    weights), betweenness (normalised, distance = 1 / weight), eigenvector (weighted,
    unit length), potential_leader (among the ``top_n`` by eigenvector centrality, > 0).
    """
    nodes = list(graph.nodes)
    columns = [
        "stakeholder_id", "name", "type", "n_units", "degree", "degree_centrality", "strength",
        "betweenness", "eigenvector", "potential_leader",
    ]
    if not nodes:
        return pd.DataFrame(columns=columns)
    degree_centrality = nx.degree_centrality(graph) if len(nodes) > 1 else {n: 0.0 for n in nodes}
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    eigenvector = _eigenvector_centrality(graph)
    table = pd.DataFrame(
        {
            "stakeholder_id": nodes,
            "name": [graph.nodes[n].get("name") for n in nodes],
            "type": [graph.nodes[n].get("type") for n in nodes],
            "n_units": [graph.nodes[n].get("n_units", 0) for n in nodes],
            "degree": [graph.degree(n) for n in nodes],
            "degree_centrality": [degree_centrality[n] for n in nodes],
            "strength": [graph.degree(n, weight="weight") for n in nodes],
            "betweenness": [betweenness[n] for n in nodes],
            "eigenvector": [eigenvector[n] for n in nodes],
        }
    )
    table["eigenvector"] = table["eigenvector"].where(table["eigenvector"] > 1e-12, 0.0)
    # the iterative solvers leave noise in the last digits that differs between runs: round
    # it away, so that tied stakeholders keep one order and one potential_leader flag
    table[["betweenness", "eigenvector"]] = table[["betweenness", "eigenvector"]].round(12)
    table = table.sort_values(
        ["eigenvector", "betweenness", "strength", "stakeholder_id"],
        ascending=[False, False, False, True], kind="stable", key=lambda s: s.astype(str) if s.name == "stakeholder_id" else s,
    ).reset_index(drop=True)
    table["potential_leader"] = (table.index < top_n) & (table["eigenvector"] > 0)
    return table[columns]


def _eigenvector_centrality(graph: nx.Graph) -> dict[Any, float]:
    """Weighted eigenvector centrality; on a disconnected network, that of the component with
    the largest leading eigenvalue (where the whole network's leading eigenvector lives),
    0 elsewhere. networkx refuses disconnected graphs, hence the component step.
    """
    result = {node: 0.0 for node in graph.nodes}
    best, best_value = None, 0.0
    for component in nx.connected_components(graph):
        if len(component) < 2:
            continue
        sub = graph.subgraph(component)
        value = float(np.linalg.eigvalsh(nx.to_numpy_array(sub, weight="weight")).max())
        if value > best_value + 1e-12:
            best, best_value = sub, value
    if best is not None:
        # a dense symmetric eigensolver, not networkx's ARPACK one (random start vector: the
        # last digits, and so the order of tied stakeholders, changed from build to build)
        nodes = list(best.nodes)
        vectors = np.linalg.eigh(nx.to_numpy_array(best, nodelist=nodes, weight="weight"))[1]
        leading = np.abs(vectors[:, -1]) / np.linalg.norm(vectors[:, -1])
        result.update({node: float(value) for node, value in zip(nodes, leading)})
    return result


def influence_interest_grid(
    stakeholders: pd.DataFrame,
    *,
    scale: tuple[float, float] = (1, 5),
    midpoint: float | None = None,
    centrality: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Data for the influence-interest grid: mean ratings and quadrant per stakeholder.

    Ratings of several researchers are averaged (``n_ratings``); stance is averaged when
    numeric, else its most frequent label (ties: first in sorted order). A rating is
    "high" when it is above ``midpoint`` (default: middle of ``scale``). Quadrants:
    manage closely (high influence, high interest), keep satisfied (high influence),
    keep informed (high interest), monitor. With ``centrality`` (from
    :func:`stakeholder_centrality`) its columns are added. Columns: stakeholder_id,
    name, type, influence, interest, stance, n_ratings, high_influence, high_interest,
    quadrant [, centrality columns].
    """
    _check_stakeholders(stakeholders)
    require_columns(stakeholders, ["influence", "interest"], what="the stakeholders table (ratings)")
    for column in ("influence", "interest"):
        values = pd.to_numeric(stakeholders[column], errors="coerce")
        bad = values.isna() & stakeholders[column].notna()
        out_of_scale = values.notna() & ((values < scale[0]) | (values > scale[1]))
        if bad.any() or out_of_scale.any():
            index = int(np.flatnonzero(bad | out_of_scale)[0])
            raise WorkbenchError(
                "a rating is not a number on the scale", column=column, row=index + 1,
                record_id=stakeholders["stakeholder_id"].iloc[index], value=stakeholders[column].iloc[index],
                expected=f"a number from {scale[0]} to {scale[1]}",
            )
    middle = (scale[0] + scale[1]) / 2 if midpoint is None else midpoint
    table = stakeholders.copy()
    table["influence"] = pd.to_numeric(table["influence"])
    table["interest"] = pd.to_numeric(table["interest"])
    grouped = table.groupby("stakeholder_id", sort=False)
    result = grouped.agg(
        name=("name", "first"),
        influence=("influence", "mean"),
        interest=("interest", "mean"),
        n_ratings=("influence", "size"),
    )
    result.insert(1, "type", grouped["type"].first() if "type" in table.columns else None)
    if "stance" in table.columns:
        result.insert(4, "stance", grouped["stance"].agg(_summarise_stance))
    else:
        result.insert(4, "stance", np.nan)
    result = result.reset_index()
    result["high_influence"] = result["influence"] > middle
    result["high_interest"] = result["interest"] > middle
    result["quadrant"] = [QUADRANTS[(bool(a), bool(b))] for a, b in zip(result["high_influence"], result["high_interest"])]
    if centrality is not None:
        extra = centrality.drop(columns=[c for c in ("name", "type") if c in centrality.columns])
        result = result.merge(extra, on="stakeholder_id", how="left")
    return result


def _summarise_stance(values: pd.Series) -> Any:
    present = values.dropna()
    if present.empty:
        return np.nan
    numeric = pd.to_numeric(present, errors="coerce")
    if numeric.notna().all():
        return float(numeric.mean())
    counts = present.astype(str).value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top)[0]
