"""Report 03, risk assessment: the instrument, the levels it gives, how well the intake score
predicts reoffending (discrimination, calibration, error rates, fairness by sex), whether two
officers agree, and, in a technical annex, the same checks on real public data (COMPAS).

``load(study, region, instrument_name, window_days)`` scores the study's assessments once;
``sections(...)`` returns the report's sections: key findings first, the body, then methods
(the data, the instrument) and the COMPAS annex last. The analysis is ``workbench.risk`` and
``workbench.agreement``; every small-cell decision is the report's ``Disclosure``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench import overview, risk
from workbench.agreement import agreement_band
from workbench.disclosure import Disclosure
from workbench.regions import study_region
from workbench.reports.sections import Chart, Finding, Section, Table, Text
from workbench.study import Study

REPORT = "03_risk_assessment"
ALPHA = 0.05  #: significance level of the risk reports' tests (03 differential prediction, 04 log-rank)
MIN_EVENTS = 2  #: a validation needs at least this many clients with and without the outcome
COMPAS_CUTOFF = 5  #: ProPublica's flag: decile score 5 or more (Medium or High)
COMPAS_GROUPS = ("African-American", "Caucasian")  #: the two groups ProPublica compared


@dataclass
class Levels:
    """The instrument of an edition and its language: level names in order, as readers see them."""

    instrument: Any
    language: str

    @property
    def levels(self) -> list[str]:
        return list(self.instrument.levels)

    def level_name(self, name: str) -> str:
        return self.instrument.level_labels[name][self.language]


@dataclass
class RiskData(Levels):
    """The scored data of one edition: clients in scope, every scored assessment, the intake
    row per client and the validation sample (scored intake, full outcome window)."""

    clients: pd.DataFrame
    scored: pd.DataFrame
    intake: pd.DataFrame
    validation: pd.DataFrame
    second: pd.DataFrame
    window_days: int


def title(study: Study, language: str) -> Text | str:
    """The study's own title for this report (study.yaml ``reports:``), else the catalogue's."""
    return overview.study_text(study, REPORT, "title", language) or Text("risk_title")


def intro(study: Study, language: str, window_days: int = 365) -> Text | str:
    """The study's own introduction for this report, else the catalogue's."""
    return overview.study_text(study, REPORT, "intro", language) or Text("risk_intro", {"days": window_days})


def load(study: Study, region: Any = None, instrument_name: str = "risk_instrument_demo", window_days: int = 365,
         language: str = "en") -> RiskData:
    """Score the assessments of the clients in scope and build the validation sample
    (``region``: a code or label of any dataset, ``regions.study_region``)."""
    instrument = risk.load_instrument(instrument_name)
    dictionary = study.dictionary("probation_clients")
    clients = overview.filter_region(study.read("probation_clients"), dictionary, study_region(study, region))
    in_scope = study.read("risk_assessments")
    in_scope = in_scope[in_scope["client_id"].isin(clients["client_id"])].reset_index(drop=True)
    scored = risk.score_assessments(in_scope, instrument_name, keep=["client_id", "assessment_date", "assessment_type"])
    intake = clients[["client_id", "sex", "region", "age", "ve_client"]].merge(
        scored.loc[scored["assessment_type"] == "intake", ["client_id", "assessment_id", "total", "risk_level", "status"]],
        on="client_id", how="left")
    within = risk.outcome_within(risk.follow_up(clients), window_days)
    validation = intake.merge(within, on="client_id").dropna(subset=["total", "reoffended_within"]).reset_index(drop=True)
    second = study.read("risk_second_ratings")
    second = second[second["client_id"].isin(clients["client_id"])].reset_index(drop=True)
    return RiskData(instrument, language, clients, scored, intake, validation, second, int(window_days))


def _labels(study: Study, column: str, language: str) -> dict[Any, str]:
    return study.dictionary("probation_clients").value_labels(column, language)


def validation_possible(data: RiskData, disclosure: Disclosure) -> bool:
    """Enough clients (the disclosure threshold) and at least two with and two without a reoffence."""
    events = int(data.validation["reoffended_within"].sum())
    return disclosure.allows(len(data.validation)) and MIN_EVENTS <= events <= len(data.validation) - MIN_EVENTS


# ---- body -----------------------------------------------------------------------------------------

def data_section(study: Study, data: RiskData, region: Any) -> Section:
    """How many clients and assessments the report rests on, and how many could not be scored."""
    scored = data.scored
    blocks: list[Any] = []
    if region is not None:
        name = study_region(study, region)
        blocks.append(Text("risk_region_note", {"region": _labels(study, "region", data.language).get(name, name)}))
    blocks.append(Text("risk_data_summary", {
        "clients": len(data.clients), "assessments": len(scored),
        "cannot": int((scored["status"] == "cannot_score").sum()), "prorated": int(scored["prorated"].sum()),
        "overrides": int((scored["decided_by"] == "override").sum()),
        "rules": int(scored["decided_by"].str.startswith("rule:").sum())}))
    return Section("data", "risk_data_heading", blocks, part="methods")


TOTAL = "_total"  #: the label of totals inside the count table (shown as "all regions" / "both sexes")


def level_counts(data: RiskData, disclosure: Disclosure, by: str, order: list[Any]) -> pd.DataFrame:
    """Clients by risk level at intake and ``by`` (region or sex), with totals (``TOTAL``);
    small counts hidden with secondary suppression (``Disclosure.suppress_counts``), so that
    no hidden count follows from a total. Wide: ``by`` (codes in ``order``, the total last),
    one column per level, ``all_levels``; NA = hidden."""
    intake = data.intake.dropna(subset=["risk_level"])
    long = intake.groupby([by, "risk_level"], observed=True).size().rename("clients").reset_index()
    grid = pd.MultiIndex.from_product([[g for g in order if g in set(intake[by])], data.levels],
                                      names=[by, "risk_level"]).to_frame(index=False)
    long = grid.merge(long, how="left").fillna({"clients": 0})
    shown = disclosure.suppress_counts(long, "clients", by_margins=[by, "risk_level"], total_label=TOTAL)
    wide = shown.pivot(index=by, columns="risk_level", values="clients")
    wide = wide.reindex(index=[g for g in [*order, TOTAL] if g in wide.index], columns=[*data.levels, TOTAL])
    wide = wide.rename(columns={TOTAL: "all_levels"}).reset_index()
    wide.columns.name = None
    return wide


def levels_section(study: Study, data: RiskData, disclosure: Disclosure) -> Section:
    """Risk levels at intake: one sentence, counts by region and by sex (secondary
    suppression; one dimension each, so that few cells are hidden), shares by sex."""
    regions, sexes = _labels(study, "region", data.language), _labels(study, "sex", data.language)
    share = data.intake.dropna(subset=["risk_level"])["risk_level"].value_counts(normalize=True)
    blocks: list[Any] = [Text("risk_levels_sentence", {
        "n": int(data.intake["risk_level"].notna().sum()),
        "levels": [Text("risk_level_share", {"share": float(share.get(name, 0.0)), "level": data.level_name(name)})
                   for name in data.levels]})]
    headings = {name: data.level_name(name) for name in data.levels}
    by_region = level_counts(data, disclosure, "region", list(regions))
    by_region["region"] = by_region["region"].map(lambda r: Text("risk_all_regions_in_scope") if r == TOTAL
                                                  else regions[r])
    blocks.append(Table("levels-by-region", "risk_levels_table", by_region, count="suppressed", labels=("region",),
                        decimals=0, headings=headings, note=Text("risk_levels_note")))
    by_sex = level_counts(data, disclosure, "sex", list(sexes))
    by_sex["sex"] = by_sex["sex"].map(lambda g: Text("risk_both_sexes") if g == TOTAL else sexes[g])
    blocks.append(Table("levels-by-sex", "risk_levels_sex_table", by_sex, count="suppressed", labels=("sex",),
                        decimals=0, headings=headings, note=Text("risk_levels_note")))
    blocks.append(Chart("levels-by-sex", "bars", level_shares(data, by_sex, "sex"), x="sex", y="share",
                        color="risk_level", meaning="risk", percent=True, title_key="risk_levels_chart"))
    blocks.append(Chart("levels-by-region", "bars", level_shares(data, by_region, "region"), x="region", y="share",
                        color="risk_level", meaning="risk", percent=True, title_key="risk_levels_region_chart"))
    return Section("levels", "risk_levels_heading", blocks)


def level_shares(data: RiskData, counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Long shares of each level within each group of a ``level_counts`` table (labels as
    shown, the total row included), from the counts left shown: a hidden cell is not drawn."""
    long = counts.melt(id_vars=[by, "all_levels"], value_vars=data.levels, var_name="risk_level", value_name="clients")
    long = long.dropna(subset=["clients", "all_levels"])
    return long.assign(share=long["clients"].astype(float) / long["all_levels"].astype(float),
                       risk_level=long["risk_level"].map(data.level_name))


def validity(data: RiskData) -> pd.DataFrame:
    """AUC, base rate and calibration of the intake score for all clients and by sex."""
    table = risk.validate_scores(data.validation, "total", "reoffended_within", by="sex")
    return table.rename(columns={"n": "clients", "n_events": "reoffended", "observed_expected_ratio": "observed_expected"})


def _group_name(study: Study, data: RiskData, group: Any) -> Any:
    return Text("risk_all_clients") if group == "all" else _labels(study, "sex", data.language).get(group, group)


def validation_section(study: Study, data: RiskData, disclosure: Disclosure) -> Section:
    """Does the score predict reoffending? Sample, AUC in plain words, the validity table."""
    intake_scored = int(data.intake["total"].notna().sum())
    events = int(data.validation["reoffended_within"].sum())
    blocks: list[Any] = [Text("risk_validation_sample", {
        "n": len(data.validation), "days": data.window_days, "events": events,
        "excluded": intake_scored - len(data.validation)})]
    if not validation_possible(data, disclosure):
        return Section("validation", "risk_validation_heading", [*blocks, Text("risk_too_few", {"min_cell": disclosure.min_cell})])
    table = validity(data)
    first = table.iloc[0]
    blocks.append(Text("risk_auc_plain", {"auc": first["auc"], "low": first["auc_ci_low"], "high": first["auc_ci_high"],
                                          "pairs": round(10 * first["auc"]),
                                          "outcome": Text("risk_outcome_within", {"days": data.window_days})}))
    table["group"] = table["group"].map(lambda g: _group_name(study, data, g))
    columns = ["group", "clients", "reoffended", "base_rate", "auc", "auc_ci_low", "auc_ci_high", "observed_expected",
               "calibration_intercept", "calibration_slope"]
    blocks.append(Table("validity", "risk_validity_table", table[columns], count="clients", labels=("group",),
                        percent=("base_rate",), title_values={"days": data.window_days}, note=Text("risk_validity_note"),
                        decimals={c: 2 for c in columns[4:]}))
    return Section("validation", "risk_validation_heading", blocks)


def calibration_section(study: Study, data: RiskData, disclosure: Disclosure) -> Section:
    """Calibration by sex: observed over expected per sex, then by level and sex (table, chart)."""
    if not validation_possible(data, disclosure):
        return Section("calibration", "risk_calibration_heading", [Text("risk_too_few", {"min_cell": disclosure.min_cell})])
    sexes = _labels(study, "sex", data.language)
    blocks: list[Any] = [Text("risk_calibration_explain")]
    for row in validity(data).iloc[1:].itertuples():
        if disclosure.allows(row.clients):
            blocks.append(Text("risk_oe_group", {"group": sexes.get(row.group, row.group), "ratio": row.observed_expected}))
    levelled = data.validation.assign(risk_level=pd.Categorical(data.validation["risk_level"], categories=data.levels))
    table = risk.calibration_table(levelled, "total", "reoffended_within", by="sex", risk_level="risk_level")
    table = table[table["group_variable"] == "sex"].reset_index(drop=True)
    table = table.rename(columns={"group": "sex", "bin": "risk_level", "n": "clients", "observed_events": "reoffended",
                                  "observed_expected_ratio": "observed_expected"})
    table["sex"] = table["sex"].map(sexes)
    table["risk_level"] = table["risk_level"].map(data.level_name)
    columns = ["sex", "risk_level", "clients", "reoffended", "observed_rate", "observed_ci_low", "observed_ci_high",
               "expected_rate", "observed_expected"]
    blocks.append(Table("calibration", "risk_calibration_table", table[columns], count="clients",
                        labels=("sex", "risk_level"), title_values={"days": data.window_days},
                        percent=("observed_rate", "observed_ci_low", "observed_ci_high", "expected_rate"),
                        decimals={"observed_expected": 2}))
    blocks.append(Chart("calibration", "calibration", table, x="expected_rate", y="observed_rate", low="observed_ci_low",
                        high="observed_ci_high", color="sex", meaning="sex", label="risk_level", count="clients",
                        percent=True, title_key="risk_calibration_chart", title_values={"days": data.window_days}))
    return Section("calibration", "risk_calibration_heading", blocks)


def error_rates(data: RiskData) -> pd.DataFrame:
    """Classification at each cut-off above the lowest level, all clients and by sex."""
    flag_levels = data.levels[1:]
    table = risk.cutoff_table(data.validation, "total", "reoffended_within",
                              cutoffs=[data.instrument.cutoffs[name] for name in flag_levels], by="sex")
    by_cutoff = {data.instrument.cutoffs[name]: name for name in flag_levels}
    table["flag_level"] = table["cutoff"].map(by_cutoff)
    return table.rename(columns={"n": "clients"})


def errors_section(study: Study, data: RiskData, disclosure: Disclosure) -> Section:
    """False positives and negatives at the instrument's cut-offs."""
    if not validation_possible(data, disclosure):
        return Section("errors", "risk_errors_heading", [Text("risk_too_few", {"min_cell": disclosure.min_cell})])
    table = error_rates(data)
    main = table.iloc[0]
    blocks: list[Any] = [Text("risk_errors_plain", {
        "level": data.level_name(main["flag_level"]), "days": data.window_days, "fpr": main["false_positive_rate"],
        "fnr": main["false_negative_rate"], "ppv": main["ppv"]})]
    table["group"] = table["group"].map(lambda g: _group_name(study, data, g))
    table["flagged_as"] = [Text("risk_flag_at_least", {"level": data.level_name(name), "cutoff": cutoff})
                           for name, cutoff in zip(table["flag_level"], table["cutoff"])]
    rates = ["share_flagged", "sensitivity", "specificity", "false_positive_rate", "false_negative_rate", "ppv"]
    blocks.append(Table("errors", "risk_errors_table", table[["group", "flagged_as", "clients", *rates]],
                        count="clients", labels=("group", "flagged_as"), percent=tuple(rates),
                        title_values={"days": data.window_days}, note=Text("risk_errors_note")))
    return Section("errors", "risk_errors_heading", blocks)


def fairness_section(study: Study, data: RiskData, disclosure: Disclosure) -> Section:
    """Differential prediction by sex: same intercept and slope? (logistic regression, LR tests)."""
    sexes = _labels(study, "sex", data.language)
    by_sex = data.validation.groupby("sex")["reoffended_within"].agg(["size", "sum"])
    enough = validation_possible(data, disclosure) and len(by_sex) >= 2 and all(
        disclosure.allows(size) and MIN_EVENTS <= events <= size - MIN_EVENTS
        for size, events in zip(by_sex["size"], by_sex["sum"]))
    if not enough:
        return Section("fairness", "risk_dp_heading", [Text("risk_dp_too_few", {"min_cell": disclosure.min_cell})])
    reference = data.validation["sex"].value_counts().idxmax()
    others = [g for g in by_sex.index if g != reference]
    dp = risk.differential_prediction(data.validation, "total", "reoffended_within", "sex", reference=reference)
    tests = dp[dp["kind"] == "lr_test"].set_index("term")
    coefficients = dp[dp["kind"] == "coefficient"].set_index("term")
    blocks: list[Any] = [Text("risk_dp_explain", {"reference": sexes[reference]})]
    p_intercepts, p_slopes = tests.loc["intercepts", "p_value"], tests.loc["slopes", "p_value"]
    for other in others:
        ratio = coefficients.loc[f"sex[{other}]", "odds_ratio"]
        direction = Text("risk_dp_overstates" if ratio < 1 else "risk_dp_understates", {"group": sexes[other]})
        blocks.append(Text("risk_dp_intercepts_differ" if p_intercepts < ALPHA else "risk_dp_intercepts_same",
                           {"group": sexes[other], "reference": sexes[reference], "ratio": ratio, "p": p_intercepts,
                            "direction": direction}))
    blocks.append(Text("risk_dp_slopes_differ" if p_slopes < ALPHA else "risk_dp_slopes_same", {"p": p_slopes}))
    terms = {"intercept": Text("risk_term_intercept"), "total": Text("risk_term_score"),
             **{f"sex[{g}]": Text("risk_term_group", {"group": sexes[g]}) for g in others},
             **{f"total:sex[{g}]": Text("risk_term_slope_group", {"group": sexes[g]}) for g in others}}
    table = coefficients.reset_index()[["term", "estimate", "se", "odds_ratio", "p_value"]]
    table["term"] = table["term"].map(terms)
    blocks.append(Table("dp-coefficients", "risk_dp_coefficients_table",
                        table.rename(columns={"estimate": "log_odds"}), count=None, labels=("term",),
                        pvalues=("p_value",), decimals=3, note=Text("risk_dp_coefficients_note")))
    names = {"intercepts": Text("risk_test_intercepts"), "slopes": Text("risk_test_slopes"),
             "any_difference": Text("risk_test_any")}
    table = tests.reset_index()[["term", "statistic", "df", "p_value"]].rename(columns={"term": "test",
                                                                                      "statistic": "chi_square"})
    table["test"] = table["test"].map(names)
    blocks.append(Table("dp-tests", "risk_dp_tests_table", table, count=None, labels=("test",), pvalues=("p_value",),
                        decimals={"chi_square": 2, "df": 0}))
    return Section("fairness", "risk_dp_heading", blocks)


def reliability(data: RiskData, instrument_name: str) -> tuple[pd.DataFrame, int]:
    """Inter-rater agreement (ICC, weighted kappas, exact agreement) of the double-rated
    intakes and the number of pairs with a level on both sides."""
    second = risk.score_assessments(data.second, instrument_name)
    first = data.scored[data.scored["assessment_id"].isin(data.second["assessment_id"])]
    pairs = first[["assessment_id", "total", "risk_level"]].merge(second[["assessment_id", "total", "risk_level"]],
                                                               on="assessment_id").dropna()
    if len(pairs) < 3 or pd.concat([pairs["risk_level_x"], pairs["risk_level_y"]]).nunique() < 2:
        return pd.DataFrame(), len(pairs)
    return risk.interrater_reliability(first, second, levels=data.levels), len(pairs)


def reliability_section(data: RiskData, disclosure: Disclosure, instrument_name: str) -> Section:
    """Do two officers rating the same client agree? ICC on the total, kappa on the level."""
    table, pairs = reliability(data, instrument_name)
    if table.empty or not disclosure.allows(pairs):
        return Section("reliability", "risk_irr_heading", [Text("risk_irr_too_few", {"n": pairs, "min_cell": disclosure.min_cell})])
    values = table.set_index("measure")
    icc, kappa = values.loc["icc_a1_total"], values.loc["weighted_kappa_linear"]
    blocks: list[Any] = [Text("risk_irr_plain", {
        "n": pairs, "icc": icc["estimate"], "icc_low": icc["ci_low"], "icc_high": icc["ci_high"],
        "icc_band": Text(f"risk_band_{agreement_band(icc['estimate'], 'icc') or 'unknown'}"),
        "kappa": kappa["estimate"], "kappa_low": kappa["ci_low"], "kappa_high": kappa["ci_high"],
        "kappa_band": Text(f"risk_band_{agreement_band(kappa['estimate'], 'kappa') or 'unknown'}"),
        "exact": values.loc["exact_agreement_level", "estimate"]})]
    names = {"icc_a1_total": Text("risk_irr_icc"), "weighted_kappa_linear": Text("risk_irr_kappa_linear"),
             "weighted_kappa_quadratic": Text("risk_irr_kappa_quadratic"), "exact_agreement_level": Text("risk_irr_exact")}
    table = table.assign(measure=table["measure"].map(names)).rename(columns={"n": "pairs"})
    blocks.append(Table("reliability", "risk_irr_table", table[["measure", "estimate", "ci_low", "ci_high", "pairs"]],
                        count="pairs", labels=("measure",), decimals=2, note=Text("risk_irr_note")))
    return Section("reliability", "risk_irr_heading", blocks)


# ---- methods --------------------------------------------------------------------------------------

def instrument_section(study: Study, data: RiskData) -> Section:
    """The instrument: items and weights, cut-offs, structured-judgement rules, missing answers."""
    instrument, language = data.instrument, data.language
    sexes = _labels(study, "sex", language)
    domains = {name: (spec.get("label") or {}).get(language, name) for name, spec in instrument.domains.items()}
    item_names = {item.name: item.label[language] for item in instrument.items}
    items = pd.DataFrame([{
        "domain": domains[item.domain], "instrument_item": item.label[language],
        "answers": f"{min(item.values)}–{max(item.values)}", "item_weight": item.weight,
        "max_points": -item.max_points if instrument.is_protective(item.domain) else item.max_points,
        "applies_to": ", ".join(sexes.get(v, str(v)) for values in item.applies_if.values() for v in values)
                      or Text("risk_applies_all"),
    } for item in instrument.items])
    cutoffs = pd.DataFrame({"risk_level": [data.level_name(name) for name in data.levels[1:]],
                            "from_total": [instrument.cutoffs[name] for name in data.levels[1:]]})
    rules = pd.DataFrame([{
        "rule": rule.label[language],
        "condition": "; ".join(f"{item_names[item]} ≥ {value}" for item, value in rule.when.items()),
        "minimum_level": data.level_name(rule.minimum_level)} for rule in instrument.rules],
        columns=["rule", "condition", "minimum_level"])
    key = "risk_instrument_demo_note" if instrument.demo else "risk_instrument_note"
    blocks: list[Any] = [
        Text(key, {"title": instrument.title[language], "items": len(instrument.items), "domains": len(instrument.domains)}),
        Table("items", "risk_items_table", items, count=None, labels=("domain", "instrument_item", "answers", "applies_to"),
              decimals=0, note=Text("risk_items_note")),
        Table("cutoffs", "risk_cutoffs_table", cutoffs, count=None, labels=("risk_level",), decimals=0,
              note=Text("risk_cutoffs_note", {"lowest": data.level_name(data.levels[0])})),
        Table("rules", "risk_rules_table", rules, count=None, labels=("rule", "condition", "minimum_level")),
        Text("risk_missing_rule", {"share": instrument.max_missing_share})]
    return Section("instrument", "risk_instrument_heading", blocks, part="methods")


def compas_validity() -> pd.DataFrame:
    """The COMPAS decile score validated on ProPublica's data (packaged counts), by sex and race."""
    table = risk.validate_scores(risk.compas_records(), "decile_score", "reoffended", by=["sex", "race"],
                                 cutoff=COMPAS_CUTOFF)
    return table.rename(columns={"n": "defendants", "n_events": "reoffended",
                                 "observed_expected_ratio": "observed_expected"})


def _compas_group(variable: str, group: str) -> Text:
    if variable == "overall":
        return Text("risk_all_defendants")
    if variable == "sex":
        return Text(f"risk_sex_{group.lower()}")
    return Text("risk_race_" + group.lower().replace("-", "_").replace(" ", "_"))


def compas_section(region: Any = None) -> Section:
    """Technical annex: the same checks on real public data from the United States (COMPAS)."""
    records = risk.compas_records()
    table = compas_validity()
    rows = table.set_index("group")
    a, b = COMPAS_GROUPS
    blocks: list[Any] = [Text("risk_compas_banner"), Text("risk_compas_intro", {"n": len(records)})]
    if region is not None:
        blocks.append(Text("risk_compas_not_regional"))
    blocks += [
        Text("risk_compas_auc_plain", {"auc": rows.loc["all", "auc"], "low": rows.loc["all", "auc_ci_low"],
                                       "high": rows.loc["all", "auc_ci_high"], "pairs": round(10 * rows.loc["all", "auc"])}),
        Text("risk_compas_errors_race", {"group_a": _compas_group("race", a), "group_b": _compas_group("race", b),
                                         "fpr_a": rows.loc[a, "false_positive_rate"],
                                         "fpr_b": rows.loc[b, "false_positive_rate"],
                                         "fnr_a": rows.loc[a, "false_negative_rate"],
                                         "fnr_b": rows.loc[b, "false_negative_rate"]}),
        Text("risk_compas_calibration_race", {"group_a": _compas_group("race", a), "group_b": _compas_group("race", b),
                                              "oe_a": rows.loc[a, "observed_expected"],
                                              "oe_b": rows.loc[b, "observed_expected"],
                                              "base_a": rows.loc[a, "base_rate"], "base_b": rows.loc[b, "base_rate"]}),
        Text("risk_compas_sex", {"women": rows.loc["Female", "observed_expected"],
                                 "men": rows.loc["Male", "observed_expected"]})]
    table["variable"] = table["group_variable"].map(lambda v: Text(f"risk_compas_by_{v}"))
    table["group"] = [_compas_group(v, g) for v, g in zip(table["group_variable"], table["group"])]
    columns = ["variable", "group", "defendants", "reoffended", "base_rate", "auc", "auc_ci_low", "auc_ci_high",
               "observed_expected", "share_flagged", "false_positive_rate", "false_negative_rate"]
    blocks.append(Table("compas-validity", "risk_compas_validity_table", table[columns], count="defendants",
                        labels=("variable", "group"),
                        percent=("base_rate", "share_flagged", "false_positive_rate", "false_negative_rate"),
                        decimals={"auc": 2, "auc_ci_low": 2, "auc_ci_high": 2, "observed_expected": 2},
                        note=Text("risk_compas_validity_note")))
    calibration = risk.calibration_table(records, "decile_score", "reoffended", by=["race"])
    calibration = calibration[calibration["group"].isin(COMPAS_GROUPS)].reset_index(drop=True)
    calibration["group"] = [_compas_group("race", g) for g in calibration["group"]]
    calibration["decile"] = pd.to_numeric(calibration["bin"])
    calibration = calibration.rename(columns={"n": "defendants", "observed_expected_ratio": "observed_expected"})
    columns = ["group", "decile", "defendants", "observed_rate", "expected_rate", "observed_expected"]
    blocks.append(Table("compas-calibration", "risk_compas_calibration_table", calibration[columns],
                        count="defendants", labels=("group", "decile"), percent=("observed_rate", "expected_rate"),
                        decimals={"decile": 0, "observed_expected": 2}))
    blocks.append(Chart("compas-calibration", "calibration", calibration, x="expected_rate", y="observed_rate",
                        low="observed_ci_low", high="observed_ci_high", color="group", meaning="group", label="decile",
                        count="defendants", percent=True, title_key="risk_compas_calibration_plot"))
    return Section("compas", "risk_compas_heading", blocks, part="methods")


# ---- findings -------------------------------------------------------------------------------------

def findings_section(study: Study, data: RiskData, disclosure: Disclosure, instrument_name: str) -> Section:
    """5-7 plain-language findings, each with its number, interval and meaning, linked to its section."""
    levels = data.intake.dropna(subset=["risk_level"])["risk_level"]
    top = data.levels[-1]
    blocks: list[Any] = [Finding("risk_finding_levels", "levels", {
        "n": len(levels), "share": float((levels == top).mean()) if len(levels) else float("nan"),
        "level": data.level_name(top)})]
    scored = data.scored
    blocks.append(Finding("risk_finding_unscored", "data", {
        "cannot": int((scored["status"] == "cannot_score").sum()), "assessments": len(scored)}))
    if validation_possible(data, disclosure):
        table = validity(data)
        first = table.iloc[0]
        blocks.append(Finding("risk_finding_auc", "validation", {
            "auc": first["auc"], "low": first["auc_ci_low"], "high": first["auc_ci_high"], "days": data.window_days}))
        errors = error_rates(data).iloc[0]
        blocks.append(Finding("risk_finding_errors", "errors", {
            "level": data.level_name(errors["flag_level"]), "fpr": errors["false_positive_rate"],
            "fnr": errors["false_negative_rate"]}))
        sexes = _labels(study, "sex", data.language)
        groups = [row for row in table.iloc[1:].itertuples() if disclosure.allows(row.clients)]
        if len(groups) >= 2:
            low, high = sorted(groups, key=lambda row: row.observed_expected)[::len(groups) - 1]
            blocks.append(Finding("risk_finding_calibration", "calibration", {
                "group": sexes.get(low.group, low.group), "ratio": low.observed_expected,
                "other": sexes.get(high.group, high.group), "other_ratio": high.observed_expected}))
    irr, pairs = reliability(data, instrument_name)
    if not irr.empty and disclosure.allows(pairs):
        icc = irr.set_index("measure").loc["icc_a1_total"]
        blocks.append(Finding("risk_finding_irr", "reliability", {
            "icc": icc["estimate"], "low": icc["ci_low"], "high": icc["ci_high"], "n": pairs,
            "band": Text(f"risk_band_{agreement_band(icc['estimate'], 'icc') or 'unknown'}")}))
    return Section("findings", "key_findings", blocks, part="findings")


def sections(study: Study, disclosure: Disclosure, region: Any = None, language: str = "en",
             instrument_name: str = "risk_instrument_demo", window_days: int = 365) -> list[Section]:
    """Report 03's sections in report order."""
    data = load(study, region, instrument_name, window_days, language)
    return [findings_section(study, data, disclosure, instrument_name), levels_section(study, data, disclosure),
            validation_section(study, data, disclosure), calibration_section(study, data, disclosure),
            errors_section(study, data, disclosure), fairness_section(study, data, disclosure),
            reliability_section(data, disclosure, instrument_name), data_section(study, data, region),
            instrument_section(study, data), compas_section(region)]
