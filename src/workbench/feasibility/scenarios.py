"""Scenario values derived from the parameters' own distributions.

Reports name scenarios such as "prison days cost as much as the 95th percentile" or "strong
effects"; the values come from each parameter's quantile function so that no figure is typed
into a notebook and an override or a new parameter file moves the scenario with it.
"""

from __future__ import annotations

from typing import Sequence

from workbench.feasibility.parameters import ParameterSet


def at_quantile(params: ParameterSet, names: Sequence[str], quantile: float) -> dict[str, float]:
    """``{name: value}`` with each named parameter at ``quantile`` (0-1) of its distribution
    (a fixed parameter keeps its value)."""
    return {name: float(params[name].distribution.ppf([quantile])[0]) for name in names}


def scaled(params: ParameterSet, names: Sequence[str], factor: float) -> dict[str, float]:
    """``{name: value}`` with each named parameter's base value multiplied by ``factor``."""
    return {name: params[name].value * factor for name in names}
