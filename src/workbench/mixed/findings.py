"""Meta-inferences from a (suppressed) joint display: agreement of the strands, evidence strength,
executive-summary facts, group differences and recommendations tied to their evidence.

Convergence (Fetters, Curry & Creswell 2013: joint displays and "fit" of the strands). The
survey strand reads ``open`` when the whole 95% CI of the share on the side of reintegration
lies above the mapping's ``public_majority`` (default 0.5), ``closed`` when it lies below, and
``divided`` otherwise. The qualitative strand reads ``often`` when at least ``raised_often``
(default 0.25) of the key informants raised the row, ``rarely`` otherwise. For a barrier the
strands agree (``convergent``) when a barrier raised often meets a public that is not open
(closed), or one raised rarely meets an open public; ``divergent`` in the two crossed cases
(e.g. the public is open to co-workers with a record, yet informants report refusals);
``partial`` when the public is divided. For facilitators and community strategies (assets)
agreement means an asset raised often meets an open public, or one raised rarely a closed one.
Rows with one strand only are ``qualitative_only`` / ``survey_only``.

Which survey item a row is compared with (docs/mixed-methods.md, "Evidence logic"): the first
of its indicators that measures the same thing (``comparable``: a ``barrier`` item for a barrier,
an ``asset`` or ``remedy_support`` item for a facilitator or community strategy; an
``awareness`` item never) and asks about a population the row concerns (``eligible``; an item
about the row's own population, e.g. returnees, before a general one). A row without such an
item is compared with nothing: the report says that no survey question measures it, and
support for a remedy or awareness is shown as context only (``context_indicators``).

Evidence strength counts four criteria, each shown in the report so a reader can check it:
(1) raised often by key informants, (2) raised in at least two kinds of source (key
informants, experts, focus groups), (3) coding reliable enough: Krippendorff's alpha of the
row's weakest code at least ``agreement.RELIABLE_ALPHA`` (the one threshold of reports 02 and
10: Krippendorff 2004's floor for tentative conclusions), (4) corroborated: the strands converge. 4 = strong, 3 =
moderate, 2 = limited, 0-1 = weak. The rule is ours (in the spirit of GRADE-CERQual's
adequacy, coherence and methodological limitations, not an implementation of it).

"Strongest first" (``row_verdicts``, used by both the executive summary and the agreement
section, so the two cannot disagree): evidence points (more first), then the share of key
informants raising the row (higher first; hidden shares last), then the kinds of source
raising it (more first), then mapping order. A recommendation's strength is the strength of
its own primary evidence row (``Recommendation.primary``), never the best of its linked rows.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from workbench.agreement import RELIABLE_ALPHA
from workbench.disclosure import Disclosure
from workbench.mixed.mapping import IndicatorRef, JointDisplayMapping, MappingRow, Recommendation

STRENGTHS = ("strong", "moderate", "limited", "weak")
CRITERIA = ("c_often", "c_sources", "c_reliable", "c_corroborated")
_AGREE = {("barrier", "often", "closed"), ("barrier", "rarely", "open"),
          ("asset", "often", "open"), ("asset", "rarely", "closed")}
_CROSS = {("barrier", "often", "open"), ("barrier", "rarely", "closed"),
          ("asset", "often", "closed"), ("asset", "rarely", "open")}


def comparable(polarity: str, measures: str) -> bool:
    """Does an item that ``measures`` this construct speak to a row of this ``polarity``? A
    barrier only to an item measuring the barrier itself; an asset to its endorsement or to
    support for the remedy it is; awareness ("has heard of") to nothing."""
    if polarity == "barrier":
        return measures == "barrier"
    return measures in ("asset", "remedy_support")


def eligible(row: MappingRow, ref: IndicatorRef) -> bool:
    """An item about anyone, or about a population the row concerns (a row of no declared
    population concerns every population)."""
    return ref.about is None or not row.about or ref.about in row.about


def headline_indicator(row: MappingRow) -> IndicatorRef | None:
    """The survey item a row is compared with: among its comparable, eligible indicators one
    about the row's own population first (returnee items for a returnee barrier), then mapping
    order; None when no item measures the row."""
    candidates = [ref for ref in row.indicators if comparable(row.polarity, ref.measures) and eligible(row, ref)]
    own = [ref for ref in candidates if ref.about is not None and ref.about in row.about]
    return (own or candidates or [None])[0]


def context_indicators(row: MappingRow) -> list[IndicatorRef]:
    """The row's indicators that are not evidence for or against it (support for a remedy of a
    barrier, awareness, an item about another population): shown as context only."""
    return [ref for ref in row.indicators if not (comparable(row.polarity, ref.measures) and eligible(row, ref))]


def public_reading(low: float, high: float, majority: float) -> str | None:
    """``open`` / ``closed`` / ``divided`` from a CI of the favourable share; None when hidden."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return None
    if low > majority:
        return "open"
    if high < majority:
        return "closed"
    return "divided"


def qualitative_reading(share: float, raised_often: float) -> str | None:
    """``often`` / ``rarely`` from the share of key informants raising a row; None when hidden."""
    if share is None or pd.isna(share):
        return None
    return "often" if share >= raised_often else "rarely"


def agreement(polarity: str, qualitative: str | None, public: str | None) -> str:
    """Status of a row: convergent, divergent, partial, qualitative_only, survey_only, not_estimable."""
    if qualitative is None and public is None:
        return "not_estimable"
    if public is None:
        return "qualitative_only"
    if qualitative is None:
        return "survey_only"
    if public == "divided":
        return "partial"
    if (polarity, qualitative, public) in _AGREE:
        return "convergent"
    if (polarity, qualitative, public) in _CROSS:
        return "divergent"
    raise ValueError(f"unknown polarity {polarity!r}")  # mapping validation prevents this


def assess(table: pd.DataFrame, rules: dict[str, float]) -> pd.DataFrame:
    """Copy of a suppressed joint display with ``public``, ``qualitative``, ``status``,
    ``pattern`` (message key suffix ``<polarity>_<qualitative>_<public>`` or the status), the
    four criteria (booleans), ``points`` (0-4) and ``strength``."""
    out = table.copy()
    out["public"] = [public_reading(lo, hi, rules["public_majority"])
                     for lo, hi in zip(out["favourable_low"], out["favourable_high"])]
    out["qualitative"] = [qualitative_reading(s, rules["raised_often"]) for s in out["ki_share"]]
    out["status"] = [agreement(p, q, s) for p, q, s in zip(out["polarity"], out["qualitative"], out["public"])]
    out["pattern"] = [f"{p}_{q}_{s}" if st in ("convergent", "divergent", "partial") else st
                      for p, q, s, st in zip(out["polarity"], out["qualitative"], out["public"], out["status"])]
    out["c_often"] = out["qualitative"].eq("often")
    out["c_sources"] = pd.to_numeric(out["sources_raising"]).ge(2)
    out["c_reliable"] = pd.to_numeric(out["alpha"]).ge(RELIABLE_ALPHA).fillna(False).astype(bool)
    out["c_corroborated"] = out["status"].eq("convergent")
    out["points"] = out[list(CRITERIA)].sum(axis=1).astype(int)
    out["strength"] = [STRENGTHS[min(4 - p, 3)] for p in out["points"]]
    return out


def row_verdicts(assessed: pd.DataFrame, section: str | None = None) -> pd.DataFrame:
    """The assessed rows (of one ``section``, or all) strongest first, by the stated rule:
    evidence points (more first), share of key informants raising the row (higher first,
    hidden last), kinds of source raising it (more first), mapping order. Adds ``rank``
    (1 = strongest). The one source of the executive summary and the agreement section."""
    part = assessed if section is None else assessed[assessed["section"] == section]
    part = part.copy()
    part["_order"] = np.arange(len(part))
    part["_share"] = pd.to_numeric(part["ki_share"]).fillna(-1.0)
    part["_sources"] = pd.to_numeric(part["sources_raising"]).fillna(0)
    part = part.sort_values(["points", "_share", "_sources", "_order"], ascending=[False, False, False, True],
                            kind="stable")
    part = part.drop(columns=["_order", "_share", "_sources"]).reset_index(drop=True)
    part["rank"] = np.arange(1, len(part) + 1)
    return part


def summary_facts(assessed: pd.DataFrame, section: str = "barrier", top: int | None = None) -> pd.DataFrame:
    """The executive summary's rows of one section: ``row_verdicts`` (strongest first), the
    first ``top`` of them (all when None)."""
    part = row_verdicts(assessed, section)
    return part.head(top) if top else part


def compare_groups(group: pd.DataFrame, reference: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Key informants of a group against a reference group, per mapping row (from
    ``evidence.selected_raising``): ``n``/``base``/``share`` of each (``_group``,
    ``_reference``) and ``difference`` (share points, group minus reference, 0-1 scale). A side
    whose base is too few for ``disclosure`` is hidden (NA) and so is the difference."""
    merged = group.merge(reference, on="row_id", suffixes=("_group", "_reference"))
    for side in ("group", "reference"):
        merged[f"share_{side}"] = merged[f"share_{side}"].astype(float)
        merged = disclosure.hide(merged, f"base_{side}", [f"n_{side}", f"base_{side}", f"share_{side}"],
                                 flag=f"{side}_hidden")
    merged["difference"] = merged["share_group"] - merged["share_reference"]
    return merged


def recommendation_evidence(recommendations: Sequence[Recommendation], assessed: pd.DataFrame) -> pd.DataFrame:
    """One row per recommendation x linked evidence row: ``recommendation``, ``row_id``,
    ``primary`` (the recommendation's own primary evidence row), ``strength`` and ``status`` of
    that row, and ``support``: the strength of the primary row (not the best linked row)."""
    by_row = assessed.set_index("row_id")
    rows: list[dict[str, Any]] = []
    for rec in recommendations:
        primary = rec.primary or rec.rows[0]
        for row_id in rec.rows:
            rows.append({"recommendation": rec.id, "row_id": row_id, "primary": row_id == primary,
                         "strength": by_row.loc[row_id, "strength"], "status": by_row.loc[row_id, "status"],
                         "support": by_row.loc[primary, "strength"]})
    return pd.DataFrame(rows, columns=["recommendation", "row_id", "primary", "strength", "status", "support"])


def mapping_rows_by_id(mapping: JointDisplayMapping) -> dict[str, Any]:
    """Row id -> mapping row (labels, codes, indicators) for a notebook's labels."""
    return {row.id: row for row in mapping.rows}
