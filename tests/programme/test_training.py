"""Training evaluation against hand calculations, scipy and statsmodels."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from workbench.errors import WorkbenchError
from workbench.programme import training

ITEMS = ["q1", "q2", "q3", "q4", "q5"]

# Hand-made case: 8 participants, 5 items of 1 point; P8 missed the post-test.
#            pre answers       post answers     pre  post  change
# P1         1 0 0 0 0         1 1 1 0 0         1    3     +2
# P2         1 1 0 0 0         1 1 1 1 0         2    4     +2
# P3         0 0 0 0 0         1 0 0 0 0         0    1     +1
# P4         1 1 1 0 0         1 1 1 0 0         3    3      0
# P5         1 1 1 1 0         1 1 0 0 0         4    2     -2
# P6         0 1 0 0 0         1 1 1 1 1         1    5     +4
# P7         1 0 1 0 0         1 1 1 1 0         2    4     +2
# P8         0 0 1 0 0         (no post-test)    1
PRE = {"P1": [1, 0, 0, 0, 0], "P2": [1, 1, 0, 0, 0], "P3": [0, 0, 0, 0, 0], "P4": [1, 1, 1, 0, 0],
       "P5": [1, 1, 1, 1, 0], "P6": [0, 1, 0, 0, 0], "P7": [1, 0, 1, 0, 0], "P8": [0, 0, 1, 0, 0]}
POST = {"P1": [1, 1, 1, 0, 0], "P2": [1, 1, 1, 1, 0], "P3": [1, 0, 0, 0, 0], "P4": [1, 1, 1, 0, 0],
        "P5": [1, 1, 0, 0, 0], "P6": [1, 1, 1, 1, 1], "P7": [1, 1, 1, 1, 0]}


def _tests() -> pd.DataFrame:
    rows = []
    for phase, answers in (("pre", PRE), ("post", POST)):
        for person, values in answers.items():
            rows.append({"test_id": f"{person}-{phase}", "participant_id": person, "phase": phase,
                         **dict(zip(ITEMS, values))})
    return pd.DataFrame(rows)


def _attributes() -> pd.DataFrame:
    return pd.DataFrame({"participant_id": list(PRE), "sex": [1, 2, 1, 2, 1, 2, 2, 1],
                         "trainer_id": ["T1", "T1", "T1", "T2", "T2", "T2", "T2", "T1"]})


def test_scores_and_change_by_hand():
    scores = training.participant_scores(_tests(), ITEMS).set_index("participant_id")
    assert scores["pre_score"].to_dict() == {"P1": 1, "P2": 2, "P3": 0, "P4": 3, "P5": 4, "P6": 1, "P7": 2, "P8": 1}
    assert scores.loc["P6", "post_score"] == 5 and scores.loc["P5", "change"] == -2
    assert np.isnan(scores.loc["P8", "post_score"]) and not scores.loc["P8", "has_post"]
    assert scores.loc["P2", "pre_pct"] == pytest.approx(40.0) and scores.loc["P2", "change_pct"] == pytest.approx(40.0)
    assert scores["improved"].tolist()[:7] == [True, True, True, False, False, True, True]
    assert pd.isna(scores.loc["P8", "improved"])


def test_share_improved_with_clopper_pearson_by_hand():
    scores = training.participant_scores(_tests(), ITEMS)
    result = training.share_improved(scores).iloc[0]
    # hand: 7 participants with both tests, 5 improved (P1 P2 P3 P6 P7), 1 same, 1 worse; P8 excluded
    assert (result["n_participants"], result["n_without_post"], result["n_paired"]) == (8, 1, 7)
    assert (result["n_improved"], result["n_same"], result["n_worse"]) == (5, 1, 1)
    assert result["share_improved"] == pytest.approx(5 / 7)
    # Clopper-Pearson written out: lower = Beta(a/2; k, n-k+1), upper = Beta(1-a/2; k+1, n-k)
    k, n = 5, 7
    assert result["ci_low"] == pytest.approx(stats.beta.ppf(0.025, k, n - k + 1), rel=1e-9)
    assert result["ci_high"] == pytest.approx(stats.beta.ppf(0.975, k + 1, n - k), rel=1e-9)
    assert "denominator = participants who took both tests" in result["definition"]
    assert "out of 5" in result["definition"]


def test_share_improved_all_improved_upper_limit_is_one():
    tests = _tests()
    keep = tests["participant_id"].isin(["P1", "P2", "P3"])
    result = training.share_improved(training.participant_scores(tests[keep], ITEMS)).iloc[0]
    # k = n = 3: lower = Beta(0.025; 3, 1) = 0.025 ** (1/3), upper = 1
    assert result["ci_low"] == pytest.approx(0.025 ** (1 / 3), rel=1e-9)
    assert result["ci_high"] == pytest.approx(1.0)


def test_min_gain_changes_definition_and_count():
    scores = training.participant_scores(_tests(), ITEMS, min_gain=2)
    result = training.share_improved(scores).iloc[0]
    # hand: gains >= 2 are P1, P2, P6, P7 -> 4 of 7
    assert result["n_improved"] == 4
    assert "at least 2 points" in result["definition"]
    assert "хотя бы" not in training.improvement_definition(2, 20, "ru")


def test_wilcoxon_matches_scipy():
    scores = training.participant_scores(_tests(), ITEMS)
    row = training.paired_score_tests(scores).set_index("test").loc["wilcoxon_signed_rank"]
    pre = np.array([1, 2, 0, 3, 4, 1, 2])  # hand-typed from the table above (P8 has no post)
    post = np.array([3, 4, 1, 3, 2, 5, 4])
    reference = stats.wilcoxon(post, pre)
    assert row["statistic"] == pytest.approx(reference.statistic)
    assert row["p_value"] == pytest.approx(reference.pvalue)
    assert row["n_pairs"] == 7 and row["n_nonzero"] == 6
    assert row["estimate"] == pytest.approx(2.0)  # median of changes 2,2,1,0,-2,4,2
    # rank-biserial by hand: |d| = 2,2,1,2,4,2 -> ranks 3.5,3.5,1,3.5,6,3.5; negative rank 3.5 of 21
    assert row["effect"] == pytest.approx((21 - 2 * 3.5) / 21)


def test_paired_t_matches_scipy():
    scores = training.participant_scores(_tests(), ITEMS)
    row = training.paired_score_tests(scores).set_index("test").loc["paired_t"]
    diff = np.array([2, 2, 1, 0, -2, 4, 2])
    assert row["estimate"] == pytest.approx(diff.mean())
    half = stats.t.ppf(0.975, 6) * diff.std(ddof=1) / np.sqrt(7)
    assert row["ci_low"] == pytest.approx(diff.mean() - half) and row["ci_high"] == pytest.approx(diff.mean() + half)


def test_mcnemar_per_item_exact_binomial_by_hand():
    result = training.item_mcnemar(_tests(), ITEMS).set_index("item")
    # q3 over the 7 pairs: right before only = P5 (b = 1); right after only = P1, P2, P6 (c = 3)
    q3 = result.loc["q3"]
    assert (q3["n_correct_pre_only"], q3["n_correct_post_only"]) == (1, 3)
    exact = min(1.0, 2 * sum(comb(4, k) for k in range(0, 2)) / 2**4)  # two-sided binomial, n = 4
    assert q3["p_value"] == pytest.approx(exact)
    # q2 against statsmodels, table written out by hand: right both times P2 P4 P5 P6 (4),
    # right before only none (0), right after only P1 P7 (2), wrong both times P3 (1)
    q2 = result.loc["q2"]
    assert (q2["n_correct_pre_only"], q2["n_correct_post_only"]) == (0, 2)
    assert q2["p_value"] == pytest.approx(mcnemar([[4, 0], [2, 1]], exact=True).pvalue)
    assert q2["p_value"] == pytest.approx(0.5)  # 2 * 0.5**2 by hand
    assert result.loc["q1", "pre_correct"] == pytest.approx(5 / 7) and result.loc["q1", "post_correct"] == 1.0


def test_item_difficulty_and_discrimination_by_hand():
    result = training.item_statistics(_tests(), ITEMS).set_index(["item", "phase"])
    # difficulty of q1 before: right for P1 P2 P4 P5 P7 = 5 of 8
    assert result.loc[("q1", "pre"), "difficulty"] == pytest.approx(5 / 8)
    assert result.loc[("q1", "post"), "n"] == 7
    # q1 after training is right for everyone: no variance -> discrimination undefined
    assert np.isnan(result.loc[("q1", "post"), "discrimination"])
    # q2 before: item 0,1,0,1,1,1,0,0; rest score (total - item) 1,1,0,2,3,0,2,1
    item = np.array([0, 1, 0, 1, 1, 1, 0, 0])
    rest = np.array([1, 1, 0, 2, 3, 0, 2, 1])
    assert result.loc[("q2", "pre"), "discrimination"] == pytest.approx(stats.pearsonr(item, rest)[0])


def test_results_by_group_and_trainer():
    scores = training.participant_scores(_tests(), ITEMS, attributes=_attributes())
    by_trainer = training.results_by(scores, ["trainer_id"]).set_index("trainer_id")
    # T1 trains P1 P2 P3 P8 (P8 no post): 3 paired, 3 improved; T2: P4 P5 P6 P7: 2 of 4
    assert by_trainer.loc["T1", ["n_participants", "n_paired", "n_improved"]].tolist() == [4, 3, 3]
    assert by_trainer.loc["T2", ["n_paired", "n_improved"]].tolist() == [4, 2]
    # mean change in percentage points for T2: (0 - 2 + 4 + 2) / 4 points = 1 point = 20 pp
    assert by_trainer.loc["T2", "mean_change_pct"] == pytest.approx(20.0)
    trainer_scores = pd.DataFrame({"participant_id": ["T1", "T2"], "pre_pct": [50.0, 60.0],
                                   "post_pct": [80.0, 90.0], "change_pct": [30.0, 30.0]})
    joined = training.trainer_results(scores, trainer_scores).set_index("trainer_id")
    assert joined.loc["T1", "tot_post_pct"] == 80.0 and joined.loc["T1", "n_improved"] == 3


def test_post_test_without_pre_test_is_an_error():
    tests = _tests()
    tests = tests[~((tests["participant_id"] == "P3") & (tests["phase"] == "pre"))]
    with pytest.raises(WorkbenchError, match="no pre-test") as err:
        training.participant_scores(tests, ITEMS)
    assert err.value.record_id == "P3-post"


def test_score_above_maximum_is_an_error():
    tests = _tests()
    tests.loc[3, "q4"] = 2
    with pytest.raises(WorkbenchError, match="above the item's maximum") as err:
        training.participant_scores(tests, ITEMS)
    assert err.value.column == "q4" and err.value.row == 4 and err.value.record_id == "P4-pre"
    # with partial credit up to 2 points the same value is valid
    scores = training.participant_scores(tests, ITEMS, max_points={i: 2 for i in ITEMS})
    assert scores["max_score"].iloc[0] == 10


@pytest.mark.parametrize("column, value, message", [
    ("phase", "middle", "unknown test phase"),
    ("q1", -1, "below 0"),
    ("q1", "x", "not a number"),
])
def test_other_bad_input(column, value, message):
    tests = _tests().astype({column: object})
    tests.loc[0, column] = value
    with pytest.raises(WorkbenchError, match=message):
        training.participant_scores(tests, ITEMS)


def test_duplicate_phase_is_an_error():
    tests = pd.concat([_tests(), _tests().iloc[[0]]], ignore_index=True)
    with pytest.raises(WorkbenchError, match="two tests of the same phase"):
        training.participant_scores(tests, ITEMS)


def test_blank_item_counts_as_wrong():
    tests = _tests()
    tests["q2"] = tests["q2"].astype(float)
    tests.loc[1, "q2"] = np.nan  # P2 pre, was 1
    scores = training.participant_scores(tests, ITEMS).set_index("participant_id")
    assert scores.loc["P2", "pre_score"] == 1 and scores.loc["P2", "n_blank_pre"] == 1


def test_participant_counts_by_hand():
    people = pd.DataFrame({"role": ["trainer"] * 3 + ["officer"] * 4, "sex": [2, 2, 1, 1, 1, 2, 1]})
    table = training.participant_counts(people).set_index("role")
    assert table.loc["trainer", ["n", "n_female"]].tolist() == [3, 2]
    assert table.loc["officer", "share_female"] == pytest.approx(0.25)
    assert table.loc["all", "n"] == 7
