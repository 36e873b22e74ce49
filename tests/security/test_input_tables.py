"""Issues 13.5, 13.6, 13.7, 13.11 and 13.12: malformed and degenerate data tables.

Oracles: hand-made cases whose right answer is known by construction. A row cut short on
data row k of a CSV with one preamble line sits on editor line k + 2; a NUL byte planted in
a known cell; a formula cell written by openpyxl (which never stores a cached value); an SPSS
file whose value labels are written to contradict the dictionary; a wrong code planted on
every one of the survey's 1001 rows must print as one line with the count 1001.
"""

from __future__ import annotations

import pandas as pd
import pytest

OFFICE_REGIONS = {1: "Batken", 2: "Chuy", 3: "Issyk-Kul", 4: "Jalal-Abad", 5: "Naryn", 6: "Osh oblast",
                  7: "Talas", 8: "Bishkek city", 9: "Osh city"}


def _names_line(text: str, line: int, word: str) -> bool:
    """Some output line about ``word`` names editor line ``line`` (in words or in the line column)."""
    return any(word in out and (f"line {line}" in out or f" {line} " in out) for out in text.splitlines())


def _editor_line(hostile, dataset: str, row: int) -> int:
    """Line of data row ``row`` (1-based) as an editor shows it: preamble + header + row."""
    preamble = sum(1 for line in hostile.csv_lines(dataset) if line.startswith("#"))
    return preamble + 1 + row


# ---- 13.5 CSV -----------------------------------------------------------------------------------
def test_short_row_names_the_editor_line_and_the_first_missing_column(hostile) -> None:
    hostile.keep("offices")
    line = hostile.edit_line("offices", 4, lambda text: text.rsplit(",", 2)[0])  # drop the last two fields
    text = hostile.refused("offices.csv", "n_officers", "fields but the header has 6")
    assert _names_line(text, line, "fields but the header")


def test_short_row_deep_in_the_survey_counts_the_preamble(hostile) -> None:
    hostile.keep("survey")
    line = hostile.edit_line("survey", 500, lambda text: ",".join(text.split(",")[:10]))
    text = hostile.refused("survey.csv", "ends before column")
    assert _names_line(text, line, "ends before column") and not _names_line(text, line - 1, "ends before")


def test_long_row_is_an_error(hostile) -> None:
    hostile.keep("offices")
    line = hostile.edit_line("offices", 7, lambda text: text + ",surplus")
    text = hostile.refused("offices.csv", "beyond the last column")
    assert _names_line(text, line, "beyond the last column")


def test_nul_byte_inside_a_value(hostile) -> None:
    hostile.keep("offices")
    path = hostile.path("offices")
    raw = path.read_bytes()
    line = _editor_line(hostile, "offices", 3)
    lines = raw.split(b"\n")
    fields = lines[line - 1].split(b",")
    fields[1] = fields[1][:3] + b"\x00" + fields[1][3:]  # name_en
    lines[line - 1] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))
    text = hostile.refused("offices.csv", "NUL byte", "name_en")
    assert _names_line(text, line, "NUL byte")


def test_unclosed_quote_names_the_line(hostile) -> None:
    hostile.keep("offices")
    line = hostile.edit_line("offices", 2, lambda text: text.replace(",", ',"x"y,', 1))
    text = hostile.refused("offices.csv", "not a well-formed CSV")
    assert _names_line(text, line, "well-formed")


def test_value_with_a_line_break_is_shown_on_one_line(hostile) -> None:
    hostile.keep("offices")

    def plant(frame):
        frame.loc[5, "region"] = "1\n2"

    hostile.edit_table("offices", plant)
    # a quoted value spanning two lines: the row starts on its own editor line
    hostile.refused("wrong type", "region", "1 / 2", f"{_editor_line(hostile, 'offices', 6)}")


def test_validation_problems_carry_the_editor_line(hostile) -> None:
    hostile.keep("offices")

    def plant(frame):
        frame.loc[9, "n_officers"] = "many"

    hostile.edit_table("offices", plant)
    line = _editor_line(hostile, "offices", 10)
    text = hostile.refused("wrong type", "n_officers", "many")
    row = next(l for l in text.splitlines() if "many" in l)
    assert f" {line} " in row and " 10 " in row


# ---- 13.6 XLSX ----------------------------------------------------------------------------------
def _offices_xlsx(hostile, change=None, name: str = "offices.xlsx"):
    from openpyxl import Workbook

    _, frame = hostile.table("offices")
    book = Workbook()
    sheet = book.active
    sheet.title = "Offices"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    if change:
        change(sheet)
    path = hostile.root / "data" / name
    book.save(path)
    hostile.set_dataset("offices", path=f"data/{name}", format="xlsx")
    return path


def test_xlsx_formula_without_cached_value_names_sheet_and_cell(hostile) -> None:
    hostile.keep("offices")

    def formula(sheet):
        sheet["E5"] = "=2+3"

    _offices_xlsx(hostile, formula)
    hostile.refused("offices.xlsx", "sheet 'Offices'", "cell E5", "formula without a cached value")


def test_xlsx_several_formula_cells_are_all_listed(hostile) -> None:
    hostile.keep("offices")

    def formulas(sheet):
        for cell in ("E3", "E8", "D12"):
            sheet[cell] = "=SUM(E2:E2)"

    _offices_xlsx(hostile, formulas)
    hostile.refused("cell E3", "cell E8", "cell D12")


def test_xlsx_without_formulas_validates(hostile) -> None:
    """Control: the same workbook without formulas is valid."""
    hostile.keep("offices")
    _offices_xlsx(hostile)
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text


def test_damaged_xlsx(hostile) -> None:
    hostile.keep("offices")
    path = _offices_xlsx(hostile)
    path.write_bytes(path.read_bytes()[:2000])
    hostile.refused("offices.xlsx", "not a readable .xlsx")


def test_xlsx_unknown_sheet(hostile) -> None:
    hostile.keep("offices")
    _offices_xlsx(hostile)
    hostile.set_dataset("offices", sheet="Ofices")
    hostile.refused("no such sheet", "'Offices'")


# ---- 13.7 SPSS .sav -----------------------------------------------------------------------------
def _offices_sav(hostile, labels: dict[int, str], missing: list[int] | None = None, *,
                 officers_missing: list[int] | None = None, change=None):
    import pyreadstat

    _, frame = hostile.table("offices")
    for column in ("region", "n_officers", "external_pilot"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    if change:
        change(frame)
    path = hostile.root / "data" / "offices.sav"
    ranges = {name: codes for name, codes in (("region", missing), ("n_officers", officers_missing)) if codes}
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"region": {float(k): v for k, v in labels.items()}},
                         missing_ranges=ranges or None)
    hostile.set_dataset("offices", path="data/offices.sav", format="sav")
    return path


def test_sav_consistent_with_the_dictionary_validates(hostile) -> None:
    """Control: labels as in the dictionary (and one extra code, a warning only)."""
    hostile.keep("offices")
    _offices_sav(hostile, {**OFFICE_REGIONS, 10: "Abroad"})
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text
    assert "does not declare" in outcome.text and "10 = Abroad" in outcome.text


def test_sav_value_label_contradicting_the_dictionary(hostile) -> None:
    hostile.keep("offices")
    _offices_sav(hostile, {**OFFICE_REGIONS, 1: "Chuy", 2: "Batken"})
    text = hostile.refused("offices.sav", "contradicts the dictionary", "1 = Chuy", "1 = Batken", "2 = Batken")
    assert sum("contradicts" in line for line in text.splitlines()) == 4  # two rows, validate and build


def test_sav_user_missing_code_listed_as_a_valid_answer(hostile) -> None:
    hostile.keep("offices")
    _offices_sav(hostile, OFFICE_REGIONS, missing=[9])
    hostile.refused("offices.sav", "user-missing", "9 = Osh city")


def test_sav_declarations_fill_in_where_the_dictionary_is_silent(hostile) -> None:
    """The dictionary declares no region codes and no missing code for n_officers: the file's
    labels name the regions, and its user-missing 999 is a missing code, not 999 officers (which
    the range 0-500 would refuse)."""
    from workbench.study import Study

    hostile.keep("offices")
    hostile.edit_dictionary("offices", "    values:\n      1: {en: Batken", "    xvalues:\n      1: {en: Batken")
    hostile.replace_in(hostile.root / "data_schemas" / "offices.yaml", "    xvalues:", "    description:")

    def plant(frame):
        frame.loc[4, "n_officers"] = 999.0

    _offices_sav(hostile, OFFICE_REGIONS, officers_missing=[999], change=plant)
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text
    dictionary = Study.load(hostile.root).dictionary("offices")
    assert dictionary.variables["region"].values == {}
    assert dictionary.variables["region"].value_label(9) == "Osh city"
    assert dictionary.missing_code_map()["n_officers"] == [999]
    assert dictionary.from_file == [("region", "value labels"), ("n_officers", "user-missing codes")]


# ---- 13.11 repeated problems --------------------------------------------------------------------
def test_one_wrong_code_on_every_row_prints_one_line(hostile) -> None:
    hostile.keep("survey")

    def plant(frame):
        frame["sex"] = "7"

    hostile.edit_table("survey", plant)
    text = hostile.refused("value not among the declared codes", "1001", "...")
    lines = [line for line in text.splitlines() if "declared codes" in line]
    assert len(lines) == 2  # one in validate's output, one in build's
    assert len(text.splitlines()) < 20


def test_two_different_problems_stay_apart(hostile) -> None:
    hostile.keep("survey")

    def plant(frame):
        frame.loc[:99, "sex"] = "7"
        frame.loc[100:, "sex"] = "8"

    hostile.edit_table("survey", plant)
    outcome = hostile.validate()
    lines = [line for line in outcome.stdout.splitlines() if "declared codes" in line]
    assert outcome.returncode == 2 and len(lines) == 2
    assert any(" 100" in line for line in lines) and any(" 901" in line for line in lines)


# ---- 13.12 degenerate data ----------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["survey", "offices"])
def test_header_without_rows(hostile, dataset) -> None:
    hostile.keep(dataset)
    hostile.edit_table(dataset, lambda frame: frame.iloc[0:0])
    hostile.refused("no data rows", hostile.spec()["datasets"][dataset]["path"])


def test_all_weights_zero(hostile) -> None:
    hostile.keep("survey")

    def zero(frame):
        frame["weight"] = "0"

    hostile.edit_table("survey", zero)
    hostile.refused("every weight is zero", "weight")


def test_missing_russian_label_is_a_warning(hostile) -> None:
    hostile.keep("offices")
    hostile.edit_dictionary("offices", "label: {en: Region, ru: Регион}", "label: {en: Region}")
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text
    line = next(line for line in outcome.stdout.splitlines() if "Russian" in line)
    assert line.lstrip().startswith("warning") and "region" in line and "offices.yaml" in line
