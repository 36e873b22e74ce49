"""Integer coding of survey columns: categories, strata and sampling units.

Every estimate groups rows by small integer codes (stratum, sampling unit, domain, level),
so coding a column is the one per-row cost that pandas would otherwise pay by hashing every
value. These helpers avoid hashing where the data allow it:

* integer-valued columns (numpy or nullable integers, whole-number floats) are coded by
  offset and one ``np.bincount`` (``sorted_codes``, ``compact_integers``);
* design columns whose rows come grouped by stratum and sampling unit, sorted, as survey
  files usually are, are coded from the runs of equal values (``sorted_runs``): a few
  comparisons of neighbouring rows, with no per-row codes at all.

Why our own code: ``pd.factorize(sort=True)`` hashes every row and then re-hashes to sort;
at a million rows that is 10-30 ms per column, the largest cost of a whole estimate.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Integer columns whose range is at most this many times the row count are coded by offset
# and one np.bincount instead of hashing.
_OFFSET_RANGE_FACTOR = 4


def compact_integers(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes 0..k-1 of an integer array in sorted order of its values, and the sorted
    distinct values; None when the values span too wide a range for an offset table."""
    low, high = int(array.min()), int(array.max())
    if high - low > _OFFSET_RANGE_FACTOR * len(array) + 1024 or high > np.iinfo(np.int64).max:
        return None
    shifted = array.astype(np.int64, copy=False)
    if low != 0:
        shifted = shifted - low
    present = np.bincount(shifted, minlength=high - low + 1) > 0
    values = (np.flatnonzero(present) + low).astype(array.dtype, copy=False)
    if present.all():  # values already 0..k-1 after the shift
        return (shifted if shifted is not array else shifted.copy()), values
    rank = np.cumsum(present) - 1
    return rank[shifted], values


def _integer_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The values of an integer-valued column as a numpy integer array (missing rows filled
    with the smallest value) and its missing mask (None when nothing is missing); None for
    other columns.

    Covers numpy integer columns, pandas nullable integers (``Int64``...) and float columns
    whose every non-NaN value is a finite whole number (coded variables read with NaN), the
    way data dictionaries deliver coded variables; such columns are then coded by offset and
    one ``np.bincount`` instead of hashing every row.
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        array = values.to_numpy()
        if dtype.kind in "iu":
            return array, None
        if dtype.kind != "f":
            return None
        low, high = np.fmin.reduce(array), np.fmax.reduce(array)  # ignore NaN
        if (not (np.isfinite(low) and np.isfinite(high)) or high - low > 2.0 ** 52
                or max(-low, high) >= 2.0 ** 62):  # beyond exact int64 conversion
            return None
        missing = np.isnan(array)
        with np.errstate(invalid="ignore"):
            whole = np.trunc(array) == array
        if not (whole | missing).all():
            return None
        filled = np.where(missing, low, array) if missing.any() else array
        return filled.astype(np.int64), (missing if missing.any() else None)
    if isinstance(dtype, pd.core.dtypes.dtypes.BaseMaskedDtype) and dtype.kind in "iu":
        missing = values.isna().to_numpy()
        if missing.all():
            return None
        fill = values.min() if missing.any() else 0
        return values.to_numpy(dtype=dtype.numpy_dtype, na_value=fill), (
            missing if missing.any() else None)
    return None


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (int64, -1 where missing) and distinct values in sorted order.

    The result of ``pd.factorize(values, sort=True)``, faster: integer-valued columns
    (numpy or nullable integers, whole-number floats) are coded by offset, and other plain
    numpy columns are hashed unsorted before the few distinct values are sorted (pandas
    sorts by re-hashing every row).
    """
    integers = _integer_values(values) if len(values) else None
    if integers is not None:
        array, missing = integers
        compact = compact_integers(array)
        if compact is not None:
            codes, levels = compact
            if values.dtype.kind == "f":
                levels = _float_levels(values.to_numpy(), levels)
            if missing is not None:
                codes = codes.copy() if codes is array else codes
                codes[missing] = -1
            return codes, levels
    array = values.to_numpy() if isinstance(values.dtype, np.dtype) else None
    if array is not None and array.dtype.kind in "iufbO":
        codes, uniques = pd.factorize(array)
        try:
            order = np.argsort(uniques, kind="stable")
        except TypeError:  # mixed types: let pandas order them
            order = None
        if order is not None:
            rank = np.empty(len(order) + 1, dtype=np.int64)
            rank[order] = np.arange(len(order))
            rank[-1] = -1  # code -1 (missing) stays -1
            return rank[codes], np.asarray(uniques)[order]
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def _float_levels(array: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Whole-number levels of a float column as floats; a zero level keeps the sign of the
    first zero in the data (as hashing does: -0.0 and 0.0 are one level)."""
    levels = levels.astype(array.dtype)
    zero = np.flatnonzero(levels == 0)
    if len(zero) and np.signbit(array[np.argmax(array == 0)]):
        levels[zero[0]] = -0.0
    return levels


def is_declared_number(values: pd.Series, declared: list) -> np.ndarray:
    """``values.isin(declared)`` of a numeric column as a numpy mask (missing rows False).

    Plain or nullable integer/float columns with numeric codes are compared code by code
    (under 1 ms per code at a million rows, where the hash-based ``isin`` takes 10-60 ms);
    anything else goes through ``isin``.
    """
    dtype = values.dtype
    numeric_codes = all(isinstance(code, numbers.Real) and code == code  # not NaN
                        for code in declared)
    if numeric_codes and len(declared) <= 16 and dtype.kind in "iuf":
        if isinstance(dtype, np.dtype):
            array = values.to_numpy()
        elif isinstance(dtype, pd.core.dtypes.dtypes.BaseMaskedDtype):
            array = values.to_numpy(dtype=dtype.numpy_dtype,
                                    na_value=np.nan if dtype.kind == "f" else 0)
            missing = values.isna().to_numpy()
            return _equal_any(array, declared) & ~missing
        else:
            array = None
        if array is not None:
            return _equal_any(array, declared)
    return values.isin(declared).to_numpy()


def _equal_any(array: np.ndarray, codes: list) -> np.ndarray:
    """True where ``array`` equals one of ``codes``."""
    hit = np.zeros(len(array), dtype=bool)
    for code in codes:
        hit |= array == code
    return hit


def offset_labels(array: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Non-negative int64 labels of an integer array (its values minus their minimum) and
    their range, or None when the range is too wide for an offset table."""
    if array.dtype.kind not in "iu" or not len(array):
        return None
    low, high = int(array.min()), int(array.max())
    if high - low > _OFFSET_RANGE_FACTOR * len(array) + 1024 or high > np.iinfo(np.int64).max:
        return None
    labels = array.astype(np.int64, copy=False)
    return (labels - low if low else labels), high - low + 1


# Rows checked first, before the full pass over a long column.
_PREFIX_ROWS = 4096


@dataclass(frozen=True)
class SortedRuns:
    """Nested groupings (strata, then the units of each stage) of rows sorted by them.

    ``starts[k]`` holds the first row of every group at level k (outermost first), and
    ``parent[k]`` the level k-1 group of every level-k group (zeros at level 0). Each
    group is one run of rows, numbered in sorted order of its values.
    """

    starts: list[np.ndarray]
    parent: list[np.ndarray]


def sorted_runs(levels: list[list[np.ndarray]]) -> SortedRuns | None:
    """Groups of nested levels coded from runs of equal values, when rows are sorted.

    ``levels`` lists, outermost first, the columns that define each level; a level's groups
    are the distinct combinations of its columns and those of the levels above (units
    nested within strata). Returns None unless every column is a numpy integer array and the
    rows are sorted by the levels' values, so that every group is a single run: then rows
    need no codes at all, only where each group starts (two comparisons of neighbouring rows
    per column instead of hashing). The order check compares the innermost runs' values,
    lexicographically and strictly, so a group split over two runs is never taken for two.
    """
    columns = [column for level in levels for column in level]
    if not columns or any(not isinstance(c, np.ndarray) or c.dtype.kind not in "iu"
                          for c in columns):
        return None
    if len(columns[0]) > _PREFIX_ROWS and sorted_runs(
            [[column[:_PREFIX_ROWS] for column in level] for level in levels]) is None:
        return None  # unsorted data are usually unsorted from the start: a cheap exit
    change = np.not_equal(columns[0][1:], columns[0][:-1])
    differs = np.empty_like(change)
    for column in columns[1:]:
        change |= np.not_equal(column[1:], column[:-1], out=differs)
    inner_starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    # Values of every column at the start of each innermost run; their changes between
    # neighbouring runs mark the groups of the outer levels too.
    increasing = np.zeros(len(inner_starts) - 1, dtype=bool)
    undecided = np.ones(len(inner_starts) - 1, dtype=bool)
    level_change = []
    outer_change = np.zeros(len(inner_starts) - 1, dtype=bool)
    for level in levels:
        for column in level:
            at = column[inner_starts]
            increasing |= undecided & (at[1:] > at[:-1])
            differs = at[1:] != at[:-1]
            undecided &= ~differs
            outer_change = outer_change | differs
        level_change.append(outer_change)
    if not increasing.all():
        return None
    starts, parent = [], []
    previous_index = np.zeros(len(inner_starts), dtype=np.int64)
    for changed in level_change:
        first = np.concatenate(([True], changed))  # innermost runs that open a group
        starts.append(inner_starts[first])
        parent.append(previous_index[first])
        previous_index = np.cumsum(first) - 1
    return SortedRuns(starts, parent)
