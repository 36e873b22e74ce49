"""regions.study_region: one value, one region, in datasets that code regions differently.

Oracle: hand-made dictionaries (a survey coding regions 1, 2, transcripts coding them by
name, an office list whose 2 is another region), so the expected region follows by reading them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from workbench.errors import WorkbenchError
from workbench.regions import study_region


class _Dictionary:
    def __init__(self, values: dict) -> None:
        self.variables = {"region": SimpleNamespace(values=values)}
        self.source = "made.yaml"

    def by_role(self, role: str) -> list[str]:
        return ["region"] if role == "stratum" else []


def _study(regions: list | None = None, **dictionaries: dict) -> SimpleNamespace:
    made = {name: _Dictionary(values) for name, values in dictionaries.items()}
    return SimpleNamespace(datasets={name: SimpleNamespace(format="csv") for name in made}, root=Path("."),
                           dictionary=made.__getitem__, spec={"regions": regions})


SURVEY = {1: {"en": "Naryn", "ru": "Нарынская область"}, 2: {"en": "Osh oblast", "ru": "Ошская область"}}
TRANSCRIPTS = {"Osh": {"en": "Osh oblast", "ru": "Ошская область"}, "Naryn": {"en": "Naryn", "ru": "Нарынская область"}}


def test_a_code_or_a_label_of_any_dataset_names_one_region() -> None:
    study = _study(survey=SURVEY, transcripts=TRANSCRIPTS)
    assert {study_region(study, v) for v in (2, "2", "Osh", "Osh oblast", "ошская область ")} == {"Osh oblast"}
    assert study_region(study, None) is None


def test_an_unknown_region_lists_the_known_and_an_ambiguous_code_is_an_error() -> None:
    with pytest.raises(WorkbenchError, match="Нарынская область"):
        study_region(_study(survey=SURVEY, transcripts=TRANSCRIPTS), "Atlantis")
    offices = {2: {"en": "Naryn", "ru": "Нарынская область"}}  # 2 is Osh oblast in the survey
    with pytest.raises(WorkbenchError, match="different regions") as err:
        study_region(_study(survey=SURVEY, offices=offices), 2)
    assert "Osh oblast in survey" in str(err.value) and "Naryn in offices" in str(err.value)
    assert study_region(_study(survey=SURVEY, offices=offices), "Naryn") == "Naryn"
