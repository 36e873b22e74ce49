"""Time 10,000 Monte Carlo draws of each feasibility model (target: under 2 s each).

Run: .venv/bin/python benchmarks/bench_feasibility.py
Uses the packaged default parameters and a hand-made population/demand of the demo's size.
"""

from __future__ import annotations

import time

import pandas as pd

from workbench.feasibility import (
    REGIONS,
    default_parameter_file,
    electronic_monitoring_model,
    load_parameters,
    monte_carlo,
    one_way_sensitivity,
    reentry_centre_model,
    sobol_indices,
)


def population() -> pd.DataFrame:
    rows = [{"region": region, "risk_level": risk, "clients": 10 + 3 * i, "releases_per_year": 2.0 + i,
             "eligible": risk != "low"}
            for i, region in enumerate(REGIONS) for risk in ("low", "medium", "high")]
    return pd.DataFrame(rows)


def demand() -> pd.DataFrame:
    return pd.DataFrame([{"region": region, "year": year, "releases": 300.0 + 40 * i,
                          "probation_completions": 1500.0 + 100 * i}
                         for i, region in enumerate(REGIONS) for year in range(2025, 2030)])


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    em_params = load_parameters(default_parameter_file("electronic_monitoring"))
    re_params = load_parameters(default_parameter_file("reentry_centre"))
    em_model = electronic_monitoring_model(population())
    re_model = reentry_centre_model(demand())
    rows = [
        ("electronic_monitoring", "monte_carlo 10,000 draws", best_of(lambda: monte_carlo(em_model, em_params, 10_000, seed=1))),
        ("reentry_centre", "monte_carlo 10,000 draws", best_of(lambda: monte_carlo(re_model, re_params, 10_000, seed=1))),
        ("electronic_monitoring", "tornado (all uncertain)", best_of(lambda: one_way_sensitivity(em_model, em_params, "gps_bracelet.net_cost"))),
        ("electronic_monitoring", "sobol n_base=1024", best_of(lambda: sobol_indices(em_model, em_params, "gps_bracelet.net_cost", 1024), 1)),
        ("reentry_centre", "sobol n_base=256", best_of(lambda: sobol_indices(re_model, re_params, "bishkek_and_osh.cost_per_client", 256), 1)),
    ]
    print(f"{'model':<24}{'task':<28}{'seconds':>9}  target")
    for model, task, seconds in rows:
        target = "< 2 s" if task.startswith("monte_carlo") else ""
        print(f"{model:<24}{task:<28}{seconds:>9.3f}  {target}")


if __name__ == "__main__":
    main()
