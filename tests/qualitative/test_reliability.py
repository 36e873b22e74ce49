"""Reliability coefficients against published values and independent implementations."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from workbench.errors import WorkbenchError
from workbench.qualitative.reliability import (
    LEVELS,
    code_reliability,
    coder_disagreements,
    cohen_kappa,
    cohen_kappa_from_table,
    cohen_kappa_interval,
    fleiss_kappa,
    krippendorff_alpha,
    krippendorff_alpha_interval,
    pairwise_cohen_kappa,
    percent_agreement,
    presence_data,
    text_units,
)

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
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_published_values(level: str, published: float) -> None:
    # Published to three decimals in Krippendorff (2011).
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_accepts_dataframe_and_labels() -> None:
    frame = pd.DataFrame(KRIPPENDORFF_2011, index=list("ABCD"))
    assert krippendorff_alpha(frame) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))
    # relabelling nominal values must not change alpha
    labels = {1.0: "a", 2.0: "b", 3.0: "c", 4.0: "d", 5.0: "e"}
    relabelled = frame.apply(lambda col: col.map(labels))
    assert krippendorff_alpha(relabelled, "nominal") == pytest.approx(0.743, abs=5e-4)
    # ordinal labels ranked by value_order give the numeric ordinal alpha
    assert krippendorff_alpha(relabelled, "ordinal", value_order=list("abcde")) == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal")
    )


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_krippendorff_matches_krippendorff_package(level: str, seed: int) -> None:
    # Independent implementation: the `krippendorff` package (Castro), version 0.9.
    rng = np.random.default_rng(seed)
    n_coders, n_units, n_values = rng.integers(2, 7), rng.integers(20, 200), rng.integers(2, 8)
    truth = rng.integers(1, n_values + 1, n_units)
    data = np.where(rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(1, n_values + 1, (n_coders, n_units)))
    data = data.astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(data, level) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_krippendorff_perfect_and_undefined() -> None:
    perfect = np.array([[1, 2, 3, 1], [1, 2, 3, 1]], dtype=float)
    assert krippendorff_alpha(perfect) == pytest.approx(1.0)
    constant = np.ones((3, 5))
    assert np.isnan(krippendorff_alpha(constant))


def test_krippendorff_bootstrap_interval_is_seeded_and_brackets_estimate() -> None:
    first = krippendorff_alpha_interval(KRIPPENDORFF_2011, "interval", n_boot=400, rng=7)
    second = krippendorff_alpha_interval(KRIPPENDORFF_2011, "interval", n_boot=400, rng=7)
    assert first == second
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
    assert fleiss_kappa(fleiss_matrix()) == pytest.approx(0.430, abs=5e-4)


def test_fleiss_matches_statsmodels() -> None:
    rng = np.random.default_rng(11)
    data = rng.integers(0, 4, (5, 60))
    counts, _ = aggregate_raters(data.T)
    assert fleiss_kappa(data) == pytest.approx(sm_fleiss_kappa(counts, method="fleiss"))


def test_fleiss_needs_constant_raters() -> None:
    data = fleiss_matrix().astype(float)
    data[0, 3] = np.nan
    with pytest.raises(WorkbenchError):
        fleiss_kappa(data)


def test_cohen_sas_example() -> None:
    # SAS/STAT PROC FREQ documentation, "Agreement study" example: kappa 0.4842, ASE 0.1380,
    # 95% limits 0.2137 and 0.7547.
    result = cohen_kappa_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
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
    interval = cohen_kappa_interval(ratings)
    assert interval.estimate == pytest.approx(0.4842, abs=5e-5)
    assert interval.se == pytest.approx(0.1380, abs=5e-5)
    assert cohen_kappa(ratings) == pytest.approx(cohen_kappa_score(first, second))


def test_cohen_drops_units_missing_for_either_coder() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 3, (2, 80)).astype(float)
    with_missing = data.copy()
    with_missing[0, :5] = np.nan
    with_missing[1, 70:] = np.nan
    kept = data[:, 5:70]
    assert cohen_kappa(with_missing) == pytest.approx(cohen_kappa_score(kept[0], kept[1]))
    with pytest.raises(WorkbenchError):
        cohen_kappa(np.vstack([data, data]))


def test_percent_agreement_by_hand() -> None:
    # two coders agree on 3 of 4 units; the unit with one value is not pairable
    two = np.array([[1, 2, 3, 1, 5], [1, 2, 3, 2, NAN]])
    assert percent_agreement(two) == pytest.approx(0.75)
    # three coders on one unit (1, 1, 2): 1 agreeing pair of 3
    assert percent_agreement(np.array([[1], [1], [2]])) == pytest.approx(1 / 3)


# ---------------------------------------------------------------------------------------
# Corpus level
# ---------------------------------------------------------------------------------------

TEXT_1 = "First sentence here. Second one is longer! Third sentence?\nFourth line."
TEXT_2 = "Alpha beta gamma. Delta epsilon."


def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    documents = pd.DataFrame(
        {"doc_id": ["d1", "d2", "d3"], "name": ["a", "b", "c"], "text": [TEXT_1, TEXT_2, TEXT_2], "doc_type": ["KII"] * 3}
    )
    s2 = TEXT_1.index("Second")
    s3 = TEXT_1.index("Third")
    s4 = TEXT_1.index("Fourth")
    rows = [
        # d1: coder A codes sentences 1 (X) and 2 (Y); coder B codes 1 (X) and 3 (Y)
        ("s1", "d1", 0, 5, "X", "A", "accepted"),
        ("s2", "d1", s2, s2 + 6, "Y", "A", "accepted"),
        ("s3", "d1", 2, 10, "X", "B", "accepted"),
        ("s4", "d1", s3, s3 + 5, "Y", "B", "accepted"),
        ("s5", "d1", s4, s4 + 3, "Y", "B", "proposed"),  # ignored: not accepted
        # d2: both code sentence 2 with X
        ("s6", "d2", 18, 23, "X", "A", "accepted"),
        ("s7", "d2", 20, 30, "X", "B", "accepted"),
        # d3: single-coded, not compared
        ("s8", "d3", 0, 5, "Y", "A", "accepted"),
    ]
    segments = pd.DataFrame(rows, columns=["segment_id", "doc_id", "start", "end", "code_id", "coder", "status"])
    return documents, segments


def test_text_units_sentences() -> None:
    documents, _ = corpus()
    units = text_units(documents.iloc[:1], "sentence")
    pieces = [TEXT_1[s:e] for s, e in zip(units["start"], units["end"])]
    assert pieces == ["First sentence here.", "Second one is longer!", "Third sentence?", "Fourth line."]


def test_presence_and_code_reliability_by_hand() -> None:
    documents, segments = corpus()
    presence = presence_data(segments, documents, unit="sentence")
    assert set(presence["doc_id"]) == {"d1", "d2"}  # d3 has one coder
    # 6 sentences x 2 codes x 2 coders
    assert len(presence) == 24
    table = code_reliability(segments, documents, unit="sentence", n_boot=200).set_index("code_id")
    # Code X over 6 sentences: A = [1,0,0,0,0,1], B = [1,0,0,0,0,1] -> full agreement
    assert table.loc["X", "percent_agreement"] == pytest.approx(1.0)
    assert table.loc["X", "cohen_kappa"] == pytest.approx(1.0)
    # Code Y: A = [0,1,0,0,0,0], B = [0,0,1,0,0,0]: 4/6 agree
    a = [0, 1, 0, 0, 0, 0]
    b = [0, 0, 1, 0, 0, 0]
    assert table.loc["Y", "percent_agreement"] == pytest.approx(4 / 6)
    assert table.loc["Y", "cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert table.loc["Y", "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")
    )
    # pooled row "ALL" = both codes' units together
    pooled_a = [1, 0, 0, 0, 0, 1] + a
    pooled_b = [1, 0, 0, 0, 0, 1] + b
    assert table.loc["ALL", "cohen_kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    assert table.loc["ALL", "n_units"] == 12


def test_document_level_and_disagreements() -> None:
    documents, segments = corpus()
    table = code_reliability(segments, documents, unit="document", n_boot=100).set_index("code_id")
    # X: both coders apply X in d1 and d2; Y: both in d1, neither in d2
    assert table.loc["X", "percent_agreement"] == 1.0
    assert table.loc["Y", "percent_agreement"] == 1.0
    disagreements = coder_disagreements(segments, documents, unit="sentence")
    assert disagreements[["unit_id", "code_id", "applied_by", "not_applied_by"]].values.tolist() == [
        ["d1:2", "Y", "A", "B"],
        ["d1:3", "Y", "B", "A"],
    ]
    assert disagreements["excerpt"].tolist() == ["Second one is longer!", "Third sentence?"]
    pairs = pairwise_cohen_kappa(segments, documents, unit="sentence")
    assert set(pairs["code_id"]) == {"X", "Y"}
    assert pairs.set_index("code_id").loc["Y", "n_units"] == 6


def test_bootstrap_matches_naive_unit_resampling() -> None:
    # The pattern-multinomial bootstrap must have the distribution of plain resampling of
    # units with replacement (computed here with the `krippendorff` package per resample).
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 2, 80)
    data = np.where(rng.random((3, 80)) < 0.8, truth, 1 - truth).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    data = data[:, (~np.isnan(data)).sum(axis=0) >= 2]  # pairable units only
    ours = krippendorff_alpha_interval(data, "nominal", n_boot=3000, rng=1)
    naive = []
    for _ in range(1500):
        sample = data[:, rng.integers(0, data.shape[1], data.shape[1])]
        naive.append(krippendorff.alpha(reliability_data=sample, level_of_measurement="nominal"))
    naive = np.array(naive)
    assert ours.se == pytest.approx(naive.std(ddof=1), rel=0.1)
    assert ours.ci_low == pytest.approx(np.quantile(naive, 0.025), abs=0.04)
    assert ours.ci_high == pytest.approx(np.quantile(naive, 0.975), abs=0.04)
