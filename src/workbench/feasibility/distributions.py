"""Uncertainty distributions of model parameters.

A parameter's uncertainty is declared in its YAML file as ``{type: ..., ...}``. This module
turns such a mapping into a :class:`Distribution` backed by a frozen ``scipy.stats``
distribution, so that every kind offers the same operations: quantiles (``ppf``), a mean,
a support and vectorised sampling by inverse transform (``ppf`` of seeded uniforms). Inverse
transform is used on purpose: the same uniforms serve plain Monte Carlo and the Sobol
design of SALib (which samples the unit hypercube), and a fixed seed gives identical draws.

Kinds and their keys (``value`` is the parameter's base-case value):

============  ==========================================================================
fixed         no uncertainty; always ``value``
uniform       ``low``, ``high``
triangular    ``low``, ``mode`` (default ``value``), ``high``
pert          ``low``, ``mode`` (default ``value``), ``high``, ``lambda`` (default 4)
normal        ``mean`` (default ``value``), ``sd``; optional ``low``/``high`` truncation
lognormal     ``median`` (default ``value``), ``sigma`` (standard deviation of the log)
beta          ``alpha`` and ``beta``, or ``mean`` (default ``value``) and ``sd``;
              proportions only (support 0-1)
============  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import stats

from workbench.errors import WorkbenchError

KINDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required keys, optional keys); "value" defaults are filled in before the check
    "fixed": (set(), set()),
    "uniform": ({"low", "high"}, set()),
    "triangular": ({"low", "mode", "high"}, set()),
    "pert": ({"low", "mode", "high"}, {"lambda"}),
    "normal": ({"mean", "sd"}, {"low", "high"}),
    "lognormal": ({"median", "sigma"}, set()),
    "beta": (set(), {"alpha", "beta", "mean", "sd"}),
}

_VALUE_DEFAULTS = {"triangular": "mode", "pert": "mode", "normal": "mean", "lognormal": "median"}


@dataclass(frozen=True)
class Distribution:
    """One parameter's uncertainty: its kind, its declared arguments and a scipy backend."""

    kind: str
    args: Mapping[str, float]
    value: float
    _frozen: Any = field(default=None, repr=False, compare=False)

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        """Quantiles at probabilities ``q`` (array-like in 0-1)."""
        q = np.asarray(q, dtype=float)
        if self._frozen is None:
            return np.full(q.shape, self.value, dtype=float)
        return np.asarray(self._frozen.ppf(q), dtype=float)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws by inverse transform of ``rng.random(n)``."""
        uniforms = rng.random(n)
        return self.ppf(uniforms)

    def mean(self) -> float:
        """Expected value of the distribution."""
        if self._frozen is None:
            return float(self.value)
        return float(self._frozen.mean())

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (may be infinite)."""
        if self._frozen is None:
            return float(self.value), float(self.value)
        low, high = self._frozen.support()
        return float(low), float(high)

    @property
    def is_uncertain(self) -> bool:
        """True unless the distribution is ``fixed``."""
        return self._frozen is not None

    def describe(self) -> str:
        """Short text such as ``triangular(low=70, mode=100, high=300)``."""
        if self.kind == "fixed":
            return "fixed"
        inner = ", ".join(f"{key}={_fmt(val)}" for key, val in self.args.items())
        return f"{self.kind}({inner})"

    def range_text(self) -> str:
        """Declared bounds where the kind has them, else the central 95% interval."""
        if self.kind == "fixed":
            return _fmt(self.value)
        low, high = self.support()
        if np.isfinite(low) and np.isfinite(high) and self.kind != "beta":
            return f"{_fmt(low)} to {_fmt(high)}"
        q025, q975 = self.ppf([0.025, 0.975])
        return f"{_fmt(q025)} to {_fmt(q975)} (95% interval)"


def _fmt(number: float) -> str:
    return f"{number:.6g}"


def make_distribution(spec: Mapping[str, Any] | None, value: float, *, where: dict[str, Any]) -> Distribution:
    """Build a :class:`Distribution` from a YAML mapping, checking kind, keys and numbers.

    ``where`` carries ``file`` and ``parameter`` for error messages. A missing ``spec``
    means ``fixed``.
    """
    if spec is None:
        spec = {"type": "fixed"}
    if not isinstance(spec, Mapping):
        _fail("distribution must be a mapping such as {type: triangular, low: .., mode: .., high: ..}",
              where, spec)
    kind = spec.get("type")
    if kind not in KINDS:
        _fail(f"unknown distribution type {kind!r}", where, kind, expected="one of " + ", ".join(KINDS))
    required, optional = KINDS[kind]
    args: dict[str, float] = {}
    for key, raw in spec.items():
        if key == "type":
            continue
        if key not in required | optional:
            _fail(f"{kind} distribution has no argument {key!r}", where, key,
                  expected=", ".join(sorted(required | optional)) or "no arguments")
        args[key] = _number(raw, key, where)
    default_key = _VALUE_DEFAULTS.get(kind)
    if default_key and default_key not in args:
        args[default_key] = float(value)
    if kind == "beta" and not {"alpha", "beta"} & set(args):
        args.setdefault("mean", float(value))
    missing = sorted(required - set(args))
    if missing:
        _fail(f"{kind} distribution needs {', '.join(missing)}", where, None,
              expected=", ".join(sorted(required)))
    frozen = _freeze(kind, args, where)
    dist = Distribution(kind=kind, args=dict(args), value=float(value), _frozen=frozen)
    low, high = dist.support()
    tolerance = 1e-9 * max(1.0, abs(value))
    if not (low - tolerance <= value <= high + tolerance):
        _fail(f"base value {value!r} lies outside its {kind} distribution ({_fmt(low)} to {_fmt(high)})",
              where, value, expected="a value inside the distribution's range")
    return dist


def _freeze(kind: str, args: dict[str, float], where: dict[str, Any]) -> Any:
    if kind == "fixed":
        return None
    if kind == "uniform":
        low, high = args["low"], args["high"]
        _check_order(low, high, where, kind)
        return stats.uniform(loc=low, scale=high - low)
    if kind in ("triangular", "pert"):
        low, mode, high = args["low"], args["mode"], args["high"]
        _check_order(low, high, where, kind)
        if not low <= mode <= high:
            _fail(f"{kind} mode must lie between low and high", where, mode,
                  expected=f"{_fmt(low)} <= mode <= {_fmt(high)}")
        width = high - low
        if kind == "triangular":
            return stats.triang(c=(mode - low) / width, loc=low, scale=width)
        lam = args.get("lambda", 4.0)
        if lam <= 0:
            _fail("pert lambda must be positive", where, lam, expected="> 0")
        alpha = 1.0 + lam * (mode - low) / width
        beta = 1.0 + lam * (high - mode) / width
        return stats.beta(alpha, beta, loc=low, scale=width)
    if kind == "normal":
        mean, sd = args["mean"], args["sd"]
        _check_positive(sd, "sd", where)
        low, high = args.get("low", -np.inf), args.get("high", np.inf)
        if low == -np.inf and high == np.inf:
            return stats.norm(loc=mean, scale=sd)
        _check_order(low, high, where, kind)
        return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)
    if kind == "lognormal":
        _check_positive(args["median"], "median", where)
        _check_positive(args["sigma"], "sigma", where)
        return stats.lognorm(s=args["sigma"], scale=args["median"])
    # beta
    if "alpha" in args or "beta" in args:
        if not {"alpha", "beta"} <= set(args):
            _fail("beta distribution needs both alpha and beta (or mean and sd)", where, None)
        alpha, beta = args["alpha"], args["beta"]
    else:
        mean, sd = args.get("mean"), args.get("sd")
        if sd is None:
            _fail("beta distribution needs alpha and beta, or mean and sd", where, None)
        if not 0 < mean < 1:
            _fail("beta mean must lie strictly between 0 and 1", where, mean, expected="0 < mean < 1")
        _check_positive(sd, "sd", where)
        common = mean * (1 - mean) / sd**2 - 1
        if common <= 0:
            _fail("beta sd is too large for its mean", where, sd,
                  expected=f"sd < {_fmt(float(np.sqrt(mean * (1 - mean))))}")
        alpha, beta = mean * common, (1 - mean) * common
    _check_positive(alpha, "alpha", where)
    _check_positive(beta, "beta", where)
    return stats.beta(alpha, beta)


def _number(raw: Any, key: str, where: dict[str, Any]) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        _fail(f"distribution argument {key!r} must be a number", where, raw, expected="a number")
    number = float(raw)
    if not np.isfinite(number):
        _fail(f"distribution argument {key!r} must be finite", where, raw, expected="a finite number")
    return number


def _check_order(low: float, high: float, where: dict[str, Any], kind: str) -> None:
    if not low < high:
        _fail(f"{kind} distribution needs low < high", where, (low, high), expected="low < high")


def _check_positive(number: float, key: str, where: dict[str, Any]) -> None:
    if not number > 0:
        _fail(f"distribution argument {key!r} must be positive", where, number, expected="> 0")


def _fail(message: str, where: dict[str, Any], value: Any, expected: str | None = None) -> None:
    name = where.get("parameter")
    prefix = f"parameter {name!r}: " if name else ""
    raise WorkbenchError(prefix + message, file=where.get("file"), record_id=name, value=value,
                         expected=expected)
