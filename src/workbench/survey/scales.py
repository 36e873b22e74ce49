"""Attitude scales: reverse-coding, summated/mean indices and weighted Cronbach's alpha.

* ``reverse_code`` maps x to (minimum + maximum - x), leaving missing codes untouched;
* ``scale_index`` averages the answered items of each respondent and returns NaN when fewer
  than ``min_answered`` items were answered; ``method="sum"`` is the prorated sum (mean of
  answered items x number of items), so that partial answering does not shrink the score;
* ``cronbach_alpha`` uses the weighted covariance matrix S of the items on complete cases:
  alpha = k/(k-1) (1 - tr S / 1'S1) (Cronbach 1951), with corrected item-total
  correlations (item vs the sum of the other items) and alpha if the item is deleted.
  With equal weights this is the textbook (unweighted) alpha.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError


def _check_items(data: pd.DataFrame, items: Sequence[str]) -> None:
    for item in items:
        if item not in data.columns:
            raise WorkbenchError("item does not exist in the data", column=item,
                                 expected="an item column")
        if not pd.api.types.is_numeric_dtype(data[item]):
            raise WorkbenchError("scale item is not numeric", column=item,
                                 value=str(data[item].dtype), expected="numeric item scores")


def _item_values(data: pd.DataFrame, items: Sequence[str],
                 missing_codes: Mapping[str, Iterable] | None) -> pd.DataFrame:
    """Item scores as floats with declared missing codes set to NaN."""
    _check_items(data, items)
    values = data[list(items)].astype(float)
    for item in items:
        codes = list((missing_codes or {}).get(item, []))
        if codes:
            values[item] = values[item].mask(data[item].isin(codes))
    return values


def reverse_code(data: pd.DataFrame, columns: Sequence[str], minimum: float, maximum: float,
                 missing_codes: Mapping[str, Iterable] | None = None) -> pd.DataFrame:
    """Copy of ``data`` with ``columns`` reversed on the scale [minimum, maximum]."""
    if minimum >= maximum:
        raise WorkbenchError("scale minimum must be below its maximum",
                             value=(minimum, maximum), expected="minimum < maximum")
    _check_items(data, columns)
    out = data.copy()
    for column in columns:
        codes = list((missing_codes or {}).get(column, []))
        values = data[column]
        answered = values.notna() & ~values.isin(codes)
        outside = answered & ((values < minimum) | (values > maximum))
        if outside.any():
            row = int(np.flatnonzero(outside.to_numpy())[0]) + 1
            raise WorkbenchError("value outside the scale range", column=column, row=row,
                                 value=values[outside].iloc[0],
                                 expected=f"{minimum}..{maximum} or a declared missing code")
        out[column] = values.where(~answered, minimum + maximum - values)
    return out


def scale_index(data: pd.DataFrame, items: Sequence[str], *, method: str = "mean",
                min_answered: int | None = None,
                missing_codes: Mapping[str, Iterable] | None = None) -> pd.Series:
    """Mean (or prorated sum) of the answered items; NaN below ``min_answered`` answers."""
    if method not in ("mean", "sum"):
        raise WorkbenchError("unknown index method", value=method, expected="'mean' or 'sum'")
    k = len(items)
    required = k if min_answered is None else min_answered
    if not 1 <= required <= k:
        raise WorkbenchError("min_answered out of range", value=min_answered,
                             expected=f"1..{k}")
    values = _item_values(data, items, missing_codes)
    answered = values.notna().sum(axis=1)
    score = values.mean(axis=1, skipna=True)
    if method == "sum":
        score = score * k
    return score.where(answered >= required).rename(f"index_{method}")


@dataclass
class CronbachAlpha:
    """Alpha over complete cases, and per-item statistics (one row per item)."""

    alpha: float
    n: int
    n_missing: int
    items: pd.DataFrame


def _alpha(cov: np.ndarray) -> float:
    k = cov.shape[0]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str],
                   weights: np.ndarray | None = None,
                   missing_codes: Mapping[str, Iterable] | None = None) -> CronbachAlpha:
    """Weighted Cronbach's alpha with item-total correlations and alpha-if-deleted."""
    if len(items) < 2:
        raise WorkbenchError("alpha needs at least two items", value=list(items),
                             expected=">= 2 items")
    values = _item_values(data, items, missing_codes)
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    complete = values.notna().all(axis=1).to_numpy() & (w > 0)
    if complete.sum() < 2:
        raise WorkbenchError("fewer than two complete cases for alpha",
                             expected="respondents who answered every item")
    x = values.to_numpy()[complete]
    wc = w[complete]
    mean = wc @ x / wc.sum()
    centred = x - mean
    cov = (centred * wc[:, None]).T @ centred / wc.sum()
    rows = []
    for j, item in enumerate(items):
        others = [i for i in range(len(items)) if i != j]
        rest = centred[:, others].sum(axis=1)
        covariance = np.sum(wc * centred[:, j] * rest) / wc.sum()
        variance_rest = np.sum(wc * rest**2) / wc.sum()
        correlation = covariance / np.sqrt(cov[j, j] * variance_rest)
        deleted = _alpha(cov[np.ix_(others, others)]) if len(others) > 1 else np.nan
        rows.append({"item": item, "mean": mean[j], "sd": np.sqrt(cov[j, j]),
                     "item_total_correlation": correlation, "alpha_if_deleted": deleted})
    return CronbachAlpha(float(_alpha(cov)), int(complete.sum()),
                         int((~complete & (w > 0)).sum()), pd.DataFrame(rows))
