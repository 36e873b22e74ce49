"""Report 00, the data overview: which datasets the study has, whether each is valid, and
how the survey sample is spread over the groups its dictionary names.

``sections(study, region, language, survey)`` returns the report's sections: key findings,
the datasets, the survey sample. The analysis is ``workbench.overview``; this module only
says what the report shows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import overview, study_facts
from workbench.errors import WorkbenchError
from workbench.regions import dictionary_region_codes, study_region, study_regions
from workbench.reports.sections import Chart, Finding, Section, Table, Text
from workbench.study import Study
from workbench.survey.labels import variable_label
from workbench.survey.study_datasets import find_survey

REPORT = "00_data_overview"


def title(study: Study, language: str) -> Text | str:
    """The study's own title for this report (study.yaml ``reports:``), else the catalogue's."""
    return overview.study_text(study, REPORT, "title", language) or Text("overview_title")


def intro(study: Study, language: str) -> Text | str:
    """The study's own introduction for this report, else the catalogue's."""
    return overview.study_text(study, REPORT, "intro", language) or Text("overview_intro")


def datasets_section(study: Study, language: str = "en") -> Section:
    """Every dataset (by its title) with its size, validation status and description, in ``language``."""
    summary = overview.dataset_summary(study, language)
    summary["dataset"] = [overview.dataset_title(study, name, language) for name in summary["dataset"]]
    errors = int(summary["errors"].sum())
    summary["status"] = [Text("status_valid") if e == 0 and tabular else Text("status_not_tabular") if e == 0
                         else Text("status_problems", {"count": e})
                         for e, tabular in zip(summary["errors"], summary["tabular"])]
    sentence = (Text("overview_validation_ok", {"count": len(summary)}) if errors == 0
                else Text("overview_validation_problems", {"count": errors}))
    table = Table("datasets", "overview_datasets",
                  summary[["dataset", "records", "variables", "status", "description"]],
                  count=None, labels=("dataset", "status", "description"), decimals=0)
    return Section("datasets", "overview_datasets", [sentence, table])


def survey_name(study: Study, survey: str | None) -> str | None:
    """The survey dataset (the ``survey`` parameter, else found by its roles), or None."""
    try:
        return find_survey(study, survey)
    except WorkbenchError:
        if survey is not None:
            raise  # a named dataset that does not exist is the user's error
        return None


def sample_section(study: Study, name: str | None, region: Any, language: str) -> Section:
    """The survey sample: its size and design, then one table and chart per breakdown."""
    if name is None:
        return Section("sample", "overview_sample", [Text("overview_no_survey")])
    dictionary = study.dictionary(name)
    data = overview.filter_region(study.read(name), dictionary, region)
    sample, found, absent = overview.sample_breakdowns(data, dictionary, language)
    design = overview.design_counts(data, dictionary)
    blocks: list[Any] = [Text("overview_sample_total", {"dataset": overview.dataset_title(study, name, language),
                                                         "n": design["n"]})]
    if design["strata"] is not None:
        stratum = dictionary.label(overview.role_variable(dictionary, "stratum"), language)
        blocks.append(Text("overview_sample_strata", {"strata": design["strata"], "stratum": stratum}))
    if design["clusters"] is not None:
        cluster = dictionary.label(overview.role_variable(dictionary, "cluster"), language)
        blocks.append(Text("overview_sample_clusters", {"clusters": design["clusters"], "cluster": cluster}))
    else:
        blocks.append(Text("overview_sample_unclustered"))
    if absent:
        blocks.append(Text("overview_roles_absent", {"roles": [Text(f"qa_role_{role}") for role in absent]}))
    if not found:
        blocks.append(Text("overview_no_breakdowns"))
    stratum = overview.role_variable(dictionary, "stratum", False)
    for _, column in found:
        label = variable_label(dictionary, column, language)
        if column == stratum:  # a shared fact (00, 01, 10): counted by its one source
            counts, table = region_counts(study, name, region, language), "respondents_by_region"
        else:
            counts = overview.sample_counts(sample, [column]).rename(columns={column: "category", "n": "respondents"})
            table = f"sample-{column}"
        headings = {"category": label}
        blocks.append(Table(table, "overview_by_breakdown", counts, count="respondents", labels=("category",),
                            percent=("share",), title_values={"breakdown": label}, headings=headings))
        blocks.append(Chart(f"sample-{column}", "bars", counts, x="category", y="respondents", count="respondents",
                            title_key="overview_by_breakdown", title_values={"breakdown": label},
                            headings=headings))
    return Section("sample", "overview_sample", blocks)


def region_counts(study: Study, name: str, region: Any, language: str) -> pd.DataFrame:
    """Respondents by region (the stratum) from ``study_facts.respondents_by_region`` (the one
    source 01 and 10 use too), named in ``language`` (``study_facts.stratum_names``), with their share of the
    rows shown; a region edition keeps its own region's rows. Columns ``category, respondents, share``."""
    table = study_facts.respondents_by_region(study, dataset=name)
    if region is not None:
        dictionary = study.dictionary(name)
        column, codes = dictionary_region_codes(dictionary, region)
        english = dictionary.value_labels(column, "en")
        keep = {study_facts.region_name(english.get(code, code), regions=study_regions(study)) for code in codes}
        table = table[table["region"].astype(str).isin(keep)]
    total = table["respondents"].sum()
    return pd.DataFrame({"category": study_facts.stratum_names(study, name, table["region"], language),
                         "respondents": table["respondents"].to_numpy(),
                         "share": table["respondents"].to_numpy() / total if total else float("nan")})


def findings_section(study: Study, name: str | None, region: Any, language: str = "en") -> Section:
    """The overview's key findings: validation, the sample's size and design (the survey named
    as a reader names it, in ``language``)."""
    summary = overview.dataset_summary(study)
    errors = int(summary["errors"].sum())
    blocks: list[Any] = [Finding("overview_finding_valid", "datasets", {"count": len(summary)}) if errors == 0
                         else Finding("overview_finding_problems", "datasets", {"count": errors})]
    if name is not None:
        dictionary = study.dictionary(name)
        design = overview.design_counts(overview.filter_region(study.read(name), dictionary, region), dictionary)
        blocks.append(Finding("overview_finding_sample", "sample", {"n": design["n"], "dataset": overview.dataset_title(study, name, language)}))
        if design["strata"] is not None:
            blocks.append(Finding("overview_finding_strata", "sample", {"strata": design["strata"]}))
    return Section("findings", "key_findings", blocks, part="findings")


def sections(study: Study, region: Any = None, language: str = "en", survey: str | None = None) -> list[Section]:
    """The overview's sections in report order (``region``: a code or label of any dataset,
    ``regions.study_region``)."""
    region = study_region(study, region)
    name = survey_name(study, survey)
    return [findings_section(study, name, region, language), datasets_section(study, language),
            sample_section(study, name, region, language)]
