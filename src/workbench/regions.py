"""One region (domain) resolver for every dataset, model and report.

``region_codes`` is the only place where a ``-p region=...`` value is matched: against the
codes and the English and Russian labels of a dictionary variable (the survey's stratum,
the region of a document, a client or an office), so that a code (``QC``, ``6``) or a label
in either language selects the same rows in every notebook. A value that matches nothing is
an error that lists the known values; it never gives a silently empty report. Datasets may
code regions differently (the survey by number, the transcripts by name): ``study_region``
turns the value into the one name of the region that every dictionary of the study knows,
so that the survey's code ``6`` selects Osh oblast in the transcripts as well.

The regions themselves come from the study: ``study.yaml``'s ``regions:`` list names each
region once (``name``, its Russian name ``ru`` and the other ``aliases`` its datasets or
readers use, e.g. ``Osh`` for Osh oblast), and a dictionary's region variable gives each
dataset's codes and labels (docs/study-format.md). A value matching a region's name, Russian
name or alias matches every code whose label is another spelling of that region, so that
datasets spelling a region differently still join. The package holds no list of its own (the
demo's is ``workbench.synthetic.kyrgyz_regions``). Why our own code: matching codes and labels
of our own dictionary format is bookkeeping no library does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError
from workbench.io.keys import REGION_KEYS, check_keys
from workbench.io.safe_yaml import as_code

if TYPE_CHECKING:
    from workbench.schemas import DataDictionary
    from workbench.study import Study

@dataclass(frozen=True)
class Region:
    """One region of a study: its one name (English), Russian name and other spellings."""

    name: str
    ru: str | None = None
    aliases: tuple[str, ...] = ()

    def spellings(self) -> set[str]:
        """Every text that names this region (case ignored when matched)."""
        return {s for s in (self.name, self.ru, *self.aliases) if s}


def parse_regions(entries: Any, *, file: str | None = None) -> tuple[Region, ...]:
    """The study's regions from its ``regions:`` list: each entry a name, or a mapping with
    ``name`` and optional ``ru`` and ``aliases`` (a list). Errors: not a list, an entry without
    a text name, an unknown key, or one spelling naming two regions."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise WorkbenchError("regions must be a list", file=file, column="regions", value=entries,
                             expected="a list of names, or of {name, ru, aliases}")
    out, owner = [], {}
    for number, entry in enumerate(entries, start=1):
        where = f"regions, entry {number}"
        if isinstance(entry, dict):
            check_keys(entry, REGION_KEYS, file=file, where=where)
            name, ru, aliases = entry.get("name"), entry.get("ru"), entry.get("aliases") or []
        else:
            name, ru, aliases = entry, None, []
        for text in [name, *(aliases if isinstance(aliases, list) else [])]:
            if isinstance(text, bool):  # an unquoted NO is a boolean: "quote it"
                as_code(text, file=file, where=where)
        if isinstance(name, bool) or not isinstance(name, (str, int)) or not str(name).strip() \
                or (ru is not None and not isinstance(ru, str)) or not isinstance(aliases, list) \
                or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise WorkbenchError(f"{where}: a region needs a text name (ru and aliases: texts)", file=file,
                                 column="regions", value=entry,
                                 expected="a name, or {name: Osh oblast, ru: Ошская область, aliases: [Osh]}")
        region = Region(str(name).strip(), ru.strip() if ru else None, tuple(a.strip() for a in aliases))
        for spelling in region.spellings():
            other = owner.setdefault(spelling.casefold(), region.name)
            if other != region.name:
                raise WorkbenchError(f"{where}: the spelling {spelling!r} names two regions", file=file,
                                     column="regions", value=spelling,
                                     expected=f"one region per spelling ({other} and {region.name})")
        out.append(region)
    return tuple(out)


def study_regions(study: "Study") -> tuple[Region, ...]:
    """The regions ``study.yaml`` declares (empty when it declares none)."""
    return parse_regions(study.spec.get("regions"), file=str(study.root / "study.yaml"))


def _spellings(text: str, regions: Sequence[Region] = ()) -> set[str]:
    """``text`` and, when it is a spelling of one of ``regions``, that region's name."""
    folded = text.casefold()
    return {text} | {r.name for r in regions if folded in {s.casefold() for s in r.spellings()}}


def region_codes(values: Mapping[Any, Mapping[str, str]], region: Any, *, regions: Sequence[Region] = (),
                 column: str | None = None, file: str | None = None) -> list[Any]:
    """Codes of ``values`` (code -> ``{en, ru}`` label) that ``region`` names: by its code or its
    label in either language, or by any spelling of the same one of ``regions`` (the study's;
    case and surrounding spaces ignored). Raises ``WorkbenchError`` listing the known values
    when nothing matches."""
    wanted = {s.casefold() for s in _spellings(str(region).strip(), regions)}
    found = []
    for code, label in values.items():
        names = {str(code)} | {str(label.get(lang, "")) for lang in ("en", "ru")}
        names = {s.casefold() for name in names if name for s in _spellings(name.strip(), regions)}
        if wanted & names:
            found.append(code)
    if not found:
        known = "; ".join(f"{code} ({label.get('en', '')} / {label.get('ru', '')})" for code, label in values.items())
        raise WorkbenchError("unknown region", file=file, column=column, value=region,
                             expected=f"a code or a label (English or Russian) of one of: {known}")
    return found


def canonical_region(name: Any, regions: Sequence[Region]) -> str:
    """The name of the one of ``regions`` that ``name`` spells (its name, Russian name or an
    alias); an error listing the regions when it spells none."""
    found = sorted(_spellings(str(name).strip(), regions) & {r.name for r in regions})
    if not found:
        known = "; ".join(" / ".join(sorted(r.spellings(), key=lambda s: s != r.name)) for r in regions)
        raise WorkbenchError("unknown region", value=name, expected=f"one of the study's regions: {known or 'none declared'}")
    return found[0]


def dictionary_region_codes(dictionary: "DataDictionary", region: Any, role: str = "stratum") -> tuple[str, list[Any]]:
    """The region variable of a dictionary (the first with ``role``) and the codes ``region``
    names in it (see ``region_codes``, with the study's regions the dictionary was read with);
    an error when the dictionary has no such variable."""
    names = dictionary.by_role(role)
    if not names:
        raise WorkbenchError(f"a region was asked for, but the dictionary {dictionary.name} has no variable "
                             f"with role {role!r}", file=dictionary.source, value=region,
                             expected=f"no region parameter, or role: {role} on the region variable")
    name = names[0]
    return name, region_codes(dictionary.variables[name].values, region, regions=dictionary.regions, column=name,
                              file=dictionary.source)


def region_name(label: Any, regions: Sequence[Region]) -> str:
    """The one name of a region given by a label (or code): the name of the one of
    ``regions`` it spells, else the label as given."""
    text = str(label).strip()
    return next((s for s in sorted(_spellings(text, regions)) if s in {r.name for r in regions}), text)


def study_region(study: "Study", region: Any, role: str = "stratum") -> str | None:
    """The name of the region ``region`` names in the study (``None``: every region): the
    region (``region_name``) of the entry it matches (by code or label, see ``region_codes``)
    in each dataset whose dictionary has a ``role`` variable, so that one value selects the
    same region in datasets that code regions differently. Errors: no dataset knows the value
    (the error lists the first such dataset's regions), or it names different regions in two
    datasets (e.g. a number coded differently)."""
    if region is None:
        return None
    from workbench.study import TABULAR_FORMATS

    known = study_regions(study)
    named: dict[str, list[str]] = {}
    first_error = None
    for name, entry in study.datasets.items():
        if entry.format not in TABULAR_FORMATS or not study.dictionary(name).by_role(role):
            continue
        dictionary = study.dictionary(name)
        variable = dictionary.by_role(role)[0]
        values = dictionary.variables[variable].values
        try:
            codes = region_codes(values, region, regions=known, column=variable, file=dictionary.source)
        except WorkbenchError as err:
            first_error = first_error or err
            continue
        for one in {region_name(values[code].get("en") or code, known) for code in codes}:
            named.setdefault(one, []).append(name)
    if len(named) > 1:
        raise WorkbenchError("the region names different regions in the study's datasets", value=region,
                             expected="a code or label that names one region; it names "
                                      + "; ".join(f"{n} in {', '.join(d)}" for n, d in named.items()))
    if named:
        return next(iter(named))
    if first_error is not None:
        raise first_error
    raise WorkbenchError(f"a region was asked for, but no dataset of the study has a variable with role {role!r}",
                         file=str(study.root / "study.yaml"), column="region", value=region,
                         expected="no region parameter")
