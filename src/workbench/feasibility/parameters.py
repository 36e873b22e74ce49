"""Model parameters as data: read, validate, override, convert currency, tabulate.

One YAML file per model (format in docs/feasibility.md). Every parameter carries a value,
a unit, a currency and price year where it is money, an uncertainty distribution and its
source. Reading checks everything and reports all problems at once, each naming the
parameter and the file. Amounts given in another currency are converted into the file's
currency at load time with the exchange rate declared in the same file, and the original
figure is kept for the assumptions table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.feasibility.distributions import Distribution, make_distribution
from workbench.io.keys import PARAMETER_FILE_KEYS, check_keys, suggestion
from workbench.io.safe_yaml import load_yaml

PROPORTION_UNITS = {"proportion", "probability", "share"}
BASIS_VALUES = {"public", "adapted", "assumption"}
PARAMETER_KEYS = {"label", "value", "unit", "currency", "price_year", "distribution", "source",
                  "basis", "allow_negative", "note"}
# distribution arguments that scale with a currency amount (the others are shapes)
_SCALED_ARGS = {"low", "mode", "high", "mean", "sd", "median"}
_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ExchangeRate:
    """``rate`` units of the model currency for one unit of the foreign currency, in ``year``."""

    currency: str
    rate: float
    year: int
    source: str
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """One model input with its unit, money metadata, uncertainty and source."""

    name: str
    label: Mapping[str, str]
    value: float
    unit: str
    distribution: Distribution
    source: str
    currency: str | None = None
    price_year: int | None = None
    basis: str | None = None
    allow_negative: bool = False
    note: str | None = None
    original_value: float | None = None
    original_currency: str | None = None
    exchange_rate: float | None = None
    overridden: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)

    def label_in(self, language: str = "en") -> str:
        """The label in ``language``, falling back to English, then to the name."""
        return self.label.get(language) or self.label.get("en") or self.name

    def source_in(self, language: str = "en") -> str:
        """The source in ``language`` (``source: {en: ..., ru: ...}``), else as written."""
        return self.sources.get(language) or self.source


def source_texts(raw: Any) -> dict[str, str] | None:
    """A ``source`` as one text or as texts by language (``{en: ..., ru: ...}``, English
    required): ``{language: text}``, or ``None`` when it is missing or of the wrong kind."""
    if isinstance(raw, str):
        return {"en": raw.strip()} if raw.strip() else None
    if (isinstance(raw, Mapping) and isinstance(raw.get("en"), str) and raw["en"].strip()
            and all(isinstance(text, str) for text in raw.values())):
        return {str(language): text.strip() for language, text in raw.items()}
    return None


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of one model, in file order, with the file's currency and rates."""

    model: str
    currency: str
    price_year: int
    parameters: Mapping[str, Parameter]
    exchange_rates: Mapping[str, ExchangeRate] = field(default_factory=dict)
    file: str | None = None
    synthetic: bool = False

    @property
    def names(self) -> list[str]:
        """Parameter names in file order."""
        return list(self.parameters)

    @property
    def uncertain_names(self) -> list[str]:
        """Names of the parameters whose distribution is not ``fixed``."""
        return [name for name, par in self.parameters.items() if par.distribution.is_uncertain]

    def __getitem__(self, name: str) -> Parameter:
        if name not in self.parameters:
            raise WorkbenchError(f"unknown parameter {name!r}", file=self.file, record_id=name,
                                 expected="one of " + ", ".join(self.names))
        return self.parameters[name]

    def values(self) -> dict[str, float]:
        """Base-case values by name."""
        return {name: par.value for name, par in self.parameters.items()}

    def uniforms(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """An ``n`` x parameters matrix of uniforms; column j drives parameter j.

        One column per parameter (fixed ones included) keeps each parameter's stream the
        same when another parameter is fixed or overridden.
        """
        return rng.random((n, len(self.parameters)))

    def from_uniforms(self, uniforms: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter draws from a uniform matrix (inverse transform, column j -> parameter j)."""
        return {name: par.distribution.ppf(uniforms[:, j])
                for j, (name, par) in enumerate(self.parameters.items())}

    def sample(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` independent draws of every parameter (fixed ones repeat their value)."""
        return self.from_uniforms(self.uniforms(n, rng))

    def with_overrides(self, overrides: Mapping[str, Any] | str | Path | None) -> "ParameterSet":
        """A copy with overrides applied (see :func:`apply_overrides`)."""
        return apply_overrides(self, overrides)


def load_parameters(path: str | Path, overrides: Mapping[str, Any] | str | Path | None = None) -> ParameterSet:
    """Read and validate a parameter YAML file, then apply ``overrides``.

    ``overrides`` is a mapping ``name -> number`` (the value becomes a fixed value, as the
    command line's ``-p name=value`` does), ``name -> mapping`` (replaces the given fields,
    e.g. ``{value: 120, distribution: {type: uniform, low: 80, high: 200}}``), or the path of
    a second YAML file holding such a mapping (either at top level or under ``parameters``).
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError("parameter file not found", file=str(path))
    params = parse_parameters(load_yaml(path, what="the parameter file"), file=str(path))
    if params.model in known_models():
        check_model(params)
    return apply_overrides(params, overrides)


#: folder of the package's default parameter files, one per model: ``<model>.yaml``
DEFAULTS = Path(__file__).with_name("defaults")


def known_models() -> list[str]:
    """Models of the package (each has a default parameter file in ``defaults/``)."""
    return sorted(p.stem for p in DEFAULTS.glob("*.yaml"))


def model_parameter_names(model: str) -> list[str]:
    """The parameters a model uses: the names in its default parameter file."""
    if model not in known_models():
        raise WorkbenchError(f"unknown model {model!r}{suggestion(model, known_models())}",
                             expected="one of " + ", ".join(known_models()))
    document = load_yaml(DEFAULTS / f"{model}.yaml", what="the default parameter file")
    return [str(name) for name in document["parameters"]]


def check_model(params: ParameterSet, model: str | None = None) -> None:
    """Refuse a parameter file whose names are not exactly those its model uses.

    ``model`` is the model study.yaml names for the file (it must agree with the file's own
    ``model:``). An unknown name gets a did-you-mean suggestion; a missing one is named, so
    that validation fails instead of the build stopping on a ``KeyError``.
    """
    try:
        expected = model_parameter_names(params.model)
    except WorkbenchError as error:
        raise WorkbenchError(error.message, file=params.file, expected=error.expected) from None
    if model is not None and str(model) != params.model:
        raise WorkbenchError("the parameter file is for another model than study.yaml says", file=params.file,
                             value=params.model, expected=f"model: {model}")
    problems = [WorkbenchError(f"unknown parameter {name!r} for model {params.model}{suggestion(name, expected)}",
                               file=params.file, record_id=name, expected="one of " + ", ".join(expected))
                for name in params.names if name not in expected]
    problems += [WorkbenchError(f"parameter {name!r} of model {params.model} is missing", file=params.file,
                                record_id=name, expected="every parameter the model uses (see the default file "
                                                         f"{DEFAULTS / (params.model + '.yaml')})")
                 for name in expected if name not in params.parameters]
    _raise_all(problems, params.file)


def parse_parameters(document: Any, *, file: str | None = None) -> ParameterSet:
    """Validate a parsed YAML document and build the :class:`ParameterSet`."""
    if not isinstance(document, Mapping):
        raise WorkbenchError("parameter file must be a mapping with model, currency, price_year and "
                             "parameters", file=file)
    check_keys(document, PARAMETER_FILE_KEYS, file=file, where="parameter file")
    for key in ("model", "currency", "price_year", "parameters"):
        if key not in document:
            raise WorkbenchError(f"parameter file has no {key!r}", file=file, expected=key)
    currency = str(document["currency"])
    price_year = _year(document["price_year"], file, "price_year")
    rates = _exchange_rates(document.get("exchange_rates") or {}, currency, file)
    raw_parameters = document["parameters"]
    if not isinstance(raw_parameters, Mapping) or not raw_parameters:
        raise WorkbenchError("'parameters' must be a non-empty mapping of name -> parameter", file=file)
    parsed: dict[str, Parameter] = {}
    problems: list[WorkbenchError] = []
    for name, spec in raw_parameters.items():
        try:
            parsed[str(name)] = _parameter(str(name), spec, currency, rates, file)
        except WorkbenchError as error:
            problems.append(error)
    _raise_all(problems, file)
    return ParameterSet(model=str(document["model"]), currency=currency, price_year=price_year,
                        parameters=parsed, exchange_rates=rates, file=file,
                        synthetic=bool(document.get("synthetic", False)))


def apply_overrides(params: ParameterSet, overrides: Mapping[str, Any] | str | Path | None) -> ParameterSet:
    """Return a new set with overrides applied and re-validated; the input is unchanged."""
    if overrides is None:
        return params
    source_file = params.file
    if isinstance(overrides, (str, Path)):
        source_file = str(overrides)
        if not Path(overrides).is_file():
            raise WorkbenchError("override file not found", file=source_file)
        loaded = load_yaml(overrides, what="the override file") or {}
        if not isinstance(loaded, Mapping):
            raise WorkbenchError("override file must be a mapping of name -> value", file=source_file)
        overrides = loaded.get("parameters", loaded) if isinstance(loaded.get("parameters"), Mapping) else loaded
    updated = dict(params.parameters)
    problems: list[WorkbenchError] = []
    for name, change in overrides.items():
        if name not in updated:
            problems.append(WorkbenchError(f"override names unknown parameter {name!r}"
                                           f"{suggestion(name, params.names)}", file=source_file,
                                           record_id=name, expected="one of " + ", ".join(params.names)))
            continue
        try:
            updated[name] = _override_one(updated[name], change, params, source_file)
        except WorkbenchError as error:
            problems.append(error)
    _raise_all(problems, source_file)
    return replace(params, parameters=updated)


def split_overrides(params: ParameterSet, overrides: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The overrides that name parameters of ``params`` (to apply) and the names that belong to
    another feasibility model only (one ``overrides`` may serve reports 05 and 06 at once).

    A name no model uses is refused with a did-you-mean, so a typing error never passes
    silently as "another model's parameter".
    """
    if overrides is None:
        return {}, []
    if not isinstance(overrides, Mapping):
        raise WorkbenchError("overrides must be a mapping of parameter name -> value", value=overrides,
                             expected="e.g. {custody_cost_per_day: 250}")
    others = {name for model in known_models() if model != params.model for name in model_parameter_names(model)}
    known = sorted(set(params.names) | others)
    unknown = [WorkbenchError(f"override names unknown parameter {name!r}{suggestion(str(name), known)}",
                              record_id=str(name), expected="a parameter of " + " or ".join(known_models()))
               for name in overrides if name not in params.names and name not in others]
    _raise_all(unknown, None)
    own = {str(name): value for name, value in overrides.items() if name in params.names}
    return own, sorted(str(name) for name in overrides if name not in params.names)


def _override_one(par: Parameter, change: Any, params: ParameterSet, file: str | None) -> Parameter:
    spec = _as_spec(par)
    if isinstance(change, Mapping):
        unknown = set(change) - PARAMETER_KEYS
        if unknown:
            raise WorkbenchError(f"parameter {par.name!r}: override has unknown keys {sorted(unknown)}",
                                 file=file, record_id=par.name, expected=", ".join(sorted(PARAMETER_KEYS)))
        spec.update(change)
        if "value" in change and "distribution" not in change:
            spec["distribution"] = {"type": "fixed"}
    else:
        spec["value"] = change
        spec["distribution"] = {"type": "fixed"}
    stated = change if isinstance(change, Mapping) else {}
    if "currency" not in stated:
        # an override is stated in the model currency unless it says otherwise
        spec["currency"] = params.currency if par.currency else None
    if "unit" not in stated:
        spec["unit"] = par.unit
    new = _parameter(par.name, spec, params.currency, params.exchange_rates, file)
    return replace(new, overridden=True)


def _as_spec(par: Parameter) -> dict[str, Any]:
    distribution: dict[str, Any] = {"type": par.distribution.kind, **par.distribution.args}
    return {"label": dict(par.label), "value": par.value, "unit": par.unit, "currency": par.currency,
            "price_year": par.price_year, "distribution": distribution, "source": dict(par.sources) or par.source,
            "basis": par.basis, "allow_negative": par.allow_negative, "note": par.note}


def _parameter(name: str, spec: Any, currency: str, rates: Mapping[str, ExchangeRate],
               file: str | None) -> Parameter:
    def fail(message: str, value: Any = None, expected: str | None = None) -> None:
        raise WorkbenchError(f"parameter {name!r}: {message}", file=file, record_id=name, value=value,
                             expected=expected)

    if not _NAME_PATTERN.match(name):
        fail("name must be snake_case (lower-case letters, digits, underscores)", name, "e.g. custody_cost_per_day")
    if not isinstance(spec, Mapping):
        fail("must be a mapping with value, unit, distribution and source", spec)
    unknown = sorted(str(key) for key in spec if key not in PARAMETER_KEYS)
    if unknown:
        fail(f"unknown key {unknown[0]!r}{suggestion(unknown[0], PARAMETER_KEYS)}"
             + (f" (and {unknown[1:]})" if len(unknown) > 1 else ""), None, ", ".join(sorted(PARAMETER_KEYS)))
    raw_value = spec.get("value")
    if isinstance(raw_value, bool) or not isinstance(raw_value, (int, float)) or not math.isfinite(raw_value):
        fail("value must be a finite number", raw_value, "a number")
    value = float(raw_value)
    unit = spec.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        fail("missing unit", unit, "a unit such as KGS/day, persons, proportion, days")
    source = spec.get("source")
    sources = source_texts(source)
    if sources is None:
        fail("missing source", source, "where the figure comes from, or 'no public figure; assumption: ...'"
             " (one text, or {en: ..., ru: ...})")
    label = spec.get("label") or {}
    if isinstance(label, str):
        label = {"en": label}
    if not isinstance(label, Mapping) or not all(isinstance(text, str) for text in label.values()):
        fail("label must be text or a mapping language -> text", label, "{en: ..., ru: ...}")
    basis = spec.get("basis")
    if basis is not None and (not isinstance(basis, str) or basis not in BASIS_VALUES):
        fail("unknown basis", basis, ", ".join(sorted(BASIS_VALUES)))
    allow_negative = spec.get("allow_negative", False)
    if not isinstance(allow_negative, bool):
        fail("allow_negative must be true or false", allow_negative, "true or false")

    par_currency = spec.get("currency")
    price_year = spec.get("price_year")
    original_value = original_currency = rate = None
    distribution_spec = spec.get("distribution")
    if par_currency is not None:
        par_currency = str(par_currency)
        if price_year is None:
            fail(f"amount in {par_currency} has no price_year", None, "the year of the prices, e.g. 2024")
        price_year = _year(price_year, file, f"parameters.{name}.price_year")
        if par_currency != currency:
            if par_currency not in rates:
                fail(f"no exchange rate declared for {par_currency}", par_currency,
                     f"an entry exchange_rates.{par_currency} with rate, year and source")
            rate = rates[par_currency].rate
            original_value, original_currency = value, par_currency
            value = value * rate
            unit = unit.replace(par_currency, currency)
            if isinstance(distribution_spec, Mapping):
                distribution_spec = {key: (arg * rate if key in _SCALED_ARGS and isinstance(arg, (int, float))
                                           and not isinstance(arg, bool) else arg)
                                     for key, arg in distribution_spec.items()}
            par_currency = currency
    elif price_year is not None:
        price_year = _year(price_year, file, f"parameters.{name}.price_year")

    distribution = make_distribution(distribution_spec, value, where={"file": file, "parameter": name})
    low, high = distribution.support()
    is_proportion = unit.strip().lower() in PROPORTION_UNITS
    if distribution.kind == "beta" and not is_proportion:
        fail("beta distribution is for proportions only", unit, "unit proportion, probability or share")
    if is_proportion and not (0.0 <= value <= 1.0):
        fail("probability/proportion must lie between 0 and 1", value, "0 <= value <= 1")
    if is_proportion and (low < 0.0 or high > 1.0):
        fail("distribution of a probability/proportion reaches outside 0-1", (low, high),
             "a beta distribution, or bounds within 0 and 1")
    if not allow_negative:
        what = "cost" if par_currency else "value"
        if value < 0:
            fail(f"negative {what}", value, ">= 0 (set allow_negative: true if a negative value makes sense)")
        if low < 0:
            fail(f"{distribution.kind} distribution can give negative values", distribution.describe(),
                 "a distribution bounded at 0 (e.g. normal with low: 0, lognormal, triangular)")
    return Parameter(name=name, label=dict(label), value=value, unit=unit.strip(), distribution=distribution,
                     source=sources["en"], sources=sources, currency=par_currency, price_year=price_year, basis=basis,
                     allow_negative=allow_negative, note=spec.get("note"), original_value=original_value,
                     original_currency=original_currency, exchange_rate=rate)


def _exchange_rates(raw: Any, currency: str, file: str | None) -> dict[str, ExchangeRate]:
    if not isinstance(raw, Mapping):
        raise WorkbenchError("exchange_rates must be a mapping currency -> {rate, year, source}", file=file)
    rates: dict[str, ExchangeRate] = {}
    for code, spec in raw.items():
        where = f"exchange_rates.{code}"
        if not isinstance(spec, Mapping):
            raise WorkbenchError(f"{where} must be a mapping with rate, year and source", file=file, value=spec)
        rate = spec.get("rate")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise WorkbenchError(f"{where}: rate must be a positive number ({currency} per 1 {code})",
                                 file=file, value=rate, expected="> 0")
        sources = source_texts(spec.get("source"))
        if sources is None:
            raise WorkbenchError(f"{where}: missing source", file=file, expected="where the rate comes from")
        rates[str(code)] = ExchangeRate(str(code), float(rate), _year(spec.get("year"), file, f"{where}.year"),
                                        sources["en"], sources)
    return rates


def _year(raw: Any, file: str | None, key: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1900 <= raw <= 2100:
        raise WorkbenchError(f"{key} must be a four-digit year", file=file, value=raw, expected="e.g. 2024")
    return int(raw)


def _raise_all(problems: list[WorkbenchError], file: str | None) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    table = pd.DataFrame(
        [{"file": p.file, "row": None, "record_id": p.record_id, "column": None, "problem": p.message,
          "value": p.value, "expected": p.expected} for p in problems], columns=PROBLEM_COLUMNS)
    lines = "\n".join(f"  - {p.message}" for p in problems)
    raise WorkbenchError(f"{len(problems)} problems in the parameter file:\n{lines}", file=file, problems=table)


def convert_currency(amount: float | np.ndarray, from_currency: str, to_currency: str,
                     params: ParameterSet) -> float | np.ndarray:
    """Convert ``amount`` with the rates declared in ``params`` (via the model currency).

    Rates are model-currency units per one foreign unit, each declared with a year; the
    result is in ``to_currency`` at those rates (no inflation adjustment).
    """
    def to_model(code: str) -> float:
        if code == params.currency:
            return 1.0
        if code not in params.exchange_rates:
            raise WorkbenchError(f"no exchange rate declared for {code}", file=params.file, value=code,
                                 expected="one of " + ", ".join([params.currency, *params.exchange_rates]))
        return params.exchange_rates[code].rate

    return amount * to_model(from_currency) / to_model(to_currency)


def assumptions_table(params: ParameterSet, language: str = "en") -> pd.DataFrame:
    """One row per parameter: what it is, its value, unit, money year, uncertainty, source.

    ``p05``/``p95`` are the 5th and 95th percentiles of the distribution; ``range`` is the
    declared bounds in words (or the central 95% interval for unbounded kinds).
    """
    rows = []
    for name, par in params.parameters.items():
        p05, p95 = par.distribution.ppf([0.05, 0.95])
        rows.append({
            "name": name, "label": par.label_in(language), "value": par.value, "unit": par.unit,
            "currency": par.currency, "year": par.price_year, "distribution": par.distribution.describe(),
            "range": par.distribution.range_text(), "source": par.source_in(language), "p05": float(p05),
            "p95": float(p95), "basis": par.basis, "original_value": par.original_value,
            "original_currency": par.original_currency, "exchange_rate": par.exchange_rate,
            "overridden": par.overridden,
        })
    return pd.DataFrame(rows)


def exchange_rate_table(params: ParameterSet, language: str = "en") -> pd.DataFrame:
    """The declared exchange rates: currency, rate (model currency per unit), year, source."""
    return pd.DataFrame(
        [{"currency": r.currency, "rate": r.rate, "model_currency": params.currency, "year": r.year,
          "source": r.sources.get(language) or r.source} for r in params.exchange_rates.values()],
        columns=["currency", "rate", "model_currency", "year", "source"])
