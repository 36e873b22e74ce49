"""The packaged COMPAS counts (report 03's annex) against ProPublica's record-level file.

Oracle: ``load_compas`` on the fixture ``tests/fixtures/risk/compas-scores-two-years.csv``
(propublica/compas-analysis): the counts must give the same rows per cell and the same
validation figures by sex and by race (an independent path through the same functions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.risk import compas_counts, compas_records, load_compas, validate_scores

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "risk" / "compas-scores-two-years.csv"


def test_counts_are_the_filtered_file_counted_by_cell() -> None:
    data = load_compas(FIXTURE)
    counts = compas_counts()
    assert counts["people"].sum() == 6172 == len(data)  # ProPublica's 6,172 rows
    expected = data.groupby(["sex", "race", "decile_score", "reoffended"]).size().rename("people").reset_index()
    pd.testing.assert_frame_equal(counts.sort_values(list(counts.columns[:4])).reset_index(drop=True),
                                  expected.astype(counts.dtypes.to_dict()), check_dtype=False)


def test_records_give_the_same_validation_as_the_file() -> None:
    by_file = validate_scores(load_compas(FIXTURE), "decile_score", "reoffended", by=["sex", "race"], cutoff=5)
    by_counts = validate_scores(compas_records(), "decile_score", "reoffended", by=["sex", "race"], cutoff=5)
    pd.testing.assert_frame_equal(by_file.reset_index(drop=True), by_counts.reset_index(drop=True))
