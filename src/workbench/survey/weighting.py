"""Post-stratification, raking and linear (GREG) calibration, with their variance.

Each function returns a new design with calibrated weights, a ``weighting_diagnostics``
table (targets, weighted margins before/after, weight range, Kish design effect
n sum w^2 / (sum w)^2 and effective sample size (sum w)^2 / sum w^2) and, for raking, a
``convergence`` table (largest relative margin error after every sweep).

Variance: the calibrated estimator is asymptotically the GREG estimator, so the engine uses
the influence values' residuals from a weighted regression on the calibration variables,
e_i = x_i - w_i z_i'B with B fitted with the pre-calibration weights (Deville & Sarndal
1992; Sarndal et al. 1992, sec. 6.6; R's ``calibrate``). For raking the regression is on
the dummies of all margins at once (the default); ``rake(variance="R")`` instead takes R's
``svyrecvar`` residuals (unweighted cell means of x / w, swept over the margins), which
differ when weights vary within margin cells (docs/survey-engine.md).
Replicate designs are calibrated replicate by replicate instead (as R does).

Why our own code: raking is iterative proportional fitting on the (small) table of
joint margin cells, so a million-row rake costs two passes over the data (the cell totals,
then the new weights); its diagnostics are computed from the cell table as well.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.survey.coding import compact_integers, sorted_codes
from workbench.survey.design import Columns, SurveyDesign, _as_list
from workbench.survey.variance import _column_sums


@dataclass
class Calibration:
    """Calibration variables (categorical codes and numeric columns) and fit weights."""

    categorical: list[np.ndarray] = field(default_factory=list)
    n_levels: list[int] = field(default_factory=list)
    numeric: np.ndarray | None = None
    fit_weights: np.ndarray | None = None
    inverse_variance: np.ndarray | None = None
    # variance="R" raking: per margin, its codes, number of levels and the weights right
    # after that margin was fitted in the last sweep (R's attr(margin, "weights")).
    raking: list[tuple[np.ndarray, int, np.ndarray]] | None = None

    def merged(self, other: Calibration) -> Calibration:
        numeric = [m for m in (self.numeric, other.numeric) if m is not None]
        return Calibration(self.categorical + other.categorical,
                           self.n_levels + other.n_levels,
                           np.hstack(numeric) if numeric else None, self.fit_weights)

    def residualize(self, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Residuals x - w z'B of influence values x (n x p) on the calibration variables."""
        if self.raking is not None:
            return _raking_residuals(values, self.raking)
        w0 = self.fit_weights
        u = values / np.where(weights != 0, weights, 1.0)[:, None]
        u_w0 = u * w0[:, None]
        blocks_cat = list(zip(self.categorical, self.n_levels))
        sizes = [k for _, k in blocks_cat] + ([self.numeric.shape[1]]
                                              if self.numeric is not None else [])
        q = sum(sizes)
        gram = np.zeros((q, q))
        cross = np.zeros((q, values.shape[1]))
        offsets = np.cumsum([0, *sizes])
        for a, (codes_a, k_a) in enumerate(blocks_cat):
            sa = slice(offsets[a], offsets[a + 1])
            cross[sa] = _column_sums(codes_a, u_w0, k_a)
            for b, (codes_b, k_b) in enumerate(blocks_cat):
                sb = slice(offsets[b], offsets[b + 1])
                gram[sa, sb] = np.bincount(codes_a * k_b + codes_b, weights=w0,
                                           minlength=k_a * k_b).reshape(k_a, k_b)
            if self.numeric is not None:
                sn = slice(offsets[-2], offsets[-1])
                block = _column_sums(codes_a, self.numeric * w0[:, None], k_a)
                gram[sa, sn] = block
                gram[sn, sa] = block.T
        if self.numeric is not None:
            sn = slice(offsets[-2], offsets[-1])
            gram[sn, sn] = (self.numeric * w0[:, None]).T @ self.numeric
            cross[sn] = self.numeric.T @ u_w0
        coef = np.linalg.pinv(gram) @ cross
        fitted = np.zeros_like(values)
        for a, (codes_a, _) in enumerate(blocks_cat):
            fitted += coef[offsets[a]: offsets[a + 1]][codes_a]
        if self.numeric is not None:
            fitted += self.numeric @ coef[offsets[-2]: offsets[-1]]
        return values - weights[:, None] * fitted


def _raking_residuals(values: np.ndarray,
                      margins: list[tuple[np.ndarray, int, np.ndarray]]) -> np.ndarray:
    """R's ``svyrecvar`` raking residuals: ten sweeps of x <- x - w ave(x / w, margin) over
    the margins, ``ave`` the unweighted mean within the margin's cells and w the weights
    after that margin was fitted."""
    x = np.array(values, dtype=float)
    counts = [np.bincount(codes, minlength=k) for codes, k, _ in margins]
    for _ in range(10):
        for (codes, k, psw), count in zip(margins, counts):
            cell_means = _column_sums(codes, x / psw[:, None], k) / count[:, None]
            x -= psw[:, None] * cell_means[codes]
    return x


def _margin_codes(design: SurveyDesign, variable: str, targets: Mapping
                  ) -> tuple[np.ndarray, np.ndarray, list]:
    """Codes of a margin variable and its targets in code order; checks levels match."""
    valid = design.valid_mask(variable)
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0]) + 1
        raise WorkbenchError("missing value in a weighting variable", column=variable,
                             row=row, expected="a category on every row")
    codes, levels = design.factorized(variable)
    levels = list(levels)
    target_map = dict(targets)
    missing = [lvl for lvl in levels if lvl not in target_map]
    if missing:
        raise WorkbenchError("sample category without population target", column=variable,
                             value=missing[:10], expected=f"targets for {levels}")
    extra = [lvl for lvl in target_map if lvl not in levels]
    if extra:
        raise WorkbenchError("population target for a category absent from the sample",
                             column=variable, value=extra[:10],
                             expected="collapse it with a neighbouring category")
    target = np.array([float(target_map[lvl]) for lvl in levels])
    if (target <= 0).any() or not np.isfinite(target).all():
        raise WorkbenchError("population targets must be positive", column=variable,
                             expected="counts > 0")
    return codes.astype(np.int64, copy=False), target, levels


def _weight_rows(before: np.ndarray, after: np.ndarray) -> list[dict]:
    def describe(w: np.ndarray) -> dict[str, float]:
        """Over the rows with a nonzero weight (negative calibrated weights included)."""
        is_used = w != 0
        everyone = bool(is_used.all())
        used = w if everyone else w[is_used]
        total, squares = w.sum(), np.dot(w, w)
        low, high = used.min(), used.max()
        return {"min": low, "max": high, "mean": total / len(used), "sum": total,
                "max_min_ratio": high / low if low > 0 else np.nan,
                "kish_deff": len(used) * squares / total**2,
                "effective_n": total**2 / squares}

    b, a = describe(before), describe(after)
    return [{"section": "weights", "variable": "weight", "category": key, "target": np.nan,
             "before": b[key], "after": a[key]} for key in b]


def _diagnostics(margins: list[tuple[str, list, np.ndarray, np.ndarray]],
                 before: np.ndarray, after: np.ndarray,
                 margin_sums: list[tuple[np.ndarray, np.ndarray]] | None = None
                 ) -> pd.DataFrame:
    """Targets and weighted margins before/after (``margin_sums`` if already known)."""
    rows = []
    for m, (variable, levels, codes, target) in enumerate(margins):
        k = len(levels)
        if margin_sums is None:
            sum_before = np.bincount(codes, weights=before, minlength=k)
            sum_after = np.bincount(codes, weights=after, minlength=k)
        else:
            sum_before, sum_after = margin_sums[m]
        for j, level in enumerate(levels):
            rows.append({"section": "margin", "variable": variable, "category": level,
                         "target": target[j], "before": sum_before[j],
                         "after": sum_after[j]})
    rows += _weight_rows(before, after)
    frame = pd.DataFrame(rows)
    frame["relative_error"] = (frame["after"] - frame["target"]) / frame["target"]
    return frame


def _require_full_sample(design: SurveyDesign) -> None:
    if design.domain is not None:
        raise WorkbenchError("calibrate the full sample, then take subsets",
                             expected="a design without subset()")


def _calibrated(design: SurveyDesign, new_weights: np.ndarray, calibration: Calibration,
                rep_weights: np.ndarray | None, diagnostics: pd.DataFrame,
                convergence: pd.DataFrame | None = None) -> SurveyDesign:
    changes: dict[str, Any] = {"weighting_diagnostics": diagnostics,
                               "convergence": convergence}
    if design.replicates is not None:
        from dataclasses import replace

        changes["replicates"] = replace(design.replicates, weights=rep_weights)
    else:
        previous = design.calibration
        if calibration.raking is not None and previous is not None or \
                previous is not None and previous.raking is not None:
            raise WorkbenchError("rake(variance='R') must be the only calibration step",
                                 expected="one rake(variance='R') on an uncalibrated design")
        base = design.weights if previous is None else previous.fit_weights
        if calibration.inverse_variance is not None:
            base = base * calibration.inverse_variance
        calibration.fit_weights = base
        changes["calibration"] = (calibration if previous is None
                                  else previous.merged(calibration))
    return design.with_weights(new_weights, **changes)


def _apply_to_replicates(design: SurveyDesign, adjust: Any) -> np.ndarray | None:
    if design.replicates is None:
        return None
    reps = design.replicates.weights
    return np.column_stack([adjust(reps[:, r]) for r in range(reps.shape[1])])


def poststratify(design: SurveyDesign, by: Columns, population: Mapping | pd.Series
                 ) -> SurveyDesign:
    """Scale weights so the weighted count of each cell of ``by`` equals its population.

    ``population`` maps a level (a tuple of levels for several ``by`` columns) to N.
    """
    _require_full_sample(design)
    columns = _as_list(by)
    if not columns:
        raise WorkbenchError("poststratify needs at least one variable", expected="by=...")
    if len(columns) == 1:
        codes, target, levels = _margin_codes(design, columns[0], dict(population))
        name = columns[0]
    else:
        keys = design.data[columns].apply(tuple, axis=1)
        for column in columns:
            _margin_codes_check_missing(design, column)
        codes, levels = pd.factorize(keys, sort=True)
        levels = list(levels)
        target_map = {tuple(k): v for k, v in dict(population).items()}
        missing = [lvl for lvl in levels if lvl not in target_map]
        if missing:
            raise WorkbenchError("sample cell without population count", value=missing[:10],
                                 expected="a count for every cell of " + " x ".join(columns))
        target = np.array([float(target_map[lvl]) for lvl in levels])
        codes = codes.astype(np.int64)
        name = " x ".join(columns)

    def adjust(weights: np.ndarray) -> np.ndarray:
        current = np.bincount(codes, weights=weights, minlength=len(levels))
        factor = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
        return weights * factor[codes]

    new_weights = adjust(design.weights)
    diagnostics = _diagnostics([(name, levels, codes, target)], design.weights, new_weights)
    calibration = Calibration([codes], [len(levels)])
    return _calibrated(design, new_weights, calibration, _apply_to_replicates(design, adjust),
                       diagnostics)


def _margin_codes_check_missing(design: SurveyDesign, column: str) -> None:
    if not design.valid_mask(column).all():
        raise WorkbenchError("missing value in a weighting variable", column=column,
                             expected="a category on every row")


def _ipf(cell_weights: np.ndarray, cell_margins: list[np.ndarray],
         targets: list[np.ndarray], max_iter: int, tolerance: float,
         bounds: tuple[float, float] | None
         ) -> tuple[np.ndarray, list[float], bool, list[np.ndarray]]:
    """Iterative proportional fitting of adjustment factors on the joint-cell table; also
    the factors right after each margin was fitted in the last sweep."""
    factor = np.ones_like(cell_weights)
    history: list[float] = []
    converged = False
    steps: list[np.ndarray] = []
    for _ in range(max_iter):
        steps = []
        for codes, target in zip(cell_margins, targets):
            current = np.bincount(codes, weights=cell_weights * factor, minlength=len(target))
            ratio = np.divide(target, current, out=np.ones_like(target), where=current > 0)
            factor = factor * ratio[codes]
            if bounds is not None:
                factor = np.clip(factor, bounds[0], bounds[1])
            steps.append(factor)
        error = max(
            np.abs(np.bincount(codes, weights=cell_weights * factor, minlength=len(target))
                   / target - 1).max()
            for codes, target in zip(cell_margins, targets))
        history.append(float(error))
        if error < tolerance:
            converged = True
            break
    return factor, history, converged, steps


def rake(design: SurveyDesign, margins: Mapping[str, Mapping], *, max_iter: int = 100,
         tolerance: float = 1e-9, bounds: tuple[float, float] | None = None,
         require_convergence: bool = True, variance: str = "regression") -> SurveyDesign:
    """Rake to population margins ``{variable: {level: N}}`` by iterative proportional fitting.

    ``variance``: "regression" (default) takes the linearisation residuals from one
    regression on the dummies of all margins, weighted by the weights before raking (the
    GREG limit; a one-margin rake then equals post-stratification); "R" reproduces R's
    ``rake()`` + ``svyrecvar``: ten sweeps of unweighted cell means of x / w over the
    margins. The two agree when weights are constant within margin cells (see
    docs/survey-engine.md). Replicate designs re-rake every replicate either way.

    ``bounds=(low, high)`` limits the adjustment factor w_new / w_old (weight trimming);
    with bounds the margins may be met only approximately, which the diagnostics show.
    Raises when the margins are not met within ``max_iter`` sweeps unless
    ``require_convergence=False``.
    """
    _require_full_sample(design)
    if not margins:
        raise WorkbenchError("rake needs at least one margin", expected="{variable: {level: N}}")
    if variance not in ("regression", "R"):
        raise WorkbenchError("unknown raking variance convention", value=variance,
                             expected="'regression' or 'R'")
    coded = [(variable, *_margin_codes(design, variable, targets))
             for variable, targets in margins.items()]
    totals = [target.sum() for _, _, target, _ in coded]
    if max(totals) - min(totals) > 1e-6 * max(totals):
        raise WorkbenchError("margins do not add up to the same population total",
                             value=[float(t) for t in totals], expected="equal totals")
    joint = np.zeros(design.n_rows, dtype=np.int64)
    for _, codes, target, _ in coded:
        joint = joint * len(target) + codes
    # Joint cells of all margins (few): raking works on their weighted totals.
    cell, joint_values = compact_integers(joint) or sorted_codes(pd.Series(joint))
    cell_margins = []
    remainder = np.asarray(joint_values)
    for _, _, target, _ in reversed(coded):
        cell_margins.append(remainder % len(target))
        remainder = remainder // len(target)
    cell_margins.reverse()
    targets = [target for _, _, target, _ in coded]

    def adjust(weights: np.ndarray) -> tuple[np.ndarray, list[float], bool]:
        cell_weights = np.bincount(cell, weights=weights, minlength=len(joint_values))
        factor, history, ok, _ = _ipf(cell_weights, cell_margins, targets, max_iter,
                                      tolerance, bounds)
        return weights * factor[cell], history, ok

    cell_weights = np.bincount(cell, weights=design.weights, minlength=len(joint_values))
    factor, history, converged, steps = _ipf(cell_weights, cell_margins, targets, max_iter,
                                             tolerance, bounds)
    new_weights = design.weights * factor[cell]
    if not converged and require_convergence:
        raise WorkbenchError(
            f"raking did not converge in {max_iter} sweeps (largest relative margin error "
            f"{history[-1]:.3g})",
            expected="consistent margins, wider bounds, more iterations, or "
            "require_convergence=False")
    convergence = pd.DataFrame({"iteration": np.arange(1, len(history) + 1),
                                "max_relative_error": history})
    convergence["converged"] = converged
    margin_sums = [(np.bincount(codes, weights=cell_weights, minlength=len(target)),
                    np.bincount(codes, weights=cell_weights * factor, minlength=len(target)))
                   for codes, target in zip(cell_margins, targets)]
    diagnostics = _diagnostics([(v, levels, codes, target) for v, codes, target, levels
                                in coded], design.weights, new_weights, margin_sums)
    calibration = Calibration([codes for _, codes, _, _ in coded],
                              [len(target) for _, _, target, _ in coded])
    if variance == "R":
        calibration.raking = [(codes, len(target), design.weights * step[cell])
                              for (_, codes, target, _), step in zip(coded, steps)]
    rep = _apply_to_replicates(design, lambda w: adjust(w)[0])
    return _calibrated(design, new_weights, calibration, rep, diagnostics, convergence)


def _calibration_matrix(design: SurveyDesign, totals: Mapping[str, Any]
                        ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, Any]]]:
    columns, targets, names = [], [], []
    for variable, total in totals.items():
        if variable == "(Intercept)":
            columns.append(np.ones(design.n_rows))
            targets.append(float(total))
            names.append(("(Intercept)", None))
        elif isinstance(total, Mapping):
            codes, target, levels = _margin_codes(design, variable, total)
            for j, level in enumerate(levels):
                columns.append((codes == j).astype(float))
                targets.append(target[j])
                names.append((variable, level))
        else:
            valid = design.valid_mask(variable)
            if not valid.all():
                raise WorkbenchError("missing value in a calibration variable",
                                     column=variable, expected="a value on every row")
            columns.append(design.numeric(variable, valid))
            targets.append(float(total))
            names.append((variable, None))
    return np.column_stack(columns), np.asarray(targets), names


class NegativeWeightsWarning(UserWarning):
    """Linear calibration produced negative weights (valid for estimates, odd to publish)."""


def _warn_negative(weights: np.ndarray, bounds: tuple[float, float] | None) -> None:
    negative = weights < 0
    if negative.any():
        warnings.warn(
            f"linear calibration gave {int(negative.sum())} negative weight(s) (smallest "
            f"{weights.min():.4g}); estimates stay the calibration estimator, but to keep "
            "weights positive pass bounds=(low, high) with low >= 0"
            + (f" (now {bounds})" if bounds is not None else ""),
            NegativeWeightsWarning, stacklevel=4)


def calibrate(design: SurveyDesign, totals: Mapping[str, Any], *,
              bounds: tuple[float, float] | None = None, max_iter: int = 50,
              variance: str | None = None) -> SurveyDesign:
    """Linear (GREG, chi-square distance) calibration to population totals.

    ``totals`` maps a numeric variable to its population total, a categorical variable to
    ``{level: N}`` (all levels) and optionally ``"(Intercept)"`` to N. With ``bounds``
    the g-weights are kept in [low, high] by fixing units at the bound and recalibrating
    the rest (iterative truncation). ``variance`` names a positive column v_i of the
    working model's variance (g_i = 1 + z_i'lambda / v_i); e.g. calibrating to the total of
    x with ``variance=x`` and no intercept gives the ratio estimator.

    Linear calibration can give negative weights. Every row with a nonzero weight stays in
    the estimates (as in R), so a calibration variable's total is reproduced exactly, with
    SE 0; a ``NegativeWeightsWarning`` points to ``bounds``.
    """
    _require_full_sample(design)
    matrix, target, names = _calibration_matrix(design, totals)
    inverse_variance = np.ones(design.n_rows)
    if variance is not None:
        v = design.numeric(variance, design.valid_mask(variance))
        if (v <= 0).any():
            raise WorkbenchError("calibration variance must be positive", column=variance,
                                 expected="v > 0 on every row")
        inverse_variance = 1.0 / v
    if design.calibration is not None and variance is not None:
        raise WorkbenchError("a heteroscedastic calibration must be the first calibration",
                             expected="calibrate(variance=...) on an uncalibrated design")

    def adjust(weights: np.ndarray) -> np.ndarray:
        g = np.ones(len(weights))
        fixed = np.zeros(len(weights), dtype=bool)
        for _ in range(max_iter):
            free = ~fixed
            remaining = target - matrix[fixed].T @ (weights[fixed] * g[fixed])
            zf, wf, qf = matrix[free], weights[free], inverse_variance[free]
            gram = (zf * (wf * qf)[:, None]).T @ zf
            lam = np.linalg.pinv(gram) @ (remaining - zf.T @ wf)
            g[free] = 1.0 + qf * (zf @ lam)
            if bounds is None:
                break
            outside = free & ((g < bounds[0]) | (g > bounds[1]))
            if not outside.any():
                break
            g = np.clip(g, bounds[0], bounds[1])
            fixed |= outside
        return weights * g

    new_weights = adjust(design.weights)
    _warn_negative(new_weights, bounds)
    achieved = matrix.T @ new_weights
    before = matrix.T @ design.weights
    rows = [{"section": "margin", "variable": v, "category": lvl, "target": t, "before": b,
             "after": a} for (v, lvl), t, b, a in zip(names, target, before, achieved)]
    diagnostics = pd.DataFrame(rows + _weight_rows(design.weights, new_weights))
    diagnostics["relative_error"] = (diagnostics["after"] - diagnostics["target"]) / \
        diagnostics["target"]
    calibration = Calibration(numeric=matrix,
                              inverse_variance=None if variance is None else inverse_variance)
    return _calibrated(design, new_weights, calibration, _apply_to_replicates(design, adjust),
                       diagnostics)
