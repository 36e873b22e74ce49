"""The decision-model engine on models whose answers are known in closed form."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.errors import WorkbenchError
from workbench.feasibility import engine
from workbench.feasibility.parameters import parse_parameters


def linear_params():
    """a ~ triangular(0, 1, 5): mean 2; b ~ uniform(1, 3): mean 2; c ~ PERT(0, 3, 6): mean 3."""
    spec = {
        "a": {"value": 1, "unit": "x", "source": "test", "distribution": {"type": "triangular", "low": 0, "high": 5}},
        "b": {"value": 2, "unit": "x", "source": "test", "distribution": {"type": "uniform", "low": 1, "high": 3}},
        "c": {"value": 3, "unit": "x", "source": "test", "distribution": {"type": "pert", "low": 0, "high": 6}},
        "k": {"value": 10, "unit": "x", "source": "test"},
    }
    return parse_parameters({"model": "linear", "currency": "KGS", "price_year": 2024, "parameters": spec})


def linear_model(v):
    return {"y": 2 * v["a"] + 3 * v["b"] - v["c"] + v["k"], "z": v["a"] * 0 + 1.0,
            "option_a.cost": v["a"] * 100, "option_b.cost": v["b"] * 100}


def test_base_case_is_the_model_at_base_values():
    table = engine.base_case(linear_model, linear_params()).set_index("outcome")["value"]
    # hand: 2*1 + 3*2 - 3 + 10 = 15
    assert table["y"] == 15


def test_monte_carlo_mean_converges_to_the_analytic_expectation():
    # E[y] = 2*2 + 3*2 - 3 + 10 = 17 (means of triangular, uniform and PERT in closed form);
    # Var[y] = 4 Var(a) + 9 Var(b) + Var(c), Var(tri) = (a2+b2+c2-ab-ac-bc)/18, Var(U) = (b-a)^2/12
    var_a = (0 + 25 + 1 - 0 - 0 - 5) / 18
    var_b = 4 / 12
    var_c = stats.beta(1 + 4 * 3 / 6, 1 + 4 * 3 / 6, scale=6).var()
    sd = np.sqrt(4 * var_a + 9 * var_b + var_c)
    result = engine.monte_carlo(linear_model, linear_params(), n_draws=200_000, seed=11)
    mean = result.outcomes["y"].mean()
    assert abs(mean - 17) < 4 * sd / np.sqrt(200_000)
    assert result.outcomes["y"].std() == pytest.approx(sd, rel=0.01)


def test_same_seed_same_results_and_default_draws():
    first = engine.monte_carlo(linear_model, linear_params(), seed=3)
    second = engine.monte_carlo(linear_model, linear_params(), seed=3)
    assert first.n_draws == 10_000 and len(first.outcomes) == 10_000
    pd.testing.assert_frame_equal(first.outcomes, second.outcomes)
    other = engine.monte_carlo(linear_model, linear_params(), seed=4)
    assert not first.outcomes["y"].equals(other.outcomes["y"])


def test_fixing_one_parameter_leaves_the_other_streams_unchanged():
    params = linear_params()
    fixed = params.with_overrides({"b": 2.5})
    first = engine.monte_carlo(linear_model, params, n_draws=100, seed=1).inputs
    second = engine.monte_carlo(linear_model, fixed, n_draws=100, seed=1).inputs
    assert np.array_equal(first["a"], second["a"]) and np.array_equal(first["c"], second["c"])


def test_summary_quantiles_match_numpy():
    result = engine.monte_carlo(linear_model, linear_params(), n_draws=5000, seed=2)
    row = engine.summarise(result).set_index("outcome").loc["y"]
    values = result.outcomes["y"].to_numpy()
    assert row["low"] == pytest.approx(np.quantile(values, 0.05))
    assert row["high"] == pytest.approx(np.quantile(values, 0.95))
    assert row["base"] == 15


def test_tornado_swing_is_coefficient_times_quantile_range():
    params = linear_params()
    table = engine.one_way_sensitivity(linear_model, params, "y")
    for name, coefficient in {"a": 2, "b": 3, "c": -1}.items():
        row = table.set_index("parameter").loc[name]
        p05, p95 = params[name].distribution.ppf([0.05, 0.95])
        assert row["swing"] == pytest.approx(abs(coefficient) * (p95 - p05))
        assert row["outcome_at_low"] == pytest.approx(15 + coefficient * (p05 - params[name].value))
    assert table["swing"].is_monotonic_decreasing
    assert "k" not in set(table["parameter"])  # fixed parameters are left out


def test_two_way_grid_and_scenarios_follow_the_formula():
    params = linear_params()
    grid = engine.two_way_grid(linear_model, params, "a", "b", "y", x_values=[0, 1], y_values=[1, 2, 3])
    assert len(grid) == 6
    assert np.allclose(grid["value"], 2 * grid["x_value"] + 3 * grid["y_value"] - 3 + 10)
    scenarios = engine.scenario_table(linear_model, params, {"high a": {"a": 4}, "low c": {"c": 0}}, ["y"])
    values = scenarios.set_index("scenario")["value"]
    assert values.to_dict() == {"base": 15, "high a": 21, "low c": 18}
    assert scenarios.set_index("scenario").loc["high a", "difference"] == 6


def test_break_even_of_a_linear_model():
    params = linear_params()
    # y = 2a + 6 - 3 + 10 = 2a + 13 equals 16 at a = 1.5
    assert engine.break_even(linear_model, params, "a", "y", target=16) == pytest.approx(1.5)
    # no crossing within the range of a (0..5): y in 13..23
    assert np.isnan(engine.break_even(linear_model, params, "a", "y", target=100))
    thresholds = engine.conclusion_thresholds(linear_model, params, "y", target=16).set_index("parameter")
    assert thresholds.loc["a", "threshold"] == pytest.approx(1.5)
    assert thresholds.loc["b", "threshold"] == pytest.approx(7 / 3)  # 2 + 3b - 3 + 10 = 16 -> b = 7/3
    assert thresholds.loc["c", "threshold"] == pytest.approx(2.0)  # 2 + 6 - c + 10 = 16 -> c = 2
    # b's 5th-95th percentile is 1.1 to 2.9, so 7/3 is within; a's is about 0.39 to 4.23
    assert thresholds.loc["b", "within_plausible_range"] and thresholds.loc["a", "within_plausible_range"]


def normal_params():
    spec = {"a": {"value": 10, "unit": "x", "source": "t", "distribution": {"type": "normal", "sd": 2}, "allow_negative": True},
            "b": {"value": 12, "unit": "x", "source": "t", "distribution": {"type": "normal", "sd": 1.5}, "allow_negative": True}}
    return parse_parameters({"model": "n", "currency": "KGS", "price_year": 2024, "parameters": spec})


def test_probability_less_matches_the_normal_difference():
    # P(A < B) with A ~ N(10, 2), B ~ N(12, 1.5) independent = Phi(2 / sqrt(4 + 2.25)) = Phi(0.8)
    result = engine.monte_carlo(lambda v: {"a": v["a"], "b": v["b"]}, normal_params(), n_draws=40_000, seed=8)
    expected = stats.norm.cdf(0.8)
    assert engine.probability_less(result, "a", "b") == pytest.approx(expected, abs=4 * np.sqrt(0.25 / 40_000))
    assert engine.probability_less(result, "a", 10.0) == pytest.approx(0.5, abs=0.01)
    pairs = engine.pairwise_probabilities(result, ["a", "b"])
    assert pairs["probability_a_less"].sum() == pytest.approx(1.0)


def test_acceptability_curve_probabilities():
    # option x: cost = a, effect 1; option y: cost 0, effect 0. x is best when w > a.
    # With A ~ N(10, 2): P(best x at w) = Phi((w - 10) / 2)
    result = engine.monte_carlo(lambda v: {"x.cost": v["a"], "x.effect": 1.0, "y.cost": 0.0, "y.effect": 0.0},
                                normal_params(), n_draws=40_000, seed=9)
    curve = engine.acceptability_curve(result, {"x": "x.cost", "y": "y.cost"}, {"x": "x.effect", "y": "y.effect"},
                                       [8, 10, 12])
    x = curve[curve["option"] == "x"].set_index("willingness_to_pay")["probability_best"]
    for wtp in (8, 10, 12):
        assert x[wtp] == pytest.approx(stats.norm.cdf((wtp - 10) / 2), abs=0.01)
    totals = curve.groupby("willingness_to_pay")["probability_best"].sum()
    assert np.allclose(totals, 1.0)


def test_sobol_indices_of_an_additive_model():
    # y = a + 2b with a, b ~ U(0, 1) independent: S1 = ST = (1/5, 4/5) (variance shares 1:4)
    spec = {"a": {"value": 0.5, "unit": "x", "source": "t", "distribution": {"type": "uniform", "low": 0, "high": 1}},
            "b": {"value": 0.5, "unit": "x", "source": "t", "distribution": {"type": "uniform", "low": 0, "high": 1}}}
    params = parse_parameters({"model": "s", "currency": "KGS", "price_year": 2024, "parameters": spec})
    table = engine.sobol_indices(lambda v: {"y": v["a"] + 2 * v["b"]}, params, "y", n_base=2048, seed=1)
    indices = table.set_index("parameter")
    assert indices.loc["a", "s1"] == pytest.approx(0.2, abs=0.03)
    assert indices.loc["b", "s1"] == pytest.approx(0.8, abs=0.03)
    assert indices.loc["b", "st"] == pytest.approx(0.8, abs=0.03)


def test_key_results_and_split_outcomes():
    result = engine.monte_carlo(linear_model, linear_params(), n_draws=2000, seed=1)
    facts = engine.key_results(result, {"y": "The outcome"})
    assert facts.loc[0, "label"] == "The outcome" and facts.loc[0, "low"] < facts.loc[0, "mean"] < facts.loc[0, "high"]
    split = engine.split_outcomes(engine.base_case(linear_model, linear_params()))
    assert split.set_index("outcome").loc["option_a.cost", "option"] == "option_a"
    assert split.set_index("outcome").loc["y", "metric"] == "y"
    assert split.set_index("outcome").loc["y", "option"] is None


def test_model_errors_are_workbench_errors():
    params = linear_params()
    with pytest.raises(WorkbenchError, match="no outcome 'nope'"):
        engine.one_way_sensitivity(linear_model, params, "nope")
    with pytest.raises(WorkbenchError, match="unknown parameter 'zz'"):
        engine.two_way_grid(linear_model, params, "zz", "a", "y")
    with pytest.raises(WorkbenchError, match="shape"):
        engine.base_case(lambda v: {"y": np.zeros(3)}, params)
