"""Integer-coded categories (the data dictionaries' representation) give the same estimates
as the same variable coded as text, and the offset coding equals pandas' hashing.

References: ``pd.factorize(values, sort=True)`` (independent implementation of the category
coding) and the text-coded path of the same design (the estimates must not depend on how a
category is spelt, only on which rows share it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.survey import SurveyDesign
from workbench.survey.coding import sorted_codes

# Text labels sort in the same order as their integer codes, so level i of one matches
# level i of the other; "99_refused" / 99 is the declared missing code.
LABELS = {1: "1_low", 2: "2_mid", 3: "3_high", 99: "99_refused"}


def _survey(seed: int = 7, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    answer = rng.choice([1, 2, 3, 99], n, p=[.3, .3, .3, .1]).astype(object)
    answer[rng.uniform(size=n) < 0.08] = None
    region = rng.integers(1, 4, n)
    text = pd.Series(answer).map(LABELS)
    return pd.DataFrame({
        "stratum": np.repeat(np.arange(4), n // 4),
        "psu": np.repeat(np.arange(20), n // 20),
        "w": rng.uniform(0.5, 2.0, n),
        "y": rng.normal(50, 10, n),
        "answer_int": pd.array(answer, dtype="Int64"),
        "answer_float": pd.array(answer, dtype="Int64").astype(float),
        "answer_text": text,
        "region_int": region,
        "region_text": pd.Series(region).map({1: "r1", 2: "r2", 3: "r3"}),
    })


@pytest.fixture(scope="module")
def design() -> SurveyDesign:
    data = _survey()
    assert data["answer_int"].isna().any() and (data["answer_int"] == 99).any()
    return SurveyDesign(data, weights="w", strata="stratum", psu="psu",
                        missing_codes={"answer_int": [99], "answer_float": [99],
                                       "answer_text": ["99_refused"]})


def _numbers(frame: pd.DataFrame, drop: list[str]) -> pd.DataFrame:
    return frame.drop(columns=drop).select_dtypes("number").reset_index(drop=True)


@pytest.mark.parametrize("coded", ["answer_int", "answer_float"])
def test_proportion_same_for_integer_and_text(design: SurveyDesign, coded: str) -> None:
    ours, text = design.proportion(coded), design.proportion("answer_text")
    assert [LABELS[int(v)] for v in ours["category"]] == list(text["category"])
    assert "99_refused" not in set(text["category"])
    pd.testing.assert_frame_equal(_numbers(ours, ["category"]), _numbers(text, ["category"]))
    assert (ours["n_missing"] > 0).all()  # NA and the declared code were both dropped


@pytest.mark.parametrize("coded", ["answer_int", "answer_float"])
def test_mean_by_domain_same_for_integer_and_text(design: SurveyDesign, coded: str) -> None:
    ours, text = design.mean("y", by=coded), design.mean("y", by="answer_text")
    assert [LABELS[int(v)] for v in ours[coded]] == list(text["answer_text"])
    pd.testing.assert_frame_equal(_numbers(ours, [coded]), _numbers(text, ["answer_text"]))


@pytest.mark.parametrize("coded", ["answer_int", "answer_float"])
def test_crosstab_same_for_integer_and_text(design: SurveyDesign, coded: str) -> None:
    ours = design.crosstab(coded, "region_int")
    text = design.crosstab("answer_text", "region_text")
    assert [LABELS[int(v)] for v in ours.table[coded]] == list(text.table["answer_text"])
    pd.testing.assert_frame_equal(_numbers(ours.table, [coded, "region_int"]),
                                  _numbers(text.table, ["answer_text", "region_text"]))
    for key in ["F", "ndf", "ddf", "p_value", "chisq", "pearson"]:
        assert ours.test[key] == text.test[key], key


@pytest.mark.parametrize("values", [
    pd.Series(pd.array([3, 1, None, 98, 1, 99, None], dtype="Int64")),
    pd.Series(pd.array([2, None, 0, 2], dtype="Int32")),
    pd.Series(pd.array([5, 5, 5], dtype="UInt8")),
    pd.Series(pd.array([None, None], dtype="Int64")),
    pd.Series(np.array([7, -3, 7, 0], dtype=np.int64)),
    pd.Series(np.array([3, 1], dtype=np.uint64)),
    pd.Series([2.0, np.nan, 1.0, 99.0, 1.0]),
    pd.Series([-0.0, 0.0, 1.0]),  # -0.0 and 0.0 are one level; pandas keeps the first
    pd.Series([0.0, -0.0, np.nan]),
    pd.Series([1.5, 2.0, np.nan]),  # not whole numbers: the hashing path
    pd.Series([np.inf, 1.0]),
    pd.Series([10.0 ** 15, -10.0 ** 15]),  # too wide a range for an offset table
], ids=lambda s: str(s.dtype))
def test_sorted_codes_equal_pandas_factorize(values: pd.Series) -> None:
    codes, levels = sorted_codes(values)
    expected_codes, expected_levels = pd.factorize(values, sort=True)
    expected_levels = np.asarray(expected_levels)
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == np.int64
    assert levels.dtype == expected_levels.dtype
    np.testing.assert_array_equal(levels, expected_levels)
    np.testing.assert_array_equal(np.signbit(levels.astype(float)),
                                  np.signbit(expected_levels.astype(float)))


def test_integer_input_not_modified(design: SurveyDesign) -> None:
    data = _survey()
    before = data.copy()
    fresh = SurveyDesign(data, weights="w", strata="stratum", psu="psu",
                         missing_codes={"answer_int": [99]})
    fresh.proportion("answer_int")
    fresh.mean("y", by="region_int")
    pd.testing.assert_frame_equal(data, before)
