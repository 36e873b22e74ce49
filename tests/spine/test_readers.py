"""Readers: strict decoding (the encoding trap), delimiters, decimal commas, XLSX, SPSS."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.io import read_csv, read_sav, read_table, read_xlsx

CYRILLIC = "id;город;доход\n1;Бишкек;12,5\n2;Ош;7,25\n"


def test_windows_1251_file_read_when_declared(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes(CYRILLIC.encode("cp1251"))
    table = read_csv(path, encoding="windows-1251", delimiter=";").data
    assert list(table.columns) == ["id", "город", "доход"]
    assert table["город"].tolist() == ["Бишкек", "Ош"]
    assert table["доход"].tolist() == ["12,5", "7,25"]  # decimal comma is the dictionary's business


def test_windows_1251_file_declared_utf8_is_an_error_naming_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes(CYRILLIC.encode("cp1251"))
    with pytest.raises(WorkbenchError) as err:
        read_csv(path, encoding="utf-8", delimiter=";")
    message = str(err.value)
    assert "cp1251.csv" in message and "line 1" in message and "0xe3" in message  # 'г' in 1251 is 0xE3


def test_utf8_file_declared_1251_is_refused_not_garbled(tmp_path: Path) -> None:
    # Decoding UTF-8 Cyrillic as 1251 "works" and gives mojibake such as 'Р‘РёС€'; it must be refused.
    path = tmp_path / "utf8.csv"
    path.write_bytes(CYRILLIC.encode("utf-8"))
    with pytest.raises(WorkbenchError, match="valid UTF-8 but is declared windows-1251"):
        read_csv(path, encoding="windows-1251", delimiter=";")


def test_utf8_with_bom_and_comment_preamble(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf# SYNTHETIC\n# second comment\n" + "a,b\n1,Жалал-Абад\n".encode())
    table = read_csv(path).data
    assert list(table.columns) == ["a", "b"]
    assert table.iloc[0].tolist() == ["1", "Жалал-Абад"]


def test_blank_cells_stay_blank_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("a,b\n1,\nNA,2\n", encoding="utf-8")
    table = read_csv(path).data
    # 'NA' is not silently a missing value: the dictionary decides what it is
    assert table["a"].tolist() == ["1", "NA"] and table["b"].tolist() == ["", "2"]


def test_unknown_encoding_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match="unknown encoding"):
        read_csv(Path(__file__), encoding="latin-9")
    with pytest.raises(WorkbenchError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_repeated_header_name_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="repeats a column name"):
        read_csv(path)


def test_xlsx_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="first", index=False)
        pd.DataFrame({"id": [1, 2], "name": ["Нарын", "Талас"]}).to_excel(writer, sheet_name="data", index=False)
    table = read_xlsx(path, sheet="data").data
    assert table["name"].tolist() == ["Нарын", "Талас"]
    with pytest.raises(WorkbenchError, match="cannot read sheet"):
        read_xlsx(path, sheet="missing")


def test_sav_keeps_codes_labels_and_user_missing(tmp_path: Path) -> None:
    import pyreadstat
    path = tmp_path / "s.sav"
    frame = pd.DataFrame({"id": [1.0, 2.0, 3.0], "trust": [1.0, 4.0, 98.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"trust": {1.0: "None", 4.0: "Full", 98.0: "DK"}},
                         missing_ranges={"trust": [98.0]})
    raw = read_sav(path)
    assert raw.data["trust"].tolist() == [1.0, 4.0, 98.0]  # the code is kept, not turned into NaN
    assert raw.value_labels["trust"][98.0] == "DK"
    assert raw.user_missing == {"trust": [98.0]}
