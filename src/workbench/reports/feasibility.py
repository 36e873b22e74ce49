"""Reports 05 (electronic monitoring) and 06 (re-entry resource centre): decision models with
Monte Carlo uncertainty, told as key findings first and the model's inputs last.

``em_run(study, ...)`` / ``re_run(study, ...)`` load the parameter file (with the report's
``overrides``), build the model, its base case and the simulation (a ``Run``);
``em_sections(run, ...)`` / ``re_sections(run, ...)`` return the report's sections. The
models, the simulation and the reading rules (a near-tie is a tie, where the base case sits
in the simulated distribution) are ``workbench.feasibility``; this module only says what the
report shows. Facts other reports also show (violent-extremist clients on probation,
probation officers, offices) come from ``workbench.study_facts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import re

import numpy as np
import pandas as pd

from workbench import feasibility as fz
from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.feasibility.parameters import ParameterSet, split_overrides
from workbench.feasibility.reading import CLEAR_BEST, base_percentile, best_or_tie
from workbench.regions import study_regions
from workbench.reports.sections import Chart, Finding, Section, Table, Text
from workbench.study import Study

EM = "05_feasibility_electronic_monitoring"
RE = "06_feasibility_reentry_centre"
EM_OPTIONS = ("status_quo", "app", "rf_bracelet", "gps_bracelet", "custody_alternative")
RE_OPTIONS = tuple(fz.LOCATION_OPTIONS)
EM_METRICS = ("clients_monitored", "annual_cost", "cost_per_client_day", "incremental_cost", "avoided_prison_days",
              "avoided_reoffences", "custody_savings", "net_cost", "break_even_custody_cost")
#: units and currencies the catalogue names in every language (``fe_unit_<slug>``, ``fe_currency_<code>``);
#: another unit or currency of a parameter file is shown as the file writes it
UNITS = ("KGS", "KGS/case", "KGS/day", "KGS/night", "KGS/person", "KGS/session", "KGS/year", "USD/day", "alerts/day",
         "beds", "days", "hours/year", "minutes", "nights", "persons", "persons per 100 clients", "persons/year",
         "proportion", "ratio", "sessions", "years")
CURRENCIES = ("KGS", "USD", "EUR", "GBP")
#: the model's officers to train: set to the officers the programme trained (study_facts) when the
#: study has training records, as the parameter file's own figure ("about 150 trained") intends
STAFF_PARAMETER = "officers_to_train"


@dataclass
class Run:
    """One model run: parameters (overrides applied), model, base case values, simulation and
    its summary (indexed by outcome), plus the overrides applied and those left to the other
    feasibility report."""

    params: ParameterSet
    model: Any
    base: dict[str, float]
    simulation: fz.MonteCarloResult
    summary: pd.DataFrame
    overrides: dict[str, Any]
    ignored: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


def option(name: str) -> Text:
    """An option's name in the report language."""
    return Text(f"fe_option_{name}")


def outcome(name: str) -> Text:
    """``option.metric`` as "Option: metric" in the report language."""
    opt, metric = name.split(".", 1)
    return Text("fe_outcome_label", {"option": option(opt), "metric": Text(f"fe_metric_{metric}")})


def _simulate(model: Any, params: ParameterSet, overrides: dict[str, Any], ignored: list[str], draws: int,
              seed: int, **extra: Any) -> Run:
    base = fz.base_case(model, params)
    simulation = fz.monte_carlo(model, params, n_draws=int(draws), seed=int(seed))
    return Run(params, model, dict(zip(base["outcome"], base["value"])), simulation,
               fz.summarise(simulation).set_index("outcome"), overrides, ignored, extra)


def parameters_dataset_of(study: Study, model: str, name: str | None = None) -> str:
    """The study's parameter dataset for ``model``: ``name`` when given, else the one dataset whose
    study.yaml entry declares ``model: <model>`` (so no report names a dataset of a study)."""
    if name is not None:
        return name
    found = sorted(d.name for d in study.datasets.values() if d.model == model)
    if len(found) != 1:
        raise WorkbenchError(f"the study has {len(found)} parameter datasets of the model {model!r}",
                             file=str(study.root / "study.yaml"), value=", ".join(found) or None,
                             expected=f"exactly one dataset with 'model: {model}', or the parameter "
                                      "parameters_dataset naming one")
    return found[0]


def load(study: Study, dataset: str, overrides: Mapping[str, Any] | None) -> tuple[ParameterSet, dict, list]:
    """The parameter file of ``dataset`` with the overrides naming its parameters applied; the
    names that belong to the other feasibility model are returned, an unknown name is an error."""
    params = fz.load_parameters(study.path(dataset))
    own, ignored = split_overrides(params, dict(overrides or {}))
    return fz.apply_overrides(params, own or None), own, ignored


# ---- shared sections ------------------------------------------------------------------------------------

def _whole(value: Any) -> Any:
    """A whole float as an int, so that templates show ``1 000 000`` and not ``1 000 000.00``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def unit_text(unit: str) -> Text | str:
    """A parameter's unit in the report language (``KGS/day`` -> "som a day"), else as written."""
    return Text("fe_unit_" + re.sub(r"[^a-z0-9]+", "_", unit.lower()).strip("_")) if unit in UNITS else unit


def currency_text(code: str) -> Text | str:
    """A currency code in the report language (``USD`` -> "US dollars"), else as written."""
    return Text(f"fe_currency_{code.lower()}") if code in CURRENCIES else code


def distribution_text(distribution: fz.Distribution) -> Text:
    """A parameter's distribution in words with numbers in the report language (never
    ``triangular(low=1e+06, ...)``)."""
    args = {key: _whole(float(value)) for key, value in distribution.args.items()}
    kind = distribution.kind
    if kind == "beta":
        kind = "beta_mean" if "mean" in args else "beta_shape"
    if kind == "normal" and "low" in args:
        kind = "normal_truncated"
    return Text(f"fe_dist_{kind}", {**args, "value": _whole(float(distribution.value))})


def assumptions_section(params: ParameterSet, language: str) -> Section:
    """Every model input: base value, unit, price year, 5th-95th percentile, distribution in
    words, source, basis, original amount, whether this edition changed it."""
    table = fz.assumptions_table(params, language)
    frame = pd.DataFrame({
        "parameter": table["label"],
        "value": table["value"].map(_whole),
        "unit": [unit_text(u) for u in table["unit"]],
        "price_year": [str(int(y)) if pd.notna(y) else "" for y in table["year"]],
        "p05": table["p05"], "p95": table["p95"],
        "distribution": [distribution_text(params[name].distribution) for name in table["name"]],
        "source": table["source"],
        "basis": [Text(f"fe_basis_{b}") for b in table["basis"]],
        "original": [Text("fe_original_amount", {"value": v, "currency": currency_text(c)}) if c else ""
                     for v, c in zip(table["original_value"], table["original_currency"])],
        "overridden": [Text("fe_yes") if flag else "" for flag in table["overridden"]],
    })
    rates = fz.exchange_rate_table(params, language)
    rates = pd.DataFrame({"currency": [currency_text(c) for c in rates["currency"]], "rate": rates["rate"],
                          "price_year": rates["year"].astype(int).astype(str), "source": rates["source"]})
    return Section("assumptions", "fe_assumptions", [
        Text("fe_assumptions_intro"),
        Table("assumptions", "fe_assumptions", frame, count=None,
              labels=("parameter", "unit", "price_year", "distribution", "source", "basis", "original", "overridden"),
              decimals=2),
        Table("exchange-rates", "fe_exchange_rates", rates, count=None, labels=("currency", "price_year", "source"),
              decimals=2),
    ], part="methods")


def uncertainty_rows(run: Run, outcomes: list[str]) -> pd.DataFrame:
    """Per outcome: base case, median and 90% range of the simulations, and the base case's
    percentile among them."""
    rows = run.summary.loc[outcomes]
    return pd.DataFrame({"outcome": [outcome(o) for o in outcomes], "median": rows["median"].to_numpy(),
                         "low": rows["low"].to_numpy(), "high": rows["high"].to_numpy(),
                         "base": rows["base"].to_numpy(),
                         "base_percentile": [base_percentile(run.simulation, o) for o in outcomes]})


def uncertainty_section(run: Run, groups: list[tuple[list[str], int]], chart_outcome: str,
                        options: tuple[str, ...], chart_title: str) -> Section:
    """The simulations: one table per group of outcomes (with its decimals), and a chart of
    the median and 90% range of ``chart_outcome`` (a metric) for each option."""
    blocks: list[Any] = [Text("fe_uncertainty_intro", {"draws": run.simulation.n_draws,
                                                       "seed": run.simulation.seed})]
    for i, (outcomes, digits) in enumerate(groups):
        blocks.append(Table(f"simulation-{i + 1}", "fe_uncertainty_table", uncertainty_rows(run, outcomes), count=None,
                            labels=("outcome",), percent=("base_percentile",),
                            decimals={"median": digits, "low": digits, "high": digits, "base": digits,
                                      "base_percentile": 0}))
    names = [f"{o}.{chart_outcome}" for o in options]
    rows = run.summary.loc[names]
    frame = pd.DataFrame({"option": [option(o) for o in options], "median": rows["median"].to_numpy(),
                          "low": rows["low"].to_numpy(), "high": rows["high"].to_numpy()})
    blocks.append(Chart("simulation-range", "interval", frame, x="option", y="median", low="low", high="high",
                        title_key=chart_title))
    return Section("uncertainty", "fe_uncertainty", blocks)


def tornado_section(run: Run, target: str, language: str) -> Section:
    """One-way sensitivity of ``target``: the ten parameters whose 5th-95th percentile swing
    moves it most, as a table and a range chart."""
    tornado = fz.one_way_sensitivity(run.model, run.params, target).head(10)
    labels = [run.params[name].label_in(language) for name in tornado["parameter"]]
    table = pd.DataFrame({"parameter": labels, "low_input": tornado["low_input"].to_numpy(),
                          "high_input": tornado["high_input"].to_numpy(),
                          "outcome_at_low": tornado["outcome_at_low"].to_numpy(),
                          "outcome_at_high": tornado["outcome_at_high"].to_numpy(), "swing": tornado["swing"].to_numpy()})
    ends = table[["outcome_at_low", "outcome_at_high"]]
    chart = pd.DataFrame({"parameter": labels, "base": tornado["base"].to_numpy(),
                          "range_low": ends.min(axis=1).to_numpy(), "range_high": ends.max(axis=1).to_numpy()})
    return Section("sensitivity", "fe_tornado", [
        Text("fe_tornado_intro", {"outcome": outcome(target)}),
        Chart("tornado", "forest", chart, x="parameter", y="base", low="range_low", high="range_high",
              title_key="fe_tornado_chart", title_values={"outcome": outcome(target)}),
        Table("tornado", "fe_tornado_table", table, count=None, labels=("parameter",),
              decimals={"low_input": 2, "high_input": 2, "outcome_at_low": 0, "outcome_at_high": 0, "swing": 0}),
    ], part="methods")


def scenario_section(run: Run, scenarios: dict[str, dict[str, float]], outcomes: list[str]) -> Section:
    """Each outcome under the base case and under each scenario (one column per scenario)."""
    long = fz.scenario_table(run.model, run.params, scenarios, outcomes)
    wide = long.pivot(index="outcome", columns="scenario", values="value").reindex(outcomes)[["base", *scenarios]]
    wide = wide.reset_index()
    wide["outcome"] = [outcome(o) for o in wide["outcome"]]
    return Section("scenarios", "fe_scenarios", [
        Text("fe_scenarios_intro"),
        Table("scenarios", "fe_scenario_table", wide, count=None, labels=("outcome",), decimals=0),
    ])


def overrides_blocks(run: Run, region: Any, language: str = "en") -> list[Any]:
    """Sentences on the edition: national model, changed parameters, overrides for the other model."""
    blocks: list[Any] = []
    if region is not None:
        blocks.append(Text("fe_national_model", {"region": study_facts.region_name(region, language, run.extra["regions"])}))
    if run.overrides:
        blocks.append(Text("fe_overrides_note", {"names": [Text("fe_override_item", {"name": run.params[n].label_in(language),
                                                                                      "value": _whole(float(v))})
                                                           for n, v in run.overrides.items()]}))
    if run.ignored:
        blocks.append(Text("fe_overrides_ignored", {"names": ", ".join(run.ignored)}))
    return blocks


# ---- 05 electronic monitoring ---------------------------------------------------------------------------

def em_run(study: Study, *, overrides: Mapping[str, Any] | None = None, draws: int = 10_000,
           seed: int = 20261122, parameters_dataset: str | None = None) -> Run:
    """The electronic-monitoring model of the study: population from the client table (else
    the parameter file's default counts), officers to train = officers the programme trained
    when the study has training records (unless overridden)."""
    parameters_dataset = parameters_dataset_of(study, "electronic_monitoring", parameters_dataset)
    params, own, ignored = load(study, parameters_dataset, overrides)
    staff = None
    if "training_participants" in study.datasets and STAFF_PARAMETER in params.names and STAFF_PARAMETER not in own:
        staff = {"officers_trained": int(study_facts.officers_trained(study)["officers"].sum())}
        params = fz.apply_overrides(params, {STAFF_PARAMETER: staff["officers_trained"]})
        if "offices" in study.datasets:
            staff["probation_staff"] = int(study_facts.probation_staff(study)["officers"].sum())
            staff["probation_offices"] = int(study_facts.probation_offices(study)["offices"].sum())
    counts = fz.default_counts(study.path(parameters_dataset), study_regions(study))
    ve_clients = None
    if "probation_clients" in study.datasets and "risk_assessments" in study.datasets:
        from workbench import risk

        scored = risk.score_assessments(study.read("risk_assessments"), keep=["client_id", "assessment_date"])
        people = fz.em_population(counts, study.read("probation_clients"), scored)
        ve_clients = int(study_facts.ve_clients_on_probation(study, people.as_of)["clients"].sum())
    else:
        people = fz.em_population(counts)
    model = fz.electronic_monitoring_model(people.table)
    return _simulate(model, params, own, ignored, draws, seed, regions=study_regions(study), people=people,
                     counts=counts, staff=staff,
                     ve_clients=ve_clients)


def em_sections(run: Run, *, region: Any = None, disclosure: Disclosure, language: str = "en") -> list[Section]:
    """Report 05's sections in report order."""
    return [em_findings(run), em_summary(run, region, language), em_who(run, region, disclosure, language), em_base(run),
            uncertainty_section(run, [(["gps_bracelet.annual_cost", "gps_bracelet.net_cost", "app.net_cost",
                                        "rf_bracelet.net_cost", "custody_alternative.net_cost"], 0),
                                       (["gps_bracelet.avoided_prison_days", "gps_bracelet.avoided_reoffences",
                                         "rf_bracelet.avoided_reoffences", "app.avoided_reoffences"], 1)],
                                "net_cost", EM_OPTIONS[1:], "fe_em_violin"),
            em_change(run, language), em_scenarios(run),
            assumptions_section(run.params, language), tornado_section(run, "gps_bracelet.net_cost", language)]


def _eligible(run: Run) -> tuple[float, float]:
    population = run.extra["people"].table
    eligible = population["eligible"].astype(bool)
    return float(population.loc[eligible, "clients"].sum()), float(population.loc[~eligible, "clients"].sum())


def _median_values(run: Run, name: str) -> dict[str, float]:
    """Median, 90% range, base case and its percentile of one outcome, as template values."""
    row = run.summary.loc[name]
    return {"median": row["median"], "low": row["low"], "high": row["high"], "base": row["base"],
            "percentile": base_percentile(run.simulation, name)}


def em_findings(run: Run) -> Section:
    """05's key findings: who, cost, effect, net cost, prison alternative, how sure."""
    eligible, _ = _eligible(run)
    p_gps = fz.probability_less(run.simulation, "gps_bracelet.net_cost", 0.0)
    p_alt = fz.probability_less(run.simulation, "custody_alternative.net_cost", 0.0)
    who = ({"ve_clients_on_probation": run.extra["ve_clients"], "eligible": eligible}
           if run.extra["ve_clients"] is not None else {"eligible": eligible})
    return Section("findings", "key_findings", [
        Finding("fe_em_finding_who" if run.extra["ve_clients"] is not None else "fe_em_finding_who_default", "who", who),
        Finding("fe_em_finding_cost", "uncertainty", _median_values(run, "gps_bracelet.annual_cost")),
        Finding("fe_em_finding_effect", "uncertainty", _median_values(run, "gps_bracelet.avoided_prison_days")),
        Finding("fe_em_finding_net", "change", {**_median_values(run, "gps_bracelet.net_cost"),
                                                "break_even": run.base["gps_bracelet.break_even_custody_cost"],
                                                "custody_cost": run.params["custody_cost_per_day"].value}),
        Finding("fe_em_finding_alternative", "change", _median_values(run, "custody_alternative.net_cost")),
        Finding("fe_em_finding_sure", "uncertainty", {"p_gps": p_gps, "p_alt": p_alt, "draws": run.simulation.n_draws}),
    ], part="findings")


def em_summary(run: Run, region: Any, language: str = "en") -> Section:
    """The base-case summary in sentences (the findings give medians; these give the model's
    base case, which the override test reads)."""
    base, summary = run.base, run.summary
    eligible, not_eligible = _eligible(run)
    releases = float(run.extra["people"].table.loc[run.extra["people"].table["eligible"].astype(bool),
                                                     "releases_per_year"].sum())
    gps = summary.loc["gps_bracelet.annual_cost"]
    days, reoff = summary.loc["gps_bracelet.avoided_prison_days"], summary.loc["gps_bracelet.avoided_reoffences"]
    net, alt = base["gps_bracelet.net_cost"], base["custody_alternative.net_cost"]
    return Section("summary", "fe_base_summary", [*overrides_blocks(run, region, language),
        Text("fe_em_exec_who", {"eligible": eligible, "not_eligible": not_eligible, "releases": releases}),
        Text("fe_em_exec_cost", {"monitored": base["gps_bracelet.clients_monitored"], "annual": gps["base"],
                                 "low": gps["low"], "high": gps["high"], "extra": base["gps_bracelet.incremental_cost"],
                                 "per_day": base["gps_bracelet.cost_per_client_day"],
                                 "status_quo_per_day": base["status_quo.cost_per_client_day"],
                                 "app_extra": base["app.incremental_cost"]}),
        Text("fe_em_exec_effect", {"days": days["base"], "days_low": days["low"], "days_high": days["high"],
                                   "reoffences": reoff["base"], "reoffences_low": reoff["low"],
                                   "reoffences_high": reoff["high"]}),
        Text("fe_em_exec_net_cost" if net >= 0 else "fe_em_exec_net_saving",
             {"custody_cost": run.params["custody_cost_per_day"].value, "savings": base["gps_bracelet.custody_savings"],
              "net": abs(net), "break_even": base["gps_bracelet.break_even_custody_cost"]}),
        Text("fe_em_exec_alternative_cost" if alt >= 0 else "fe_em_exec_alternative_saving",
             {"replaced": base["custody_alternative.avoided_prison_days"], "net": abs(alt),
              "break_even": base["custody_alternative.break_even_custody_cost"]}),
    ])


def em_who(run: Run, region: Any, disclosure: Disclosure, language: str = "en") -> Section:
    """Who the model concerns: where the counts come from, the staff and offices, eligible
    clients and releases by region (small counts suppressed)."""
    people = run.extra["people"]
    blocks: list[Any] = []
    if people.source == "clients":
        blocks.append(Text("fe_em_source_clients", {"as_of": people.as_of.date().isoformat(),
                                                    "unassessed": people.unassessed}))
    else:
        blocks.append(Text("fe_em_source_default", {"source": run.extra["counts"].source_in(language)}))
    staff = run.extra["staff"]
    if staff is not None:
        blocks.append(Text("fe_em_staff" if "probation_staff" in staff else "fe_em_trained", staff))
    by_region = fz.population_summary(people.table).rename(columns={
        "releases_per_year_eligible": "releases_eligible", "releases_per_year_not_eligible": "releases_not_eligible"})
    by_region["region"] = [study_facts.region_name(r, language, run.extra["regions"]) for r in by_region["region"]]
    if region is not None:
        name = study_facts.region_name(region, language, run.extra["regions"])
        here = by_region[by_region["region"] == name]
        eligible_here = float(here["clients_eligible"].sum())
        if people.source == "clients" and not disclosure.allows(eligible_here):
            blocks.append(Text("fe_em_region_small", {"region": name, "min_cell": disclosure.min_cell}))
        else:
            blocks.append(Text("fe_em_region_count", {"region": name,
                                                      "eligible": eligible_here,
                                                      "releases": float(here["releases_eligible"].sum())}))
    note = None
    if people.source == "clients" and disclosure.too_few(by_region["clients_eligible"]).mean() > 0.5:
        # mostly suppressed by region: the national totals instead of a grid of markers (issue 14.4)
        by_region = by_region.drop(columns="region").sum().to_frame().T
        by_region.insert(0, "region", [Text("all_regions")])
        note = Text("fe_em_by_region_national")
    blocks.append(Table("by-region", "fe_em_by_region", by_region,
                        count="clients_eligible" if people.source == "clients" else None, labels=("region",),
                        decimals=0, note=note))
    return Section("who", "fe_who", blocks)


def em_base(run: Run) -> Section:
    """The base case of every option, and its annual cost with the 90% range."""
    table = fz.option_table(run.base, list(EM_METRICS))
    table["option"] = [option(o) for o in table["option"]]
    rows = run.summary.loc[[f"{o}.annual_cost" for o in EM_OPTIONS]]
    costs = pd.DataFrame({"option": [option(o) for o in EM_OPTIONS], "median": rows["median"].to_numpy(),
                          "low": rows["low"].to_numpy(), "high": rows["high"].to_numpy()})
    return Section("base-case", "fe_base_case", [
        Text("fe_em_base_intro"),
        Table("base-case", "fe_em_base_table", table, count=None, labels=("option",),
              decimals={m: (1 if m in ("clients_monitored", "avoided_reoffences") else 0) for m in EM_METRICS}),
        Chart("annual-cost", "bars", costs, x="option", y="median", low="low", high="high", title_key="fe_em_cost_chart"),
    ])


def em_change(run: Run, language: str) -> Section:
    """What would change the conclusion: the break-even prisoner-day cost and the parameters
    whose plausible range crosses a net cost of zero; net cost against the prisoner-day cost."""
    params, base = run.params, run.base
    custody_p95 = float(params["custody_cost_per_day"].distribution.ppf([0.95])[0])
    blocks: list[Any] = [Text("fe_em_change_break_even", {"break_even": base["gps_bracelet.break_even_custody_cost"],
                                                          "p95": custody_p95})]
    for target, none_key, some_key in [("gps_bracelet.net_cost", "fe_em_change_none", "fe_em_change_some"),
                                       ("custody_alternative.net_cost", "fe_em_change_alternative_none",
                                        "fe_em_change_alternative_some")]:
        thresholds = fz.conclusion_thresholds(run.model, params, target, 0.0)
        changing = thresholds[thresholds["within_plausible_range"]]
        blocks.append(Text(some_key, {"count": len(changing)}) if len(changing) else Text(none_key))
        if len(changing):
            frame = pd.DataFrame({"parameter": [params[n].label_in(language) for n in changing["parameter"]],
                                  "base_input": changing["base_input"].to_numpy(),
                                  "threshold": changing["threshold"].to_numpy(),
                                  "p05": changing["p05"].to_numpy(), "p95": changing["p95"].to_numpy()})
            blocks.append(Table(f"thresholds-{target.split('.')[0]}", "fe_threshold_table", frame, count=None,
                                labels=("parameter",), decimals=2, title_values={"outcome": outcome(target)}))
    upper = float(np.nanmax([2 * custody_p95, 1.2 * base["custody_alternative.break_even_custody_cost"]]))
    lines = []
    for target in ("custody_alternative.net_cost", "gps_bracelet.net_cost"):
        grid = fz.two_way_grid(run.model, params, "custody_cost_per_day", "placement_share", target,
                               x_values=np.linspace(0, upper, 41), y_values=[params["placement_share"].value])
        lines.append(pd.DataFrame({"custody_cost": grid["x_value"].to_numpy(), "net_cost": grid["value"].to_numpy(),
                                   "option": [option(target.split(".")[0])] * len(grid)}))
    blocks.append(Chart("net-cost-by-custody-cost", "lines", pd.concat(lines, ignore_index=True), x="custody_cost",
                        y="net_cost", color="option", meaning="group", title_key="fe_em_net_chart"))
    return Section("change", "fe_change", blocks)


def em_scenarios(run: Run) -> Section:
    """05's scenarios: dearer custody, a strong effect, a shared centre, cheap devices, all placed."""
    params = run.params
    scenarios = {
        "custody_high": fz.at_quantile(params, ["custody_cost_per_day"], 0.95),
        "strong_effect": fz.at_quantile(params, [n for n in params.names if n.endswith("_rr")], 0.05),
        "shared_centre": fz.scaled(params, ["monitoring_centre_cost_per_year", "em_software_cost_per_year",
                                            "centre_setup_cost"], 0.0),
        "cheap_devices": fz.at_quantile(params, ["app_cost_per_client_day", "rf_cost_per_client_day",
                                                 "gps_cost_per_client_day"], 0.05),
        "all_placed": {"placement_share": 1.0},
    }
    return scenario_section(run, scenarios, ["gps_bracelet.annual_cost", "gps_bracelet.net_cost", "app.net_cost",
                                             "custody_alternative.net_cost"])


# ---- 06 re-entry centre ---------------------------------------------------------------------------------

def re_run(study: Study, *, overrides: Mapping[str, Any] | None = None, draws: int = 10_000, seed: int = 20261122,
           years: int = 5, parameters_dataset: str | None = None) -> Run:
    """The re-entry centre model: demand from the parameter file's default counts projected
    over ``years``, base case, simulation, and each option's share of simulations in which it
    costs least per person reached and reaches the most people."""
    parameters_dataset = parameters_dataset_of(study, "reentry_centre", parameters_dataset)
    params, own, ignored = load(study, parameters_dataset, overrides)
    counts = fz.default_counts(study.path(parameters_dataset), study_regions(study))
    demand = fz.project_demand(counts.table, years=int(years))
    model = fz.reentry_centre_model(demand)
    run = _simulate(model, params, own, ignored, draws, seed, regions=study_regions(study), demand=demand,
                    counts=counts, years=int(years),
                    clients_table="probation_clients" in study.datasets)
    reached = {o: f"{o}.clients_reached" for o in RE_OPTIONS}
    run.extra["cheapest_share"] = fz.acceptability_curve(run.simulation, {o: f"{o}.cost_per_client" for o in RE_OPTIONS},
                                                         reached, [0.0]).set_index("option")["probability_best"].to_dict()
    # most reached: the largest "net benefit" 2 x reached - reached is the largest reach
    run.extra["reach_share"] = fz.acceptability_curve(run.simulation, reached, reached,
                                                      [2.0]).set_index("option")["probability_best"].to_dict()
    return run


def re_sections(run: Run, *, region: Any = None, language: str = "en") -> list[Section]:
    """Report 06's sections in report order."""
    return [re_findings(run), re_summary(run, region, language), re_who(run, region, language), re_base(run, language),
            uncertainty_section(run, [([f"{o}.{m}" for o in RE_OPTIONS
                                        for m in ("clients_reached", "annual_cost", "cost_per_client")], 0)],
                                "cost_per_client", RE_OPTIONS, "fe_re_violin"),
            re_change(run), re_scenarios(run), assumptions_section(run.params, language),
            tornado_section(run, f"{re_cheapest(run)}.cost_per_client", language)]


def centre_text(centre: str, language: str, regions: Any = ()) -> Text | str:
    """Where a centre is (its region's display name), or the outreach teams."""
    return Text("fe_centre_outreach") if centre == "outreach" else study_facts.region_name(centre, language, regions)


def re_cheapest(run: Run) -> str:
    """The option with the lowest base-case cost per person reached."""
    return min(RE_OPTIONS, key=lambda o: run.base[f"{o}.cost_per_client"])


def _verdict(shares: dict[str, float], clear_key: str, tie_key: str, draws: int) -> Text:
    verdict = best_or_tie(shares)
    values = {"share": verdict.share, "draws": draws, "clear_best": CLEAR_BEST}
    if verdict.clear:
        return Text(clear_key, {"option": option(verdict.options[0]), **values})
    return Text(tie_key, {"options": [Text("fe_quoted", {"option": option(o)}) for o in verdict.options], **values})


def re_findings(run: Run) -> Section:
    """06's key findings: demand, each option's reach and cost, which is cheapest and which
    reaches most (a near-tie reported as a tie)."""
    years = run.extra["years"]
    potential = run.summary.loc[f"{RE_OPTIONS[0]}.potential_clients"]
    blocks: list[Any] = [Finding("fe_re_finding_demand", "who", {"per_year": potential["median"] / years, "years": years,
                                                                 "median": potential["median"], "low": potential["low"],
                                                                 "high": potential["high"]})]
    for name in RE_OPTIONS:
        values = _median_values(run, f"{name}.cost_per_client")
        blocks.append(Finding("fe_re_finding_option", "base-case", {
            "option": option(name), "reached": run.summary.loc[f"{name}.clients_reached", "median"] / years, **values}))
    draws = run.simulation.n_draws
    cheapest = _verdict(run.extra["cheapest_share"], "fe_re_cheapest_clear", "fe_re_cheapest_tie", draws)
    reach = _verdict(run.extra["reach_share"], "fe_re_reach_clear", "fe_re_reach_tie", draws)
    blocks.append(Finding("fe_re_finding_sure", "change", {"cheapest": cheapest, "reach": reach}))
    return Section("findings", "key_findings", blocks, part="findings")


def re_summary(run: Run, region: Any, language: str = "en") -> Section:
    """The base case in sentences, option by option; its comparison names the simulations'
    verdict too (the same ``_verdict`` as the key findings), so a base-case leader is never read as
    a clear winner when the options are tied."""
    base, summary, years = run.base, run.summary, run.extra["years"]
    potential = summary.loc[f"{RE_OPTIONS[0]}.potential_clients"]
    blocks: list[Any] = [*overrides_blocks(run, region, language),
                         Text("fe_re_exec_who", {"per_year": potential["base"] / years, "years": years,
                                                 "potential": potential["base"], "low": potential["low"],
                                                 "high": potential["high"]}),
                         Text("fe_re_exec_today")]
    for name in RE_OPTIONS:
        requests = base[f"{name}.housing_requests"]
        values = {"option": option(name), "reached": base[f"{name}.clients_reached"] / years,
                  "share": base[f"{name}.reach_share"], "annual": base[f"{name}.annual_cost"],
                  "low": summary.loc[f"{name}.annual_cost", "low"], "high": summary.loc[f"{name}.annual_cost", "high"],
                  "per_client": base[f"{name}.cost_per_client"]}
        blocks.append(Text("fe_re_exec_option", {**values, "turned": base[f"{name}.turned_away"] / requests})
                      if requests > 0 else Text("fe_re_exec_option_no_beds", values))
    most = max(RE_OPTIONS, key=lambda o: base[f"{o}.clients_reached"])
    reach = _verdict(run.extra["reach_share"], "fe_re_reach_clear", "fe_re_reach_tie", run.simulation.n_draws)
    blocks.append(Text("fe_re_exec_compare", {"most_reach": option(most), "cheapest": option(re_cheapest(run)),
                                              "reach": reach}))
    return Section("summary", "fe_base_summary", blocks)


def re_who(run: Run, region: Any, language: str = "en") -> Section:
    """Where demand comes from, per region in the first projected year, and reach by region."""
    demand, years = run.extra["demand"], run.extra["years"]
    first, last = int(demand["year"].min()), int(demand["year"].max())
    blocks: list[Any] = [Text("fe_re_source_default", {"source": run.extra["counts"].source_in(language), "years": years,
                                                       "first": str(first), "last": str(last)})]
    if run.extra["clients_table"]:
        blocks.append(Text("fe_re_source_clients_unused"))
    reach = fz.reach_by_region(run.params.values(), demand)
    reach["region"] = [study_facts.region_name(r, language, run.extra["regions"]) for r in reach["region"]]
    if region is not None:
        name = study_facts.region_name(region, language, run.extra["regions"])
        here = reach[reach["region"] == name]
        blocks.append(Text("fe_re_region", {"region": name, "potential": float(here["potential_clients"].iloc[0]),
                                            "years": years}))
        blocks.append(Table("region-reach", "fe_re_region_table",
                            pd.DataFrame({"option": [option(o) for o in here["option"]],
                                          "centre": [centre_text(c, language, run.extra["regions"]) for c in here["centre"]],
                                          "access": [Text(f"fe_access_{a}") for a in here["access"]],
                                          "potential_clients": here["potential_clients"].to_numpy(),
                                          "clients_reached": here["clients_reached"].to_numpy()}),
                            count=None, labels=("option", "centre", "access"), decimals=0,
                            title_values={"region": name}))
    per_year = demand[demand["year"] == first][["region", "releases", "probation_completions"]].copy()
    per_year["region"] = [study_facts.region_name(r, language, run.extra["regions"]) for r in per_year["region"]]
    blocks.append(Table("demand", "fe_re_demand_table", per_year, count=None, labels=("region",), decimals=0))
    chart = pd.DataFrame({"region": reach["region"], "clients_reached": reach["clients_reached"],
                          "option": [option(o) for o in reach["option"]]})
    blocks.append(Chart("reach-by-region", "bars", chart, x="region", y="clients_reached", color="option",
                        meaning="group", title_key="fe_re_reach_chart"))
    return Section("who", "fe_who", blocks)


def re_base(run: Run, language: str = "en") -> Section:
    """Each option's base case, and the first year's bed use month by month."""
    base, years = run.base, run.extra["years"]
    table = pd.DataFrame({
        "option": [option(o) for o in RE_OPTIONS],
        "reached_per_year": [base[f"{o}.clients_reached"] / years for o in RE_OPTIONS],
        "reach_share": [base[f"{o}.reach_share"] for o in RE_OPTIONS],
        "turned_away_share": [base[f"{o}.turned_away"] / base[f"{o}.housing_requests"]
                              if base[f"{o}.housing_requests"] > 0 else np.nan for o in RE_OPTIONS],
        "bed_utilisation": [base[f"{o}.bed_utilisation"] for o in RE_OPTIONS],
        "case_workers": [base[f"{o}.case_workers"] for o in RE_OPTIONS],
        "annual_cost": [base[f"{o}.annual_cost"] for o in RE_OPTIONS],
        "cost_per_client": [base[f"{o}.cost_per_client"] for o in RE_OPTIONS],
    })
    demand = run.extra["demand"]
    monthly = fz.monthly_utilisation(run.params.values(), demand)
    monthly = monthly[monthly["year"] == int(demand["year"].min())]
    lines = pd.DataFrame({"month": monthly["month"].to_numpy(), "occupancy": monthly["utilisation"].to_numpy(),
                          "centre": [Text("fe_centre_label", {"option": option(o), "centre": centre_text(c, language, run.extra["regions"])})
                                     for o, c in zip(monthly["option"], monthly["centre"])]})
    return Section("base-case", "fe_base_case", [
        Table("base-case", "fe_re_base_table", table, count=None, labels=("option",),
              percent=("reach_share", "turned_away_share", "bed_utilisation"),
              decimals={"case_workers": 1, "reach_share": 0, "turned_away_share": 0, "bed_utilisation": 0,
                        "reached_per_year": 0, "annual_cost": 0, "cost_per_client": 0}),
        Chart("monthly-utilisation", "lines", lines, x="month", y="occupancy", color="centre", meaning="group",
              percent=True, title_key="fe_re_monthly_chart"),
    ])


def re_change(run: Run) -> Section:
    """Which option gives most value per amount one would pay per person reached (acceptability
    curve), and the share of simulations in which each option costs least per person reached."""
    top = 2.0 * max(run.base[f"{o}.cost_per_client"] for o in RE_OPTIONS)
    curve = fz.acceptability_curve(run.simulation, {o: f"{o}.total_cost" for o in RE_OPTIONS},
                                   {o: f"{o}.clients_reached" for o in RE_OPTIONS}, np.linspace(0.0, top, 41))
    curve = pd.DataFrame({"willingness_to_pay": curve["willingness_to_pay"], "probability_best": curve["probability_best"],
                          "option": [option(o) for o in curve["option"]]})
    shares = pd.DataFrame({"option": [option(o) for o in RE_OPTIONS],
                           "probability_best": [run.extra["cheapest_share"][o] for o in RE_OPTIONS]})
    return Section("change", "fe_change", [
        Text("fe_re_change_intro"),
        Chart("acceptability", "lines", curve, x="willingness_to_pay", y="probability_best", color="option",
              meaning="group", percent=True, title_key="fe_re_ceac_chart"),
        Table("cheapest", "fe_re_cheapest_table", shares, count=None, labels=("option",),
              percent=("probability_best",), decimals=1),
        Text("fe_tie_rule", {"clear_best": CLEAR_BEST}),
    ])


def re_scenarios(run: Run) -> Section:
    """06's scenarios: more demand, low uptake, more housing need, half and twice the beds."""
    params = run.params
    scenarios = {
        "demand_high": fz.at_quantile(params, ["demand_multiplier"], 0.95),
        "uptake_low": fz.at_quantile(params, ["uptake_releases", "uptake_completions"], 0.05),
        "housing_high": fz.at_quantile(params, ["housing_share"], 0.95),
        "beds_half": fz.scaled(params, ["beds_per_centre"], 0.5),
        "beds_double": fz.scaled(params, ["beds_per_centre"], 2.0),
    }
    return scenario_section(run, scenarios, [f"{o}.cost_per_client" for o in RE_OPTIONS]
                            + [f"{o}.annual_cost" for o in RE_OPTIONS])
