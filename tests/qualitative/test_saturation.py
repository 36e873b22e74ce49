"""Saturation (Guest, Namey & Chen 2020) and the discovery curve on a hand-made sequence."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.saturation import (
    code_sets_by_document,
    discovery_curve,
    saturation_runs,
    saturation_summary,
)

# Interview order as conducted. Base = interviews 1-4 -> codes a..j = 10 distinct codes.
SEQUENCE = [
    {"a", "b", "c"},
    {"b", "d"},
    {"a", "e"},
    {"f", "g", "h", "i", "j"},
    {"a", "k"},  # k new
    {"b"},
    {"l"},  # l new
    {"a"},
    {"b"},
    {"c"},
    {"m"},  # m new
    {"a"},
]


def test_runs_by_hand() -> None:
    runs = saturation_runs(SEQUENCE, base_size=4, run_length=2, threshold=0.05)
    # runs 5-6: {k} -> 1/10; 7-8: {l} -> 1/10; 9-10: none -> 0; 11-12: {m} -> 1/10
    assert runs["first_position"].tolist() == [5, 7, 9, 11]
    assert runs["last_position"].tolist() == [6, 8, 10, 12]
    assert runs["n_new_codes"].tolist() == [1, 1, 0, 1]
    assert runs["base_codes"].unique().tolist() == [10]
    assert runs["saturation_ratio"].tolist() == pytest.approx([0.1, 0.1, 0.0, 0.1])
    assert runs["saturated"].tolist() == [False, False, True, False]
    assert runs["first_saturated"].tolist() == [False, False, True, False]
    assert runs["interviews"].iloc[0] == "5, 6"


def test_threshold_is_inclusive() -> None:
    runs = saturation_runs(SEQUENCE, base_size=4, run_length=2, threshold=0.10)
    assert runs["saturated"].tolist() == [True, True, True, True]
    assert runs["first_saturated"].tolist() == [True, False, False, False]


def test_rolling_runs() -> None:
    runs = saturation_runs(SEQUENCE, base_size=4, run_length=2, threshold=0.05, step=1)
    # (5,6) {k}; (6,7) {l}; (7,8) {l}; (8,9) nothing new -> saturation at interview 9
    assert runs["n_new_codes"].tolist()[:4] == [1, 1, 1, 0]
    first = runs[runs["first_saturated"]]
    assert first["last_position"].item() == 9
    assert len(runs) == 7


def test_longer_base_and_run() -> None:
    # base 1-6: a..k = 11 codes; runs of 3: 7-9 {l} -> 1/11; 10-12 {m} -> 1/11
    runs = saturation_runs(SEQUENCE, base_size=6, run_length=3, threshold=0.05)
    assert runs["base_codes"].unique().tolist() == [11]
    assert runs["saturation_ratio"].tolist() == pytest.approx([1 / 11, 1 / 11])
    assert not runs["saturated"].any()


def test_summary_and_curve() -> None:
    summary = saturation_summary(SEQUENCE, base_size=4, run_length=2, threshold=0.05).iloc[0]
    assert summary["saturation_at"] == 10
    assert summary["codes_at_saturation"] == 12  # a..l
    assert summary["total_codes"] == 13
    assert summary["pct_codes_at_saturation"] == pytest.approx(100 * 12 / 13)
    curve = discovery_curve(SEQUENCE)
    assert curve["n_new_codes"].tolist() == [3, 1, 1, 5, 1, 0, 1, 0, 0, 0, 1, 0]
    assert curve["cumulative_codes"].tolist() == [3, 4, 5, 10, 11, 11, 12, 12, 12, 12, 13, 13]
    assert curve["pct_of_all_codes"].iloc[-1] == 100.0
    zero_threshold = saturation_summary(SEQUENCE, base_size=4, run_length=2, threshold=0.0)
    assert zero_threshold["saturation_at"].iloc[0] == 10  # 0% is still reached by the run with no new codes
    never = saturation_summary(SEQUENCE[:8], base_size=4, run_length=2, threshold=0.05).iloc[0]
    assert pd.isna(never["saturation_at"])


def test_from_segments_keeps_order_and_empty_documents() -> None:
    segments = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4"],
            "doc_id": ["d2", "d1", "d1", "d3"],
            "start": [0, 0, 5, 0],
            "end": [4, 4, 9, 4],
            "code_id": ["x", "y", "z", "x"],
            "status": ["accepted", "accepted", "accepted", "proposed"],
        }
    )
    sets = code_sets_by_document(segments, ["d2", "d1", "d3"])
    assert sets == [("d2", frozenset({"x"})), ("d1", frozenset({"y", "z"})), ("d3", frozenset())]
    curve = discovery_curve(sets)
    assert curve["interview"].tolist() == ["d2", "d1", "d3"]
    assert curve["cumulative_codes"].tolist() == [1, 3, 3]


def test_bad_parameters() -> None:
    with pytest.raises(WorkbenchError):
        saturation_runs(SEQUENCE[:5], base_size=4, run_length=2)
    with pytest.raises(WorkbenchError):
        saturation_runs(SEQUENCE, threshold=5)
    with pytest.raises(WorkbenchError):
        saturation_runs([set(), set(), set()], base_size=1, run_length=1)
