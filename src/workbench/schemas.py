"""Data dictionaries: YAML files that describe a dataset, turned into pandera schemas.

A dictionary (format in ``docs/data-dictionaries.md``) is the single source of truth for a
dataset's variables, types, valid codes, ranges, declared missing-value codes, roles,
batteries and English/Russian labels. ``DataDictionary.validate`` converts raw text columns
to the declared types (reporting every value that does not convert) and then checks the typed
table with a pandera schema in lazy mode, so that every problem of a file is reported at
once as a tidy table (``workbench.errors.PROBLEM_COLUMNS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.io.keys import BATTERY_KEYS, DICTIONARY_KEYS, VARIABLE_KEYS, raise_problems, unknown_keys
from workbench.io.safe_yaml import as_code, load_yaml

TYPES = ("integer", "number", "string", "date", "boolean")
LANGUAGES = ("en", "ru")
_TRUE = {"1", "true", "yes", "TRUE", "True"}
_FALSE = {"0", "false", "no", "FALSE", "False"}

#: folder of the project's own dictionaries (the demo study refers to them by name)
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "data_schemas"


def _label(raw: Any, where: str, untranslated: list[str] | None = None) -> dict[str, str]:
    """A ``{en, ru}`` label; without a Russian text the English one stands in for it.

    ``where`` is appended to ``untranslated`` when the Russian text is missing, so that
    ``workbench validate`` lists it as a warning instead of falling back silently.
    """
    if isinstance(raw, str):
        raw = {"en": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("en"), (str, int, float)) or isinstance(raw.get("en"), bool):
        raise WorkbenchError(f"{where}: a label needs at least an English text", value=raw,
                             expected="{en: ..., ru: ...}")
    russian = raw.get("ru")
    if not isinstance(russian, str) or not russian.strip():
        if untranslated is not None:
            untranslated.append(where)
        russian = raw["en"]
    return {"en": str(raw["en"]), "ru": str(russian)}


@dataclass(frozen=True)
class Variable:
    """One variable of a dictionary (see the key table in docs/data-dictionaries.md)."""

    name: str
    type: str
    label: dict[str, str]
    role: str = "attribute"
    values: dict[Any, dict[str, str]] = field(default_factory=dict)
    range: tuple[float, float] | None = None
    missing_codes: tuple[Any, ...] = ()
    required: bool = True
    nullable: bool = True
    unique: bool = False
    battery: str | None = None
    reversed: bool = False
    unit: str | None = None
    #: labels taken from the data file (SPSS) where the dictionary declares no codes; they
    #: name codes in reports but never make a code valid or invalid
    file_labels: dict[Any, dict[str, str]] = field(default_factory=dict)

    def value_label(self, code: Any, language: str = "en") -> str:
        """Label of a code (declared value, else the file's own label), or the code as text."""
        entry = self.values.get(code) or self.file_labels.get(code)
        return entry[language] if entry else str(code)


@dataclass
class DataDictionary:
    """A parsed data dictionary; build it with ``load_dictionary``."""

    name: str
    title: dict[str, str]
    variables: dict[str, Variable]
    id: str | None = None
    missing_codes: dict[Any, dict[str, str]] = field(default_factory=dict)
    batteries: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "<memory>"
    #: labels without a Russian text (where in the dictionary), reported as warnings
    untranslated: list[str] = field(default_factory=list)
    #: (variable, what) taken from the data file where the dictionary is silent
    from_file: list[tuple[str, str]] = field(default_factory=list)
    #: the study's regions (``workbench.regions``), so that a region variable's codes are
    #: matched by any spelling the study declares; set by ``Study.dictionary``
    regions: tuple[Any, ...] = ()

    # ---- lookups used by notebooks and modules -------------------------------------------
    def by_role(self, role: str) -> list[str]:
        """Names of the variables with this role, in dictionary order."""
        return [v.name for v in self.variables.values() if v.role == role]

    def battery_items(self, battery: str) -> list[str]:
        """Item names of a battery, in dictionary order."""
        if battery not in self.batteries:
            raise WorkbenchError(f"unknown battery {battery!r} in dictionary {self.name}",
                                 expected=", ".join(self.batteries) or "a declared battery")
        return [v.name for v in self.variables.values() if v.battery == battery]

    def label(self, name: str, language: str = "en") -> str:
        """Label of a variable (or battery) in the report language."""
        if name in self.variables:
            return self.variables[name].label[language]
        if name in self.batteries:
            return _label(self.batteries[name].get("label", name), name)[language]
        raise WorkbenchError(f"unknown variable {name!r} in dictionary {self.name}")

    def value_labels(self, name: str, language: str = "en") -> dict[Any, str]:
        """Code -> label for a variable, declared missing codes included."""
        var = self.variables[name]
        labels = {code: text[language] for code, text in {**var.file_labels, **var.values}.items()}
        for code in var.missing_codes:
            labels[code] = self.missing_codes[code][language]
        return labels

    def missing_code_map(self) -> dict[str, list[Any]]:
        """Variable -> its declared missing codes (only variables that have some)."""
        return {v.name: list(v.missing_codes) for v in self.variables.values() if v.missing_codes}

    # ---- validation ------------------------------------------------------------------------
    def validate(self, raw: pd.DataFrame, file: str = "<data>",
                 decimal: str = ".") -> tuple[pd.DataFrame, pd.DataFrame]:
        """Type-convert and check ``raw``; return ``(typed_table, problems)``.

        ``raw`` holds the file's columns as read (text or numbers); it is not modified.
        ``decimal`` is the file's decimal mark for text numbers ("," in many regional files).
        ``problems`` has the columns ``PROBLEM_COLUMNS`` plus ``severity`` ("error" or
        "warning"); an empty table means the data is valid.
        """
        problems: list[dict[str, Any]] = []
        ids = raw[self.id].astype(str).to_numpy() if self.id and self.id in raw.columns else None

        def add(row: int | None, column: str | None, problem: str, value: Any, expected: str,
                severity: str = "error") -> None:
            problems.append({
                "file": file, "row": None if row is None else int(row) + 1,
                "record_id": None if row is None or ids is None else ids[row],
                "column": column, "problem": problem, "value": value,
                "expected": expected, "severity": severity,
            })

        typed = pd.DataFrame(index=raw.index)
        for var in self.variables.values():
            if var.name not in raw.columns:
                if var.required:
                    add(None, var.name, "missing column", None, f"a column {var.name!r} ({var.type})")
                continue
            typed[var.name], bad = _convert(raw[var.name], var.type, decimal)
            for pos in np.flatnonzero(bad):
                add(pos, var.name, "wrong type", raw[var.name].iloc[pos], f"{_TYPE_WORDS[var.type]}")
        for column in raw.columns:
            if column not in self.variables:
                add(None, column, "unexpected column", None, "a variable declared in the dictionary",
                    severity="warning")
        if len(raw) == 0:
            add(None, None, "the file has a header but no data rows", None,
                "at least one data row (remove the dataset from study.yaml if it has no data)")
        for name in self.by_role("weight"):
            if name in typed.columns and len(raw) and not (typed[name].fillna(0) != 0).any():
                add(None, name, "every weight is zero or blank: no estimate can be made", None,
                    "positive design weights (blank or 0 only for rows outside the sample)")

        schema = self.pandera_schema(present=list(typed.columns))
        try:
            schema.validate(typed.reset_index(drop=True), lazy=True)
        except pa.errors.SchemaErrors as err:
            for case in err.failure_cases.itertuples(index=False):
                column = case.column
                if column not in self.variables:
                    continue
                var = self.variables[column]
                pos = None if pd.isna(case.index) else int(case.index)
                problem, expected = _describe_check(str(case.check), var)
                add(pos, column, problem, case.failure_case, expected)
        table = pd.DataFrame(problems, columns=PROBLEM_COLUMNS + ["severity"])
        table["row"] = table["row"].astype("Int64")
        table = table.sort_values(["severity", "row", "column"], na_position="first", kind="stable")
        return typed, table.reset_index(drop=True)

    def with_file_declarations(self, value_labels: dict[str, dict[Any, str]],
                               user_missing: dict[str, list[Any]]) -> "DataDictionary":
        """A copy in which the data file's own declarations (SPSS) fill what the dictionary leaves open.

        A variable without declared codes takes the file's value labels as labels only (they
        never make a value invalid: SPSS scales often label their end points alone); a
        variable without missing codes takes the file's user-missing codes as missing codes,
        so they never enter an estimate. What the dictionary declares always wins; where the
        two disagree, ``declaration_problems`` reports it.
        """
        variables = dict(self.variables)
        missing = dict(self.missing_codes)
        notes: list[tuple[str, str]] = []
        for name, var in self.variables.items():
            labels = {_file_code(c): {"en": str(t), "ru": str(t)} for c, t in (value_labels.get(name) or {}).items()}
            changes: dict[str, Any] = {}
            if labels and not var.values:
                changes["file_labels"] = labels
                notes.append((name, "value labels"))
            codes = tuple(_file_code(c) for c in user_missing.get(name) or ())
            if codes and not var.missing_codes and not var.values:
                changes["missing_codes"] = codes
                for code in codes:
                    missing.setdefault(code, labels.get(code) or {"en": f"user-missing {code}",
                                                                  "ru": f"пропуск {code}"})
                notes.append((name, "user-missing codes"))
            if changes:
                variables[name] = replace(var, **changes)
        return replace(self, variables=variables, missing_codes=missing, from_file=notes)

    def declaration_problems(self, value_labels: dict[str, dict[Any, str]], user_missing: dict[str, list[Any]],
                             file: str = "<data>") -> list[dict[str, Any]]:
        """Where a data file's own value labels or user-missing codes (SPSS ``.sav``) disagree
        with the dictionary: one problem row per code (``PROBLEM_COLUMNS`` plus ``severity``).

        A file label that matches neither the English nor the Russian dictionary label of the
        same code, or a user-missing code the dictionary lists as a valid answer, is an error
        (the report would print wrong figures); a code the file labels but the dictionary does
        not declare is a warning. Labels are compared ignoring case and spacing.
        """
        def same(a: str, b: str) -> bool:
            return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()

        problems = []

        def add(column: str, problem: str, value: Any, expected: str, severity: str = "error") -> None:
            problems.append({"file": file, "column": column, "problem": problem, "value": value,
                             "expected": expected, "severity": severity})

        for name, labels in value_labels.items():
            var = self.variables.get(name)
            if var is None or not (var.values or var.missing_codes):
                continue
            for raw_code, text in labels.items():
                code = _file_code(raw_code)
                declared = var.values.get(code) or (self.missing_codes.get(code) if code in var.missing_codes else None)
                if declared is None and var.values:
                    add(name, f"the file labels code {code} which the dictionary does not declare", f"{code} = {text}",
                        "a code declared in the dictionary", severity="warning")
                elif declared is not None and not any(same(text, declared[lang]) for lang in LANGUAGES):
                    add(name, f"the file's label of code {code} contradicts the dictionary", f"{code} = {text}",
                        f"{code} = {declared['en']} (as in the dictionary)")
        for name, codes in user_missing.items():
            var = self.variables.get(name)
            if var is None:
                continue
            for raw_code in codes:
                code = _file_code(raw_code)
                if code in var.values and code not in var.missing_codes:
                    add(name, f"the file declares code {code} user-missing, the dictionary lists it as a valid "
                              "answer", f"{code} = {var.values[code]['en']}",
                        "the same meaning in the file and the dictionary (declare it under missing_codes, or "
                        "remove the user-missing declaration)")
                elif code not in var.missing_codes:
                    add(name, f"the file declares code {code} user-missing, the dictionary does not: it is read "
                              "as an answer", code, "the code under the variable's missing_codes in the dictionary",
                        severity="warning")
        return problems

    def pandera_schema(self, present: Iterable[str] | None = None) -> pa.DataFrameSchema:
        """The pandera schema of the typed table (only ``present`` columns when given)."""
        present = set(self.variables) if present is None else set(present)
        columns = {}
        for var in self.variables.values():
            if var.name not in present:
                continue
            checks = []
            if var.values:
                allowed = list(var.values) + list(var.missing_codes)
                checks.append(pa.Check.isin(allowed, name="declared_values"))
            if var.range is not None:
                low, high = var.range
                missing = list(var.missing_codes)
                checks.append(pa.Check(lambda s, lo=low, hi=high, m=missing: s.between(lo, hi) | s.isin(m),
                                       element_wise=False, name="in_range"))
            columns[var.name] = pa.Column(
                nullable=var.nullable and var.role != "id",
                unique=var.unique or var.role == "id",
                checks=checks, required=False, coerce=False,
            )
        return pa.DataFrameSchema(columns, strict=False, name=self.name)


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "date": "a date as YYYY-MM-DD",
    "boolean": "0/1 or true/false",
}


def _describe_check(check: str, var: Variable) -> tuple[str, str]:
    """Plain words for a pandera check name."""
    if check.startswith("declared_values") or check.startswith("isin"):
        codes = ", ".join(str(c) for c in list(var.values) + list(var.missing_codes))
        return "value not among the declared codes", f"one of {codes}"
    if check.startswith("in_range"):
        lo, hi = var.range  # type: ignore[misc]
        extra = f" or a missing code {list(var.missing_codes)}" if var.missing_codes else ""
        return "value out of range", f"between {lo:g} and {hi:g}{extra}"
    if "field_uniqueness" in check or "unique" in check:
        return "duplicate value", "a unique value" + (" (record id)" if var.role == "id" else "")
    if "not_nullable" in check:
        return "blank value", "a value (blanks are not allowed here)"
    return check, "see the data dictionary"


def _file_code(raw: Any) -> Any:
    """A code as a data file stores it, compared as the dictionary writes it (1.0 -> 1)."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _is_blank(series: pd.Series) -> np.ndarray:
    """True where a cell is empty (NaN/None or only spaces)."""
    text = series.astype("string")
    return (series.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)


def _convert(series: pd.Series, kind: str, decimal: str = ".") -> tuple[pd.Series, np.ndarray]:
    """Convert one raw column to ``kind``; return the typed column and a mask of failures."""
    blank = _is_blank(series)
    if kind == "string":
        out = series.astype("string").str.strip()
        out[blank] = pd.NA
        return out, np.zeros(len(series), dtype=bool)
    if kind in ("integer", "number"):
        if pd.api.types.is_numeric_dtype(series):
            numbers = pd.to_numeric(series, errors="coerce")
        else:
            text = series.astype("string").str.strip()
            if decimal != ".":
                text = text.str.replace(decimal, ".", regex=False)
            numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna().to_numpy() & ~blank
        if kind == "integer":
            fractional = numbers.notna().to_numpy() & (numbers.fillna(0) % 1 != 0).to_numpy()
            bad |= fractional
            numbers = numbers.where(~fractional)
            return numbers.astype("Int64"), bad
        return numbers.astype("Float64"), bad
    if kind == "date":
        dates = pd.to_datetime(series.astype("string").str.strip(), format="%Y-%m-%d", errors="coerce")
        return dates, dates.isna().to_numpy() & ~blank
    if kind == "boolean":
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            # SPSS stores 0/1 as floats: 1.0 is the code 1
            series = series.map(lambda v: v if pd.isna(v) or not float(v).is_integer() else int(v))
        text = series.astype("string").str.strip()
        out = pd.Series(pd.NA, index=series.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False).to_numpy()] = True
        out[text.isin(_FALSE).fillna(False).to_numpy()] = False
        return out, out.isna().to_numpy() & ~blank
    raise WorkbenchError(f"unknown variable type {kind!r}", expected=", ".join(TYPES))


# ---- loading ---------------------------------------------------------------------------------
def _mapping(raw: Any, source: str, where: str, expected: str = "code: {en: ..., ru: ...} entries") -> dict[Any, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise WorkbenchError(f"{where} must be a mapping", file=source, value=raw, expected=expected)
    return raw


def _codes(raw: Any, source: str, where: str, untranslated: list[str]) -> dict[Any, dict[str, str]]:
    """``code: label`` entries with each code checked (text or whole number, never a boolean)."""
    codes: dict[Any, dict[str, str]] = {}
    for code, text in _mapping(raw, source, where).items():
        key = as_code(code, file=source, where=where)
        codes[key] = _label(text, f"{where} {key}", untranslated)
    return codes


#: variable keys and the Python types their values must have
_KEY_TYPES: dict[str, tuple[type, ...]] = {"name": (str,), "role": (str,), "battery": (str,), "unit": (str,),
                                          "required": (bool,), "nullable": (bool,), "unique": (bool,),
                                          "reversed": (bool,)}


def _check_types(raw: dict[str, Any], source: str, where: str) -> None:
    """Refuse a variable key whose value has the wrong type (``nullable: "no"``, ``name: [x]``)."""
    for key, types in _KEY_TYPES.items():
        if key in raw and raw[key] is not None and not isinstance(raw[key], types):
            word = "true or false" if types == (bool,) else "text"
            raise WorkbenchError(f"{where}: {key} must be {word}", file=source, column=key, value=raw[key],
                                 expected=word)
    if not str(raw["name"]).strip():
        raise WorkbenchError(f"{where}: the name is empty", file=source, expected="the column name in the file")


def parse_dictionary(spec: dict[str, Any], source: str = "<memory>") -> DataDictionary:
    """Build a ``DataDictionary`` from its parsed YAML, checking the dictionary itself.

    Unknown keys (at the top, in a variable or a battery) are errors with a did-you-mean
    suggestion; codes must be text or whole numbers (a YAML boolean such as unquoted ``NO``
    is refused: "quote it"); labels without a Russian text are listed in ``untranslated``.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("variables"), list):
        raise WorkbenchError("a data dictionary needs a 'variables' list", file=source)
    problems = unknown_keys(spec, DICTIONARY_KEYS, file=source, where="data dictionary")
    untranslated: list[str] = []
    name = str(spec.get("dictionary") or Path(source).stem)
    missing = _codes(spec.get("missing_codes"), source, "missing code", untranslated)
    batteries = dict(_mapping(spec.get("batteries"), source, "batteries", "name: {label, group, kind} entries"))
    for battery, entry in batteries.items():
        if not isinstance(entry, dict):
            raise WorkbenchError(f"battery {battery!r} must be a mapping", file=source, value=entry,
                                 expected="label, group, kind, reading")
        problems += unknown_keys(entry, BATTERY_KEYS, file=source, where=f"battery {battery!r}")
        if "label" in entry:
            _label(entry["label"], f"battery {battery!r} label", untranslated)
    variables: dict[str, Variable] = {}
    for i, raw in enumerate(spec["variables"], start=1):
        if not isinstance(raw, dict):
            raise WorkbenchError(f"variable #{i} must be a mapping with name, type and label", file=source,
                                 value=raw)
        where = f"variable {raw.get('name', f'#{i}')!r}"
        problems += unknown_keys(raw, VARIABLE_KEYS, file=source, where=where)
        if "name" not in raw or "type" not in raw:
            raise WorkbenchError(f"{where} needs a name and a type", file=source)
        _check_types(raw, source, where)
        if raw["name"] in variables:
            raise WorkbenchError(f"{where} is declared twice", file=source, value=raw["name"],
                                 expected="one entry per variable")
        if raw["type"] not in TYPES:
            raise WorkbenchError(f"{where} has an unknown type", file=source, value=raw["type"],
                                 expected=", ".join(TYPES))
        if not isinstance(raw.get("missing_codes") or [], list):
            raise WorkbenchError(f"{where}: missing_codes must be a list of codes", file=source,
                                 value=raw["missing_codes"], expected="[-9, -8]")
        codes = tuple(as_code(c, file=source, where=f"{where} missing code") for c in raw.get("missing_codes") or ())
        for code in codes:
            if code not in missing:
                raise WorkbenchError(f"{where} uses a missing code that is not declared at the top",
                                     file=source, value=code, expected=f"one of {list(missing)}")
        battery = raw.get("battery")
        if battery is not None and battery not in batteries:
            raise WorkbenchError(f"{where} names an undeclared battery", file=source, value=battery,
                                 expected="a key of 'batteries'")
        rng = raw.get("range")
        if rng is not None and (not isinstance(rng, list) or len(rng) != 2
                                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)):
            raise WorkbenchError(f"{where}: range must be two numbers", file=source, value=rng, expected="[0, 10]")
        if rng is not None and rng[0] > rng[1]:
            raise WorkbenchError(f"{where}: range runs backwards", file=source, value=rng, expected="[low, high]")
        variables[raw["name"]] = Variable(
            name=raw["name"], type=raw["type"], label=_label(raw.get("label", raw["name"]), f"{where} label",
                                                             untranslated),
            role=raw.get("role", "attribute"), values=_codes(raw.get("values"), source, f"{where} value", untranslated),
            range=None if rng is None else (float(rng[0]), float(rng[1])),
            missing_codes=codes, required=bool(raw.get("required", True)),
            nullable=bool(raw.get("nullable", True)), unique=bool(raw.get("unique", False)),
            battery=battery, reversed=bool(raw.get("reversed", False)), unit=raw.get("unit"),
        )
    raise_problems(problems, file=source)
    id_var = spec.get("id")
    if id_var is not None and (not isinstance(id_var, str) or id_var not in variables):
        raise WorkbenchError("the id variable is not among the variables", file=source, value=id_var)
    return DataDictionary(name=name, title=_label(spec.get("title", name), "title", untranslated),
                          variables=variables, id=id_var, missing_codes=missing, batteries=batteries, source=source,
                          untranslated=untranslated)


def load_dictionary(name_or_path: str | Path, search: Iterable[Path] = ()) -> DataDictionary:
    """Load a dictionary by path, or by name from ``search`` folders and ``data_schemas/``."""
    candidate = Path(name_or_path)
    if candidate.suffix not in (".yaml", ".yml"):
        for folder in [*search, SCHEMA_DIR]:
            path = Path(folder) / f"{name_or_path}.yaml"
            if path.exists():
                candidate = path
                break
    if not candidate.exists():
        raise WorkbenchError(f"no data dictionary {str(name_or_path)!r}", file=str(candidate),
                             expected=f"a YAML file in {SCHEMA_DIR} or in the study folder")
    return parse_dictionary(load_yaml(candidate, what="the data dictionary"), source=str(candidate))
