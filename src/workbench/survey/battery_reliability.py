"""Internal consistency of a battery: weighted Cronbach's alpha, its band and the weak items."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.schemas import DataDictionary
from workbench.survey.design import SurveyDesign
from workbench.survey.indicators import scored_items
from workbench.survey.instrument import Battery
from workbench.survey.scales import cronbach_alpha, reverse_code


def reliability(design: SurveyDesign, dictionary: DataDictionary, battery: Battery
                ) -> tuple[dict[str, Any], pd.DataFrame]:
    """Weighted Cronbach's alpha of a battery after reverse-coding its reversed items, and its
    item statistics (mean and SD of the reversed score, corrected item-total correlation,
    alpha if the item is deleted, ``reversed`` flag)."""
    items = list(battery.items)
    if len(items) < 2:
        raise WorkbenchError("Cronbach's alpha needs at least two items", value=battery.name,
                             expected="a battery of two or more items (the report skips alpha for one item)")
    data = scored_items(design.data, dictionary, items)  # text or numeric codes, missing as NaN
    if battery.reversed_items:
        data = reverse_code(data, list(battery.reversed_items), battery.scale_min, battery.scale_max)
    result = cronbach_alpha(data, items, weights=design.analysis_weights())
    table = result.items.copy()
    table["reversed"] = [i in battery.reversed_items for i in items]
    table["n"] = result.n
    summary = {"battery": battery.name, "items": len(items), "alpha": result.alpha, "n": result.n,
               "n_missing": result.n_missing}
    return summary, table


#: Cronbach's alpha bands (Nunnally 1978): at or above 0.8 good, at or above 0.7 acceptable, else low
ALPHA_BANDS: tuple[tuple[float, str], ...] = ((0.8, "good"), (0.7, "acceptable"))


#: an item is weak when alpha without it rises by more than this
WEAK_ITEM_GAIN = 0.02


def alpha_quality(alpha: float) -> str:
    """The band of a Cronbach's alpha: ``good``, ``acceptable`` or ``low`` (``ALPHA_BANDS``)."""
    return next((name for bound, name in ALPHA_BANDS if alpha >= bound), "low")


def weak_items(items: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rows of ``reliability``'s item table whose deletion would raise alpha by more than
    ``WEAK_ITEM_GAIN``: statements that measure something somewhat different."""
    return items[items["alpha_if_deleted"] > alpha + WEAK_ITEM_GAIN]
