"""Report 01, public attitudes: weighted survey estimates, findings first, methods last.

``analyse(study, ...)`` prepares the survey once (design from the dictionary's roles, raking to
the population margins when the study has them, the region's domain) and estimates every
indicator; ``sections(analysis, disclosure)`` returns the report's sections: key findings;
acceptance of each group, social distance, other batteries, single questions, differences
between population groups (Rao-Scott, one Holm family) and the exploratory models of the
attitude scores; then methods (``attitudes_methods``): weighting, reliability of the scores,
non-answers. Every variable is found by its role or battery tag, every label comes from the
dictionary, every small-cell decision from ``disclosure``. The analysis is in ``workbench.survey``
(``preparation``, ``indicator_estimates``, ``comparisons``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.regions import dictionary_region_codes, study_region, study_regions
from workbench.reports.attitudes_methods import (nonresponse_section, no_data, region_label, scales_section,
                                                 weighting_section)
from workbench.reports.sections import Chart, Finding, Section, Table, Text
from workbench.study import Study
from workbench.survey.comparisons import compare_all, compare_questions, holm_family
from workbench.survey.indicator_estimates import estimate_indicators, index_model
from workbench.survey.instrument import (
    ATTITUDE, BREAKDOWN, BREAKDOWN_ROLES, PREDICTOR_ROLES, QUESTION, SOCIAL_DISTANCE, answer_scores,
    breakdowns, questions)
from workbench.survey.labels import battery_reading, code_label, counted_answers, variable_label, with_labels
from workbench.survey.preparation import PreparedSurvey, domain, prepare_survey, respondents
from workbench.survey.study_datasets import find_margins, find_survey
from workbench.survey.design import SurveyDesign

REPORT = "01_public_attitudes"
#: a raking margin cell needs at least this many respondents, else the margin is collapsed
MIN_RESPONDENTS = 20
#: a difference is called a difference when its Holm-adjusted p-value is below this
ALPHA_LEVEL = 0.05
#: at most this many key findings (issue 14: 5-7)
MAX_FINDINGS = 7
#: a share whose whole interval lies above this is a majority, below it a minority
MAJORITY = 0.5
#: the columns of the estimates (also when a dictionary declares no indicator at all)
ESTIMATE_COLUMNS = ["indicator", "statistic", "battery", "kind", "group", "variable", "estimate", "se", "ci_low",
                    "ci_high", "df", "deff", "n", "n_missing", "battery_label", "item_label"]


@dataclass
class Attitudes:
    """One edition's analysed survey: the prepared design, its domain and every estimate."""

    study: Study
    name: str
    dictionary: Any
    prepared: PreparedSurvey
    design: SurveyDesign
    base: SurveyDesign
    estimates: pd.DataFrame
    language: str
    region: Any
    margins: str | None
    min_respondents: int
    alpha_level: float

    @property
    def usable(self) -> bool:
        return respondents(self.design) > 0

    def label(self, name: str) -> str:
        """A variable's or battery's label in the report language."""
        if name in self.dictionary.batteries:
            return self.dictionary.label(name, self.language)
        return variable_label(self.dictionary, name, self.language)

    def code(self, variable: str, code: Any) -> str:
        return code_label(self.dictionary, variable, code, self.language)

    def rows(self, kind: str, statistic: str | None = None) -> pd.DataFrame:
        indicators = self.prepared.indicators
        rows = indicators[indicators["kind"] == kind]
        return rows if statistic is None else rows[rows["statistic"] == statistic]


def title(study: Study, language: str) -> Text | str:
    """The study's own title for this report (study.yaml ``reports:``), else the catalogue's."""
    from workbench import overview

    return overview.study_text(study, REPORT, "title", language) or Text("qa_title")


def intro(study: Study, language: str) -> Text | str:
    """The study's own introduction for this report, else the catalogue's."""
    from workbench import overview

    return overview.study_text(study, REPORT, "intro", language) or Text("qa_intro")


def analyse(study: Study, region: Any = None, language: str = "en", survey: str | None = None,
            margins: str | None = None, min_respondents: int | None = None,
            alpha_level: float | None = None) -> Attitudes:
    """The survey (``survey`` or found by its roles), raked to ``margins`` (or
    ``<survey>_population_margins`` when the study has it), restricted to ``region``;
    ``min_respondents`` and ``alpha_level`` default to ``MIN_RESPONDENTS`` and ``ALPHA_LEVEL``."""
    min_respondents = MIN_RESPONDENTS if min_respondents is None else int(min_respondents)
    alpha_level = ALPHA_LEVEL if alpha_level is None else float(alpha_level)
    region = study_region(study, region)  # a code or label of any dataset: the region's one name
    name = find_survey(study, survey)
    dictionary = study.dictionary(name)
    margins_name = margins if margins is not None else find_margins(study, name)
    data = study.read(name)
    if margins_name:
        prepared = prepare_survey(data, dictionary, study.read(margins_name), study.dictionary(margins_name),
                                     min_respondents=int(min_respondents))
    else:
        prepared = prepare_survey(data, dictionary)
    design, base = domain(prepared, region)
    estimates = pd.DataFrame(columns=ESTIMATE_COLUMNS)
    if respondents(design) > 0 and len(prepared.indicators):
        estimates = with_labels(estimate_indicators(design, prepared.indicators), dictionary, language)
    return Attitudes(study, name, dictionary, prepared, design, base, estimates, language, region, margins_name,
                     int(min_respondents), float(alpha_level))


# ---- the body ---------------------------------------------------------------------------------
def acceptance_table(a: Attitudes) -> pd.DataFrame:
    """Per attitude battery: score (index) and favourable share with their intervals."""
    columns = ["battery", "scale", "index", "index_low", "index_high", "favourable", "favourable_low",
               "favourable_high", "deff", "respondents", "n_missing"]
    if not a.usable:
        return pd.DataFrame(columns=columns)
    by = a.estimates.set_index("indicator")
    rows = []
    for index_row, fav_row in zip(a.rows(ATTITUDE, "index").itertuples(),
                                  a.rows(ATTITUDE, "favourable").itertuples()):
        idx, fav = by.loc[index_row.indicator], by.loc[fav_row.indicator]
        rows.append({"battery": a.label(index_row.battery),
                     "scale": f"{index_row.scale_min:g}–{index_row.scale_max:g}",
                     "index": idx["estimate"], "index_low": idx["ci_low"], "index_high": idx["ci_high"],
                     "favourable": fav["estimate"], "favourable_low": fav["ci_low"], "favourable_high": fav["ci_high"],
                     "deff": fav["deff"], "respondents": int(idx["n"]), "n_missing": int(idx["n_missing"]),
                     "name": index_row.battery})
    return pd.DataFrame(rows, columns=columns + ["name"])


def acceptance_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """The score and favourable share of each group, with the battery's own reading."""
    table = acceptance_table(a)
    if not len(table):
        return Section("acceptance", "qa_acceptance", [no_data(a, "qa_no_attitude")])
    blocks: list[Any] = [Text("qa_acceptance_intro")]
    for row in table.itertuples():
        if disclosure.allows(row.respondents):
            blocks.append(Text("qa_acceptance_group", {
                "group": row.battery, "index": row.index, "low": row.index_low, "high": row.index_high,
                "scale": row.scale, "share": row.favourable, "share_low": row.favourable_low,
                "share_high": row.favourable_high, "missing": row.n_missing}))
        reading = battery_reading(a.dictionary, row.name, a.language)
        if reading:  # the dictionary's wording, a value: never Markdown source
            blocks.append(Text("qa_reading", {"group": row.battery, "reading": reading}))
    shown = table.drop(columns="name")
    blocks.append(Table("acceptance", "qa_acceptance_table", shown, count="respondents", labels=("battery", "scale"),
                        percent=("favourable", "favourable_low", "favourable_high"),
                        decimals={"index": 2, "index_low": 2, "index_high": 2, "deff": 2}))
    blocks.append(Chart("acceptance", "interval", shown, x="battery", y="favourable", low="favourable_low",
                        high="favourable_high", count="respondents", percent=True, title_key="qa_acceptance_chart"))
    return Section("acceptance", "qa_acceptance", blocks)


def _share_table(part: pd.DataFrame, label: str = "item") -> pd.DataFrame:
    return pd.DataFrame({"battery": part["battery_label"].to_numpy(), label: part["item_label"].to_numpy(),
                         "share": part["estimate"].to_numpy(float), "ci_low": part["ci_low"].to_numpy(float),
                         "ci_high": part["ci_high"].to_numpy(float), "deff": part["deff"].to_numpy(float),
                         "respondents": part["n"].astype(int).to_numpy(),
                         "n_missing": part["n_missing"].astype(int).to_numpy()})


def _extremes(table: pd.DataFrame, value: str, disclosure: Disclosure, count: str = "respondents"
              ) -> tuple[pd.Series, pd.Series] | None:
    """The rows with the highest and lowest ``value`` among those the disclosure allows."""
    allowed = table[~disclosure.too_few(table[count])]
    if len(allowed) < 2:
        return None
    return allowed.loc[allowed[value].idxmax()], allowed.loc[allowed[value].idxmin()]


def distance_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """Share who would accept a member of each group in each role."""
    if not (a.usable and len(a.rows(SOCIAL_DISTANCE))):
        return Section("social-distance", "qa_social_distance", [no_data(a, "qa_no_social_distance")])
    estimates = a.estimates[a.estimates["kind"] == SOCIAL_DISTANCE]
    blocks: list[Any] = [Text("qa_social_distance_intro")]
    for battery, part in estimates.groupby("battery", sort=False):
        ends = _extremes(_share_table(part), "share", disclosure)
        if ends is not None:
            top, bottom = ends
            blocks.append(Text("qa_social_distance_group", {"group": a.label(battery), "high": top["share"],
                                                            "high_item": top["item"], "low": bottom["share"],
                                                            "low_item": bottom["item"]}))
        reading = battery_reading(a.dictionary, battery, a.language)
        if reading:
            blocks.append(Text("qa_reading", {"group": a.label(battery), "reading": reading}))
    table = _share_table(estimates)
    blocks.append(Table("social-distance", "qa_social_distance_table", table, count="respondents",
                        labels=("battery", "item"), percent=("share", "ci_low", "ci_high"), decimals={"deff": 2}))
    blocks.append(Chart("social-distance", "bars", table, x="item", y="share", low="ci_low", high="ci_high",
                        color="battery", meaning="group", count="respondents", percent=True,
                        title_key="qa_social_distance_chart"))
    return Section("social-distance", "qa_social_distance", blocks)


def other_section(a: Attitudes) -> Section | None:
    """Batteries that are neither attitudes, social distance nor single questions (None when none)."""
    indicators = a.prepared.indicators
    other = indicators[~indicators["kind"].isin([ATTITUDE, SOCIAL_DISTANCE, QUESTION])]
    if not (a.usable and len(other)):
        return None
    codes = other.set_index("indicator")["codes"]
    blocks: list[Any] = [Text("qa_other_intro")]
    estimates = a.estimates[a.estimates["indicator"].isin(other["indicator"])]
    for battery, part in estimates.groupby("battery", sort=False):
        table = _share_table(part).drop(columns=["battery", "deff"])
        table.insert(1, "counted", [counted_answers(a.dictionary, v, codes[i], a.language)
                                    for i, v in zip(part["indicator"], part["variable"])])
        blocks.append(Table(f"other-{battery}", "qa_other_table", table, count="respondents",
                            labels=("item", "counted"), percent=("share", "ci_low", "ci_high"),
                            title_values={"group": a.label(battery)}))
    return Section("other", "qa_other", blocks)


def answers_table(a: Attitudes) -> pd.DataFrame:
    """Each single question's answers: weighted share with its interval."""
    answers = a.estimates[a.estimates["kind"] == QUESTION] if a.usable else pd.DataFrame()
    if not len(answers):
        return pd.DataFrame(columns=["question", "answer", "share", "ci_low", "ci_high", "deff", "respondents",
                                     "n_missing"])
    codes = a.prepared.indicators.set_index("indicator").loc[answers["indicator"], "codes"]
    table = _share_table(answers, "question").drop(columns="battery")
    table.insert(1, "answer", [counted_answers(a.dictionary, v, c, a.language)
                               for v, c in zip(answers["variable"], codes)])
    table["variable"] = answers["variable"].to_numpy()
    return table


def questions_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """The single questions (role ``question``): every answer's weighted share."""
    if not (a.usable and questions(a.dictionary)):
        return Section("questions", "qa_questions", [no_data(a, "qa_no_questions")])
    table = answers_table(a)
    blocks: list[Any] = [Text("qa_questions_intro")]
    for _, part in table.groupby("variable", sort=False):
        allowed = part[~disclosure.too_few(part["respondents"])]
        if len(allowed):
            top = allowed.loc[allowed["share"].idxmax()]
            blocks.append(Text("qa_question_reading", {"question": top["question"], "answer": top["answer"],
                                                       "share": top["share"], "low": top["ci_low"],
                                                       "high": top["ci_high"], "n": int(top["respondents"])}))
    shown = table.drop(columns="variable")
    blocks.append(Table("questions", "qa_questions_table", shown, count="respondents", labels=("question", "answer"),
                        percent=("share", "ci_low", "ci_high"), decimals={"deff": 2}))
    blocks.append(Chart("questions", "bars", shown, x="question", y="share", low="ci_low", high="ci_high",
                        color="answer", meaning="group", count="respondents", percent=True,
                        title_key="qa_questions_chart"))
    return Section("questions", "qa_questions", blocks)


# ---- differences and models: one family of tests ------------------------------------------------
@dataclass
class Comparisons:
    """The report's tests: favourable shares and single questions by every breakdown, Holm-
    adjusted as one family; the breakdowns compared and the roles the dictionary lacks."""

    levels: pd.DataFrame
    tests: pd.DataFrame
    question_levels: pd.DataFrame
    question_tests: pd.DataFrame
    available: list[tuple[str, str]]
    absent: list[str]
    regional: bool


def compare(a: Attitudes) -> Comparisons:
    """Every favourable share and single question by every breakdown; one Holm family."""
    available = breakdowns(a.dictionary)
    found = {role for role, _ in available}
    absent = [role for role in BREAKDOWN_ROLES if role not in found and role != BREAKDOWN]
    regional = a.region is not None and any(role == BREAKDOWN_ROLES[0] for role, _ in available)
    if regional:
        available = [(r, v) for r, v in available if r != BREAKDOWN_ROLES[0]]
    empty_tests = pd.DataFrame(columns=["variable", "p_value", "p_holm", "difference"])
    levels, tests = pd.DataFrame(), empty_tests
    question_levels, question_tests = pd.DataFrame(), empty_tests
    favourable = a.rows(ATTITUDE, "favourable")
    names = questions(a.dictionary)
    if a.usable and available:
        families = []
        if len(favourable):
            levels, tests = compare_all(a.design, favourable, available, alpha=a.alpha_level)
            families.append(tests)
        if names:
            question_levels, question_tests = compare_questions(a.design, a.dictionary, names, available)
            families.append(question_tests)
        adjusted = holm_family(families, alpha=a.alpha_level)
        if len(favourable):
            tests = adjusted.pop(0)
        if names:
            question_tests = adjusted.pop(0)
    return Comparisons(levels, tests, question_levels, question_tests, available, absent, regional)


def _verdicts(tests: pd.DataFrame) -> list[Text]:
    return [Text("qa_verdict_difference") if d else Text("qa_verdict_none") if not pd.isna(p)
            else Text("qa_verdict_untestable") for d, p in zip(tests["difference"], tests["p_value"])]


def _test_table(a: Attitudes, tests: pd.DataFrame, first: str, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({first: labels, "breakdown": [a.label(v) for v in tests["variable"]],
                         "F": tests["F"].to_numpy(float), "ndf": tests["ndf"].to_numpy(float),
                         "ddf": tests["ddf"].to_numpy(float), "p_value": tests["p_value"].to_numpy(float),
                         "p_holm": tests["p_holm"].to_numpy(float), "verdict": _verdicts(tests)})


def _model_supports(models: pd.DataFrame, battery: str, variable: str) -> bool:
    """Does the (Holm-adjusted) model of ``battery`` show a difference by ``variable``?"""
    if not len(models):
        return False
    hits = models[(models["battery"] == battery) & (models["variable"] == variable)]
    return bool(hits["difference"].any())


def differences_section(a: Attitudes, c: Comparisons, models: pd.DataFrame, disclosure: Disclosure) -> Section:
    """Favourable shares and single questions by population group, with their tests."""
    blocks: list[Any] = []
    if c.absent:
        blocks.append(Text("qa_breakdowns_absent", {"roles": [Text(f"qa_role_{r}") for r in c.absent]}))
    if c.regional:
        blocks.append(Text("qa_breakdown_region_national", {"region": region_label(a)}))
    if not a.usable:
        return Section("differences", "qa_differences", blocks + [Text("qa_section_no_data")])
    if not c.available:
        return Section("differences", "qa_differences", blocks + [Text("qa_no_breakdowns")])
    if len(c.tests):
        blocks += _battery_differences(a, c, models, disclosure)
    elif not questions(a.dictionary):
        blocks.append(Text("qa_no_attitude"))
    if len(c.question_tests):
        blocks += _question_differences(a, c, disclosure)
    return Section("differences", "qa_differences", blocks)


def _level_frame(a: Attitudes, levels: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"breakdown": [a.label(v) for v in levels["variable"]],
                         "category": [a.code(v, c) for v, c in zip(levels["variable"], levels["category"])],
                         "share": levels["estimate"].to_numpy(float), "ci_low": levels["ci_low"].to_numpy(float),
                         "ci_high": levels["ci_high"].to_numpy(float),
                         "respondents": levels["n"].astype(int).to_numpy()})


def _battery_differences(a: Attitudes, c: Comparisons, models: pd.DataFrame, disclosure: Disclosure) -> list[Any]:
    blocks: list[Any] = [Text("qa_differences_intro", {"alpha": a.alpha_level})]
    for battery, part in c.tests.groupby("battery", sort=False):
        for row in part[part["difference"]].itertuples():
            levels = c.levels[(c.levels["battery"] == battery) & (c.levels["variable"] == row.variable)]
            ends = _extremes(_level_frame(a, levels), "share", disclosure)
            if ends is not None:
                top, bottom = ends
                blocks.append(Text("qa_difference_supported", {
                    "group": a.label(battery), "breakdown": a.label(row.variable), "high": top["share"],
                    "high_level": top["category"], "low": bottom["share"], "low_level": bottom["category"],
                    "F": row.F, "p": row.p_value, "p_holm": row.p_holm}))
        untested = part[~part["difference"] & part["p_value"].notna()]
        by_model = [v for v in untested["variable"] if _model_supports(models, battery, v)]
        unsupported = [v for v in untested["variable"] if v not in by_model]
        if unsupported:
            blocks.append(Text("qa_difference_not_supported", {"group": a.label(battery),
                                                               "breakdowns": ", ".join(map(a.label, unsupported))}))
        if by_model:  # the model, other things equal, does find one: never say "no difference" here
            blocks.append(Text("qa_difference_model_only", {"group": a.label(battery),
                                                            "breakdowns": ", ".join(map(a.label, by_model))}))
    table = _level_frame(a, c.levels)
    table.insert(0, "battery", [a.label(b) for b in c.levels["battery"]])
    blocks.append(Table("differences", "qa_differences_table", table, count="respondents",
                        labels=("battery", "breakdown", "category"), percent=("share", "ci_low", "ci_high")))
    blocks.append(Table("tests", "qa_tests_table", _test_table(a, c.tests, "battery", list(map(a.label, c.tests["battery"]))),
                        count=None, labels=("battery", "breakdown", "verdict"), pvalues=("p_value", "p_holm")))
    blocks.append(Chart("differences", "forest", table, x="category", y="share", low="ci_low", high="ci_high",
                        group="breakdown", color="battery", meaning="group", count="respondents", percent=True,
                        title_key="qa_differences_chart"))
    return blocks


def _question_differences(a: Attitudes, c: Comparisons, disclosure: Disclosure) -> list[Any]:
    blocks: list[Any] = [Text("qa_question_differences_intro", {"alpha": a.alpha_level})]
    levels = c.question_levels
    frame = _level_frame(a, levels)
    frame.insert(0, "question", [a.label(q) for q in levels["question"]])
    frame.insert(3, "answer", [a.code(q, v) for q, v in zip(levels["question"], levels["answer"])])
    for question, part in c.question_tests.groupby("question", sort=False):
        scores = answer_scores(a.dictionary, question)
        top_answer = max(scores, key=scores.get)  # the answer at the top of the declared order
        for row in part[part["difference"]].itertuples():
            mask = ((levels["question"] == question) & (levels["variable"] == row.variable)
                    & (levels["answer"] == top_answer)).to_numpy()
            ends = _extremes(frame[mask], "share", disclosure)
            if ends is not None:
                high, low = ends
                blocks.append(Text("qa_question_difference", {
                    "question": a.label(question), "breakdown": a.label(row.variable), "F": row.F,
                    "p": row.p_value, "p_holm": row.p_holm, "answer": high["answer"], "high": high["share"],
                    "high_level": high["category"], "low": low["share"], "low_level": low["category"]}))
        unsupported = part[~part["difference"] & part["p_value"].notna()]
        if len(unsupported):
            blocks.append(Text("qa_question_no_difference", {
                "question": a.label(question), "breakdowns": ", ".join(map(a.label, unsupported["variable"]))}))
    blocks.append(Table("question-differences", "qa_question_differences_table", frame, count="respondents",
                        labels=("question", "breakdown", "category", "answer"), percent=("share", "ci_low", "ci_high")))
    tests = c.question_tests
    blocks.append(Table("question-tests", "qa_question_tests_table",
                        _test_table(a, tests, "question", list(map(a.label, tests["question"]))),
                        count=None, labels=("question", "breakdown", "verdict"), pvalues=("p_value", "p_holm")))
    chart = frame.assign(where=frame["question"] + " · " + frame["breakdown"])
    blocks.append(Chart("question-differences", "forest", chart, x="category", y="share", low="ci_low", high="ci_high",
                        group="where", color="answer", meaning="group", count="respondents", percent=True,
                        title_key="qa_question_differences_chart"))
    return blocks


def predictors(a: Attitudes) -> list[str]:
    """The model's characteristics (roles in ``PREDICTOR_ROLES``; no stratum in a regional edition)."""
    found = breakdowns(a.dictionary, PREDICTOR_ROLES)
    if a.region is not None:
        found = [(r, v) for r, v in found if r != PREDICTOR_ROLES[-1]]
    return [v for _, v in found]


def models(a: Attitudes, disclosure: Disclosure) -> tuple[pd.DataFrame, list[str]]:
    """Linear models of each attitude score on the characteristics, one Holm family over all
    their coefficients (``p_holm``, ``difference``); and the batteries whose model could not be
    estimated (too few respondents or clusters)."""
    names = predictors(a)
    parts, skipped = [], []
    if not (a.usable and names):
        return pd.DataFrame(), skipped
    for row in a.rows(ATTITUDE, "index").itertuples():
        coefficients = index_model(a.design, a.dictionary, row.indicator, names)
        if len(coefficients) == 0 or not disclosure.allows(coefficients["n"].iloc[0]):
            skipped.append(row.battery)
            continue
        parts.append(coefficients.assign(battery=row.battery))
    if not parts:
        return pd.DataFrame(), skipped
    (table,) = holm_family([pd.concat(parts, ignore_index=True)], alpha=a.alpha_level)
    return table, skipped


def determinants_section(a: Attitudes, fitted: pd.DataFrame, skipped: list[str]) -> Section:
    """Who holds more accepting views, other things equal (exploratory, Holm-adjusted)."""
    names = predictors(a)
    if not (a.usable and len(a.rows(ATTITUDE, "index")) and names):
        return Section("determinants", "qa_determinants", [no_data(a, "qa_no_model")])
    blocks: list[Any] = [Text("qa_determinants_intro", {"predictors": ", ".join(map(a.label, names)),
                                                        "alpha": a.alpha_level})]
    blocks += [Text("qa_model_not_estimable", {"group": a.label(b)}) for b in skipped]
    if not len(fitted):
        return Section("determinants", "qa_determinants", blocks)
    for battery, part in fitted.groupby("battery", sort=False):
        for term in part[part["difference"]].itertuples():
            blocks.append(Text("qa_model_higher" if term.estimate > 0 else "qa_model_lower", {
                "group": a.label(battery), "variable": a.label(term.variable),
                "level": a.code(term.variable, term.category), "reference": a.code(term.variable, term.reference),
                "size": abs(term.estimate), "low": term.ci_low, "high": term.ci_high, "p": term.p_value,
                "p_holm": term.p_holm}))
        if not part["difference"].any():
            blocks.append(Text("qa_model_nothing", {"group": a.label(battery)}))
    table = pd.DataFrame({
        "battery": [a.label(b) for b in fitted["battery"]],
        "term": [Text("qa_term", {"variable": a.label(v), "level": a.code(v, c), "reference": a.code(v, r)})
                 for v, c, r in zip(fitted["variable"], fitted["category"], fitted["reference"])],
        "coefficient": fitted["estimate"].to_numpy(float), "ci_low": fitted["ci_low"].to_numpy(float),
        "ci_high": fitted["ci_high"].to_numpy(float), "p_value": fitted["p_value"].to_numpy(float),
        "p_holm": fitted["p_holm"].to_numpy(float), "df": fitted["df"].to_numpy(float),
        "respondents_model": fitted["n"].astype(int).to_numpy()})
    blocks.append(Table("models", "qa_model_table", table, count=None, labels=("battery", "term"),
                        pvalues=("p_value", "p_holm"),
                        decimals={"coefficient": 2, "ci_low": 2, "ci_high": 2, "df": 0}))
    blocks.append(Chart("models", "forest", table, x="term", y="coefficient", low="ci_low", high="ci_high",
                        color="battery", meaning="group", title_key="qa_model_chart"))
    return Section("determinants", "qa_determinants", blocks)


def region_respondents(a: Attitudes) -> int:
    """Interviews in the edition's region, from ``study_facts.respondents_by_region``."""
    name, codes = dictionary_region_codes(a.dictionary, a.region)
    english = a.dictionary.value_labels(name, "en")
    rows = {study_facts.region_name(english.get(code, code), regions=study_regions(a.study)) for code in codes}
    table = study_facts.respondents_by_region(a.study, dataset=a.name)
    return int(table.loc[table["region"].astype(str).isin(rows), "respondents"].sum())


# ---- key findings -------------------------------------------------------------------------------
def _favourable_key(low: float, high: float) -> str:
    """Majority, minority or split: where the interval of a share lies against one half."""
    return ("qa_finding_favourable_majority" if low > MAJORITY else "qa_finding_favourable_minority"
            if high < MAJORITY else "qa_finding_favourable_split")


def findings_section(a: Attitudes, c: Comparisons, fitted: pd.DataFrame, disclosure: Disclosure) -> Section:
    """5-7 plain-language findings, each linked to the section that shows its evidence."""
    blocks: list[Any] = []
    if not a.usable:
        return Section("findings", "key_findings", [Text("qa_region_absent", {"region": region_label(a)})],
                       part="findings")
    for row in acceptance_table(a).itertuples():
        if disclosure.allows(row.respondents):
            blocks.append(Finding(_favourable_key(row.favourable_low, row.favourable_high), "acceptance", {
                "group": row.battery, "share": row.favourable, "low": row.favourable_low,
                "high": row.favourable_high}))
    distance = a.estimates[a.estimates["kind"] == SOCIAL_DISTANCE]
    if len(distance):
        ends = _extremes(_share_table(distance), "share", disclosure)
        if ends is not None:
            top, bottom = ends
            blocks.append(Finding("qa_finding_distance", "social-distance", {
                "low_group": bottom["battery"], "low_item": bottom["item"], "low": bottom["share"],
                "low_low": bottom["ci_low"], "low_high": bottom["ci_high"], "high_group": top["battery"],
                "high_item": top["item"], "high": top["share"]}))
    tested = [t[t["p_value"].notna()] for t in (c.tests, c.question_tests)]
    if sum(map(len, tested)):
        supported = int(sum(t["difference"].sum() for t in tested))
        blocks.append(Finding("qa_finding_differences" if supported else "qa_finding_no_differences", "differences",
                              {"tests": sum(map(len, tested)), "supported": supported}))
    if len(fitted):
        supported = int(fitted["difference"].sum())
        blocks.append(Finding("qa_finding_models" if supported else "qa_finding_no_models", "determinants",
                              {"terms": len(fitted), "supported": supported}))
    answers = answers_table(a)
    answers = answers[~disclosure.too_few(answers["respondents"])]
    if len(answers):
        top = answers.loc[answers["share"].idxmax()]
        blocks.append(Finding("qa_finding_question", "questions", {
            "question": top["question"], "answer": top["answer"], "share": top["share"], "low": top["ci_low"],
            "high": top["ci_high"]}))
    blocks = blocks[:MAX_FINDINGS] or [Text("qa_no_findings")]
    if a.region is not None:
        blocks.append(Text("qa_region_domain", {"region": region_label(a), "n": region_respondents(a)}))
    return Section("findings", "key_findings", blocks, part="findings")


def sections(a: Attitudes, disclosure: Disclosure) -> list[Section]:
    """The report's sections in report order: findings, body, methods."""
    comparisons = compare(a)
    fitted, skipped = models(a, disclosure)
    found = [findings_section(a, comparisons, fitted, disclosure), acceptance_section(a, disclosure),
             distance_section(a, disclosure), other_section(a), questions_section(a, disclosure),
             differences_section(a, comparisons, fitted, disclosure), determinants_section(a, fitted, skipped),
             weighting_section(a, disclosure), scales_section(a, disclosure), nonresponse_section(a, disclosure)]
    return [s for s in found if s is not None]
