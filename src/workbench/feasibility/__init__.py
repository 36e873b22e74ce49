"""Feasibility models with open uncertainty: parameters as data, a small decision-model engine,
the electronic monitoring model and the re-entry resource centre model.

Typical use (a notebook)::

    from workbench import feasibility as fz
    params = fz.load_parameters(study / "parameters/electronic_monitoring.yaml", overrides={"custody_cost_per_day": 150})
    model = fz.electronic_monitoring_model(fz.eligible_population(clients))
    base = fz.base_case(model, params)
    draws = fz.monte_carlo(model, params, n_draws=10_000, seed=20240601)
    fz.summarise(draws); fz.one_way_sensitivity(model, params, "gps_bracelet.net_cost")
"""

from importlib import resources
from pathlib import Path

from workbench.feasibility.counts import (

    DefaultCounts,
    EmPopulation,
    default_counts,
    em_population,
    latest_levels,
    model_region,
    population_from_counts,
)
from workbench.feasibility.distributions import Distribution, make_distribution
from workbench.feasibility.electronic_monitoring import (
    electronic_monitoring_model,
    em_outcomes,
    executive_facts,
    option_table,
    outcome_catalogue,
    population_summary,
)
from workbench.feasibility.engine import (
    MonteCarloResult,
    acceptability_curve,
    base_case,
    break_even,
    conclusion_thresholds,
    evaluate,
    key_results,
    monte_carlo,
    one_way_sensitivity,
    pairwise_probabilities,
    probability_less,
    scenario_table,
    sobol_indices,
    split_outcomes,
    summarise,
    two_way_grid,
)
from workbench.feasibility.parameters import (
    Parameter,
    ParameterSet,
    apply_overrides,
    assumptions_table,
    convert_currency,
    exchange_rate_table,
    load_parameters,
    parse_parameters,
)
from workbench.feasibility.population import (
    EligibilityRules,
    eligible_population,
    eligible_totals,
    project_demand,
)
from workbench.feasibility.scenarios import at_quantile, scaled
from workbench.feasibility.reentry_centre import (
    LOCATION_OPTIONS,
    LocationOption,
    erlang_b,
    monthly_utilisation,
    option_labels,
    reach_by_region,
    reentry_centre_model,
)

MODELS = ("electronic_monitoring", "reentry_centre")


def default_parameter_file(model: str) -> Path:
    """Path of the packaged default parameter YAML of ``model`` (one of ``MODELS``)."""
    from workbench.errors import WorkbenchError

    if model not in MODELS:
        raise WorkbenchError(f"unknown feasibility model {model!r}", value=model, expected=", ".join(MODELS))
    return Path(str(resources.files("workbench.feasibility") / "defaults" / f"{model}.yaml"))


__all__ = [
    "DefaultCounts", "EmPopulation", "em_population", "default_counts", "latest_levels", "model_region", "population_from_counts",
    "at_quantile", "scaled",
    "Distribution", "EligibilityRules", "LOCATION_OPTIONS", "LocationOption", "MODELS", "MonteCarloResult",
    "Parameter", "ParameterSet", "acceptability_curve", "apply_overrides", "assumptions_table",
    "base_case", "break_even", "conclusion_thresholds", "convert_currency", "default_parameter_file",
    "electronic_monitoring_model", "eligible_population", "eligible_totals", "em_outcomes", "erlang_b",
    "evaluate", "exchange_rate_table", "executive_facts", "key_results", "load_parameters", "make_distribution",
    "monte_carlo", "monthly_utilisation", "one_way_sensitivity", "option_labels", "option_table",
    "outcome_catalogue", "pairwise_probabilities", "parse_parameters", "population_summary", "probability_less",
    "project_demand", "reach_by_region", "reentry_centre_model", "scenario_table", "sobol_indices",
    "split_outcomes", "summarise", "two_way_grid",
]
