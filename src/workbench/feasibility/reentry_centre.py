"""Re-entry resource centre for released offenders: demand, reach, capacity and cost.

Demand comes from projected releases and probation completions by region and year (see
:func:`workbench.feasibility.population.project_demand`). For each location option, each
region is served by one centre (or by outreach teams) with an access class: ``local`` (the
centre's own city), ``near``, ``remote`` or ``outreach``. Per region and year:

* potential clients = demand_multiplier x (releases x uptake_releases + completions x
  uptake_completions);
* clients reached = potential clients x reach of the region's access class;
* per client: housing with probability ``housing_share`` (centres only; outreach offers no
  beds) for ``housing_nights_per_client`` nights, employment sessions, document help with
  probability ``document_share``, counselling sessions.

Housing capacity is a loss system per centre and month: offered load a = housing requests
per day x nights per stay (Little's law), beds c; the Erlang B formula gives the share of
requests that find no free bed (turned away), and utilisation = a (1 - B) / c. Months are
treated as quasi-stationary (an approximation when stays are longer than a month). Erlang B
is computed here by its standard recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))
because it must run vectorised over Monte Carlo draws.

Costs per year: centre running cost and set-up cost / amortisation years per centre (or
outreach team cost per team), case workers (clients reached / clients per case worker, at
least one per centre or team) and unit costs of services delivered (served housing nights,
sessions, document cases). Outcomes (prefix = option): ``potential_clients``,
``clients_reached``, ``reach_share``, ``housing_requests``, ``turned_away``,
``housing_nights``, ``bed_utilisation`` (mean over months), ``case_workers`` (mean per year),
``total_cost`` (over the horizon), ``annual_cost`` (mean per year), ``cost_per_client``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.feasibility.engine import Model, Values

ACCESS_CLASSES = ("local", "near", "remote", "outreach")
DAYS_PER_MONTH = 365.0 / 12.0


@dataclass(frozen=True)
class LocationOption:
    """Where services are: ``served_by`` maps region -> (centre name, access class).

    ``centres`` lists centres with beds; regions served by ``"outreach"`` get mobile teams.
    """

    label_en: str
    label_ru: str
    centres: tuple[str, ...]
    served_by: Mapping[str, tuple[str, str]]
    outreach_teams: int = 0


def _serve(local: Sequence[str], near: Sequence[str], remote: Sequence[str], centre: str) -> dict[str, tuple[str, str]]:
    served = {region: (centre, "local") for region in local}
    served.update({region: (centre, "near") for region in near})
    served.update({region: (centre, "remote") for region in remote})
    return served


LOCATION_OPTIONS: dict[str, LocationOption] = {
    "national_bishkek": LocationOption(
        "One national centre in Bishkek", "Один национальный центр в Бишкеке", ("Bishkek city",),
        _serve(["Bishkek city"], ["Chuy"], ["Talas", "Issyk-Kul", "Naryn", "Osh oblast", "Osh city", "Jalal-Abad", "Batken"],
               "Bishkek city")),
    "bishkek_and_osh": LocationOption(
        "Two centres, Bishkek and Osh", "Два центра: Бишкек и Ош", ("Bishkek city", "Osh city"),
        {**_serve(["Bishkek city"], ["Chuy"], ["Talas", "Issyk-Kul", "Naryn"], "Bishkek city"),
         **_serve(["Osh city"], ["Osh oblast", "Jalal-Abad"], ["Batken"], "Osh city")}),
    "outreach": LocationOption(
        "Outreach teams, no centre", "Выездные группы без центра", (),
        {region: ("outreach", "outreach") for region in
         ["Batken", "Chuy", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh oblast", "Talas", "Bishkek city", "Osh city"]},
        outreach_teams=3),
}


def erlang_b(load: np.ndarray, servers: np.ndarray) -> np.ndarray:
    """Erlang B blocking probability for offered ``load`` (erlangs) and integer ``servers``.

    Vectorised over arrays of the same shape; servers are rounded to whole beds (0 beds block
    everything).
    """
    load = np.asarray(load, dtype=float)
    servers = np.rint(np.asarray(servers, dtype=float)).astype(int)
    load, servers = np.broadcast_arrays(load, servers)
    blocking = np.ones(load.shape)
    result = np.ones(load.shape)
    for k in range(1, int(servers.max(initial=0)) + 1):
        blocking = load * blocking / (k + load * blocking)
        result = np.where(servers == k, blocking, result)
    return result


def _demand_arrays(demand: pd.DataFrame) -> tuple[list[str], list[int], np.ndarray, np.ndarray]:
    required = ["region", "year", "releases", "probation_completions"]
    require_columns(demand, required, what="the demand table")
    regions = sorted(demand["region"].unique())
    years = sorted(int(year) for year in demand["year"].unique())
    grid = demand.groupby(["region", "year"])[["releases", "probation_completions"]].sum()
    index = pd.MultiIndex.from_product([regions, years], names=["region", "year"])
    grid = grid.reindex(index, fill_value=0.0)
    shape = (len(regions), len(years))
    return (regions, years, grid["releases"].to_numpy(float).reshape(shape),
            grid["probation_completions"].to_numpy(float).reshape(shape))


def reentry_flows(v: Values, demand: pd.DataFrame, options: Mapping[str, LocationOption] | None = None,
                  seasonality: Sequence[float] | None = None) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Outcomes (vectorised over draws) and a monthly capacity table (for a single evaluation).

    The monthly table has one row per option, centre, year and month with ``housing_requests``,
    ``offered_load`` (beds' worth of demand), ``beds``, ``blocking_probability``,
    ``utilisation``; with arrays of draws it holds the mean over draws.
    """
    options = options or LOCATION_OPTIONS
    weights = np.ones(12) if seasonality is None else np.asarray(seasonality, dtype=float)
    if weights.shape != (12,) or (weights < 0).any() or weights.sum() == 0:
        raise WorkbenchError("seasonality must be 12 non-negative monthly weights", value=list(weights))
    weights = weights / weights.sum()
    regions, years, releases, completions = _demand_arrays(demand)
    n = max((np.size(value) for value in v.values()), default=1)

    def p(name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(v[name], dtype=float), (n,))

    reach = {"local": p("reach_local"), "near": p("reach_near"), "remote": p("reach_remote"),
             "outreach": p("reach_outreach")}
    # potential clients by region and year: (draws, regions, years)
    potential = p("demand_multiplier")[:, None, None] * (
        releases[None] * p("uptake_releases")[:, None, None]
        + completions[None] * p("uptake_completions")[:, None, None])
    out: dict[str, np.ndarray] = {}
    monthly_rows = []
    n_years = len(years)
    beds = p("beds_per_centre")
    for name, option in options.items():
        unknown = sorted(set(regions) - set(option.served_by))
        if unknown:
            raise WorkbenchError(f"location option {name!r} does not say who serves region(s) {unknown}",
                                 record_id=name, value=unknown)
        reached = np.zeros((n, n_years))
        requests_total = np.zeros(n)
        turned_away = np.zeros(n)
        nights_served = np.zeros(n)
        utilisation_sum = np.zeros(n)
        utilisation_count = 0
        by_centre: dict[str, np.ndarray] = {}
        for i, region in enumerate(regions):
            centre, access = option.served_by[region]
            if access not in ACCESS_CLASSES:
                raise WorkbenchError(f"unknown access class {access!r}", record_id=name, value=access,
                                     expected=", ".join(ACCESS_CLASSES))
            region_reached = potential[:, i, :] * reach[access][:, None]
            reached += region_reached
            by_centre[centre] = by_centre.get(centre, 0.0) + region_reached
        for centre, centre_reached in by_centre.items():
            if centre not in option.centres:
                continue  # outreach: no beds
            requests_year = centre_reached * p("housing_share")[:, None]
            for j, year in enumerate(years):
                for month in range(12):
                    requests = requests_year[:, j] * weights[month]
                    load = requests / DAYS_PER_MONTH * p("housing_nights_per_client")
                    blocking = erlang_b(load, beds)
                    utilisation = np.where(beds > 0, load * (1.0 - blocking) / np.maximum(beds, 1e-12), 0.0)
                    requests_total += requests
                    turned_away += requests * blocking
                    nights_served += requests * (1.0 - blocking) * p("housing_nights_per_client")
                    utilisation_sum += utilisation
                    utilisation_count += 1
                    monthly_rows.append({"option": name, "centre": centre, "year": year, "month": month + 1,
                                         "housing_requests": float(requests.mean()), "offered_load": float(load.mean()),
                                         "beds": float(beds.mean()), "blocking_probability": float(blocking.mean()),
                                         "utilisation": float(utilisation.mean())})
        clients = reached.sum(axis=1)
        potential_total = potential.sum(axis=(1, 2))
        n_sites = len(option.centres)
        case_workers = np.maximum(reached / p("clients_per_case_worker")[:, None],
                                  float(max(n_sites + option.outreach_teams, 1)))
        fixed_per_year = (n_sites * (p("centre_running_cost_per_year")
                                     + p("centre_setup_cost") / p("amortisation_years"))
                          + option.outreach_teams * p("outreach_team_cost_per_year"))
        services = (nights_served * p("housing_cost_per_night")
                    + clients * (p("employment_sessions_per_client") * p("employment_session_cost")
                                 + p("document_share") * p("document_case_cost")
                                 + p("counselling_sessions_per_client") * p("counselling_session_cost")))
        total = fixed_per_year * n_years + case_workers.sum(axis=1) * p("case_worker_cost_per_year") + services
        values = {
            "potential_clients": potential_total, "clients_reached": clients,
            "reach_share": np.divide(clients, potential_total, out=np.full(n, np.nan), where=potential_total > 0),
            "housing_requests": requests_total, "turned_away": turned_away, "housing_nights": nights_served,
            "bed_utilisation": (utilisation_sum / utilisation_count if utilisation_count else np.full(n, np.nan)),
            "case_workers": case_workers.mean(axis=1), "total_cost": total, "annual_cost": total / n_years,
            "cost_per_client": np.divide(total, clients, out=np.full(n, np.nan), where=clients > 0),
        }
        for metric, value in values.items():
            out[f"{name}.{metric}"] = np.asarray(value, dtype=float)
    return out, pd.DataFrame(monthly_rows)


def reentry_centre_model(demand: pd.DataFrame, options: Mapping[str, LocationOption] | None = None,
                         seasonality: Sequence[float] | None = None) -> Model:
    """The re-entry centre model for a projected demand table (``region``, ``year``,
    ``releases``, ``probation_completions``); returns ``model(values) -> outcomes``."""
    demand = demand.copy()
    _demand_arrays(demand)  # validate once, early

    def model(values: Values) -> dict[str, np.ndarray]:
        return reentry_flows(values, demand, options, seasonality)[0]

    return model


def monthly_utilisation(params_values: Mapping[str, float], demand: pd.DataFrame,
                        options: Mapping[str, LocationOption] | None = None,
                        seasonality: Sequence[float] | None = None) -> pd.DataFrame:
    """Month-by-month housing requests, load, beds, blocking and utilisation per centre
    (base case when given base values)."""
    return reentry_flows(params_values, demand, options, seasonality)[1]


def reach_by_region(params_values: Mapping[str, float], demand: pd.DataFrame,
                    options: Mapping[str, LocationOption] | None = None) -> pd.DataFrame:
    """Per option and region over the horizon: potential clients, access class, serving
    centre and clients reached (location options compared by the demand they reach)."""
    options = options or LOCATION_OPTIONS
    regions, years, releases, completions = _demand_arrays(demand)
    v = {name: float(np.mean(value)) for name, value in params_values.items()}
    potential = v["demand_multiplier"] * (releases * v["uptake_releases"] + completions * v["uptake_completions"])
    rows = []
    for name, option in options.items():
        for i, region in enumerate(regions):
            centre, access = option.served_by[region]
            total = float(potential[i].sum())
            rows.append({"option": name, "region": region, "centre": centre, "access": access,
                         "potential_clients": total, "clients_reached": total * v[f"reach_{access}"]})
    return pd.DataFrame(rows)


def option_labels(options: Mapping[str, LocationOption] | None = None) -> pd.DataFrame:
    """Option names with English and Russian labels and their centres."""
    options = options or LOCATION_OPTIONS
    return pd.DataFrame([{"option": name, "label_en": o.label_en, "label_ru": o.label_ru,
                          "centres": ", ".join(o.centres) or "outreach", "outreach_teams": o.outreach_teams}
                         for name, o in options.items()])
