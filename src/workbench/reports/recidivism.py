"""Report 04, recidivism and supervision: how soon clients at each risk level reoffend
(Kaplan-Meier, log-rank), which factors change the rate (Cox), how revocation and death compete
with reoffending (Aalen-Johansen), how levels change at reassessment, and the officer hours that
risk-based contact standards need compared with the former regime.

The caseload, the service's officers and the officers the programme trained come from
``workbench.study_facts`` (one source per fact, shared with 05 and 07). The contact standards are
assumptions (``workbench.risk.supervision``): the workload section says so and shows the range
when every standard takes ``STANDARDS_RANGE`` less or more time. ``sections(...)`` returns key
findings first, the body, and the data summary last.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

import pandas as pd

from workbench import overview, risk
from workbench import study_facts as sf
from workbench.regions import Region, study_region, study_regions
from workbench.disclosure import Disclosure
from workbench.reports.risk_assessment import ALPHA, TOTAL, Levels
from workbench.reports.sections import Chart, Finding, Reference, Section, Table, Text
from workbench.risk.supervision import DEFAULT_HOURS_PER_OFFICER_MONTH, DEFAULT_STANDARDS, FORMER_REGIME
from workbench.study import Study

REPORT = "04_recidivism_and_supervision"
DAYS_PER_MONTH = 365.25 / 12
MONTHS = (6, 12, 18, 24)  #: follow-up times the tables show
STANDARDS_RANGE = 0.25  #: sensitivity of the workload: every contact standard 25% shorter or longer
TIME_COLUMNS = ("minutes_per_contact", "minutes_per_home_visit", "admin_minutes_per_month")
COX_TERMS = ("intake_total", "female", "age_per_10_years", "ve_client")
FLOW_STEPS = 3  #: reassessments the flow chart follows after intake


@dataclass
class RecidivismData(Levels):
    """One edition's data: clients in scope, scored assessments, the analysis table (one row per
    client with a scored intake, follow-up and outcome) and the level history."""

    clients: pd.DataFrame
    scored: pd.DataFrame
    data: pd.DataFrame
    history: pd.DataFrame


def title(study: Study, language: str) -> Text | str:
    """The study's own title for this report (study.yaml ``reports:``), else the catalogue's."""
    return overview.study_text(study, REPORT, "title", language) or Text("risk_rec_title")


def intro(study: Study, language: str) -> Text | str:
    """The study's own introduction for this report, else the catalogue's."""
    return overview.study_text(study, REPORT, "intro", language) or Text("risk_rec_intro")


def load(study: Study, region: Any = None, instrument_name: str = "risk_instrument_demo",
         language: str = "en") -> RecidivismData:
    """Score the assessments of the clients in scope; follow-up, outcome and level history."""
    instrument = risk.load_instrument(instrument_name)
    clients = overview.filter_region(study.read("probation_clients"), study.dictionary("probation_clients"),
                                     study_region(study, region))  # a code or label of any dataset
    assessments = study.read("risk_assessments")
    assessments = assessments[assessments["client_id"].isin(clients["client_id"])].reset_index(drop=True)
    scored = risk.score_assessments(assessments, instrument_name, keep=["client_id", "assessment_date", "assessment_type"])
    intake = scored.loc[scored["assessment_type"] == "intake", ["client_id", "total", "risk_level"]]
    data = (clients[["client_id", "sex", "age", "ve_client", "region"]].merge(risk.follow_up(clients), on="client_id")
            .merge(intake, on="client_id").dropna(subset=["risk_level", "total"]).reset_index(drop=True))
    end = clients.set_index("client_id")["followup_end"] + pd.Timedelta(days=1)  # periods end exclusive
    history = risk.level_history(scored, end=end, levels=list(instrument.levels))
    return RecidivismData(instrument, language, clients, scored, data, history)


def _ordered(table: pd.DataFrame, data: RecidivismData) -> pd.DataFrame:
    """Rows by level (the instrument's order), then time; ``months`` and ``risk_level`` added."""
    table = table.assign(rank=table["group"].map(data.levels.index)).sort_values(["rank", "time"], kind="stable")
    return table.assign(months=(table["time"] / DAYS_PER_MONTH).round().astype(int),
                        risk_level=table["group"].map(data.level_name)).drop(columns="rank").reset_index(drop=True)


def _levels_shown(data: RecidivismData, disclosure: Disclosure) -> list[str]:
    sizes = data.data.groupby("risk_level").size()
    return [name for name in data.levels if disclosure.allows(sizes.get(name, 0))]


def survival_at(data: RecidivismData, disclosure: Disclosure) -> pd.DataFrame:
    """Kaplan-Meier share not yet reoffended at ``MONTHS`` by level, with the number at risk."""
    shown = data.data[data.data["risk_level"].isin(_levels_shown(data, disclosure))]
    times = [m * DAYS_PER_MONTH for m in MONTHS]
    km = risk.kaplan_meier(shown, "duration_days", "reoffended", by="risk_level")
    at_risk = risk.at_risk_table(shown, "duration_days", "reoffended", by="risk_level", times=times)
    return _ordered(risk.values_at(km, times).merge(at_risk, on=["group", "time"]), data)


def incidence_at(data: RecidivismData, disclosure: Disclosure) -> pd.DataFrame:
    """Cumulative incidence of reoffending (revocation and death compete) and of revocation at
    ``MONTHS`` by level, beside one minus Kaplan-Meier."""
    shown = data.data[data.data["risk_level"].isin(_levels_shown(data, disclosure))]
    times = [m * DAYS_PER_MONTH for m in MONTHS]
    cif = risk.cumulative_incidence(shown, "duration_days", "outcome", "reoffence", censored="none", by="risk_level")
    revoked = risk.cumulative_incidence(shown, "duration_days", "outcome", "revocation", censored="none", by="risk_level")
    km = survival_at(data, disclosure)[["group", "time", "at_risk", "survival"]]
    table = (risk.values_at(cif, times, columns=["cumulative_incidence", "ci_low", "ci_high"])
             .merge(risk.values_at(revoked, times, columns=["cumulative_incidence"])
                    .rename(columns={"cumulative_incidence": "revocation"}), on=["group", "time"])
             .merge(km, on=["group", "time"]))
    return _ordered(table.assign(one_minus_km=1 - table["survival"]), data)


def _curve(table: pd.DataFrame, data: RecidivismData, value: str) -> pd.DataFrame:
    """A step curve for a chart: time 0 and every time where ``value`` changes (censoring times
    are left out, they do not move the curve), ``months`` after intake as a decimal number."""
    table = table.sort_values(["group", "time"], kind="stable")
    moved = table.groupby("group", observed=True)[value].diff().fillna(1).ne(0) | table["time"].eq(0)
    table = table[moved]
    table = table.assign(rank=table["group"].map(data.levels.index)).sort_values(["rank", "time"], kind="stable")
    return pd.DataFrame({"risk_level": table["group"].map(data.level_name).to_numpy(),
                         "months": (table["time"] / DAYS_PER_MONTH).to_numpy(float),
                         "at_risk": table["at_risk"].to_numpy(int), value: table[value].to_numpy(float),
                         "ci_low": table["ci_low"].to_numpy(float), "ci_high": table["ci_high"].to_numpy(float)})


def survival_curve(data: RecidivismData, disclosure: Disclosure) -> pd.DataFrame:
    """The Kaplan-Meier curves of the levels shown, with their 95% bands (exponential
    Greenwood), at time 0 and every reoffence: aggregated steps, never one row per client."""
    shown = data.data[data.data["risk_level"].isin(_levels_shown(data, disclosure))]
    return _curve(risk.kaplan_meier(shown, "duration_days", "reoffended", by="risk_level"), data, "survival")


def incidence_curve(data: RecidivismData, disclosure: Disclosure) -> pd.DataFrame:
    """The Aalen-Johansen cumulative incidence of reoffending of the levels shown (revocation
    and death compete), with 95% bands, at time 0 and every reoffence."""
    shown = data.data[data.data["risk_level"].isin(_levels_shown(data, disclosure))]
    cif = risk.cumulative_incidence(shown, "duration_days", "outcome", "reoffence", censored="none", by="risk_level")
    start = cif.groupby("group", observed=True).head(1).assign(time=0.0, cumulative_incidence=0.0, ci_low=0.0,
                                                                ci_high=0.0)
    start["at_risk"] = shown.groupby("risk_level").size().reindex(start["group"]).to_numpy(int)
    return _curve(pd.concat([start, cif[cif["time"] > 0]], ignore_index=True), data, "cumulative_incidence")


# ---- body -----------------------------------------------------------------------------------------

def survival_section(data: RecidivismData, disclosure: Disclosure) -> Section:
    """Time to reoffending by level: one-year sentence, interval chart, table, log-rank test."""
    shown = _levels_shown(data, disclosure)
    if not shown:
        return Section("survival", "risk_rec_km_heading", [Text("risk_rec_too_few", {"min_cell": disclosure.min_cell})])
    table = survival_at(data, disclosure)
    blocks: list[Any] = []
    year = table[table["months"] == 12].set_index("group")
    first, last = data.levels[0], data.levels[-1]
    if first in year.index and last in year.index and disclosure.allows(year.loc[[first, last], "at_risk"].min()):
        blocks.append(Text("risk_rec_km_plain", {"high": data.level_name(last), "low": data.level_name(first),
                                                 "high_free": year.loc[last, "survival"],
                                                 "low_free": year.loc[first, "survival"]}))
    columns = ["risk_level", "months", "at_risk", "survival", "ci_low", "ci_high"]
    blocks.append(Chart("survival", "steps", survival_curve(data, disclosure), x="months", y="survival", low="ci_low",
                        high="ci_high", color="risk_level", meaning="risk", count="at_risk", percent=True,
                        levels=tuple(data.level_name(n) for n in data.levels), title_key="risk_rec_km_chart"))
    blocks.append(Table("survival", "risk_rec_km_table", table[columns], count="at_risk", labels=("risk_level", "months"),
                        percent=("survival", "ci_low", "ci_high"), note=Text("risk_rec_km_note")))
    events = data.data[data.data["risk_level"].isin(shown)]
    if len(shown) >= 2 and events["reoffended"].sum() > 0:
        test = risk.logrank_test(events, "duration_days", "reoffended", by="risk_level").iloc[0]
        blocks.append(Text("risk_rec_logrank_differs" if test["p_value"] < ALPHA else "risk_rec_logrank_same",
                           {"chi2": test["statistic"], "df": int(test["df"]), "p": test["p_value"]}))
    return Section("survival", "risk_rec_km_heading", blocks)


def cox_model(data: RecidivismData) -> tuple[pd.DataFrame, int]:
    """Cox model of time to reoffending on the intake score, sex, age and VE status (terms that
    vary), with the proportional-hazards check; and the number of reoffences."""
    frame = data.data.assign(intake_total=data.data["total"].astype(float),
                             female=(data.data["sex"] == "female").astype(float),
                             age_per_10_years=data.data["age"].astype(float) / 10,
                             ve_client=data.data["ve_client"].astype(float))
    covariates = [name for name in COX_TERMS if frame[name].nunique() > 1]
    events = int(frame["reoffended"].sum())
    if "intake_total" not in covariates or events == 0:
        return pd.DataFrame(), events
    cox = risk.fit_cox(frame, "duration_days", "reoffended", covariates)
    ph = risk.proportional_hazards_check(frame, "duration_days", "reoffended", covariates)
    return cox.merge(ph[["term", "p_value", "violated_at_5pct"]].rename(columns={"p_value": "ph_p_value"}),
                     on="term", how="left"), events


def cox_section(data: RecidivismData, disclosure: Disclosure) -> Section:
    """Hazard ratios with intervals (table and forest plot) and the proportional-hazards check."""
    cox, events = cox_model(data)
    if cox.empty or not disclosure.allows(events):
        return Section("cox", "risk_rec_cox_heading", [Text("risk_rec_too_few_events",
                                                            {"events": events, "min_cell": disclosure.min_cell})])
    score = cox.set_index("term").loc["intake_total"]
    blocks: list[Any] = [Text("risk_rec_cox_plain", {
        "events": events, "hr": score["hazard_ratio"], "low": score["hr_ci_low"], "high": score["hr_ci_high"],
        "hr5": score["hazard_ratio"] ** 5})]
    names = {"intake_total": "risk_rec_term_total", "female": "risk_rec_term_female",
             "age_per_10_years": "risk_rec_term_age", "ve_client": "risk_rec_term_ve"}
    violated = [Text(names[t]) for t in cox.loc[cox["violated_at_5pct"].fillna(False).astype(bool), "term"]]
    blocks.append(Text("risk_rec_ph_violated", {"terms": violated}) if violated else Text("risk_rec_ph_ok"))
    table = cox.assign(term=cox["term"].map(lambda t: Text(names[t]))).rename(columns={"p": "p_value"})
    blocks.append(Table("cox", "risk_rec_cox_table",
                        table[["term", "hazard_ratio", "hr_ci_low", "hr_ci_high", "p_value", "ph_p_value"]],
                        count=None, labels=("term",), pvalues=("p_value", "ph_p_value"), decimals=3,
                        note=Text("risk_rec_cox_note", {"events": events, "n": len(data.data)})))
    blocks.append(Chart("cox", "forest", table, x="term", y="hazard_ratio", low="hr_ci_low", high="hr_ci_high",
                        title_key="risk_rec_cox_chart", references=(Reference(1.0, "risk_rec_no_effect_line"),)))
    return Section("cox", "risk_rec_cox_heading", blocks)


def incidence_section(data: RecidivismData, disclosure: Disclosure) -> Section:
    """Cumulative incidence with competing events, against one minus Kaplan-Meier."""
    if not _levels_shown(data, disclosure):
        return Section("incidence", "risk_rec_cif_heading", [Text("risk_rec_too_few", {"min_cell": disclosure.min_cell})])
    table = incidence_at(data, disclosure)
    columns = ["risk_level", "months", "at_risk", "cumulative_incidence", "ci_low", "ci_high", "one_minus_km",
               "revocation"]
    return Section("incidence", "risk_rec_cif_heading", [
        Text("risk_rec_cif_explain"),
        Chart("incidence", "steps", incidence_curve(data, disclosure), x="months", y="cumulative_incidence",
              low="ci_low", high="ci_high", color="risk_level", meaning="risk", count="at_risk", percent=True,
              levels=tuple(data.level_name(n) for n in data.levels), title_key="risk_rec_cif_chart"),
        Table("incidence", "risk_rec_cif_table", table[columns], count="at_risk", labels=("risk_level", "months"),
              percent=tuple(columns[3:]), note=Text("risk_rec_cif_note"))])


def transitions(data: RecidivismData, disclosure: Disclosure) -> pd.DataFrame:
    """Reassessments by level before and after, with totals; small counts hidden with secondary
    suppression. Wide: ``from_level`` (names; the total last), one column per level reached,
    ``all_levels``; NA = hidden."""
    moves = risk.level_transitions(data.history, levels=data.levels)[["from_level", "to_level", "n"]]
    shown = disclosure.suppress_counts(moves.rename(columns={"n": "reassessments"}), "reassessments",
                                       by_margins=["from_level", "to_level"], total_label=TOTAL)
    wide = shown.pivot(index="from_level", columns="to_level", values="reassessments")
    wide = wide.reindex(index=[*data.levels, TOTAL], columns=[*data.levels, TOTAL]).dropna(how="all")
    wide = wide.rename(columns={TOTAL: "all_levels"}).reset_index()
    wide["from_level"] = wide["from_level"].map(lambda g: Text("risk_rec_all_reassessments") if g == TOTAL
                                                else data.level_name(g))
    wide.columns.name = None
    return wide


def flows(data: RecidivismData, steps: int = FLOW_STEPS) -> pd.DataFrame:
    """Clients moving from each level at one assessment to each level at the next, intake to
    the ``steps``-th reassessment: ``source``/``target`` (the step and the level, as ``Text``),
    ``from_level``/``to_level`` (level names), ``reassessments`` (clients)."""
    moves = risk.level_flows(data.history, steps=steps, levels=data.levels)

    def node(step: int, level: str) -> Text:
        return Text("risk_rec_flow_node", {"step": Text("risk_rec_step_intake") if step == 0 else
                                           Text("risk_rec_step_reassessment", {"k": step}),
                                           "level": data.level_name(level)})

    return pd.DataFrame({"source": [node(s, v) for s, v in zip(moves["step_from"], moves["from_level"])],
                         "target": [node(s, v) for s, v in zip(moves["step_to"], moves["to_level"])],
                         "from_level": moves["from_level"].map(data.level_name).to_numpy(),
                         "to_level": moves["to_level"].map(data.level_name).to_numpy(),
                         "reassessments": moves["n"].astype(int).to_numpy()})


def shown_flows(data: RecidivismData, disclosure: Disclosure, steps: int = FLOW_STEPS) -> pd.DataFrame:
    """The flows the chart may draw: a level change (from, to) with a flow the disclosure hides
    at any step is drawn at no step, because the transitions table shows its total over every
    reassessment and the total minus the drawn flows would give the hidden one away."""
    moves = flows(data, steps)
    small = disclosure.too_few(moves["reassessments"])
    hidden = set(zip(moves.loc[small, "from_level"], moves.loc[small, "to_level"]))
    return moves[[pair not in hidden for pair in zip(moves["from_level"], moves["to_level"])]].reset_index(drop=True)


def flows_section(data: RecidivismData, disclosure: Disclosure) -> Section:
    """How levels change at reassessment: shares down, same, up; the flows from intake over the
    first reassessments (flows of too few clients not drawn); the from x to count grid."""
    changes = data.history.loc[data.history["sequence"] > 0, "change"].value_counts()
    total = int(changes.sum())
    blocks: list[Any] = []
    if disclosure.allows(total):
        blocks.append(Text("risk_rec_flows_plain", {"n": total, "down": changes.get("down", 0) / total,
                                                    "same": changes.get("same", 0) / total,
                                                    "up": changes.get("up", 0) / total}))
    blocks.append(Chart("flows", "sankey", shown_flows(data, disclosure), x="source", group="target",
                        y="reassessments", color="from_level", label="to_level", meaning="risk", count="reassessments",
                        levels=tuple(data.level_name(n) for n in data.levels), title_key="risk_rec_flows_chart_pairs",
                        title_values={"min_cell": disclosure.min_cell}))
    headings = {name: data.level_name(name) for name in data.levels}
    blocks.append(Table("transitions", "risk_rec_transitions_table", transitions(data, disclosure), count="suppressed",
                        labels=("from_level",), decimals=0, headings=headings, note=Text("risk_rec_transitions_note")))
    return Section("flows", "risk_rec_flows_heading", blocks)


# ---- workload -------------------------------------------------------------------------------------

def scaled_standards(factor: float) -> pd.DataFrame:
    """The contact standards (levels) with every time (minutes) multiplied by ``factor``."""
    return DEFAULT_STANDARDS.assign(**{c: DEFAULT_STANDARDS[c] * factor for c in TIME_COLUMNS})


def _former(factor: float) -> dict[str, float]:
    return {k: v * factor if k in TIME_COLUMNS else v for k, v in FORMER_REGIME.items()}


def _display_regions(study: Study, codes: pd.Series) -> pd.Series:
    """Client region codes as the one English display label of ``workbench.study_facts``."""
    labels = study.dictionary("probation_clients").value_labels("region", "en")
    known = study_regions(study)
    return codes.map(lambda code: sf.region_name(labels.get(code, code), regions=known))


def caseload(study: Study, data: RecidivismData) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Clients under supervision on the data cut-off (``study_facts.data_cutoff``) with the level
    in force then and their region (display label); and the day."""
    day = sf.data_cutoff(study)
    current = risk.current_levels(data.history, on=day).merge(data.clients[["client_id", "region"]], on="client_id")
    return current.assign(region=_display_regions(study, current["region"])), day


def staff(study: Study, data: RecidivismData) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """From ``workbench.study_facts``, for the regions of the clients in scope: clients in
    follow-up on the cut-off, officer posts of the probation offices (the service's staff, not
    the officers trained) by region, and the officers the programme trained there."""
    scope = set(_display_regions(study, data.clients["region"]))
    clients, posts, trained = sf.clients_in_followup(study), sf.probation_staff(study), sf.officers_trained(study)
    return (clients[clients["region"].isin(scope)].rename(columns={"clients": "clients_in_followup"}),
            posts[posts["region"].isin(scope)].rename(columns={"officers": "probation_staff"}),
            int(trained.loc[trained["region"].isin(scope), "officers"].sum()))


def workload_range(load: pd.DataFrame, officers: float, hours: float) -> pd.DataFrame:
    """Utilisation of risk-based and former standards with every time at 1 - ``STANDARDS_RANGE``,
    as assumed, and 1 + ``STANDARDS_RANGE``: ``factor``, ``regime``, ``hours_needed``, ``utilisation``."""
    rows = []
    for factor in (1 - STANDARDS_RANGE, 1.0, 1 + STANDARDS_RANGE):
        result = risk.workload(load, standards=scaled_standards(factor), officers=officers,
                               hours_per_officer_month=hours, former=_former(factor))
        rows.append(result.assign(factor=factor)[["factor", "regime", "hours_needed", "utilisation"]])
    return pd.concat(rows, ignore_index=True)


def workload_section(study: Study, data: RecidivismData, disclosure: Disclosure, region: Any,
                     hours_per_officer_month: float = DEFAULT_HOURS_PER_OFFICER_MONTH) -> Section:
    """Officer hours that risk-based standards need against the former regime: the standards
    (assumptions) and their sensitivity, the national balance, the high-risk capacity, regions."""
    current, day = caseload(study, data)
    followed, posts, trained = staff(study, data)
    officers = float(posts["probation_staff"].sum())
    standards = pd.concat([risk.contact_standards(), risk.contact_standards(
        pd.DataFrame([{"risk_level": "former", **FORMER_REGIME}]))], ignore_index=True)
    standards["risk_level"] = standards["risk_level"].map(lambda g: Text("risk_rec_former_regime") if g == "former"
                                                else data.level_name(g))
    standards = standards.rename(columns={"risk_level": "regime_level"})
    blocks: list[Any] = [
        Text("risk_rec_standards_explain", {"probation_staff": officers, "officers_trained": trained,
                                            "hours": hours_per_officer_month}),
        Table("standards", "risk_rec_standards_table", standards, count=None, labels=("regime_level",),
              decimals={"hours_per_client_month": 1}, note=Text("risk_rec_standards_note"))]
    load = risk.caseload(current, by=[], levels=data.levels)
    overall = risk.workload(load, officers=officers, hours_per_officer_month=hours_per_officer_month).set_index("regime")
    clients = int(followed["clients_in_followup"].sum())
    blocks.append(Text("risk_rec_workload_plain", {
        "day": day.date().isoformat(), "clients_in_followup": clients, "probation_staff": officers,
        "available": overall.loc["risk_based", "hours_available"], "risk_hours": overall.loc["risk_based", "hours_needed"],
        "risk_use": overall.loc["risk_based", "utilisation"], "former_hours": overall.loc["former", "hours_needed"],
        "former_use": overall.loc["former", "utilisation"]}))
    spread = workload_range(load, officers, hours_per_officer_month).set_index(["regime", "factor"])["utilisation"]
    blocks.append(Text("risk_rec_workload_range", {
        "range": STANDARDS_RANGE, "risk_low": spread[("risk_based", 1 - STANDARDS_RANGE)],
        "risk_high": spread[("risk_based", 1 + STANDARDS_RANGE)],
        "former_low": spread[("former", 1 - STANDARDS_RANGE)], "former_high": spread[("former", 1 + STANDARDS_RANGE)]}))
    if int(load["clients"].sum()) != clients:  # clients in follow-up without a level in force
        blocks.append(Text("risk_rec_without_level", {"n": clients - int(load["clients"].sum())}))
    counts = dict(zip(load["risk_level"], load["clients"]))
    capacity = risk.high_risk_capacity(counts, officers=officers, hours_per_officer_month=hours_per_officer_month,
                                       high_level=data.levels[-1]).iloc[0]
    key = ("risk_rec_capacity_few" if not disclosure.allows(capacity["high_risk_clients"]) else
           "risk_rec_capacity_spare" if capacity["spare_places"] >= 0 else "risk_rec_capacity_short")
    blocks.append(Text(key, {"probation_staff": officers, "level": data.level_name(data.levels[-1]),
                             "min_cell": disclosure.min_cell, "maximum": int(capacity["max_high_risk_clients"]),
                             "now": int(capacity["high_risk_clients"]), "gap": abs(int(capacity["spare_places"]))}))
    by_region = regional_workload(current, followed, posts, data, hours_per_officer_month, study_regions(study))
    blocks.append(Table("workload", "risk_rec_workload_region_table", by_region, count="clients_in_followup",
                        labels=("region",), percent=("utilisation_risk_based", "utilisation_former"), decimals=0,
                        title_values={"day": day.date().isoformat()}, note=Text("risk_rec_workload_note")))
    chart = by_region.melt(id_vars=["region", "clients_in_followup"],
                           value_vars=["utilisation_former", "utilisation_risk_based"], var_name="regime",
                           value_name="hours_utilisation")
    chart["regime"] = chart["regime"].map({"utilisation_former": Text("risk_rec_regime_former"),
                                           "utilisation_risk_based": Text("risk_rec_regime_risk_based")})
    blocks.append(Chart("workload", "bars", chart, x="region",
                        y="hours_utilisation", color="regime", meaning="group", count="clients_in_followup", percent=True,
                        title_key="risk_rec_workload_chart"))
    return Section("workload", "risk_rec_workload_heading", blocks)


def regional_workload(current: pd.DataFrame, followed: pd.DataFrame, posts: pd.DataFrame, data: RecidivismData,
                      hours: float, regions: Sequence[Region] = ()) -> pd.DataFrame:
    """One row per region: clients in follow-up (``study_facts``), officer posts, hours
    available, hours needed and utilisation under each regime (for the clients with a level in
    force; region names in the report language). The national figures are the sentence's."""
    long = risk.workload(risk.caseload(current, by=["region"], levels=data.levels), by=["region"],
                         officers=posts.rename(columns={"probation_staff": "officers"}), hours_per_officer_month=hours)
    wide = long.pivot(index="region", columns="regime", values=["hours_needed", "utilisation"])
    wide.columns = [f"{value}_{regime}" for value, regime in wide.columns]
    base = long[long["regime"] == "risk_based"].set_index("region")[["officers", "hours_available"]]
    wide = base.join(wide).rename(columns={"officers": "probation_staff"})
    wide["clients_in_followup"] = followed.set_index("region")["clients_in_followup"].reindex(wide.index)
    order = [r for r in posts["region"] if r in wide.index] + [r for r in wide.index if r not in set(posts["region"])]
    wide = wide.reindex(order).reset_index()
    wide["region"] = wide["region"].map(lambda r: sf.region_name(r, data.language, regions))
    return wide[["region", "clients_in_followup", "probation_staff", "hours_available", "hours_needed_former",
                 "utilisation_former", "hours_needed_risk_based", "utilisation_risk_based"]]


# ---- methods and findings -------------------------------------------------------------------------

def data_section(study: Study, data: RecidivismData, region: Any) -> Section:
    """How many clients are analysed, their follow-up and how it ended."""
    blocks: list[Any] = []
    if region is not None:
        labels = study.dictionary("probation_clients").value_labels("region", data.language)
        blocks.append(Text("risk_rec_region_note", {"region": labels.get(region, region)}))
    outcomes = data.data["outcome"].value_counts()
    blocks.append(Text("risk_rec_data", {
        "clients": len(data.clients), "analysed": len(data.data),
        "median": float(data.data["duration_days"].median()) / DAYS_PER_MONTH,
        "reoffences": int(outcomes.get("reoffence", 0)), "revocations": int(outcomes.get("revocation", 0)),
        "deaths": int(outcomes.get("death", 0)), "censored": int(outcomes.get("none", 0))}))
    return Section("data", "risk_rec_data_heading", blocks, part="methods")


def findings_section(study: Study, data: RecidivismData, disclosure: Disclosure, region: Any,
                     hours_per_officer_month: float = DEFAULT_HOURS_PER_OFFICER_MONTH) -> Section:
    """5-7 plain-language findings with their numbers and intervals, each linked to its section."""
    blocks: list[Any] = []
    if _levels_shown(data, disclosure):
        year = survival_at(data, disclosure)
        year = year[year["months"] == 12].set_index("group")
        last, first = data.levels[-1], data.levels[0]
        if last in year.index and first in year.index and disclosure.allows(year.loc[[first, last], "at_risk"].min()):
            high, low = year.loc[last], year.loc[first]
            blocks.append(Finding("risk_rec_finding_year", "survival", {
                "level": data.level_name(last), "share": 1 - high["survival"], "low": 1 - high["ci_high"],
                "high": 1 - high["ci_low"], "other": data.level_name(first), "other_share": 1 - low["survival"]}))
    cox, events = cox_model(data)
    if not cox.empty and disclosure.allows(events):
        score = cox.set_index("term").loc["intake_total"]
        blocks.append(Finding("risk_rec_finding_cox", "cox", {"hr": score["hazard_ratio"], "low": score["hr_ci_low"],
                                                              "high": score["hr_ci_high"]}))
    changes = data.history.loc[data.history["sequence"] > 0, "change"].value_counts()
    if disclosure.allows(int(changes.sum())):
        blocks.append(Finding("risk_rec_finding_flows", "flows", {
            "down": changes.get("down", 0) / changes.sum(), "up": changes.get("up", 0) / changes.sum(),
            "n": int(changes.sum())}))
    current, _ = caseload(study, data)
    _, posts, trained = staff(study, data)
    officers = float(posts["probation_staff"].sum())
    load = risk.caseload(current, by=[], levels=data.levels)
    spread = workload_range(load, officers, hours_per_officer_month).set_index(["regime", "factor"])["utilisation"]
    blocks.append(Finding("risk_rec_finding_workload", "workload", {
        "use": spread[("risk_based", 1.0)], "low": spread[("risk_based", 1 - STANDARDS_RANGE)],
        "high": spread[("risk_based", 1 + STANDARDS_RANGE)], "probation_staff": officers,
        "former": spread[("former", 1.0)], "range": STANDARDS_RANGE}))
    blocks.append(Finding("risk_rec_finding_staff", "workload", {"officers_trained": trained,
                                                                 "probation_staff": officers}))
    return Section("findings", "key_findings", blocks, part="findings")


def sections(study: Study, disclosure: Disclosure, region: Any = None, language: str = "en",
             instrument_name: str = "risk_instrument_demo",
             hours_per_officer_month: float = DEFAULT_HOURS_PER_OFFICER_MONTH) -> list[Section]:
    """Report 04's sections in report order."""
    data = load(study, region, instrument_name, language)
    return [findings_section(study, data, disclosure, region, hours_per_officer_month),
            survival_section(data, disclosure), cox_section(data, disclosure), incidence_section(data, disclosure),
            flows_section(data, disclosure),
            workload_section(study, data, disclosure, region, hours_per_officer_month),
            data_section(study, data, region)]
