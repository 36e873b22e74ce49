"""The survey design object: weights, strata, clusters, fpc, replicate weights, subsets.

``SurveyDesign`` codes strata and sampling units to integers once, at construction, so that
every estimate afterwards is a handful of vectorised sums (see ``variance``). It follows the
conventions of R's ``survey::svydesign`` (Lumley 2010):

* ``fpc`` holds population sizes N (or sampling fractions when every value is <= 1), one
  column per stage; weights are derived from them (prod N/n) when ``weights`` is not given;
* sampling units are nested: a PSU code is taken within its stratum and a stage-2 code
  within its PSU (R's ``nest=TRUE``); ``psu=None`` means every row is its own PSU;
* with fpc given for fewer stages than ``psu``, later stages are treated as a census;
  without fpc at stage 1 sampling is with replacement and later stages are ignored;
* degrees of freedom are the number of PSUs minus the number of strata (``degf``).

The data are referenced, never modified; subsets keep every row so that the variance of a
domain estimate uses the full design (``subset`` never drops PSUs). The design keeps its own
copy of what it reads: the design columns at construction, and each analysis variable
(values, missing mask, category codes) the first time an estimate uses it. It does not copy
the whole frame (20 ms and the memory of every column at a million rows): columns added to or
replaced in the caller's frame afterwards do not reach the design, but editing values of the
frame in place after building the design is not supported: build a new design instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.survey.coding import (
    SortedRuns,
    compact_integers,
    is_declared_number,
    offset_labels,
    sorted_codes,
    sorted_runs,
)
from workbench.survey.variance import LONELY_PSU_OPTIONS, RowGroups, Stage, degf_from_units

Columns = str | Sequence[str] | None


@dataclass(frozen=True)
class ReplicateSpec:
    """Replicate weights (n x R, full analysis weights) and how to combine replicates.

    Variance = ``scale * sum_r rscales_r (theta_r - centre)^2`` with the centre the mean of
    the replicates (R's default ``mse=FALSE``) or the full-sample estimate (``mse=True``).
    """

    weights: np.ndarray
    kind: str
    scale: float
    rscales: np.ndarray
    mse: bool
    df: float


def _as_list(columns: Columns) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)



def _factorize(values: pd.Series, column: str, role: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (0..k-1, sorted labels) of a design column; missing values are errors."""
    codes, uniques = sorted_codes(values)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0]) + 1
        raise WorkbenchError(
            f"missing value in the {role} column", column=column, row=row,
            expected=f"a {role} code on every row",
        )
    return codes, uniques


def _unit_codes(group: np.ndarray, n_groups: int, codes: np.ndarray, n_codes: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the (group, code) pairs, ordered by group then code, and each pair's group."""
    key = group * n_codes + codes
    compact = compact_integers(key)
    if compact is None:
        unit, pairs = pd.factorize(key, sort=True)
        unit, pairs = unit.astype(np.int64), np.asarray(pairs)
    else:
        unit, pairs = compact
    return unit, pairs // n_codes


class SurveyDesign:
    """A complex survey design bound to its data; every estimator is a method.

    Parameters mirror R's ``svydesign``: ``weights`` (sampling weights, column name),
    ``strata`` (one or more columns, combined), ``psu`` (cluster column per stage, outermost
    first; None for element sampling), ``fpc`` (population size N per stage, or sampling
    fraction), ``missing_codes`` (variable -> codes such as [98, 99] treated as missing;
    NaN is always missing), ``lonely_psu`` (what to do with a stratum holding one PSU:
    "fail" (default), "adjust", "average", "certainty", "remove", as R's
    ``options(survey.lonely.psu)``). Replicate-weight designs: ``replicate_weights`` (columns
    of full replicate weights) with ``replicate_type`` one of "JK1", "JKn", "bootstrap",
    "BRR", "Fay" (``fay_rho``), or explicit ``replicate_scale``/``replicate_rscales``.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: Columns = None,
        psu: Columns = None,
        fpc: Columns = None,
        *,
        missing_codes: Mapping[str, Iterable] | None = None,
        lonely_psu: str = "fail",
        replicate_weights: Sequence[str] | None = None,
        replicate_type: str | None = None,
        replicate_scale: float | None = None,
        replicate_rscales: Sequence[float] | None = None,
        fay_rho: float = 0.0,
        replicate_mse: bool = False,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise WorkbenchError("survey data must be a pandas DataFrame",
                                 value=type(data).__name__, expected="pandas.DataFrame")
        if len(data) == 0:
            raise WorkbenchError("survey data has no rows", expected="at least one respondent")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise WorkbenchError("unknown lonely_psu option", value=lonely_psu,
                                 expected=" / ".join(LONELY_PSU_OPTIONS))
        # A shallow copy: columns added to or replaced in the caller's frame afterwards do
        # not reach the design; every array the design uses is its own copy (see above).
        self._data = data.copy(deep=False)
        self._cache: dict = {}
        self.n_rows = len(data)
        self.lonely_psu = lonely_psu
        self.weights_column = weights
        self.strata_columns = _as_list(strata)
        self.psu_columns = _as_list(psu)
        self.fpc_columns = _as_list(fpc)
        self.missing_codes = {k: list(v) for k, v in (missing_codes or {}).items()}
        for column in [*self.strata_columns, *self.psu_columns, *self.fpc_columns,
                       *([weights] if weights else []), *self.missing_codes]:
            self._check_column(column)
        n_stage_columns = max(len(self.psu_columns), 1)
        if len(self.fpc_columns) > n_stage_columns:
            raise WorkbenchError(
                "more fpc columns than sampling stages", value=self.fpc_columns,
                expected=f"at most {n_stage_columns} fpc column(s), one per psu stage",
            )
        self.stages, self._strata_labels, stage_weights = self._code_stages()
        self.weights_nonzero = True  # every weight nonzero (set by _read_weights)
        self.weights = self._read_weights(stage_weights)
        self.negative_weights = False  # only calibration can make weights negative
        self.calibration: Any = None
        self.domain: np.ndarray | None = None
        self.replicates: ReplicateSpec | None = None
        self.weighting_diagnostics: pd.DataFrame | None = None
        self.convergence: pd.DataFrame | None = None
        if replicate_weights is not None:
            from workbench.survey.replicate import replicate_spec_from_columns

            self.replicates = replicate_spec_from_columns(
                self, list(replicate_weights), replicate_type, replicate_scale,
                replicate_rscales, fay_rho, replicate_mse,
            )
        elif lonely_psu == "fail":
            self._check_lonely_psu()

    # ------------------------------------------------------------------ construction
    def _check_column(self, column: str) -> None:
        if column not in self._data.columns:
            shown = ", ".join(map(str, list(self._data.columns)[:30]))
            raise WorkbenchError("variable does not exist in the survey data", column=column,
                                 expected=f"one of: {shown}")

    def _code_levels(self) -> tuple[list, list[tuple[RowGroups, np.ndarray]]]:
        """Strata labels, and the groups of rows of each level (strata, then the units of
        every stage) with each group's parent group at the level above.

        Rows sorted by stratum and unit (integer columns) are coded from runs of equal
        values; anything else by integer codes per row (see ``coding``).
        """
        arrays = [self._integer_array(column)
                  for column in [*self.strata_columns, *self.psu_columns]]
        if all(array is not None for array in arrays):
            runs = sorted_runs([arrays[:len(self.strata_columns)],
                                *[[array] for array in arrays[len(self.strata_columns):]]])
            if runs is not None:
                return self._levels_from_runs(runs, arrays)
        strata, labels = self._code_strata()
        levels = [(RowGroups(self.n_rows, len(labels), codes=strata),
                   np.zeros(len(labels), dtype=np.int64))]
        for column in self.psu_columns:
            # Units are (group, code) pairs: a code is taken within its stratum/parent.
            group = levels[-1][0]
            codes, width = self._unit_labels(column)
            unit, unit_group = _unit_codes(group.codes, group.n_groups, codes, width)
            levels.append((RowGroups(self.n_rows, len(unit_group), codes=unit), unit_group))
        return labels, levels

    def _integer_array(self, column: str) -> np.ndarray | None:
        """A design column's values as a numpy integer array (read only during
        construction), for numpy and complete nullable integer columns; else None."""
        values = self._data[column]
        if values.dtype.kind not in "iu":
            return None
        if isinstance(values.dtype, np.dtype):
            return values.to_numpy()
        if isinstance(values.dtype, pd.core.dtypes.dtypes.BaseMaskedDtype) and not values.hasnans:
            return values.to_numpy(dtype=values.dtype.numpy_dtype)  # a view when complete
        return None

    def _levels_from_runs(self, runs: SortedRuns, arrays: list[np.ndarray]
                          ) -> tuple[list, list[tuple[RowGroups, np.ndarray]]]:
        strata_starts = runs.starts[0]
        strata_values = [array[strata_starts] for array in arrays[:len(self.strata_columns)]]
        if not strata_values:
            labels: list = ["(all)"]
        elif len(strata_values) == 1:
            labels = list(strata_values[0])
        else:
            labels = list(zip(*strata_values))
        levels = [(RowGroups(self.n_rows, len(starts), starts=starts), parent)
                  for starts, parent in zip(runs.starts, runs.parent)]
        return labels, levels

    def _code_strata(self) -> tuple[np.ndarray, list]:
        if not self.strata_columns:
            return np.zeros(self.n_rows, dtype=np.int64), ["(all)"]
        coded = [_factorize(self._data[column], column, "strata")
                 for column in self.strata_columns]
        if len(coded) == 1:
            return coded[0][0], list(coded[0][1])
        codes = np.zeros(self.n_rows, dtype=np.int64)
        for column_codes, uniques in coded:
            codes = codes * len(uniques) + column_codes
        codes, combined = compact_integers(codes) or sorted_codes(pd.Series(codes))
        labels = []
        for value in combined.tolist():
            parts = []
            for _, uniques in reversed(coded):
                parts.append(uniques[value % len(uniques)])
                value //= len(uniques)
            labels.append(tuple(reversed(parts)))
        return codes, labels

    def _fpc_per_group(self, column: str, group: np.ndarray, n_groups: int,
                       size: np.ndarray) -> np.ndarray:
        """Population size N of each group at a stage, read from an fpc column."""
        values = self._data[column]
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            raise WorkbenchError("fpc must be numeric and present on every row", column=column,
                                 expected="population size N (or sampling fraction) per row")
        values = values.to_numpy(dtype=float)
        rows = np.bincount(group, minlength=n_groups)
        mean = np.bincount(group, weights=values, minlength=n_groups) / np.maximum(rows, 1)
        varies = ~np.isclose(mean[group], values, rtol=1e-9, atol=1e-12)
        if varies.any():
            row = int(np.flatnonzero(varies)[0])
            raise WorkbenchError("fpc differs within a stratum / cluster at this stage",
                                 column=column, row=row + 1, value=values[row],
                                 expected="one population size per stratum (stage 1) or per "
                                 "sampled unit of the stage above")
        if (values <= 0).any():
            raise WorkbenchError("fpc must be positive", column=column,
                                 value=float(values.min()), expected="N > 0")
        if (values <= 1).all():
            population = size / mean  # sampling fractions given
        else:
            population = mean
        too_small = population < size - 1e-9
        if too_small.any():
            g = int(np.flatnonzero(too_small)[0])
            raise WorkbenchError(
                "population size (fpc) smaller than the number of sampled units",
                column=column, value=float(population[g]),
                expected=f"at least {int(size[g])} (units sampled in that stratum/cluster)",
            )
        return population

    def _code_stages(self) -> tuple[list[Stage], list, np.ndarray | None]:
        """Code every stage; return the stages used for variance, the strata labels and
        the weights implied by the fpc (None unless fpc is given for every stage)."""
        strata_labels, levels = self._code_levels()
        groups = levels[0][0]
        group_labels: list | None = list(strata_labels)
        upper_fraction = np.ones(groups.n_groups)
        stages: list[Stage] = []
        fpc_weights: np.ndarray | None = np.ones(self.n_rows) if self.fpc_columns else None
        variance_continues = True
        for s in range(max(len(self.psu_columns), 1)):
            if self.psu_columns:
                units, unit_group = levels[s + 1]
            else:  # every row is its own PSU
                rows = np.arange(self.n_rows, dtype=np.int64)
                units = RowGroups(self.n_rows, self.n_rows, codes=rows, starts=rows)
                unit_group = groups.codes
            n_groups = groups.n_groups
            size = np.bincount(unit_group, minlength=n_groups).astype(float)
            has_fpc = s < len(self.fpc_columns)
            if has_fpc:
                population = self._fpc_per_group(self.fpc_columns[s], groups.codes, n_groups,
                                                 size)
                fpc = np.where(np.isinf(population), 1.0, 1.0 - size / population)
                if fpc_weights is not None:
                    fpc_weights = fpc_weights * (population / size)[groups.codes]
            else:
                population = np.full(n_groups, np.inf)
                fpc = np.ones(n_groups)
                fpc_weights = None
            if variance_continues and (s == 0 or has_fpc):
                stages.append(Stage(units, unit_group, n_groups, size, fpc, upper_fraction,
                                    group_labels))
            variance_continues = variance_continues and has_fpc
            sampled_fraction = np.where(np.isinf(population), 0.0, size / population)
            upper_fraction = (upper_fraction * sampled_fraction)[unit_group]
            groups, group_labels = units, None
        if not self.fpc_columns:
            fpc_weights = None
        return stages, strata_labels, fpc_weights

    def _unit_labels(self, column: str) -> tuple[np.ndarray, int]:
        """Non-negative integer labels of a psu column and their range (for pair keys):
        an integer column's values minus their minimum, else its category codes."""
        values = self._data[column]
        array = values.to_numpy() if isinstance(values.dtype, np.dtype) else None
        labels = offset_labels(array) if array is not None else None
        if labels is not None:
            return labels
        codes, uniques = _factorize(values, column, "psu")
        return codes, max(len(uniques), 1)

    def _read_weights(self, fpc_weights: np.ndarray | None) -> np.ndarray:
        if self.weights_column is None:
            if fpc_weights is not None:
                return fpc_weights
            if self.fpc_columns:
                raise WorkbenchError(
                    "weights not given and fpc missing for some stage: cannot derive weights",
                    expected="weights=, or fpc for every psu stage")
            return np.ones(self.n_rows)
        column = self.weights_column
        values = self._data[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise WorkbenchError("weights must be numeric", column=column,
                                 value=str(values.dtype), expected="non-negative numbers")
        values = values.to_numpy(dtype=float, copy=True)
        low, high = values.min(), values.max()  # NaN if any weight is NaN
        if low >= 0 and np.isfinite(high):
            self.weights_nonzero = bool(low > 0)
            return values
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise WorkbenchError("missing or infinite weight", column=column, row=row + 1,
                                 value=values[row], expected="a finite weight on every row")
        if (values < 0).any():
            row = int(np.flatnonzero(values < 0)[0])
            raise WorkbenchError("negative weight", column=column, row=row + 1,
                                 value=values[row], expected="weights >= 0")
        return values

    def _check_lonely_psu(self) -> None:
        stage = self.stages[0]
        lonely = (stage.group_size == 1) & (stage.group_fpc > 0)
        if lonely.any():
            labels = [self._strata_labels[i] for i in np.flatnonzero(lonely)]
            raise WorkbenchError(
                f"{len(labels)} stratum/strata with only one PSU: {labels[:10]}; the "
                "variance cannot be estimated there",
                column=", ".join(self.strata_columns) or None,
                expected="at least two PSUs per stratum, or lonely_psu='adjust', 'average', "
                "'certainty' or 'remove' (R's options(survey.lonely.psu))",
            )

    def _derive(self, **changes: Any) -> SurveyDesign:
        """A shallow copy with some attributes replaced (designs are treated as immutable)."""
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    # ------------------------------------------------------------------ description
    @property
    def data(self) -> pd.DataFrame:
        """The survey data (not a copy: do not modify it)."""
        return self._data

    @property
    def n_psu(self) -> int:
        return self.stages[0].n_units

    @property
    def n_strata(self) -> int:
        return self.stages[0].n_groups

    def analysis_weights(self) -> np.ndarray:
        """Weights with rows outside the current subset set to zero."""
        if self.domain is None:
            return self.weights
        return np.where(self.domain, self.weights, 0.0)

    def degf(self, rows: np.ndarray | None = None) -> float:
        """Design degrees of freedom: PSUs minus strata among ``rows`` with a nonzero weight
        (R's ``degf``; calibrated weights may be negative and still count).

        For replicate designs, the rank of the replicate weights minus one (as R).
        """
        if self.replicates is not None:
            return self.replicates.df
        if self.domain is None and (rows is None or rows.all()):
            if "degf" not in self._cache:
                self._cache["degf"] = self._count_degf(self.weights != 0)
            return self._cache["degf"]
        mask = self.weights != 0
        if self.domain is not None:
            mask = mask & self.domain
        if rows is not None:
            mask = mask & rows
        return self._count_degf(mask)

    def _count_degf(self, mask: np.ndarray) -> float:
        return degf_from_units(self.stages[0], self.stages[0].unit_any(mask))

    def __repr__(self) -> str:
        kind = (f"replicate ({self.replicates.kind}, {self.replicates.weights.shape[1]} reps)"
                if self.replicates is not None else "Taylor linearisation")
        return (f"SurveyDesign({self.n_rows} rows, {self.n_strata} strata, {self.n_psu} PSUs,"
                f" {len(self.psu_columns) or 1} stage(s), {kind}"
                f"{', calibrated' if self.calibration is not None else ''}"
                f"{', subset' if self.domain is not None else ''})")

    # ------------------------------------------------------------------ variables
    def column(self, name: str) -> pd.Series:
        self._check_column(name)
        return self._data[name]

    def valid_mask(self, name: str) -> np.ndarray:
        """True where ``name`` is neither NaN nor one of its declared missing codes."""
        key = ("valid", name)
        if key not in self._cache:
            self._cache[key] = self._valid_mask(name)
        return self._cache[key]

    def factorized(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes (sorted levels; -1 where missing) and levels of a variable, cached."""
        key = ("codes", name)
        if key not in self._cache:
            valid = self.valid_mask(name)
            codes, levels = self._raw_codes(name)
            if not valid.all():
                codes = np.where(valid, codes, -1)
                present = np.bincount(codes[codes >= 0], minlength=len(levels)) > 0
                if not present.all():
                    remap = np.append(np.cumsum(present) - 1, -1)
                    codes = remap[codes]
                    levels = levels[present]
            codes.flags.writeable = False  # cached and shared (e.g. as cell codes)
            self._cache[key] = (codes, np.asarray(levels))
        return self._cache[key]

    def _raw_codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes of every distinct value (-1 for NaN/None only), cached."""
        key = ("raw codes", name)
        if key not in self._cache:
            self._cache[key] = sorted_codes(self.column(name))
        return self._cache[key]

    def _valid_mask(self, name: str) -> np.ndarray:
        values = self.column(name)
        declared = self.missing_codes.get(name)
        if pd.api.types.is_numeric_dtype(values):
            if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiub":
                array = values.to_numpy()  # numpy's isnan: a third of pandas' notna time
                valid = ~np.isnan(array) if array.dtype.kind == "f" else np.ones(len(array),
                                                                                bool)
            else:
                valid = values.notna().to_numpy()
            if declared:
                valid &= ~is_declared_number(values, declared)
            return valid
        # Categories: missing values and declared codes from the (few) distinct values,
        # which is much faster than isna/isin on a million strings.
        codes, levels = self._raw_codes(name)
        valid = codes >= 0
        if declared:
            bad_level = np.append(pd.Index(levels).isin(declared), False)
            valid &= ~bad_level[codes]
        return valid

    def numeric(self, name: str, valid: np.ndarray) -> np.ndarray:
        """Float values of a numeric variable, 0.0 where not valid (read-only: copy to
        change it)."""
        key = ("float", name)
        if key not in self._cache:
            values = self.column(name)
            if pd.api.types.is_bool_dtype(values):
                values = values.astype(float)
            if not pd.api.types.is_numeric_dtype(values):
                raise WorkbenchError("variable is not numeric", column=name,
                                     value=str(values.dtype),
                                     expected="a numeric variable (use proportion() for "
                                     "categories)")
            array = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
            array.flags.writeable = False
            self._cache[key] = array
        if valid.all():
            return self._cache[key]
        array = self._cache[key].copy()
        np.copyto(array, 0.0, where=~valid)
        return array

    # ------------------------------------------------------------------ subsets
    def subset(self, mask: Any) -> SurveyDesign:
        """Restrict estimates to rows where ``mask`` is True, keeping the full design.

        Rows outside the subset stay in the design with zero contribution, so no PSU is
        dropped and the variance is the correct domain variance (Lumley 2010, sec. 2.3).
        """
        array = mask.to_numpy() if isinstance(mask, pd.Series) else np.asarray(mask)
        if array.shape != (self.n_rows,):
            raise WorkbenchError("subset mask has the wrong length", value=array.shape,
                                 expected=f"one boolean per row ({self.n_rows})")
        if array.dtype != bool:
            if pd.isna(array).any():
                raise WorkbenchError("subset mask has missing values",
                                     expected="True/False on every row")
            array = array.astype(bool)
        domain = array if self.domain is None else (self.domain & array)
        return self._derive(domain=domain)

    def with_weights(self, weights: np.ndarray, **changes: Any) -> SurveyDesign:
        weights = np.asarray(weights, dtype=float)
        return self._derive(weights=weights, negative_weights=bool((weights < 0).any()),
                            weights_nonzero=bool(weights.all()), **changes)

    # ------------------------------------------------------------------ estimators
    def mean(self, variable: str, by: Columns = None, level: float = 0.95) -> pd.DataFrame:
        """Weighted mean with design-based SE, t-based CI (design df), deff, n, n_missing."""
        from workbench.survey.estimators import mean

        return mean(self, variable, by=by, level=level)

    def total(self, variable: str, by: Columns = None, level: float = 0.95) -> pd.DataFrame:
        """Estimated population total (sum of weight x value)."""
        from workbench.survey.estimators import total

        return total(self, variable, by=by, level=level)

    def proportion(self, variable: str, by: Columns = None, level: float = 0.95,
                   interval: str = "logit") -> pd.DataFrame:
        """Share of each level of a categorical variable (one row per domain and level);
        logit intervals (R's ``svyciprop``) unless ``interval="wald"``."""
        from workbench.survey.estimators import proportion

        return proportion(self, variable, by=by, level=level, interval=interval)

    def ratio(self, numerator: str, denominator: str, by: Columns = None,
              level: float = 0.95) -> pd.DataFrame:
        """Ratio of two estimated totals, sum(w y) / sum(w x)."""
        from workbench.survey.estimators import ratio

        return ratio(self, numerator, denominator, by=by, level=level)

    def quantile(self, variable: str, q: float | Sequence[float] = 0.5, by: Columns = None,
                 level: float = 0.95, rule: str = "math") -> pd.DataFrame:
        """Quantile (inverse weighted CDF) with a Woodruff confidence interval (R default);
        ``rule="R"`` follows R's code at the lower edge (see ``estimators``)."""
        from workbench.survey.estimators import quantile

        return quantile(self, variable, q, by=by, level=level, rule=rule)

    def crosstab(self, row: str, col: str, level: float = 0.95,
                 interval: str = "logit") -> Any:
        """Weighted two-way table with row/column percentages and Rao-Scott tests;
        logit intervals (R's ``svyciprop``) unless ``interval="wald"``."""
        from workbench.survey.tables import crosstab

        return crosstab(self, row, col, level=level, interval=interval)

    def glm(self, formula: str, family: str = "gaussian", level: float = 0.95) -> Any:
        """Survey-weighted GLM with design-based (linearisation) standard errors."""
        from workbench.survey.models import survey_glm

        return survey_glm(self, formula, family=family, level=level)

    def ordinal_logit(self, formula: str, level: float = 0.95) -> Any:
        """Proportional-odds (cumulative logit) model with design-based standard errors."""
        from workbench.survey.models import survey_ordinal_logit

        return survey_ordinal_logit(self, formula, level=level)

    # ------------------------------------------------------------------ replicates
    def jackknife(self, kind: str | None = None) -> SurveyDesign:
        """Replicate design with delete-one-PSU jackknife weights (JK1 unstratified, else JKn)."""
        from workbench.survey.replicate import jackknife

        return jackknife(self, kind)

    def bootstrap(self, replicates: int = 500, seed: int | np.random.Generator = 0
                  ) -> SurveyDesign:
        """Replicate design with Rao-Wu rescaling bootstrap weights (seeded)."""
        from workbench.survey.replicate import bootstrap

        return bootstrap(self, replicates, seed)

    def brr(self, fay_rho: float = 0.0) -> SurveyDesign:
        """Replicate design with balanced repeated replication (Fay's method if rho > 0)."""
        from workbench.survey.replicate import brr

        return brr(self, fay_rho)

    # ------------------------------------------------------------------ weighting
    def poststratify(self, by: Columns, population: Mapping | pd.Series) -> SurveyDesign:
        """Post-stratify to known population counts of the cells of ``by``."""
        from workbench.survey.weighting import poststratify

        return poststratify(self, by, population)

    def rake(self, margins: Mapping[str, Mapping], **options: Any) -> SurveyDesign:
        """Rake (iterative proportional fitting) to several population margins."""
        from workbench.survey.weighting import rake

        return rake(self, margins, **options)

    def calibrate(self, totals: Mapping[str, Any], **options: Any) -> SurveyDesign:
        """Linear (GREG) calibration to population totals of numeric/categorical variables."""
        from workbench.survey.weighting import calibrate

        return calibrate(self, totals, **options)

    # ------------------------------------------------------------------ scales
    def cronbach_alpha(self, items: Sequence[str]) -> Any:
        """Weighted Cronbach's alpha, item-total correlations and alpha-if-deleted."""
        from workbench.survey.scales import cronbach_alpha

        return cronbach_alpha(self._data, items, weights=self.analysis_weights(),
                              missing_codes=self.missing_codes)
