"""One disclosure policy: every small-cell decision of every report, in one object.

``Disclosure(min_cell)`` decides what a report may show about few people:

- *rows and figures*: a statistic (or a count) resting on fewer than ``min_cell`` people is
  hidden, and so is its base (``suppress_rows``, ``hide``; joint displays and comparisons of
  small groups in ``workbench.mixed`` use ``hide`` column by column);
- *count tables*: ``suppress_counts`` applies

  1. *primary suppression*: every count below ``min_cell`` (zeros stay visible unless
     ``suppress_zeros``), because a small count can identify people;
  2. *secondary (complementary) suppression*: for every margin that is shown (the totals
     over each dimension named in ``by_margins``, and totals of totals), a row or column
     equation ``cells = total`` must never contain exactly one hidden entry, otherwise the
     hidden value is the total minus the visible cells. Where a line has exactly one, the
     smallest visible non-zero cell of that line is hidden too (smallest to lose the least
     information), then the check is repeated until no line has exactly one hidden entry;

- *quote attribution*: ``attribution`` names a speaker's group only when the edition holds
  at least ``min_cell`` people of that group, and the sex too only when it holds at least
  ``min_cell`` of that group and sex.

The secondary rule is the classic row/column heuristic of statistical offices for small
tables. It guarantees that no hidden value follows from any *single* equation; combining
several equations can, in rare patterns, still pin a value down. ``audit_suppression``
checks that with linear programming (``scipy.optimize.linprog``): for every hidden entry it
gives the smallest and largest value consistent with everything shown and non-negative counts.

Why our own code: no maintained Python library for statistical disclosure control of
aggregate tables is available in the project environment (sdcTable and tau-Argus are R and
Java tools; ``acro`` blanks whole rows and columns, which is not secondary suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

PRIMARY = "primary"
SECONDARY = "secondary"


def _check_table(table: pd.DataFrame, count_col: str, dims: list[str], by_margins: list[str],
                 total_label: str) -> None:
    require_columns(table, [count_col, *dims, *by_margins], what="the count table")
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


DEFAULT_MIN_CELL = 10
"""The default small-cell threshold of every report: 10 people (common for sensitive populations)."""


@dataclass(frozen=True)
class Disclosure:
    """The small-cell policy of one report edition: nothing resting on fewer than ``min_cell`` people."""

    min_cell: int = DEFAULT_MIN_CELL

    def __post_init__(self) -> None:
        value = self.min_cell
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
            raise WorkbenchError("the small-cell threshold must be a whole number of people", column="min_cell",
                                 value=value, expected="an integer >= 1 (default 10)")
        object.__setattr__(self, "min_cell", int(value))

    def too_few(self, counts: Any) -> np.ndarray:
        """Per count: does it rest on fewer than ``min_cell`` people? A blank or non-number
        counts as too few (nothing is shown on an unknown base)."""
        values = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(counts, dtype=object))), errors="coerce")
        return ~(values >= self.min_cell).to_numpy()

    def allows(self, count: Any) -> bool:
        """May a figure resting on ``count`` people be shown (``count >= min_cell``)?"""
        return not bool(self.too_few(count)[0])

    def hide(self, table: pd.DataFrame, base: str | pd.Series, columns: Sequence[str], *,
             flag: str | None = None, rows: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
        """Copy of ``table`` with ``columns`` blank (NA) on rows whose ``base`` (a column name or
        a Series of counts) is too few. ``rows`` (boolean) limits the rule to rows that hold a
        figure at all; ``flag`` names a boolean column recording which rows were hidden."""
        require_columns(table, [base if isinstance(base, str) else None, *columns], what="the table to hide in")
        hidden = self.too_few(table[base] if isinstance(base, str) else base)
        if rows is not None:
            hidden &= np.asarray(rows, dtype=bool)
        out = table.copy()
        for column in columns:
            values = out[column]
            numeric = pd.api.types.is_float_dtype(values)
            out[column] = values.mask(hidden) if numeric else values.astype(object).mask(hidden, pd.NA)
        if flag is not None:
            out[flag] = hidden
        return out

    def suppress_rows(self, table: pd.DataFrame, n: str = "n", keep: Iterable[str] = ()) -> pd.DataFrame:
        """Copy of ``table`` where rows with ``n`` too few have every column but ``keep`` (label
        columns: groups, levels) set to NA, the count too; a boolean column ``suppressed``
        says which rows were hidden."""
        require_columns(table, [n], what="the table to suppress")
        keep = set(keep)
        hidden = self.too_few(table[n])
        out = table.copy()
        if hidden.any():
            for column in out.columns:
                if column not in keep:
                    out[column] = out[column].astype(object).mask(hidden, pd.NA)
        out["suppressed"] = hidden
        return out

    def suppress_counts(
        self,
        table: pd.DataFrame,
        count_col: str,
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
        "region"]`` for a sex x region table with row and column totals); their totals and
        totals of totals become rows labelled ``total_label`` (returned when ``add_totals``,
        used as constraints either way). ``complete`` adds absent combinations as zero counts.

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
        primary = self.too_few(counts) & ((counts > 0) | suppress_zeros)
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

    def hidden_parts(self, sizes: dict[Any, Any]) -> set[Any]:
        """The parts of a whole to hide when each part's size (people per group: the groups of
        a breakdown) and the whole are shown: parts under ``min_cell`` (primary) and, where
        exactly one would be hidden, the next smallest too, or it would be the whole minus the
        parts shown (secondary; ``suppress_counts`` on the one-way table and its total). Every
        figure of a hidden part goes with it, so a sum over the parts (a barrier's count over
        the groups) never has exactly one hidden term either."""
        table = pd.DataFrame({"part": range(len(sizes)), "people": list(sizes.values())})
        checked = self.suppress_counts(table, "people", by_margins=["part"], add_totals=False, complete=False)
        keys = list(sizes)
        return {keys[i] for i in checked.loc[checked["suppressed"], "part"]}

    def mostly_hidden(self, hidden: Any) -> bool:
        """Would more than half of a table's figures be hidden (``hidden``: one boolean per value
        cell, row or part)? Such a table is replaced by an aggregated form (fewer categories,
        totals only) or a note saying why it is not shown, never a grid of markers."""
        flags = np.asarray(hidden, dtype=bool).ravel()
        return bool(flags.size) and int(flags.sum()) > flags.size / 2

    def attribution(self, cases: pd.DataFrame, *, group: str, sex: str | None = None,
                    case_id: str = "case_id") -> pd.DataFrame:
        """What a quote may say about its speaker: one row per case (index ``case_id``).

        Column ``group``: the case's group where at least ``min_cell`` cases of ``cases`` (the
        edition's participants) share it, else NA (the quote is not attributed). Column ``sex``:
        the case's sex where the group is named and at least ``min_cell`` cases share that group
        and sex, else NA: "group, sex" of one or two people could point to them.
        """
        require_columns(cases, [case_id, group, sex], what="the cases table")
        out = pd.DataFrame(index=pd.Index(cases[case_id].to_numpy(), name=case_id))
        group_size = cases.groupby(group, dropna=False)[case_id].transform("size")
        out["group"] = cases[group].astype(object).mask(self.too_few(group_size), pd.NA).to_numpy()
        if sex is not None:
            both_size = cases.groupby([group, sex], dropna=False)[case_id].transform("size")
            hidden = self.too_few(both_size) | out["group"].isna().to_numpy()
            out["sex"] = cases[sex].astype(object).mask(hidden, pd.NA).to_numpy()
        return out


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
