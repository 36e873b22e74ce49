"""Small helpers the risk reports use: values of step curves at given times, level flows,
officers per region and the verbal bands of agreement statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_rossi

from workbench.errors import WorkbenchError
from workbench.risk import kaplan_meier, level_distribution, level_flows, level_history, officers_by_group, values_at


def test_values_at_reads_the_step_function_by_hand() -> None:
    # times 1,2,2,3,4,5 with events 1,1,0,1,0,1 (hand: S(1)=5/6, S(2)=2/3, S(3)=4/9, S(5)=0)
    data = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "e": [1, 1, 0, 1, 0, 1]})
    table = values_at(kaplan_meier(data, "t", "e"), [0.5, 1, 2.5, 4.9, 5, 6], columns=["survival"])
    assert table["survival"].iloc[:5].tolist() == pytest.approx([1, 5 / 6, 2 / 3, 4 / 9, 0])
    assert np.isnan(table["survival"].iloc[5])      # after the last time: not estimated


def test_values_at_matches_lifelines_predict_by_group() -> None:
    rossi = load_rossi()
    times = [10, 26, 52]
    ours = values_at(kaplan_meier(rossi, "week", "arrest", by="fin"), times).set_index(["group", "time"])
    for group, part in rossi.groupby("fin"):
        fitter = KaplanMeierFitter().fit(part["week"], part["arrest"])
        for t in times:   # lifelines' own step-function lookup is the independent reference
            assert ours.loc[(group, float(t)), "survival"] == pytest.approx(float(fitter.predict(t)), rel=1e-12)


def test_values_at_names_a_missing_column() -> None:
    with pytest.raises(WorkbenchError, match="lacks a column"):
        values_at(pd.DataFrame({"group": ["all"], "time": [0.0]}), [1], columns=["survival"])


def test_level_flows_by_hand() -> None:
    scored = pd.DataFrame({
        "client_id": ["c1", "c1", "c1", "c2", "c3", "c3"],
        "assessment_date": ["2023-01-01", "2023-07-01", "2024-01-01", "2023-03-01", "2023-02-01", "2023-08-01"],
        "risk_level": ["high", "high", "medium", "low", "high", "medium"],
    })
    flows = level_flows(level_history(scored), steps=3)
    # c1: high->high (0->1), high->medium (1->2); c3: high->medium (0->1); c2 has no reassessment
    assert flows.to_dict("records") == [
        {"step_from": 0, "step_to": 1, "from_level": "high", "to_level": "medium", "n": 1},
        {"step_from": 0, "step_to": 1, "from_level": "high", "to_level": "high", "n": 1},
        {"step_from": 1, "step_to": 2, "from_level": "high", "to_level": "medium", "n": 1},
    ]
    assert level_flows(level_history(scored), steps=1)["step_to"].max() == 1
    # every client with k reassessments contributes min(k, steps) transitions
    assert level_flows(level_history(scored), steps=3)["n"].sum() == 3


def test_officers_by_group_sums_and_scales() -> None:
    offices = pd.DataFrame({"region": ["A", "A", "B"], "officers": [3, 2, 5]})
    assert officers_by_group(offices).to_dict("list") == {"region": ["A", "B"], "officers": [5.0, 5.0]}
    scaled = officers_by_group(offices, total=30)
    assert scaled["officers"].tolist() == [15.0, 15.0] and scaled["officers"].sum() == 30
    with pytest.raises(WorkbenchError, match="officers must be a number") as err:
        officers_by_group(offices.assign(officers=[3, -1, 5]))
    assert err.value.row == 2


def test_level_distribution_by_hand() -> None:
    clients = pd.DataFrame({"region": ["A", "A", "A", "A", "B", "B"], "risk_level": ["low", "high", "high", None, "medium", "low"]})
    table = level_distribution(clients, by=["region"])
    # A: 3 clients with a level (1 low, 2 high); B: 2 (1 low, 1 medium)
    assert table["n"].tolist() == [3, 2]
    assert table[["share_low", "share_medium", "share_high"]].to_numpy().ravel().tolist() == pytest.approx(
        [1 / 3, 0, 2 / 3, 0.5, 0.5, 0])
    overall = level_distribution(clients, by=[])
    assert overall["n"].tolist() == [5] and overall["share_high"].tolist() == pytest.approx([0.4])
    with pytest.raises(WorkbenchError, match="unknown level"):
        level_distribution(clients.assign(risk_level="severe"), by=["region"])
