"""Reviewer agreement in plain words: Landis & Koch bands (1977, Biometrics 33:159-174) and clipped intervals."""

from __future__ import annotations

import math

import pytest

from workbench.agreement import landis_koch_band


@pytest.mark.parametrize("kappa, band", [
    (-0.05, "poor"), (0.0, "slight"), (0.20, "slight"), (0.21, "fair"), (0.40, "fair"), (0.41, "moderate"),
    (0.60, "moderate"), (0.61, "substantial"), (0.80, "substantial"), (0.81, "almost_perfect"),
    (1.0, "almost_perfect"),
])
def test_landis_koch_bands_with_inclusive_upper_limits(kappa: float, band: str) -> None:
    assert landis_koch_band(kappa) == band


def test_nan_has_no_band() -> None:
    assert landis_koch_band(math.nan) is None


def test_agreement_interval_is_clipped_to_the_range_of_kappa() -> None:
    import numpy as np
    import pandas as pd

    from workbench.programme import reviewer_agreement
    from workbench.qualitative import reliability

    # 12 files, reviewers agree on 11 (10 met, 1 not met both) and differ on one: kappa = 0.6471
    # (p_o = 11/12, p_e = (11/12)(10/12) + (1/12)(2/12) = 112/144); the Wald interval passes 1.
    internal = [1] * 10 + [0, 1]
    external = [1] * 10 + [0, 0]
    rows = []
    for i, (a, b) in enumerate(zip(internal, external)):
        rows.append((f"I{i}", "O1", f"C{i}", "internal", "2024-01-10", a))
        rows.append((f"E{i}", "O1", f"C{i}", "external", "2024-01-20", b))
    reviews = pd.DataFrame(rows, columns=["review_id", "office_id", "case_id", "reviewer_type", "review_date", "std_a"])
    reviews["review_kind"] = "case_file"
    unclipped = reliability.cohen_kappa_interval(np.array([internal, external]), value_order=[0, 1])
    assert unclipped.ci_high > 1  # the case is meaningful: the raw Wald limit is impossible
    row = reviewer_agreement(reviews, ["std_a"]).set_index("standard").loc["std_a"]
    assert row["kappa"] == pytest.approx(1 - (1 - 11 / 12) / (1 - 112 / 144))
    assert row["kappa_ci_high"] == 1.0 and row["kappa_ci_low"] == pytest.approx(unclipped.ci_low)
