"""The study at a glance: its datasets, their validation status, the survey sample's make-up.

Variables are found by their role in the data dictionary, never by name, and every role but
the survey's ``id`` and ``weight`` is optional: the sample is described by each breakdown the
dictionary has (``stratum``, ``sex``, ``age_group`` or ``age``, ``urban_rural``, any
``breakdown``), and a missing role only leaves out its table. The survey dataset is the one
named by the ``survey`` parameter (study.yaml ``parameters:``) or found by its roles
(``workbench.survey.study_datasets.find_survey``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.regions import dictionary_region_codes
from workbench.schemas import DataDictionary
from workbench.study import TABULAR_FORMATS, Study
from workbench.survey.indicators import analysis_frame, indicator_definitions
from workbench.survey.instrument import AGE_BANDS, BREAKDOWN, DERIVED_AGE_GROUP, breakdowns
from workbench.survey.labels import code_label, level_labels

#: roles that describe the sample, in report order (``breakdown`` may be on several variables)
SAMPLE_ROLES = ("stratum", "sex", "age_group", "urban_rural", "breakdown")


def dataset_summary(study: Study, language: str = "en") -> pd.DataFrame:
    """One row per dataset: file, format, records, variables, error count, description (in
    ``language`` where study.yaml gives one, else in English)."""
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
            "description": entry.description_in(language),
        })
    return pd.DataFrame(rows)


def dataset_title(study: Study, name: str, language: str = "en") -> str:
    """A dataset as a reader names it: its dictionary's title in ``language``, else its
    study.yaml description in ``language``, else the dictionary's English title, else the English
    description, else its name (reports show no raw dataset names where a title exists)."""
    entry = study.datasets[name]
    title = study.dictionary(name).title if entry.dictionary is not None else {}
    for text in (title.get(language), entry.descriptions.get(language), title.get("en"), entry.description):
        if text and text != name:
            return text
    return name


def role_variable(dictionary: DataDictionary, role: str, required: bool = True) -> str | None:
    """The one variable with ``role``; an error when the dictionary declares none (if required)."""
    names = dictionary.by_role(role)
    if not names:
        if required:
            raise WorkbenchError(f"the dictionary {dictionary.name} declares no variable with role {role!r}",
                                 file=dictionary.source, expected=f"role: {role} on one variable")
        return None
    return names[0]


def sample_breakdowns(table: pd.DataFrame, dictionary: DataDictionary, language: str = "en"
                      ) -> tuple[pd.DataFrame, list[tuple[str, str]], list[str]]:
    """The sample's breakdowns as labelled categories.

    Returns ``(frame, found, absent)``: ``frame`` has one ordered categorical column per
    breakdown variable (levels in dictionary order, labels in ``language``; an ``age`` without
    ``age_group`` is grouped into ``AGE_BANDS``), ``found`` the ``(role, column)`` pairs in
    report order, ``absent`` the roles of ``SAMPLE_ROLES`` the dictionary lacks.
    """
    found = breakdowns(dictionary, SAMPLE_ROLES)
    frame = pd.DataFrame(index=table.index)
    if any(name == DERIVED_AGE_GROUP for _, name in found):
        indicators = indicator_definitions(dictionary).iloc[0:0]
        table = analysis_frame(table, dictionary, indicators)
    for _, name in found:
        labels = level_labels(dictionary, name, language)
        declared = (list(dictionary.variables[name].values) if name in dictionary.variables
                    else list(labels))
        order = list(dict.fromkeys(labels.get(code, str(code)) for code in declared))
        values = table[name].astype(object).map(lambda code: code_label(dictionary, name, code, language)
                                                if not pd.isna(code) else None)
        frame[name] = pd.Categorical(values, categories=order, ordered=True)
    present = {role for role, _ in found}
    absent = [role for role in SAMPLE_ROLES if role not in present and role != BREAKDOWN]
    return frame, found, absent


def sample_counts(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Unweighted counts ``n`` and shares of the total by the ``by`` columns (all levels kept)."""
    counts = table.groupby(by, observed=False).size().rename("n").reset_index()
    counts["share"] = counts["n"] / counts["n"].sum() if counts["n"].sum() else float("nan")
    return counts


def design_counts(table: pd.DataFrame, dictionary: DataDictionary) -> dict[str, Any]:
    """Respondents, strata and clusters (sampling points) of the survey; ``None`` where the
    dictionary has no such role."""
    stratum, cluster = role_variable(dictionary, "stratum", False), role_variable(dictionary, "cluster", False)
    return {"n": len(table), "strata": table[stratum].nunique() if stratum else None,
            "clusters": len(table[[c for c in (stratum, cluster) if c]].drop_duplicates()) if cluster else None}


def filter_region(table: pd.DataFrame, dictionary: DataDictionary, region: Any) -> pd.DataFrame:
    """Rows of one region (a code or its English or Russian label, ``workbench.regions``);
    all rows for ``None``; an unknown region is an error that lists the known ones."""
    if region is None:
        return table
    name, codes = dictionary_region_codes(dictionary, region)
    return table[table[name].isin(codes)]


def study_text(study: Study, report: str, key: str, language: str = "en") -> str | None:
    """A report's own wording from study.yaml (``reports: {report: {key: {en, ru}}}``, e.g. its
    ``title`` and ``intro``), or None so that the report uses its topic-neutral default."""
    entry = ((study.spec.get("reports") or {}).get(report) or {}).get(key)
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        value = entry.get(language, entry.get("en"))
        return None if value is None else str(value)
    return None
