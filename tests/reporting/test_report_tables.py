"""Report tables: rows resting on fewer than min_cell records are hidden in HTML and Excel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from workbench.disclosure import Disclosure
from workbench.reporting.tables import MARKER, ReportTables, format_number

TABLE = pd.DataFrame({
    "region": ["Batken", "Naryn", "Talas"],
    "estimate": [0.4123, 0.9, 0.55],
    "ci_low": [0.35, 0.6, 0.5],
    "n": [120, 7, 10],
})


def test_suppress_rows_hides_values_below_threshold_and_keeps_labels() -> None:
    out = Disclosure(10).suppress_rows(TABLE, n="n", keep=["region"])
    assert out["suppressed"].tolist() == [False, True, False]  # 10 is enough: suppression is n < 10
    assert out.loc[1, "region"] == "Naryn"
    assert out.loc[1, ["estimate", "ci_low", "n"]].isna().all()
    assert out.loc[2, "estimate"] == 0.55
    assert TABLE.loc[1, "n"] == 7  # the input is not modified


def test_shown_html_has_marker_footnote_and_no_hidden_value(tmp_path: Path) -> None:
    tables = ReportTables(min_cell=10, language="en")
    shown = tables.show(TABLE, "Acceptance by region", keep=["region"], percent=["estimate", "ci_low"])
    html = shown._repr_html_()
    assert "41.2%" in html and "55.0%" in html
    assert "90.0%" not in html and ">7<" not in html  # Naryn's value and count are hidden
    assert f"<td>{MARKER}</td>" in html and "fewer than 10" in html

    path = tables.write_xlsx(tmp_path / "annex.xlsx", synthetic=True)
    book = load_workbook(path)
    assert "SYNTHETIC" in str(book["Contents"]["A2"].value)
    cells = [c.value for row in book.worksheets[1].iter_rows() for c in row]
    assert MARKER in cells and 7 not in cells and 0.9 not in cells and 0.4123 in cells


def test_russian_footnote_and_number_format() -> None:
    tables = ReportTables(min_cell=10, language="ru")
    shown = tables.show(TABLE, "Т", keep=["region"])
    assert "менее 10" in shown.note
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(np.float64(0.1234), 1, percent=True) == "12.3%"
    assert format_number(float("nan")) == ""
