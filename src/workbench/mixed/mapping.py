"""The study's joint-display mapping and recommendations: YAML data that researchers edit.

A study declares which survey indicators and which qualitative codes speak to each barrier,
facilitator or community strategy (``parameters/joint_display.yaml``), and which
recommendations rest on which of those rows (``parameters/recommendations.yaml``). The report
assembles its joint displays from these files, so another study writes its own mapping and
gets its own report. Format: ``docs/mixed-methods.md``.

Validation names the file and the entry: an unknown section, code, survey variable, battery,
reading, case attribute or row id is a ``WorkbenchError`` that says which row of the mapping
holds it and what was expected. Written here because this is bookkeeping on our own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.agreement import RELIABLE_ALPHA
from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import load_yaml
from workbench.schemas import DataDictionary

#: section id -> polarity: a barrier is confirmed by public reluctance, an asset by public support
SECTIONS: dict[str, str] = {"barrier": "barrier", "facilitator": "asset", "community": "asset"}
#: how a survey share reads: "openness" counts answers favourable to reintegration (accept,
#: support, trust, aware), "concern" counts unfavourable ones (high risk, "always a threat")
READINGS = ("openness", "concern")
#: what a survey indicator measures (docs/mixed-methods.md, "Evidence logic"): ``barrier`` the
#: barrier itself (the public's own reluctance or openness on the same matter, e.g. "would employ
#: a former prisoner" for employment), ``asset`` the public's endorsement of a facilitator or
#: strategy, ``remedy_support`` support for a remedy (help with documents, housing), ``awareness``
#: having heard of something. Only a ``barrier`` item is compared with a barrier; ``asset`` and
#: ``remedy_support`` items with an asset; ``awareness`` is never read as support.
MEASURES = ("barrier", "asset", "remedy_support", "awareness")
#: the thresholds a study may set; the reliability threshold is not among them: it is the
#: workbench's one (``agreement.RELIABLE_ALPHA``, shared by reports 02 and 10) and is added as
#: ``rules["reliable_alpha"]`` for the reader of the rules
DEFAULT_RULES: dict[str, float] = {"public_majority": 0.5, "raised_often": 0.25}
DEFAULT_SOURCES: dict[str, str] = {"key_informants": "KII", "experts": "expert", "focus_groups": "FGD"}


@dataclass(frozen=True)
class IndicatorRef:
    """A survey indicator named in the mapping: an item (share of its upper-half answers) or an
    attitude battery (share with a favourable index), read as openness or concern."""

    variable: str | None
    battery: str | None
    reading: str
    measures: str = "barrier"
    about: str | None = None  # the population the item asks about (a group level); None: anyone

    @property
    def key(self) -> str:
        """Column name of the indicator in the analysis frame (see ``evidence``)."""
        return f"item__{self.variable}" if self.variable else f"favourable__{self.battery}"


@dataclass(frozen=True)
class MappingRow:
    """One row of a joint display: a barrier, facilitator or community strategy."""

    id: str
    section: str
    label: dict[str, str]
    codes: tuple[str, ...]
    indicators: tuple[IndicatorRef, ...]
    about: tuple[str, ...] = ()  # the populations (group levels) the row concerns; (): all

    @property
    def polarity(self) -> str:
        return SECTIONS[self.section]


@dataclass(frozen=True)
class Difference:
    """A comparison of two kinds of key informants (e.g. women with men) plus the survey
    indicators that bear on the first group."""

    id: str
    label: dict[str, str]
    reference_label: dict[str, str]
    group: dict[str, tuple[str, ...]]
    reference: dict[str, tuple[str, ...]]
    indicators: tuple[IndicatorRef, ...]


@dataclass(frozen=True)
class Recommendation:
    """A recommendation with the joint-display rows whose evidence supports it."""

    id: str
    text: dict[str, str]
    rows: tuple[str, ...]
    audience: dict[str, str] | None = None
    primary: str = ""  # the row whose evidence the recommendation rests on (its strength)


@dataclass
class JointDisplayMapping:
    """The parsed mapping file (see module docstring)."""

    source: str
    survey: str
    codes_dataset: str
    sources: dict[str, str]
    group_attribute: str
    group_levels: tuple[str, ...]
    sex_attribute: str
    rules: dict[str, float]
    rows: list[MappingRow]
    differences: list[Difference] = field(default_factory=list)
    synthetic: bool = False

    def section_rows(self, section: str) -> list[MappingRow]:
        return [row for row in self.rows if row.section == section]

    def indicators(self) -> list[IndicatorRef]:
        """Every indicator of the rows and differences, once, in mapping order."""
        seen: dict[str, IndicatorRef] = {}
        for ref in [r for row in self.rows for r in row.indicators] + [r for d in self.differences for r in d.indicators]:
            seen.setdefault(ref.key, ref)
        return list(seen.values())


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise WorkbenchError("mapping file not found", file=str(path), expected="a YAML file named in study.yaml")
    data = load_yaml(path, what="the mapping file")
    if not isinstance(data, dict):
        raise WorkbenchError("the file is not a YAML mapping", file=str(path), expected="key: value pairs")
    return data


def _label(raw: Any, file: str, where: str, key: str = "label") -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(lang), str) and raw[lang].strip()
                                            for lang in ("en", "ru")):
        raise WorkbenchError(f"{where}: {key} needs an English and a Russian text", file=file, record_id=where,
                             column=key, value=raw, expected="{en: ..., ru: ...}")
    return {"en": raw["en"], "ru": raw["ru"]}


def _population(raw: Any, file: str, where: str, levels: tuple[str, ...]) -> tuple[str, ...]:
    """``about``: one group level or a list of them (the mapping's ``groups: levels``)."""
    values = tuple(str(v) for v in (raw if isinstance(raw, list) else [raw] if raw is not None else []))
    for value in values:
        if value not in levels:
            raise WorkbenchError(f"{where}: unknown population in about", file=file, record_id=where,
                                 column="about", value=value, expected=f"a group level of the mapping: {list(levels)}")
    return values


def _indicator(raw: Any, file: str, where: str, dictionary: DataDictionary,
               levels: tuple[str, ...] = ()) -> IndicatorRef:
    if not isinstance(raw, dict) or ("variable" in raw) == ("battery" in raw):
        raise WorkbenchError(f"{where}: an indicator names either a variable or a battery", file=file,
                             record_id=where, column="indicators", value=raw,
                             expected="{variable: <survey item>, reading: openness|concern, measures: "
                                      + "|".join(MEASURES) + "} or {battery: ...}")
    reading = raw.get("reading", "openness")
    if reading not in READINGS:
        raise WorkbenchError(f"{where}: unknown reading", file=file, record_id=where, column="reading",
                             value=reading, expected=" or ".join(READINGS))
    measures = raw.get("measures")
    if measures not in MEASURES:
        raise WorkbenchError(f"{where}: an indicator must say what it measures", file=file, record_id=where,
                             column="measures", value=measures, expected=" | ".join(MEASURES))
    about = _population(raw.get("about"), file, where, levels)
    if len(about) > 1:
        raise WorkbenchError(f"{where}: an indicator asks about one population", file=file, record_id=where,
                             column="about", value=list(about), expected="one group level")
    extra = {"measures": str(measures), "about": about[0] if about else None}
    if "variable" in raw:
        name = str(raw["variable"])
        var = dictionary.variables.get(name)
        if var is None or var.battery is None:
            raise WorkbenchError(f"{where}: unknown survey variable {name!r}", file=file, record_id=where,
                                 column="variable", value=name,
                                 expected=f"an item of a battery in the survey dictionary ({dictionary.source})")
        return IndicatorRef(variable=name, battery=None, reading=reading, **extra)
    name = str(raw["battery"])
    spec = dictionary.batteries.get(name)
    if spec is None or (spec or {}).get("kind") != "attitude":
        raise WorkbenchError(f"{where}: unknown attitude battery {name!r}", file=file, record_id=where,
                             column="battery", value=name,
                             expected=f"a battery of kind attitude in the survey dictionary ({dictionary.source})")
    return IndicatorRef(variable=None, battery=name, reading=reading, **extra)


def _selector(raw: Any, file: str, where: str, column: str, attributes: set[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise WorkbenchError(f"{where}: {column} must map case attributes to values", file=file, record_id=where,
                             column=column, value=raw, expected="{sex: female} or {respondent_group: [a, b]}")
    out = {}
    for attribute, values in raw.items():
        if attribute not in attributes:
            raise WorkbenchError(f"{where}: unknown case attribute {attribute!r}", file=file, record_id=where,
                                 column=column, value=attribute, expected=f"one of {sorted(attributes)}")
        values = values if isinstance(values, list) else [values]
        out[str(attribute)] = tuple(_as_text(v) for v in values)
    return out


def _as_text(value: Any) -> str:
    """Case attribute values compared as text (YAML true and a typed True are both "true")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def load_mapping(path: str | Path, dictionary: DataDictionary, code_ids: set[str] | list[str],
                 case_attributes: set[str] | list[str]) -> JointDisplayMapping:
    """Read and validate a joint-display mapping against the survey dictionary, the codebook's
    code ids and the cases table's attributes."""
    path = Path(path)
    file = str(path)
    data = _read_yaml(path)
    code_ids, case_attributes = set(code_ids), set(case_attributes)
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise WorkbenchError("the mapping has no rows", file=file, column="rows",
                             expected="a list of rows with id, section, label, codes, indicators")
    rules = {**DEFAULT_RULES, **(data.get("rules") or {})}
    for key, value in rules.items():
        if key not in DEFAULT_RULES or not isinstance(value, (int, float)) or not 0 <= float(value) <= 1:
            raise WorkbenchError("invalid rule", file=file, column="rules", value={key: value},
                                 expected=f"{sorted(DEFAULT_RULES)} with values between 0 and 1")
    sources = {**DEFAULT_SOURCES, **(data.get("sources") or {})}
    groups = data.get("groups") or {}
    group_attribute = str(groups.get("attribute", "respondent_group"))
    sex_attribute = str(data.get("sex", "sex"))
    for column, attribute in (("groups", group_attribute), ("sex", sex_attribute)):
        if attribute not in case_attributes:
            raise WorkbenchError("unknown case attribute", file=file, column=column, value=attribute,
                                 expected=f"one of {sorted(case_attributes)}")
    rows: list[MappingRow] = []
    for position, raw in enumerate(raw_rows, start=1):
        where = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"row {position}"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise WorkbenchError(f"{where}: a row needs an id", file=file, record_id=where, column="id",
                                 expected="id: a short name such as employment")
        if any(row.id == str(raw["id"]) for row in rows):
            raise WorkbenchError(f"{where}: the row id is used twice", file=file, record_id=where, column="id",
                                 value=raw["id"], expected="unique row ids")
        section = raw.get("section")
        if section not in SECTIONS:
            raise WorkbenchError(f"{where}: unknown section", file=file, record_id=where, column="section",
                                 value=section, expected=" | ".join(SECTIONS))
        codes = raw.get("codes")
        if not isinstance(codes, list) or not codes:
            raise WorkbenchError(f"{where}: a row needs at least one code", file=file, record_id=where,
                                 column="codes", value=codes, expected="codes: [CODE_ID, ...]")
        for code in codes:
            if str(code) not in code_ids:
                raise WorkbenchError(f"{where}: unknown code {code!r}", file=file, record_id=where, column="codes",
                                     value=code, expected=f"a code_id of the codebook ({data.get('codes', 'qual_codes')})")
        levels = tuple(str(v) for v in (groups.get("levels") or []))
        indicators = tuple(_indicator(item, file, where, dictionary, levels) for item in (raw.get("indicators") or []))
        rows.append(MappingRow(id=str(raw["id"]), section=str(section), label=_label(raw.get("label"), file, where),
                               codes=tuple(str(c) for c in codes), indicators=indicators,
                               about=_population(raw.get("about"), file, where, levels)))
    differences = []
    for position, raw in enumerate(data.get("differences") or [], start=1):
        where = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"difference {position}"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise WorkbenchError(f"{where}: a difference needs an id", file=file, record_id=where, column="id")
        differences.append(Difference(
            id=str(raw["id"]), label=_label(raw.get("label"), file, where),
            reference_label=_label(raw.get("reference_label"), file, where, "reference_label"),
            group=_selector(raw.get("group"), file, where, "group", case_attributes),
            reference=_selector(raw.get("reference"), file, where, "reference", case_attributes),
            indicators=tuple(_indicator(item, file, where, dictionary, tuple(str(v) for v in (groups.get("levels") or [])))
                             for item in (raw.get("indicators") or []))))
    return JointDisplayMapping(
        source=file, survey=str(data.get("survey", "survey")), codes_dataset=str(data.get("codes", "qual_codes")),
        sources={k: str(v) for k, v in sources.items()}, group_attribute=group_attribute,
        group_levels=tuple(str(v) for v in (groups.get("levels") or [])), sex_attribute=sex_attribute,
        rules={**{k: float(v) for k, v in rules.items()}, "reliable_alpha": RELIABLE_ALPHA}, rows=rows, differences=differences,
        synthetic=bool(data.get("synthetic", False)))


def load_recommendations(path: str | Path, mapping: JointDisplayMapping) -> list[Recommendation]:
    """Read the recommendations and check that every linked row is a row of ``mapping``."""
    path = Path(path)
    file = str(path)
    data = _read_yaml(path)
    raw_list = data.get("recommendations")
    if not isinstance(raw_list, list) or not raw_list:
        raise WorkbenchError("the file lists no recommendations", file=file, column="recommendations",
                             expected="a list of {id, text: {en, ru}, rows: [row ids]}")
    known = [row.id for row in mapping.rows]
    out: list[Recommendation] = []
    for position, raw in enumerate(raw_list, start=1):
        where = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"recommendation {position}"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise WorkbenchError(f"{where}: a recommendation needs an id", file=file, record_id=where, column="id")
        rows = raw.get("rows")
        if not isinstance(rows, list) or not rows:
            raise WorkbenchError(f"{where}: a recommendation must name the evidence rows it rests on", file=file,
                                 record_id=where, column="rows", value=rows, expected="rows: [employment, ...]")
        for row in rows:
            if str(row) not in known:
                raise WorkbenchError(f"{where}: unknown joint-display row {row!r}", file=file, record_id=where,
                                     column="rows", value=row, expected=f"a row id of {mapping.source}: {known}")
        audience = _label(raw["audience"], file, where, "audience") if raw.get("audience") else None
        primary = str(raw.get("primary", rows[0]))
        if primary not in [str(r) for r in rows]:
            raise WorkbenchError(f"{where}: the primary evidence row is not among the linked rows", file=file,
                                 record_id=where, column="primary", value=primary, expected=f"one of {rows}")
        out.append(Recommendation(id=str(raw["id"]), text=_label(raw.get("text"), file, where, "text"),
                                  rows=tuple(str(r) for r in rows), audience=audience, primary=primary))
    return out
