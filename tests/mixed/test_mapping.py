"""The mapping and recommendations files: the demo loads; every mistake names the file and the entry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from workbench.errors import WorkbenchError
from workbench.mixed import load_study_mapping, load_study_recommendations
from workbench.study import Study
from workbench.synthetic.mixed import write_mixed


def _edit(study: Path, file: str, change) -> None:
    path = study / "parameters" / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_demo_mapping_loads_with_every_row_and_link(demo_study: Path) -> None:
    study = Study.load(demo_study)
    mapping = load_study_mapping(study)
    ids = [row.id for row in mapping.rows]
    # the barriers are all there, plus facilitators and community strategies
    for barrier in ("stigma", "employment", "documents", "housing", "family", "religion", "police",
                    "mental_health", "services", "debt"):
        assert barrier in ids
    assert {row.section for row in mapping.rows} == {"barrier", "facilitator", "community"}
    assert mapping.synthetic
    recs = load_study_recommendations(study, mapping)
    assert all(set(rec.rows) <= set(ids) for rec in recs) and len(recs) >= 5
    # the study validates: the mapping files are non-tabular datasets that exist
    problems = study.validate()
    assert not any("joint_display" in str(f) or "recommendations" in str(f) for f in problems["file"])


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = write_mixed(tmp_path / "a", np.random.default_rng(1))
    second = write_mixed(tmp_path / "b", np.random.default_rng(2))
    assert first == second
    for name in ("joint_display.yaml", "recommendations.yaml"):
        a = (tmp_path / "a" / "parameters" / name).read_bytes()
        assert a == (tmp_path / "b" / "parameters" / name).read_bytes()
        assert a.startswith(b"# SYNTHETIC") and b"synthetic: true" in a
    assert all(entry["format"] == "mapping" for entry in first.values())


@pytest.mark.parametrize("change, column, value", [
    (lambda d: d["rows"][1]["codes"].append("BAR_NOPE"), "codes", "BAR_NOPE"),
    (lambda d: d["rows"][1]["indicators"].append({"variable": "sd_fp_cowrker", "measures": "barrier"}), "variable", "sd_fp_cowrker"),
    (lambda d: d["rows"][1]["indicators"].append({"battery": "sd_fp", "measures": "barrier"}), "battery", "sd_fp"),
    (lambda d: d["rows"][1].update(section="barriers"), "section", "barriers"),
    (lambda d: d["rows"][1]["indicators"][0].update(reading="positive"), "reading", "positive"),
    (lambda d: d["rows"][1].update(label={"en": "Employment"}), "label", None),
    (lambda d: d["differences"][0].update(group={"gender": "female"}), "group", "gender"),
])
def test_a_bad_mapping_entry_is_named(demo_copy: Path, change, column: str, value) -> None:
    _edit(demo_copy, "joint_display.yaml", change)
    with pytest.raises(WorkbenchError) as caught:
        load_study_mapping(Study.load(demo_copy))
    error = caught.value
    assert error.file.endswith("joint_display.yaml")
    assert error.record_id in ("employment", "women")  # the entry that holds the mistake
    assert error.column == column
    if value is not None:
        assert error.value == value
    assert error.expected


def test_duplicate_row_id_is_refused(demo_copy: Path) -> None:
    _edit(demo_copy, "joint_display.yaml", lambda d: d["rows"][2].update(id="employment"))
    with pytest.raises(WorkbenchError, match="used twice"):
        load_study_mapping(Study.load(demo_copy))


def test_a_recommendation_linked_to_an_unknown_row_is_named(demo_copy: Path) -> None:
    _edit(demo_copy, "recommendations.yaml", lambda d: d["recommendations"][1]["rows"].append("jobs"))
    study = Study.load(demo_copy)
    with pytest.raises(WorkbenchError) as caught:
        load_study_recommendations(study, load_study_mapping(study))
    assert caught.value.file.endswith("recommendations.yaml")
    assert caught.value.record_id == "R2" and caught.value.value == "jobs"
