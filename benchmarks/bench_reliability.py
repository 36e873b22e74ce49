"""Benchmark: workbench krippendorff_alpha against the `krippendorff` package (nominal).

10 coders x 100,000 units, 5 and 20 categories, 10% missing values. Prints the best of
``REPEATS`` wall-clock times of each, their ratio (package / workbench) and both alphas,
which must agree. Targets: at least as fast with 5 categories, at least 5 times faster
with 20. Run: ``.venv/bin/python benchmarks/bench_reliability.py``.
"""

from __future__ import annotations

import time
from typing import Callable

import krippendorff
import numpy as np

from workbench.agreement import krippendorff_alpha

CODERS, UNITS, MISSING, REPEATS, SEED = 10, 100_000, 0.10, 5, 20240501


def best_time(function: Callable[[], float]) -> tuple[float, float]:
    """Best wall-clock time in seconds over REPEATS calls, and the last value."""
    times, value = [], float("nan")
    for _ in range(REPEATS):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    rng = np.random.default_rng(SEED)
    print(f"Krippendorff's alpha, nominal, {CODERS} coders x {UNITS:,} units, {MISSING:.0%} missing")
    print(f"{'categories':>10} {'workbench s':>12} {'package s':>10} {'ratio':>7} {'alpha workbench':>16} {'alpha package':>14} {'target':>8}")
    for categories, target in ((5, 1.0), (20, 5.0)):
        truth = rng.integers(1, categories + 1, UNITS)
        noise = rng.integers(1, categories + 1, (CODERS, UNITS))
        data = np.where(rng.random((CODERS, UNITS)) < 0.6, truth, noise).astype(float)
        data[rng.random(data.shape) < MISSING] = np.nan
        ours, ours_alpha = best_time(lambda: krippendorff_alpha(data, "nominal").estimate)
        theirs, their_alpha = best_time(
            lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        )
        ratio = theirs / ours
        if not np.isclose(ours_alpha, their_alpha, rtol=1e-9, atol=1e-12):
            raise SystemExit(f"alphas differ: {ours_alpha!r} vs {their_alpha!r}")
        verdict = "ok" if ratio >= target else "MISSED"
        print(
            f"{categories:>10} {ours:>12.4f} {theirs:>10.4f} {ratio:>7.1f} {ours_alpha:>16.10f} "
            f"{their_alpha:>14.10f} {f'>={target:g}x {verdict}':>8}"
        )


if __name__ == "__main__":
    main()
