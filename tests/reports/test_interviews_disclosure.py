"""Report 02's barrier breakdown never lets a hidden group's counts follow from the totals shown.

Oracle: linear programming (``scipy.optimize.linprog``), solving for every hidden count as a
reader could: the groups of a breakdown add up to all participants (shown in the text) and
each barrier's group counts add up to its overall count (shown in the overall table); counts
are >= 0 and a group's count is at most its base. A hidden count whose smallest and largest
feasible values coincide would be disclosed. The same solver shows the leak without
secondary suppression (so the check can fail), on a table built by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from workbench.disclosure import Disclosure
from workbench.reports import interviews
from workbench.reports.sections import Table, Text
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

BASES = {"respondent_group": {"A": 30, "B": 25, "C": 4, "D": 12}, "sex": {"F": 40, "M": 31}}
RAISED = {("A", "X"): 12, ("A", "Y"): 9, ("B", "X"): 11, ("B", "Y"): 3, ("C", "X"): 3, ("C", "Y"): 1,
          ("D", "X"): 7, ("D", "Y"): 2, ("F", "X"): 20, ("F", "Y"): 6, ("M", "X"): 13, ("M", "Y"): 9}


def _constructed() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A long table as ``barriers_by_group`` gives it (group C has 4 participants) and the
    overall counts (X: 33, Y: 15), both by hand."""
    rows = [{"attribute": a, "category_code": level, "code_id": code, "raised": RAISED[level, code], "participants": n}
            for a, levels in BASES.items() for level, n in levels.items() for code in ("X", "Y")]
    long = pd.DataFrame(rows)
    overall = long[long["attribute"] == "sex"].groupby("code_id", as_index=False)["raised"].sum()
    return long, overall.rename(columns={"raised": "participants"})


def _ranges(long: pd.DataFrame, hidden: pd.Series, overall: pd.DataFrame, total: int) -> pd.DataFrame:
    """Feasible range of each hidden base and count of one breakdown given the shown ones."""
    levels = list(dict.fromkeys(long.loc[hidden, "category_code"]))
    codes = list(overall["code_id"])
    names = [(lv, "base") for lv in levels] + [(lv, c) for lv in levels for c in codes]
    index = {v: i for i, v in enumerate(names)}
    shown = long[~hidden]
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    row = np.zeros(len(names))
    row[[index[lv, "base"] for lv in levels]] = 1
    a_eq.append(row)
    b_eq.append(total - shown.drop_duplicates("category_code")["participants"].sum())
    for code, n in zip(overall["code_id"], overall["participants"]):
        row = np.zeros(len(names))
        row[[index[lv, code] for lv in levels]] = 1
        a_eq.append(row)
        b_eq.append(n - shown.loc[shown["code_id"] == code, "raised"].sum())
    for lv in levels:
        for code in codes:
            row = np.zeros(len(names))
            row[index[lv, code]], row[index[lv, "base"]] = 1, -1
            a_ub.append(row)
            b_ub.append(0)
    truth = long.set_index(["category_code", "code_id"])["raised"]
    bases = long.drop_duplicates("category_code").set_index("category_code")["participants"]
    out = []
    for k, (lv, what) in enumerate(names):
        c = np.zeros(len(names))
        c[k] = 1
        kw = dict(A_eq=np.array(a_eq), b_eq=b_eq, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                  bounds=[(0, None)] * len(names), method="highs")
        low, high = linprog(c, **kw), linprog(-c, **kw)
        assert low.status == 0 and high.status == 0
        true = bases[lv] if what == "base" else truth[lv, what]
        out.append({"category": lv, "what": what, "true": true, "low": low.fun, "high": -high.fun})
    return pd.DataFrame(out)


def test_one_small_group_hides_a_second_and_nothing_follows_from_the_totals() -> None:
    long, overall = _constructed()
    shown, left_out = interviews.shown_groups(long, overall, Disclosure(10))
    assert left_out == []
    groups = shown[shown["attribute"] == "respondent_group"]
    # C (4 people) by the primary rule; D (12), the smallest other group, by the secondary rule
    assert sorted(set(groups.loc[groups["hidden"], "category_code"])) == ["C", "D"]
    assert not shown.loc[shown["attribute"] == "sex", "hidden"].any()
    ranges = _ranges(groups, groups["hidden"], overall, total=71)
    assert (ranges["high"] - ranges["low"] > 0.5).all(), ranges
    assert ((ranges["low"] <= ranges["true"] + 1e-9) & (ranges["true"] <= ranges["high"] + 1e-9)).all()
    # the same solver finds C's counts exactly when C alone is hidden: the leak the rule closes
    alone = _ranges(groups, groups["category_code"] == "C", overall, total=71)
    assert np.allclose(alone["low"], alone["true"]) and np.allclose(alone["high"], alone["true"])


def test_a_barrier_raised_by_too_few_is_left_out_of_the_breakdown() -> None:
    long, overall = _constructed()
    shown, _ = interviews.shown_groups(long, overall, Disclosure(16))  # Y: 15 participants in all
    assert set(shown["code_id"]) == {"X"}


def test_a_mostly_hidden_breakdown_is_left_out_not_shown_as_markers() -> None:
    long, overall = _constructed()
    shown, left_out = interviews.shown_groups(long, overall, Disclosure(26))  # A only has 26 or more
    assert left_out == ["respondent_group"] and set(shown["attribute"]) == {"sex"}
    shown, left_out = interviews.shown_groups(long, overall, Disclosure(35))  # M (31) primary, F secondary
    assert left_out == ["respondent_group", "sex"] and shown.empty


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> interviews.Material:
    return interviews.material(Study.load(write_demo_study(tmp_path_factory.mktemp("demo02d") / "study")))


@pytest.mark.parametrize("min_cell", [10, 11, 15, 16, 55, 64])
def test_demo_breakdown_discloses_no_hidden_count(material: interviews.Material, min_cell: int) -> None:
    disclosure = Disclosure(min_cell)
    section = interviews.barriers_section(material, disclosure)
    truth = interviews.barriers_by_group(material, interviews.DEFAULTS["group_attributes"])
    counts = interviews.barrier_counts(material)
    overall = counts.loc[~disclosure.too_few(counts["participants"]), ["code_id", "participants"]]
    tables = [b for b in section.blocks if isinstance(b, Table) and b.name == "barriers-by-group"]
    notes = [b.values["breakdown"] for b in section.blocks if isinstance(b, Text) and b.key == "ql_barriers_aggregated"]
    overall_table = [b for b in section.blocks if isinstance(b, Table) and b.name == "participants_mentioning"]
    if overall_table:  # never a grid of markers: at most half of the barriers hidden
        assert disclosure.too_few(overall_table[0].frame["participants"]).mean() <= 0.5
    if not tables:
        assert len(notes) == 2
        return
    frame = tables[0].frame
    hidden_rows = disclosure.too_few(frame["participants"])  # what the rendered table hides
    assert hidden_rows.mean() <= 0.5 or len(set(frame["breakdown"])) > 1
    shown_codes = [c for c in frame.columns if c in material.barriers]
    assert set(shown_codes) == set(overall["code_id"])
    for breakdown, rows in frame.groupby("breakdown", sort=False):
        hidden = disclosure.too_few(rows["participants"])
        assert hidden.sum() != 1 and hidden.mean() <= 0.5
        if not hidden.any():
            continue
        levels = set(rows.loc[hidden, "category"])
        long = truth[(truth["breakdown"] == breakdown) & truth["code_id"].isin(shown_codes)]
        ranges = _ranges(long, long["category"].isin(levels), overall, total=int(counts["total"].iloc[0]))
        determined = ranges[np.isclose(ranges["low"], ranges["high"])]
        assert (determined["true"] == 0).all(), determined  # only a zero can follow (zeros are shown)
