"""Small-cell suppression: primary rule, secondary rule, totals and a linear-programming audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.reporting.disclosure import audit_suppression, suppress_counts


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
    out = suppress_counts(_sex_region(), "n", min_cell=10)
    # hand: only the count 3 is below 10; no totals shown, so nothing else is hidden
    assert out["suppressed"].tolist() == [False, False, False, True, False, False]
    assert out["suppression"].tolist() == ["", "", "", "primary", "", ""]
    assert out["n"].isna().tolist() == out["suppressed"].tolist()
    assert out["n"].dropna().astype(int).tolist() == [40, 25, 30, 12, 15]


def test_secondary_suppression_hand_example():
    out = suppress_counts(_sex_region(), "n", min_cell=10, by_margins=["sex", "region"])
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
    out = suppress_counts(original, "n", min_cell=10, by_margins=["sex", "region"])
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
    unsafe = suppress_counts(original, "n", min_cell=10, by_margins=["sex", "region"])
    unsafe["suppressed"] = unsafe["suppression"] == "primary"
    audit = audit_suppression(original, unsafe, "n", ["sex", "region"])
    assert audit["exact"].tolist() == [True]
    assert audit["feasible_low"].iloc[0] == pytest.approx(3)


def test_zeros_visible_unless_asked():
    table = pd.DataFrame({"g": ["a", "b", "c"], "n": [0, 5, 20]})
    out = suppress_counts(table, "n", min_cell=10)
    assert out["suppressed"].tolist() == [False, True, False]
    out = suppress_counts(table, "n", min_cell=10, suppress_zeros=True)
    assert out["suppressed"].tolist() == [True, True, False]


def test_single_line_total_hides_complement():
    # one dimension with its total shown: the 5 alone could be recovered as 60 - 0 - 20 - 35;
    # the complement is the smallest non-zero visible cell (20), not the zero
    table = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [0, 5, 20, 35]})
    out = suppress_counts(table, "n", min_cell=10, by_margins=["g"])
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert out["n"].iloc[-1] == 60 and bool(out["is_total"].iloc[-1])


def test_complete_grid_adds_zero_cells():
    table = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"], "n": [12, 30, 40]})
    out = suppress_counts(table, "n", 10, add_totals=False)
    assert len(out) == 4
    assert out.set_index(["a", "b"]).loc[(2, "y"), "n"] == 0


@pytest.mark.parametrize("seed", range(12))
def test_random_three_way_tables_pass_line_rule_and_audit(seed):
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([range(2), range(3), range(4)], names=["a", "b", "c"]).to_frame(index=False)
    grid["n"] = rng.poisson(rng.choice([4, 15, 40], size=len(grid)))
    margins = ["a", "c"]
    out = suppress_counts(grid, "n", 10, by_margins=margins)
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
    suppress_counts(table, "n", 10, by_margins=["sex", "region"])
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    "table, count_col, message",
    [
        (pd.DataFrame({"g": ["a", "b"], "n": [3, -1]}), "n", "whole numbers"),
        (pd.DataFrame({"g": ["a", "b"], "n": [3, None]}), "n", "whole numbers"),
        (pd.DataFrame({"g": ["a", "a"], "n": [3, 4]}), "n", "more than one row"),
        (pd.DataFrame({"g": ["a", "b"], "n": [3, 4]}), "count", "no count column"),
        (pd.DataFrame({"g": ["a", "Total"], "n": [3, 4]}), "n", "totals label"),
    ],
)
def test_bad_tables_raise(table, count_col, message):
    with pytest.raises(WorkbenchError, match=message):
        suppress_counts(table, count_col, 10, by_margins=["g"])
