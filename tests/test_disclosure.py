"""The one disclosure policy: row hiding, primary and secondary suppression, quote attribution.

Oracles: hand-made tables with hand-calculated results (stated in each test), the
linear-programming audit, and an independent brute-force enumeration of every integer table
consistent with what is shown (the secondary-suppression property)."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.disclosure import DEFAULT_MIN_CELL, Disclosure, audit_suppression


def _sex_region() -> pd.DataFrame:
    # hand-made 2 x 3 table; the only small cell is (f, 1) = 3
    return pd.DataFrame({"sex": ["m", "m", "m", "f", "f", "f"], "region": [1, 2, 3, 1, 2, 3],
                         "n": [40, 25, 30, 3, 12, 15]})


def _lines_ok(out: pd.DataFrame, dims: list[str], margins: list[str]) -> bool:
    """No row or column equation (cells + its total) has exactly one hidden entry."""
    for d in margins:
        others = [o for o in dims if o != d]
        for _, line in out.groupby(others, sort=False):
            if line["suppressed"].sum() == 1:
                return False
    return True


def test_primary_only_without_margins():
    out = Disclosure(10).suppress_counts(_sex_region(), "n")
    # hand: only the count 3 is below 10; no totals shown, so nothing else is hidden
    assert out["suppressed"].tolist() == [False, False, False, True, False, False]
    assert out["suppression"].tolist() == ["", "", "", "primary", "", ""]
    assert out["n"].isna().tolist() == out["suppressed"].tolist()
    assert out["n"].dropna().astype(int).tolist() == [40, 25, 30, 12, 15]


def test_secondary_suppression_hand_example():
    out = Disclosure(10).suppress_counts(_sex_region(), "n", by_margins=["sex", "region"])
    cells = out[~out["is_total"]].set_index(["sex", "region"])
    # hand: (f,1)=3 is primary; the f row then needs a second hidden cell -> the smallest
    # other f cell (f,2)=12; column 1 needs a second -> (m,1)=40; column 2 -> (m,2)=25
    # (the m row then has two hidden cells: done). Result: a 2 x 2 rectangle.
    hidden = sorted(cells.index[cells["suppressed"]].tolist())
    assert hidden == [("f", 1), ("f", 2), ("m", 1), ("m", 2)]
    assert cells.loc[("f", 1), "suppression"] == "primary"
    assert (cells.loc[[("f", 2), ("m", 1), ("m", 2)], "suppression"] == "secondary").all()
    totals = out[out["is_total"]].set_index(["sex", "region"])["n"]
    # totals are sums of the TRUE counts and stay visible
    assert totals[("Total", 1)] == 43 and totals[("Total", 2)] == 37 and totals[("Total", 3)] == 45
    assert totals[("m", "Total")] == 95 and totals[("f", "Total")] == 30 and totals[("Total", "Total")] == 125
    assert _lines_ok(out, ["sex", "region"], ["sex", "region"])


def test_audit_finds_every_hidden_cell_protected():
    original = _sex_region()
    out = Disclosure(10).suppress_counts(original, "n", by_margins=["sex", "region"])
    audit = audit_suppression(original, out, "n", ["sex", "region"])
    assert len(audit) == 4
    assert not audit["exact"].any()
    # hand: (f,1) can move between 0 and min(f row hidden total 15, column 1 hidden total 43) = 15
    row = audit[(audit["sex"] == "f") & (audit["region"] == 1)].iloc[0]
    assert row["feasible_low"] == pytest.approx(0) and row["feasible_high"] == pytest.approx(15)
    assert ((audit["feasible_low"] <= audit["true_count"]) & (audit["true_count"] <= audit["feasible_high"])).all()


def test_audit_detects_unprotected_cell():
    # primary suppression alone with totals shown: the hidden cell is total - visible cells
    original = _sex_region()
    unsafe = Disclosure(10).suppress_counts(original, "n", by_margins=["sex", "region"])
    unsafe["suppressed"] = unsafe["suppression"] == "primary"
    audit = audit_suppression(original, unsafe, "n", ["sex", "region"])
    assert audit["exact"].tolist() == [True]
    assert audit["feasible_low"].iloc[0] == pytest.approx(3)


def test_zeros_visible_unless_asked():
    table = pd.DataFrame({"g": ["a", "b", "c"], "n": [0, 5, 20]})
    out = Disclosure(10).suppress_counts(table, "n")
    assert out["suppressed"].tolist() == [False, True, False]
    out = Disclosure(10).suppress_counts(table, "n", suppress_zeros=True)
    assert out["suppressed"].tolist() == [True, True, False]


def test_single_line_total_hides_complement():
    # one dimension with its total shown: the 5 alone could be recovered as 60 - 0 - 20 - 35;
    # the complement is the smallest non-zero visible cell (20), not the zero
    table = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [0, 5, 20, 35]})
    out = Disclosure(10).suppress_counts(table, "n", by_margins=["g"])
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert out["n"].iloc[-1] == 60 and bool(out["is_total"].iloc[-1])


def test_complete_grid_adds_zero_cells():
    table = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"], "n": [12, 30, 40]})
    out = Disclosure(10).suppress_counts(table, "n", add_totals=False)
    assert len(out) == 4
    assert out.set_index(["a", "b"]).loc[(2, "y"), "n"] == 0


@pytest.mark.parametrize("seed", range(12))
def test_random_three_way_tables_pass_line_rule_and_audit(seed):
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([range(2), range(3), range(4)], names=["a", "b", "c"]).to_frame(index=False)
    grid["n"] = rng.poisson(rng.choice([4, 15, 40], size=len(grid)))
    margins = ["a", "c"]
    out = Disclosure(10).suppress_counts(grid, "n", by_margins=margins)
    assert _lines_ok(out, ["a", "b", "c"], margins)
    # property: every cell below 10 and above 0 is hidden; visible counts equal the truth
    merged = out[~out["is_total"]].merge(grid, on=["a", "b", "c"], suffixes=("", "_true"))
    small = (merged["n_true"] > 0) & (merged["n_true"] < 10)
    assert merged.loc[small, "suppressed"].all()
    visible = ~merged["suppressed"]
    assert (merged.loc[visible, "n"].astype(int) == merged.loc[visible, "n_true"]).all()
    audit = audit_suppression(grid, out, "n", margins)
    primary = audit.merge(out[out["suppression"] == "primary"][["a", "b", "c"]].astype(object),
                          on=["a", "b", "c"])
    assert not primary["exact"].any()


def test_does_not_modify_input():
    table = _sex_region()
    before = table.copy()
    Disclosure(10).suppress_counts(table, "n", by_margins=["sex", "region"])
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    "table, count_col, message",
    [
        (pd.DataFrame({"g": ["a", "b"], "n": [3, -1]}), "n", "whole numbers"),
        (pd.DataFrame({"g": ["a", "b"], "n": [3, None]}), "n", "whole numbers"),
        (pd.DataFrame({"g": ["a", "a"], "n": [3, 4]}), "n", "more than one row"),
        (pd.DataFrame({"g": ["a", "b"], "n": [3, 4]}), "count", "lacks a column"),
        (pd.DataFrame({"g": ["a", "Total"], "n": [3, 4]}), "n", "totals label"),
    ],
)
def test_bad_tables_raise(table, count_col, message):
    with pytest.raises(WorkbenchError, match=message):
        Disclosure(10).suppress_counts(table, count_col, by_margins=["g"])


# --- the policy object -------------------------------------------------------------------


def test_default_threshold_is_ten_and_bad_thresholds_are_refused():
    assert DEFAULT_MIN_CELL == 10 and Disclosure().min_cell == 10
    assert Disclosure(np.int64(5)).min_cell == 5
    for bad in (0, -3, 2.5, True, "10", None):
        with pytest.raises(WorkbenchError, match="small-cell threshold"):
            Disclosure(bad)


def test_threshold_boundary_and_unknown_bases():
    policy = Disclosure(10)
    # hand: 9 is too few, 10 is enough; a blank or unreadable base is never enough
    assert policy.too_few([9, 10, 11, None, np.nan, "x", pd.NA]).tolist() == [True, False, False, True, True, True, True]
    assert policy.allows(10) and not policy.allows(9) and not policy.allows(float("nan"))


def test_suppress_rows_hides_values_keeps_labels_and_raises_workbench_error():
    table = pd.DataFrame({"region": ["Batken", "Naryn", "Talas"], "estimate": [0.41, 0.9, 0.55], "n": [120, 7, 10]})
    out = Disclosure(10).suppress_rows(table, n="n", keep=["region"])
    assert out["suppressed"].tolist() == [False, True, False]  # hand: only 7 < 10
    assert out.loc[1, "region"] == "Naryn" and out.loc[1, ["estimate", "n"]].isna().all()
    assert out.loc[2, "estimate"] == 0.55 and table.loc[1, "n"] == 7
    with pytest.raises(WorkbenchError, match="lacks a column") as caught:
        Disclosure(10).suppress_rows(table, n="count")
    assert caught.value.column == "count"


def test_hide_masks_figures_on_small_bases_only_where_asked():
    table = pd.DataFrame({"base": [9, 30, 4], "n": [3, 12, 1], "share": [3 / 9, 12 / 30, 0.25]})
    out = Disclosure(10).hide(table, "base", ["n", "base", "share"], flag="hidden", rows=[True, True, False])
    # hand: row 0 rests on 9 people -> hidden; row 1 on 30 -> shown; row 2 is outside ``rows``
    assert out["hidden"].tolist() == [False, False, False][:0] + [True, False, False]
    assert pd.isna(out.loc[0, "n"]) and pd.isna(out.loc[0, "base"]) and np.isnan(out.loc[0, "share"])
    assert out.loc[1, "n"] == 12 and out.loc[2, "n"] == 1
    assert table.loc[0, "n"] == 3  # the input is not modified


def test_quote_attribution_names_group_and_sex_only_for_enough_people():
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(14)],
                          "respondent_group": ["returnee"] * 12 + ["expert"] * 2,
                          "sex": ["male"] * 10 + ["female"] * 2 + ["female", "male"]})
    shown = Disclosure(10).attribution(cases, group="respondent_group", sex="sex")
    # hand: 12 returnees -> the group is named; 10 of them male -> "returnee, male";
    # 2 female returnees -> group only; 2 experts -> not attributed at all
    assert (shown.loc[[f"c{i}" for i in range(10)], "sex"] == "male").all()
    assert (shown.loc[[f"c{i}" for i in range(12)], "group"] == "returnee").all()
    assert shown.loc[["c10", "c11"], "sex"].isna().all()
    assert shown.loc[["c12", "c13"], ["group", "sex"]].isna().all().all()
    # a lower threshold names the experts' group but still not their sex (one of each)
    lower = Disclosure(2).attribution(cases, group="respondent_group", sex="sex")
    assert (lower.loc[["c12", "c13"], "group"] == "expert").all() and lower.loc[["c12", "c13"], "sex"].isna().all()
    with pytest.raises(WorkbenchError, match="cases table"):
        Disclosure(10).attribution(cases, group="role")


def _consistent_tables(shown: pd.DataFrame, rows: str, cols: str, totals: dict) -> list[dict]:
    """Every non-negative integer filling of the hidden cells that matches the shown cells and
    the shown row, column and grand totals (brute force, row by row)."""
    cells = shown[~shown["is_total"]]
    per_row = []
    for r, line in cells.groupby(rows, sort=False):
        hidden = line.loc[line["suppressed"], cols].tolist()
        rest = totals[(r, "Total")] - int(line.loc[~line["suppressed"], "n"].sum())
        options = [dict(zip(hidden, values)) for values in product(range(rest + 1), repeat=len(hidden))
                   if sum(values) == rest]
        per_row.append([(r, o) for o in options])
    visible = cells[~cells["suppressed"]].groupby(cols)["n"].sum().astype(int).to_dict()
    needed = {col: totals[("Total", col)] - visible.get(col, 0) for col in cells[cols].unique()}
    solutions = []
    for choice in product(*per_row):
        filled = {(r, c): v for r, option in choice for c, v in option.items()}
        column_sums = dict.fromkeys(needed, 0)
        for (_, c), v in filled.items():
            column_sums[c] += v
        if column_sums == needed:
            solutions.append(filled)
    return solutions


@pytest.mark.parametrize("counts", [
    [[3, 12, 15], [11, 2, 14], [20, 13, 4]],
    [[1, 0, 25], [6, 30, 11], [12, 14, 2]],
    [[1, 2, 30], [2, 1, 30], [30, 30, 30]],
])
def test_no_hidden_cell_can_be_recovered_from_the_margins(counts):
    """The secondary-suppression property, checked by enumeration (independent of linprog):
    every hidden cell takes at least two values among the integer tables consistent with
    everything shown, so no reader can recover it from the row and column totals."""
    table = pd.DataFrame([(r, c, counts[r][c]) for r in range(3) for c in range(3)], columns=["r", "c", "n"])
    shown = Disclosure(10).suppress_counts(table, "n", by_margins=["r", "c"])
    totals = {(r, c): int(n) for r, c, n, t in zip(shown["r"], shown["c"], shown["n"], shown["is_total"]) if t}
    assert shown["suppression"].eq("primary").sum() == sum(0 < v < 10 for row in counts for v in row)
    solutions = _consistent_tables(shown, "r", "c", totals)
    truth = {(r, c): counts[r][c] for r in range(3) for c in range(3)}
    assert {k: truth[k] for k in solutions[0]} in [{k: s[k] for k in s} for s in solutions]  # truth is one of them
    for cell in solutions[0]:
        assert len({s[cell] for s in solutions}) >= 2, cell
