"""Coverage of the whole survey pipeline: sampling, non-response, raking and variance.

One synthetic population (``build_survey_population``) and 100 seeded samples from it
(``draw_survey_sample``: stratified PPS, non-response by sex, age and settlement type). Each
sample goes through the SAME functions the report notebook uses (``prepare_survey`` with the
population margins, ``estimate_indicators``); the 95% confidence interval of every indicator
that the generator's truth also defines is checked against the true finite-population value
(``population_truth``, computed from every simulated person).

Reference: a valid 95% interval covers the truth in 95% of samples. With 100 replications the
count of covering samples is Binomial(100, 0.95): P(count < 90) = 0.028 for one indicator,
so over some 50 indicators a few would fall below 90 by chance alone. The test therefore asks
(a) at least 90% pooled over the headline indicators, and (b) at least 85% for every indicator
(P(count < 85) = 0.0001 under valid intervals: a real bias or a too-small variance breaks it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.schemas import load_dictionary
from workbench.survey.indicator_estimates import estimate_indicators
from workbench.survey.indicators import indicator_definitions
from workbench.survey.preparation import prepare_survey
from workbench.synthetic import population as popfacts
from workbench.synthetic.survey import build_survey_population, draw_survey_sample, population_truth
from workbench.synthetic.survey import indicator_definitions as truth_definitions

pytestmark = pytest.mark.slow
REPLICATIONS = 100
SEED = 20261122


def _truth_by_indicator(truth: dict, indicators: pd.DataFrame) -> dict[str, float]:
    """Our indicator column -> true value, matched by the item (shares) or battery (indices)."""
    ours = {}
    for row in indicators.to_dict("records"):
        for entry in truth["indicators"]:
            if row["statistic"] == "share" and entry.get("variable") == row["variable"] \
                    and entry["statistic"] == "share" and [float(c) for c in entry["codes"]] == list(row["codes"]):
                ours[row["indicator"]] = entry["value"]
            if row["statistic"] == "index" and entry.get("battery") == row["battery"] \
                    and entry["statistic"] == "index_mean":
                ours[row["indicator"]] = entry["value"]
    return ours


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    population = build_survey_population(rng)
    truth = population_truth(population)
    dictionary = load_dictionary("survey")
    margins_dictionary = load_dictionary("survey_population_margins")
    margins = popfacts.population_margins(False)
    indicators = indicator_definitions(dictionary)
    true_values = _truth_by_indicator(truth, indicators)
    headline = indicators[indicators["indicator"].isin(list(true_values))]
    rows = []
    for replication in range(REPLICATIONS):
        sample = draw_survey_sample(population, rng)
        prepared = prepare_survey(sample, dictionary, margins, margins_dictionary)
        estimates = estimate_indicators(prepared.design, headline)
        for row in estimates.itertuples(index=False):
            value = true_values[row.indicator]
            rows.append({"replication": replication, "indicator": row.indicator, "kind": row.kind,
                         "truth": value, "estimate": row.estimate,
                         "covered": row.ci_low <= value <= row.ci_high})
    return pd.DataFrame(rows)


def test_every_headline_indicator_has_a_truth() -> None:
    # the generator defines a true value for every social-distance share and attitude index
    indicators = indicator_definitions(load_dictionary("survey"))
    truth = {"indicators": [dict(d, value=0.0) for d in truth_definitions()]}
    matched = _truth_by_indicator(truth, indicators)
    wanted = indicators[indicators["kind"].eq("social_distance") | indicators["statistic"].eq("index")]
    assert len(wanted) == 25 and set(wanted["indicator"]) <= set(matched)


def test_pooled_coverage_of_the_95_percent_intervals(coverage: pd.DataFrame) -> None:
    headline = coverage[coverage["kind"].isin(["social_distance", "attitude"])]
    assert headline["indicator"].nunique() == 25  # 21 social-distance items + 4 attitude indices
    assert headline["covered"].mean() >= 0.90, headline.groupby("indicator")["covered"].mean()
    assert coverage["covered"].mean() >= 0.90


def test_every_indicator_covers_at_least_85_percent(coverage: pd.DataFrame) -> None:
    per_indicator = coverage.groupby("indicator")["covered"].mean()
    assert (per_indicator >= 0.85).all(), per_indicator[per_indicator < 0.85]


def test_estimates_are_unbiased_within_simulation_error(coverage: pd.DataFrame) -> None:
    # mean error over 100 samples, against 3 Monte Carlo standard errors of that mean
    grouped = coverage.assign(error=coverage["estimate"] - coverage["truth"]).groupby("indicator")["error"]
    bias, mc_se = grouped.mean(), grouped.std() / np.sqrt(REPLICATIONS)
    assert (bias.abs() <= 3.5 * mc_se + 1e-3).all(), (bias / mc_se).sort_values()
