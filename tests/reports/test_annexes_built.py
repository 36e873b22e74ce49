"""Excel annexes usable as data, on the built demo reports (issue 14.6): a contents sheet in
the report language, the synthetic label under the title of every sheet, numbers as numbers
with a real number format, no float tails, units in the headings of columns that have one.

Oracle: the message catalogue (the words each language must show) and properties every
annex must hold; checked with openpyxl on the workbooks the build wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbench.io.workbook import SIGNIFICANT
from workbench.reporting.messages import text
from workbench.reporting.sections import column_heading

LANGUAGES = ("en", "ru")


def annex_problems(folder: Path, language: str) -> list[str]:
    """What is wrong with the annexes in ``folder`` (a built reports folder of ``language``)."""
    problems = []
    banner = text("synthetic_banner", language)
    for path in sorted(folder.glob("*_tables.xlsx")):
        book = load_workbook(path)
        if book.sheetnames[0] != text("annex_contents", language):
            problems.append(f"{path.name}: first sheet {book.sheetnames[0]!r}")
        for sheet in book.worksheets:
            if sheet["A2"].value != banner:
                problems.append(f"{path.name} / {sheet.title}: no synthetic label in A2")
            for row in sheet.iter_rows(min_row=4):
                for cell in row:
                    if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                        continue
                    if cell.number_format == "General":
                        problems.append(f"{path.name} / {sheet.title} {cell.coordinate}: no number format")
                    if isinstance(cell.value, float) and float(f"{cell.value:.{SIGNIFICANT}g}") != cell.value:
                        problems.append(f"{path.name} / {sheet.title} {cell.coordinate}: float tail {cell.value!r}")
    return problems


def annex_headings(path: Path) -> set[str]:
    book = load_workbook(path, read_only=True)
    return {str(v) for sheet in book.worksheets[1:] for row in sheet.iter_rows(min_row=3, max_row=3, values_only=True)
            for v in row if v is not None}


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_annex_is_usable_as_data(built_reports: dict, language: str) -> None:
    folder = built_reports[language]
    assert sorted(folder.glob("*_tables.xlsx")), "no annex was built"
    assert annex_problems(folder, language) == []


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_money_columns_name_their_unit(built_reports: dict, language: str) -> None:
    headings = annex_headings(built_reports[language] / "05_feasibility_electronic_monitoring_tables.xlsx")
    for column in ("annual_cost", "net_cost", "cost_per_client_day"):
        assert column_heading(column, language) in headings
        assert text(f"unit_{column}", language) in column_heading(column, language)
