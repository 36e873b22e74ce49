"""Parameter files: the packaged defaults load, bad files give clear errors, overrides and currency."""

from pathlib import Path

import pytest
import yaml

from workbench.errors import WorkbenchError
from workbench.feasibility import (
    MODELS,
    assumptions_table,
    base_case,
    convert_currency,
    default_parameter_file,
    electronic_monitoring_model,
    load_parameters,
)

import pandas as pd

GOOD = {
    "synthetic": False,
    "model": "toy",
    "currency": "KGS",
    "price_year": 2024,
    "exchange_rates": {"USD": {"rate": 87.5, "year": 2024, "source": "declared for the test"}},
    "parameters": {
        "custody_cost_per_day": {
            "label": {"en": "Cost of one prisoner-day", "ru": "Стоимость одного дня содержания"},
            "value": 100, "unit": "KGS/day", "currency": "KGS", "price_year": 2024,
            "distribution": {"type": "triangular", "low": 70, "mode": 100, "high": 300},
            "source": "Parliament 2024, about 100 som per prisoner-day",
        },
        "gps_cost_per_day": {
            "value": 8, "unit": "USD/day", "currency": "USD", "price_year": 2015,
            "distribution": {"type": "triangular", "low": 5, "mode": 8, "high": 15},
            "source": "United States, USD 5-15 a day",
        },
        "uptake": {"value": 0.4, "unit": "proportion", "distribution": {"type": "beta", "mean": 0.4, "sd": 0.1},
                   "source": "No public figure; assumption"},
    },
}


def write(tmp_path: Path, document: dict, name: str = "params.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def broken(change: dict) -> dict:
    document = yaml.safe_load(yaml.safe_dump(GOOD))
    for name, spec in change.items():
        document["parameters"][name] = {**document["parameters"].get(name, {}), **spec}
        document["parameters"][name] = {k: v for k, v in document["parameters"][name].items() if v is not None}
    return document


@pytest.mark.parametrize("model", MODELS)
def test_packaged_defaults_load_and_every_parameter_has_a_source(model):
    params = load_parameters(default_parameter_file(model))
    table = assumptions_table(params)
    assert params.model == model and not params.synthetic
    assert table["source"].str.len().min() > 10
    assert list(table.columns[:9]) == ["name", "label", "value", "unit", "currency", "year", "distribution",
                                       "range", "source"]
    assert (table["p05"] <= table["p95"]).all()


def test_foreign_currency_is_converted_with_the_declared_rate(tmp_path):
    params = load_parameters(write(tmp_path, GOOD))
    gps = params["gps_cost_per_day"]
    # hand calculation: USD 8 x 87.5 KGS/USD = 700 KGS; the triangle scales too (5 -> 437.5, 15 -> 1312.5)
    assert gps.value == pytest.approx(700.0)
    assert gps.unit == "KGS/day" and gps.currency == "KGS" and gps.price_year == 2015
    assert gps.distribution.support() == pytest.approx((437.5, 1312.5))
    assert gps.original_value == 8 and gps.original_currency == "USD" and gps.exchange_rate == 87.5
    assert convert_currency(175.0, "KGS", "USD", params) == pytest.approx(2.0)


@pytest.mark.parametrize("change, fragments", [
    ({"uptake": {"distribution": {"type": "weibull", "k": 2}}}, ["'uptake'", "unknown distribution type 'weibull'"]),
    ({"custody_cost_per_day": {"value": -5, "distribution": {"type": "fixed"}}},
     ["'custody_cost_per_day'", "negative cost"]),
    ({"uptake": {"value": 1.3, "distribution": {"type": "fixed"}}}, ["'uptake'", "between 0 and 1"]),
    ({"uptake": {"source": None}}, ["'uptake'", "missing source"]),
    ({"gps_cost_per_day": {"unit": None}}, ["'gps_cost_per_day'", "missing unit"]),
    ({"custody_cost_per_day": {"distribution": {"type": "normal", "sd": 80}}},
     ["'custody_cost_per_day'", "can give negative values"]),
    ({"uptake": {"value": 0.9, "distribution": {"type": "uniform", "low": 0.5, "high": 1.2}}},
     ["'uptake'", "outside 0-1"]),
    ({"gps_cost_per_day": {"currency": "CHF"}}, ["'gps_cost_per_day'", "no exchange rate declared for CHF"]),
    ({"custody_cost_per_day": {"price_year": None}}, ["'custody_cost_per_day'", "no price_year"]),
])
def test_bad_files_raise_workbench_errors_naming_parameter_and_file(tmp_path, change, fragments):
    path = write(tmp_path, broken(change))
    with pytest.raises(WorkbenchError) as info:
        load_parameters(path)
    text = str(info.value)
    assert str(path) in text
    for fragment in fragments:
        assert fragment in text


def test_several_problems_are_reported_together(tmp_path):
    path = write(tmp_path, broken({"uptake": {"value": 2, "distribution": {"type": "fixed"}},
                                   "gps_cost_per_day": {"source": ""}}))
    with pytest.raises(WorkbenchError) as info:
        load_parameters(path)
    assert "2 problems" in str(info.value)
    assert set(info.value.problems["record_id"]) == {"uptake", "gps_cost_per_day"}


def test_scalar_override_fixes_the_value_and_changes_the_base_case(tmp_path):
    path = default_parameter_file("electronic_monitoring")
    population = pd.DataFrame({"region": ["Osh oblast"], "risk_level": ["high"], "clients": [100],
                               "releases_per_year": [10.0], "eligible": [True]})
    model = electronic_monitoring_model(population)
    plain = base_case(model, load_parameters(path)).set_index("outcome")["value"]
    changed_params = load_parameters(path, overrides={"custody_cost_per_day": 250})
    changed = base_case(model, changed_params).set_index("outcome")["value"]
    assert changed_params["custody_cost_per_day"].overridden
    assert changed_params["custody_cost_per_day"].distribution.kind == "fixed"
    # custody savings scale with the custody cost: 250 / 100 = 2.5 times the default
    assert changed["gps_bracelet.custody_savings"] == pytest.approx(2.5 * plain["gps_bracelet.custody_savings"])
    assert changed["gps_bracelet.annual_cost"] == pytest.approx(plain["gps_bracelet.annual_cost"])


def test_override_file_and_mapping_override(tmp_path):
    path = write(tmp_path, GOOD)
    override = write(tmp_path, {"parameters": {"uptake": {"value": 0.6, "distribution":
                                                          {"type": "uniform", "low": 0.5, "high": 0.7}}}},
                     "override.yaml")
    params = load_parameters(path, overrides=override)
    assert params["uptake"].value == 0.6 and params["uptake"].distribution.kind == "uniform"
    # overriding a USD parameter with a number states it in the model currency (KGS)
    params = load_parameters(path, overrides={"gps_cost_per_day": 900})
    assert params["gps_cost_per_day"].value == 900 and params["gps_cost_per_day"].unit == "KGS/day"
    # the original set is not modified
    assert load_parameters(path)["uptake"].value == 0.4


def test_override_errors_name_the_parameter(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(WorkbenchError, match="unknown parameter 'nonsense'"):
        load_parameters(path, overrides={"nonsense": 1})
    with pytest.raises(WorkbenchError, match="'uptake'.*between 0 and 1"):
        load_parameters(path, overrides={"uptake": 1.5})


def test_missing_file_and_not_yaml(tmp_path):
    with pytest.raises(WorkbenchError, match="not found"):
        load_parameters(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters: [1, 2", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="not valid"):
        load_parameters(bad)
