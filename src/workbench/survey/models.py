"""Survey-weighted GLMs and proportional-odds models with design-based standard errors.

Point estimates maximise the weighted (pseudo-)likelihood; the variance is the sandwich
A^-1 V A^-1 with V the design covariance of the total of the estimating functions, computed
by the same influence-function engine as every other estimate (Binder 1983; Lumley 2010,
ch. 5; R's ``svyglm``/``svyolr``). Influence values are U_i A^-1, U_i the weighted score.

Why our own fitting code: Newton-Raphson (IRLS for these canonical links) on a p x n model
matrix, started from the intercept-only fit, converges in a handful of passes and is several
times faster than the generic statsmodels path on a million rows; it gives the working
weights the sandwich needs, and the score matrix is summed by sampling unit before it is
multiplied by A^-1. Coefficients are checked against statsmodels in the tests. The
proportional-odds model (logit P(Y <= j) = zeta_j - x'b, as R's ``svyolr`` and
statsmodels' ``OrderedModel``) is fitted by Newton-Raphson on the weighted log-likelihood.

Formulas: ``"y ~ a + b + C(c)"``; ``C(name)`` or a non-numeric column makes treatment
dummies named ``name[T.level]`` (first sorted level is the reference, as patsy);
``a:b`` multiplies two numeric columns; ``- 1`` or ``+ 0`` drops the intercept.
Residual df = design df - number of coefficients + 1 (R's ``svyglm``); t tests and CIs
use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import special, stats

from workbench.errors import WorkbenchError
from workbench.survey.design import SurveyDesign
from workbench.survey.estimators import _in_scope, cell_codes, linearized_covariance
from workbench.survey.replicate import replicate_covariance
from workbench.survey.variance import DenseInfluence

FAMILIES = ("gaussian", "binomial", "poisson")


@dataclass
class ModelFrame:
    response: str
    y: np.ndarray
    x: np.ndarray
    terms: list[str]
    valid: np.ndarray
    n_missing: int
    response_levels: list = field(default_factory=list)


def _replicate_refits(design: Any, valid: np.ndarray, n_params: int,
                      refit: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Parameters refitted with each replicate's weights (n_params x replicates); rows
    outside the domain or with missing values get weight 0, as in the full-sample fit."""
    weights = design.replicates.weights
    reps = np.empty((n_params, weights.shape[1]))
    for r in range(weights.shape[1]):
        w_r = np.where(valid, weights[:, r], 0.0)
        if design.domain is not None:
            w_r = w_r * design.domain
        reps[:, r] = refit(w_r)
    return reps


def _split_terms(rhs: str) -> tuple[list[str], bool]:
    intercept = True
    terms = []
    rhs = rhs.replace(" ", "")
    for part in re.split(r"\+(?![^()]*\))", rhs):
        if part in ("", "1"):
            continue
        if part in ("0", "-1"):
            intercept = False
            continue
        if part.endswith("-1"):
            intercept = False
            part = part[:-2]
        terms.append(part)
    return terms, intercept


def model_frame(design: SurveyDesign, formula: str, *, categorical_response: bool = False,
                intercept_allowed: bool = True) -> ModelFrame:
    """Response vector, model matrix and term names for the rows usable by the model."""
    if "~" not in formula:
        raise WorkbenchError("formula needs a '~'", value=formula, expected="'y ~ x1 + x2'")
    lhs, rhs = (s.strip() for s in formula.split("~", 1))
    terms, intercept = _split_terms(rhs)
    intercept = intercept and intercept_allowed
    variables = {lhs}
    parsed = []
    for term in terms:
        match = re.fullmatch(r"C\((\w[\w.]*)\)", term)
        if match:
            parsed.append(("cat", [match.group(1)]))
        elif ":" in term:
            parsed.append(("prod", term.split(":")))
        else:
            parsed.append(("auto", [term]))
        variables.update(parsed[-1][1])
    scope = _in_scope(design)
    valid = scope.copy()
    for name in variables:
        valid &= design.valid_mask(name)
    # Each column: an array, 1.0 (intercept) or (codes, j) for a dummy, filled in below.
    columns: list[Any] = []
    names: list[str] = []
    if intercept:
        columns.append(1.0)
        names.append("Intercept")
    for kind, vars_ in parsed:
        if kind == "auto":
            series = design.column(vars_[0])
            numeric = (pd.api.types.is_numeric_dtype(series)
                       and not isinstance(series.dtype, pd.CategoricalDtype))
            kind = "num" if numeric else "cat"
        if kind == "cat":
            name = vars_[0]
            codes, levels = design.factorized(name)
            present = np.bincount(cell_codes(codes, valid, len(levels)),
                                  minlength=len(levels) + 1)[: len(levels)] > 0
            for j in range(1, len(levels)):
                if not present[j]:
                    continue
                columns.append((codes, j))
                names.append(f"{name}[T.{levels[j]}]")
        elif kind == "num":
            columns.append(design.numeric(vars_[0], valid))
            names.append(vars_[0])
        else:
            product = np.ones(design.n_rows)
            for name in vars_:
                product = product * design.numeric(name, valid)
            columns.append(product)
            names.append(":".join(vars_))
    # Column-major n x p (the transpose of a p x n array): the products X'WX, X'r and the
    # per-unit sums of scores then run over contiguous rows.
    matrix = np.empty((len(columns), design.n_rows))
    for row, column in zip(matrix, columns):
        if isinstance(column, tuple):
            np.equal(column[0], column[1], out=row, casting="unsafe")
        else:
            row[:] = column
    if not valid.all():
        matrix *= valid  # every column is 0 where not valid (values there are finite)
    x = matrix.T
    levels: list = []
    if categorical_response:
        series = design.column(lhs)
        if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
            levels = list(series.cat.categories)
            y = series.cat.codes.to_numpy().astype(float)
        else:
            y_codes, uniques = pd.factorize(series.where(valid), sort=True)
            levels = list(uniques)
            y = y_codes.astype(float)
        y = np.where(valid, y, 0.0)
    else:
        y = design.numeric(lhs, valid)
    return ModelFrame(lhs, y, x, names, valid, int((scope & ~valid).sum()), levels)


def _linear_predictor(xt: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """x @ beta for a p x n matrix ``xt`` as p scaled row sums (BLAS gemv is slow for
    1e6 dot products of length p)."""
    eta = np.zeros(xt.shape[1])
    scaled = np.empty(xt.shape[1])
    for j, coefficient in enumerate(beta):
        np.multiply(xt[j], coefficient, out=scaled)
        eta += scaled
    return eta


def _mean_and_variance(eta: np.ndarray, family: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean mu and variance function V(mu) for the canonical link (logit or log)."""
    if family == "binomial":
        mu = np.exp(-eta)  # overflow to inf gives mu = 0 (callers silence the warning)
        mu += 1.0
        np.reciprocal(mu, out=mu)
        variance = 1.0 - mu
        variance *= mu
        return mu, variance
    mu = np.exp(eta)
    return mu, mu


def _null_start(x: np.ndarray, y: np.ndarray, w: np.ndarray, family: str,
                intercept: int | None) -> np.ndarray:
    """Starting values: the intercept-only fit (link of the weighted mean), else the
    usual GLM start, one weighted least-squares fit of the link of a shrunken y."""
    if intercept is not None:
        mean = np.clip(np.dot(w, y) / w.sum(), 1e-10, None)
        if family == "binomial":
            mean = min(mean, 1 - 1e-10)
        beta = np.zeros(x.shape[1])
        beta[intercept] = special.logit(mean) if family == "binomial" else np.log(mean)
        return beta
    mu = (y + 0.5) / 2 if family == "binomial" else y + 0.1
    eta = special.logit(mu) if family == "binomial" else np.log(mu)
    with np.errstate(over="ignore"):
        _, variance = _mean_and_variance(eta, family)
    z = eta + (y - mu) / variance
    xw = x.T * (w * variance)
    return np.linalg.solve(xw @ x, xw @ z)


# Rows per block in the Newton passes: a p x block slice of the model matrix and the
# row vectors stay in the CPU cache while eta, mu, the gradient and X'WX are formed.
_BLOCK_ROWS = 1 << 15


@dataclass
class GlmFit:
    """Coefficients, weighted residuals w (y - mu) and information X'W V(mu) X at them."""

    beta: np.ndarray
    residual: np.ndarray
    information: np.ndarray
    iterations: int
    converged: bool


def _newton_parts(xt: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray,
                  family: str, residual: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient X'w(y - mu) and information X'W V(mu) X at ``beta`` in one blocked pass
    over the p x n matrix ``xt``; fills ``residual`` with w (y - mu) when given."""
    p, n = xt.shape
    gradient = np.zeros(p)
    information = np.zeros((p, p))
    for start in range(0, n, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n))
        block = xt[:, rows]
        mu, variance = _mean_and_variance(_linear_predictor(block, beta), family)
        w_block = w[rows]
        weighted = w_block * (y[rows] - mu)
        if residual is not None:
            residual[rows] = weighted
        gradient += block @ weighted
        variance *= w_block
        information += (block * variance) @ block.T
    return gradient, information


def _irls(x: np.ndarray, y: np.ndarray, w: np.ndarray, family: str,
          start: np.ndarray | None = None, max_iter: int = 50, tol: float = 1e-9,
          intercept: int | None = None) -> GlmFit:
    """Newton-Raphson (= IRLS for canonical links) on the weighted likelihood, until the
    largest relative change of a coefficient is below ``tol``. The residuals and the
    information returned are those of the last iteration, i.e. at coefficients within
    ``tol`` of the final ones (as R's ``glm.fit`` returns its last working weights)."""
    xt = x.T  # p x n
    residual = np.empty(len(y))
    if family == "gaussian":
        information = (xt * w) @ x
        beta = np.linalg.solve(information, (xt * w) @ y)
        np.multiply(w, y - _linear_predictor(xt, beta), out=residual)
        return GlmFit(beta, residual, information, 1, True)
    beta = _null_start(x, y, w, family, intercept) if start is None else start.copy()
    converged = False
    with np.errstate(over="ignore"):
        for iteration in range(1, max_iter + 1):
            gradient, information = _newton_parts(xt, y, w, beta, family, residual)
            step = np.linalg.solve(information, gradient)
            beta = beta + step
            if np.max(np.abs(step) / (np.abs(beta) + 0.1)) < tol:
                converged = True
                break
    return GlmFit(beta, residual, information, iteration, converged)


@dataclass
class SurveyModelResult:
    """Coefficients with design-based covariance; ``summary()`` is a tidy table."""

    params: pd.Series
    cov_params: pd.DataFrame
    df_resid: float
    n: int
    n_missing: int
    family: str
    converged: bool
    iterations: int
    level: float = 0.95

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov_params)), index=self.params.index,
                         name="se")

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * stats.t.sf(np.abs(self.tvalues), self.df_resid),
                         index=self.params.index)

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        crit = stats.t.ppf((1 + (level or self.level)) / 2, self.df_resid)
        return pd.DataFrame({"ci_low": self.params - crit * self.bse,
                             "ci_high": self.params + crit * self.bse})

    def summary(self) -> pd.DataFrame:
        ci = self.conf_int()
        return pd.DataFrame({"term": self.params.index, "estimate": self.params.to_numpy(),
                             "se": self.bse.to_numpy(), "t": self.tvalues.to_numpy(),
                             "df": self.df_resid, "p_value": self.pvalues.to_numpy(),
                             "ci_low": ci["ci_low"].to_numpy(),
                             "ci_high": ci["ci_high"].to_numpy(), "n": self.n,
                             "n_missing": self.n_missing})


def _check_family(family: str, y: np.ndarray, valid: np.ndarray, response: str) -> None:
    if family not in FAMILIES:
        raise WorkbenchError("unknown GLM family", value=family, expected=" / ".join(FAMILIES))
    observed = y  # 0 where not valid, which passes both checks
    if family == "binomial" and ((observed < 0) | (observed > 1)).any():
        raise WorkbenchError("binomial response must be 0/1 (or a share in [0, 1])",
                             column=response, expected="values in [0, 1]")
    if family == "poisson" and (observed < 0).any():
        raise WorkbenchError("poisson response must be non-negative", column=response,
                             expected="counts >= 0")


def survey_glm(design: SurveyDesign, formula: str, family: str = "gaussian",
               level: float = 0.95) -> SurveyModelResult:
    """Fit a GLM with survey weights; sandwich (linearisation or replicate) covariance."""
    frame = model_frame(design, formula)
    _check_family(family, frame.y, frame.valid, frame.response)
    weights = design.analysis_weights()
    if not frame.valid.all():
        weights = weights * frame.valid
    gram = frame.x.T @ frame.x
    if frame.x.shape[1] == 0 or np.linalg.matrix_rank(gram, hermitian=True) < gram.shape[0]:
        raise WorkbenchError("model matrix is rank deficient (collinear or empty terms)",
                             value=frame.terms, expected="linearly independent terms")
    intercept = frame.terms.index("Intercept") if "Intercept" in frame.terms else None
    try:
        fit = _irls(frame.x, frame.y, weights, family, intercept=intercept)
    except np.linalg.LinAlgError:
        raise WorkbenchError(
            "the model cannot be fitted: its information matrix became singular (for a "
            "binomial or poisson model usually perfect separation: a term predicts the "
            "response exactly)", column=frame.response, value=formula,
            expected="fewer terms, or categories merged so that each holds both outcomes",
        ) from None
    beta = fit.beta
    if design.replicates is not None:
        reps = _replicate_refits(design, frame.valid, len(beta),
                                 lambda w_r: _irls(frame.x, frame.y, w_r, family, start=beta).beta)
        covariance = replicate_covariance(reps, beta, design.replicates)
    else:
        scores = frame.x.T * fit.residual  # p x n: U_i = x_i w_i (y_i - mu_i)
        # Influence U A^-1: the unit totals of U are multiplied by A^-1, not the n rows.
        covariance = linearized_covariance(
            design, DenseInfluence(scores.T, transform=np.linalg.inv(fit.information)))
    index = pd.Index(frame.terms, name="term")
    n = int(frame.valid.sum())
    df_resid = design.degf(frame.valid) - len(beta) + 1
    return SurveyModelResult(pd.Series(beta, index=index, name="estimate"),
                             pd.DataFrame(covariance, index=index, columns=index),
                             df_resid, n, frame.n_missing, family, fit.converged,
                             fit.iterations, level)


def _ordinal_parts(theta: np.ndarray, x: np.ndarray, y: np.ndarray, n_cut: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood and score (n x (cuts + p)) of the cumulative logit model."""
    cuts, beta = theta[:n_cut], theta[n_cut:]
    eta = _linear_predictor(x.T, beta)
    k = y.astype(int)
    upper = np.where(k < n_cut, cuts[np.minimum(k, n_cut - 1)], np.inf)
    lower = np.where(k > 0, cuts[np.maximum(k - 1, 0)], -np.inf)
    f_up, f_low = special.expit(upper - eta), special.expit(lower - eta)
    d_up, d_low = f_up * (1 - f_up), f_low * (1 - f_low)
    prob = np.clip(f_up - f_low, 1e-300, None)
    score = np.zeros((len(y), n_cut + beta.size))
    rows = np.arange(len(y))
    has_up, has_low = k < n_cut, k > 0
    score[rows[has_up], k[has_up]] += d_up[has_up] / prob[has_up]
    score[rows[has_low], k[has_low] - 1] -= d_low[has_low] / prob[has_low]
    score[:, n_cut:] = -x * ((d_up - d_low) / prob)[:, None]
    return np.log(prob), score


def _fit_ordinal(x: np.ndarray, y: np.ndarray, w: np.ndarray, n_cut: int,
                 start: np.ndarray | None = None, max_iter: int = 100
                 ) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """Newton-Raphson with step halving; Hessian from central differences of the score."""
    if start is None:
        shares = np.cumsum(np.bincount(y.astype(int), weights=w, minlength=n_cut + 1))
        shares = shares[:n_cut] / shares[-1]
        theta = np.concatenate([special.logit(np.clip(shares, 1e-6, 1 - 1e-6)),
                                np.zeros(x.shape[1])])
    else:
        theta = start.copy()

    def total(theta_: np.ndarray) -> tuple[float, np.ndarray]:
        loglik, score = _ordinal_parts(theta_, x, y, n_cut)
        return float(w @ loglik), w @ score

    def hessian(theta_: np.ndarray) -> np.ndarray:
        h = np.empty((len(theta_), len(theta_)))
        for j in range(len(theta_)):
            step = 1e-5 * max(1.0, abs(theta_[j]))
            up, down = theta_.copy(), theta_.copy()
            up[j] += step
            down[j] -= step
            h[:, j] = (total(up)[1] - total(down)[1]) / (2 * step)
        return (h + h.T) / 2

    loglik, gradient = total(theta)
    converged = False
    for iteration in range(1, max_iter + 1):
        h = hessian(theta)
        step = np.linalg.solve(h, gradient)
        factor = 1.0
        while True:
            candidate = theta - factor * step
            cuts = candidate[:n_cut]
            if np.all(np.diff(cuts) > 0):
                new_loglik, new_gradient = total(candidate)
                if new_loglik >= loglik - 1e-12:
                    break
            factor /= 2
            if factor < 1e-10:
                break
        theta, loglik, gradient = candidate, new_loglik, new_gradient
        if np.max(np.abs(factor * step)) < 1e-9:
            converged = True
            break
    return theta, hessian(theta), converged, iteration


def survey_ordinal_logit(design: SurveyDesign, formula: str,
                         level: float = 0.95) -> SurveyModelResult:
    """Proportional-odds model logit P(Y <= j) = zeta_j - x'b with design-based SEs.

    The response's order is its ordered categorical order, else its sorted values.
    Thresholds are named ``"a|b"`` as in R's ``svyolr``.
    """
    frame = model_frame(design, formula, categorical_response=True, intercept_allowed=False)
    n_cut = len(frame.response_levels) - 1
    if n_cut < 1:
        raise WorkbenchError("ordinal response needs at least two categories",
                             column=frame.response, expected=">= 2 levels")
    weights = np.where(frame.valid, design.analysis_weights(), 0.0)
    theta, h, converged, iterations = _fit_ordinal(frame.x, frame.y, weights, n_cut)
    if design.replicates is not None:
        reps = _replicate_refits(design, frame.valid, len(theta),
                                 lambda w_r: _fit_ordinal(frame.x, frame.y, w_r, n_cut, start=theta)[0])
        covariance = replicate_covariance(reps, theta, design.replicates)
    else:
        _, score = _ordinal_parts(theta, frame.x, frame.y, n_cut)
        influence = (score * weights[:, None]) @ np.linalg.inv(-h)
        covariance = linearized_covariance(design, DenseInfluence(influence))
    levels = [str(v) for v in frame.response_levels]
    names = [f"{levels[j]}|{levels[j + 1]}" for j in range(n_cut)] + frame.terms
    order = list(range(n_cut, len(names))) + list(range(n_cut))
    index = pd.Index([names[i] for i in order], name="term")
    covariance = covariance[np.ix_(order, order)]
    n = int(frame.valid.sum())
    return SurveyModelResult(pd.Series(theta[order], index=index, name="estimate"),
                             pd.DataFrame(covariance, index=index, columns=index),
                             design.degf(frame.valid) - len(theta) + 1, n, frame.n_missing,
                             "ordinal_logit", converged, iterations, level)
