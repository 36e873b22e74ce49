"""How a report reads a simulation: which option is best (or a tie), and where the base case
sits in the simulated distribution.

Tie rule (issue 14.5): an option is called best only when it is best in at least
``CLEAR_BEST`` (60%) of the simulations. Below that the report calls a tie between the
leader and every option best in at least half as many simulations as the leader: 52% against
48% is a tie of two, not a winner. The share is the fraction of draws in which the option
wins (``engine.acceptability_curve``'s ``probability_best``).

Why our own code: these are reporting rules of this project on top of numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from workbench.errors import WorkbenchError
from workbench.feasibility.engine import MonteCarloResult

#: an option is "best" only when best in at least this share of simulations
CLEAR_BEST = 0.60
#: below CLEAR_BEST, options best at least this fraction as often as the leader tie with it
TIE_FRACTION = 0.5


@dataclass(frozen=True)
class Verdict:
    """The leading option(s): ``options`` (leader first), the leader's ``share`` of simulations
    in which it is best (0-1), and ``clear`` (True: one best option; False: a tie of ``options``)."""

    options: tuple[str, ...]
    share: float
    clear: bool


def best_or_tie(shares: Mapping[str, float]) -> Verdict:
    """Apply the tie rule to each option's share of simulations in which it is best."""
    if not shares:
        raise WorkbenchError("no options to compare", expected="each option's share of simulations in which it is best")
    ranked = sorted(shares.items(), key=lambda item: (-float(item[1]), item[0]))
    leader, top = ranked[0]
    if top >= CLEAR_BEST:
        return Verdict((leader,), float(top), True)
    tied = tuple(name for name, share in ranked if share >= TIE_FRACTION * top)
    return Verdict(tied, float(top), len(tied) == 1)


def base_percentile(result: MonteCarloResult, outcome: str) -> float:
    """Where the base case of ``outcome`` sits among the simulated values, as a share (0-1):
    the fraction of draws below it, plus half of those equal to it (mid-rank, so a fixed
    outcome sits at 0.5)."""
    if outcome not in result.outcomes.columns:
        raise WorkbenchError(f"no simulated outcome {outcome!r}", value=outcome,
                             expected="one of " + ", ".join(map(str, result.outcomes.columns)))
    draws = result.outcomes[outcome].to_numpy(dtype=float)
    draws = draws[np.isfinite(draws)]
    base = float(result.base[outcome])
    if draws.size == 0 or not np.isfinite(base):
        return float("nan")
    return float(np.mean(draws < base) + 0.5 * np.mean(draws == base))
