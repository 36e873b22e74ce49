"""Agreement coefficients (workbench.agreement) against published values and independent
implementations.

Oracles: published values (Krippendorff 2011, Fleiss 1971, the SAS PROC FREQ agreement
example, Shrout & Fleiss 1979), independent implementations (the ``krippendorff`` package,
scikit-learn's ``cohen_kappa_score``, statsmodels' ``fleiss_kappa``) and hand calculations.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from workbench.agreement import (
    ROW,
    SCALES,
    agreement_band,
    cohen_kappa,
    fleiss_kappa,
    icc_agreement,
    krippendorff_alpha,
    percent_agreement,
    weighted_kappa,
)
from workbench.errors import WorkbenchError

NAN = np.nan
# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", the 4 coders x 12 units
# example with missing values ("." = missing).
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)

# Fleiss (1971), 30 subjects x 6 raters, categories 1..5, in the rater-level layout of
# R irr::diagnoses (one string of 6 ratings per subject).
FLEISS_1971 = (
    "444444 222555 233335 555555 222444 113333 333355 113334 114444 555555 "
    "144444 124444 222333 144444 224445 333335 111455 111112 224444 133555 "
    "555555 244444 224555 114444 144445 222224 111155 224444 133333 555555"
)


def fleiss_matrix() -> np.ndarray:
    subjects = [[int(ch) for ch in ratings] for ratings in FLEISS_1971.split()]
    return np.array(subjects).T  # raters x subjects


@pytest.mark.parametrize(
    ("scale", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_published_values(scale: str, published: float) -> None:
    # Published to three decimals in Krippendorff (2011); 11 of the 12 units are pairable.
    row = krippendorff_alpha(KRIPPENDORFF_2011, scale)
    assert row.estimate == pytest.approx(published, abs=5e-4)
    assert list(row.index) == ROW and row.n == 11 and np.isnan(row.se) and np.isnan(row.ci_low)


def test_krippendorff_accepts_dataframe_and_labels() -> None:
    frame = pd.DataFrame(KRIPPENDORFF_2011, index=list("ABCD"))
    assert krippendorff_alpha(frame).estimate == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011).estimate)
    # relabelling nominal values must not change alpha
    labels = {1.0: "a", 2.0: "b", 3.0: "c", 4.0: "d", 5.0: "e"}
    relabelled = frame.apply(lambda col: col.map(labels))
    assert krippendorff_alpha(relabelled, "nominal").estimate == pytest.approx(0.743, abs=5e-4)
    # ordinal labels ranked by value_order give the numeric ordinal alpha
    assert krippendorff_alpha(relabelled, "ordinal", value_order=list("abcde")).estimate == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal").estimate
    )


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_krippendorff_matches_krippendorff_package(scale: str, seed: int) -> None:
    # Independent implementation: the `krippendorff` package (Castro), version 0.9.
    rng = np.random.default_rng(seed)
    n_coders, n_units, n_values = rng.integers(2, 7), rng.integers(20, 200), rng.integers(2, 8)
    truth = rng.integers(1, n_values + 1, n_units)
    data = np.where(rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(1, n_values + 1, (n_coders, n_units)))
    data = data.astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=scale)
    assert krippendorff_alpha(data, scale).estimate == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_krippendorff_perfect_and_undefined() -> None:
    perfect = np.array([[1, 2, 3, 1], [1, 2, 3, 1]], dtype=float)
    assert krippendorff_alpha(perfect).estimate == pytest.approx(1.0)
    constant = np.ones((3, 5))
    assert np.isnan(krippendorff_alpha(constant).estimate)


def test_krippendorff_bootstrap_interval_is_seeded_and_brackets_estimate() -> None:
    first = krippendorff_alpha(KRIPPENDORFF_2011, "interval", n_boot=400, seed=7)
    second = krippendorff_alpha(KRIPPENDORFF_2011, "interval", n_boot=400, seed=7)
    assert first.equals(second) and "bootstrap" in first.method
    assert first.estimate == pytest.approx(0.849, abs=5e-4)
    assert first.ci_low <= first.estimate <= first.ci_high <= 1.0
    assert first.se > 0


def test_krippendorff_bad_input() -> None:
    with pytest.raises(WorkbenchError):
        krippendorff_alpha(np.array([1, 2, 3]))
    with pytest.raises(WorkbenchError):
        krippendorff_alpha(KRIPPENDORFF_2011, "cardinal")  # type: ignore[arg-type]
    with pytest.raises(WorkbenchError):
        krippendorff_alpha(np.array([["a", "b"], ["a", "c"]], dtype=object), "interval")


def test_fleiss_1971_published_value() -> None:
    # Fleiss (1971) kappa = 0.430 (also R irr::kappam.fleiss on irr::diagnoses: 0.43).
    row = fleiss_kappa(fleiss_matrix())
    assert row.estimate == pytest.approx(0.430, abs=5e-4) and row.n == 30


def test_fleiss_matches_statsmodels() -> None:
    rng = np.random.default_rng(11)
    data = rng.integers(0, 4, (5, 60))
    counts, _ = aggregate_raters(data.T)
    assert fleiss_kappa(data).estimate == pytest.approx(sm_fleiss_kappa(counts, method="fleiss"))


def test_fleiss_needs_constant_raters() -> None:
    data = fleiss_matrix().astype(float)
    data[0, 3] = np.nan
    with pytest.raises(WorkbenchError):
        fleiss_kappa(data)


def test_cohen_sas_example() -> None:
    # SAS/STAT PROC FREQ documentation, "Agreement study" example: kappa 0.4842, ASE 0.1380,
    # 95% limits 0.2137 and 0.7547.
    result = weighted_kappa([[0, 4, 1], [0, 8, 0], [0, 1, 5]], "none")
    assert result.n == 19 and list(result.index) == ROW
    assert result.estimate == pytest.approx(0.4842, abs=5e-5)
    assert result.se == pytest.approx(0.1380, abs=5e-5)
    assert result.ci_low == pytest.approx(0.2137, abs=5e-4)
    assert result.ci_high == pytest.approx(0.7547, abs=5e-4)


def test_cohen_from_ratings_matches_table_and_sklearn() -> None:
    table = np.array([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    first, second = [], []
    for i in range(3):
        for j in range(3):
            first += [i + 1] * table[i, j]
            second += [j + 1] * table[i, j]
    ratings = np.array([first, second], dtype=float)
    row = cohen_kappa(ratings)
    assert row.estimate == pytest.approx(0.4842, abs=5e-5)
    assert row.se == pytest.approx(0.1380, abs=5e-5)
    assert row.estimate == pytest.approx(cohen_kappa_score(first, second))
    # a 90% interval is narrower by z(0.95) / z(0.975)
    narrow = cohen_kappa(ratings, level=0.90)
    assert (narrow.ci_high - narrow.ci_low) / (row.ci_high - row.ci_low) == pytest.approx(1.6448536 / 1.9599640)


def test_cohen_drops_units_missing_for_either_coder() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 3, (2, 80)).astype(float)
    with_missing = data.copy()
    with_missing[0, :5] = np.nan
    with_missing[1, 70:] = np.nan
    kept = data[:, 5:70]
    assert cohen_kappa(with_missing).estimate == pytest.approx(cohen_kappa_score(kept[0], kept[1]))
    assert cohen_kappa(with_missing).n == 65
    with pytest.raises(WorkbenchError):
        cohen_kappa(np.vstack([data, data]))


def test_percent_agreement_by_hand() -> None:
    # two coders agree on 3 of 4 units; the unit with one value is not pairable
    two = np.array([[1, 2, 3, 1, 5], [1, 2, 3, 2, NAN]])
    assert percent_agreement(two) == pytest.approx(0.75)
    # three coders on one unit (1, 1, 2): 1 agreeing pair of 3
    assert percent_agreement(np.array([[1], [1], [2]])) == pytest.approx(1 / 3)


def test_bootstrap_matches_naive_unit_resampling() -> None:
    # The pattern-multinomial bootstrap must have the distribution of plain resampling of
    # units with replacement (computed here with the `krippendorff` package per resample).
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 2, 80)
    data = np.where(rng.random((3, 80)) < 0.8, truth, 1 - truth).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    data = data[:, (~np.isnan(data)).sum(axis=0) >= 2]  # pairable units only
    ours = krippendorff_alpha(data, "nominal", n_boot=3000, seed=1)
    naive = []
    for _ in range(1500):
        sample = data[:, rng.integers(0, data.shape[1], data.shape[1])]
        naive.append(krippendorff.alpha(reliability_data=sample, level_of_measurement="nominal"))
    naive = np.array(naive)
    assert ours.se == pytest.approx(naive.std(ddof=1), rel=0.1)
    assert ours.ci_low == pytest.approx(np.quantile(naive, 0.025), abs=0.04)
    assert ours.ci_high == pytest.approx(np.quantile(naive, 0.975), abs=0.04)


# --- interpretation bands -----------------------------------------------------------------


@pytest.mark.parametrize("kappa, band", [
    (-0.05, "poor"), (0.0, "slight"), (0.20, "slight"), (0.21, "fair"), (0.40, "fair"), (0.41, "moderate"),
    (0.60, "moderate"), (0.61, "substantial"), (0.80, "substantial"), (0.81, "almost_perfect"),
    (1.0, "almost_perfect"),
])
def test_kappa_bands_follow_landis_and_koch(kappa: float, band: str) -> None:
    # Landis & Koch (1977), Biometrics 33:165: < 0 poor, 0-.20 slight, .21-.40 fair,
    # .41-.60 moderate, .61-.80 substantial, .81-1 almost perfect (upper limits inclusive)
    assert agreement_band(kappa, "kappa") == band


@pytest.mark.parametrize("alpha, band", [
    (0.8, "reliable"), (0.7999, "tentative"), (0.667, "tentative"), (0.6669, "unreliable"), (-0.2, "unreliable"),
])
def test_alpha_bands_follow_krippendorff(alpha: float, band: str) -> None:
    # Krippendorff (2004), Content Analysis 2nd ed., p. 241: >= .800 reliable, >= .667 tentative
    assert agreement_band(alpha, "alpha") == band


@pytest.mark.parametrize("icc, band", [
    (0.49, "poor"), (0.5, "moderate"), (0.749, "moderate"), (0.75, "good"), (0.9, "excellent"),
])
def test_icc_bands_follow_koo_and_li(icc: float, band: str) -> None:
    # Koo & Li (2016): < 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, > 0.90 excellent
    assert agreement_band(icc, "icc") == band


def test_missing_estimates_have_no_band_and_unknown_measures_are_errors() -> None:
    for measure in ("kappa", "alpha", "icc"):
        assert agreement_band(float("nan"), measure) is None and agreement_band(None, measure) is None
    with pytest.raises(WorkbenchError, match="unknown agreement measure"):
        agreement_band(0.5, "tau")


def test_kappa_rows_stack_into_a_tidy_table_and_bad_tables_are_errors() -> None:
    rows = pd.DataFrame([weighted_kappa(np.eye(3) * 5 + 1, w) for w in ("none", "linear", "quadratic")])
    assert list(rows.columns) == ROW and rows["n"].dtype.kind == "i" and rows["estimate"].dtype.kind == "f"
    # hand: 6 on the diagonal, 1 elsewhere: 18 agreeing and 6 disagreeing units, 24 in all;
    # p_o = 18/24, every marginal 8/24 so p_e = 3 * (1/3)^2 = 1/3, kappa = (3/4 - 1/3) / (2/3) = 5/8
    assert rows.loc[0, "estimate"] == pytest.approx(5 / 8) and rows.loc[0, "n"] == 24
    assert np.isnan(weighted_kappa(np.zeros((2, 2)), "none").estimate)
    with pytest.raises(WorkbenchError, match="square"):
        weighted_kappa(np.ones((2, 3)))
    with pytest.raises(WorkbenchError, match="weights"):
        weighted_kappa(np.ones((2, 2)), "cubic")
