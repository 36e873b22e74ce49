"""The demo study is one world (issue 14.2): the probation caseload, the service's offices, the
training records and the register describe the same people, offices and officers, so the
figures 04, 05 and 07 show agree.

Oracle: ``workbench.study_facts`` applied to each dataset independently (each function reads
one dataset); the generators never call it. Properties that must hold in one world.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import study_facts as sf
from workbench.study import Study
from workbench.synthetic import world
from workbench.synthetic.demo import write_demo_study
from workbench.synthetic.kyrgyz_regions import NAMES as REGIONS


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return Study.load(write_demo_study(Path(tmp_path_factory.mktemp("world")) / "demo"))


def _by_region(table: pd.DataFrame) -> dict[str, int]:
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1].astype(int)))


def test_the_register_counts_the_caseloads_violent_extremist_clients(study: Study) -> None:
    # 05 (caseload on the cut-off day) and 07 (register on 31 December of the cut-off year)
    cutoff = sf.data_cutoff(study)
    assert cutoff == world.DATA_CUTOFF and (cutoff.month, cutoff.day) == (12, 31)
    caseload = _by_region(sf.ve_clients_on_probation(study))
    register = _by_region(sf.ve_register_serving_probation(study, cutoff.year))
    assert caseload == register
    assert sum(caseload.values()) > 50  # near the public level (86), not the former draw of 17


def test_one_list_of_offices_and_of_trained_officers(study: Study) -> None:
    assert _by_region(sf.offices_with_clients(study)) == _by_region(sf.probation_offices(study)) \
        == {region: world.OFFICES_PER_REGION[region] for region in REGIONS}
    assert sum(world.OFFICES_PER_REGION.values()) == 34
    caseload_offices = study.read("probation_offices").set_index("office_id")["region"]
    service = study.read("offices")
    labels = study.dictionary("offices").value_labels("region", "en")
    service_offices = pd.Series(service["region"].map(labels).to_numpy(), index=service["office_id"])
    assert caseload_offices.sort_index().to_dict() == service_offices.sort_index().to_dict()  # same ids, same regions
    trained = int(sf.officers_trained(study)["officers"].sum())
    assert trained == world.OFFICERS_TRAINED == int(study.read("probation_offices")["officers"].sum())
    assert trained <= int(sf.probation_staff(study)["officers"].sum())  # trained officers are part of the staff


def test_the_caseloads_officers_are_the_trained_officers_in_their_offices(study: Study) -> None:
    # the assessors of the caseload are the officers of the training records, in the same office
    trained = study.read("training_participants")
    trained = trained[trained["role"] == "officer"].set_index("participant_id")["office_id"]
    clients = study.read("probation_clients")
    assert set(clients["officer_id"]) <= set(trained.index)
    assert (clients["officer_id"].map(trained) == clients["office_id"]).all()
    per_office = study.read("probation_offices").set_index("office_id")["officers"]
    assert trained.value_counts().sort_index().to_dict() == per_office[per_office > 0].sort_index().to_dict()
    posts = study.read("offices").set_index("office_id")["n_officers"]
    assert (per_office <= posts.reindex(per_office.index)).all()  # trained officers hold posts there
