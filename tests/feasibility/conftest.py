"""Helpers to build small parameter sets by hand for the feasibility tests."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.feasibility.parameters import ParameterSet, parse_parameters


def fixed_parameters(values: dict[str, float], model: str = "test", money: set[str] | None = None,
                     proportions: set[str] | None = None) -> ParameterSet:
    """All-fixed parameter set: money names get currency KGS 2024, proportions unit proportion."""
    money = money or set()
    proportions = proportions or set()
    parameters: dict[str, Any] = {}
    for name, value in values.items():
        spec: dict[str, Any] = {"value": value, "unit": "proportion" if name in proportions else "units",
                                "distribution": {"type": "fixed"}, "source": "hand-made test value"}
        if name in money:
            spec.update(unit="KGS", currency="KGS", price_year=2024)
        parameters[name] = spec
    return parse_parameters({"model": model, "currency": "KGS", "price_year": 2024, "parameters": parameters},
                            file="test.yaml")


@pytest.fixture
def make_fixed():
    return fixed_parameters
