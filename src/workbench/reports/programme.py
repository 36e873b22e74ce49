"""Report 07, programme monitoring: the officers' training, the quality of probation
supervision, and the register's facts and figures on violent-extremist offenders.

``sections(study, ...)`` returns the report's sections: key findings first, then training,
supervision quality and the register, and the definitions and methods last. The analysis is
``workbench.programme`` (tests, reviews, register) and ``workbench.study_facts`` (figures
other reports show too); this module only chooses what the report says. Supervision checks
are clustered (standards within a review, reviews within an office), so their intervals
come from ``programme.supervision.clustered_intervals``, not from a binomial formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench import programme as pg
from workbench import study_facts
from workbench.agreement import agreement_band
from workbench.regions import study_regions
from workbench.disclosure import Disclosure
from workbench.overview import filter_region
from workbench.reports.sections import Chart, Finding, Reference, Section, Table, Text
from workbench.study import Study
from workbench.survey.comparisons import holm

REPORT = "07_programme_monitoring"
#: points a post-test must gain over the pre-test for an officer to count as "improved"
MIN_GAIN = 1
#: pooled share of standards met below which an office is "below standard"
THRESHOLD = 0.80
#: family-wise error rate of the question-by-question McNemar tests (Holm)
ALPHA = 0.05
FIRST_YEAR, LAST_YEAR = 2017, 2024
#: supervision checks: the office is the cluster of the national figures, the review the
#: cluster of an office's own figure
OFFICE_CLUSTER, REVIEW_CLUSTER = "office_id", "review_id"
RESULT_COLUMNS = ["n_paired", "mean_pre_pct", "mean_post_pct", "mean_change_pct", "n_improved", "share_improved",
                  "improved_low", "improved_high"]
RESULT_DECIMALS = {"mean_pre_pct": 1, "mean_post_pct": 1, "mean_change_pct": 1, "share_improved": 0,
                   "improved_low": 0, "improved_high": 0}
MET_DECIMALS = {"share_met": 0, "met_low": 0, "met_high": 0}


def title(study: Study, language: str) -> Text:
    """The report's title (catalogue)."""
    return Text("pm_title")


def intro(study: Study, language: str) -> Text:
    """The report's introduction (catalogue)."""
    return Text("pm_intro")


def published_figures(study: Study) -> dict[str, Any]:
    """Figures the programme published for this report (study.yaml ``reports:
    07_programme_monitoring: published:``), e.g. ``share_improved: 0.95``; empty if none."""
    entry = ((study.spec.get("reports") or {}).get(REPORT) or {}).get("published")
    return dict(entry) if isinstance(entry, dict) else {}


@dataclass
class Training:
    """The training data of one edition: officers (of the region), their trainers, scores."""

    officers: pd.DataFrame
    trainers: pd.DataFrame
    officer_tests: pd.DataFrame
    items: list[str]
    scores: pd.DataFrame
    trainer_scores: pd.DataFrame


def training_data(study: Study, region: Any = None, min_gain: float = MIN_GAIN) -> Training:
    """Officers trained (in ``region``), the national trainers who trained them, and the scores."""
    participants = study.read("training_participants")
    tests = study.read("training_tests")
    items = study.dictionary("training_tests").battery_items("classification_knowledge")
    officers = filter_region(participants[participants["role"] == "officer"], study.dictionary("training_participants"),
                             region)
    trainers = participants[(participants["role"] == "trainer") & participants["participant_id"].isin(officers["trainer_id"])]
    officer_tests = tests[(tests["course"] == "officers") & tests["participant_id"].isin(officers["participant_id"])]
    trainer_tests = tests[(tests["course"] == "tot") & tests["participant_id"].isin(trainers["participant_id"])]
    attributes = officers[["participant_id", "sex", "region", "office_id", "trainer_id"]]
    return Training(officers, trainers, officer_tests, list(items),
                    pg.participant_scores(officer_tests, items, min_gain=min_gain, attributes=attributes),
                    pg.participant_scores(trainer_tests, items, min_gain=min_gain))


def _results(scores: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    return pg.results_by(scores, by or []).rename(columns={"ci_low": "improved_low", "ci_high": "improved_high"})


def _labels(study: Study, dataset: str, column: str, language: str) -> dict[Any, str]:
    """Code -> label of a variable; regions in the one spelling of ``study_facts.region_name``."""
    labels = study.dictionary(dataset).value_labels(column, "en" if column == "region" else language)
    if column == "region":
        return {code: study_facts.region_name(label, language, study_regions(study)) for code, label in labels.items()}
    return labels


def training_section(data: Training, study: Study, disclosure: Disclosure, language: str,
                     region: Any = None, min_gain: float = MIN_GAIN) -> Section:
    """Who was trained, the share of officers who improved (in the national edition against
    the published national figure), the scores."""
    improved = pg.share_improved(data.scores, language=language).iloc[0]
    means = pg.results_by(data.scores).iloc[0]
    blocks: list[Any] = [Text("pm_training_intro")]
    if disclosure.allows(min(len(data.trainers), len(data.officers))):
        who = pg.participant_counts(pd.concat([data.trainers, data.officers])).set_index("role")
        blocks.append(Text("pm_training_who", {"trainers": who.loc["trainer", "n"],
                                                "trainer_women": who.loc["trainer", "n_female"],
                                                "officers": who.loc["officer", "n"],
                                                "officer_women": who.loc["officer", "n_female"]}))
    if region is None:  # the service's staff and offices are national facts
        blocks.append(Text("pm_coverage", coverage_facts(study)))
    if disclosure.allows(improved["n_paired"]):
        blocks.append(Text("pm_improved", {"n_improved": improved["n_improved"], "n_paired": improved["n_paired"],
                                           "share": improved["share_improved"], "low": improved["ci_low"],
                                           "high": improved["ci_high"], "definition": improved["definition"]}))
        published = published_figures(study).get("share_improved") if region is None else None
        if published is not None:
            inside = improved["ci_low"] <= float(published) <= improved["ci_high"]
            blocks.append(Text("pm_published_inside" if inside else "pm_published_outside",
                               {"published": float(published), "share": improved["share_improved"],
                                "low": improved["ci_low"], "high": improved["ci_high"]}))
        blocks.append(Text("pm_scores_mean", {"pre": means["mean_pre_pct"], "post": means["mean_post_pct"],
                                              "max_score": float(data.scores["max_score"].iloc[0])}))
        if improved["n_without_post"] > 0:
            blocks.append(Text("pm_without_post", {"n": improved["n_without_post"]}))
    else:
        blocks.append(Text("pm_too_few"))
    glance = pd.concat([_results(data.trainer_scores).assign(trained_group=Text("pm_group_trainers")),
                        _results(data.scores).assign(trained_group=Text("pm_group_officers"))], ignore_index=True)
    blocks.append(Table("training-results", "pm_glance_table",
                        glance[["trained_group", "n_participants", "n_without_post", *RESULT_COLUMNS]],
                        count="n_paired", labels=("trained_group",), percent=("share_improved", "improved_low",
                                                                              "improved_high"),
                        decimals={**RESULT_DECIMALS, "n_participants": 0, "n_without_post": 0, "n_paired": 0,
                                  "n_improved": 0},
                        note=Text("pm_definition_note", {"definition": improved["definition"]})))
    paired = data.scores[data.scores["has_post"]]
    changes = paired.groupby("change").size().rename("officers_changed").reset_index()
    changes = changes.rename(columns={"change": "score_change"})
    blocks.append(Chart("score-change", "bars", changes, x="score_change", y="officers_changed",
                        title_key="pm_change_chart", count="officers_changed",
                        references=(Reference(min_gain - 0.5, "pm_improved_line", on="x", values={"gain": min_gain}),)))
    return Section("training", "pm_training", blocks)


def paired_section(data: Training, disclosure: Disclosure) -> Section:
    """Paired tests of post- against pre-test scores (Wilcoxon, paired t)."""
    paired = pg.paired_score_tests(data.scores)
    blocks: list[Any] = [Text("pm_paired_explain")]
    named = paired.set_index("test")
    if disclosure.allows(int(data.scores["has_post"].sum())) and "paired_t" in named.index:
        wilcoxon, t_test = named.loc["wilcoxon_signed_rank"], named.loc["paired_t"]
        blocks.append(Text("pm_paired_result", {"median": wilcoxon["estimate"], "p": wilcoxon["p_value"],
                                                "r": wilcoxon["effect"], "mean": t_test["estimate"],
                                                "low": t_test["ci_low"], "high": t_test["ci_high"],
                                                "d": t_test["effect"]}))
    table = pd.DataFrame({"paired_test": [Text(f"pm_test_{name}") for name in paired["test"]],
                          "officer_pairs": paired["n_pairs"], "n_nonzero": paired["n_nonzero"],
                          "change_points": paired["estimate"], "change_low": paired["ci_low"],
                          "change_high": paired["ci_high"], "test_statistic": paired["statistic"],
                          "paired_p": paired["p_value"], "effect_size": paired["effect"]})
    blocks.append(Table("paired-tests", "pm_paired_table", table, count="officer_pairs", labels=("paired_test",),
                        pvalues=("paired_p",), decimals={"officer_pairs": 0, "n_nonzero": 0, "effect_size": 2},
                        note=Text("pm_paired_note")))
    return Section("paired", "pm_paired_heading", blocks)


def items_section(data: Training, study: Study, disclosure: Disclosure, language: str,
                  alpha: float = ALPHA) -> Section:
    """Question by question: McNemar's test (Holm-adjusted) and item difficulty and discrimination."""
    dictionary = study.dictionary("training_tests")
    names = {item: dictionary.label(item, language) for item in data.items}
    mcnemar = pg.item_mcnemar(data.officer_tests, data.items)
    mcnemar["p_holm"] = holm(mcnemar["p_value"])
    better = int(((mcnemar["post_correct"] > mcnemar["pre_correct"]) & (mcnemar["p_holm"] < alpha)).sum())
    blocks: list[Any] = [Text("pm_mcnemar_explain")]
    if disclosure.allows(int(data.scores["has_post"].sum())):
        blocks.append(Text("pm_mcnemar_result", {"k": better, "m": len(data.items), "alpha": alpha}))
    table = pd.DataFrame({"test_question": mcnemar["item"].map(names), "officer_pairs": mcnemar["n_pairs"],
                          "pre_correct": mcnemar["pre_correct"], "post_correct": mcnemar["post_correct"],
                          "n_correct_pre_only": mcnemar["n_correct_pre_only"],
                          "n_correct_post_only": mcnemar["n_correct_post_only"],
                          "mcnemar_p": mcnemar["p_value"], "mcnemar_p_holm": mcnemar["p_holm"]})
    blocks.append(Table("item-mcnemar", "pm_mcnemar_table", table, count="officer_pairs", labels=("test_question",),
                        percent=("pre_correct", "post_correct"), pvalues=("mcnemar_p", "mcnemar_p_holm"),
                        decimals={"officer_pairs": 0, "pre_correct": 0, "post_correct": 0, "n_correct_pre_only": 0,
                                  "n_correct_post_only": 0}))
    stats = pg.item_statistics(data.officer_tests, data.items)
    wide = stats.pivot(index="item", columns="phase", values=["difficulty", "discrimination"])
    wide.columns = [f"{statistic}_{phase}" for statistic, phase in wide.columns]
    wide = wide.reindex(data.items).reset_index()
    wide["tested_officers"] = stats.groupby("item")["n"].min().reindex(data.items).to_numpy()
    wide["test_question"] = wide["item"].map(names)
    blocks.append(Text("pm_items_explain"))
    blocks.append(Table("item-statistics", "pm_item_stats_table",
                        wide[["test_question", "tested_officers", "difficulty_pre", "difficulty_post", "discrimination_pre",
                              "discrimination_post"]],
                        count="tested_officers", labels=("test_question",), decimals={"tested_officers": 0, "difficulty_pre": 2,
                                                                                  "difficulty_post": 2,
                                                                                  "discrimination_pre": 2,
                                                                                  "discrimination_post": 2}))
    number = {item: str(i) for i, item in enumerate(data.items, start=1)}
    long = stats.assign(question_number=stats["item"].map(number),
                        test_phase=stats["phase"].map({"pre": Text("pm_phase_pre"), "post": Text("pm_phase_post")}))
    blocks.append(Chart("item-difficulty", "bars", long.rename(columns={"n": "tested_officers"}),
                        x="question_number", y="difficulty", color="test_phase", meaning="group", count="tested_officers",
                        percent=True, title_key="pm_difficulty_chart"))
    return Section("items", "pm_items_heading", blocks)



def _table_or_note(table: Table, hidden: Any, disclosure: Disclosure, instead: str) -> Table | Text:
    """``table``, or a note naming it where more than half of its figures would be hidden
    (``hidden``: one boolean per value cell or row; ``Disclosure.mostly_hidden``): a grid of
    markers tells a reader nothing (issue 14.4). ``instead``: the catalogue key saying which
    aggregate shown elsewhere in the report stands for the table."""
    if not disclosure.mostly_hidden(hidden):
        return table
    return Text("pm_table_aggregated", {"table": Text(table.title_key, table.title_values),
                                        "min_cell": disclosure.min_cell, "instead": Text(instead)})


def _trainer_names(data: Training) -> dict[Any, Text]:
    """National trainers by number ("Trainer 3"), in the order of their ids."""
    ids = sorted(pd.unique(data.officers["trainer_id"].dropna()), key=str)
    return {trainer: Text("pm_trainer_number", {"number": i}) for i, trainer in enumerate(ids, start=1)}


def results_by_section(data: Training, study: Study, language: str, disclosure: Disclosure) -> Section:
    """The officers' results by national trainer, region and sex, each with the all-officers
    row; a breakdown with most rows hidden is a note (the all-officers result stands for it)."""
    names = {"trainer_id": _trainer_names(data), "region": _labels(study, "training_participants", "region", language),
             "sex": _labels(study, "training_participants", "sex", language)}
    columns = {"trainer_id": "trainer", "region": "region", "sex": "sex"}
    overall = _results(data.scores)
    blocks: list[Any] = [Text("pm_results_by_intro")]
    for dimension, column in columns.items():
        by = _results(data.scores, [dimension])
        by[column] = by[dimension].map(names[dimension])
        table = pd.concat([by, overall.assign(**{column: Text("pm_group_all_officers")})], ignore_index=True)
        blocks.append(_table_or_note(
            Table(f"results-by-{column}", f"pm_results_by_{dimension}", table[[column, *RESULT_COLUMNS]],
                  count="n_paired", labels=(column,), percent=("share_improved", "improved_low", "improved_high"),
                  decimals={**RESULT_DECIMALS, "n_paired": 0, "n_improved": 0}),
            disclosure.too_few(by["n_paired"]), disclosure, "pm_instead_all_officers"))
    return Section("results-by", "pm_results_by_heading", blocks)


def trainers_section(data: Training, disclosure: Disclosure) -> Section:
    """The national trainers' own training, next to the results of the officers each trained."""
    improved = pg.share_improved(data.trainer_scores).iloc[0]
    means = pg.results_by(data.trainer_scores).iloc[0]
    blocks: list[Any] = [Text("pm_tot_intro")]
    if disclosure.allows(improved["n_paired"]):
        blocks.append(Text("pm_tot_result", {"n_improved": improved["n_improved"], "n_paired": improved["n_paired"],
                                             "share": improved["share_improved"], "low": improved["ci_low"],
                                             "high": improved["ci_high"], "pre": means["mean_pre_pct"],
                                             "post": means["mean_post_pct"]}))
    else:
        blocks.append(Text("pm_too_few"))
    own = pg.trainer_results(data.scores, data.trainer_scores).rename(
        columns={"ci_low": "improved_low", "ci_high": "improved_high"})
    own["trainer"] = own["trainer_id"].map(_trainer_names(data))
    own = own[own["trainer"].notna()]
    columns = ["trainer", "tot_pre_pct", "tot_post_pct", "tot_change_pct", *RESULT_COLUMNS]
    table = Table("trainers", "pm_tot_table", own[[c for c in columns if c not in ("mean_pre_pct", "mean_post_pct")]],
                  count="n_paired", labels=("trainer",), percent=("share_improved", "improved_low", "improved_high"),
                  decimals={**RESULT_DECIMALS, "tot_pre_pct": 1, "tot_post_pct": 1, "tot_change_pct": 1,
                            "n_paired": 0, "n_improved": 0})
    blocks.append(_table_or_note(table, disclosure.too_few(own["n_paired"]), disclosure, "pm_instead_pooled_tot"))
    if isinstance(blocks[-1], Table) and disclosure.too_few(own["n_paired"]).any():
        blocks.append(Text("pm_tot_small"))
    return Section("trainers", "pm_tot_heading", blocks)


@dataclass
class Supervision:
    """The reviews of one edition: offices (of the region), all reviews, internal reviews, standards."""

    offices: pd.DataFrame
    reviews: pd.DataFrame
    internal: pd.DataFrame
    standards: list[str]


def supervision_data(study: Study, region: Any = None) -> Supervision:
    """Offices in ``region`` and their reviews; the internal ones are the monitoring figures."""
    offices = filter_region(study.read("offices"), study.dictionary("offices"), region)
    reviews = study.read("supervision_reviews")
    reviews = reviews[reviews["office_id"].isin(offices["office_id"])]
    standards = study.dictionary("supervision_reviews").battery_items("supervision_standards")
    return Supervision(offices, reviews, reviews[reviews["reviewer_type"] == "internal"], list(standards))


def _standard_names(study: Study, standards: list[str], language: str) -> dict[str, Any]:
    dictionary = study.dictionary("supervision_reviews")
    return {**{s: dictionary.label(s, language) for s in standards}, "ALL": Text("pm_all_standards")}


def _met(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns={"ci_low": "met_low", "ci_high": "met_high"})


def standards_section(data: Supervision, study: Study, disclosure: Disclosure, language: str,
                      threshold: float = THRESHOLD) -> list[Section]:
    """Reviews carried out, then the share of each standard met, with office-clustered intervals."""
    dictionary = study.dictionary("supervision_reviews")
    counts = pg.review_counts(data.reviews)
    counts = pd.DataFrame({
        "reviewer_type": counts["reviewer_type"].map(dictionary.value_labels("reviewer_type", language)),
        "review_kind": counts["review_kind"].map(dictionary.value_labels("review_kind", language)),
        "n_reviews": counts["n_reviews"], "reviewed_offices": counts["n_offices"], "case_files": counts["n_cases"],
        "first_review": counts["first_date"].dt.strftime("%Y-%m-%d"),
        "last_review": counts["last_date"].dt.strftime("%Y-%m-%d")})
    supervision = Section("supervision", "pm_supervision", [
        Text("pm_supervision_intro", {"threshold": threshold}),
        Table("review-counts", "pm_review_counts_table", counts, count=None,
              labels=("reviewer_type", "review_kind", "first_review", "last_review"), decimals=0)])
    blocks: list[Any] = []
    names = _standard_names(study, data.standards, language)
    by_standard = _met(pg.compliance(data.internal, data.standards, cluster=OFFICE_CLUSTER))
    by_standard["checklist_standard"] = by_standard["standard"].map(names)
    pooled = by_standard[by_standard["standard"] == "ALL"].iloc[0]
    single = by_standard[(by_standard["standard"] != "ALL") & ~disclosure.too_few(by_standard["n_applicable"])]
    if disclosure.allows(pooled["n_applicable"]) and len(single):
        weakest = single.sort_values("share_met").iloc[0]
        blocks.append(Text("pm_compliance_all", {
            "share": pooled["share_met"], "low": pooled["met_low"], "high": pooled["met_high"],
            "n": pooled["n_applicable"], "reviews": pooled["n_reviews"], "offices": data.internal["office_id"].nunique(),
            "weakest": weakest["checklist_standard"], "weak_share": weakest["share_met"]}))
    blocks.append(Table("by-standard", "pm_by_standard_table",
                        by_standard[["checklist_standard", "n_applicable", "n_met", "share_met", "met_low", "met_high"]],
                        count="n_applicable", labels=("checklist_standard",),
                        percent=("share_met", "met_low", "met_high"),
                        decimals={**MET_DECIMALS, "n_applicable": 0, "n_met": 0}, note=Text("pm_share_met_definition")))
    blocks.append(Chart("by-standard", "forest", by_standard[by_standard["standard"] != "ALL"].sort_values("share_met"),
                        x="checklist_standard", y="share_met", low="met_low", high="met_high", count="n_applicable",
                        percent=True, title_key="pm_by_standard_chart", references=_threshold_line(threshold)))
    return [supervision, Section("standards", "pm_by_standard_heading", blocks)]


def _threshold_line(threshold: float) -> tuple[Reference, ...]:
    """The line of the compliance threshold on a chart of shares met."""
    return (Reference(threshold, "pm_threshold_line", values={"threshold": threshold}),)


def over_time_section(data: Supervision, study: Study, language: str, threshold: float = THRESHOLD) -> Section:
    """The pooled share of standards met per quarter, with office-clustered intervals, and each
    standard's share per quarter (quarters with too few applicable checks not drawn)."""
    over_time = _met(pg.compliance_over_time(data.internal, data.standards, cluster=OFFICE_CLUSTER))
    over_time = over_time.rename(columns={"period": "quarter"})
    pooled = over_time[over_time["standard"] == "ALL"]
    table = pooled[["quarter", "n_reviews", "n_applicable", "n_met", "share_met", "met_low", "met_high"]]
    names = _standard_names(study, data.standards, language)
    single = over_time[over_time["standard"] != "ALL"]
    single = single.assign(checklist_standard=single["standard"].map(names))
    return Section("over-time", "pm_over_time_heading", [
        Chart("over-time", "interval", table, x="quarter", y="share_met", low="met_low", high="met_high",
              count="n_applicable", percent=True, title_key="pm_over_time_pooled_chart",
              references=_threshold_line(threshold)),
        Chart("over-time-by-standard", "lines", single[["quarter", "checklist_standard", "share_met", "n_applicable"]],
              x="quarter", y="share_met", color="checklist_standard", meaning="group", count="n_applicable",
              percent=True, title_key="pm_over_time_standards_chart", references=_threshold_line(threshold)),
        Table("over-time", "pm_over_time_table", table, count="n_applicable", labels=("quarter",),
              percent=("share_met", "met_low", "met_high"),
              decimals={**MET_DECIMALS, "n_reviews": 0, "n_applicable": 0, "n_met": 0})])


def offices_section(data: Supervision, study: Study, language: str, threshold: float = THRESHOLD) -> Section:
    """Offices below the threshold, and every office's share met (intervals clustered by review)."""
    names = _standard_names(study, data.standards, language)
    regions = _labels(study, "offices", "region", language)
    scores = pg.office_scores(data.internal, data.offices, data.standards, threshold=threshold, cluster=REVIEW_CLUSTER)
    scores = _met(scores)
    yes_no = {True: Text("pm_yes"), False: Text("pm_no")}
    table = pd.DataFrame({
        "probation_office": scores["name_ru" if language == "ru" else "name_en"],
        "region": scores["region"].map(regions), "n_reviews": scores["n_reviews"],
        "n_applicable": scores["n_applicable"], "share_met": scores["share_met"], "met_low": scores["met_low"],
        "met_high": scores["met_high"], "below_standard": scores["below_standard"].map(yes_no),
        "clearly_below": scores["clearly_below"].map(yes_no), "n_standards_below": scores["n_standards_below"],
        "weakest_standard": scores["weakest_standard"].map(names)})
    reviewed = table[scores["n_reviews"] > 0]
    below = reviewed[scores["below_standard"]].sort_values("share_met")
    blocks: list[Any] = []
    if len(below):
        blocks.append(Text("pm_below_count", {"k": len(below), "m": len(reviewed), "threshold": threshold,
                                              "clearly": int(scores["clearly_below"].sum())}))
    else:
        blocks.append(Text("pm_below_none", {"m": len(reviewed), "threshold": threshold}))
    options = dict(count="n_reviews", labels=("probation_office", "region", "below_standard", "clearly_below",
                                              "weakest_standard"),
                   percent=("share_met", "met_low", "met_high"),
                   decimals={**MET_DECIMALS, "n_reviews": 0, "n_applicable": 0, "n_standards_below": 0})
    blocks.append(Table("offices-below", "pm_below_table", below, title_values={"threshold": threshold},
                        note=Text("pm_below_definition"), **options))
    blocks.append(Chart("offices", "bars", reviewed.sort_values("share_met"), x="probation_office", y="share_met",
                        low="met_low", high="met_high", count="n_reviews", percent=True, title_key="pm_offices_chart",
                        references=_threshold_line(threshold)))
    blocks.append(Table("offices", "pm_offices_table", table.sort_values(["region", "probation_office"]), **options))
    return Section("offices", "pm_offices_heading", blocks)


def agreement_section(data: Supervision, study: Study, disclosure: Disclosure, language: str) -> Section:
    """Agreement of internal and external reviewers on the same files (Cohen's kappa, by standard)."""
    names = _standard_names(study, data.standards, language)
    pairs = pg.paired_reviews(data.reviews)
    agreement = pg.reviewer_agreement(data.reviews, data.standards)
    overall = agreement[agreement["standard"] == "ALL"].iloc[0]
    bands = [Text(f"pm_kappa_band_{agreement_band(k, 'kappa')}") if pd.notna(k) else Text("pm_not_computed")
             for k in agreement["kappa"]]
    blocks: list[Any] = [Text("pm_agreement_intro")]
    if len(pairs) == 0:
        blocks.append(Text("pm_kappa_none"))
    elif disclosure.allows(overall["n_pairs"]) and pd.notna(overall["kappa"]):
        blocks.append(Text("pm_kappa_result", {
            "files": len(pairs), "n": overall["n_pairs"], "agree": overall["percent_agreement"],
            "kappa": overall["kappa"], "low": overall["kappa_ci_low"], "high": overall["kappa_ci_high"],
            "band": bands[int(agreement.index[agreement["standard"] == "ALL"][0])],
            "internal": overall["internal_share_met"], "external": overall["external_share_met"]}))
    else:
        blocks.append(Text("pm_too_few"))
    table = pd.DataFrame({"checklist_standard": agreement["standard"].map(names), "checks_paired": agreement["n_pairs"],
                          "percent_agreement": agreement["percent_agreement"], "kappa": agreement["kappa"],
                          "kappa_low": agreement["kappa_ci_low"], "kappa_high": agreement["kappa_ci_high"],
                          "kappa_band": bands, "internal_share_met": agreement["internal_share_met"],
                          "external_share_met": agreement["external_share_met"]})
    blocks.append(Table("agreement", "pm_agreement_table", table, count="checks_paired",
                        labels=("checklist_standard", "kappa_band"),
                        percent=("percent_agreement", "internal_share_met", "external_share_met"),
                        decimals={"checks_paired": 0, "percent_agreement": 0, "kappa": 2, "kappa_low": 2,
                                  "kappa_high": 2, "internal_share_met": 0, "external_share_met": 0},
                        note=Text("pm_kappa_note")))
    return Section("agreement", "pm_agreement_heading", blocks)


SETTINGS = {"prison": "pm_setting_prison", "probation": "pm_setting_probation", "other": "pm_setting_other"}
YEAR_COLUMNS = {"charged": ("charged", None), "convicted_total": ("convicted", "Total"),
                "convicted_prison": ("convicted", "prison"), "convicted_probation": ("convicted", "probation"),
                "convicted_other": ("convicted", "other"), "serving_prison": ("serving", "prison"),
                "serving_probation": ("serving", "probation")}


def register_by_year(by_sex: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """One row per year: people charged, convicted (by sentence) and serving on 31 December.

    The rows are the both-sexes totals of the table by sex (``facts_by_year``), one
    suppression run for both, so a cell hidden in one table is never shown in the other."""
    both = by_sex[by_sex["sex"] == "Total"]
    table = pd.DataFrame({"register_year": [str(y) for y in years]})
    for column, (measure, setting) in YEAR_COLUMNS.items():
        rows = both[(both["measure"] == measure) & (both["setting"].isna() if setting is None
                                                     else both["setting"] == setting)]
        counts = dict(zip(rows["year"].astype(int), rows["n"]))
        table[column] = pd.array([counts.get(y) for y in years], dtype="Int64")
    return table


def facts_section(study: Study, region: Any, disclosure: Disclosure, language: str,
                  first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[Section]:
    """The register's facts and figures: by year, by sex, by region (count grids suppressed
    by the report's ``Disclosure``, primary and secondary)."""
    dictionary = study.dictionary("ve_register")
    register = filter_region(study.read("ve_register"), dictionary, region)
    years = list(range(int(first_year), int(last_year) + 1))
    by_sex = pg.facts_by_year(register, ["sex"], years=years, disclosure=disclosure)
    by_year = register_by_year(by_sex, years)
    latest = by_year.iloc[-1]
    blocks: list[Any] = [Text("pm_facts_intro", {"first": first_year, "last": last_year}), Text("pm_facts_definitions")]
    values = [latest[c] for c in ("charged", "convicted_total", "serving_prison", "serving_probation")]
    if any(pd.isna(v) for v in values):
        blocks.append(Text("pm_facts_latest_hidden", {"year": last_year}))
    else:
        blocks.append(Text("pm_facts_latest", {"year": last_year, "charged": values[0], "convicted": values[1],
                                               "prison": values[2], "probation": values[3]}))
    blocks.append(Table("register-by-year", "pm_by_year_table", by_year, count="suppressed", labels=("register_year",)))
    long = by_year.melt(id_vars="register_year", var_name="measure", value_name="people").dropna(subset=["people"])
    long["register_measure"] = long["measure"].map(lambda m: Text(f"col_{m}"))
    for name, measures in (("flows", ("charged", "convicted_total")), ("stocks", ("serving_prison", "serving_probation"))):
        blocks.append(Chart(f"register-{name}", "bars", long[long["measure"].isin(measures)], x="register_year",
                            y="people", color="register_measure", meaning="group", title_key=f"pm_{name}_chart"))
    sex_labels = _labels(study, "ve_register", "sex", language)
    sexes = sorted(k for k in sex_labels)
    sex_blocks: list[Any] = []
    for measure in ("charged", "convicted", "serving"):
        rows = by_sex[by_sex["measure"] == measure]
        index = ["year"] if measure == "charged" else ["setting", "year"]
        wide = rows.pivot(index=index, columns="sex", values="n").reindex(columns=[*sexes, "Total"]).reset_index()
        if measure != "charged":
            order = {name: i for i, name in enumerate([*SETTINGS, "Total"])}
            wide = wide.sort_values(["setting", "year"], key=lambda c: c.map(order) if c.name == "setting" else c)
            wide["sentence_setting"] = wide["setting"].map(lambda s: Text(SETTINGS.get(s, "pm_total")))
        wide["register_year"] = wide["year"].astype(int).astype(str)
        headings = {str(code): sex_labels[code] for code in sexes}
        wide = wide.rename(columns={code: str(code) for code in sexes}).rename(columns={"Total": "total_people"})
        labels = ("register_year",) if measure == "charged" else ("sentence_setting", "register_year")
        sex_blocks.append(_table_or_note(
            Table(f"register-{measure}-by-sex", f"pm_by_sex_{measure}", wide[[*labels, *headings, "total_people"]],
                  count="suppressed", labels=labels, headings=headings),
            wide[[*headings, "total_people"]].isna(), disclosure, "pm_instead_by_year"))
    serving = by_sex[(by_sex["measure"] == "serving") & (by_sex["sex"] != "Total") & by_sex["setting"].isin(SETTINGS)]
    serving = serving.assign(register_year=serving["year"].astype(int).astype(str), people=serving["n"],
                             sex=serving["sex"].map(sex_labels))
    for setting in ("prison", "probation"):
        sex_blocks.append(Chart(f"register-serving-{setting}-by-sex", "bars", serving[serving["setting"] == setting],
                                x="register_year", y="people", color="sex", meaning="sex",
                                title_key="pm_by_sex_chart", title_values={"setting": Text(SETTINGS[setting])}))
    sections = [Section("register", "pm_facts", blocks), Section("register-by-sex", "pm_by_sex_heading", sex_blocks)]
    if region is not None:
        sections.append(Section("register-by-region", "pm_by_region_heading",
                                [Text("pm_by_region_skipped", {"region": study_facts.region_name(region, language, study_regions(study))})]))
        return sections
    regions = _labels(study, "ve_register", "region", language)
    codes = sorted(regions, key=str)
    region_blocks: list[Any] = []
    for measure in ("charged", "convicted"):
        counts = pg.facts_counts(register, measure, ["year", "region"], years=years, disclosure=disclosure,
                                 levels={"region": codes})
        wide = counts.pivot(index="year", columns="region", values="n").reindex(columns=[*codes, "Total"]).reset_index()
        wide["register_year"] = wide["year"].astype(int).astype(str)
        headings = {str(code): regions[code] for code in codes}
        wide = wide.rename(columns={code: str(code) for code in codes}).rename(columns={"Total": "total_people"})
        region_blocks.append(_table_or_note(
            Table(f"register-{measure}-by-region", f"pm_by_region_{measure}",
                  wide[["register_year", *headings, "total_people"]], count="suppressed",
                  labels=("register_year",), headings=headings),
            wide[[*headings, "total_people"]].isna(), disclosure, "pm_instead_national"))
    sections.append(Section("register-by-region", "pm_by_region_heading", region_blocks))
    return sections


def coverage_facts(study: Study) -> dict[str, Any]:
    """Officers trained, officer posts and offices of the service (``workbench.study_facts``,
    the one source reports 04, 05 and 06 use too)."""
    return {"officers_trained": int(study_facts.officers_trained(study)["officers"].sum()),
            "probation_staff": int(study_facts.probation_staff(study)["officers"].sum()),
            "probation_offices": int(study_facts.probation_offices(study)["offices"].sum())}


def findings_section(training: Training, supervision: Supervision, study: Study, region: Any, disclosure: Disclosure,
                     threshold: float = THRESHOLD, last_year: int = LAST_YEAR) -> Section:
    """Six key findings, each with its number, interval and meaning, linked to its section."""
    blocks: list[Any] = []
    improved = pg.share_improved(training.scores).iloc[0]
    if disclosure.allows(improved["n_paired"]):
        values = {"n_improved": improved["n_improved"], "n_paired": improved["n_paired"],
                  "share": improved["share_improved"], "low": improved["ci_low"], "high": improved["ci_high"]}
        published = published_figures(study).get("share_improved") if region is None else None
        if published is None:
            blocks.append(Finding("pm_finding_improved", "training", values))
        else:
            inside = improved["ci_low"] <= float(published) <= improved["ci_high"]
            blocks.append(Finding("pm_finding_improved_published" if inside else "pm_finding_improved_unlike_published",
                                  "training", {**values, "published": float(published)}))
        t_test = pg.paired_score_tests(training.scores).set_index("test")
        if "paired_t" in t_test.index:
            means = pg.results_by(training.scores).iloc[0]
            blocks.append(Finding("pm_finding_scores", "paired", {
                "pre": means["mean_pre_pct"], "post": means["mean_post_pct"],
                "change": t_test.loc["paired_t", "estimate"], "low": t_test.loc["paired_t", "ci_low"],
                "high": t_test.loc["paired_t", "ci_high"]}))
    if region is None:
        blocks.append(Finding("pm_finding_coverage", "training", coverage_facts(study)))
    pooled = pg.compliance(supervision.internal, supervision.standards, cluster=OFFICE_CLUSTER)
    pooled = pooled[pooled["standard"] == "ALL"].iloc[0]
    if disclosure.allows(pooled["n_applicable"]):
        blocks.append(Finding("pm_finding_compliance", "standards", {
            "share": pooled["share_met"], "low": pooled["ci_low"], "high": pooled["ci_high"], "threshold": threshold}))
    scores = pg.office_scores(supervision.internal, supervision.offices, supervision.standards, threshold=threshold)
    reviewed = scores[scores["n_reviews"] > 0]
    blocks.append(Finding("pm_finding_offices", "offices", {
        "k": int(reviewed["below_standard"].sum()), "m": len(reviewed), "threshold": threshold,
        "clearly": int(reviewed["clearly_below"].sum())}))
    overall = pg.reviewer_agreement(supervision.reviews, supervision.standards)
    overall = overall[overall["standard"] == "ALL"].iloc[0]
    if disclosure.allows(overall["n_pairs"]) and pd.notna(overall["kappa"]):
        blocks.append(Finding("pm_finding_agreement", "agreement", {
            "kappa": overall["kappa"], "low": overall["kappa_ci_low"], "high": overall["kappa_ci_high"],
            "band": Text(f"pm_kappa_band_{agreement_band(overall['kappa'], 'kappa')}")}))
    if region is None:
        serving = int(study_facts.ve_register_serving_probation(study, last_year)["people"].sum())
        if disclosure.allows(serving):
            blocks.append(Finding("pm_finding_register", "register", {"year": last_year, "ve_register_serving_probation": serving}))
    return Section("findings", "key_findings", blocks, part="findings")


def methods_section(training: Training, supervision: Supervision, study: Study, language: str) -> Section:
    """Definitions and methods: improvement, clustered intervals (with the independent-checks
    interval next to them, to show what clustering changes), Holm. The notes on the paired
    tests and on kappa stay under their tables."""
    definition = pg.share_improved(training.scores, language=language).iloc[0]["definition"]
    names = _standard_names(study, supervision.standards, language)
    exact = pg.compliance(supervision.internal, supervision.standards)
    clustered = pg.clustered_intervals(supervision.internal, supervision.standards, cluster=OFFICE_CLUSTER)
    table = pd.DataFrame({"checklist_standard": exact["standard"].map(names), "n_applicable": exact["n_applicable"],
                          "share_met": exact["share_met"], "exact_low": exact["ci_low"], "exact_high": exact["ci_high"]})
    clustered = clustered.set_index("standard").reindex(exact["standard"])
    table["clusters"] = clustered["n_clusters"].to_numpy()
    table["met_low"] = clustered["ci_low"].to_numpy()
    table["met_high"] = clustered["ci_high"].to_numpy()
    return Section("methods", "pm_methods", [
        Text("pm_methods_improvement", {"definition": definition}),
        Text("pm_methods_clustered"),
        Table("interval-methods", "pm_interval_methods_table", table, count="n_applicable",
              labels=("checklist_standard",), percent=("share_met", "exact_low", "exact_high", "met_low", "met_high"),
              decimals={**MET_DECIMALS, "n_applicable": 0, "clusters": 0, "exact_low": 0, "exact_high": 0}),
        Text("pm_methods_holm", {"alpha": ALPHA})], part="methods")


def sections(study: Study, region: Any = None, language: str = "en", disclosure: Disclosure | None = None, *,
             min_gain: float = MIN_GAIN, threshold: float = THRESHOLD, first_year: int = FIRST_YEAR,
             last_year: int = LAST_YEAR) -> list[Section]:
    """The report's sections in report order: findings, training, supervision, register, methods."""
    disclosure = disclosure or Disclosure()
    training = training_data(study, region, min_gain)
    supervision = supervision_data(study, region)
    return [findings_section(training, supervision, study, region, disclosure, threshold, last_year),
            training_section(training, study, disclosure, language, region, min_gain),
            paired_section(training, disclosure),
            items_section(training, study, disclosure, language), results_by_section(training, study, language, disclosure),
            trainers_section(training, disclosure),
            *standards_section(supervision, study, disclosure, language, threshold),
            over_time_section(supervision, study, language, threshold),
            offices_section(supervision, study, language, threshold),
            agreement_section(supervision, study, disclosure, language),
            *facts_section(study, region, disclosure, language, first_year, last_year),
            methods_section(training, supervision, study, language)]
