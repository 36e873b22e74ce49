"""The programme's demo data: reproducible, valid against its dictionaries, the promised shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.programme import facts, supervision, training
from workbench.study import Study
from workbench.synthetic.programme import HEADER, write_programme, write_register
from workbench.synthetic.risk import write_risk


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("programme_demo")
    entries = write_programme(folder, np.random.default_rng(7))
    write_risk(folder, np.random.default_rng(9))  # the register holds the caseload's people (one world)
    entries.update(write_register(folder, np.random.default_rng(7)))
    spec = {"title": "programme demo", "synthetic": True, "datasets": entries}
    (folder / "study.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return folder, entries


def test_same_seed_same_bytes(demo, tmp_path):
    folder, entries = demo
    write_programme(tmp_path, np.random.default_rng(7))
    (tmp_path / "data" / "probation_clients.csv").write_bytes((folder / "data" / "probation_clients.csv").read_bytes())
    write_register(tmp_path, np.random.default_rng(7))
    for entry in entries.values():
        assert (tmp_path / entry["path"]).read_bytes() == (folder / entry["path"]).read_bytes()
    other = tmp_path / "other"
    write_programme(other, np.random.default_rng(8))
    assert (other / "data/training_tests.csv").read_bytes() != (folder / "data/training_tests.csv").read_bytes()


def test_files_say_synthetic_and_validate(demo):
    folder, entries = demo
    for entry in entries.values():
        first = (folder / entry["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert first + "\n" == HEADER
    problems = Study.load(folder).validate()
    assert problems.empty, problems.head().to_string()


def test_shape_matches_the_results_report(demo):
    study = Study.load(demo[0])
    participants = study.read("training_participants")
    trainers = participants[participants["role"] == "trainer"]
    officers = participants[participants["role"] == "officer"]
    # UNODC results report 2021-2023: 15 national trainers (66.7% women) trained 88 officers
    assert len(trainers) == 15 and (trainers["sex"] == 2).sum() == 10
    assert len(officers) == 88
    offices = study.read("offices")
    assert sorted(offices["region"].unique()) == list(range(1, 10))
    register = study.read("ve_register")
    years = pd.to_datetime(register["charge_date"]).dt.year
    assert years.between(2012, 2024).all() and (years >= 2017).sum() >= 200
    assert (register["sex"] == 2).mean() < 0.15


def test_analyses_run_on_the_demo(demo):
    study = Study.load(demo[0])
    tests = study.read("training_tests")
    items = study.dictionary("training_tests").battery_items("classification_knowledge")
    officers = tests[tests["course"] == "officers"]
    scores = training.participant_scores(officers, items, attributes=study.read("training_participants"))
    share = training.share_improved(scores).iloc[0]
    assert share["n_participants"] == 88 and share["ci_low"] < share["share_improved"] < share["ci_high"]
    reviews = study.read("supervision_reviews")
    standards = study.dictionary("supervision_reviews").battery_items("supervision_standards")
    agreement = supervision.reviewer_agreement(reviews, standards)
    assert (agreement["n_pairs"] > 0).all()
    table = facts.facts_counts(study.read("ve_register"), "charged", ["year", "sex"])
    assert table["suppressed"].any()          # few women: small cells appear, as promised


def test_the_register_needs_the_caseload_first(tmp_path):
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match="probation_clients.csv"):
        write_register(tmp_path, np.random.default_rng(7))
