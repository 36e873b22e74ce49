"""Stakeholder mentions, mention network, centrality and influence-interest grid (hand-made)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.stakeholders import (
    influence_interest_grid,
    mention_network,
    stakeholder_centrality,
    stakeholder_mentions,
)

TURN_TEXTS = [
    "Имам и аксакалы помогают. ",
    "Милиция и имам работают вместе, участковый приходит. ",
    "Женсовет помогает семьям. ",
    "Аксакалы и милиция говорят с молодежью. ",
]
FGD = "".join(TURN_TEXTS)
EXPERT = "The NGO works with the imam.\n\nPolice are suspicious."
KII = "Имам помог мне."  # an individual interview: not searched by default


def build() -> dict[str, pd.DataFrame]:
    documents = pd.DataFrame(
        {"doc_id": ["F1", "E1", "K1"], "text": [FGD, EXPERT, KII], "doc_type": ["FGD", "expert", "KII"]}
    )
    starts = np.cumsum([0] + [len(t) for t in TURN_TEXTS])
    turns = pd.DataFrame(
        {
            "doc_id": "F1",
            "turn_id": ["t1", "t2", "t3", "t4"],
            "speaker": ["A", "B", "A", "C"],
            "start": starts[:-1],
            "end": starts[1:],
        }
    )
    stakeholders = pd.DataFrame(
        [
            ("S1", "имам", "religious leader", "imam; мулла", 5, 4, 1, "WC0"),
            ("S1", "имам", "religious leader", "imam; мулла", 3, 4, 2, "WC0"),  # second researcher
            ("S2", "аксакал", "aksakal", "aksakals", 4, 2, "supportive", None),
            ("S3", "милиция", "police", "police; участковый", 4, 5, -1, None),
            ("S4", "женсовет", "women's committee", "women's committee", 2, 5, 2, "WC"),
            ("S5", "НКО", "NGO", "NGO", 2, 2, 0, None),
            ("S6", "школа", "school", None, 3, 3, 0, None),
        ],
        columns=["stakeholder_id", "name", "type", "aliases", "influence", "interest", "stance", "code_id"],
    )
    return {"documents": documents, "turns": turns, "stakeholders": stakeholders}


def test_mentions_by_hand() -> None:
    data = build()
    mentions = stakeholder_mentions(data["documents"], data["stakeholders"], turns=data["turns"])
    units = mentions.groupby("stakeholder_id")["unit_id"].agg(sorted).to_dict()
    assert units == {
        "S1": ["E1:1", "t1", "t2"],  # K1 (an individual interview) is not searched
        "S2": ["t1", "t4"],  # inflected form "аксакалы"
        "S3": ["E1:2", "t2", "t4"],  # "участковый" is an alias of the police
        "S4": ["t3"],
        "S5": ["E1:1"],
    }
    t2_police = mentions[(mentions["unit_id"] == "t2") & (mentions["stakeholder_id"] == "S3")]
    assert t2_police["n_matches"].item() == 2
    assert mentions.loc[mentions["unit_id"] == "t4", "speaker"].unique().tolist() == ["C"]
    everything = stakeholder_mentions(data["documents"], data["stakeholders"], turns=data["turns"], doc_types=None)
    assert "K1:1" in set(everything["unit_id"])


def test_network_and_centrality() -> None:
    data = build()
    mentions = stakeholder_mentions(data["documents"], data["stakeholders"], turns=data["turns"])
    graph = mention_network(mentions, data["stakeholders"])
    # co-mentions: S1-S2 (t1), S1-S3 (t2), S2-S3 (t4), S1-S5 (E1:1); S4 and S6 isolated
    assert sorted(tuple(sorted(e)) for e in graph.edges) == [("S1", "S2"), ("S1", "S3"), ("S1", "S5"), ("S2", "S3")]
    assert set(graph.nodes) == {"S1", "S2", "S3", "S4", "S5", "S6"}
    assert graph.nodes["S3"]["n_units"] == 3
    table = stakeholder_centrality(graph, top_n=1).set_index("stakeholder_id")
    assert table["degree"].to_dict() == {"S1": 3, "S2": 2, "S3": 2, "S5": 1, "S4": 0, "S6": 0}
    assert table.loc["S1", "degree_centrality"] == pytest.approx(3 / 5)
    # S1 is on the only shortest paths S5-S2 and S5-S3: 2 of the C(5,2) = 10 pairs of the
    # other five nodes
    assert table.loc["S1", "betweenness"] == pytest.approx(2 / 10)
    assert table.loc["S2", "betweenness"] == 0
    # eigenvector: leading eigenvector of the adjacency matrix, computed independently
    order = ["S1", "S2", "S3", "S5"]
    adjacency = nx.to_numpy_array(graph, nodelist=order, weight="weight")
    values, vectors = np.linalg.eigh(adjacency)
    leading = np.abs(vectors[:, np.argmax(values)])
    for node, value in zip(order, leading):
        assert table.loc[node, "eigenvector"] == pytest.approx(value, abs=1e-8)
    assert table.loc["S4", "eigenvector"] == 0
    assert table.index[0] == "S1"
    assert table["potential_leader"].to_dict()["S1"] and table["potential_leader"].sum() == 1


def test_weighted_edges_and_code_mentions() -> None:
    data = build()
    turns = data["turns"]
    t4 = turns.set_index("turn_id").loc["t4"]
    segments = pd.DataFrame(
        {"segment_id": ["x"], "doc_id": ["F1"], "start": [int(t4["start"])], "end": [int(t4["start"]) + 5],
         "code_id": ["WC"], "status": ["accepted"]}
    )
    mentions = stakeholder_mentions(data["documents"], data["stakeholders"], turns=turns, segments=segments)
    coded = mentions[mentions["source"] == "code"]
    assert coded[["unit_id", "stakeholder_id"]].values.tolist() == [["t4", "S4"]]
    graph = mention_network(mentions, data["stakeholders"])
    assert graph.has_edge("S4", "S2") and graph.has_edge("S4", "S3")
    assert graph.edges["S2", "S3"]["weight"] == 1
    doubled = pd.concat([mentions, mentions.assign(doc_id="F2")], ignore_index=True)
    heavy = mention_network(doubled)
    assert heavy.edges["S2", "S3"]["weight"] == 2
    assert heavy.edges["S2", "S3"]["distance"] == pytest.approx(0.5)


def test_influence_interest_grid() -> None:
    data = build()
    grid = influence_interest_grid(data["stakeholders"]).set_index("stakeholder_id")
    # S1: mean of two researchers' ratings: influence (5 + 3) / 2 = 4, interest 4
    assert grid.loc["S1", ["influence", "interest", "n_ratings"]].tolist() == [4.0, 4.0, 2]
    assert grid.loc["S1", "stance"] == 1.5
    assert grid["quadrant"].to_dict() == {
        "S1": "manage closely",
        "S2": "keep satisfied",
        "S3": "manage closely",
        "S4": "keep informed",
        "S5": "monitor",
        "S6": "monitor",  # 3 on a 1-5 scale is not above the midpoint
    }
    assert grid.loc["S2", "stance"] == "supportive"
    higher = influence_interest_grid(data["stakeholders"], midpoint=4).set_index("stakeholder_id")
    assert higher.loc["S3", "quadrant"] == "keep informed"
    graph = mention_network(stakeholder_mentions(data["documents"], data["stakeholders"], turns=data["turns"]), data["stakeholders"])
    with_centrality = influence_interest_grid(data["stakeholders"], centrality=stakeholder_centrality(graph))
    assert {"eigenvector", "betweenness", "potential_leader"} <= set(with_centrality.columns)
    assert len(with_centrality) == 6


def test_bad_ratings() -> None:
    data = build()
    bad = data["stakeholders"].copy()
    bad.loc[3, "influence"] = 9
    with pytest.raises(WorkbenchError, match="scale"):
        influence_interest_grid(bad)
    with pytest.raises(WorkbenchError):
        influence_interest_grid(bad.drop(columns=["interest"]))


def test_network_from_coded_mentions_table() -> None:
    # the layout of a researcher-coded mentions table: mention_id, doc_id, turn_id, stakeholder_id
    coded = pd.DataFrame(
        {
            "mention_id": ["m1", "m2", "m3", "m4", "m5"],
            "doc_id": ["F1", "F1", "F1", "F2", "F2"],
            "turn_id": ["t1", "t1", "t2", "t1", "t1"],
            "stakeholder_id": ["S1", "S2", "S1", "S1", "S2"],
        }
    )
    graph = mention_network(coded)
    assert graph.edges["S1", "S2"]["weight"] == 2  # F1/t1 and F2/t1
    assert graph.nodes["S1"]["n_units"] == 3
    with pytest.raises(WorkbenchError):
        mention_network(coded.drop(columns=["turn_id"]))
