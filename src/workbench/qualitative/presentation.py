"""Small steps between the qualitative analyses and a report: subsets, bands, layouts.

What a report notebook needs beyond :mod:`analysis`, :mod:`reliability`, :mod:`quotes`
and :mod:`stakeholders`:

- ``primary_coder`` / ``subset_corpus``: the coding to report (the coder who coded most
  documents) and a corpus restricted to some documents (e.g. one region);
- ``descendant_codes``: the codes under a theme heading (e.g. every barrier code);
- ``interpret_reliability``: plain-language bands for kappa (Landis & Koch 1977) and
  Krippendorff's alpha (Krippendorff 2004: 0.667 / 0.800), with kappa's Wald interval
  truncated to the possible range [-1, 1];
- ``quote_cases``: which case said a quote (so that quotes are attributed by group and
  sex, never by a name or pseudonym);
- ``cooccurrence_graph`` / ``network_layout``: a networkx graph of co-occurring codes and a
  seeded spring layout as tables for plotting;
- ``spread_overlapping``: plotting positions that pull apart stakeholders with identical
  ratings on an influence-interest grid (deterministic, no randomness).

Written here because these are a few lines of pandas/networkx each, specific to how the
workbench reports qualitative material.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from workbench.agreement import agreement_band
from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import accepted_segments, code_ancestors
from workbench.qualitative.corpus import Corpus



def primary_coder(segments: pd.DataFrame) -> Any:
    """The coder with accepted segments in the most documents (ties: first in sorted order).

    In a study where a second coder double-codes a sample for reliability, this is the
    coder whose coding the findings rest on.
    """
    require_columns(segments, ["coder"], what="the segments table")
    accepted = accepted_segments(segments)
    documents = accepted.dropna(subset=["coder"]).groupby("coder")["doc_id"].nunique()
    if documents.empty:
        raise WorkbenchError("no accepted segment names a coder", column="coder", expected="coded segments")
    best = documents.max()
    return sorted(documents[documents == best].index, key=str)[0]


def subset_corpus(corpus: Corpus, doc_ids: Iterable[Any]) -> Corpus:
    """A copy of ``corpus`` with only the listed documents and what belongs to them.

    Turns and segments of other documents are dropped; cases are kept when a kept document
    names them (``documents.case_id``) or a kept turn does (``turns.case_id``). Codes,
    users and people stay whole.
    """
    keep = {str(d) for d in doc_ids}
    documents = corpus.documents[corpus.documents["doc_id"].astype(str).isin(keep)]
    turns = corpus.turns[corpus.turns["doc_id"].astype(str).isin(keep)]
    segments = corpus.segments[corpus.segments["doc_id"].astype(str).isin(keep)]
    case_ids = set(documents["case_id"].dropna().astype(str))
    if "case_id" in turns.columns:
        case_ids |= set(turns["case_id"].dropna().astype(str))
    cases = corpus.cases[corpus.cases["case_id"].astype(str).isin(case_ids)]
    return Corpus(documents=documents, cases=cases, turns=turns, codes=corpus.codes, segments=segments,
                  users=corpus.users, people=corpus.people, meta=dict(corpus.meta))


def descendant_codes(codes: pd.DataFrame, parent_id: Any, *, codable_only: bool = True) -> list[Any]:
    """Codes below ``parent_id`` at any depth, in the codebook's order (the parent excluded).

    With ``codable_only`` headings (``is_codable`` false) are left out.
    """
    if parent_id not in set(codes["code_id"]):
        raise WorkbenchError("unknown theme code", value=parent_id, column="code_id",
                             expected=f"one of {codes['code_id'].tolist()}")
    paths = code_ancestors(codes)
    codable = dict(zip(codes["code_id"], codes["is_codable"] if "is_codable" in codes.columns
                       else [True] * len(codes)))
    return [c for c in codes["code_id"]
            if c != parent_id and parent_id in paths[c] and (codable[c] or not codable_only)]


def interpret_reliability(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a :func:`code_reliability` table with bands and a bounded kappa interval.

    Adds ``kappa_band`` (Landis & Koch) and ``alpha_band`` (Krippendorff). The Wald
    interval of kappa can pass 1 (or -1) for codes with few positive units; its limits are
    truncated to [-1, 1], the range kappa can take (``cohen_ci_low``/``cohen_ci_high``
    replaced; the untruncated limits stay in ``cohen_wald_low``/``cohen_wald_high``).
    """
    require_columns(table, ["cohen_kappa", "cohen_ci_low", "cohen_ci_high", "alpha"],
                    what="the reliability table (code_reliability)")
    out = table.copy()
    out["cohen_wald_low"] = out["cohen_ci_low"]
    out["cohen_wald_high"] = out["cohen_ci_high"]
    out["cohen_ci_low"] = pd.to_numeric(out["cohen_ci_low"]).clip(-1.0, 1.0)
    out["cohen_ci_high"] = pd.to_numeric(out["cohen_ci_high"]).clip(-1.0, 1.0)
    out["kappa_band"] = [agreement_band(float(v), "kappa") for v in pd.to_numeric(out["cohen_kappa"])]
    out["alpha_band"] = [agreement_band(float(v), "alpha") for v in pd.to_numeric(out["alpha"])]
    return out


def quote_cases(quotes: pd.DataFrame, documents: pd.DataFrame, turns: pd.DataFrame | None = None) -> pd.Series:
    """The case_id of the person who said each quote (NA when unknown), indexed like ``quotes``.

    A quote (doc_id, start) lies in a speaker turn: that turn's ``case_id`` when the turns
    table has one; otherwise the document's ``case_id`` (individual interviews).
    """
    require_columns(quotes, ["doc_id", "start"], what="the quotes table (quote_bank)")
    by_document = dict(zip(documents["doc_id"].astype(str), documents["case_id"]))
    spans: dict[str, list[tuple[int, int, Any]]] = {}
    if turns is not None and not turns.empty and "case_id" in turns.columns:
        for turn in turns.itertuples(index=False):
            spans.setdefault(str(turn.doc_id), []).append((int(turn.start), int(turn.end), turn.case_id))
    result = []
    for doc_id, start in zip(quotes["doc_id"].astype(str), quotes["start"]):
        case = next((c for s, e, c in spans.get(doc_id, []) if s <= int(start) < e), None)
        if case is None or (not isinstance(case, str) and pd.isna(case)):
            case = by_document.get(doc_id)
        result.append(pd.NA if case is None or (not isinstance(case, str) and pd.isna(case)) else case)
    return pd.Series(result, index=quotes.index, dtype=object, name="case_id")


def cooccurrence_graph(cooccurrence: pd.DataFrame, sizes: pd.Series | dict[Any, float] | None = None,
                       *, weight: str = "n_both", min_weight: float = 1) -> nx.Graph:
    """Undirected code network from a :func:`code_cooccurrence` table.

    Edges: code pairs with ``weight`` >= ``min_weight`` (attributes weight, jaccard).
    Nodes: every code of a kept edge plus every code in ``sizes`` (attribute size, e.g.
    the number of turns or cases with the code; 0 when not given).
    """
    require_columns(cooccurrence, ["code_a", "code_b", weight], what="the co-occurrence table")
    graph = nx.Graph()
    sizes = dict(sizes) if sizes is not None else {}
    for code_id, size in sizes.items():
        graph.add_node(code_id, size=float(size))
    kept = cooccurrence[pd.to_numeric(cooccurrence[weight]) >= min_weight]
    for row in kept.itertuples(index=False):
        for node in (row.code_a, row.code_b):
            if node not in graph:
                graph.add_node(node, size=float(sizes.get(node, 0)))
        graph.add_edge(row.code_a, row.code_b, weight=float(getattr(row, weight)),
                       jaccard=float(getattr(row, "jaccard", np.nan)))
    return graph


def network_layout(graph: nx.Graph, *, seed: int = 20261122, weight: str | None = "weight",
                   iterations: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded spring layout (networkx Fruchterman-Reingold) as plotting tables.

    Returns ``nodes`` (node, x, y, every node attribute, degree) and ``edges``
    (source, target, x0, y0, x1, y1, every edge attribute). The same seed gives the same
    positions, so a re-run draws the same picture.
    """
    if graph.number_of_nodes() == 0:
        return (pd.DataFrame(columns=["node", "x", "y", "degree"]),
                pd.DataFrame(columns=["source", "target", "x0", "y0", "x1", "y1"]))
    positions = nx.spring_layout(graph, seed=int(seed), weight=weight, iterations=iterations)
    nodes = pd.DataFrame([
        {"node": node, "x": float(positions[node][0]), "y": float(positions[node][1]), **data,
         "degree": graph.degree(node)}
        for node, data in graph.nodes(data=True)
    ])
    edges = pd.DataFrame([
        {"source": a, "target": b, "x0": float(positions[a][0]), "y0": float(positions[a][1]),
         "x1": float(positions[b][0]), "y1": float(positions[b][1]), **data}
        for a, b, data in graph.edges(data=True)
    ], columns=None)
    if edges.empty:
        edges = pd.DataFrame(columns=["source", "target", "x0", "y0", "x1", "y1"])
    return nodes, edges


def spread_overlapping(table: pd.DataFrame, x: str, y: str, *, radius: float = 0.22,
                       order: Sequence[str] | None = None) -> pd.DataFrame:
    """Plotting positions ``x_plot``/``y_plot`` that pull apart points with equal (x, y).

    Points sharing a position are put on a circle of ``radius`` (in axis units) around it,
    evenly spaced, in the order of ``order`` columns (default: table order); a single point
    stays where it is. The data columns are not changed.
    """
    require_columns(table, [x, y], what="the table of positions")
    out = table.copy()
    ordered = out.sort_values(list(order), kind="stable") if order else out
    x_plot = pd.Series(out[x].astype(float), index=out.index)
    y_plot = pd.Series(out[y].astype(float), index=out.index)
    for _, members in ordered.groupby([x, y], sort=False):
        count = len(members)
        if count < 2:
            continue
        for k, index in enumerate(members.index):
            angle = 2 * math.pi * k / count + math.pi / 2
            x_plot[index] = float(members.at[index, x]) + radius * math.cos(angle)
            y_plot[index] = float(members.at[index, y]) + radius * math.sin(angle)
    out["x_plot"] = x_plot
    out["y_plot"] = y_plot
    return out


def cases_by_group(segments: pd.DataFrame, documents: pd.DataFrame, cases: pd.DataFrame,
                   attributes: Sequence[str], code_ids: Sequence[Any], *,
                   turns: pd.DataFrame | None = None, codes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cases raising each code, per category of each attribute (tidy, several attributes stacked).

    One row per attribute x category x code: attribute, category, code_id, n_cases (cases whose
    coded talk has the code), cases_in_category (participating cases with that category; the
    base of the share), share (n_cases / cases_in_category, a proportion). Cases with a
    missing attribute are left out. Built on :func:`analysis.code_attribute_matrix`.
    """
    from workbench.qualitative.analysis import code_attribute_matrix

    require_columns(cases, attributes, what="the cases table")
    frames = []
    for attribute in attributes:
        matrix = code_attribute_matrix(segments, documents, cases, attribute, turns, codes)
        matrix = matrix[matrix["code_id"].isin(list(code_ids)) & matrix["category"].notna()]
        frames.append(matrix)
    columns = ["attribute", "category", "code_id", "n_cases", "cases_in_category", "share"]
    if not frames:
        return pd.DataFrame(columns=columns)
    long = pd.concat(frames, ignore_index=True)
    long = long[long["cases_in_category"] > 0].copy()
    long["share"] = long["n_cases"] / long["cases_in_category"]
    return long[columns].reset_index(drop=True)


def group_matrix(long: pd.DataFrame, value: str, code_ids: Sequence[Any],
                 category_order: dict[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """Wide form of :func:`cases_by_group`: one row per attribute x category, one column per code.

    Columns: attribute, category, n (cases in the category), then ``value`` for each code in
    ``code_ids`` order. Rows follow ``category_order`` (attribute -> categories) where given,
    the order of first appearance otherwise.
    """
    if long.empty:
        return pd.DataFrame(columns=["attribute", "category", "n", *code_ids])
    wide = long.pivot_table(index=["attribute", "category"], columns="code_id", values=value,
                            aggfunc="first", sort=False)
    wide = wide.reindex(columns=list(code_ids))
    bases = long.groupby(["attribute", "category"], sort=False)["cases_in_category"].first()
    wide.insert(0, "n", bases.reindex(wide.index).astype("int64"))
    wide = wide.reset_index()
    wide.columns.name = None
    attributes = list(dict.fromkeys(long["attribute"]))
    position = {}
    for a_index, attribute in enumerate(attributes):
        levels = list((category_order or {}).get(attribute, [])) or list(dict.fromkeys(long.loc[long["attribute"] == attribute, "category"]))
        for l_index, level in enumerate(levels):
            position[(attribute, level)] = (a_index, l_index)
    wide["_order"] = [position.get((a, lv), (attributes.index(a), 10_000)) for a, lv in zip(wide["attribute"], wide["category"])]
    wide = wide.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    return wide
