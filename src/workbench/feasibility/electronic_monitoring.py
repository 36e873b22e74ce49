"""Electronic monitoring (EM) of extremist and terrorist offenders: a yearly cost-effect model.

Options (outcome prefixes): ``status_quo`` (supervision by officer visits), ``app`` (app-based
monitoring on the client's phone), ``rf_bracelet`` (radio-frequency home curfew bracelet),
``gps_bracelet`` (GPS bracelet), each for the eligible probation caseload on top of normal
supervision, and ``custody_alternative`` (GPS bracelet in place of the last custody days of a
share of eligible prisoners released each year).

Per year, for the monitored clients ``N = eligible caseload x placement_share``
(``client_days = 365 N``):

* fixed cost: app platform, or for bracelets monitoring centre + software + operators
  (``max(minimum_operators, operators_per_100_clients N / 100)`` x operator cost) + set-up
  cost / amortisation years; plus training of officers / amortisation years (all EM options);
* variable cost: client-days x (supervision cost + device/app cost per day);
* alert workload: client-days x alerts per client-day x minutes per alert / 60 hours, costed
  at the operator's hourly cost (operator cost per year / working hours per year); false
  alarms are ``false_alarm_share`` of alerts;
* effects against the status quo: avoided revocations = N x revocation rate x (1 - RR),
  avoided prison days = avoided revocations x custody days per revocation, avoided
  reoffences = N x reoffending rate x (1 - RR);
* custody alternative: prisoner-days replaced = releases x early_release_share x
  custody_days_replaced x (1 - early_release_failure_share / 2) (a failed placement returns
  to custody, on average half-way); these are both the EM client-days and the avoided
  prison days.

Money outcomes: ``annual_cost``, ``incremental_cost`` (over the status quo for the same
clients; for the custody alternative the whole EM cost, since those people would otherwise be
in prison), ``custody_savings`` = avoided prison days x custody cost per day, ``net_cost`` =
incremental cost - custody savings, ``cost_per_client_day``, ``cost_per_avoided_prison_day``
= incremental cost / avoided prison days, which is also the break-even custody cost per day
(``break_even_custody_cost``: the custody cost at which net cost is 0), and
``cost_per_avoided_reoffence`` = net cost / avoided reoffences. Ratios are ``nan`` when their
denominator is 0.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from workbench.feasibility.engine import Model, Values
from workbench.feasibility.population import eligible_totals

DAYS_PER_YEAR = 365.0
OPTIONS = ["status_quo", "app", "rf_bracelet", "gps_bracelet", "custody_alternative"]
OPTION_LABELS = {
    "status_quo": {"en": "Status quo supervision", "ru": "Текущий надзор"},
    "app": {"en": "App-based monitoring", "ru": "Мониторинг через приложение"},
    "rf_bracelet": {"en": "Radio-frequency bracelet", "ru": "Радиочастотный браслет"},
    "gps_bracelet": {"en": "GPS bracelet", "ru": "GPS-браслет"},
    "custody_alternative": {"en": "GPS bracelet instead of custody days", "ru": "GPS-браслет вместо дней заключения"},
}
METRICS = {
    "clients_monitored": ("Clients monitored (average per day)", "Клиентов под мониторингом (в среднем в день)", "persons"),
    "client_days": ("Client-days per year", "Клиенто-дней в год", "days/year"),
    "fixed_cost": ("Fixed cost per year", "Постоянные расходы в год", "currency/year"),
    "variable_cost": ("Per-day costs per year", "Переменные расходы в год", "currency/year"),
    "alerts": ("Alerts per year", "Тревожных сигналов в год", "alerts/year"),
    "false_alarms": ("False alarms per year", "Ложных тревог в год", "alerts/year"),
    "alert_hours": ("Staff hours on alerts per year", "Часы персонала на сигналы в год", "hours/year"),
    "annual_cost": ("Annual budget", "Годовой бюджет", "currency/year"),
    "cost_per_client_day": ("Cost per client-day", "Стоимость одного клиенто-дня", "currency/day"),
    "incremental_cost": ("Extra cost over status quo per year", "Дополнительные расходы в год", "currency/year"),
    "avoided_revocations": ("Avoided revocations per year", "Предотвращённых отмен в год", "persons/year"),
    "avoided_prison_days": ("Avoided prison days per year", "Предотвращённых дней заключения в год", "days/year"),
    "avoided_reoffences": ("Avoided reoffences per year", "Предотвращённых повторных преступлений в год", "offences/year"),
    "custody_savings": ("Custody cost saved per year", "Экономия на содержании в год", "currency/year"),
    "net_cost": ("Net cost per year", "Чистые расходы в год", "currency/year"),
    "cost_per_avoided_prison_day": ("Cost per avoided prison day", "Стоимость одного предотвращённого дня заключения", "currency/day"),
    "break_even_custody_cost": ("Break-even custody cost per day", "Безубыточная стоимость дня заключения", "currency/day"),
    "cost_per_avoided_reoffence": ("Net cost per avoided reoffence", "Чистые расходы на одно предотвращённое преступление", "currency/offence"),
}
DEVICE = {"app": "app", "rf_bracelet": "rf", "gps_bracelet": "gps"}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def em_outcomes(v: Values, eligible_clients: float, eligible_releases: float) -> dict[str, np.ndarray]:
    """All outcomes of every option for parameter values ``v`` (numbers or arrays of draws).

    ``eligible_clients`` is the average eligible probation caseload (persons);
    ``eligible_releases`` the eligible prison releases per year (persons/year).
    """
    out: dict[str, np.ndarray] = {}
    clients = eligible_clients * v["placement_share"]
    client_days = DAYS_PER_YEAR * clients
    hourly_cost = v["operator_cost_per_year"] / v["working_hours_per_year"]
    training = v["training_cost_per_officer"] * v["officers_to_train"] / v["amortisation_years"]

    def centre_fixed(monitored: np.ndarray) -> np.ndarray:
        operators = np.maximum(v["minimum_operators"], v["operators_per_100_clients"] * monitored / 100.0)
        return (v["monitoring_centre_cost_per_year"] + v["em_software_cost_per_year"]
                + operators * v["operator_cost_per_year"] + v["centre_setup_cost"] / v["amortisation_years"]
                + training)

    supervision = client_days * v["supervision_cost_per_client_day"]
    status_quo_cost = supervision + 0.0 * clients
    _store(out, "status_quo", clients=clients, client_days=client_days, fixed_cost=0.0 * clients,
           variable_cost=supervision, alerts=0.0 * clients, false_alarms=0.0 * clients, alert_hours=0.0 * clients,
           annual_cost=status_quo_cost, incremental_cost=0.0 * clients, avoided_revocations=0.0 * clients,
           avoided_prison_days=0.0 * clients, avoided_reoffences=0.0 * clients, custody_cost=v["custody_cost_per_day"])

    for option, device in DEVICE.items():
        fixed = (v["app_platform_cost_per_year"] + training) if device == "app" else centre_fixed(clients)
        variable = client_days * (v["supervision_cost_per_client_day"] + v[f"{device}_cost_per_client_day"])
        alerts = client_days * v[f"{device}_alerts_per_client_day"]
        hours = alerts * v["minutes_per_alert"] / 60.0
        annual = fixed + variable + hours * hourly_cost
        avoided_revocations = clients * v["revocation_rate_status_quo"] * (1.0 - v[f"{device}_revocation_rr"])
        avoided_reoffences = clients * v["reoffending_rate_status_quo"] * (1.0 - v[f"{device}_reoffending_rr"])
        _store(out, option, clients=clients, client_days=client_days, fixed_cost=fixed, variable_cost=variable,
               alerts=alerts, false_alarms=alerts * v["false_alarm_share"], alert_hours=hours, annual_cost=annual,
               incremental_cost=annual - status_quo_cost, avoided_revocations=avoided_revocations,
               avoided_prison_days=avoided_revocations * v["custody_days_per_revocation"],
               avoided_reoffences=avoided_reoffences, custody_cost=v["custody_cost_per_day"])

    replaced_days = (eligible_releases * v["early_release_share"] * v["custody_days_replaced"]
                     * (1.0 - v["early_release_failure_share"] / 2.0))
    early_clients = replaced_days / DAYS_PER_YEAR
    fixed = centre_fixed(early_clients)
    variable = replaced_days * (v["supervision_cost_per_client_day"] + v["gps_cost_per_client_day"])
    alerts = replaced_days * v["gps_alerts_per_client_day"]
    hours = alerts * v["minutes_per_alert"] / 60.0
    annual = fixed + variable + hours * hourly_cost
    _store(out, "custody_alternative", clients=early_clients, client_days=replaced_days, fixed_cost=fixed,
           variable_cost=variable, alerts=alerts, false_alarms=alerts * v["false_alarm_share"], alert_hours=hours,
           annual_cost=annual, incremental_cost=annual, avoided_revocations=0.0 * replaced_days,
           avoided_prison_days=replaced_days, avoided_reoffences=0.0 * replaced_days,
           custody_cost=v["custody_cost_per_day"])
    return out


def _store(out: dict[str, np.ndarray], option: str, *, clients, client_days, fixed_cost, variable_cost, alerts,
           false_alarms, alert_hours, annual_cost, incremental_cost, avoided_revocations, avoided_prison_days,
           avoided_reoffences, custody_cost) -> None:
    savings = avoided_prison_days * custody_cost
    net = incremental_cost - savings
    values = {
        "clients_monitored": clients, "client_days": client_days, "fixed_cost": fixed_cost,
        "variable_cost": variable_cost, "alerts": alerts, "false_alarms": false_alarms, "alert_hours": alert_hours,
        "annual_cost": annual_cost, "cost_per_client_day": _ratio(annual_cost, client_days),
        "incremental_cost": incremental_cost, "avoided_revocations": avoided_revocations,
        "avoided_prison_days": avoided_prison_days, "avoided_reoffences": avoided_reoffences,
        "custody_savings": savings, "net_cost": net,
        "cost_per_avoided_prison_day": _ratio(incremental_cost, avoided_prison_days),
        "break_even_custody_cost": _ratio(incremental_cost, avoided_prison_days),
        "cost_per_avoided_reoffence": _ratio(net, avoided_reoffences),
    }
    for metric, value in values.items():
        out[f"{option}.{metric}"] = np.asarray(value, dtype=float)


def electronic_monitoring_model(population: pd.DataFrame) -> Model:
    """The EM model for a population table (columns ``clients``, ``releases_per_year``,
    ``eligible``; see :func:`workbench.feasibility.population.eligible_population`).

    Returns ``model(values) -> outcomes`` for the engine.
    """
    totals = eligible_totals(population)

    def model(values: Values) -> dict[str, np.ndarray]:
        return em_outcomes(values, totals["clients"], totals["releases_per_year"])

    return model


def outcome_catalogue(language: str = "en") -> pd.DataFrame:
    """Every outcome name with option, metric, label and unit (``currency`` = the model's)."""
    rows = []
    for option in OPTIONS:
        for metric, (label_en, label_ru, unit) in METRICS.items():
            option_label = OPTION_LABELS[option]["ru" if language == "ru" else "en"]
            rows.append({"outcome": f"{option}.{metric}", "option": option, "option_label": option_label,
                         "metric": metric, "label": label_ru if language == "ru" else label_en, "unit": unit})
    return pd.DataFrame(rows)


def option_table(outcomes: Mapping[str, float] | pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """Base-case (or any single-value) outcomes as one row per option, one column per metric.

    Accepts the engine's ``base_case`` table (``outcome``, ``value``) or a mapping.
    """
    if isinstance(outcomes, pd.DataFrame):
        outcomes = dict(zip(outcomes["outcome"], outcomes["value"]))
    metrics = metrics or list(METRICS)
    rows = [{"option": option, **{metric: float(outcomes[f"{option}.{metric}"]) for metric in metrics}}
            for option in OPTIONS]
    return pd.DataFrame(rows)


def population_summary(population: pd.DataFrame) -> pd.DataFrame:
    """Eligible and not eligible clients and releases by region (for the "how many" question)."""
    frame = population.copy()
    frame["status"] = np.where(frame["eligible"].astype(bool), "eligible", "not_eligible")
    table = (frame.pivot_table(index="region", columns="status", values=["clients", "releases_per_year"],
                               aggfunc="sum", fill_value=0))
    table.columns = [f"{value}_{status}" for value, status in table.columns]
    for column in ["clients_eligible", "clients_not_eligible", "releases_per_year_eligible",
                   "releases_per_year_not_eligible"]:
        if column not in table.columns:
            table[column] = 0
    return table.reset_index()[["region", "clients_eligible", "clients_not_eligible",
                                "releases_per_year_eligible", "releases_per_year_not_eligible"]]


def executive_facts(summary: pd.DataFrame, population: pd.DataFrame,
                    probabilities: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Key results for the executive summary, one row per fact.

    ``summary`` is :func:`workbench.feasibility.engine.summarise` output; ``probabilities``
    optional named probabilities (e.g. ``{"gps_cheaper_than_custody": 0.83}``). Columns
    ``fact``, ``option``, ``metric``, ``base``, ``mean``, ``low``, ``high``, ``level`` (the coverage of low-high).
    """
    totals = eligible_totals(population)
    rows = [{"fact": "eligible_clients", "option": None, "metric": "clients_monitored",
             "base": totals["clients"], "mean": totals["clients"], "low": totals["clients"],
             "high": totals["clients"], "level": None},
            {"fact": "eligible_releases_per_year", "option": None, "metric": "releases_per_year",
             "base": totals["releases_per_year"], "mean": totals["releases_per_year"],
             "low": totals["releases_per_year"], "high": totals["releases_per_year"], "level": None}]
    indexed = summary.set_index("outcome")
    for option in OPTIONS:
        for metric in ["annual_cost", "cost_per_client_day", "net_cost", "avoided_prison_days",
                       "avoided_reoffences", "cost_per_avoided_prison_day"]:
            name = f"{option}.{metric}"
            if name in indexed.index:
                row = indexed.loc[name]
                rows.append({"fact": name, "option": option, "metric": metric, "base": row["base"],
                             "mean": row["mean"], "low": row["low"], "high": row["high"],
                             "level": row["level"]})
    for name, probability in (probabilities or {}).items():
        rows.append({"fact": name, "option": None, "metric": "probability", "base": None, "mean": probability,
                     "low": None, "high": None, "level": None})
    return pd.DataFrame(rows)
