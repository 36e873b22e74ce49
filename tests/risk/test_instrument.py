"""Scoring an instrument: hand-calculated cases, missing-answer rules, overrides, input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from workbench.errors import WorkbenchError
from workbench.risk import RiskInstrument, answers_from_long, load_instrument, score_assessments

# A tiny instrument whose scores are easy to compute by hand.
TINY = {
    "instrument": "tiny",
    "scales": {"s3": {"values": {0: "no", 1: "some", 2: "a lot"}}},
    "domains": {"risk": {}, "protect": {"protective": True}},
    "missing_codes": [9],
    "missing": {"max_missing_share": 0.34},
    "items": [
        {"name": "r1", "domain": "risk", "scale": "s3", "weight": 2},
        {"name": "r2", "domain": "risk", "scale": "s3", "weight": 1},
        {"name": "r3", "domain": "risk", "scale": "s3", "weight": 1},
        {"name": "w1", "domain": "risk", "scale": "s3", "weight": 1, "applies_if": {"sex": "female"}},
        {"name": "p1", "domain": "protect", "scale": "s3", "weight": 1},
    ],
    "levels": ["low", "medium", "high"],
    "cutoffs": {"medium": 3, "high": 6},
    "rules": [{"name": "r3_high", "when": {"r3": 2}, "minimum_level": "high"}],
}


def frame(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"assessment_id": [f"a{i}" for i in range(n)], "sex": ["male"] * n, "w1": [None] * n}
    base.update(columns)
    return pd.DataFrame(base)


def test_hand_calculated_scores_levels_and_rules() -> None:
    data = frame(r1=[1, 2, 0, 0], r2=[1, 2, 0, 0], r3=[0, 1, 2, 0], p1=[2, 0, 0, 0],
                 sex=["male", "male", "male", "female"], w1=[None, None, None, 2])
    table = RiskInstrument(TINY).fit(data).score_table(data)
    # by hand: row0 risk 2*1+1+0 = 3, protect -2 -> total 1 (low)
    #          row1 risk 4+2+1 = 7 -> total 7 (high by cut-off 6)
    #          row2 risk 2 -> total 2 (low by score) but r3 = 2 fires the rule -> high
    #          row3 (woman) risk w1 = 2 -> total 2, low
    assert table["score_risk"].tolist() == [3, 7, 2, 2]
    assert table["score_protect"].tolist() == [-2, 0, 0, 0]
    assert table["total"].tolist() == [1, 7, 2, 2]
    assert table["level_by_score"].tolist() == ["low", "high", "low", "low"]
    assert table["risk_level"].tolist() == ["low", "high", "high", "low"]
    assert table["decided_by"].tolist() == ["cut_off", "cut_off", "rule:r3_high", "cut_off"]


def test_prorating_and_cannot_score() -> None:
    # a man has 3 applicable risk items; 0.34 x 3 -> at most 1 missing
    data = frame(r1=[2, 2], r2=[None, None], r3=[1, 9], p1=[0, 0])
    table = RiskInstrument(TINY).fit(data).score_table(data)
    # row0: answered r1 (4 points of max 4) and r3 (1 of max 2): observed 5, max applicable
    # 4+2+2 = 8, max answered 6 -> prorated 5 x 8/6
    assert table["score_risk"].iloc[0] == pytest.approx(5 * 8 / 6)
    assert bool(table["prorated"].iloc[0])
    assert table["status"].iloc[0] == "scored"
    # row1: r2 blank and r3 coded 9 -> two missing of three, more than allowed
    assert table["status"].iloc[1] == "cannot_score"
    assert np.isnan(table["total"].iloc[1])
    assert table["risk_level"].iloc[1] is None
    assert "domain 'risk': 2 of 3 items missing, at most 1 allowed" in table["reason"].iloc[1]


def test_override_replaces_level_and_needs_reason() -> None:
    data = frame(r1=[0, 0], r2=[0, 0], r3=[0, 0], p1=[0, 0])
    data["override_level"] = ["high", None]
    data["override_reason"] = ["police intelligence", None]
    table = RiskInstrument(TINY).fit(data).score_table(data)
    assert table["risk_level"].tolist() == ["high", "low"]
    assert table["decided_by"].tolist() == ["override", "cut_off"]
    data.loc[0, "override_reason"] = "  "
    with pytest.raises(WorkbenchError, match="needs a reason") as err:
        RiskInstrument(TINY).fit(data).score_table(data)
    assert err.value.record_id == "a0" and err.value.row == 1


def test_unknown_item_is_a_clear_error() -> None:
    data = frame(r1=[0], r2=[0], r3=[0], p1=[0], r4=[1])
    with pytest.raises(WorkbenchError, match="unknown item 'r4'") as err:
        RiskInstrument(TINY).fit(data)
    assert err.value.column == "r4"


def test_answer_outside_scale_is_a_clear_error() -> None:
    data = frame(r1=[0, 3], r2=[0, 0], r3=[0, 0], p1=[0, 0])
    with pytest.raises(WorkbenchError, match="answer outside the scale of item 'r1'") as err:
        RiskInstrument(TINY).fit(data).transform(data)
    assert (err.value.row, err.value.record_id, err.value.value) == (2, "a1", 3)


def test_women_only_item_answered_for_a_man_is_an_error() -> None:
    data = frame(r1=[0], r2=[0], r3=[0], p1=[0], w1=[1])
    with pytest.raises(WorkbenchError, match="does not apply"):
        RiskInstrument(TINY).fit(data).transform(data)


def test_sklearn_conventions_clone_and_pipeline() -> None:
    rng = np.random.default_rng(1)
    n = 200
    data = frame(r1=rng.integers(0, 3, n).tolist(), r2=rng.integers(0, 3, n).tolist(),
                 r3=rng.integers(0, 3, n).tolist(), p1=rng.integers(0, 3, n).tolist())
    instrument = RiskInstrument(TINY)
    assert clone(instrument).get_params() == instrument.get_params()
    scores = instrument.fit_transform(data)
    assert list(scores.columns) == ["score_risk", "score_protect", "total"]
    assert np.allclose(scores["total"], scores["score_risk"] + scores["score_protect"])
    y = (scores["total"] + rng.normal(0, 1, n) > 3).astype(int)
    pipe = Pipeline([("instrument", RiskInstrument(TINY)), ("model", LogisticRegression())]).fit(data, y)
    assert pipe.predict_proba(data).shape == (n, 2)
    assert set(instrument.predict(data)) <= {"low", "medium", "high"}


def test_long_answers_with_unknown_item() -> None:
    long = pd.DataFrame({"assessment_id": ["a", "a"], "item": ["r1", "zz"], "answer": [1, 2]})
    with pytest.raises(WorkbenchError, match="unknown item") as err:
        answers_from_long(long, "assessment_id", "item", "answer", definition=TINY)
    assert err.value.row == 2
    good = answers_from_long(long.iloc[:1], "assessment_id", "item", "answer", definition=TINY)
    assert list(good.columns) == ["assessment_id", "r1", "r2", "r3", "w1", "p1"]


def test_bad_definition_is_reported() -> None:
    broken = dict(TINY, cutoffs={"medium": 6, "high": 3})
    with pytest.raises(WorkbenchError, match="cut-offs must increase"):
        load_instrument(broken)


def test_demo_definition_is_labelled_demo_and_scores_typed_data(demo: dict) -> None:
    inst = load_instrument("risk_instrument_demo")
    assert inst.demo and "DEMO" in inst.title["en"] and "ДЕМО" in inst.title["ru"]
    assert {"female", "male"} == {v for i in inst.items for v in i.applies_if.get("sex", ())}
    assert inst.is_protective("protective")
    scored = score_assessments(demo["risk_assessments"], keep=["client_id"])
    assert len(scored) == len(demo["risk_assessments"])
    assert set(scored["status"]) == {"scored", "cannot_score"}
    # overrides in the demo file always carry a reason
    assert scored.loc[scored["decided_by"] == "override", "override_reason"].str.len().gt(0).all()
