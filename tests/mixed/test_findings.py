"""Convergence, evidence strength, suppression and group comparison on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.mixed.findings import (
    agreement, assess, compare_groups, public_reading, qualitative_reading, summary_facts,
)
from workbench.disclosure import Disclosure
from workbench.mixed.joint_display import suppress_joint_display
from workbench.mixed.mapping import DEFAULT_RULES


def _row(row_id: str, section: str, polarity: str, *, fav: tuple[float, float, float] | None, n_resp: int,
         ki: tuple[int, int], experts: tuple[int, int] = (0, 15), fg: tuple[int, int, int] = (0, 8, 60),
         alpha: float = 0.9) -> dict:
    estimate = fav if fav is not None else (np.nan, np.nan, np.nan)
    return {"row_id": row_id, "section": section, "polarity": polarity,
            "indicator": None if fav is None else f"item__{row_id}", "variable": row_id, "battery": None,
            "reading": "openness", "estimate": estimate[0], "ci_low": estimate[1], "ci_high": estimate[2],
            "favourable": estimate[0], "favourable_low": estimate[1], "favourable_high": estimate[2],
            "n_respondents": n_resp if fav is not None else np.nan, "ki_n": ki[0], "ki_base": ki[1],
            "ki_share": ki[0] / ki[1], "experts_n": experts[0], "experts_base": experts[1], "fg_n": fg[0],
            "fg_base": fg[1], "fg_people": fg[2],
            "sources_raising": int(ki[0] > 0) + int(experts[0] > 0) + int(fg[0] > 0), "alpha": alpha,
            "weakest_code": "X"}


def test_public_reading_uses_the_whole_interval() -> None:
    assert public_reading(0.51, 0.60, 0.5) == "open"
    assert public_reading(0.40, 0.49, 0.5) == "closed"
    assert public_reading(0.45, 0.55, 0.5) == "divided"
    assert public_reading(0.50, 0.60, 0.5) == "divided"  # touching the mark is not a majority
    assert public_reading(np.nan, np.nan, 0.5) is None
    assert qualitative_reading(0.25, 0.25) == "often" and qualitative_reading(0.2499, 0.25) == "rarely"


@pytest.mark.parametrize("polarity, qual, public, expected", [
    ("barrier", "often", "closed", "convergent"), ("barrier", "rarely", "open", "convergent"),
    ("barrier", "often", "open", "divergent"), ("barrier", "rarely", "closed", "divergent"),
    ("asset", "often", "open", "convergent"), ("asset", "rarely", "closed", "convergent"),
    ("asset", "often", "closed", "divergent"), ("asset", "rarely", "open", "divergent"),
    ("barrier", "often", "divided", "partial"), ("asset", None, "open", "survey_only"),
    ("barrier", "often", None, "qualitative_only"), ("barrier", None, None, "not_estimable"),
])
def test_agreement_matrix(polarity: str, qual, public, expected: str) -> None:
    assert agreement(polarity, qual, public) == expected


def test_assess_counts_the_four_criteria() -> None:
    table = pd.DataFrame([
        # raised often (20/40), three sources, alpha 0.9, public closed -> all four: strong
        _row("family", "barrier", "barrier", fav=(0.42, 0.39, 0.46), n_resp=900, ki=(20, 40), experts=(5, 15),
             fg=(4, 8, 60)),
        # raised often, public open -> divergent: three points, moderate
        _row("jobs", "barrier", "barrier", fav=(0.73, 0.69, 0.76), n_resp=900, ki=(19, 40), experts=(7, 15),
             fg=(6, 8, 60)),
        # no survey question, one source, alpha below 0.667 -> one point: weak
        _row("debt", "barrier", "barrier", fav=None, n_resp=0, ki=(16, 40), alpha=0.56),
        # asset named rarely, public closed -> convergent; two sources; reliable: 3 points
        _row("women", "community", "asset", fav=(0.40, 0.36, 0.44), n_resp=900, ki=(6, 40), experts=(9, 15)),
    ])
    out = assess(suppress_joint_display(table, Disclosure(10)), DEFAULT_RULES)
    by = out.set_index("row_id")
    assert by.loc["family", "status"] == "convergent" and by.loc["family", "strength"] == "strong"
    assert by.loc["jobs", "status"] == "divergent" and by.loc["jobs", "points"] == 3
    assert by.loc["jobs", "strength"] == "moderate" and by.loc["jobs", "pattern"] == "barrier_often_open"
    assert by.loc["debt", "status"] == "qualitative_only" and by.loc["debt", "points"] == 1
    assert by.loc["debt", "strength"] == "weak"
    assert by.loc["women", "status"] == "convergent" and by.loc["women", "points"] == 3
    facts = summary_facts(out, "barrier")
    assert facts["row_id"].tolist() == ["family", "jobs", "debt"]  # strongest first


def test_suppression_hides_each_figure_resting_on_few_people() -> None:
    table = pd.DataFrame([
        _row("a", "barrier", "barrier", fav=(0.6, 0.5, 0.7), n_resp=9, ki=(3, 8), experts=(2, 12), fg=(1, 1, 7)),
        _row("b", "barrier", "barrier", fav=(0.6, 0.5, 0.7), n_resp=10, ki=(3, 10), experts=(2, 9), fg=(1, 2, 14)),
    ])
    out = suppress_joint_display(table, Disclosure(10)).set_index("row_id")
    # row a: 9 respondents, 8 key informants, 7 focus-group participants: all hidden; 12 experts shown
    assert out.loc["a", "survey_hidden"] and pd.isna(out.loc["a", "estimate"]) and pd.isna(out.loc["a", "n_respondents"])
    assert pd.isna(out.loc["a", "ki_n"]) and pd.isna(out.loc["a", "ki_base"]) and pd.isna(out.loc["a", "ki_share"])
    assert pd.isna(out.loc["a", "fg_n"]) and pd.isna(out.loc["a", "fg_people"])
    assert out.loc["a", "experts_n"] == 2 and out.loc["a", "sources_raising"] == 1
    # row b: exactly the threshold is shown; 9 experts hidden
    assert out.loc["b", "estimate"] == 0.6 and out.loc["b", "ki_n"] == 3 and out.loc["b", "fg_n"] == 1
    assert pd.isna(out.loc["b", "experts_n"]) and out.loc["b", "sources_raising"] == 2
    # the input is not modified
    assert table.loc[0, "ki_n"] == 3


def test_compare_groups_hides_small_groups() -> None:
    group = pd.DataFrame({"row_id": ["x", "y"], "n": [12, 4], "base": [14, 14], "share": [12 / 14, 4 / 14]})
    reference = pd.DataFrame({"row_id": ["x", "y"], "n": [11, 15], "base": [26, 26], "share": [11 / 26, 15 / 26]})
    out = compare_groups(group, reference, Disclosure(10)).set_index("row_id")
    assert out.loc["x", "difference"] == pytest.approx(12 / 14 - 11 / 26)  # hand calculation
    small = compare_groups(group.assign(base=[9, 9]), reference, Disclosure(10)).set_index("row_id")
    assert small["group_hidden"].all() and small["difference"].isna().all() and small["n_group"].isna().all()
    assert small["base_group"].isna().all()
