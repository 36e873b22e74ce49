"""One source per fact (issue 14.2, acceptance 3): every shared figure the built reports show
equals the one function of ``workbench.study_facts`` that defines it, so two reports agree.

How a figure is found (the contract in ``workbench.study_facts``): in ``<report>.figures.json``
a figure belongs to fact F when its column is named F (a sentence value or a table column
``F``) or when its table is named F and its column is F's value column (``VALUE``: the
``respondents`` of ``respondents_by_region``, not a share shown beside it). A row that is a region label (either language) is that
region's figure; any other row is the national figure. Quotes are compared in the HTML: the
same quote carries the same attribution in every report of an edition.

Oracle: ``workbench.study_facts`` on the same demo study (itself tested on hand-made data in
tests/test_study_facts.py); the collector is tested on hand-made figures below. Reports not
yet rewritten do not show their facts through the contract: they are ``xfail(strict=True)``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Callable

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from workbench import study_facts as sf
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.regions import Region, parse_regions, study_regions
from workbench.study import Study

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "ru")


def _register_year(study: Study) -> int:
    return int(pd.to_datetime(study.read("ve_register")["charge_date"]).dt.year.max())


def _codes(study: Study, language: str) -> pd.DataFrame:
    corpus = load_study_corpus(study)
    table = sf.participants_mentioning(corpus)
    return pd.DataFrame({"region": [sf.code_name(corpus.codes, c, language) for c in table["code_id"]],
                         "participants": table["participants"]})


#: fact -> (its table on the study in a language: first column the row key, second the value)
FACTS: dict[str, Callable[[Study, str], pd.DataFrame]] = {
    "ve_clients_on_probation": lambda study, _: sf.ve_clients_on_probation(study),
    "ve_register_serving_probation": lambda study, _: sf.ve_register_serving_probation(study, _register_year(study)),
    "clients_in_followup": lambda study, _: sf.clients_in_followup(study),
    "officers_trained": lambda study, _: sf.officers_trained(study),
    "probation_staff": lambda study, _: sf.probation_staff(study),
    "probation_offices": lambda study, _: sf.probation_offices(study),
    "offices_with_clients": lambda study, _: sf.offices_with_clients(study),
    "respondents_by_region": lambda study, _: sf.respondents_by_region(study),
    "participants_mentioning": _codes,
}
#: fact -> its value column (the second column of its ``study_facts`` table)
VALUE: dict[str, str] = {
    "ve_clients_on_probation": "clients", "ve_register_serving_probation": "people", "clients_in_followup": "clients",
    "officers_trained": "officers", "probation_staff": "officers", "probation_offices": "offices",
    "offices_with_clients": "offices", "respondents_by_region": "respondents", "participants_mentioning": "participants",
}
#: report -> the shared facts it shows (issue 14.2's list)
SHOWN: dict[str, list[str]] = {
    "00_data_overview": ["respondents_by_region"],
    "01_public_attitudes": ["respondents_by_region"],
    "02_interviews_and_focus_groups": ["participants_mentioning"],
    "04_recidivism_and_supervision": ["clients_in_followup", "officers_trained", "probation_staff"],
    "05_feasibility_electronic_monitoring": ["ve_clients_on_probation", "officers_trained"],
    "07_programme_monitoring": ["ve_register_serving_probation", "officers_trained", "probation_offices"],
    "10_barriers_to_reintegration": ["respondents_by_region", "participants_mentioning"],
}
#: (language, report) -> why it still fails; strict, so a fixed report fails its xfail
#: (state of 3 December 2026, 09:10 UTC)
XFAIL: dict[tuple[str, str], str] = {}
#: language -> why a quote is still attributed to two groups
QUOTE_XFAIL: dict[str, str] = {}


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def shown_facts(figures: list[dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """fact -> row ("" for the national figure, else the region or code as shown) -> values."""
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for figure in figures:
        table = str(figure.get("table", "")).removeprefix("sentence ")
        column = figure["column"]
        fact = column if column in FACTS else table if table in FACTS and VALUE[table] == column else None
        value = _number(figure["value"])
        if fact is None or value is None:
            continue
        row = str(figure["row"])
        found[fact]["" if row.isdigit() or row.startswith("row ") else row].append(value)
    return found


def fact_differences(shown: dict[str, dict[str, list[float]]], truth: dict[str, pd.DataFrame],
                     regions: Sequence[Region] = ()) -> list[str]:
    """Every shown figure that is not its fact's value: national figures against the total,
    a region's (or code's) figure against its row, matched by the one display name of the
    study's ``regions``."""
    problems = []
    for fact, rows in shown.items():
        table = truth[fact]
        by_key = {sf.region_name(k, regions=regions): float(v) for k, v in zip(table.iloc[:, 0], table.iloc[:, 1])}
        by_key.update({str(k): float(v) for k, v in zip(table.iloc[:, 0], table.iloc[:, 1])})
        for row, values in rows.items():
            expected = float(table.iloc[:, 1].sum()) if row == "" else by_key.get(sf.region_name(row, regions=regions))
            wrong = [v for v in values if expected is None or abs(v - expected) > 1e-9]
            if wrong:
                problems.append(f"{fact} [{row or 'national'}]: shown {wrong}, the study's value {expected}")
    return problems


QUOTE = re.compile(r"[“«]([^”»]{15,})[”»]\s*—\s*([^\n“«]+)")  # English and Russian quotation marks


def quote_attributions(page: str) -> dict[str, str]:
    """Quote text -> the attribution shown after it ("“...” — Released on parole")."""
    soup = BeautifulSoup(page, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = soup.get_text("\n")
    return {m.group(1).strip(): m.group(2).strip() for m in QUOTE.finditer(text)}


# ---- the collector, on hand-made figures -----------------------------------------------------------

def test_collector_finds_sentence_and_table_figures() -> None:
    figures = [
        {"table": "sentence pm_facts", "row": "1", "column": "ve_register_serving_probation", "value": 17},
        {"table": "respondents_by_region", "row": "Osh oblast", "column": "respondents", "value": 205},
        {"table": "sample", "row": "Ошская область", "column": "respondents_by_region", "value": "1 001"},
        {"table": "sample", "row": "Batken", "column": "respondents", "value": 89},  # not a fact
        {"table": "respondents_by_region", "row": "Batken", "column": "share", "value": 0.09},  # not its value
    ]
    shown = shown_facts(figures)
    assert shown["ve_register_serving_probation"] == {"": [17.0]}
    assert shown["respondents_by_region"] == {"Osh oblast": [205.0], "Ошская область": [1001.0]}
    truth = {"ve_register_serving_probation": pd.DataFrame({"region": ["Batken", "Osh oblast"], "people": [9, 8]}),
             "respondents_by_region": pd.DataFrame({"region": ["Batken", "Osh oblast"], "respondents": [89, 205]})}
    # 17 = 9 + 8 nationally; Osh oblast 205 in English agrees, 1 001 in Russian does not
    assert fact_differences(shown, truth, parse_regions([{"name": "Osh oblast", "ru": "Ошская область"}])) == [
        "respondents_by_region [Ошская область]: shown [1001.0], the study's value 205.0"]


def test_quote_attributions_from_html() -> None:
    page = ("<blockquote><p>“The label stays with a person for life.”<br/>\n— Expert</p></blockquote>"
            "<table><tr><td>“Some sleep at relatives' places.” — Released on parole</td></tr></table>")
    assert quote_attributions(page) == {"The label stays with a person for life.": "Expert",
                                        "Some sleep at relatives' places.": "Released on parole"}
    russian = ('<td>«<span lang="en">My passport was taken at the border.</span>» — Вернувшиеся\n'
               '«<span lang="en">Nobody would rent us a flat.</span>» — участник</td>')
    assert quote_attributions(russian) == {"My passport was taken at the border.": "Вернувшиеся",
                                           "Nobody would rent us a flat.": "участник"}


# ---- the built reports -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def truth(built_reports: dict) -> dict[str, dict[str, pd.DataFrame]]:
    study = Study.load(built_reports["study"])
    return {language: {fact: make(study, language) for fact, make in FACTS.items()} for language in LANGUAGES}


def _cases() -> list:
    cases = []
    for language in LANGUAGES:
        for report in SHOWN:
            reason = XFAIL.get((language, report))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(language, report, marks=marks, id=f"{language}-{report}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("language, report", _cases())
def test_report_shows_its_shared_facts_from_the_one_source(built_reports: dict, truth: dict, language: str,
                                                           report: str) -> None:
    path = built_reports[language] / f"{report}.figures.json"
    assert path.exists(), f"{report} was not built ({language})"
    shown = shown_facts(json.loads(path.read_text(encoding="utf-8"))["figures"])
    missing = [fact for fact in SHOWN[report] if fact not in shown]
    assert not missing, f"{report} ({language}) does not record {missing} under the fact's name (study_facts)"
    assert fact_differences(shown, truth[language], study_regions(Study.load(built_reports["study"]))) == []


@pytest.mark.slow
@pytest.mark.parametrize("language", [
    pytest.param(language, marks=[pytest.mark.xfail(strict=True, reason=QUOTE_XFAIL[language])]
                 if language in QUOTE_XFAIL else []) for language in LANGUAGES])
def test_every_quote_has_one_attribution_across_reports(built_reports: dict, language: str) -> None:
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for page in sorted(built_reports[language].glob("*.html")):
        for quote, who in quote_attributions(page.read_text(encoding="utf-8")).items():
            seen[quote][page.stem] = who
    differing = {quote: where for quote, where in seen.items() if len(set(where.values())) > 1}
    assert differing == {}, f"{len(differing)} quotes attributed differently: {list(differing.items())[:3]}"
