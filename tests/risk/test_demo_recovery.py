"""The seeded demo data: valid against its dictionaries, reproducible, and the analysis recovers
the truth the generator stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import yaml

from workbench.io import read_table
from workbench.risk import fit_cox, follow_up, outcome_within, score_assessments, validate_scores
from workbench.schemas import load_dictionary
from workbench.synthetic.demo import DEFAULT_SEED, generator_rng
from workbench.synthetic.risk import SYNTHETIC_LINE, write_risk


def _intake_analysis_table(demo: dict) -> pd.DataFrame:
    clients = demo["probation_clients"]
    scored = score_assessments(demo["risk_assessments"], keep=["client_id", "assessment_type"])
    intake = scored[scored["assessment_type"] == "intake"][["client_id", "total", "risk_level"]]
    table = clients.merge(follow_up(clients), on="client_id").merge(intake, on="client_id")
    table["intake_total"] = table["total"]
    table["female"] = (table["sex"] == "female").astype(float)
    table["age_per_10_years"] = (table["age"] - 30) / 10
    return table.dropna(subset=["total"])


def test_files_are_synthetic_valid_and_reproducible(demo_dir: Path, tmp_path: Path) -> None:
    entries = write_risk(tmp_path, generator_rng(DEFAULT_SEED, "risk"))
    for name, entry in entries.items():
        path = tmp_path / entry["path"]
        assert path.read_text(encoding="utf-8").splitlines()[0] == SYNTHETIC_LINE
        _, problems = load_dictionary(entry["dictionary"]).validate(read_table(path).data, file=entry["path"])
        assert problems.empty, (name, problems.head())
        same = demo_dir / entry["path"]
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(same.read_bytes()).digest()
    truth = yaml.safe_load((tmp_path / "data" / "risk_truth.yaml").read_text(encoding="utf-8"))
    assert truth["synthetic"] is True


def test_demo_shape(demo: dict) -> None:
    clients = demo["probation_clients"]
    assert len(clients) == 2000
    assert 200 <= clients["ve_client"].sum() <= 400
    assert ((clients["ve_client"] == 1) & (clients["sex"] == "female")).sum() >= 20
    assert set(clients["region"]) == {"Batken", "Chuy", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh oblast", "Talas",
                                      "Bishkek city", "Osh city"}
    assert demo["probation_offices"]["officers"].sum() == 88
    kinds = demo["risk_assessments"]["assessment_type"].value_counts()
    assert kinds["intake"] == 2000 and kinds["reassessment"] > 2000


def test_cox_recovers_true_coefficients(demo_dir: Path, demo: dict) -> None:
    truth = yaml.safe_load((demo_dir / "data" / "risk_truth.yaml").read_text(encoding="utf-8"))
    true = truth["cox_reoffence"]["coefficients"]
    table = _intake_analysis_table(demo)
    cox = fit_cox(table, "duration_days", "reoffended", list(true)).set_index("term")
    for name, value in true.items():
        assert cox.loc[name, "ci_low"] <= value <= cox.loc[name, "ci_high"], (name, cox.loc[name].to_dict())


def test_validation_recovers_true_auc(demo_dir: Path, demo: dict) -> None:
    truth = yaml.safe_load((demo_dir / "data" / "risk_truth.yaml").read_text(encoding="utf-8"))["intake_total_auc"]
    table = _intake_analysis_table(demo)
    window = outcome_within(follow_up(demo["probation_clients"]), window_days=365)
    data = table.merge(window, on="client_id").dropna(subset=["reoffended_within"])
    assert data["window_complete"].all() and len(data) > 1500
    row = validate_scores(data, score="total", outcome="reoffended_within", by="sex").iloc[0]
    assert row["auc_ci_low"] <= truth["auc"] <= row["auc_ci_high"], row.to_dict()
