"""The charts of report 02 (interviews and focus groups), as ``Chart`` specifications built from
aggregated tables: never one point per participant.

- ``barriers_heatmap``: share of participants raising each barrier, one column per group and
  sex (a column resting on fewer participants than the disclosure allows is not drawn);
- ``theme_network``: themes (codes) applied in the same speaker turn, links weighted by turns;
- ``stakeholder_type_links`` / ``stakeholder_network``: stakeholder *types* named in the same
  focus-group turn (types, not persons or organisations);
- ``grid_bubbles``: how many stakeholders of each type sit at each influence-interest rating,
  with the middle of the rating scale drawn on both axes;
- ``discovery_chart``: new and cumulative codes per interview, the saturation point marked.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pandas as pd

from workbench.reports.sections import Chart, Reference, Text

#: middle of the 1-5 influence and interest ratings (``influence_interest_grid``'s default midpoint)
GRID_MIDPOINT = 3.0
#: types sharing a rating cell are drawn side by side, this far apart on the interest axis
GRID_SPREAD = 0.18
#: code pairs sharing fewer speaker turns are not drawn in the theme network
MIN_SHARED_TURNS = 2


def barriers_heatmap(long: pd.DataFrame) -> Chart:
    """Heat map of ``share`` by barrier (rows) and group category (columns) from the long table of
    ``interviews.barriers_by_group``; a category name used by two breakdowns gets the breakdown."""
    doubled = long.drop_duplicates(["attribute", "category"])["category"].duplicated(keep=False)
    doubled = set(long.drop_duplicates(["attribute", "category"])["category"][doubled])
    column = [f"{level} ({breakdown})" if level in doubled else level
              for level, breakdown in zip(long["category"], long["breakdown"])]
    frame = pd.DataFrame({"participant_group": column, "barrier": long["barrier"].to_numpy(),
                          "share": long["share"].to_numpy(float), "participants": long["participants"].to_numpy(int)})
    return Chart("barriers-by-group", "heatmap", frame, x="participant_group", y="share", group="barrier",
                 count="participants", percent=True, title_key="ql_barriers_heatmap")


def theme_network(pairs: pd.DataFrame, names: dict[Any, str], min_turns: int = MIN_SHARED_TURNS) -> Chart:
    """Network of themes from ``qualitative.code_cooccurrence`` (``code_a``, ``code_b``,
    ``n_both``): a link per pair applied together in at least ``min_turns`` speaker turns."""
    kept = pairs[pd.to_numeric(pairs["n_both"]) >= min_turns] if len(pairs) else pairs
    frame = pd.DataFrame({"code_a": [names.get(c, c) for c in kept.get("code_a", [])],
                          "code_b": [names.get(c, c) for c in kept.get("code_b", [])],
                          "turns_both": pd.to_numeric(kept.get("n_both", pd.Series(dtype=int))).to_numpy()})
    return Chart("theme-network", "network", frame, x="code_a", y="turns_both", group="code_b", count=None,
                 meaning="group", title_key="ql_cooccurrence_chart", title_values={"min_turns": min_turns})


def edition_mentions(study: Any, documents: pd.DataFrame, stakeholders: pd.DataFrame) -> pd.DataFrame:
    """Mentions of the edition's stakeholders in the edition's transcripts."""
    mentions = study.read("qual_stakeholder_mentions")
    return mentions[mentions["doc_id"].isin(documents["doc_id"])
                    & mentions["stakeholder_id"].isin(stakeholders["stakeholder_id"])]


def stakeholder_type_links(mentions: pd.DataFrame, stakeholders: pd.DataFrame, types: dict[Any, str],
                           unit: str = "turn_id") -> pd.DataFrame:
    """Pairs of stakeholder types named in the same ``unit`` (speaker turn): ``type_a``,
    ``type_b`` (labels, in the order of ``types``), ``turns`` (units naming both)."""
    kind = dict(zip(stakeholders["stakeholder_id"], stakeholders["type"]))
    order = {code: i for i, code in enumerate(types)}
    counts: dict[tuple[Any, Any], int] = {}
    named = mentions.assign(kind=mentions["stakeholder_id"].map(kind)).dropna(subset=["kind"])
    for _, kinds in named.groupby(["doc_id", unit])["kind"]:
        present = sorted(set(kinds), key=lambda k: (order.get(k, len(order)), str(k)))
        for pair in combinations(present, 2):
            counts[pair] = counts.get(pair, 0) + 1
    return pd.DataFrame({"type_a": [types.get(a, a) for a, _ in counts], "type_b": [types.get(b, b) for _, b in counts],
                         "turns": list(counts.values())}, columns=["type_a", "type_b", "turns"])


def stakeholder_network(links: pd.DataFrame) -> Chart:
    """Network of stakeholder types named together (``stakeholder_type_links``)."""
    return Chart("stakeholder-network", "network", links, x="type_a", y="turns", group="type_b", count=None,
                 meaning="group", title_key="ql_stakeholder_network_chart")


def grid_bubbles(grid: pd.DataFrame, types: dict[Any, str]) -> Chart:
    """Stakeholders per influence and interest rating and type (from
    ``qualitative.influence_interest_grid``), the middle of the scale drawn on both axes; the
    types of one cell side by side around its interest rating (``interest_rating``), so none hides another."""
    cells = grid.groupby(["interest", "influence", "type"], sort=True).size().rename("stakeholders").reset_index()
    rank = {code: i for i, code in enumerate(types)}
    cells = cells.assign(_rank=cells["type"].map(lambda v: rank.get(v, len(rank))))
    cells = cells.sort_values(["interest", "influence", "_rank"], kind="stable")
    place = cells.groupby(["interest", "influence"]).cumcount()
    size = cells.groupby(["interest", "influence"])["type"].transform("size")
    frame = pd.DataFrame({"interest_rating": cells["interest"].astype(float),
                          "interest": cells["interest"].astype(float) + GRID_SPREAD * (place - (size - 1) / 2),
                          "influence": cells["influence"].astype(float),
                          "stakeholder_type": [types.get(v, v) for v in cells["type"]],
                          "stakeholders": cells["stakeholders"].astype(int)})
    order = [types.get(v, v) for v in types]
    middle = (Reference(GRID_MIDPOINT, "ql_grid_middle", on="x"), Reference(GRID_MIDPOINT, "ql_grid_middle", on="y"))
    return Chart("stakeholder-grid", "bubbles", frame, x="interest", y="influence", label="stakeholders",
                 color="stakeholder_type", meaning="group", levels=tuple(order), count=None, references=middle,
                 title_key="ql_grid_chart")


def discovery_chart(curve: pd.DataFrame, saturation_at: Any) -> Chart:
    """New codes and codes found so far per interview (``qualitative.discovery_curve``), the
    saturation point marked when reached."""
    long = pd.concat([
        pd.DataFrame({"interview": curve["position"], "discovery": Text("ql_saturation_new"),
                      "codes": curve["n_new_codes"]}),
        pd.DataFrame({"interview": curve["position"], "discovery": Text("ql_saturation_cumulative"),
                      "codes": curve["cumulative_codes"]})], ignore_index=True)
    mark = () if pd.isna(saturation_at) else (Reference(float(saturation_at), "ql_saturation_point", on="x"),)
    return Chart("saturation-curve", "bars", long, x="interview", y="codes", color="discovery", meaning="group",
                 count=None, references=mark, title_key="ql_saturation_chart")
