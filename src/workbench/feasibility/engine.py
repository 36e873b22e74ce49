"""A small, general decision-model engine.

A model is a plain Python function ``model(values) -> outcomes``: ``values`` maps parameter
names to numbers or to numpy arrays of draws, and the function returns a mapping of outcome
names to numbers or arrays of the same length, written with numpy operations so that one call
evaluates all draws at once (vectorised). Data such as population counts are bound in a
closure by the model's builder. The engine then gives the base case, Monte Carlo draws
(seeded), summaries, one-way (tornado) and two-way sensitivity, scenario tables, break-even
values, probabilities that one outcome is below another, acceptability curves and Sobol
indices (SALib).

Outcome names may use ``option.metric`` (e.g. ``gps_bracelet.annual_cost``) so that tables
can be split by option with :func:`split_outcomes`.

Written here rather than taken from a library because the job is small (a few vectorised
evaluations of a user function) and the available packages either do not vectorise over
draws or bring a modelling language of their own; SALib is used for the Sobol design and
indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from workbench.errors import WorkbenchError
from workbench.feasibility.parameters import ParameterSet

Values = Mapping[str, "np.ndarray | float"]
Model = Callable[[Values], Mapping[str, "np.ndarray | float"]]

DEFAULT_DRAWS = 10_000


@dataclass(frozen=True)
class MonteCarloResult:
    """Draws of the inputs and outcomes (one row per draw) and the base case."""

    inputs: pd.DataFrame
    outcomes: pd.DataFrame
    base: pd.Series
    seed: int | None
    n_draws: int


def evaluate(model: Model, values: Values, n: int | None = None) -> dict[str, np.ndarray]:
    """Call ``model`` and return every outcome as a float array of length ``n``.

    ``n`` defaults to the length of the longest input array (1 for scalars). Outcomes that
    come back as scalars are broadcast; anything else of the wrong shape is an error.
    """
    if n is None:
        n = max((np.size(v) for v in values.values()), default=1)
    raw = model(values)
    if not isinstance(raw, Mapping) or not raw:
        raise WorkbenchError("a model must return a non-empty mapping of outcome name -> value",
                             value=type(raw).__name__)
    result: dict[str, np.ndarray] = {}
    for name, outcome in raw.items():
        array = np.asarray(outcome, dtype=float)
        if array.ndim == 0:
            array = np.full(n, float(array))
        if array.shape != (n,):
            raise WorkbenchError(f"outcome {name!r} has shape {array.shape}; expected ({n},)",
                                 record_id=name, expected="one value per draw")
        result[str(name)] = array
    return result


def _broadcast(values: Mapping[str, float], n: int, changes: Mapping[str, np.ndarray] | None = None
               ) -> dict[str, np.ndarray]:
    arrays = {name: np.full(n, float(value)) for name, value in values.items()}
    for name, column in (changes or {}).items():
        arrays[name] = np.asarray(column, dtype=float)
    return arrays


def base_case(model: Model, params: ParameterSet) -> pd.DataFrame:
    """Outcomes at the base-case values: columns ``outcome``, ``value``."""
    outcomes = evaluate(model, _broadcast(params.values(), 1), 1)
    return pd.DataFrame({"outcome": list(outcomes), "value": [float(v[0]) for v in outcomes.values()]})


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def monte_carlo(model: Model, params: ParameterSet, n_draws: int = DEFAULT_DRAWS,
                seed: int | np.random.Generator | None = 0) -> MonteCarloResult:
    """Evaluate ``model`` on ``n_draws`` independent draws of all parameters.

    ``seed`` is an int (reproducible: same seed, same draws) or a ``numpy`` Generator.
    """
    if n_draws < 2:
        raise WorkbenchError("Monte Carlo needs at least 2 draws", value=n_draws, expected=">= 2")
    draws = params.sample(n_draws, _rng(seed))
    outcomes = evaluate(model, draws, n_draws)
    base = base_case(model, params).set_index("outcome")["value"]
    return MonteCarloResult(inputs=pd.DataFrame(draws), outcomes=pd.DataFrame(outcomes), base=base,
                            seed=seed if isinstance(seed, int) else None, n_draws=n_draws)


def summarise(result: MonteCarloResult, level: float = 0.90) -> pd.DataFrame:
    """One row per outcome: base, mean, sd, median, and low/high of the central interval
    that holds ``level`` of the simulated values (``level`` is also a column)."""
    tail = (1 - level) / 2
    frame = result.outcomes
    return pd.DataFrame({
        "outcome": frame.columns,
        "base": result.base.reindex(frame.columns).to_numpy(),
        "mean": frame.mean().to_numpy(),
        "sd": frame.std(ddof=1).to_numpy(),
        "low": frame.quantile(tail).to_numpy(),
        "median": frame.median().to_numpy(),
        "high": frame.quantile(1 - tail).to_numpy(),
        "level": level,
    })


def split_outcomes(table: pd.DataFrame, column: str = "outcome") -> pd.DataFrame:
    """Add ``option`` and ``metric`` columns by splitting ``option.metric`` outcome names."""
    out = table.copy()
    parts = out[column].str.split(".", n=1, expand=True)
    if parts.shape[1] == 1:
        parts[1] = None
    has_option = parts[1].notna()
    out["option"] = parts[0].where(has_option, None)
    out["metric"] = parts[1].where(has_option, parts[0])
    return out


def _check_names(params: ParameterSet, names: Iterable[str]) -> None:
    for name in names:
        params[name]  # raises a WorkbenchError naming the parameter


def _check_outcome(outcomes: Mapping[str, np.ndarray], outcome: str) -> None:
    if outcome not in outcomes:
        raise WorkbenchError(f"model has no outcome {outcome!r}", record_id=outcome,
                             expected="one of " + ", ".join(outcomes))


def one_way_sensitivity(model: Model, params: ParameterSet, outcomes: str | Sequence[str],
                        names: Sequence[str] | None = None,
                        quantiles: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Tornado table: each parameter set to a low and a high quantile, the others at base.

    One row per outcome and parameter with ``low_input``/``high_input`` (the parameter's
    ``quantiles``), the outcome at each, the base outcome and ``swing`` = |high - low|,
    sorted by swing (largest first) within each outcome. Fixed parameters are left out
    unless named.
    """
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    names = list(names) if names is not None else params.uncertain_names
    _check_names(params, names)
    base_values = params.values()
    k = len(names)
    changes = {name: np.full(2 * k + 1, base_values[name]) for name in names}
    lows, highs = [], []
    for j, name in enumerate(names):
        low, high = params[name].distribution.ppf(list(quantiles))
        lows.append(float(low))
        highs.append(float(high))
        changes[name][1 + 2 * j] = low
        changes[name][2 + 2 * j] = high
    results = evaluate(model, _broadcast(base_values, 2 * k + 1, changes), 2 * k + 1)
    rows = []
    for outcome in outcomes:
        _check_outcome(results, outcome)
        values = results[outcome]
        for j, name in enumerate(names):
            at_low, at_high = float(values[1 + 2 * j]), float(values[2 + 2 * j])
            rows.append({"outcome": outcome, "parameter": name, "label": params[name].label_in("en"),
                         "base_input": base_values[name], "low_input": lows[j], "high_input": highs[j],
                         "base": float(values[0]), "outcome_at_low": at_low, "outcome_at_high": at_high,
                         "swing": abs(at_high - at_low)})
    table = pd.DataFrame(rows, columns=["outcome", "parameter", "label", "base_input", "low_input", "high_input",
                                        "base", "outcome_at_low", "outcome_at_high", "swing"])
    order = {name: i for i, name in enumerate(outcomes)}
    table["_order"] = table["outcome"].map(order)
    return (table.sort_values(["_order", "swing"], ascending=[True, False], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def _grid(params: ParameterSet, name: str, values: Sequence[float] | None, points: int,
          quantiles: tuple[float, float]) -> np.ndarray:
    if values is not None:
        return np.asarray(values, dtype=float)
    dist = params[name].distribution
    if not dist.is_uncertain:
        base = params[name].value
        return np.linspace(0.5 * base, 1.5 * base, points)
    low, high = dist.ppf(list(quantiles))
    return np.linspace(low, high, points)


def two_way_grid(model: Model, params: ParameterSet, x: str, y: str, outcome: str,
                 x_values: Sequence[float] | None = None, y_values: Sequence[float] | None = None,
                 points: int = 11, quantiles: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Outcome over a grid of two parameters, the others at base (long format).

    Grids default to ``points`` evenly spaced values between the parameters' ``quantiles``
    (fixed parameters: 50% to 150% of the base value). Columns ``x``, ``y`` (parameter
    names), ``x_value``, ``y_value``, ``outcome``, ``value``.
    """
    _check_names(params, [x, y])
    xs = _grid(params, x, x_values, points, quantiles)
    ys = _grid(params, y, y_values, points, quantiles)
    grid_x, grid_y = np.meshgrid(xs, ys, indexing="ij")
    n = grid_x.size
    results = evaluate(model, _broadcast(params.values(), n, {x: grid_x.ravel(), y: grid_y.ravel()}), n)
    _check_outcome(results, outcome)
    return pd.DataFrame({"x": x, "y": y, "x_value": grid_x.ravel(), "y_value": grid_y.ravel(),
                         "outcome": outcome, "value": results[outcome]})


def scenario_table(model: Model, params: ParameterSet, scenarios: Mapping[str, Mapping[str, float]],
                   outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Outcomes under named sets of parameter values (base case first, named ``base``).

    Columns ``scenario``, ``outcome``, ``value``, ``base`` and ``difference`` (value - base).
    """
    base_values = params.values()
    labels = ["base", *scenarios]
    for changes in scenarios.values():
        _check_names(params, changes)
    n = len(labels)
    changes = {name: np.full(n, base_values[name]) for name in params.names}
    for i, scenario in enumerate(scenarios.values(), start=1):
        for name, value in scenario.items():
            changes[name][i] = float(value)
    results = evaluate(model, changes, n)
    wanted = list(outcomes) if outcomes is not None else list(results)
    rows = []
    for outcome in wanted:
        _check_outcome(results, outcome)
        for i, label in enumerate(labels):
            value = float(results[outcome][i])
            rows.append({"scenario": label, "outcome": outcome, "value": value,
                         "base": float(results[outcome][0]), "difference": value - float(results[outcome][0])})
    return pd.DataFrame(rows)


def break_even(model: Model, params: ParameterSet, parameter: str, outcome: str, target: float = 0.0,
               bounds: tuple[float, float] | None = None, points: int = 401) -> float:
    """The value of ``parameter`` at which ``outcome`` equals ``target`` (others at base).

    Searches ``bounds`` (default: the 0.1st to 99.9th percentile of the parameter's
    distribution, or 0 to 10 times the base for fixed parameters) on a grid of ``points``,
    then refines the crossing nearest the base value with Brent's method. Returns ``nan``
    when the outcome does not cross ``target`` within the bounds.
    """
    _check_names(params, [parameter])
    par = params[parameter]
    if bounds is None:
        if par.distribution.is_uncertain:
            bounds = tuple(float(b) for b in par.distribution.ppf([0.001, 0.999]))
        else:
            bounds = (0.0, 10.0 * par.value if par.value else 1.0)
    grid = np.linspace(bounds[0], bounds[1], points)
    base_values = params.values()
    results = evaluate(model, _broadcast(base_values, points, {parameter: grid}), points)
    _check_outcome(results, outcome)
    gap = results[outcome] - target
    exact = np.flatnonzero(gap == 0)
    crossings = np.flatnonzero(np.sign(gap[:-1]) * np.sign(gap[1:]) < 0)
    candidates = [float(grid[i]) for i in exact]

    def f(value: float) -> float:
        one = _broadcast(base_values, 1, {parameter: np.array([value])})
        return float(evaluate(model, one, 1)[outcome][0] - target)

    for i in crossings:
        candidates.append(float(optimize.brentq(f, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-10)))
    if not candidates:
        return float("nan")
    return min(candidates, key=lambda value: abs(value - par.value))


def conclusion_thresholds(model: Model, params: ParameterSet, outcome: str, target: float = 0.0,
                          names: Sequence[str] | None = None) -> pd.DataFrame:
    """What would change the conclusion: for each parameter, the value at which ``outcome``
    reaches ``target`` with all others at base, and whether it lies within the parameter's
    plausible range (5th to 95th percentile).
    """
    names = list(names) if names is not None else params.uncertain_names
    base = float(base_case(model, params).set_index("outcome").loc[outcome, "value"])
    rows = []
    for name in names:
        value = break_even(model, params, name, outcome, target)
        p05, p95 = params[name].distribution.ppf([0.05, 0.95])
        rows.append({"parameter": name, "label": params[name].label_in("en"), "base_input": params[name].value,
                     "threshold": value, "p05": float(p05), "p95": float(p95),
                     "within_plausible_range": bool(np.isfinite(value) and p05 <= value <= p95),
                     "outcome": outcome, "target": target, "base_outcome": base})
    return pd.DataFrame(rows)


def probability_less(result: MonteCarloResult, a: str, b: str | float) -> float:
    """Share of draws in which outcome ``a`` is below ``b`` (an outcome name or a number)."""
    _check_outcome(result.outcomes, a)
    right = result.outcomes[b] if isinstance(b, str) else b
    if isinstance(b, str):
        _check_outcome(result.outcomes, b)
    return float(np.mean(result.outcomes[a].to_numpy() < np.asarray(right)))


def pairwise_probabilities(result: MonteCarloResult, outcomes: Sequence[str]) -> pd.DataFrame:
    """For every ordered pair (a, b) of ``outcomes``: probability that a < b."""
    rows = [{"a": a, "b": b, "probability_a_less": probability_less(result, a, b)}
            for a in outcomes for b in outcomes if a != b]
    return pd.DataFrame(rows)


def acceptability_curve(result: MonteCarloResult, costs: Mapping[str, str], effects: Mapping[str, str],
                        willingness_to_pay: Sequence[float]) -> pd.DataFrame:
    """Cost-effectiveness acceptability curve.

    For each willingness to pay ``w`` (money per unit of effect) and option, the share of
    draws in which the option's net benefit ``w * effect - cost`` is the highest, and the
    mean net benefit. ``costs`` and ``effects`` map option -> outcome name (use the same
    comparator for all, e.g. incremental to the status quo, or an effect of 0 for it).
    """
    options = list(costs)
    if set(options) != set(effects):
        raise WorkbenchError("costs and effects must name the same options",
                             value=sorted(set(options) ^ set(effects)))
    cost = np.column_stack([result.outcomes[costs[o]].to_numpy() for o in options])
    effect = np.column_stack([result.outcomes[effects[o]].to_numpy() for o in options])
    rows = []
    for wtp in willingness_to_pay:
        net = wtp * effect - cost
        best = np.argmax(net, axis=1)
        for j, option in enumerate(options):
            rows.append({"willingness_to_pay": float(wtp), "option": option,
                         "probability_best": float(np.mean(best == j)), "mean_net_benefit": float(net[:, j].mean())})
    return pd.DataFrame(rows)


def sobol_indices(model: Model, params: ParameterSet, outcome: str, n_base: int = 1024,
                  seed: int = 0, names: Sequence[str] | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of ``outcome`` (SALib, Saltelli design).

    Uncertain parameters (or ``names``) are sampled by SALib's scrambled Sobol sequence on the
    unit cube and mapped through each distribution's quantile function; others stay at base.
    ``n_base`` should be a power of 2; the model runs ``n_base * (k + 2)`` times.
    Columns ``parameter``, ``s1``, ``s1_conf``, ``st``, ``st_conf`` (95% bootstrap half-widths).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    names = list(names) if names is not None else params.uncertain_names
    _check_names(params, names)
    if len(names) < 2:
        raise WorkbenchError("Sobol indices need at least two uncertain parameters", value=names)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    unit = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    unit = np.clip(unit, 1e-12, 1 - 1e-12)
    n = unit.shape[0]
    changes = {name: params[name].distribution.ppf(unit[:, j]) for j, name in enumerate(names)}
    results = evaluate(model, _broadcast(params.values(), n, changes), n)
    _check_outcome(results, outcome)
    indices = sobol_analyze.analyze(problem, results[outcome], calc_second_order=False, seed=seed,
                                    print_to_console=False)
    return pd.DataFrame({"outcome": outcome, "parameter": names, "s1": indices["S1"], "s1_conf": indices["S1_conf"],
                         "st": indices["ST"], "st_conf": indices["ST_conf"]})


def key_results(result: MonteCarloResult, outcomes: Mapping[str, str] | Sequence[str],
                level: float = 0.90) -> pd.DataFrame:
    """The facts an executive summary states: base value, mean and the central ``level``
    interval (low, high) per outcome.

    ``outcomes`` is a list of outcome names or a mapping name -> label (order kept).
    """
    labels = dict(outcomes) if isinstance(outcomes, Mapping) else {name: name for name in outcomes}
    summary = summarise(result, level).set_index("outcome")
    rows = []
    for name, label in labels.items():
        _check_outcome(result.outcomes, name)
        row = summary.loc[name]
        rows.append({"outcome": name, "label": label, "base": row["base"], "mean": row["mean"],
                     "low": row["low"], "high": row["high"], "level": level})
    return pd.DataFrame(rows)
