"""Dictionary-driven questionnaire helpers on small hand-made data.

Every expected number is worked out by hand in the comment next to it, or computed with an
independent formula (textbook weighted-SRS variance, statsmodels OLS, statsmodels' Holm).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from workbench.errors import WorkbenchError
from workbench.schemas import load_dictionary, parse_dictionary
from workbench.survey.battery_reliability import reliability
from workbench.survey.comparisons import compare, holm
from workbench.survey.design_description import margin_table
from workbench.survey.indicator_estimates import estimate_indicators, index_model, nonresponse_shares
from workbench.survey.indicators import analysis_frame, indicator_definitions
from workbench.survey.instrument import DERIVED_AGE_GROUP, batteries, breakdowns, positive_codes
from workbench.survey.labels import code_label
from workbench.survey.population_margins import rake_margins
from workbench.survey.preparation import domain, prepare_survey, respondents

AGREE5 = {c: {"en": f"a{c}", "ru": f"a{c}"} for c in range(1, 6)}
SUPPORT4 = {c: {"en": f"s{c}", "ru": f"s{c}"} for c in range(1, 5)}
YES_NO = {1: {"en": "Yes", "ru": "Да"}, 0: {"en": "No", "ru": "Нет"}}


def _dictionary() -> object:
    """A small questionnaire: strata, clusters, weight, sex, an attitude battery (one item
    reversed), a yes/no social-distance battery and a 4-point support battery."""
    item = {"type": "integer", "role": "item", "missing_codes": [98, 99]}
    return parse_dictionary({
        "dictionary": "mini", "id": "rid",
        "missing_codes": {98: {"en": "Don't know", "ru": "Не знаю"}, 99: {"en": "Refused", "ru": "Отказ"}},
        "batteries": {"att": {"label": {"en": "Attitude", "ru": "Отношение"}, "kind": "attitude", "group": "g"},
                      "sd": {"label": {"en": "Distance", "ru": "Дистанция"}, "kind": "social_distance", "group": "g"},
                      "sup": {"label": {"en": "Support", "ru": "Поддержка"}, "kind": "support", "group": "all"}},
        "variables": [
            {"name": "rid", "type": "integer", "role": "id", "label": "id"},
            {"name": "reg", "type": "integer", "role": "stratum", "label": {"en": "Region", "ru": "Регион"},
             "values": {1: {"en": "North", "ru": "Север"}, 2: {"en": "South", "ru": "Юг"}}},
            {"name": "clu", "type": "integer", "role": "cluster", "label": "cluster"},
            {"name": "w", "type": "number", "role": "weight", "label": "weight"},
            {"name": "gender", "type": "integer", "role": "sex", "label": {"en": "Sex", "ru": "Пол"},
             "values": {1: {"en": "Man", "ru": "Мужчина"}, 2: {"en": "Woman", "ru": "Женщина"}}},
            {"name": "a1", **item, "battery": "att", "values": AGREE5, "label": "a1"},
            {"name": "a2", **item, "battery": "att", "values": AGREE5, "reversed": True, "label": "a2"},
            {"name": "a3", **item, "battery": "att", "values": AGREE5, "label": "a3"},
            {"name": "d1", **item, "battery": "sd", "values": YES_NO, "label": {"en": "Neighbour", "ru": "Сосед"}},
            {"name": "s1", **item, "battery": "sup", "values": SUPPORT4, "label": "s1"},
        ]})


def _data() -> pd.DataFrame:
    return pd.DataFrame({
        "rid": [1, 2, 3, 4, 5, 6],
        "reg": [1, 1, 1, 2, 2, 2],
        "clu": [1, 1, 2, 3, 4, 4],
        "w": [1.0, 2.0, 3.0, 4.0, 1.0, 1.0],
        "gender": [1, 2, 1, 2, 1, 2],
        "a1": [5, 1, 3, 4, 98, 2],
        "a2": [2, 5, 3, 1, 3, 4],
        "a3": [4, 1, 3, 5, 3, 99],
        "d1": [1, 0, 98, 1, 1, 0],
        "s1": [4, 3, 2, 1, 99, 3],
    })


def test_batteries_found_by_kind_and_group() -> None:
    dictionary = _dictionary()
    assert [b.name for b in batteries(dictionary, kind="attitude")] == ["att"]
    assert [b.name for b in batteries(dictionary, group="g")] == ["att", "sd"]
    att = batteries(dictionary, kind="attitude")[0]
    assert att.items == ("a1", "a2", "a3") and att.reversed_items == ("a2",)
    assert (att.scale_min, att.scale_max) == (1.0, 5.0)


def test_indicator_definitions_count_the_upper_half_of_each_scale() -> None:
    indicators = indicator_definitions(_dictionary()).set_index("indicator")
    # attitude battery -> index and favourable; every other item -> a share
    assert list(indicators.index) == ["index__att", "favourable__att", "share__d1", "share__s1"]
    assert indicators.loc["share__d1", "codes"] == (1.0,)          # yes of a yes/no item
    assert indicators.loc["share__s1", "codes"] == (3.0, 4.0)      # codes 3-4 of 1..4 (midpoint 2.5)
    dictionary = load_dictionary("survey")
    # 5-point item of the demo: midpoint 3, so 4-5 are counted and 3 is neither
    assert positive_codes(dictionary, "att_fp_1") == [4.0, 5.0]


def test_analysis_frame_index_favourable_and_shares_by_hand() -> None:
    dictionary = _dictionary()
    frame = analysis_frame(_data(), dictionary, indicator_definitions(dictionary))
    # a2 reversed as 6 - a2: row 1: (5 + 4 + 4)/3 = 4.3333; row 2: (1 + 1 + 1)/3 = 1; row 3: 3;
    # row 4: (4 + 5 + 5)/3 = 4.6667; row 5 has a1 = 98 and row 6 a3 = 99: no index
    np.testing.assert_allclose(frame["index__att"], [13 / 3, 1.0, 3.0, 14 / 3, np.nan, np.nan])
    # favourable = index above the midpoint 3 (exactly 3 is not favourable)
    np.testing.assert_array_equal(frame["favourable__att"], [1.0, 0.0, 0.0, 1.0, np.nan, np.nan])
    np.testing.assert_array_equal(frame["share__d1"], [1.0, 0.0, np.nan, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(frame["share__s1"], [1.0, 1.0, 0.0, 0.0, np.nan, 1.0])
    assert "index__att" not in _data().columns  # the input is not modified


def test_share_estimate_and_se_match_the_textbook_formula() -> None:
    dictionary = _dictionary()
    prepared = prepare_survey(_data(), dictionary)
    estimates = estimate_indicators(prepared.design, prepared.indicators).set_index("indicator")
    row = estimates.loc["share__d1"]
    # substantive answers: rows 1, 2, 4, 5, 6 with weights 1, 2, 4, 1, 1 and yes on rows 1, 4, 5:
    # share = (1 + 4 + 1) / 9 = 2/3; one "don't know" (row 3) is counted in n_missing
    assert row["estimate"] == pytest.approx(6 / 9)
    assert (row["n"], row["n_missing"]) == (5, 1)
    # Taylor SE, stratified cluster sample with replacement: cluster totals of
    # z = w (y - p) / sum(w), centred within strata, sum_h n_h/(n_h - 1) sum (z_c - zbar_h)^2
    data = _data()
    valid = data["d1"].isin([0, 1])
    w, y = data["w"].where(valid, 0.0), (data["d1"] == 1).astype(float)
    z = w * (y - 6 / 9) / w.sum()
    totals = z.groupby([data["reg"], data["clu"]]).sum()
    variance = 0.0
    for _, part in totals.groupby(level=0):
        variance += len(part) / (len(part) - 1) * ((part - part.mean()) ** 2).sum()
    assert row["se"] == pytest.approx(np.sqrt(variance), rel=1e-10)
    # df = clusters holding an answer (1, 3, 4: cluster 2's only member said "don't know")
    # minus strata (2), as the engine documents (R's degf on the rows used)
    assert row["df"] == 1


def test_nonresponse_shares_by_hand() -> None:
    dictionary = _dictionary()
    prepared = prepare_survey(_data(), dictionary)
    table = nonresponse_shares(prepared.design, dictionary, ["a1", "a3", "d1"]).set_index("variable")
    # weights sum to 12; a1 = 98 on row 5 (w 1): 1/12; a3 = 99 on row 6 (w 1): 1/12;
    # d1 = 98 on row 3 (w 3): 3/12
    assert table.loc["a1", "share_98"] == pytest.approx(1 / 12)
    assert table.loc["a1", "share_99"] == 0.0
    assert table.loc["a3", "share_99"] == pytest.approx(1 / 12)
    assert table.loc["d1", "share_98"] == pytest.approx(3 / 12)
    assert (table.loc["d1", "n_98"], table.loc["d1", "n"]) == (1, 6)
    # within a domain (South: rows 4-6, weights 4, 1, 1), a1's "don't know" is 1/6
    south, _ = domain(prepared, "Юг")
    assert nonresponse_shares(south, dictionary, ["a1"])["share_98"].iloc[0] == pytest.approx(1 / 6)


def _margins_dictionary() -> object:
    return parse_dictionary({
        "dictionary": "mini_margins",
        "variables": [
            {"name": "margin", "type": "string", "label": "margin",
             "values": {"reg_sex": {"en": "Region x sex", "ru": "Регион x пол"}}},
            {"name": "reg", "type": "integer", "role": "stratum", "label": "region"},
            {"name": "gender", "type": "integer", "label": "sex"},
            {"name": "population", "type": "integer", "role": "population_size", "label": "N"},
            {"name": "source", "type": "string", "role": "text", "label": "source"},
        ]})


def _margins_table() -> pd.DataFrame:
    # region x sex: North 30 men, 20 women; South 10 men, 40 women (total 100)
    return pd.DataFrame({"margin": ["reg_sex"] * 4, "reg": [1, 1, 2, 2], "gender": [1, 2, 1, 2],
                         "population": [30, 20, 10, 40], "source": ["hand"] * 4})


def test_margins_used_whole_when_cells_are_large_enough() -> None:
    dictionary = _dictionary()
    frame = analysis_frame(_data(), dictionary, indicator_definitions(dictionary))
    # every region x sex cell of the sample has at least 1 respondent
    margins = rake_margins(frame, dictionary, _margins_table(), _margins_dictionary(), min_respondents=1)
    assert margins.margins == {"margin__reg__gender": {"1|1": 30.0, "1|2": 20.0, "2|1": 10.0, "2|2": 40.0}}
    assert list(margins.plan["status"]) == ["used"]


def test_margins_collapse_to_national_and_strata_when_cells_are_small() -> None:
    dictionary = _dictionary()
    frame = analysis_frame(_data(), dictionary, indicator_definitions(dictionary))
    # region x sex cells have 1-2 respondents (< 3): the margin becomes sex (30 + 10 = 40 men,
    # 20 + 40 = 60 women; 3 respondents each) and region (50 / 50; 3 respondents each)
    margins = rake_margins(frame, dictionary, _margins_table(), _margins_dictionary(), min_respondents=3)
    assert margins.margins == {"margin__gender": {"1": 40.0, "2": 60.0}, "margin__reg": {"1": 50.0, "2": 50.0}}
    assert list(margins.plan["status"]) == ["collapsed", "collapsed"]
    assert set(margins.plan["full_smallest_cell"]) == {1}
    # with 4 required, even the single dimensions fail: both are dropped and nothing is raked
    dropped = rake_margins(frame, dictionary, _margins_table(), _margins_dictionary(), min_respondents=4)
    assert dropped.margins == {} and list(dropped.plan["status"]) == ["dropped", "dropped"]


def test_raked_weights_meet_the_margins() -> None:
    dictionary = _dictionary()
    prepared = prepare_survey(_data(), dictionary, _margins_table(), _margins_dictionary(), min_respondents=1)
    weights = prepared.design.weights
    data = _data()
    for (reg, sex), target in {(1, 1): 30, (1, 2): 20, (2, 1): 10, (2, 2): 40}.items():
        cell = ((data["reg"] == reg) & (data["gender"] == sex)).to_numpy()
        assert weights[cell].sum() == pytest.approx(target)
    table = margin_table(prepared, "en")
    # population shares of the margin: 30/100 for North, Man
    north_men = table[table["cell"] == "North, Man"].iloc[0]
    assert north_men["population"] == pytest.approx(0.30) and north_men["after"] == pytest.approx(0.30)
    # before raking North men carry weights 1 + 3 = 4 of 12
    assert north_men["before"] == pytest.approx(4 / 12)


def test_margins_that_do_not_add_up_are_refused() -> None:
    dictionary = _dictionary()
    frame = analysis_frame(_data(), dictionary, indicator_definitions(dictionary))
    table = pd.concat([_margins_table(), pd.DataFrame({"margin": ["reg_only"] * 2, "reg": [1, 2],
                                                       "gender": [None, None], "population": [50, 60],
                                                       "source": ["hand"] * 2})], ignore_index=True)
    with pytest.raises(WorkbenchError, match="same total"):
        rake_margins(frame, dictionary, table, _margins_dictionary(), min_respondents=1)


def test_holm_by_hand_with_a_test_that_could_not_run() -> None:
    # Oracle: Holm (1979) by hand. Four p-values sorted 0.01, 0.03, 0.04, 0.2 are multiplied by
    # 4, 3, 2, 1: 0.04, 0.09, 0.08 -> 0.09 (running maximum), 0.2; the NaN is no test of the family
    p = [0.01, 0.04, 0.03, 0.2, np.nan]
    np.testing.assert_allclose(holm(p)[:4], [0.04, 0.09, 0.09, 0.2])
    assert np.isnan(holm(p)[4])
    np.testing.assert_allclose(holm([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    assert holm([]).size == 0


def test_compare_gives_weighted_shares_per_level() -> None:
    dictionary = _dictionary()
    prepared = prepare_survey(_data(), dictionary)
    table, test = compare(prepared.design, "share__d1", "gender")
    table = table.set_index("category")
    # men with an answer: rows 1 (w 1, yes), 5 (w 1, yes): 2/2; women: rows 2 (w 2, no),
    # 4 (w 4, yes), 6 (w 1, no): 4/7
    assert table.loc[1, "estimate"] == pytest.approx(1.0)
    assert table.loc[2, "estimate"] == pytest.approx(4 / 7)
    assert (table.loc[1, "n"], table.loc[2, "n"]) == (2, 3)
    assert set(test) == {"F", "ndf", "ddf", "p_value"}


def test_reliability_equals_the_textbook_alpha_after_reverse_coding() -> None:
    dictionary = _dictionary()
    data = pd.concat([_data()] * 3, ignore_index=True)
    data["rid"] = range(1, len(data) + 1)
    data["w"] = 1.0
    data.loc[6:, "a1"] = [4, 2, 3, 5, 4, 1, 3, 4, 2, 5, 1, 3]
    prepared = prepare_survey(data, dictionary)
    battery = batteries(dictionary, kind="attitude")[0]
    summary, items = reliability(prepared.design, dictionary, battery)
    # Cronbach (1951): k/(k-1) (1 - sum of item variances / variance of the sum), complete cases,
    # a2 scored 6 - a2
    scores = data[["a1", "a2", "a3"]].astype(float)
    scores = scores[~scores.isin([98, 99]).any(axis=1)]
    scores["a2"] = 6 - scores["a2"]
    k = 3
    alpha = k / (k - 1) * (1 - scores.var(ddof=0).sum() / scores.sum(axis=1).var(ddof=0))
    assert summary["alpha"] == pytest.approx(alpha)
    assert summary["n"] == len(scores)
    assert list(items["reversed"]) == [False, True, False]


def test_index_model_matches_ols_with_equal_weights() -> None:
    rng = np.random.default_rng(3)
    n = 120
    data = pd.DataFrame({"rid": range(1, n + 1), "reg": np.repeat([1, 2], n // 2),
                         "clu": np.repeat(np.arange(12), n // 12), "w": 1.0,
                         "gender": rng.integers(1, 3, n), "a1": rng.integers(1, 6, n), "a2": rng.integers(1, 6, n),
                         "a3": rng.integers(1, 6, n), "d1": rng.integers(0, 2, n), "s1": rng.integers(1, 5, n)})
    dictionary = _dictionary()
    prepared = prepare_survey(data, dictionary)
    table = index_model(prepared.design, dictionary, "index__att", ["gender", "reg"]).set_index("term")
    frame = prepared.design.data
    x = sm.add_constant(pd.DataFrame({"g": (frame["gender"] == 2).astype(float), "r": (frame["reg"] == 2).astype(float)}))
    ols = sm.OLS(frame["index__att"], x).fit()
    # point estimates of a survey-weighted linear model with equal weights are OLS's
    assert table.loc["gender[T.2]", "estimate"] == pytest.approx(ols.params["g"])
    assert table.loc["reg[T.2]", "estimate"] == pytest.approx(ols.params["r"])
    assert table.loc["gender[T.2]", "reference"] == 1
    assert code_label(dictionary, "gender", table.loc["gender[T.2]", "category"], "ru") == "Женщина"


def test_domain_by_english_or_russian_label_and_unknown_region() -> None:
    dictionary = _dictionary()
    prepared = prepare_survey(_data(), dictionary)
    north, _ = domain(prepared, "North")
    assert respondents(north) == 3
    assert respondents(domain(prepared, "Север")[0]) == 3
    assert respondents(domain(prepared, "North".upper())[0]) == 3  # case does not matter
    with pytest.raises(WorkbenchError, match="unknown region") as err:  # issue 15: never silently empty
        domain(prepared, "Atlantis")
    assert "North" in str(err.value)  # the error lists the known values
    # the domain keeps the whole design: a domain share's df counts only its own clusters
    estimate = estimate_indicators(north, prepared.indicators).set_index("indicator")
    # North: substantive d1 answers on rows 1 (yes, w 1) and 2 (no, w 2): 1/3
    assert estimate.loc["share__d1", "estimate"] == pytest.approx(1 / 3)


def test_second_dictionary_gets_derived_age_groups_and_roles() -> None:
    dictionary = load_dictionary("survey_alt")
    assert [r for r, _ in breakdowns(dictionary)] == ["stratum", "sex", "age_group"]
    assert dict(breakdowns(dictionary))["age_group"] == DERIVED_AGE_GROUP
    data = pd.DataFrame({"age_years": [18, 29, 30, 44, 45, 59, 60, 80]})
    for name, var in dictionary.variables.items():
        if name != "age_years":
            data[name] = next(iter(var.values), 1) if var.values else 1
    frame = analysis_frame(data, dictionary, indicator_definitions(dictionary))
    np.testing.assert_array_equal(frame[DERIVED_AGE_GROUP], [1, 1, 2, 2, 3, 3, 4, 4])
    assert code_label(dictionary, DERIVED_AGE_GROUP, 4) == "60+"
    # survey_alt's 4-point agreement items: the upper half is 3-4
    assert positive_codes(dictionary, "q5_a") == [3.0, 4.0]


def test_missing_variable_is_a_workbench_error() -> None:
    dictionary = _dictionary()
    with pytest.raises(WorkbenchError, match="lacks variables"):
        analysis_frame(_data().drop(columns="a2"), dictionary, indicator_definitions(dictionary))
