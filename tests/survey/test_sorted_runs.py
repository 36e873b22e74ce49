"""Coding strata and sampling units from runs of sorted rows (``coding.sorted_runs``).

Designs whose integer design columns are sorted by stratum and unit skip per-row codes;
every other layout takes the general path (integer codes per row). The two paths must
give the same design: the property tests build each design twice from the same rows, once
with integer design columns (runs) and once with the same values as floats (general path),
and compare every figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import WorkbenchError
from workbench.survey import SurveyDesign
from workbench.survey.coding import sorted_runs

SETTINGS = settings(max_examples=40, deadline=None)


def test_hand_example_gives_group_starts_and_parents() -> None:
    strata = np.array([1, 1, 1, 2, 2, 2])
    psu = np.array([5, 5, 6, 5, 7, 7])  # PSU label 5 recurs in stratum 2: a new unit
    runs = sorted_runs([[strata], [psu]])
    assert runs is not None
    assert runs.starts[0].tolist() == [0, 3]
    assert runs.parent[0].tolist() == [0, 0]
    assert runs.starts[1].tolist() == [0, 2, 3, 4]
    assert runs.parent[1].tolist() == [0, 0, 1, 1]


def test_no_strata_is_one_group() -> None:
    runs = sorted_runs([[], [np.array([3, 3, 8, 9, 9])]])
    assert runs is not None
    assert runs.starts[0].tolist() == [0]
    assert runs.starts[1].tolist() == [0, 2, 3]


@pytest.mark.parametrize("psu", [
    [1, 1, 2, 1],        # unit 1 split over two runs
    [2, 2, 1, 1],        # grouped but not sorted
])
def test_unsorted_rows_are_not_taken_as_runs(psu: list[int]) -> None:
    assert sorted_runs([[np.zeros(4, dtype=np.int64)], [np.array(psu)]]) is None


def test_rows_unsorted_only_after_the_first_rows_are_caught() -> None:
    """The quick look at the first rows only rejects; acceptance needs the full pass."""
    psu = np.repeat(np.arange(5000), 2)
    psu[-1] = 0  # unit 0 again at the very end
    assert sorted_runs([[], [psu]]) is None
    psu[-1] = psu[-2]
    assert sorted_runs([[], [psu]]) is not None


def test_non_integer_columns_are_not_taken_as_runs() -> None:
    assert sorted_runs([[np.array([1.0, 1.0, 2.0])], [np.array([1, 2, 3])]]) is None
    assert sorted_runs([[np.array(["a", "a", "b"], dtype=object)], [np.arange(3)]]) is None


@st.composite
def sorted_designs(draw) -> pd.DataFrame:
    """Two-stage stratified samples, sorted by stratum, PSU and SSU, with fpc per stage."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows = []
    for stratum in range(draw(st.integers(1, 4))):
        n_psu = int(rng.integers(2, 5))
        for psu in rng.choice(20, n_psu, replace=False):  # labels recur across strata
            n_ssu = int(rng.integers(1, 4))
            for ssu in range(n_ssu):
                for _ in range(int(rng.integers(1, 4))):
                    rows.append((stratum, 10 * stratum + 1, int(psu), ssu, 30, n_ssu + 2))
    frame = pd.DataFrame(rows, columns=["stratum", "region", "psu", "ssu", "fpc1", "fpc2"])
    frame = frame.sort_values(["stratum", "psu", "ssu"], kind="stable").reset_index(drop=True)
    frame["w"] = rng.uniform(0.5, 3.0, len(frame))
    frame["y"] = rng.normal(10, 3, len(frame)).round(2)
    frame["g"] = rng.choice([1, 2, 3], len(frame))
    return frame


def _as_floats(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    out[columns] = out[columns].astype(float)
    return out


def _figures(design: SurveyDesign) -> pd.DataFrame:
    return pd.concat([design.mean("y"), design.total("y"), design.mean("y", by="g")],
                     ignore_index=True)[["estimate", "se", "df", "deff", "n"]]


@SETTINGS
@given(frame=sorted_designs())
def test_runs_and_general_path_give_the_same_design(frame: pd.DataFrame) -> None:
    specs = [
        dict(weights="w", strata="stratum", psu="psu"),
        dict(weights="w", strata=["region", "stratum"], psu="psu"),
        dict(weights="w", strata="stratum", psu=["psu", "ssu"], fpc=["fpc1", "fpc2"]),
        dict(strata="stratum", psu=["psu", "ssu"], fpc=["fpc1", "fpc2"]),  # weights from fpc
        dict(weights="w", strata="stratum", psu=None),
        dict(weights="w", psu="psu"),
    ]
    design_columns = ["stratum", "region", "psu", "ssu"]
    for spec in specs:
        runs = SurveyDesign(frame, lonely_psu="certainty", **spec)
        general = SurveyDesign(_as_floats(frame, design_columns), lonely_psu="certainty",
                               **spec)
        assert runs.n_psu == general.n_psu and runs.n_strata == general.n_strata
        assert runs.degf() == general.degf()
        assert [np.asarray(label).tolist() for label in runs._strata_labels] == \
            [np.asarray(label).tolist() for label in general._strata_labels]
        np.testing.assert_allclose(runs.weights, general.weights, rtol=1e-12)
        pd.testing.assert_frame_equal(_figures(runs), _figures(general), rtol=1e-10)
        for stage_runs, stage_general in zip(runs.stages, general.stages):
            np.testing.assert_array_equal(stage_runs.unit_codes, stage_general.unit_codes)


def test_sorted_design_takes_the_runs_path() -> None:
    """Guards the fast path itself: sorted integer columns give stages without row codes."""
    frame = pd.DataFrame({"stratum": [1, 1, 1, 1, 2, 2, 2, 2], "psu": [1, 1, 2, 2, 1, 1, 3, 3],
                          "w": 1.0, "y": np.arange(8.0)})
    stage = SurveyDesign(frame, weights="w", strata="stratum", psu="psu").stages[0]
    assert stage.units._codes is None  # codes not built: units known by their starts
    assert stage.units.is_sorted()
    assert stage.unit_codes.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_nullable_integer_design_columns_take_the_runs_path() -> None:
    """The data dictionaries deliver design columns as pandas Int64."""
    frame = pd.DataFrame({"stratum": [1, 1, 1, 1, 2, 2, 2, 2], "psu": [1, 1, 2, 2, 1, 1, 3, 3],
                          "w": 1.5, "y": np.arange(8.0)})
    nullable = frame.astype({"stratum": "Int64", "psu": "Int64", "w": "Float64"})
    design = SurveyDesign(nullable, weights="w", strata="stratum", psu="psu")
    assert design.stages[0].units._codes is None
    reference = SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    pd.testing.assert_frame_equal(design.mean("y"), reference.mean("y"))


def test_missing_value_in_a_nullable_design_column_is_a_clear_error() -> None:
    frame = pd.DataFrame({"stratum": pd.array([1, 1, None, 2], dtype="Int64"),
                          "psu": [1, 2, 1, 2], "w": 1.0, "y": np.arange(4.0)})
    with pytest.raises(WorkbenchError, match="missing value in the strata column") as error:
        SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    assert error.value.row == 3
