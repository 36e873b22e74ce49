"""Distributions: quantiles and means against closed forms and scipy, seeded sampling."""

import numpy as np
import pytest
from scipy import stats

from workbench.errors import WorkbenchError
from workbench.feasibility.distributions import make_distribution

WHERE = {"file": "p.yaml", "parameter": "x"}


def test_triangular_mean_is_average_of_corners():
    # closed form: mean of triangular(a, c, b) = (a + b + c) / 3
    dist = make_distribution({"type": "triangular", "low": 70, "mode": 100, "high": 300}, 100, where=WHERE)
    assert dist.mean() == pytest.approx((70 + 100 + 300) / 3)
    assert dist.support() == (70, 300)


def test_pert_mean_and_shape_follow_the_pert_formula():
    # PERT with lambda 4: mean = (a + 4m + b) / 6 (Malcolm et al. 1959); beta shapes 1 + 4(m-a)/(b-a)
    dist = make_distribution({"type": "pert", "low": 0, "mode": 2, "high": 10}, 2, where=WHERE)
    assert dist.mean() == pytest.approx((0 + 4 * 2 + 10) / 6)
    reference = stats.beta(1 + 4 * 2 / 10, 1 + 4 * 8 / 10, loc=0, scale=10)
    assert dist.ppf(0.3) == pytest.approx(reference.ppf(0.3))


def test_beta_from_mean_and_sd_recovers_them():
    dist = make_distribution({"type": "beta", "mean": 0.3, "sd": 0.1}, 0.3, where=WHERE)
    assert dist.mean() == pytest.approx(0.3)
    assert dist._frozen.std() == pytest.approx(0.1)


def test_lognormal_median_and_normal_defaults_to_value():
    logn = make_distribution({"type": "lognormal", "sigma": 0.2}, 0.8, where=WHERE)
    assert logn.ppf(0.5) == pytest.approx(0.8)
    normal = make_distribution({"type": "normal", "sd": 2, "low": 0}, 5, where=WHERE)
    reference = stats.truncnorm((0 - 5) / 2, np.inf, loc=5, scale=2)
    assert normal.ppf(0.05) == pytest.approx(reference.ppf(0.05))


def test_uniform_quantiles_and_fixed():
    dist = make_distribution({"type": "uniform", "low": 2, "high": 6}, 3, where=WHERE)
    assert dist.ppf([0.0, 0.25, 1.0]) == pytest.approx([2, 3, 6])
    fixed = make_distribution(None, 7, where=WHERE)
    assert not fixed.is_uncertain and fixed.sample(3, np.random.default_rng(0)).tolist() == [7, 7, 7]


def test_sampling_is_reproducible_with_the_same_seed():
    dist = make_distribution({"type": "triangular", "low": 0, "mode": 1, "high": 5}, 1, where=WHERE)
    first = dist.sample(100, np.random.default_rng(5))
    assert np.array_equal(first, dist.sample(100, np.random.default_rng(5)))
    assert not np.array_equal(first, dist.sample(100, np.random.default_rng(6)))


@pytest.mark.parametrize("spec, fragment", [
    ({"type": "gamma", "shape": 2}, "unknown distribution type 'gamma'"),
    ({"type": "triangular", "low": 5, "mode": 1, "high": 9}, "mode must lie between"),
    ({"type": "uniform", "low": 5, "high": 1}, "low < high"),
    ({"type": "uniform", "low": 1}, "needs high"),
    ({"type": "normal", "sd": -1}, "must be positive"),
    ({"type": "beta", "mean": 0.5, "sd": 0.6}, "too large"),
    ({"type": "uniform", "low": 10, "high": 20}, "outside"),
])
def test_bad_specifications_name_the_parameter(spec, fragment):
    with pytest.raises(WorkbenchError) as info:
        make_distribution(spec, 5 if spec["type"] != "beta" else 0.5, where=WHERE)
    assert fragment in str(info.value)
    assert "'x'" in str(info.value) and "p.yaml" in str(info.value)
