"""A dataset's study.yaml ``description``: one text, or one per report language like the study
title; report 00 names and describes each dataset in the report language (issue 14.7).

Oracle: hand-written study.yaml snippets with their expected texts; for the demo, the
property that every dataset it writes has a Russian description.
"""

from pathlib import Path

import pytest

from workbench import overview
from workbench.errors import WorkbenchError
from workbench.study import Study
from workbench.synthetic import demo


def _study(tmp_path: Path, description_yaml: str, dictionary: bool = False) -> Study:
    (tmp_path / "data").mkdir()
    (tmp_path / "data/offices.csv").write_text("office_id\nA\n", encoding="utf-8")
    (tmp_path / "data/notes").mkdir()
    entry = ("  offices: {path: data/offices.csv, format: csv, dictionary: offices}\n" if dictionary else "")
    (tmp_path / "study.yaml").write_text(
        "title: T\ndatasets:\n" + entry + "  notes:\n    path: data/notes\n    format: folder\n" + description_yaml,
        encoding="utf-8")
    return Study.load(tmp_path)


def test_description_per_language_falls_back_to_english(tmp_path: Path) -> None:
    entry = _study(tmp_path, "    description: {en: Field notes, ru: Полевые заметки}\n").datasets["notes"]
    assert (entry.description, entry.description_in("en"), entry.description_in("ru")) == (
        "Field notes", "Field notes", "Полевые заметки")
    assert overview.dataset_title(Study.load(tmp_path), "notes", "ru") == "Полевые заметки"


def test_one_description_serves_every_language(tmp_path: Path) -> None:
    study = _study(tmp_path, "    description: Field notes\n")
    assert study.datasets["notes"].description_in("ru") == "Field notes"
    assert overview.dataset_summary(study, "ru").set_index("dataset").loc["notes", "description"] == "Field notes"


@pytest.mark.parametrize("description", ["    description: {ru: Заметки}\n", "    description: {en: A, kg: B}\n",
                                         "    description: [A, B]\n"])
def test_malformed_description_is_a_clear_error(tmp_path: Path, description: str) -> None:
    with pytest.raises(WorkbenchError, match="datasets.notes.description"):
        _study(tmp_path, description)


def test_every_demo_dataset_has_a_russian_description(tmp_path: Path) -> None:
    study = Study.load(demo.write_demo_study(tmp_path / "demo"))
    missing = [name for name, entry in study.datasets.items() if not entry.descriptions.get("ru")]
    assert missing == []
    assert set(demo.DESCRIPTIONS_RU) == set(study.datasets)  # no translation of a dataset that is gone
