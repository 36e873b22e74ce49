"""Benchmark: workbench.survey against svy on a synthetic 1,000,000-row design.

Design: 50 strata x 40 PSUs x 500 respondents, unequal weights. Each library runs in its
own subprocess (same seeded data) so that its peak memory (ru_maxrss, data included) is
measured separately. Times are the best of ``REPEATS`` runs, in seconds.

Run: .venv/bin/python benchmarks/bench_survey.py   (takes a minute or two)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

N_STRATA, N_PSU_PER_STRATUM, N_PER_PSU = 50, 40, 500
REPEATS = 3
SEED = 20240601
REGIONS = [f"region_{i}" for i in range(7)]
AGES = ["18-24", "25-34", "35-44", "45-59", "60+"]
MARGINS = {
    "region": {r: 1_000_000.0 * s for r, s in zip(REGIONS, [.2, .15, .15, .15, .1, .15, .1])},
    "sex": {"f": 520_000.0, "m": 480_000.0},
    "agegrp": {a: 1_000_000.0 * s for a, s in zip(AGES, [.15, .25, .25, .2, .15])},
}


def make_data() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    n = N_STRATA * N_PSU_PER_STRATUM * N_PER_PSU
    psu = np.repeat(np.arange(N_STRATA * N_PSU_PER_STRATUM), N_PER_PSU)
    stratum = psu // N_PSU_PER_STRATUM
    psu_effect = rng.normal(0, 0.5, N_STRATA * N_PSU_PER_STRATUM)[psu]
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    sex = rng.choice(["f", "m"], n)
    logit = -0.5 + 0.8 * x1 - 0.4 * x2 + 0.3 * (sex == "m") + psu_effect
    return pd.DataFrame({
        "stratum": stratum, "psu": psu,
        "w": rng.uniform(0.5, 1.5, n),
        "y": 50 + 10 * x1 + psu_effect * 5 + rng.normal(0, 5, n),
        "x1": x1, "x2": x2, "sex": sex,
        "region": rng.choice(REGIONS, n), "agegrp": rng.choice(AGES, n),
        "outcome": (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.int64),
    })


def best_of(function) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def run_workbench() -> dict[str, float]:
    from workbench.survey import SurveyDesign

    data = make_data()
    design = SurveyDesign(data, weights="w", strata="stratum", psu="psu")
    return {
        "design + mean": best_of(lambda: SurveyDesign(data, weights="w", strata="stratum",
                                                      psu="psu").mean("y")),
        "mean by 7 domains": best_of(lambda: design.mean("y", by="region")),
        "proportion (5 levels)": best_of(lambda: design.proportion("agegrp")),
        "rake (3 margins)": best_of(lambda: design.rake(MARGINS)),
        "crosstab 2x7 Rao-Scott": best_of(lambda: design.crosstab("sex", "region").test),
        "logit (4 terms)": best_of(
            lambda: design.glm("outcome ~ x1 + x2 + C(sex)", family="binomial")),
    }


def run_svy() -> dict[str, float]:
    import polars as pl
    import svy

    data = pl.from_pandas(make_data())
    spec = svy.Design(stratum="stratum", psu="psu", wgt="w")
    sample = svy.Sample(data, spec)
    return {
        "design + mean": best_of(lambda: svy.Sample(data, spec).estimation.mean("y")),
        "mean by 7 domains": best_of(lambda: sample.estimation.mean("y", by="region")),
        "proportion (5 levels)": best_of(lambda: sample.estimation.prop("agegrp")),
        "rake (3 margins)": best_of(lambda: sample.weighting.rake(controls=MARGINS,
                                                                  wgt_name="rk")),
        "crosstab 2x7 Rao-Scott": best_of(
            lambda: sample.categorical.tabulate("sex", "region").stats),
        "logit (4 terms)": best_of(lambda: sample.glm.fit(
            y="outcome", x=["x1", "x2", svy.Cat("sex")], family="binomial")),
    }


def child(library: str) -> None:
    times = run_workbench() if library == "workbench" else run_svy()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_mb": peak_mb}))


def main() -> None:
    results = {}
    for library in ("workbench", "svy"):
        output = subprocess.run([sys.executable, __file__, library], check=True,
                                capture_output=True, text=True).stdout
        results[library] = json.loads(output.strip().splitlines()[-1])
    ours, theirs = results["workbench"]["times"], results["svy"]["times"]
    print(f"{N_STRATA * N_PSU_PER_STRATUM * N_PER_PSU:,} rows, {N_STRATA} strata x "
          f"{N_PSU_PER_STRATUM} PSUs; best of {REPEATS} runs (seconds)\n")
    print(f"{'operation':<26}{'workbench':>11}{'svy':>10}{'svy / workbench':>17}")
    for operation in ours:
        ratio = theirs[operation] / ours[operation]
        print(f"{operation:<26}{ours[operation]:>11.3f}{theirs[operation]:>10.3f}{ratio:>16.1f}x")
    print(f"\npeak memory (process, data included): workbench "
          f"{results['workbench']['peak_mb']:.0f} MB, svy {results['svy']['peak_mb']:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(sys.argv[1])
    else:
        main()
