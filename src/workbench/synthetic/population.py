"""Population facts for the synthetic demo survey: regions, sizes, sources and assumptions.

The demo attitude survey is drawn from a simulated adult population of the Kyrgyz Republic.
This module holds the figures that population is built from, each with its source, and turns
them into integer cell counts (region x urban/rural x sex x age group) that the simulated
population reproduces exactly.

Sources and assumptions (see also ``docs/demo-survey.md``):

* Population by region (all ages): 2022 census as reported by the National Statistical
  Committee (24.kg, 2022) for Bishkek, Chuy, Osh oblast, Jalal-Abad, Naryn and Talas.
  Batken (about 0.55 million) and Issyk-Kul (about 0.50 million) are APPROXIMATE figures from
  earlier estimates; Osh city (333.6 thousand at 1 January 2022, National Statistical
  Committee) is also flagged approximate because it is not from the same census report.
  These nine figures sum to about 6.3 million, below the official total of about 7.0 million
  (2023): the regional figures are not mutually consistent and the demo keeps them as
  reported rather than inventing a correction.
* Share of adults (18+), urban share, sex x age split and ethnic composition: NO public
  breakdown is used. They are plausible assumptions chosen for the demo (a young population,
  more women among older adults, mostly rural oblasts, a large Uzbek minority in the south and
  a Russian minority in the north). Replace them with National Statistical Committee census
  tables before using the demo for anything but software checks.

The population is simulated at a scale of ``SCALE`` adults per simulated person, so that a
full individual-level population fits in memory and a sample draws in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.survey.instrument import AGE_BANDS
from workbench.synthetic import kyrgyz_regions

#: each simulated person stands for this many adults (population totals are multiples of it)
SCALE: int = 10

SOURCE_CENSUS = "2022 census as reported by the National Statistical Committee (24.kg, 2022)"
SOURCE_APPROX = "APPROXIMATE: earlier estimate quoted in project reference figures (not the 2022 census report)"
SOURCE_OSH_CITY = "APPROXIMATE: National Statistical Committee, 333.6 thousand at 1 January 2022"
SOURCE_ASSUMPTION = "assumption of the demo (no public breakdown used); see workbench.synthetic.population"


@dataclass(frozen=True)
class Region:
    """One first-level unit: code, names, total population (all ages) and assumptions."""

    code: int
    name_en: str
    name_ru: str
    population: int          # all ages, persons
    population_source: str
    approximate: bool
    adult_share: float       # share aged 18+ (assumption)
    urban_share: float       # share of adults living in towns (assumption)
    is_city: bool = False
    folds_into: int | None = None  # oblast stratum the city joins when cities are folded


def _region(code: int, *figures: object) -> Region:
    """A region of the demo's one list (``kyrgyz_regions``: names) with its figures."""
    names = kyrgyz_regions.BY_CODE[code]
    return Region(code, names.name, names.ru, *figures)  # type: ignore[arg-type]


REGIONS: tuple[Region, ...] = (
    _region(1, 550_000, SOURCE_APPROX, True, 0.59, 0.23),
    _region(2, 1_011_300, SOURCE_CENSUS, False, 0.64, 0.17),
    _region(3, 500_000, SOURCE_APPROX, True, 0.62, 0.29),
    _region(4, 1_066_600, SOURCE_CENSUS, False, 0.60, 0.22),
    _region(5, 267_800, SOURCE_CENSUS, False, 0.60, 0.15),
    _region(6, 1_233_300, SOURCE_CENSUS, False, 0.60, 0.07),
    _region(7, 224_300, SOURCE_CENSUS, False, 0.60, 0.14),
    _region(8, 1_137_882, SOURCE_CENSUS, False, 0.66, 1.0, True, 2),
    _region(9, 333_600, SOURCE_OSH_CITY, True, 0.63, 1.0, True, 6),
)

#: oldest age the demo draws (the open last age band, 60+, ends here)
OLDEST_AGE = 95
#: age groups of the margins (code -> (first age, last age)): the one definition of the bands,
#: ``survey.instrument.AGE_BANDS``, which also groups a survey that records ages only
AGE_GROUPS: dict[int, tuple[int, int]] = {code: (first, OLDEST_AGE if last is None else last)
                                          for code, (first, last) in enumerate(AGE_BANDS, start=1)}

#: ASSUMPTION: share of adults in each age group (a young population)
AGE_GROUP_SHARE: dict[int, float] = {1: 0.30, 2: 0.32, 3: 0.22, 4: 0.16}

#: ASSUMPTION: share of women within each age group (women live longer)
FEMALE_SHARE_BY_AGE: dict[int, float] = {1: 0.49, 2: 0.50, 3: 0.53, 4: 0.59}

#: ASSUMPTION: ethnic composition of adults by region (1 Kyrgyz, 2 Uzbek, 3 Russian, 4 Dungan,
#: 5 other); plausible round figures, not taken from a census table
ETHNICITY_SHARE: dict[int, tuple[float, float, float, float, float]] = {
    1: (0.76, 0.15, 0.01, 0.00, 0.08),
    2: (0.62, 0.01, 0.19, 0.07, 0.11),
    3: (0.87, 0.01, 0.07, 0.01, 0.04),
    4: (0.72, 0.25, 0.01, 0.00, 0.02),
    5: (0.99, 0.00, 0.00, 0.00, 0.01),
    6: (0.68, 0.29, 0.00, 0.00, 0.03),
    7: (0.93, 0.00, 0.01, 0.00, 0.06),
    8: (0.70, 0.02, 0.19, 0.02, 0.07),
    9: (0.50, 0.45, 0.02, 0.00, 0.03),
}

SEX_CODES = {1: "male", 2: "female"}
URBAN_CODES = {1: "urban", 2: "rural"}


def region_table() -> pd.DataFrame:
    """One row per region with its population, adults (simulated units x ``SCALE``) and source."""
    rows = []
    for reg in REGIONS:
        rows.append({
            "region": reg.code, "name_en": reg.name_en, "name_ru": reg.name_ru,
            "population": reg.population, "approximate": reg.approximate,
            "population_source": reg.population_source, "adult_share": reg.adult_share,
            "urban_share": reg.urban_share, "is_city": reg.is_city,
            "adult_units": int(round(reg.population * reg.adult_share / SCALE)),
        })
    return pd.DataFrame(rows)


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers proportional to ``shares`` that add up exactly to ``total`` (Hamilton method)."""
    exact = total * shares / shares.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base


def cell_counts() -> pd.DataFrame:
    """Simulated persons per region x urban x sex x age group (9 regions, unfolded).

    Region x sex x age counts follow the assumed shares (largest remainder within region);
    the urban row of each region is the same structure scaled to the urban total and rounded
    so that both the region x sex x age and the region x urban totals hold exactly.
    Column ``persons`` is in simulated units; multiply by ``SCALE`` for adults.
    """
    cells = [(sex, age) for age in AGE_GROUPS for sex in SEX_CODES]
    shares = np.array([AGE_GROUP_SHARE[age] * (FEMALE_SHARE_BY_AGE[age] if sex == 2
                                               else 1 - FEMALE_SHARE_BY_AGE[age])
                       for sex, age in cells])
    rows = []
    for reg, units in zip(REGIONS, region_table()["adult_units"]):
        by_cell = _largest_remainder(int(units), shares)
        urban_total = int(round(units * reg.urban_share))
        exact_urban = by_cell * urban_total / units
        urban = np.floor(exact_urban).astype(np.int64)
        short = urban_total - int(urban.sum())
        order = np.argsort(-(exact_urban - urban), kind="stable")
        urban[order[:short]] += 1
        for (sex, age), n_all, n_urban in zip(cells, by_cell, urban):
            rows.append({"region": reg.code, "urban": 1, "sex": sex, "age_group": age, "persons": int(n_urban)})
            rows.append({"region": reg.code, "urban": 2, "sex": sex, "age_group": age,
                         "persons": int(n_all - n_urban)})
    return pd.DataFrame(rows)


def fold_region(region: np.ndarray | pd.Series, fold_cities: bool) -> np.ndarray:
    """Stratum code of each region code: the cities join Chuy and Osh oblast when folded."""
    codes = np.asarray(region)
    if not fold_cities:
        return codes.copy()
    out = codes.copy()
    for reg in REGIONS:
        if reg.folds_into is not None:
            out[codes == reg.code] = reg.folds_into
    return out


def _region_source(code: int) -> str:
    reg = next(r for r in REGIONS if r.code == code)
    return reg.population_source


def population_margins(fold_cities: bool = False) -> pd.DataFrame:
    """Adult population margins (region x sex x age group; region x urban) with sources.

    Tidy table: ``margin`` says which margin a row belongs to (``region_sex_age`` or
    ``region_urban``); the other dimension columns are blank (NA) for that margin.
    ``population`` is in adults (a multiple of ``SCALE``). ``source`` names where the region
    total comes from and the assumption used for the split.
    """
    cells = cell_counts()
    cells = cells.assign(stratum=fold_region(cells["region"], fold_cities))
    source_of = {}
    for stratum, part in cells.groupby("stratum"):
        regions = sorted(part["region"].unique())
        sources = "; ".join(f"{next(r.name_en for r in REGIONS if r.code == c)}: {_region_source(c)}"
                            for c in regions)
        source_of[stratum] = sources
    rows = []
    sex_age = cells.groupby(["stratum", "sex", "age_group"], as_index=False)["persons"].sum()
    for rec in sex_age.itertuples(index=False):
        rows.append({"margin": "region_sex_age", "region": rec.stratum, "urban": pd.NA, "sex": rec.sex,
                     "age_group": rec.age_group, "population": int(rec.persons) * SCALE,
                     "source": f"region total: {source_of[rec.stratum]}; adult share and sex x age split: "
                               + SOURCE_ASSUMPTION})
    urban = cells.groupby(["stratum", "urban"], as_index=False)["persons"].sum()
    for rec in urban.itertuples(index=False):
        rows.append({"margin": "region_urban", "region": rec.stratum, "urban": rec.urban, "sex": pd.NA,
                     "age_group": pd.NA, "population": int(rec.persons) * SCALE,
                     "source": f"region total: {source_of[rec.stratum]}; adult share and urban share: "
                               + SOURCE_ASSUMPTION})
    table = pd.DataFrame(rows)
    table = table[table["population"] > 0].reset_index(drop=True)  # no rural Bishkek / Osh city
    for column in ("region", "urban", "sex", "age_group", "population"):
        table[column] = table[column].astype("Int64")
    return table
