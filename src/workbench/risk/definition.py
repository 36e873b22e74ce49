"""Risk-instrument definitions: a YAML file that says how an instrument is scored.

An instrument is data, not code, so that a probation service can change items, weights,
rules and cut-offs without touching the workbench. The format (documented in
``docs/risk.md``) declares answer scales, items in domains with weights, protective domains
whose items lower the total, items that apply only to some clients (``applies_if: {sex:
female}``), the rule for missing answers, ordered levels with cut-offs, structured-judgement
rules that can raise the level, and the columns holding overrides and their mandatory
reasons. ``load_instrument`` checks the definition itself and raises ``WorkbenchError``
naming the file and the entry that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import load_yaml

#: folder of the project's own instrument definitions (next to the data dictionaries)
SCHEMA_DIR = Path(__file__).resolve().parents[3] / "data_schemas"


def _label(raw: Any, default: str) -> dict[str, str]:
    """A ``{en, ru}`` label; a plain string serves both languages."""
    if raw is None:
        return {"en": default, "ru": default}
    if isinstance(raw, str):
        return {"en": raw, "ru": raw}
    return {"en": str(raw.get("en", default)), "ru": str(raw.get("ru", raw.get("en", default)))}


@dataclass(frozen=True)
class Item:
    """One item: its answer codes, weight, domain and to whom it applies."""

    name: str
    domain: str
    scale: str
    values: tuple[int, ...]
    weight: float
    label: dict[str, str]
    applies_if: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def max_points(self) -> float:
        """Largest weighted contribution of the item (points)."""
        return self.weight * max(self.values)


@dataclass(frozen=True)
class Rule:
    """A structured-judgement rule: when every listed item is at least its value, the level
    is at least ``minimum_level``."""

    name: str
    when: dict[str, int]
    minimum_level: str
    label: dict[str, str]


@dataclass(frozen=True)
class InstrumentDefinition:
    """A parsed instrument; build it with ``load_instrument``."""

    name: str
    title: dict[str, str]
    demo: bool
    domains: dict[str, dict[str, Any]]
    items: tuple[Item, ...]
    levels: tuple[str, ...]
    cutoffs: dict[str, float]
    rules: tuple[Rule, ...]
    missing_codes: tuple[Any, ...]
    max_missing_share: float
    domain_max_missing: dict[str, int]
    override_level_column: str
    override_reason_column: str
    level_labels: dict[str, dict[str, str]]
    source: str = "<memory>"

    @property
    def item_names(self) -> list[str]:
        """Item names in definition order."""
        return [item.name for item in self.items]

    @property
    def condition_columns(self) -> list[str]:
        """Client columns that ``applies_if`` conditions read (e.g. ``sex``)."""
        columns: list[str] = []
        for item in self.items:
            columns += [c for c in item.applies_if if c not in columns]
        return columns

    def is_protective(self, domain: str) -> bool:
        """Whether a domain's items lower the total."""
        return bool(self.domains[domain].get("protective", False))

    def level_rank(self, level: str) -> int:
        """Position of a level from 0 (lowest risk)."""
        return self.levels.index(level)


def parse_instrument(spec: dict[str, Any], source: str = "<memory>") -> InstrumentDefinition:
    """Build and check an ``InstrumentDefinition`` from its parsed YAML."""

    def fail(message: str, value: Any = None, expected: str | None = None) -> WorkbenchError:
        return WorkbenchError(f"instrument definition: {message}", file=source, value=value, expected=expected)

    if not isinstance(spec, dict) or "items" not in spec or "domains" not in spec:
        raise fail("needs 'domains' and 'items'")
    scales: dict[str, tuple[int, ...]] = {}
    for name, scale in (spec.get("scales") or {}).items():
        codes = tuple(sorted(int(c) for c in (scale.get("values") or {})))
        if not codes:
            raise fail(f"scale {name!r} declares no values")
        scales[name] = codes
    domains = {str(k): dict(v or {}) for k, v in spec["domains"].items()}
    items: list[Item] = []
    for raw in spec["items"]:
        name = raw.get("name")
        if not name:
            raise fail("an item has no name", value=raw)
        if name in {i.name for i in items}:
            raise fail(f"item {name!r} is declared twice")
        if raw.get("domain") not in domains:
            raise fail(f"item {name!r} names an undeclared domain", raw.get("domain"), f"one of {list(domains)}")
        if raw.get("scale") not in scales:
            raise fail(f"item {name!r} names an undeclared scale", raw.get("scale"), f"one of {list(scales)}")
        weight = float(raw.get("weight", 1))
        if weight < 0:
            raise fail(f"item {name!r} has a negative weight (mark its domain protective instead)", weight)
        applies = {str(k): tuple(v if isinstance(v, list) else [v]) for k, v in (raw.get("applies_if") or {}).items()}
        items.append(Item(name=name, domain=raw["domain"], scale=raw["scale"], values=scales[raw["scale"]],
                          weight=weight, label=_label(raw.get("label"), name), applies_if=applies))
    levels = tuple(str(level) for level in spec.get("levels") or ())
    if len(levels) < 2:
        raise fail("needs at least two ordered 'levels'", spec.get("levels"))
    cutoffs = {str(k): float(v) for k, v in (spec.get("cutoffs") or {}).items()}
    if set(cutoffs) != set(levels[1:]):
        raise fail("needs one cut-off for every level above the lowest", sorted(cutoffs), f"{list(levels[1:])}")
    ordered = [cutoffs[level] for level in levels[1:]]
    if any(b <= a for a, b in zip(ordered, ordered[1:])):
        raise fail("cut-offs must increase with the level", ordered)
    item_names = {i.name for i in items}
    rules: list[Rule] = []
    for raw in spec.get("rules") or ():
        when = {str(k): int(v) for k, v in (raw.get("when") or {}).items()}
        unknown = set(when) - item_names
        if not when or unknown:
            raise fail(f"rule {raw.get('name')!r} needs conditions on declared items", sorted(unknown) or None)
        if raw.get("minimum_level") not in levels:
            raise fail(f"rule {raw.get('name')!r} has an unknown minimum_level", raw.get("minimum_level"),
                       f"one of {list(levels)}")
        rules.append(Rule(name=str(raw["name"]), when=when, minimum_level=raw["minimum_level"],
                          label=_label(raw.get("label"), str(raw["name"]))))
    missing = dict(spec.get("missing") or {})
    share = float(missing.get("max_missing_share", 0.0))
    if not 0 <= share < 1:
        raise fail("missing.max_missing_share must be in [0, 1)", share)
    domain_limits = {str(d): int(n) for d, n in (missing.get("domain_max_missing") or {}).items()}
    overrides = dict(spec.get("overrides") or {})
    return InstrumentDefinition(
        name=str(spec.get("instrument") or Path(source).stem), title=_label(spec.get("title"), "instrument"),
        demo=bool(spec.get("demo", False)), domains=domains, items=tuple(items), levels=levels,
        cutoffs=cutoffs, rules=tuple(rules), missing_codes=tuple(spec.get("missing_codes") or ()),
        max_missing_share=share, domain_max_missing=domain_limits,
        override_level_column=str(overrides.get("level_column", "override_level")),
        override_reason_column=str(overrides.get("reason_column", "override_reason")),
        level_labels={lv: _label((spec.get("level_labels") or {}).get(lv), lv) for lv in levels},
        source=source,
    )


def load_instrument(definition: str | Path | dict[str, Any] | InstrumentDefinition) -> InstrumentDefinition:
    """An instrument from a parsed definition, a YAML path, or a name in ``data_schemas/``."""
    if isinstance(definition, InstrumentDefinition):
        return definition
    if isinstance(definition, dict):
        return parse_instrument(definition)
    path = Path(definition)
    if path.suffix not in (".yaml", ".yml"):
        path = SCHEMA_DIR / f"{definition}.yaml"
    if not path.exists():
        raise WorkbenchError("no risk-instrument definition", file=str(path),
                             expected=f"a YAML file, or the name of one in {SCHEMA_DIR}")
    spec = load_yaml(path, what="the instrument definition")
    return parse_instrument(spec, source=str(path))
