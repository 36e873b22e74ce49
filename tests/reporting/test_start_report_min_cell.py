"""A notebook opened by hand (``min_cell = None`` in its parameters cell) gets the study's own
small-cell threshold, so the default lives in one place (issue 16.2: not a literal 10 in
every notebook).

Oracle: the documented contract of ``start_report`` and ``Study`` (study.yaml ``parameters:
min_cell`` when given, else ``disclosure.DEFAULT_MIN_CELL``; an explicit value wins), on
copies of the hand-made mini study with hand-set thresholds.
"""

from __future__ import annotations

from pathlib import Path

from workbench.disclosure import DEFAULT_MIN_CELL
from workbench.reporting.notebook import start_report


def _with_parameters(study: Path, parameters: str) -> Path:
    spec = study / "study.yaml"
    text = spec.read_text(encoding="utf-8")
    old = "parameters: {region: null, min_cell: 10, language: en}"
    assert old in text
    spec.write_text(text.replace(old, parameters), encoding="utf-8")
    return study


def test_none_takes_the_threshold_the_study_sets(mini_study: Path) -> None:
    study = _with_parameters(mini_study, "parameters: {region: null, min_cell: 25, language: en}")
    report = start_report(study, min_cell=None)
    assert report.min_cell == 25 and report.tables.min_cell == 25


def test_none_without_a_study_setting_is_the_package_default(mini_study: Path) -> None:
    study = _with_parameters(mini_study, "parameters: {region: null, language: en}")
    assert start_report(study).min_cell == DEFAULT_MIN_CELL


def test_an_explicit_threshold_wins(mini_study: Path) -> None:
    study = _with_parameters(mini_study, "parameters: {region: null, min_cell: 25, language: en}")
    assert start_report(study, min_cell=5).min_cell == 5
