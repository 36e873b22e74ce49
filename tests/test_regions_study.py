"""The study's regions (study.yaml ``regions:``) drive every region lookup; the package knows none.

Oracle: a real study folder (the apistrat fixture, R survey's Californian schools, whose
stratum is the school type) given made-up "regions" with Russian names and aliases in its
study.yaml, so the expected match of each value follows by reading the declaration; and
hand-written ``regions:`` lists for the parser's errors.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench import study_facts
from workbench.errors import WorkbenchError
from workbench.regions import (canonical_region, dictionary_region_codes, parse_regions, region_codes,
                               study_region, study_regions)
from workbench.reporting.build import plan_jobs
from workbench.reporting.parameters import resolve_region
from workbench.study import Study

FIXTURE = Path(__file__).parent / "fixtures" / "byo_apistrat"
REGIONS = """regions:
  - {name: Elementary, ru: Начальная, aliases: [Primary, K-5]}
  - {name: Middle, aliases: [Junior high]}
  - High
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    root = tmp_path_factory.mktemp("regions") / "study"
    shutil.copytree(FIXTURE, root)
    spec = (root / "study.yaml").read_text(encoding="utf-8")
    (root / "study.yaml").write_text(spec.replace("datasets:\n", REGIONS + "datasets:\n", 1), encoding="utf-8")
    return Study.load(root)


def test_a_code_a_label_in_either_language_or_an_alias_names_one_region(study: Study) -> None:
    assert study_regions(study)[0].aliases == ("Primary", "K-5")
    for value in ("E", "Elementary", "начальная", " primary ", "K-5"):
        assert study_region(study, value) == "Elementary"
        assert dictionary_region_codes(study.dictionary("apistrat"), value) == ("stype", ["E"])
    assert study_region(study, "junior high") == "Middle"
    assert [codes for _, codes in resolve_region(study, "Primary")] == [["E"]]  # the CLI's check


def test_an_unknown_region_lists_the_known_ones(study: Study) -> None:
    with pytest.raises(WorkbenchError, match="unknown region") as err:
        study_region(study, "Atlantis")
    assert "E (Elementary / Начальная)" in str(err.value.expected) and "H (High" in str(err.value.expected)
    with pytest.raises(WorkbenchError, match="Elementary / "):
        canonical_region("Atlantis", study_regions(study))


def test_display_names_and_editions_come_from_the_study(study: Study) -> None:
    known = study_regions(study)
    assert study_facts.region_name("k-5", "ru", known) == "Начальная"
    assert study_facts.region_name("Junior high", "ru", known) == "Middle"  # no Russian name declared
    notebook = Path(__file__).parents[1] / "notebooks" / "00_data_overview.ipynb"
    jobs = plan_jobs(study, [notebook], {}, False, each="region")
    assert [job.parameters["region"] for job in jobs] == ["Elementary", "Middle", "High"]


def test_without_the_study_only_codes_and_labels_match() -> None:
    """An alias is the study's: the bare dictionary values know only their codes and labels."""
    values = {"E": {"en": "Elementary", "ru": "Начальная"}}
    assert region_codes(values, "начальная") == ["E"]
    with pytest.raises(WorkbenchError, match="unknown region"):
        region_codes(values, "Primary")
    assert region_codes(values, "Primary", regions=parse_regions([{"name": "Elementary", "aliases": ["Primary"]}])) == ["E"]


@pytest.mark.parametrize("entries, message", [
    ("Batken", "must be a list"),
    ([{"name": "Batken", "alias": ["Batk"]}], "did you mean 'aliases'"),
    ([True], "quote it"),
    ([{"name": "Norway", "aliases": [False]}], "quote it"),
    ([{"ru": "Баткен"}], "text name"),
    ([{"name": "Batken", "aliases": "Batk"}], "text name"),
    ([{"name": "Osh oblast", "aliases": ["Osh"]}, {"name": "Osh city", "aliases": ["osh"]}], "names two regions"),
])
def test_a_bad_regions_list_is_a_clear_error(entries: object, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message):
        parse_regions(entries, file="study.yaml")


def test_a_bad_regions_list_stops_the_study_load(tmp_path: Path) -> None:
    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    spec = (root / "study.yaml").read_text(encoding="utf-8")
    (root / "study.yaml").write_text(spec.replace("datasets:\n", "regions: [{name: E, alias: [x]}]\ndatasets:\n", 1),
                                     encoding="utf-8")
    with pytest.raises(WorkbenchError, match="did you mean 'aliases'"):
        Study.load(root)
