"""Reviewer agreement in plain words: the kappa interval is clipped to kappa's range (bands: tests/test_agreement.py)."""

from __future__ import annotations

import math

import pytest



def test_agreement_interval_is_clipped_to_the_range_of_kappa() -> None:
    import numpy as np
    import pandas as pd

    from workbench.programme import reviewer_agreement
    from workbench.agreement import cohen_kappa

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
    unclipped = cohen_kappa(np.array([internal, external]), value_order=[0, 1])
    assert unclipped.ci_high > 1  # the case is meaningful: the raw Wald limit is impossible
    row = reviewer_agreement(reviews, ["std_a"]).set_index("standard").loc["std_a"]
    assert row["kappa"] == pytest.approx(1 - (1 - 11 / 12) / (1 - 112 / 144))
    assert row["kappa_ci_high"] == 1.0 and row["kappa_ci_low"] == pytest.approx(unclipped.ci_low)
