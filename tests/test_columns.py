"""require_columns: one check, one message (oracle: hand-made tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

TABLE = pd.DataFrame({"case_id": [1], "sex": ["female"]})


def test_present_columns_pass_and_optional_none_is_skipped() -> None:
    require_columns(TABLE, ["case_id", "sex", None, "sex"])
    require_columns(TABLE, [])


def test_missing_columns_are_all_named_with_the_table_and_file() -> None:
    with pytest.raises(WorkbenchError) as caught:
        require_columns(TABLE, ["case_id", "region", "age"], what="the cases table", file="cases.csv")
    error = caught.value
    assert error.column == "region, age" and error.file == "cases.csv"
    assert str(error) == ("file cases.csv, column 'region, age': the cases table lacks columns "
                          "(expected columns case_id, region, age; it has case_id, sex)")
    with pytest.raises(WorkbenchError, match="lacks a column"):
        require_columns(pd.DataFrame(), ["x"])


def test_callers_name_the_missing_columns_the_same_way() -> None:
    # hand-made tables lacking a column: the framework matrix (cases, written matrix) and the
    # assessment table of the feasibility counts all report through require_columns
    from workbench.feasibility.counts import latest_levels
    from workbench.qualitative.framework import framework_matrix, write_framework_xlsx

    with pytest.raises(WorkbenchError, match="the cases table lacks a column") as caught:
        framework_matrix(pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"sex": ["f"]}), pd.DataFrame(), themes=[])
    assert caught.value.column == "case_id"
    with pytest.raises(WorkbenchError, match="the framework matrix lacks columns"):
        write_framework_xlsx(pd.DataFrame({"case_id": [1]}), "unused.xlsx")
    with pytest.raises(WorkbenchError, match="the assessment table lacks a column") as caught:
        latest_levels(pd.DataFrame({"client_id": [1], "assessment_date": ["2024-01-01"]}), "2024-06-30")
    assert caught.value.column == "risk_level"
