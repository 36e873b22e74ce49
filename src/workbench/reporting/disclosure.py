"""Small-cell suppression of count tables, with secondary suppression and an audit.

``suppress_counts`` takes a tidy count table (dimension columns plus one count column) and

1. *primary suppression*: hides every count below ``min_cell`` (zeros stay visible unless
   ``suppress_zeros``), because a small count can identify people;
2. *secondary (complementary) suppression*: for every margin that is shown (the totals over
   each dimension named in ``by_margins``, and totals of totals), a row or column equation
   ``cells = total`` must never contain exactly one hidden entry, otherwise the hidden value
   is the total minus the visible cells. Where a line has exactly one, the smallest visible
   non-zero cell of that line is hidden too (smallest to lose the least information), then
   the check is repeated until no line has exactly one hidden entry.

This is the classic row/column heuristic used by statistical offices for small tables. It
guarantees that no hidden value follows from any *single* equation; combining several
equations can, in rare patterns, still pin a value down. ``audit_suppression`` checks that
with linear programming (``scipy.optimize.linprog``): for every hidden entry it gives the
smallest and largest value consistent with everything shown and non-negative counts.

Why our own code: no maintained Python library for statistical disclosure control of
aggregate tables is available in the project environment (sdcTable and tau-Argus are R and
Java tools).
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from workbench.errors import WorkbenchError

PRIMARY = "primary"
SECONDARY = "secondary"


def _check_table(table: pd.DataFrame, count_col: str, dims: list[str], by_margins: list[str],
                 total_label: str) -> None:
    if count_col not in table.columns:
        raise WorkbenchError("the table has no count column", column=count_col,
                             expected=f"one of {list(table.columns)}")
    missing = [d for d in dims + by_margins if d not in table.columns]
    if missing:
        raise WorkbenchError("the table lacks dimension columns", column=", ".join(missing),
                             expected=f"columns among {list(table.columns)}")
    outside = [d for d in by_margins if d not in dims]
    if outside:
        raise WorkbenchError("a margin must be one of the table's dimensions", column=", ".join(outside),
                             expected=f"one of {dims}")
    counts = pd.to_numeric(table[count_col], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts % 1 != 0)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise WorkbenchError("counts must be whole numbers >= 0 with no blanks", column=count_col,
                             row=pos + 1, value=table[count_col].iloc[pos], expected="a count 0, 1, 2, ...")
    if table.duplicated(dims).any():
        first = table.loc[table.duplicated(dims, keep=False), dims].iloc[0].tolist()
        raise WorkbenchError("the table has more than one row for the same cell", column=", ".join(dims),
                             value=first, expected="one row per combination of the dimensions")
    for d in by_margins:
        if (table[d].astype(str) == total_label).any():
            raise WorkbenchError("a dimension already holds the totals label", column=d, value=total_label,
                                 expected="a different total_label")


def _complete_grid(table: pd.DataFrame, count_col: str, dims: list[str]) -> pd.DataFrame:
    """Every combination of the dimensions' observed levels, missing ones as zero counts."""
    levels = [pd.unique(table[d]) for d in dims]
    grid = pd.MultiIndex.from_product(levels, names=dims).to_frame(index=False)
    out = grid.merge(table[dims + [count_col]], on=dims, how="left")
    out[count_col] = out[count_col].fillna(0)
    return out


def _with_totals(cells: pd.DataFrame, count_col: str, dims: list[str], by_margins: list[str],
                 total_label: str) -> pd.DataFrame:
    """Cells plus totals over every subset of the margin dimensions (totals of totals too)."""
    frames = [cells.assign(_total=False)]
    for size in range(1, len(by_margins) + 1):
        for summed in combinations(by_margins, size):
            kept = [d for d in dims if d not in summed]
            if kept:
                block = cells.groupby(kept, sort=False, dropna=False)[count_col].sum().reset_index()
            else:
                block = pd.DataFrame({count_col: [cells[count_col].sum()]})
            for d in summed:
                block[d] = total_label
            frames.append(block[dims + [count_col]].assign(_total=True))
    full = pd.concat([f.astype({d: object for d in by_margins}) for f in frames], ignore_index=True)
    return full


def _lines(full: pd.DataFrame, dims: list[str], by_margins: list[str], total_label: str) -> list[np.ndarray]:
    """Row-index groups ``[members..., total]`` of every equation ``sum(members) = total``."""
    lines: list[np.ndarray] = []
    for d in by_margins:
        others = [o for o in dims if o != d]
        if others:
            keys = full[others].astype(str).agg("\x1f".join, axis=1)
            groups = full.groupby(keys, sort=False).indices
        else:
            groups = {"": np.arange(len(full))}
        for positions in groups.values():
            is_total = full[d].iloc[positions].astype(str).to_numpy() == total_label
            if is_total.sum() != 1:
                continue
            lines.append(np.concatenate([positions[~is_total], positions[is_total]]))
    return lines


def suppress_counts(
    table: pd.DataFrame,
    count_col: str,
    min_cell: int = 10,
    by_margins: Sequence[str] = (),
    *,
    dims: Sequence[str] | None = None,
    suppress_zeros: bool = False,
    add_totals: bool = True,
    total_label: str = "Total",
    complete: bool = True,
) -> pd.DataFrame:
    """Hide small counts and whatever would let a reader recover them from shown totals.

    ``table``: one row per cell; ``dims`` (default: every column but ``count_col``) are the
    cell's dimensions. ``by_margins``: dimensions whose totals are shown (e.g. ``["sex",
    "region"]`` for a sex x region table with row and column totals); their totals and totals
    of totals become rows labelled ``total_label`` (returned when ``add_totals``, used as
    constraints either way). ``complete`` adds absent combinations as zero counts.

    Returns a copy with ``count_col`` as nullable integers (NA where hidden) and the columns
    ``suppressed`` (bool), ``suppression`` ("primary", "secondary" or "") and ``is_total``.
    Counts ``0 < n < min_cell`` are hidden (``0`` too when ``suppress_zeros``).
    """
    dims = [c for c in table.columns if c != count_col] if dims is None else list(dims)
    by_margins = list(by_margins)
    _check_table(table, count_col, dims, by_margins, total_label)
    cells = table[dims + [count_col]].copy()
    cells[count_col] = pd.to_numeric(cells[count_col]).astype(np.int64)
    if complete:
        cells = _complete_grid(cells, count_col, dims)
    full = _with_totals(cells, count_col, dims, by_margins, total_label)
    counts = full[count_col].to_numpy(dtype=np.int64)
    is_total = full["_total"].to_numpy(dtype=bool)

    reason = np.full(len(full), "", dtype=object)
    primary = (counts < min_cell) & ((counts > 0) | suppress_zeros)
    reason[primary] = PRIMARY
    hidden = primary.copy()

    lines = _lines(full, dims, by_margins, total_label)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if hidden[line].sum() != 1:
                continue
            candidates = line[~hidden[line]]
            # prefer inner cells over totals, non-zero over zero, then the smallest count
            order = np.lexsort((counts[candidates], counts[candidates] == 0, is_total[candidates]))
            choice = candidates[order[0]]
            hidden[choice] = True
            reason[choice] = SECONDARY
            changed = True

    out = full.drop(columns="_total")
    out[count_col] = pd.array(np.where(hidden, 0, counts), dtype="Int64")
    out.loc[hidden, count_col] = pd.NA
    out["suppressed"] = hidden
    out["suppression"] = reason
    out["is_total"] = is_total
    if not add_totals:
        out = out[~is_total]
    return out.reset_index(drop=True)


def audit_suppression(
    original: pd.DataFrame,
    suppressed: pd.DataFrame,
    count_col: str,
    by_margins: Sequence[str],
    *,
    dims: Sequence[str] | None = None,
    total_label: str = "Total",
) -> pd.DataFrame:
    """Feasible range of every hidden entry given what is shown (linear programming).

    ``original``: the table passed to ``suppress_counts`` (true counts); ``suppressed``: its
    result with totals (``add_totals=True``). For each hidden entry, the smallest and largest
    value consistent with the shown counts, every row/column equation and non-negative counts
    (continuous relaxation). Returns the hidden rows with ``true_count``, ``feasible_low``,
    ``feasible_high`` and ``exact`` (True when the range has no width: the suppression failed).
    """
    dims = [c for c in original.columns if c != count_col] if dims is None else list(dims)
    by_margins = list(by_margins)
    truth = suppressed[dims].astype(object).merge(
        _with_totals(_complete_grid(original[dims + [count_col]], count_col, dims), count_col, dims,
                     by_margins, total_label).astype({d: object for d in dims}),
        on=dims, how="left", validate="one_to_one",
    )[count_col].to_numpy(dtype=float)
    hidden = suppressed["suppressed"].to_numpy(dtype=bool)
    result = suppressed.loc[hidden, dims].copy()
    result["true_count"] = truth[hidden].astype(np.int64)
    if not hidden.any():
        return result.assign(feasible_low=[], feasible_high=[], exact=[])
    variable = -np.ones(len(suppressed), dtype=np.int64)
    variable[hidden] = np.arange(hidden.sum())
    rows, rhs = [], []
    for line in _lines(suppressed.reset_index(drop=True), dims, by_margins, total_label):
        members, total = line[:-1], line[-1]
        coefficients = np.zeros(hidden.sum())
        constant = 0.0
        for position, sign in [(p, 1.0) for p in members] + [(total, -1.0)]:
            if hidden[position]:
                coefficients[variable[position]] += sign
            else:
                constant += sign * truth[position]
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(-constant)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    low, high = [], []
    for k in range(hidden.sum()):
        objective = np.zeros(hidden.sum())
        objective[k] = 1.0
        bounds = [(0, None)] * hidden.sum()
        lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        low.append(lo.fun if lo.status == 0 else np.nan)
        high.append(-hi.fun if hi.status == 0 else np.inf)
    result["feasible_low"] = np.round(low, 9)
    result["feasible_high"] = np.round(high, 9)
    result["exact"] = np.isclose(result["feasible_low"], result["feasible_high"])
    return result.reset_index(drop=True)
