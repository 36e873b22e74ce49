"""Intercoder reliability: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

Every coefficient function takes a *coders x units* matrix (a 2-D array or a DataFrame
with one row per coder and one column per unit); NaN (or None) marks a unit a coder did
not code. Values may be numbers or, for nominal data, any labels. The coefficient
functions return a plain ``float`` (NaN when the coefficient is undefined, e.g. when all
values are identical so that expected disagreement is zero). Uncertainty comes from
separate functions that return a :class:`Interval`:

- ``cohen_kappa_interval`` - asymptotic standard error of Fleiss, Cohen and Everitt (1969),
  as printed by SAS PROC FREQ (``ASE``), and a Wald interval;
- ``krippendorff_alpha_interval`` - percentile bootstrap over pairable units (resampled
  with replacement). This is the ordinary nonparametric bootstrap, not Krippendorff's own
  algorithm (Hayes & Krippendorff 2007), which perturbs the coincidence matrix.

Why our own code: scikit-learn's ``cohen_kappa_score`` and statsmodels' ``fleiss_kappa``
give no standard error for non-null kappa, do not accept missing values or work from
the coders x units layout used here; the ``krippendorff`` package builds the coincidence
matrix in time that grows with the square of the number of categories. Here the
coincidence matrix comes from per-unit value counts ``n_uc`` (one ``np.bincount``):
``o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)``, computed as a weighted matrix
product, which is O(units x categories) plus a tiny categories x categories product.

Formulas: Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability" (coincidence
matrix, the nominal/ordinal/interval/ratio difference functions); Fleiss (1971);
Cohen (1960); Fleiss, Cohen and Everitt (1969) for the asymptotic variance of kappa.

Corpus level (end of this module): ``presence`` / ``presence_data`` turn coded segments
into 0/1 code presence per coder and comparison unit (document, paragraph, sentence or
speaker turn; see ``presence`` for the unitising), ``code_reliability`` gives one row per code,
``pairwise_cohen_kappa`` one row per code and coder pair, ``coder_disagreements`` lists
the units where coders differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.agreement import weighted_kappa
from workbench.errors import WorkbenchError

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
UnitKind = Literal["document", "paragraph", "sentence", "turn"]
UNIT_KINDS: tuple[str, ...] = ("document", "paragraph", "sentence", "turn")


@dataclass(frozen=True)
class Interval:
    """A coefficient with its uncertainty: estimate, standard error and confidence limits."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str


# ---------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------


def _as_coder_matrix(matrix: Any, *, min_coders: int = 2) -> np.ndarray:
    """Return the coders x units matrix as a 2-D object/float array (rows = coders)."""
    if isinstance(matrix, pd.DataFrame):
        array = matrix.to_numpy()
    else:
        array = np.asarray(matrix)
    if array.ndim != 2:
        raise WorkbenchError(
            "the reliability data must be a coders x units table",
            value=f"{array.ndim}-dimensional input",
            expected="a 2-D array or DataFrame with one row per coder and one column per unit",
        )
    if array.shape[0] < min_coders:
        raise WorkbenchError(
            f"reliability needs at least {min_coders} coders (rows)",
            value=f"{array.shape[0]} row(s)",
            expected="one row per coder, one column per unit",
        )
    return array


def _missing_mask(array: np.ndarray) -> np.ndarray:
    """True where a value is missing (NaN, None or pandas NA)."""
    return pd.isna(array)


def _encode_values(
    array: np.ndarray, level: str, value_order: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map present values to category indices.

    Returns ``(coder_idx, unit_idx, category_idx)`` for every present value and the
    category values (sorted for numeric data, or in ``value_order``).
    """
    missing = _missing_mask(array)
    coder_idx, unit_idx = np.nonzero(~missing)
    present = array[coder_idx, unit_idx]
    if value_order is not None:
        categories = np.asarray(list(value_order), dtype=object)
        lookup = {value: i for i, value in enumerate(categories)}
        try:
            category_idx = np.fromiter((lookup[v] for v in present), dtype=np.int64, count=present.size)
        except KeyError as exc:
            raise WorkbenchError(
                "a coded value is not in value_order",
                value=exc.args[0],
                expected=f"one of {list(categories)}",
            ) from None
        if level in ("interval", "ratio"):
            categories = categories.astype(float)
        return unit_idx, category_idx, categories
    if level == "nominal" and present.dtype.kind not in "fiub":
        codes, uniques = pd.factorize(pd.Series(present, dtype=object), sort=False)
        return unit_idx, codes.astype(np.int64), np.asarray(uniques, dtype=object)
    try:
        numeric = present.astype(float)
    except (TypeError, ValueError):
        raise WorkbenchError(
            f"{level} reliability needs numeric values (or value_order for ordinal labels)",
            value=present[:5].tolist(),
            expected="numbers",
        ) from None
    return (unit_idx, *_sorted_factorize(numeric))


def _sorted_factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Category index per value and the sorted distinct values.

    Whole numbers in a modest range (the usual codes 0/1, 1..5, ...) are indexed by
    offset and counting; anything else is hashed (pandas.factorize) and ranked.
    """
    if values.size and np.isfinite(values).all():
        low, high = float(values.min()), float(values.max())
        if high - low <= 10 * values.size + 1000 and np.array_equal(values, np.floor(values)):
            offsets = (values - low).astype(np.int64)
            used = np.bincount(offsets) > 0
            index_of_offset = np.cumsum(used) - 1
            return index_of_offset[offsets], np.flatnonzero(used) + low
    codes, uniques = pd.factorize(values, sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes], np.asarray(uniques)[order]


def _unit_category_counts(
    matrix: Any, level: str, value_order: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n_uc`` (units x categories value counts) and the category values."""
    if level not in LEVELS:
        raise WorkbenchError("unknown level of measurement", value=level, expected=" | ".join(LEVELS))
    array = _as_coder_matrix(matrix)
    if value_order is None and array.dtype.kind in "fiub":
        fast = _whole_number_counts(array.astype(float, copy=False))
        if fast is not None:
            return fast
    unit_idx, category_idx, categories = _encode_values(array, level, value_order)
    n_units, n_categories = array.shape[1], len(categories)
    counts = np.bincount(
        unit_idx * n_categories + category_idx, minlength=n_units * n_categories
    ).reshape(n_units, n_categories)
    return counts, categories


def _whole_number_counts(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``n_uc`` for numeric data made of whole numbers in a modest range, else None.

    The common case (codes 0/1, ratings 1..5) without hashing or gathering: each cell's
    offset from the smallest value (NaN -> an extra column) is counted per unit with one
    ``np.bincount``; columns of values that never occur are dropped.
    """
    low, high = np.fmin.reduce(array, axis=None), np.fmax.reduce(array, axis=None)
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > 10_000:
        return None  # all missing, infinite values or a wide range: use the general path
    width = int(high - low) + 2  # the last column collects missing cells
    filled = np.nan_to_num(array - low, nan=width - 1)
    offsets = filled.astype(np.int64)
    if not np.array_equal(offsets, filled):
        return None  # not whole numbers
    n_units = array.shape[1]
    offsets += width * np.arange(n_units, dtype=np.int64)[None, :]
    counts = np.bincount(offsets.ravel(), minlength=n_units * width).reshape(n_units, width)[:, :-1]
    used = counts.any(axis=0)
    return counts[:, used], np.flatnonzero(used) + low


# ---------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------


def coincidence_matrix(counts: np.ndarray, unit_weights: np.ndarray | None = None) -> np.ndarray:
    """Coincidence matrix ``o_ck`` from units x categories value counts (Krippendorff 2011).

    Only pairable units (at least two values) contribute. ``unit_weights`` (optional)
    repeats units, e.g. for bootstrap resamples.
    """
    counts = np.asarray(counts, dtype=float)
    values_per_unit = counts.sum(axis=1)
    pairable = values_per_unit >= 2
    # 1 / (m_u - 1) for pairable units, 0 for the rest (they contribute nothing)
    scale = np.divide(1.0, values_per_unit - 1.0, out=np.zeros_like(values_per_unit), where=pairable)
    if unit_weights is not None:
        scale = scale * np.asarray(unit_weights, dtype=float)
    scaled = counts * scale[:, None]
    coincidences = scaled.T @ counts
    coincidences[np.diag_indices_from(coincidences)] -= scaled.sum(axis=0)
    return coincidences


def _squared_differences(level: str, categories: np.ndarray, marginals: np.ndarray) -> np.ndarray:
    """The difference function delta^2_ck for the level of measurement."""
    n_categories = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(n_categories)
    if level == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
        # sum_{g=c}^{k} n_g - (n_c + n_k) / 2, for c <= k (symmetric)
        low = np.minimum.outer(np.arange(n_categories), np.arange(n_categories))
        high = np.maximum.outer(np.arange(n_categories), np.arange(n_categories))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2
    values = categories.astype(float)
    difference = np.subtract.outer(values, values)
    if level == "interval":
        return difference**2
    total = np.add.outer(values, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, difference / np.where(total == 0, 1.0, total))
    return ratio**2


def _alpha_from_coincidences(coincidences: np.ndarray, categories: np.ndarray, level: str) -> float:
    marginals = coincidences.sum(axis=1)
    total = marginals.sum()
    if total <= 1:
        return float("nan")
    delta = _squared_differences(level, categories, marginals)
    observed = float((coincidences * delta).sum())
    expected = float((np.outer(marginals, marginals) * delta).sum())
    if expected == 0:
        return float("nan")
    return 1.0 - (total - 1.0) * observed / expected


def krippendorff_alpha(
    matrix: Any,
    level: Level = "nominal",
    *,
    value_order: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha for a coders x units matrix (NaN = not coded).

    ``level`` is "nominal", "ordinal", "interval" or "ratio". Ordinal values are ranked
    by their numeric order, or by ``value_order`` for labels. Units with fewer than two
    values are not pairable and are ignored. Returns NaN when expected disagreement is
    zero (a single value in the whole data).
    """
    counts, categories = _unit_category_counts(matrix, level, value_order)
    return _alpha_from_coincidences(coincidence_matrix(counts), categories, level)


def krippendorff_alpha_interval(
    matrix: Any,
    level: Level = "nominal",
    *,
    value_order: Sequence[Any] | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    rng: np.random.Generator | int = 0,
) -> Interval:
    """Krippendorff's alpha with a percentile bootstrap interval over units.

    The pairable units (two or more values) are resampled with replacement ``n_boot``
    times (seeded ``rng``); the standard error is the standard deviation of the
    bootstrap alphas; resamples with undefined alpha (no variation) are dropped. Units
    with the same value counts contribute identically, so a resample is drawn exactly as
    multinomial counts over the distinct count patterns (fast for 0/1 presence data).
    """
    counts, categories = _unit_category_counts(matrix, level, value_order)
    estimate = _alpha_from_coincidences(coincidence_matrix(counts), categories, level)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    nan = float("nan")
    method = "bootstrap over units"
    pairable = counts[counts.sum(axis=1) >= 2]
    if not np.isfinite(estimate) or pairable.shape[0] < 2:
        return Interval(float(estimate), nan, nan, nan, confidence, method)
    patterns, frequency = np.unique(pairable, axis=0, return_counts=True)
    n_units, n_categories = pairable.shape[0], patterns.shape[1]
    # each pattern's contribution to the coincidence matrix, flattened to C*C
    contribution = np.stack(
        [coincidence_matrix(pattern[None, :]).ravel() for pattern in patterns]
    )
    replicates = np.empty(n_boot)
    chunk = max(1, 5_000_000 // max(len(patterns), 1))
    for first in range(0, n_boot, chunk):
        size = min(chunk, n_boot - first)
        draws = generator.multinomial(n_units, frequency / n_units, size=size)
        coincidences = (draws @ contribution).reshape(size, n_categories, n_categories)
        for offset in range(size):
            replicates[first + offset] = _alpha_from_coincidences(coincidences[offset], categories, level)
    replicates = replicates[np.isfinite(replicates)]
    if replicates.size < 2:
        return Interval(float(estimate), nan, nan, nan, confidence, method)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    return Interval(float(estimate), float(replicates.std(ddof=1)), float(low), float(high), confidence, method)


# ---------------------------------------------------------------------------------------
# Percent agreement, Fleiss' kappa, Cohen's kappa
# ---------------------------------------------------------------------------------------


def percent_agreement(matrix: Any) -> float:
    """Share of agreeing coder pairs, averaged over units (0..1, not per cent).

    For each unit with at least two values: agreeing pairs / all pairs of its values; the
    result is the mean over those units. With two coders this is the share of units on
    which both coders gave the same value.
    """
    counts, _ = _unit_category_counts(matrix, "nominal", None)
    values_per_unit = counts.sum(axis=1)
    pairable = values_per_unit >= 2
    if not pairable.any():
        return float("nan")
    counts, values_per_unit = counts[pairable].astype(float), values_per_unit[pairable].astype(float)
    per_unit = (counts * (counts - 1)).sum(axis=1) / (values_per_unit * (values_per_unit - 1))
    return float(per_unit.mean())


def fleiss_kappa(matrix: Any) -> float:
    """Fleiss' (1971) kappa for a raters x subjects matrix (same number of ratings per subject).

    Raters need not be the same people across subjects, but every subject must have the
    same number of ratings; subjects with no rating at all are ignored.
    """
    counts, _ = _unit_category_counts(matrix, "nominal", None)
    per_subject = counts.sum(axis=1)
    counts = counts[per_subject > 0]
    per_subject = per_subject[per_subject > 0]
    if counts.shape[0] == 0:
        return float("nan")
    if np.unique(per_subject).size != 1 or per_subject[0] < 2:
        raise WorkbenchError(
            "Fleiss' kappa needs the same number (>= 2) of ratings for every subject",
            value=sorted(set(per_subject.tolist())),
            expected="a constant number of ratings per subject",
        )
    raters = float(per_subject[0])
    counts = counts.astype(float)
    n_subjects = counts.shape[0]
    category_share = counts.sum(axis=0) / (n_subjects * raters)
    subject_agreement = ((counts * (counts - 1)).sum(axis=1)) / (raters * (raters - 1))
    observed = subject_agreement.mean()
    expected = float((category_share**2).sum())
    if expected == 1.0:
        return float("nan")
    return float((observed - expected) / (1.0 - expected))


def _two_coder_table(matrix: Any, value_order: Sequence[Any] | None) -> np.ndarray:
    """Agreement table (coder 1 rows x coder 2 columns) over units both coders coded."""
    array = _as_coder_matrix(matrix)
    if array.shape[0] != 2:
        raise WorkbenchError(
            "Cohen's kappa compares exactly two coders",
            value=f"{array.shape[0]} coders",
            expected="a 2 x units matrix (use fleiss_kappa or krippendorff_alpha for more)",
        )
    both = ~_missing_mask(array).any(axis=0)
    array = array[:, both]
    unit_idx, category_idx, categories = _encode_values(array, "nominal", value_order)
    # _encode_values returns present values in row-major order: coder 0 first, then coder 1
    n_units = array.shape[1]
    first, second = category_idx[:n_units], category_idx[n_units:]
    n_categories = len(categories)
    table = np.zeros((n_categories, n_categories))
    np.add.at(table, (first, second), 1.0)
    return table


def cohen_kappa_from_table(table: Any) -> Interval:
    """Cohen's kappa, its asymptotic SE and a 95% Wald interval from a square agreement table.

    Rows are coder 1's categories, columns coder 2's (same order). The SE is the
    non-null asymptotic standard error of Fleiss, Cohen and Everitt (1969), the ``ASE``
    of SAS PROC FREQ.
    """
    return _kappa_interval(np.asarray(table, dtype=float), 0.95)


def _kappa_interval(table: np.ndarray, confidence: float) -> Interval:
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise WorkbenchError("an agreement table must be square", value=table.shape, expected="k x k")
    n = table.sum()
    nan = float("nan")
    if n == 0:
        return Interval(nan, nan, nan, nan, confidence, "asymptotic (Fleiss, Cohen & Everitt 1969)")
    p = table / n
    if float(p.sum(axis=1) @ p.sum(axis=0)) == 1.0:
        return Interval(nan, nan, nan, nan, confidence, "asymptotic (Fleiss, Cohen & Everitt 1969)")
    kappa = weighted_kappa(table, weights="none", confidence=confidence)
    return Interval(kappa["estimate"], kappa["se"], kappa["ci_low"], kappa["ci_high"], confidence,
                    "asymptotic (Fleiss, Cohen & Everitt 1969)")


def cohen_kappa(matrix: Any, *, value_order: Sequence[Any] | None = None) -> float:
    """Cohen's (1960) kappa for a 2 x units matrix; units missing for either coder are dropped."""
    return _kappa_interval(_two_coder_table(matrix, value_order), 0.95).estimate


def cohen_kappa_interval(
    matrix: Any, *, confidence: float = 0.95, value_order: Sequence[Any] | None = None
) -> Interval:
    """Cohen's kappa with its asymptotic standard error and Wald confidence interval."""
    return _kappa_interval(_two_coder_table(matrix, value_order), confidence)


# ---------------------------------------------------------------------------------------
# Corpus level: units, per-code reliability, disagreements
# ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\r\n\s*\r\n")


def _split_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans (start, end exclusive, in code points) between separators, blanks dropped."""
    spans, start = [], 0
    for match in pattern.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def text_units(
    documents: pd.DataFrame, unit: UnitKind = "sentence", turns: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Split documents into comparison units: doc_id, unit_id, start, end (end exclusive).

    "document" = whole text; "paragraph" = text between blank lines; "sentence" = text
    after ., !, ?, … plus whitespace, or a line break; "turn" = the speaker turns of
    ``turns`` (documents without turns fall back to paragraphs).
    """
    if unit not in UNIT_KINDS:
        raise WorkbenchError("unknown comparison unit", value=unit, expected=" | ".join(UNIT_KINDS))
    rows: list[tuple[str, str, int, int]] = []
    turn_docs: set[str] = set()
    if unit == "turn":
        if turns is None or turns.empty:
            raise WorkbenchError("unit='turn' needs the turns table", column="turns", expected="speaker turns")
        for turn in turns.itertuples(index=False):
            rows.append((str(turn.doc_id), str(turn.turn_id), int(turn.start), int(turn.end)))
        turn_docs = set(turns["doc_id"].astype(str))
    for doc in documents.itertuples(index=False):
        doc_id, text = str(doc.doc_id), str(doc.text)
        if doc_id in turn_docs:
            continue
        if unit == "document":
            spans = [(0, len(text))]
        elif unit == "sentence":
            spans = _split_spans(text, _SENTENCE_END)
        else:
            spans = _split_spans(text, _PARAGRAPH_BREAK)
        rows.extend((doc_id, f"{doc_id}:{i + 1}", s, e) for i, (s, e) in enumerate(spans))
    return pd.DataFrame(rows, columns=["doc_id", "unit_id", "start", "end"])


def _accepted(segments: pd.DataFrame) -> pd.DataFrame:
    required = {"doc_id", "start", "end", "code_id", "coder"}
    missing = required - set(segments.columns)
    if missing:
        raise WorkbenchError(
            "the segments table lacks columns", column=", ".join(sorted(missing)),
            expected="doc_id, start, end, code_id, coder (and status)",
        )
    if "status" in segments.columns:
        segments = segments[segments["status"].fillna("accepted") == "accepted"]
    segments = segments.copy()
    segments["doc_id"] = segments["doc_id"].astype(str)
    return segments


@dataclass(frozen=True)
class Presence:
    """Code presence on comparison units: ``values[coder, unit, code]`` is 1/0, NaN when the
    coder did not code the unit's document. ``units`` has doc_id, unit_id, start, end."""

    units: pd.DataFrame
    coders: list[Any]
    codes: list[Any]
    values: np.ndarray


def presence(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: Sequence[Any] | None = None,
) -> Presence:
    """Code presence per coder on the comparison units of double-coded documents.

    Unitising: a document counts as coded by a coder when the coder has at least one
    accepted segment in it; documents coded by two or more coders are compared. Each
    document is cut into units (see :func:`text_units`); a coder "applied" a code to a unit
    when one of the coder's segments with that code overlaps the unit by at least one
    character. Every code is compared on every unit of every double-coded document, so
    agreement that a code is absent counts too.
    """
    accepted = _accepted(segments)
    coders_per_doc = accepted.groupby("doc_id")["coder"].unique()
    double = coders_per_doc[coders_per_doc.map(len) >= 2]
    code_list = list(codes) if codes is not None else sorted(accepted["code_id"].unique().tolist(), key=str)
    coder_list = sorted({c for doc_coders in double for c in doc_coders}, key=str)
    empty_units = pd.DataFrame(columns=["doc_id", "unit_id", "start", "end"])
    if double.empty or not code_list:
        return Presence(empty_units, coder_list, code_list, np.empty((len(coder_list), 0, len(code_list))))
    docs = documents[documents["doc_id"].astype(str).isin(double.index)].copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    units = text_units(docs, unit, turns)
    units = units[units["doc_id"].isin(double.index)].sort_values(["doc_id", "start"], kind="stable")
    units = units.reset_index(drop=True)
    code_position = {code_id: i for i, code_id in enumerate(code_list)}
    coder_position = {coder: i for i, coder in enumerate(coder_list)}
    values = np.full((len(coder_list), len(units), len(code_list)), np.nan)
    relevant = accepted[accepted["code_id"].isin(code_position)]
    for doc_id, rows in units.groupby("doc_id", sort=False).indices.items():
        starts, ends = units["start"].to_numpy()[rows], units["end"].to_numpy()[rows]
        doc_segments = relevant[relevant["doc_id"] == doc_id]
        for coder in double[doc_id]:
            present = np.zeros((len(rows), len(code_list)))
            mine = doc_segments[doc_segments["coder"] == coder]
            if len(mine):
                overlap = (mine["start"].to_numpy()[None, :] < ends[:, None]) & (
                    mine["end"].to_numpy()[None, :] > starts[:, None]
                )
                column_of = mine["code_id"].map(code_position).to_numpy()
                for j in np.unique(column_of):
                    present[:, j] = overlap[:, column_of == j].any(axis=1)
            values[coder_position[coder], rows, :] = present
    return Presence(units, coder_list, code_list, values)


def presence_data(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Tidy form of :func:`presence`: doc_id, unit_id, start, end, code_id, coder, present (0/1)."""
    data = presence(segments, documents, unit=unit, turns=turns, codes=codes)
    columns = ["doc_id", "unit_id", "start", "end", "code_id", "coder", "present"]
    coder_idx, unit_idx, code_idx = np.nonzero(~np.isnan(data.values))
    if coder_idx.size == 0:
        return pd.DataFrame(columns=columns)
    table = data.units.iloc[unit_idx].reset_index(drop=True)
    table["code_id"] = np.asarray(data.codes, dtype=object)[code_idx]
    table["coder"] = np.asarray(data.coders, dtype=object)[coder_idx]
    table["present"] = data.values[coder_idx, unit_idx, code_idx].astype(int)
    return table.sort_values(["doc_id", "start", "coder"], kind="stable", ignore_index=True)[columns]


def _coefficients(matrix: np.ndarray, confidence: float, n_boot: int, rng: np.random.Generator) -> dict[str, float]:
    """All coefficients for one coders x units 0/1 matrix (rows of absent coders dropped)."""
    matrix = matrix[~np.isnan(matrix).all(axis=1)]
    nan = float("nan")
    row: dict[str, float] = {"n_coders": matrix.shape[0], "percent_agreement": percent_agreement(matrix)}
    kappa = Interval(nan, nan, nan, nan, confidence, "")
    if matrix.shape[0] == 2 and not np.isnan(matrix).any():
        kappa = _kappa_interval(_two_coder_table(matrix, [0.0, 1.0]), confidence)
    row.update(cohen_kappa=kappa.estimate, cohen_se=kappa.se, cohen_ci_low=kappa.ci_low, cohen_ci_high=kappa.ci_high)
    try:
        row["fleiss_kappa"] = fleiss_kappa(matrix)
    except WorkbenchError:
        row["fleiss_kappa"] = nan
    alpha = krippendorff_alpha_interval(matrix, "nominal", n_boot=n_boot, confidence=confidence, rng=rng)
    row.update(alpha=alpha.estimate, alpha_se=alpha.se, alpha_ci_low=alpha.ci_low, alpha_ci_high=alpha.ci_high)
    return row


def code_reliability(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    rng: np.random.Generator | int = 0,
) -> pd.DataFrame:
    """Reliability of each code on double-coded documents, one row per code.

    Data are code presence (0/1, nominal) per comparison unit (see :func:`presence`).
    Columns: code_id, code_name, unit, n_documents, n_units, n_coders, percent_agreement
    (0..1), cohen_kappa with se and Wald interval (only when exactly two coders coded all
    compared documents, else NaN), fleiss_kappa (NaN when units have unequal numbers of
    coders), alpha with bootstrap se and interval. The last row, code_id "ALL", pools
    every code's units.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    if data.values.shape[1] == 0:
        return pd.DataFrame(columns=_RELIABILITY_COLUMNS)
    names = dict(zip(codes["code_id"], codes["name"])) if codes is not None and "name" in codes else {}
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    n_documents = data.units["doc_id"].nunique()
    n_coders, n_units, n_codes = data.values.shape
    rows = []
    for j, code_id in enumerate(data.codes):
        row = {"code_id": code_id, "code_name": names.get(code_id), "unit": unit, "n_documents": n_documents, "n_units": n_units}
        row.update(_coefficients(data.values[:, :, j], confidence, n_boot, generator))
        rows.append(row)
    pooled = {"code_id": "ALL", "code_name": "all codes", "unit": unit, "n_documents": n_documents, "n_units": n_units * n_codes}
    pooled.update(_coefficients(data.values.reshape(n_coders, n_units * n_codes), confidence, n_boot, generator))
    rows.append(pooled)
    return pd.DataFrame(rows, columns=_RELIABILITY_COLUMNS)


_RELIABILITY_COLUMNS = [
    "code_id", "code_name", "unit", "n_documents", "n_units", "n_coders", "percent_agreement",
    "cohen_kappa", "cohen_se", "cohen_ci_low", "cohen_ci_high", "fleiss_kappa",
    "alpha", "alpha_se", "alpha_ci_low", "alpha_ci_high",
]


def pairwise_cohen_kappa(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "document",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cohen's kappa per code and per pair of coders, on the units both coders coded.

    One row per code x coder pair: code_id, coder_a, coder_b, n_units, percent_agreement,
    kappa, se, ci_low, ci_high. Useful when more than two coders share the work.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    columns = ["code_id", "coder_a", "coder_b", "n_units", "percent_agreement", "kappa", "se", "ci_low", "ci_high"]
    rows = []
    for j, code_id in enumerate(data.codes):
        for a, b in combinations(range(len(data.coders)), 2):
            pair = data.values[[a, b], :, j]
            pair = pair[:, ~np.isnan(pair).any(axis=0)]
            if pair.shape[1] == 0:
                continue
            result = _kappa_interval(_two_coder_table(pair, [0.0, 1.0]), confidence)
            rows.append(
                (code_id, data.coders[a], data.coders[b], pair.shape[1], percent_agreement(pair),
                 result.estimate, result.se, result.ci_low, result.ci_high)
            )
    return pd.DataFrame(rows, columns=columns)


def coder_disagreements(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    unit: UnitKind = "sentence",
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    excerpt_chars: int = 160,
) -> pd.DataFrame:
    """Where coders disagree: one row per unit x code on which coders differ.

    Columns: doc_id, unit_id, start, end, code_id, applied_by, not_applied_by (coder
    names joined by ", "), excerpt (the unit's text, cut to ``excerpt_chars``). Sorted by
    document and position, for a coders' reconciliation meeting.
    """
    code_ids = codes["code_id"].tolist() if codes is not None else None
    data = presence(segments, documents, unit=unit, turns=turns, codes=code_ids)
    columns = ["doc_id", "unit_id", "start", "end", "code_id", "applied_by", "not_applied_by", "excerpt"]
    applied = np.nansum(data.values, axis=0)
    coded = (~np.isnan(data.values)).sum(axis=0)
    unit_idx, code_idx = np.nonzero((applied > 0) & (applied < coded))
    if unit_idx.size == 0:
        return pd.DataFrame(columns=columns)
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    rows = []
    for u, j in zip(unit_idx, code_idx):
        unit_row = data.units.iloc[u]
        column = data.values[:, u, j]
        yes = [str(c) for c, v in zip(data.coders, column) if v == 1]
        no = [str(c) for c, v in zip(data.coders, column) if v == 0]
        text = texts[unit_row["doc_id"]][int(unit_row["start"]) : int(unit_row["end"])].strip()
        if len(text) > excerpt_chars:
            text = text[: excerpt_chars - 1].rstrip() + "…"
        rows.append(
            (unit_row["doc_id"], unit_row["unit_id"], int(unit_row["start"]), int(unit_row["end"]),
             data.codes[j], ", ".join(sorted(yes)), ", ".join(sorted(no)), text)
        )
    return pd.DataFrame(rows, columns=columns)
