"""The survey dataset of a study and its population margins, found by the dictionary's roles."""

from __future__ import annotations

from typing import Any

from workbench.errors import WorkbenchError
from workbench.survey.instrument import QUESTION, role_variable


def find_survey(study: Any, name: str | None = None) -> str:
    """Name of the study's survey dataset: ``name`` when given (the ``survey`` parameter, e.g.
    from study.yaml ``parameters:``), else the first dataset whose dictionary has a ``weight``
    role and a questionnaire (a battery tagged with a ``kind``, or a ``question``)."""
    if name is not None:
        study.dataset(name)  # an unknown name is an error listing the datasets
        return name
    for candidate, entry in study.datasets.items():
        if not entry.dictionary:
            continue
        try:
            dictionary = study.dictionary(candidate)
        except WorkbenchError:
            continue
        tagged = any((spec or {}).get("kind") for spec in dictionary.batteries.values())
        if (tagged or dictionary.by_role(QUESTION)) and role_variable(dictionary, "weight") is not None:
            return candidate
    raise WorkbenchError("the study has no survey dataset", file=str(study.root / "study.yaml"),
                         expected="a dataset whose dictionary has a weight role and batteries tagged with "
                                  "kind or variables with role question (or parameters: survey: <dataset>)")


def find_margins(study: Any, survey: str) -> str | None:
    """``<survey>_population_margins`` when the study has that dataset, else None."""
    name = f"{survey}_population_margins"
    return name if name in study.datasets else None
