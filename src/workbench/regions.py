"""One region (domain) resolver for every dataset, model and report.

``region_codes`` is the only place where a ``-p region=...`` value is matched: against the
codes and the English and Russian labels of a dictionary variable (the survey's stratum,
the region of a document, a client or an office), so that a code (``QC``, ``6``) or a label
in either language selects the same rows in every notebook. A value that matches nothing is
an error that lists the known values; it never gives a silently empty report. Datasets may
code regions differently (the survey by number, the transcripts by name): ``study_region``
turns the value into the one name of the region that every dictionary of the study knows,
so that the survey's code ``6`` selects Osh oblast in the transcripts as well.

For the Kyrgyz Republic it also knows one spelling of the regions (``REGIONS``: seven oblasts
and the two cities of republican significance, as the 2022 census reports them) and their
common other spellings (``Osh`` for the oblast, ``Bishkek``, the Russian names), used by the
demo study and the feasibility models (``canonical_region``). Why our own code: matching
codes and labels of our own dictionary format is bookkeeping no library does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.schemas import DataDictionary
    from workbench.study import Study

REGIONS: list[str] = ["Batken", "Chuy", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh oblast", "Talas",
                      "Bishkek city", "Osh city"]
RUSSIAN: dict[str, str] = {
    "Batken": "Баткенская область", "Chuy": "Чуйская область", "Issyk-Kul": "Иссык-Кульская область",
    "Jalal-Abad": "Джалал-Абадская область", "Naryn": "Нарынская область", "Osh oblast": "Ошская область",
    "Talas": "Таласская область", "Bishkek city": "г. Бишкек", "Osh city": "г. Ош",
}
ALIASES: dict[str, str] = {"Osh": "Osh oblast", "Bishkek": "Bishkek city", "Osh region": "Osh oblast",
                           "Бишкек": "Bishkek city", "Ош": "Osh city"}
#: the regions of the Kyrgyz Republic as dictionary values (code = English label)
KYRGYZ_VALUES: dict[str, dict[str, str]] = {en: {"en": en, "ru": RUSSIAN[en]} for en in REGIONS}


def _spellings(text: str) -> set[str]:
    """``text`` and, when it is a known spelling of a Kyrgyz region, that region's label."""
    out = {text}
    canonical = ALIASES.get(text) or next((en for en, ru in RUSSIAN.items() if ru == text), None)
    if canonical is not None:
        out.add(canonical)
    return out


def region_codes(values: Mapping[Any, Mapping[str, str]], region: Any, *, column: str | None = None,
                 file: str | None = None) -> list[Any]:
    """Codes of ``values`` (code -> ``{en, ru}`` label) that ``region`` names: by its code or its
    label in either language (case and surrounding spaces ignored, known Kyrgyz spellings
    accepted). Raises ``WorkbenchError`` listing the known values when nothing matches."""
    wanted = {s.casefold() for s in _spellings(str(region).strip())}
    found = []
    for code, label in values.items():
        names = {str(code)} | {str(label.get(lang, "")) for lang in ("en", "ru")}
        names = {s.casefold() for name in names if name for s in _spellings(name.strip())}
        if wanted & names:
            found.append(code)
    if not found:
        known = "; ".join(f"{code} ({label.get('en', '')} / {label.get('ru', '')})" for code, label in values.items())
        raise WorkbenchError("unknown region", file=file, column=column, value=region,
                             expected=f"a code or a label (English or Russian) of one of: {known}")
    return found


def canonical_region(name: str) -> str:
    """The ``REGIONS`` label of a Kyrgyz region given in any known spelling (English or Russian)."""
    return region_codes(KYRGYZ_VALUES, name)[0]


def dictionary_region_codes(dictionary: "DataDictionary", region: Any, role: str = "stratum") -> tuple[str, list[Any]]:
    """The region variable of a dictionary (the first with ``role``) and the codes ``region``
    names in it (see ``region_codes``); an error when the dictionary has no such variable."""
    names = dictionary.by_role(role)
    if not names:
        raise WorkbenchError(f"a region was asked for, but the dictionary {dictionary.name} has no variable "
                             f"with role {role!r}", file=dictionary.source, value=region,
                             expected=f"no region parameter, or role: {role} on the region variable")
    name = names[0]
    return name, region_codes(dictionary.variables[name].values, region, column=name, file=dictionary.source)


def _region_name(code: Any, label: Mapping[str, str]) -> str:
    """The one name of a dictionary's region: its English label (the ``REGIONS`` spelling for
    a Kyrgyz region), or its code when it has no label."""
    english = str(label.get("en") or code).strip()
    return next((s for s in _spellings(english) if s in KYRGYZ_VALUES), english)


def study_region(study: "Study", region: Any, role: str = "stratum") -> str | None:
    """The name of the region ``region`` names in the study (``None``: every region): the
    English label of the entry it matches (by code or label, see ``region_codes``) in each
    dataset whose dictionary has a ``role`` variable, so that one value selects the same
    region in datasets that code regions differently. Errors: no dataset knows the value (the
    error lists the first such dataset's regions), or it names different regions in two
    datasets (e.g. a number coded differently)."""
    if region is None:
        return None
    from workbench.study import TABULAR_FORMATS

    named: dict[str, list[str]] = {}
    first_error = None
    for name, entry in study.datasets.items():
        if entry.format not in TABULAR_FORMATS or not study.dictionary(name).by_role(role):
            continue
        dictionary = study.dictionary(name)
        variable = dictionary.by_role(role)[0]
        values = dictionary.variables[variable].values
        try:
            codes = region_codes(values, region, column=variable, file=dictionary.source)
        except WorkbenchError as err:
            first_error = first_error or err
            continue
        for one in {_region_name(code, values[code]) for code in codes}:
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
