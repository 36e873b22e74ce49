"""Helpers between qualitative analyses and the report (workbench.qualitative.presentation)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.corpus import Corpus
from workbench.qualitative import presentation as qp

CODES = pd.DataFrame({
    "code_id": ["BAR", "BAR_A", "BAR_A1", "BAR_B", "FAC", "FAC_A"],
    "name": ["Barriers", "A", "A1", "B", "Facilitators", "FA"],
    "parent_id": [None, "BAR", "BAR_A", "BAR", None, "FAC"],
    "is_codable": [False, True, True, True, False, True],
})


def _corpus() -> Corpus:
    """Two interviews (cases C1 female, C2 male) and a focus group with C3 (female) and C4 (male)."""
    documents = pd.DataFrame({
        "doc_id": ["D1", "D2", "F1"],
        "text": ["Q: x\nC1: aaaa bbbb\n", "Q: x\nC2: cccc dddd\n", "M: q\nP1: eeee\nP2: ffff\n"],
        "doc_type": ["KII", "KII", "FGD"],
        "case_id": ["C1", "C2", None],
    })
    cases = pd.DataFrame({"case_id": ["C1", "C2", "C3", "C4"], "name": ["K1", "K2", "P1", "P2"],
                          "sex": ["female", "male", "female", "male"],
                          "respondent_group": ["returnee", "returnee", "community", "community"]})
    turns = pd.DataFrame({
        "doc_id": ["D1", "D1", "D2", "D2", "F1", "F1", "F1"],
        "turn_id": ["D1-1", "D1-2", "D2-1", "D2-2", "F1-1", "F1-2", "F1-3"],
        "speaker": ["Q", "K1", "Q", "K2", "M", "P1", "P2"],
        "case_id": [None, "C1", None, "C2", None, "C3", "C4"],
        "role": ["interviewer", "respondent", "interviewer", "respondent", "moderator", "participant", "participant"],
        "start": [3, 9, 3, 9, 3, 9, 18], "end": [4, 18, 4, 18, 4, 13, 22],
    })
    segments = pd.DataFrame({
        "segment_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "doc_id": ["D1", "D1", "D2", "F1", "F1", "D1"],
        "start": [9, 14, 9, 9, 18, 9], "end": [13, 18, 13, 13, 22, 13],
        "code_id": ["BAR_A", "BAR_B", "BAR_A1", "BAR_A", "FAC_A", "BAR_A"],
        "coder": ["R1", "R1", "R1", "R1", "R1", "R2"],
        "status": ["accepted"] * 6,
    })
    return Corpus(documents=documents, cases=cases, turns=turns, codes=CODES, segments=segments)


def test_interpret_reliability_bounds_kappa_interval() -> None:
    table = pd.DataFrame({"cohen_kappa": [0.9, 0.5], "cohen_ci_low": [0.7, -1.2], "cohen_ci_high": [1.1, 0.9],
                          "alpha": [0.9, 0.7]})
    out = qp.interpret_reliability(table)
    assert out["cohen_ci_high"].tolist() == [1.0, 0.9]
    assert out["cohen_ci_low"].tolist() == [0.7, -1.0]
    assert out["cohen_wald_high"].tolist() == [1.1, 0.9]
    assert out["kappa_band"].tolist() == ["almost_perfect", "moderate"]
    assert out["alpha_band"].tolist() == ["reliable", "tentative"]
    assert table["cohen_ci_high"].tolist() == [1.1, 0.9]  # input unchanged
    with pytest.raises(WorkbenchError):
        qp.interpret_reliability(pd.DataFrame({"alpha": [1.0]}))


def test_primary_coder_and_subset() -> None:
    corpus = _corpus()
    assert qp.primary_coder(corpus.segments) == "R1"  # R1 coded 3 documents, R2 one
    part = qp.subset_corpus(corpus, ["F1"])
    assert part.documents["doc_id"].tolist() == ["F1"]
    assert sorted(part.cases["case_id"]) == ["C3", "C4"]  # from the focus group's turns
    assert set(part.segments["doc_id"]) == {"F1"} and set(part.turns["doc_id"]) == {"F1"}
    assert len(corpus.documents) == 3  # original untouched


def test_descendant_codes() -> None:
    assert qp.descendant_codes(CODES, "BAR") == ["BAR_A", "BAR_A1", "BAR_B"]
    assert qp.descendant_codes(CODES, "FAC") == ["FAC_A"]
    with pytest.raises(WorkbenchError):
        qp.descendant_codes(CODES, "NOPE")


def test_cases_by_group_counts_by_hand() -> None:
    corpus = _corpus()
    coded = corpus.segments[corpus.segments["coder"] == "R1"]
    long = qp.cases_by_group(coded, corpus.documents, corpus.cases, ["sex"], ["BAR_A", "BAR_B"],
                             turns=corpus.turns, codes=corpus.codes)
    got = {(r.category, r.code_id): (r.n_cases, r.cases_in_category) for r in long.itertuples()}
    # BAR_A: C1 (female, D1) and C3 (female, P1 in F1); BAR_B: C1 only. Two women, two men.
    assert got[("female", "BAR_A")] == (2, 2)
    assert got[("male", "BAR_A")] == (0, 2)
    assert got[("female", "BAR_B")] == (1, 2)
    wide = qp.group_matrix(long, "share", ["BAR_A", "BAR_B"], {"sex": ["male", "female"]})
    assert wide["category"].tolist() == ["male", "female"]
    assert wide["n"].tolist() == [2, 2]
    assert wide.loc[1, "BAR_A"] == 1.0 and wide.loc[1, "BAR_B"] == 0.5


def test_quote_cases_from_turns_and_documents() -> None:
    corpus = _corpus()
    quotes = pd.DataFrame({"doc_id": ["D2", "F1", "F1"], "start": [10, 18, 3]})
    assert qp.quote_cases(quotes, corpus.documents, corpus.turns).tolist()[:2] == ["C2", "C4"]
    # the moderator's turn has no case and the focus group none either
    assert pd.isna(qp.quote_cases(quotes, corpus.documents, corpus.turns).iloc[2])


def test_network_layout_is_reproducible() -> None:
    pairs = pd.DataFrame({"code_a": ["A", "A", "B"], "code_b": ["B", "C", "C"], "n_both": [3, 1, 2],
                          "jaccard": [0.5, 0.1, 0.2]})
    graph = qp.cooccurrence_graph(pairs, {"A": 5, "B": 4, "C": 3}, min_weight=2)
    assert set(graph.edges) == {("A", "B"), ("B", "C")}
    first = qp.network_layout(graph, seed=7)
    second = qp.network_layout(graph, seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    assert first[0].set_index("node").loc["A", "size"] == 5


def test_spread_overlapping_keeps_distinct_points_and_separates_ties() -> None:
    table = pd.DataFrame({"id": ["a", "b", "c", "d"], "x": [1, 3, 3, 3], "y": [1, 2, 2, 2]})
    out = qp.spread_overlapping(table, "x", "y", radius=0.3, order=["id"])
    assert (out.loc[0, "x_plot"], out.loc[0, "y_plot"]) == (1.0, 1.0)
    tied = out.iloc[1:]
    distances = np.hypot(tied["x_plot"] - 3, tied["y_plot"] - 2)
    assert np.allclose(distances, 0.3)
    assert len({(round(a, 6), round(b, 6)) for a, b in zip(tied["x_plot"], tied["y_plot"])}) == 3
    assert math.isclose(tied["x_plot"].mean(), 3) and math.isclose(tied["y_plot"].mean(), 2)
    assert out["x"].tolist() == [1, 3, 3, 3]
