"""Excel annexes usable as data (issue 14.6): numbers as numbers with real number formats,
values unrounded, sheet names that say what they hold, the note and the synthetic label on
every sheet, the framework matrix complete.

Oracle: hand-made tables; the expected cells and formats are written out below (Excel's
format codes: ``0.0%`` a percentage with one decimal, ``#,##0`` a grouped whole number).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from workbench.io.workbook import number_format, sheet_title
from workbench.qualitative.framework import framework_matrix, write_framework_xlsx
from workbench.reporting.messages import text
from workbench.reporting.tables import ReportTables

TABLE = pd.DataFrame({"region": ["Batken", "Naryn", "Chuy"], "share": [0.41234, 0.9, 0.55],
                      "cost": [429240.0000000001, 12.25, 3.5], "n": [120, 7, 40], "p": [0.0314, 0.5, 0.0001]})


def test_sheet_title_is_short_clean_and_unique() -> None:
    used: set[str] = set()
    assert sheet_title("T1 Acceptance: by region [weighted] / sex", used) == "T1 Acceptance by region weighte"
    assert sheet_title("t1 acceptance by region weighted", used) == "t1 acceptance by region wei (2)"  # Excel ignores case
    assert sheet_title("  ", used, "Theme") == "Theme"
    assert all(len(t) <= 31 for t in used)


def test_number_formats() -> None:
    assert number_format(1, percent=True) == "0.0%" and number_format(0) == "#,##0"
    assert number_format(2) == "#,##0.00"


def test_annex_keeps_values_and_shows_the_reports_decimals(tmp_path: Path) -> None:
    tables = ReportTables(min_cell=10, language="en")
    tables.show(TABLE, "Acceptance and cost by region", keep=["region"], percent=["share"], pvalues=["p"],
                decimals={"cost": 2}, note="Cost in som per year.")
    tables.show(TABLE[["region", "n"]], "Acceptance and cost by region", n=None, keep=["region"])
    book = load_workbook(tables.write_xlsx(tmp_path / "annex.xlsx", synthetic=True))
    assert book.sheetnames == ["Contents", "T1 Acceptance and cost by regio", "T2 Acceptance and cost by regio"]
    sheet = book.worksheets[1]
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=3, max_row=6)]
    header = [c.value for c in rows[0]]
    assert header == ["region", "share", "cost", "n", "p"]
    batken = {h: c for h, c in zip(header, rows[1])}
    assert batken["share"].value == 0.41234 and batken["share"].number_format == "0.0%"
    assert batken["cost"].value == 429240.0 and batken["cost"].number_format == "#,##0.00"  # no float tail
    assert batken["n"].value == 120 and batken["n"].number_format == "#,##0"
    assert batken["p"].number_format == "#,##0.000"
    naryn = {h: c.value for h, c in zip(header, rows[2])}
    assert naryn["share"] == "x" and naryn["n"] == "x"  # suppressed as in the report
    lines = [c.value for row in sheet.iter_rows(min_row=7) for c in row if c.value]
    assert lines[0].startswith("Cost in som per year.") and lines[-1] == text("synthetic_banner", "en")
    second = [c.value for row in book.worksheets[2].iter_rows() for c in row if c.value]
    assert second[-1] == text("synthetic_banner", "en")  # every sheet, with or without a note
    contents = [c.value for row in book["Contents"].iter_rows() for c in row]
    assert "T1 Acceptance and cost by regio" in contents


def test_framework_matrix_is_complete_and_labelled(tmp_path: Path) -> None:
    text_ = "First point about documents. " * 12 + "Second point."
    documents = pd.DataFrame({"doc_id": ["D1"], "name": ["Interview 1"], "doc_type": ["KII"], "case_id": ["C1"],
                              "text": [text_]})
    cases = pd.DataFrame({"case_id": ["C1"], "name": ["C-01"]})
    codes = pd.DataFrame({"code_id": ["DOC"], "name": ["Documents"], "parent_id": [None]})
    starts = list(range(0, 7 * 29, 29))
    segments = pd.DataFrame({"segment_id": [f"S{k}" for k in range(7)], "doc_id": "D1", "start": starts,
                             "end": [s + 28 for s in starts], "code_id": "DOC", "coder": "R1", "status": "accepted"})
    segments.loc[0, "end"] = len(text_)  # one long excerpt, kept whole
    matrix = framework_matrix(segments, documents, cases, codes)
    summary = matrix.loc[0, "summary"]
    assert "more)" not in summary and summary.count("[D1 ") == 7
    assert " ".join(text_.split()) in summary
    preview = framework_matrix(segments, documents, cases, codes, max_excerpts=2, excerpt_chars=40)
    assert preview.loc[0, "summary"].endswith("(+5)")
    book = load_workbook(write_framework_xlsx(matrix, tmp_path / "fw.xlsx", notes=["A note."], label="SYNTHETIC label"))
    for sheet in book.worksheets:  # as the annex's sheets: title A1, label A2, notes and the label again at the end
        values = [c.value for row in sheet.iter_rows() for c in row if c.value]
        assert sheet["A2"].value == "SYNTHETIC label" and values[-2:] == ["A note.", "SYNTHETIC label"], sheet.title
    assert book["Matrix"]["B4"].value == summary and book["Matrix"]["B4"].alignment.wrap_text
    unlabelled = load_workbook(write_framework_xlsx(matrix, tmp_path / "real.xlsx"))  # real data: no label
    assert unlabelled["Matrix"]["A2"].value is None and unlabelled["Matrix"]["B4"].value == summary


def test_russian_annex_has_russian_contents_the_label_on_every_sheet_and_counts_without_decimals(tmp_path: Path) -> None:
    # oracle: the catalogue's Russian words; a count (int) among two-decimal weights shows none
    tables = ReportTables(min_cell=10, language="ru")
    weights = pd.DataFrame({"statistic": ["n", "max"], "w": pd.Series([1001, 2.5], dtype=object)})
    tables.show(weights, "Веса", n=None, keep=["statistic"], decimals=2)
    book = load_workbook(tables.write_xlsx(tmp_path / "annex.xlsx", synthetic=True))
    assert book.sheetnames[0] == "Содержание" == text("annex_contents", "ru")
    contents = book["Содержание"]
    assert [c.value for c in contents[4]] == ["Лист", "Таблица", "Примечания"]
    banner = text("synthetic_banner", "ru")
    for sheet in book.worksheets:
        assert sheet["A2"].value == banner, sheet.title  # visible under the title, not only at the end
    count, weight = book.worksheets[1]["B4"], book.worksheets[1]["B5"]
    assert (count.value, count.number_format) == (1001, "#,##0")
    assert (weight.value, weight.number_format) == (2.5, "#,##0.00")


def test_units_join_the_heading_from_the_catalogue() -> None:
    # oracle: the catalogue's words for the heading and the unit, joined as each language writes it
    from workbench.reporting.sections import column_heading

    assert column_heading("annual_cost", "en") == "Annual cost (som a year)"
    assert column_heading("annual_cost", "ru") == "Годовые расходы, сом в год"
    assert column_heading("region", "en") == "Region"  # no unit, no suffix


def test_whole_numbers_without_a_column_format_show_without_grouping(tmp_path: Path) -> None:
    # oracle: Excel's "0" format (a run, decile, month or year is not a quantity: 2024, not 2,024)
    from workbench.io.workbook import AnnexSheet, AnnexWords, write_annex

    table = pd.DataFrame({"year": [2023, 2024], "share": [0.5, 0.25]})
    path = write_annex(tmp_path / "a.xlsx", [AnnexSheet("T1", "Years", table, {"share": "0.0%"})],
                       AnnexWords("Contents", "Sheet", "Table", "Notes", "Tables"))
    sheet = load_workbook(path)["T1"]
    assert [(c.value, c.number_format) for c in sheet[4]] == [(2023, "0"), (0.5, "0.0%")]
    assert sheet["A2"].value is None  # real data: no synthetic label


def test_a_measured_number_among_the_labels_keeps_its_decimals() -> None:
    # oracle: what the report shows (10 passes every column as a label; its coding alpha has 2 decimals)
    from workbench.reporting.tables import annex_formats

    table = pd.DataFrame({"run": [1, 2], "alpha": [0.706, 0.76], "n": [3, 4]})
    assert annex_formats(table, {"run", "alpha"}, set(), set(), {"alpha": 2}) == {"alpha": "#,##0.00", "n": "#,##0"}
