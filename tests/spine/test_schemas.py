"""Data dictionaries: parsing, typed conversion, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.schemas import load_dictionary, parse_dictionary

SPEC = {
    "dictionary": "t", "id": "id",
    "missing_codes": {98: {"en": "Don't know", "ru": "Затрудняюсь ответить"}, 99: {"en": "Refused", "ru": "Отказ"}},
    "variables": [
        {"name": "id", "type": "integer", "role": "id", "label": "ID"},
        {"name": "age", "type": "integer", "range": [18, 99], "missing_codes": [98, 99], "label": "Age"},
        {"name": "sex", "type": "integer", "values": {1: "Man", 2: "Woman"}, "missing_codes": [99], "label": "Sex"},
        {"name": "income", "type": "number", "label": "Income"},
        {"name": "visit", "type": "date", "label": "Visit"},
        {"name": "note", "type": "string", "label": "Note"},
    ],
}


def test_valid_table_is_typed_and_declared_missing_codes_pass() -> None:
    d = parse_dictionary(SPEC)
    raw = pd.DataFrame({"id": ["1", "2"], "age": ["30", "98"], "sex": ["2", "99"], "income": ["12,5", ""],
                        "visit": ["2024-01-31", ""], "note": ["ok", ""]})
    typed, problems = d.validate(raw, file="x.csv", decimal=",")
    assert problems.empty
    assert typed["age"].tolist() == [30, 98]  # 98 is kept as a code: estimators exclude it, not the reader
    assert typed["income"].iloc[0] == pytest.approx(12.5)
    assert pd.isna(typed["income"].iloc[1])  # a blank is NA, distinct from a declared code
    assert str(typed["age"].dtype) == "Int64"
    assert d.missing_code_map() == {"age": [98, 99], "sex": [99]}
    assert d.value_labels("sex", "ru")[99] == "Отказ"


def test_four_problems_at_once_with_rows_and_record_ids() -> None:
    d = parse_dictionary(SPEC)
    raw = pd.DataFrame({"id": ["1", "2", "2"], "age": ["30", "thirty", "150"], "sex": ["1", "3", "2"],
                        "income": ["1", "2", "3"], "visit": ["2024-01-01", "2024-02-30", ""]})
    _, problems = d.validate(raw, file="x.csv")
    errors = problems[problems["severity"] == "error"]
    found = {(p.problem, p.column, None if pd.isna(p.row) else int(p.row)) for p in errors.itertuples()}
    assert ("missing column", "note", None) in found
    assert ("wrong type", "age", 2) in found
    assert ("value out of range", "age", 3) in found
    assert ("value not among the declared codes", "sex", 2) in found
    assert ("duplicate value", "id", 2) in found and ("duplicate value", "id", 3) in found
    assert ("wrong type", "visit", 2) in found  # 30 February is not a date
    row = errors[(errors["column"] == "sex")].iloc[0]
    assert row["record_id"] == "2" and row["value"] == 3 and "1, 2, 99" in row["expected"]


def test_unexpected_column_is_a_warning_only() -> None:
    d = parse_dictionary({"variables": [{"name": "a", "type": "integer", "label": "A"}]})
    _, problems = d.validate(pd.DataFrame({"a": ["1"], "b": ["x"]}))
    assert problems["severity"].tolist() == ["warning"] and problems["column"].tolist() == ["b"]


@pytest.mark.parametrize("variable, message", [
    ({"name": "a", "type": "float", "label": "A"}, "unknown type"),
    ({"name": "a", "type": "integer", "label": "A", "missing_codes": [97]}, "not declared at the top"),
    ({"name": "a", "type": "integer", "label": "A", "battery": "b"}, "undeclared battery"),
    ({"type": "integer"}, "needs a name and a type"),
])
def test_bad_dictionaries_are_clear_errors(variable: dict, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message):
        parse_dictionary({"variables": [variable]}, source="bad.yaml")


def test_project_dictionaries_all_parse_with_russian_labels(fixtures: Path) -> None:
    from workbench.schemas import SCHEMA_DIR

    files = sorted(SCHEMA_DIR.glob("*.yaml")) + sorted((fixtures / "mini_study" / "data_schemas").glob("*.yaml"))
    assert files
    for path in files:
        spec = __import__("yaml").safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(spec, dict) or "variables" not in spec:
            continue  # e.g. a risk instrument definition, which has its own format
        d = load_dictionary(path)
        for var in d.variables.values():
            assert var.label["ru"].strip(), f"{path.name}: {var.name} has no Russian label"
