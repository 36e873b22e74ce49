"""The survey prepared for an attitude report: indicators, design from the dictionary's roles,
raking to the population margins, and the domain of one region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.regions import dictionary_region_codes
from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.indicators import analysis_frame, indicator_definitions
from workbench.survey.instrument import role_variable
from workbench.survey.population_margins import RakeMargins, rake_margins


def design_from_roles(frame: pd.DataFrame, dictionary: DataDictionary,
                      lonely_psu: str = "adjust") -> SurveyDesign:
    """The design from the roles ``weight``, ``stratum``, ``cluster`` and ``fpc`` (each
    optional), with every declared missing code of the dictionary treated as missing.
    ``fpc`` is the population size of the first stage (PSUs in the stratum; without clusters,
    units in the stratum, as in R's ``svydesign(id=~1, fpc=)``).
    ``lonely_psu="adjust"`` (R's option) keeps a report running when a stratum has one PSU."""
    present = set(frame.columns)
    cluster = role_variable(dictionary, "cluster")
    return SurveyDesign(
        frame, weights=role_variable(dictionary, "weight"), strata=role_variable(dictionary, "stratum"),
        psu=cluster, fpc=role_variable(dictionary, "fpc"),
        missing_codes={k: v for k, v in dictionary.missing_code_map().items() if k in present},
        lonely_psu=lonely_psu)


@dataclass
class PreparedSurvey:
    """Everything an attitude report needs: the weighted design (``design``, raked when margins
    were given), the design before raking (``base``), indicator definitions and the margins."""

    design: SurveyDesign
    base: SurveyDesign
    indicators: pd.DataFrame
    dictionary: DataDictionary
    margins: RakeMargins | None = None

    @property
    def raked(self) -> bool:
        return self.margins is not None and bool(self.margins.margins)


def prepare_survey(data: pd.DataFrame, dictionary: DataDictionary, margins_table: pd.DataFrame | None = None,
                   margins_dictionary: DataDictionary | None = None, *, min_respondents: int = 20,
                   lonely_psu: str = "adjust") -> PreparedSurvey:
    """Indicators, analysis frame, design from roles and (with a margins table) raking."""
    indicators = indicator_definitions(dictionary)
    frame = analysis_frame(data, dictionary, indicators)
    margins = None
    if margins_table is not None and margins_dictionary is not None:
        margins = rake_margins(frame, dictionary, margins_table, margins_dictionary, min_respondents)
        frame = margins.add_keys(frame)
    base = design_from_roles(frame, dictionary, lonely_psu)
    design = base.rake(margins.margins) if margins is not None and margins.margins else base
    return PreparedSurvey(design, base, indicators, dictionary, margins)


def domain(prepared: PreparedSurvey, region: Any = None) -> tuple[SurveyDesign, SurveyDesign]:
    """The weighted and the unraked design restricted to ``region`` (domain estimation: the
    whole design is kept). ``region`` is a code or label of the stratum (``workbench.regions``);
    an unknown one is an error listing the known values; a known one without respondents gives
    an empty domain (the caller says so)."""
    if region is None:
        return prepared.design, prepared.base
    name, codes = dictionary_region_codes(prepared.dictionary, region)
    mask = prepared.design.data[name].isin(codes).fillna(False).to_numpy(dtype=bool)
    return prepared.design.subset(mask), prepared.base.subset(mask)


def respondents(design: SurveyDesign) -> int:
    """Respondents in the design's domain (positive weight)."""
    return int((design.analysis_weights() > 0).sum())
