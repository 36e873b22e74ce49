"""The demo study's regions: the Kyrgyz Republic's seven oblasts and two cities of republican
significance, as the 2022 census reports them, in one list every synthetic generator uses.

Each region has the survey's number (``code``), its one English name (``name``), its Russian
name (``ru``), the shorter spelling the demo's transcripts and registers use (``short``:
``Osh`` for the oblast, ``Bishkek``) and the other spellings a reader may type (``aliases``).
The package itself knows no region: ``workbench demo`` writes this list into the demo's
``study.yaml`` (``regions:``, see ``study_entries``) and ``workbench.regions`` reads it from
there, as it would read any study's own list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KyrgyzRegion:
    """One first-level unit of the Kyrgyz Republic as the demo spells it."""

    code: int
    name: str
    ru: str
    short: str
    aliases: tuple[str, ...] = ()


REGIONS: tuple[KyrgyzRegion, ...] = (
    KyrgyzRegion(1, "Batken", "Баткенская область", "Batken"),
    KyrgyzRegion(2, "Chuy", "Чуйская область", "Chuy"),
    KyrgyzRegion(3, "Issyk-Kul", "Иссык-Кульская область", "Issyk-Kul"),
    KyrgyzRegion(4, "Jalal-Abad", "Джалал-Абадская область", "Jalal-Abad"),
    KyrgyzRegion(5, "Naryn", "Нарынская область", "Naryn"),
    KyrgyzRegion(6, "Osh oblast", "Ошская область", "Osh", ("Osh", "Osh region")),
    KyrgyzRegion(7, "Talas", "Таласская область", "Talas"),
    KyrgyzRegion(8, "Bishkek city", "г. Бишкек", "Bishkek", ("Bishkek", "Бишкек")),
    KyrgyzRegion(9, "Osh city", "г. Ош", "Osh city", ("Ош",)),
)
#: the regions' English names, in the survey's code order
NAMES: list[str] = [r.name for r in REGIONS]
BY_CODE: dict[int, KyrgyzRegion] = {r.code: r for r in REGIONS}
BY_SHORT: dict[str, KyrgyzRegion] = {r.short: r for r in REGIONS}


def study_entries() -> list[dict[str, object]]:
    """The ``regions:`` list of the demo's ``study.yaml``: name, Russian name and aliases."""
    return [{"name": r.name, "ru": r.ru, **({"aliases": list(r.aliases)} if r.aliases else {})} for r in REGIONS]
