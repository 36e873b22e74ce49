"""Bad input gives a clear WorkbenchError naming the column and what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.survey import SurveyDesign


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"h": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "w": [1.0, 2.0, 1.0, 3.0],
                         "y": [1.0, 2.0, 3.0, 4.0], "label": ["a", "b", "a", "b"]})


def test_negative_weight(frame):
    frame.loc[2, "w"] = -1.0
    with pytest.raises(WorkbenchError, match="negative weight") as info:
        SurveyDesign(frame, weights="w")
    assert info.value.column == "w" and info.value.row == 3


def test_missing_weight(frame):
    frame.loc[1, "w"] = np.nan
    with pytest.raises(WorkbenchError, match="missing or infinite weight") as info:
        SurveyDesign(frame, weights="w")
    assert info.value.row == 2


def test_stratum_with_one_psu_fails_by_default(frame):
    frame.loc[3, "h"] = 3
    with pytest.raises(WorkbenchError, match="only one PSU") as info:
        SurveyDesign(frame, weights="w", strata="h", psu="psu")
    assert "lonely_psu" in str(info.value)


def test_unknown_variable(frame):
    design = SurveyDesign(frame, weights="w")
    with pytest.raises(WorkbenchError, match="does not exist") as info:
        design.mean("income")
    assert info.value.column == "income"
    with pytest.raises(WorkbenchError, match="does not exist"):
        SurveyDesign(frame, weights="weight")


def test_non_numeric_mean(frame):
    design = SurveyDesign(frame, weights="w")
    with pytest.raises(WorkbenchError, match="not numeric") as info:
        design.mean("label")
    assert info.value.column == "label"


def test_fpc_smaller_than_sample(frame):
    frame["N"] = 1.5
    with pytest.raises(WorkbenchError, match="smaller than the number of sampled"):
        SurveyDesign(frame, weights="w", fpc="N")


def test_rake_target_missing_for_a_sample_category(frame):
    design = SurveyDesign(frame, weights="w")
    with pytest.raises(WorkbenchError, match="without population target"):
        design.rake({"label": {"a": 10}})


def test_subset_mask_wrong_length(frame):
    with pytest.raises(WorkbenchError, match="wrong length"):
        SurveyDesign(frame, weights="w").subset([True, False])


def test_separated_logistic_model_is_a_clear_error():
    # category "b" holds only b = 1 beside a perfectly separating x: no finite MLE, and
    # Newton's information matrix becomes singular
    data = pd.DataFrame({"b": [0, 0, 1, 1, 0, 1, 1, 0], "x": [1.0, 2, 3, 4, 5, 6, 7, 8],
                         "c": ["a", "a", "b", "b", "a", "b", "b", "a"]})
    with pytest.raises(WorkbenchError, match="separation") as info:
        SurveyDesign(data).glm("b ~ x + C(c)", family="binomial")
    assert info.value.column == "b"
