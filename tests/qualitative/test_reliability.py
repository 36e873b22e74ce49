"""Intercoder reliability of coded corpora: unitising and per-code coefficients.

Oracles: hand-counted presence tables, scikit-learn's ``cohen_kappa_score`` and the
``krippendorff`` package on the same 0/1 data (the coefficients themselves are tested
against published values in tests/test_agreement.py).
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.errors import WorkbenchError
from workbench.qualitative.reliability import (
    code_reliability,
    coder_disagreements,
    pairwise_cohen_kappa,
    presence_data,
    text_units,
)

NAN = np.nan

# ---------------------------------------------------------------------------------------
# Corpus level
# ---------------------------------------------------------------------------------------

TEXT_1 = "First sentence here. Second one is longer! Third sentence?\nFourth line."
TEXT_2 = "Alpha beta gamma. Delta epsilon."


def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    documents = pd.DataFrame(
        {"doc_id": ["d1", "d2", "d3"], "name": ["a", "b", "c"], "text": [TEXT_1, TEXT_2, TEXT_2], "doc_type": ["KII"] * 3}
    )
    s2 = TEXT_1.index("Second")
    s3 = TEXT_1.index("Third")
    s4 = TEXT_1.index("Fourth")
    rows = [
        # d1: coder A codes sentences 1 (X) and 2 (Y); coder B codes 1 (X) and 3 (Y)
        ("s1", "d1", 0, 5, "X", "A", "accepted"),
        ("s2", "d1", s2, s2 + 6, "Y", "A", "accepted"),
        ("s3", "d1", 2, 10, "X", "B", "accepted"),
        ("s4", "d1", s3, s3 + 5, "Y", "B", "accepted"),
        ("s5", "d1", s4, s4 + 3, "Y", "B", "proposed"),  # ignored: not accepted
        # d2: both code sentence 2 with X
        ("s6", "d2", 18, 23, "X", "A", "accepted"),
        ("s7", "d2", 20, 30, "X", "B", "accepted"),
        # d3: single-coded, not compared
        ("s8", "d3", 0, 5, "Y", "A", "accepted"),
    ]
    segments = pd.DataFrame(rows, columns=["segment_id", "doc_id", "start", "end", "code_id", "coder", "status"])
    return documents, segments


def test_text_units_sentences() -> None:
    documents, _ = corpus()
    units = text_units(documents.iloc[:1], "sentence")
    pieces = [TEXT_1[s:e] for s, e in zip(units["start"], units["end"])]
    assert pieces == ["First sentence here.", "Second one is longer!", "Third sentence?", "Fourth line."]


def test_presence_and_code_reliability_by_hand() -> None:
    documents, segments = corpus()
    presence = presence_data(segments, documents, unit="sentence")
    assert set(presence["doc_id"]) == {"d1", "d2"}  # d3 has one coder
    # 6 sentences x 2 codes x 2 coders
    assert len(presence) == 24
    table = code_reliability(segments, documents, unit="sentence", n_boot=200).set_index("code_id")
    # Code X over 6 sentences: A = [1,0,0,0,0,1], B = [1,0,0,0,0,1] -> full agreement
    assert table.loc["X", "percent_agreement"] == pytest.approx(1.0)
    assert table.loc["X", "cohen_kappa"] == pytest.approx(1.0)
    # Code Y: A = [0,1,0,0,0,0], B = [0,0,1,0,0,0]: 4/6 agree
    a = [0, 1, 0, 0, 0, 0]
    b = [0, 0, 1, 0, 0, 0]
    assert table.loc["Y", "percent_agreement"] == pytest.approx(4 / 6)
    assert table.loc["Y", "cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert table.loc["Y", "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")
    )
    # pooled row "ALL" = both codes' units together
    pooled_a = [1, 0, 0, 0, 0, 1] + a
    pooled_b = [1, 0, 0, 0, 0, 1] + b
    assert table.loc["ALL", "cohen_kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    assert table.loc["ALL", "n_units"] == 12


def test_document_level_and_disagreements() -> None:
    documents, segments = corpus()
    table = code_reliability(segments, documents, unit="document", n_boot=100).set_index("code_id")
    # X: both coders apply X in d1 and d2; Y: both in d1, neither in d2
    assert table.loc["X", "percent_agreement"] == 1.0
    assert table.loc["Y", "percent_agreement"] == 1.0
    disagreements = coder_disagreements(segments, documents, unit="sentence")
    assert disagreements[["unit_id", "code_id", "applied_by", "not_applied_by"]].values.tolist() == [
        ["d1:2", "Y", "A", "B"],
        ["d1:3", "Y", "B", "A"],
    ]
    assert disagreements["excerpt"].tolist() == ["Second one is longer!", "Third sentence?"]
    pairs = pairwise_cohen_kappa(segments, documents, unit="sentence")
    assert set(pairs["code_id"]) == {"X", "Y"}
    assert pairs.set_index("code_id").loc["Y", "n_units"] == 6


def test_segments_without_coder_column_is_a_clear_error() -> None:
    documents, segments = corpus()
    with pytest.raises(WorkbenchError, match="segments table lacks a column") as caught:
        code_reliability(segments.drop(columns="coder"), documents)
    assert caught.value.column == "coder"
