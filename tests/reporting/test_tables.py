"""ReportTables.show_counts: already-suppressed count tables keep the marker in HTML and Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from workbench.errors import WorkbenchError
from workbench.disclosure import Disclosure
from workbench.reporting.tables import MARKER, ReportTables

# Hand-made 2 x 2 table: (2021, female) = 3 is below 10 (primary); with sex totals shown, the
# 2021 line "male + female = total" would give it away, so the 2021 male cell (40) is hidden too.
TRUE_COUNTS = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "sex": ["male", "female", "male", "female"],
                            "n": [40, 3, 52, 12]})


def _wide() -> pd.DataFrame:
    suppressed = Disclosure(10).suppress_counts(TRUE_COUNTS, "n", ["sex"], dims=["year", "sex"])
    return suppressed.pivot(index="year", columns="sex", values="n").reset_index()[["year", "male", "female",
                                                                                     "Total"]]


def test_hidden_cells_show_the_marker_and_the_footnote(tmp_path: Path) -> None:
    tables = ReportTables(min_cell=10, language="en")
    wide = _wide()
    assert wide["female"].isna().tolist() == [True, False] and wide["male"].isna().tolist() == [True, False]
    shown = tables.show_counts(wide, "People by year and sex", keep=["year"], labels={"year": "Year"})
    html = shown._repr_html_()
    assert html.count(f"<td>{MARKER}</td>") == 2
    assert "<td>43</td>" in html and "<td>52</td>" in html and "<td>12</td>" in html and "<td>64</td>" in html
    assert "<td>3</td>" not in html and "<td>40</td>" not in html
    assert "fewer than 10" in shown.note and ">Year<" in html

    book = load_workbook(tables.write_xlsx(tmp_path / "annex.xlsx"))
    cells = [c.value for row in book.worksheets[1].iter_rows() for c in row]
    assert cells.count(MARKER) == 2 and 3 not in cells and 40 not in cells and 52 in cells and 64 in cells


def test_no_footnote_without_hidden_cells_and_custom_note() -> None:
    tables = ReportTables(min_cell=10, language="ru")
    visible = pd.DataFrame({"year": [2021, 2022], "n": [15, 20]})
    assert tables.show_counts(visible, "T", keep=["year"]).note == ""
    hidden = pd.DataFrame({"year": [2021, 2022], "n": pd.array([pd.NA, 20], dtype="Int64")})
    shown = tables.show_counts(hidden, "T", keep=["year"], note="Source: register.", hidden_note="x: hidden.")
    assert shown.note == "Source: register. x: hidden."


def test_a_count_that_is_not_a_whole_number_is_refused() -> None:
    with pytest.raises(WorkbenchError, match="whole number"):
        ReportTables().show_counts(pd.DataFrame({"year": [2021], "n": [2.5]}), "T", keep=["year"])
