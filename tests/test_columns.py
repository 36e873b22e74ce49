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
