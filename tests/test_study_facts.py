"""Shared facts of ``workbench.study_facts`` on a hand-made study.

Oracle: hand counts. Every table below is small enough to count by eye; the expected values
are written next to the rows they come from. Two regions are coded differently in different
datasets (``1``/``2`` in one, ``Batken``/``Osh`` in another) so that the one display spelling
is tested too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import study_facts as sf
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.qualitative.corpus import Corpus
from workbench.regions import study_regions
from workbench.study import Study

REGION_BY_NAME = """  - name: region
    type: string
    role: stratum
    values:
      Batken: {en: Batken, ru: Баткенская область}
      Osh: {en: Osh, ru: Ош}
      Talas: {en: Talas, ru: Таласская область}
    label: {en: Region, ru: Регион}
"""
REGION_BY_CODE = """  - name: region
    type: integer
    role: stratum
    values:
      1: {en: Batken, ru: Баткенская область}
      2: {en: Osh oblast, ru: Ошская область}
    label: {en: Region, ru: Регион}
"""
#: the study's regions (study.yaml): 'Osh' is an alias the clients' and offices' tables use
REGIONS = """regions:
  - {name: Batken, ru: Баткенская область}
  - {name: Osh oblast, ru: Ошская область, aliases: [Osh]}
  - {name: Talas, ru: Таласская область}
  - {name: Bishkek city, ru: г. Бишкек, aliases: [Bishkek]}
"""


def _dictionary(name: str, variables: str, region: str) -> str:
    return f"dictionary: {name}\ntitle: {{en: {name}, ru: {name}}}\nvariables:\n{variables}{region}"


def _text(name: str, kind: str = "string") -> str:
    return f"  - name: {name}\n    type: {kind}\n    label: {{en: {name}, ru: {name}}}\n"


TABLES = {
    # name: (dictionary variables besides region, region style, csv)
    "probation_clients": (
        _text("client_id") + _text("ve_client", "integer") + _text("followup_start", "date")
        + _text("followup_end", "date"), REGION_BY_NAME,
        "client_id,ve_client,region,followup_start,followup_end\n"
        "C1,1,Batken,2024-01-01,2024-12-31\n"   # in follow-up on the cut-off, VE
        "C2,0,Batken,2024-03-01,2024-12-31\n"   # in follow-up, not VE
        "C3,1,Osh,2023-01-01,2024-06-30\n"      # ended before the cut-off
        "C4,1,Osh,2024-02-01,2024-12-31\n"      # in follow-up, VE; 'Osh' is Osh oblast
        "C5,1,Talas,2025-01-05,2025-01-05\n"),  # intake after 2024-12-31
    "ve_register": (
        _text("record_id") + _text("person_id") + _text("outcome", "integer") + _text("sentence_type", "integer")
        + _text("charge_date", "date") + _text("conviction_date", "date") + _text("sentence_start", "date")
        + _text("sentence_end", "date"), REGION_BY_CODE,
        "record_id,person_id,region,outcome,sentence_type,charge_date,conviction_date,sentence_start,sentence_end\n"
        "R1,P1,1,1,2,2023-01-01,2023-03-01,2023-03-01,\n"            # probation, still serving
        "R2,P2,2,1,2,2023-01-01,2023-03-01,2023-03-01,2025-06-01\n"  # probation, ends 2025
        "R3,P3,2,1,2,2022-01-01,2022-03-01,2022-03-01,2024-06-01\n"  # ended mid-2024
        "R4,P4,2,1,1,2023-01-01,2023-03-01,2023-03-01,\n"            # prison
        "R5,P5,1,2,,2023-01-01,,,\n"),                               # acquitted
    "training_participants": (
        _text("participant_id") + _text("role"), REGION_BY_CODE,
        "participant_id,role,region\nT1,trainer,1\nO1,officer,1\nO2,officer,2\nO3,officer,2\n"),
    "offices": (
        _text("office_id") + _text("n_officers", "integer"), REGION_BY_CODE,
        "office_id,region,n_officers\nPO1,1,7\nPO2,1,4\nPO3,2,10\n"),
    "probation_offices": (
        _text("office_id") + _text("officers", "integer"), REGION_BY_NAME,
        "office_id,region,officers\nPO1,Batken,2\nPO2,Osh,1\n"),
    "survey": (
        _text("resp_id"), REGION_BY_CODE,
        "resp_id,region\n1,1\n2,1\n3,2\n4,2\n5,2\n"),
}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    root: Path = tmp_path_factory.mktemp("facts_study")
    (root / "data").mkdir()
    entries = []
    for name, (variables, region, csv) in TABLES.items():
        (root / "data" / f"{name}.csv").write_text(csv, encoding="utf-8")
        (root / "data" / f"{name}.yaml").write_text(_dictionary(name, variables, region), encoding="utf-8")
        entries.append(f"  {name}:\n    path: data/{name}.csv\n    format: csv\n    dictionary: data/{name}.yaml\n")
    (root / "study.yaml").write_text("title: Facts test study\nsynthetic: true\n" + REGIONS + "datasets:\n"
                                     + "".join(entries), encoding="utf-8")
    return Study.load(root)


def _as_dict(table: pd.DataFrame) -> dict:
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1]))


def test_cutoff_and_clients_in_followup(study: Study) -> None:
    assert sf.data_cutoff(study) == pd.Timestamp("2025-01-05")
    # on 2024-12-31: C1, C2 (Batken), C4 (Osh -> Osh oblast); C3 ended, C5 not yet in
    assert _as_dict(sf.clients_in_followup(study, "2024-12-31")) == {"Batken": 2, "Osh oblast": 1, "Talas": 0}
    assert _as_dict(sf.ve_clients_on_probation(study, "2024-12-31")) == {"Batken": 1, "Osh oblast": 1, "Talas": 0}
    # on the cut-off (2025-01-05) only C5 is in follow-up
    assert _as_dict(sf.ve_clients_on_probation(study)) == {"Batken": 0, "Osh oblast": 0, "Talas": 1}


def test_register_serving_probation_at_year_end(study: Study) -> None:
    # 31 Dec 2024: P1 (no end yet), P2 (ends 2025); P3 ended in June, P4 is in prison, P5 acquitted
    assert _as_dict(sf.ve_register_serving_probation(study, 2024)) == {"Batken": 1, "Osh oblast": 1}
    # 31 Dec 2022: only P3 had started (2022-03-01)
    assert _as_dict(sf.ve_register_serving_probation(study, 2022)) == {"Batken": 0, "Osh oblast": 1}


def test_officers_trained_and_staff_are_two_facts(study: Study) -> None:
    assert _as_dict(sf.officers_trained(study)) == {"Batken": 1, "Osh oblast": 2}    # T1 is a trainer
    assert _as_dict(sf.probation_staff(study)) == {"Batken": 11, "Osh oblast": 10}   # 7 + 4; 10


def test_offices_and_offices_with_clients_are_two_facts(study: Study) -> None:
    assert _as_dict(sf.probation_offices(study)) == {"Batken": 2, "Osh oblast": 1}
    assert _as_dict(sf.offices_with_clients(study)) == {"Batken": 1, "Osh oblast": 1, "Talas": 0}


def test_respondents_by_region(study: Study) -> None:
    table = sf.respondents_by_region(study)
    assert list(table.columns) == ["region", "respondents"]
    assert _as_dict(table) == {"Batken": 2, "Osh oblast": 3}


def test_missing_dataset_is_a_clear_error(study: Study) -> None:
    with pytest.raises(WorkbenchError, match="no dataset 'qual_cases'"):
        sf.respondents_by_region(study, dataset="qual_cases")


def test_region_name_one_spelling_per_language(study: Study) -> None:
    known = study_regions(study)  # the fixture's study.yaml (REGIONS above)
    assert {sf.region_name(s, regions=known) for s in ("Osh", "Osh oblast", "Ошская область", " osh ")} == {"Osh oblast"}
    assert sf.region_name("Osh", "ru", known) == "Ошская область"
    assert sf.region_name("Bishkek", "ru", known) == sf.region_name("г. Бишкек", "ru", known) == "г. Бишкек"
    assert sf.region_name("Somewhere else", "ru", known) == "Somewhere else"
    # a study that declares no regions: every name as its datasets write it
    assert sf.region_name("Osh", "ru") == "Osh"


CODES = pd.DataFrame({"code_id": ["DOCS", "HOUSE"], "name": ["Identity documents", "Housing"],
                      "name_ru": ["Документы", None], "parent_id": [None, None]})


def test_code_name() -> None:
    assert sf.code_name(CODES, "DOCS") == "Identity documents"
    assert sf.code_name(CODES, "DOCS", "ru") == "Документы"
    assert sf.code_name(CODES, "HOUSE", "ru") == "Housing"  # no Russian name: the English one
    with pytest.raises(WorkbenchError, match="unknown code"):
        sf.code_name(CODES, "NOPE")


def test_participants_mentioning_counts_people_of_the_primary_coder() -> None:
    documents = pd.DataFrame({"doc_id": ["D1", "D2", "D3"], "name": ["a", "b", "c"], "doc_type": ["KII", "KII", "expert"],
                              "case_id": ["K1", "K2", "E1"], "text": ["x" * 100] * 3})
    cases = pd.DataFrame({"case_id": ["K1", "K2", "E1"], "name": ["K1", "K2", "E1"], "sex": ["f", "m", "f"]})
    segments = pd.DataFrame({
        "segment_id": ["S1", "S2", "S3", "S4", "S5", "S6"], "doc_id": ["D1", "D1", "D2", "D3", "D3", "D2"],
        "start": [0, 20, 0, 0, 10, 50], "end": [10, 30, 10, 5, 20, 60],
        "code_id": ["DOCS", "DOCS", "HOUSE", "DOCS", "HOUSE", "DOCS"],
        "coder": ["R1", "R1", "R1", "R1", "R1", "R2"],           # R1 codes three documents: the primary coder
        "status": ["accepted"] * 6})
    corpus = Corpus(documents=documents, cases=cases, codes=CODES, segments=segments)
    overall = sf.participants_mentioning(corpus).set_index("code_id")
    # DOCS: K1 (twice, one person), E1; K2's DOCS segment is R2's only
    assert overall.loc["DOCS", "participants"] == 2 and overall.loc["HOUSE", "participants"] == 2
    assert overall.loc["DOCS", "participants_in_group"] == 3
    by_type = sf.participants_mentioning(corpus, by="doc_type").set_index(["doc_type", "code_id"])
    assert by_type.loc[("KII", "DOCS"), "participants"] == 1 and by_type.loc[("expert", "DOCS"), "participants"] == 1
    assert sf.participants_mentioning(corpus, coder="R2").set_index("code_id").loc["DOCS", "participants"] == 1


def test_quote_attribution_one_rule() -> None:
    cases = pd.DataFrame({"case_id": [f"C{k}" for k in range(7)],
                          "group": ["parolee"] * 5 + ["returnee"] * 2,
                          "sex": ["f", "f", "f", "m", "m", "f", "m"]})
    shown = sf.quote_attribution(cases, Disclosure(3), group="group", sex="sex",
                                 labels={"parolee": "Released on parole"}, sex_labels={"f": "woman"}).set_index("case_id")
    # parolees: 5 >= 3 named; 3 women named with sex, 2 men not; returnees: 2 < 3, not named
    assert shown.loc["C0", "attribution"] == "Released on parole, woman"
    assert shown.loc["C3", "attribution"] == "Released on parole"
    assert pd.isna(shown.loc["C5", "attribution"]) and pd.isna(shown.loc["C5", "group"])
    assert list(shown.columns) == ["group", "sex", "attribution"]
