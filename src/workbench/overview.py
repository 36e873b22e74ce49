"""The study at a glance: its datasets, their validation status, the survey sample's make-up.

Variables are found by their role in the data dictionary (``stratum`` for the region,
``cluster`` for sampling points, ``sex``, ``age_group`` or ``age``), never by name, so the
overview runs on any study that declares those roles.
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.regions import canonical_region
from workbench.schemas import DataDictionary
from workbench.study import TABULAR_FORMATS, Study

#: age groups (years, inclusive) used when a dictionary has an ``age`` but no ``age_group``
AGE_GROUPS = [(18, 29), (30, 44), (45, 59), (60, 120)]


def dataset_summary(study: Study) -> pd.DataFrame:
    """One row per dataset: file, format, records, variables, error count, description."""
    rows = []
    for name, entry in study.datasets.items():
        typed, problems = study.check(name)
        errors = int((problems["severity"] == "error").sum())
        rows.append({
            "dataset": name,
            "file": str(entry.path.relative_to(study.root)) if entry.path.is_relative_to(study.root) else str(entry.path),
            "format": entry.format,
            "records": None if typed is None else len(typed),
            "variables": None if typed is None else typed.shape[1],
            "errors": errors,
            "tabular": entry.format in TABULAR_FORMATS,
            "description": entry.description,
        })
    return pd.DataFrame(rows)


def role_variable(dictionary: DataDictionary, role: str, required: bool = True) -> str | None:
    """The one variable with ``role``; an error when the dictionary declares none (if required)."""
    names = dictionary.by_role(role)
    if not names:
        if required:
            raise WorkbenchError(f"the dictionary {dictionary.name} declares no variable with role {role!r}",
                                 file=dictionary.source, expected=f"role: {role} on one variable")
        return None
    return names[0]


def age_group_labels(language: str = "en") -> list[str]:
    """Labels of ``AGE_GROUPS`` (the last group is open-ended)."""
    plus = "+" if language == "en" else "+"
    return [f"{lo}-{hi}" if hi < 120 else f"{lo}{plus}" for lo, hi in AGE_GROUPS]


def labelled(table: pd.DataFrame, dictionary: DataDictionary, language: str,
             age_groups: bool = True) -> pd.DataFrame:
    """Copy of ``table`` with region, sex and age group as labelled categories.

    Adds columns ``region``, ``sex`` and ``age_group`` (ordered categoricals in dictionary
    order) from the variables with roles ``stratum``, ``sex`` and ``age_group``/``age``.
    """
    out = pd.DataFrame(index=table.index)
    for role, column in (("stratum", "region"), ("sex", "sex")):
        name = role_variable(dictionary, role)
        labels = dictionary.value_labels(name, language)
        order = [labels[c] for c in dictionary.variables[name].values]
        out[column] = pd.Categorical(table[name].map(labels), categories=order, ordered=True)
    if age_groups:
        group = role_variable(dictionary, "age_group", required=False)
        if group:
            labels = dictionary.value_labels(group, language)
            order = [labels[c] for c in dictionary.variables[group].values]
            out["age_group"] = pd.Categorical(table[group].map(labels), categories=order, ordered=True)
        else:
            age = pd.to_numeric(table[role_variable(dictionary, "age")], errors="coerce")
            missing = dictionary.variables[role_variable(dictionary, "age")].missing_codes
            age = age.where(~age.isin(missing))
            bins = [lo - 0.5 for lo, _ in AGE_GROUPS] + [AGE_GROUPS[-1][1] + 0.5]
            out["age_group"] = pd.cut(age, bins=bins, labels=age_group_labels(language), ordered=True)
    return out


def sample_counts(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Unweighted counts ``n`` and shares of the total by the ``by`` columns (all levels kept)."""
    counts = table.groupby(by, observed=False).size().rename("n").reset_index()
    counts["share"] = counts["n"] / counts["n"].sum() if counts["n"].sum() else float("nan")
    return counts


def filter_region(table: pd.DataFrame, dictionary: DataDictionary, region: str | None) -> pd.DataFrame:
    """Rows of one region (by its English or Russian label, or code); all rows for ``None``."""
    if region is None:
        return table
    name = role_variable(dictionary, "stratum")
    var = dictionary.variables[name]
    wanted = {str(region)}
    try:
        wanted.add(canonical_region(region))
    except WorkbenchError:
        pass  # a region of another study: match its own labels only
    codes = [code for code, label in var.values.items()
             if wanted & {label["en"], label["ru"], str(code)}]
    if not codes:
        known = ", ".join(label["en"] for label in var.values.values())
        raise WorkbenchError("unknown region", column=name, value=region, expected=f"one of {known}")
    return table[table[name].isin(codes)]
