"""Supervision quality: compliance by hand, reviewer agreement against the reliability module."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.errors import WorkbenchError
from workbench.programme import supervision
from workbench.agreement import cohen_kappa

STANDARDS = ["std_a", "std_b"]


def _offices() -> pd.DataFrame:
    return pd.DataFrame({"office_id": ["O1", "O2", "O3"], "region": [1, 2, 2]})


def _reviews() -> pd.DataFrame:
    # internal reviews (I*) of six case files, external reviews (E*) of four of them.
    # std_a: 1 met, 0 not met; std_b uses 8 = not applicable and one blank
    rows = [
        # id    office case  type        date          std_a std_b
        ("I1", "O1", "C1", "internal", "2024-01-10", 1, 1),
        ("I2", "O1", "C2", "internal", "2024-01-12", 1, 0),
        ("I3", "O1", "C3", "internal", "2024-04-02", 0, 8),
        ("I4", "O2", "C4", "internal", "2024-04-05", 0, 0),
        ("I5", "O2", "C5", "internal", "2024-04-06", 1, None),
        ("I6", "O2", "C6", "internal", "2024-05-01", 0, 1),
        ("I7", "O1", "C1", "internal", "2024-06-20", 0, 1),   # the same file again, later
        ("E1", "O1", "C1", "external", "2024-01-25", 1, 1),   # closest internal review: I1
        ("E2", "O1", "C2", "external", "2024-01-30", 0, 0),
        ("E3", "O2", "C4", "external", "2024-04-20", 0, 1),
        ("E4", "O2", "C6", "external", "2024-05-10", 0, 1),
    ]
    frame = pd.DataFrame(rows, columns=["review_id", "office_id", "case_id", "reviewer_type", "review_date",
                                        "std_a", "std_b"])
    frame["review_kind"] = "case_file"
    return frame


def test_compliance_by_hand():
    internal = _reviews()[lambda r: r["reviewer_type"] == "internal"]
    result = supervision.compliance(internal, STANDARDS).set_index("standard")
    # std_a over 7 internal reviews: met I1 I2 I5 = 3 of 7
    assert result.loc["std_a", ["n_applicable", "n_met"]].tolist() == [7, 3]
    # std_b: I3 not applicable, I5 blank -> 5 applicable; met I1 I6 I7 = 3
    assert result.loc["std_b", ["n_applicable", "n_met"]].tolist() == [5, 3]
    assert result.loc["ALL", ["n_applicable", "n_met"]].tolist() == [12, 6]
    assert result.loc["ALL", "share_met"] == pytest.approx(0.5)
    by_office = supervision.compliance(internal, STANDARDS, ["office_id"]).set_index(["office_id", "standard"])
    # O2 std_a: I4 0, I5 1, I6 0 -> 1 of 3
    assert by_office.loc[("O2", "std_a"), "n_met"] == 1 and by_office.loc[("O2", "std_a"), "n_reviews"] == 3


def test_compliance_over_time_quarters():
    internal = _reviews()[lambda r: r["reviewer_type"] == "internal"]
    result = supervision.compliance_over_time(internal, STANDARDS)
    all_rows = result[result["standard"] == "ALL"].set_index("period")
    # 2024Q1: I1 I2 (std_a 2 met, std_b 1 of 2) = 3 of 4; Q2: I3..I7 -> std_a 1/5, std_b 2/3
    assert all_rows.loc["2024Q1", ["n_applicable", "n_met"]].tolist() == [4, 3]
    assert all_rows.loc["2024Q2", ["n_applicable", "n_met"]].tolist() == [8, 3]


def test_pairing_uses_the_closest_internal_review():
    pairs = supervision.paired_reviews(_reviews()).set_index("review_id_external")
    assert pairs.loc["E1", "review_id_internal"] == "I1"   # not I7, five months later
    assert pairs["review_id_internal"].to_dict() == {"E1": "I1", "E2": "I2", "E3": "I4", "E4": "I6"}


def test_reviewer_agreement_calls_reliability_kappa():
    result = supervision.reviewer_agreement(_reviews(), STANDARDS).set_index("standard")
    # std_a pairs (internal, external): I1/E1 (1,1), I2/E2 (1,0), I4/E3 (0,0), I6/E4 (0,0)
    internal, external = [1, 1, 0, 0], [1, 0, 0, 0]
    assert result.loc["std_a", "n_pairs"] == 4
    assert result.loc["std_a", "kappa"] == pytest.approx(cohen_kappa(np.array([internal, external])).estimate)
    # independent check: scikit-learn; and by hand p_o = 3/4, p_e = .5*.25 + .5*.75 = .5 -> 0.5
    assert result.loc["std_a", "kappa"] == pytest.approx(cohen_kappa_score(internal, external))
    assert result.loc["std_a", "kappa"] == pytest.approx(0.5)
    assert result.loc["std_a", "percent_agreement"] == pytest.approx(0.75)
    interval = cohen_kappa(np.array([internal, external]))
    assert result.loc["std_a", "kappa_se"] == pytest.approx(interval.se)
    # std_b pairs: (1,1), (0,0), (0,1), (1,1) -> all four comparable
    b_int, b_ext = [1, 0, 0, 1], [1, 0, 1, 1]
    assert result.loc["std_b", "kappa"] == pytest.approx(cohen_kappa_score(b_int, b_ext))
    pooled = cohen_kappa_score(internal + b_int, external + b_ext)
    assert result.loc["ALL", "kappa"] == pytest.approx(pooled) and result.loc["ALL", "n_pairs"] == 8


def test_office_scores_and_below_standard():
    internal = _reviews()[lambda r: r["reviewer_type"] == "internal"]
    scores = supervision.office_scores(internal, _offices(), STANDARDS, threshold=0.6).set_index("office_id")
    # O1: std_a 1,1,0,0 (2/4) + std_b 1,0,1 (2/3) = 4/7; O2: std_a 0,1,0 + std_b 0,1 = 2/5; O3: none
    assert scores.loc["O1", "share_met"] == pytest.approx(4 / 7)
    assert scores.loc["O2", "share_met"] == pytest.approx(2 / 5)
    assert scores.loc["O3", "n_reviews"] == 0 and np.isnan(scores.loc["O3", "share_met"])
    assert scores["below_standard"].to_dict() == {"O1": True, "O2": True, "O3": False}
    below = supervision.offices_below_standard(internal, _offices(), STANDARDS, threshold=0.6)
    assert below["office_id"].tolist() == ["O2", "O1"]   # lowest share first
    assert not below["clearly_below"].any()               # n is tiny: upper limits above 0.6


def test_review_of_unknown_office_is_an_error():
    reviews = _reviews()
    reviews.loc[4, "office_id"] = "O9"
    with pytest.raises(WorkbenchError, match="office that is not in the offices table") as err:
        supervision.office_scores(reviews, _offices(), STANDARDS)
    assert err.value.record_id == "I5" and err.value.value == "O9" and err.value.row == 5


def test_bad_standard_code_is_an_error():
    reviews = _reviews()
    reviews.loc[0, "std_a"] = 3
    with pytest.raises(WorkbenchError, match="met / not met / not applicable"):
        supervision.check_reviews(reviews, _offices(), STANDARDS)


def test_review_counts_by_hand():
    table = supervision.review_counts(_reviews(), ["reviewer_type"]).set_index("reviewer_type")
    # internal: 7 reviews of 6 files in 2 offices, 10 Jan to 20 Jun 2024; external: 4 reviews
    assert table.loc["internal", ["n_reviews", "n_offices", "n_cases"]].tolist() == [7, 2, 6]
    assert table.loc["internal", "first_date"] == pd.Timestamp("2024-01-10")
    assert table.loc["external", "n_reviews"] == 4
