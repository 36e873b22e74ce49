"""The regions of the Kyrgyz Republic under one spelling for every dataset and report.

Seven oblasts and the two cities of republican significance, as the 2022 census reports
them. Every dictionary and model uses ``REGIONS`` as labels; ``canonical_region`` accepts
the common other spellings (``Osh`` for the oblast, ``Bishkek``, the Russian names) so
that a ``-p region=...`` given either way selects the same data.
"""

from __future__ import annotations

from workbench.errors import WorkbenchError

REGIONS: list[str] = ["Batken", "Chuy", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh oblast", "Talas",
                      "Bishkek city", "Osh city"]
RUSSIAN: dict[str, str] = {
    "Batken": "Баткенская область", "Chuy": "Чуйская область", "Issyk-Kul": "Иссык-Кульская область",
    "Jalal-Abad": "Джалал-Абадская область", "Naryn": "Нарынская область", "Osh oblast": "Ошская область",
    "Talas": "Таласская область", "Bishkek city": "г. Бишкек", "Osh city": "г. Ош",
}
ALIASES: dict[str, str] = {"Osh": "Osh oblast", "Bishkek": "Bishkek city", "Osh region": "Osh oblast",
                           "Бишкек": "Bishkek city", "Ош": "Osh city"}


def canonical_region(name: str) -> str:
    """The ``REGIONS`` label of a region given in any known spelling (English or Russian)."""
    text = str(name).strip()
    if text in REGIONS:
        return text
    if text in ALIASES:
        return ALIASES[text]
    by_russian = {ru: en for en, ru in RUSSIAN.items()}
    if text in by_russian:
        return by_russian[text]
    raise WorkbenchError("unknown region", value=name, expected="one of " + ", ".join(REGIONS))
