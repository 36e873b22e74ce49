"""Default count tables, the EM population from them or from a client table, region names and
scenario values (hand-made tables; expected values worked out by hand)."""

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.regions import parse_regions
from workbench.feasibility import (
    at_quantile,
    default_counts,
    default_parameter_file,
    eligible_totals,
    em_population,
    latest_levels,
    load_parameters,
    model_region,
    population_from_counts,
    scaled,
)

COUNTS_YAML = """model: x
counts:
  what: test
  source: hand-made
  rows:
    - {region: Bishkek, risk_level: low, clients: 5, releases_per_year: 1}
    - {region: Bishkek city, risk_level: high, clients: 3, releases_per_year: 2}
    - {region: Osh, risk_level: medium, clients: 4, releases_per_year: 0.5}
"""


def test_default_counts_maps_study_region_names(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(COUNTS_YAML, encoding="utf-8")
    regions = parse_regions([{"name": "Bishkek city", "aliases": ["Bishkek"]}, {"name": "Osh oblast", "aliases": ["Osh"]}])
    counts = default_counts(path, regions)
    assert counts.table["region"].tolist() == ["Bishkek city", "Bishkek city", "Osh oblast"]
    # without the study's regions the rows keep their spelling; a region the study lacks is an error
    assert default_counts(path).table["region"].tolist() == ["Bishkek", "Bishkek city", "Osh"]
    with pytest.raises(WorkbenchError, match="one of Bishkek city"):
        default_counts(path, regions[:1])
    population = population_from_counts(counts.table)
    # eligible = medium or high risk: 3 + 4 clients, 2 + 0.5 releases
    assert eligible_totals(population) == {"clients": 7.0, "releases_per_year": 2.5}
    assert population.loc[population["risk_level"] == "low", "reason"].iloc[0].startswith("risk level low")


def test_default_counts_rejects_bad_rows(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(COUNTS_YAML.replace("clients: 4", "clients: -4"), encoding="utf-8")
    with pytest.raises(WorkbenchError, match="problem"):
        default_counts(path)
    path.write_text("model: x\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="no 'counts'"):
        default_counts(path)


def test_packaged_defaults_have_counts():
    em = default_counts(default_parameter_file("electronic_monitoring")).table
    reentry = default_counts(default_parameter_file("reentry_centre")).table
    # the file's own statement: about 200 VE probation clients, about 50 releases a year
    assert em["clients"].sum() == 200 and em["releases_per_year"].sum() == 50
    assert set(reentry.columns) == {"region", "year", "releases", "probation_completions"}


def test_model_region():
    """Oracle: the regions declared here; a spelling maps to the region that declares it."""
    regions = parse_regions([{"name": "Osh oblast", "aliases": ["Osh"]}, "Osh city",
                             {"name": "Bishkek city", "ru": "г. Бишкек"}])
    assert model_region("Osh", regions) == "Osh oblast" and model_region("Osh city", regions) == "Osh city"
    assert model_region("г. Бишкек", regions) == "Bishkek city"
    with pytest.raises(WorkbenchError, match="Osh oblast / Osh"):
        model_region("Atlantis", regions)


def test_latest_levels_and_client_population():
    scored = pd.DataFrame({"client_id": ["a", "a", "b", "c", "c"],
                           "assessment_date": ["2024-01-01", "2024-06-01", "2024-02-01", "2024-01-01", "2024-03-01"],
                           "risk_level": ["low", "high", "medium", "medium", None]})
    levels = latest_levels(scored, "2024-05-01")
    # a: only the January assessment is before May; c: the March one has no level
    assert dict(zip(levels["client_id"], levels["risk_level"])) == {"a": "low", "b": "medium", "c": "medium"}
    clients = pd.DataFrame({"client_id": ["a", "b", "c", "d"], "region": ["Chuy"] * 4, "ve_client": [1, 1, 0, 1],
                            "followup_start": pd.to_datetime(["2023-01-01"] * 4),
                            "followup_end": pd.to_datetime(["2024-12-31", "2024-12-31", "2024-12-31", "2024-12-31"])})
    counts = default_counts(default_parameter_file("electronic_monitoring"))
    people = em_population(counts, clients, scored)
    # on 2024-12-31: a high (VE), b medium (VE), c medium (not VE), d never assessed
    assert people.source == "clients" and people.unassessed == 1
    assert eligible_totals(people.table)["clients"] == 2.0
    # releases come from the default table: Chuy medium 3 + high 2 (VE rows only)
    assert eligible_totals(people.table)["releases_per_year"] == 5.0


def test_scenario_values_from_distributions():
    params = load_parameters(default_parameter_file("electronic_monitoring"))
    # triangular(70, 100, 300): F(100) = (100-70)^2 / ((300-70)(100-70)) = 30/230
    value = at_quantile(params, ["custody_cost_per_day"], 30 / 230)["custody_cost_per_day"]
    assert value == pytest.approx(100.0)
    assert scaled(params, ["centre_setup_cost"], 0.5) == {"centre_setup_cost": 5_000_000.0}
