"""Supervision quality monitoring: checklist reviews of case files and supervision visits.

Layout (dictionary ``supervision_reviews``): one row per review of one case file or one
observed visit, by an internal reviewer (Probation Department) or an external one
(Ombudsperson's office); one column per standard coded 1 = met, 0 = not met,
8 = not applicable (e.g. female-specific needs for a male client); a blank means the
reviewer did not assess the standard. Offices come from the ``offices`` table.

Definitions used in every table:

* share met = reviews where the standard was met / reviews where it was assessed and
  applicable (codes 0 or 1), with a Clopper-Pearson interval;
* the "all standards" row pools every applicable standard of every review (met items /
  applicable items), so standards with more applicable reviews weigh more;
* an office is *below standard* when its pooled share met is below ``threshold``
  (default 0.80) and *clearly below* when even the upper confidence limit is below it;
* reviewer agreement compares an external review with the internal review of the same case
  file (and the same review kind), the one closest in date when there are several; a
  standard is compared where both coded it 0 or 1. Kappa comes from
  ``workbench.agreement`` (one implementation for the whole project).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench.agreement import cohen_kappa, percent_agreement
from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.programme.proportions import CI_METHOD, exact_ci

MET, NOT_MET, NOT_APPLICABLE = 1, 0, 8
ALL = "ALL"


def check_reviews(
    reviews: pd.DataFrame,
    offices: pd.DataFrame,
    standards: Sequence[str],
    *,
    office: str = "office_id",
    record_id: str | None = "review_id",
    not_applicable: int = NOT_APPLICABLE,
    file: str | None = None,
) -> None:
    """Raise a ``WorkbenchError`` for reviews that cannot be scored.

    Problems: a missing column, a review of an office that is not in ``offices``, a standard
    coded other than 1, 0, ``not_applicable`` or blank.
    """
    require_columns(reviews, [office, *standards], what="the review table", file=file)
    require_columns(offices, [office], what="the offices table")
    ids = reviews[record_id] if record_id and record_id in reviews.columns else pd.Series(
        [None] * len(reviews), index=reviews.index)
    known = set(offices[office].astype(str))
    unknown = ~reviews[office].astype(str).isin(known) | reviews[office].isna()
    if unknown.any():
        pos = int(np.flatnonzero(unknown.to_numpy())[0])
        raise WorkbenchError("a review names an office that is not in the offices table", file=file,
                             row=pos + 1, record_id=ids.iloc[pos], column=office, value=reviews[office].iloc[pos],
                             expected=f"one of the {len(known)} office ids in the offices table")
    allowed = {MET, NOT_MET, not_applicable}
    for standard in standards:
        values = pd.to_numeric(reviews[standard], errors="coerce")
        bad = (values.isna() & reviews[standard].notna()) | (values.notna() & ~values.isin(allowed))
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise WorkbenchError("a standard has a code other than met / not met / not applicable", file=file,
                                 row=pos + 1, record_id=ids.iloc[pos], column=standard,
                                 value=reviews[standard].iloc[pos],
                                 expected=f"1 (met), 0 (not met), {not_applicable} (not applicable) or blank")


def _long(reviews: pd.DataFrame, standards: Sequence[str], keep: Sequence[str]) -> pd.DataFrame:
    """One row per review and applicable standard: ``keep``..., standard, met (0/1)."""
    frame = reviews[list(keep) + list(standards)].melt(id_vars=list(keep), var_name="standard", value_name="met")
    frame["met"] = pd.to_numeric(frame["met"], errors="coerce")
    return frame[frame["met"].isin([MET, NOT_MET])]


def clustered_intervals(
    reviews: pd.DataFrame,
    standards: Sequence[str],
    by: Sequence[str] = (),
    *,
    cluster: str = "office_id",
    level: float = 0.95,
) -> pd.DataFrame:
    """Cluster-aware intervals of the share met, per ``by`` group and standard (and "ALL").

    Checks are not independent: the standards of one review are coded by one reviewer, and
    the reviews of one office share its staff and practice. The share met is the ratio of
    met to applicable checks, estimated as a survey ratio with ``cluster`` (default the
    office) as primary sampling unit (``workbench.survey``: linearisation, with-replacement
    variance, t interval with clusters - 1 degrees of freedom, as R's ``svyratio``), bounded
    to 0..1. Columns: ``by``..., standard, n_clusters, ci_low, ci_high, ci_method.
    """
    from workbench.survey import SurveyDesign  # the survey engine is only needed here

    by = list(by)
    require_columns(reviews, [*by, cluster, *standards], what="the review table")
    codes = reviews[list(standards)].apply(pd.to_numeric, errors="coerce")
    applicable = codes.isin([MET, NOT_MET])
    data = reviews[[*by, cluster]].copy()
    for standard in standards:
        data[f"_met_{standard}"] = (codes[standard] == MET).astype(float).where(applicable[standard])
        data[f"_n_{standard}"] = applicable[standard].astype(float).where(applicable[standard])
    data["_met_ALL"] = (codes == MET).sum(axis=1).astype(float)
    data["_n_ALL"] = applicable.sum(axis=1).astype(float)
    data = data.reset_index(drop=True)
    rows = []
    for standard in [*standards, ALL]:
        checked = data[f"_n_{standard}"].fillna(0)
        if by:  # groups without an applicable check have no share: out of every domain
            has_checks = checked.groupby([data[b] for b in by], dropna=False).transform("sum") > 0
            if not has_checks.any():
                continue
            part = data.assign(**{b: data[b].astype(object).where(has_checks) for b in by})
        elif checked.sum() == 0:
            continue
        else:
            part = data
        design = SurveyDesign(part, psu=cluster)
        result = design.ratio(f"_met_{standard}", f"_n_{standard}", by=by or None, level=level)
        used = part[checked > 0]
        clusters = (used.groupby(by)[cluster].nunique().rename("n_clusters").reset_index() if by
                    else pd.DataFrame({"n_clusters": [used[cluster].nunique()]}))
        result = result.merge(clusters, on=by, how="left") if by else result.assign(n_clusters=clusters.iloc[0, 0])
        rows.append(result.assign(standard=standard))
    if not rows:
        return pd.DataFrame(columns=[*by, "standard", "n_clusters", "ci_low", "ci_high", "ci_method"])
    out = pd.concat(rows, ignore_index=True)
    out["ci_low"] = out["ci_low"].clip(0, 1)
    out["ci_high"] = out["ci_high"].clip(0, 1)
    out["ci_method"] = f"survey ratio, clustered by {cluster}"
    return out[[*by, "standard", "n_clusters", "ci_low", "ci_high", "ci_method"]]


def compliance(
    reviews: pd.DataFrame,
    standards: Sequence[str],
    by: Sequence[str] = (),
    *,
    level: float = 0.95,
    include_all: bool = True,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Share of reviews meeting each standard, per group (office, region, period, reviewer...).

    Columns: ``by``..., standard (``"ALL"`` = pooled over standards), n_reviews (reviews in
    the group), n_applicable, n_met, share_met, ci_low, ci_high (0..1), ci_method. Without
    ``cluster`` the interval is Clopper-Pearson (checks treated as independent); with it,
    the cluster-aware interval of ``clustered_intervals`` (e.g. ``cluster="office_id"``).
    """
    by = list(by)
    require_columns(reviews, by, what="the review table")
    long = _long(reviews, standards, by)
    parts = [long]
    if include_all:
        parts.append(long.assign(standard=ALL))
    long = pd.concat(parts, ignore_index=True)
    counts = long.groupby([*by, "standard"], sort=False, dropna=False)["met"].agg(["size", "sum"]).reset_index()
    counts = counts.rename(columns={"size": "n_applicable", "sum": "n_met"})
    if by:
        n_reviews = reviews.groupby(by, dropna=False).size().rename("n_reviews").reset_index()
        counts = counts.merge(n_reviews, on=by, how="left")
    else:
        counts["n_reviews"] = len(reviews)
    order = {s: i for i, s in enumerate([*standards, ALL])}
    counts["_order"] = counts["standard"].map(order)
    counts = counts.sort_values([*by, "_order"], kind="stable", ignore_index=True).drop(columns="_order")
    counts["n_met"] = counts["n_met"].astype(int)
    intervals = [exact_ci(k, n, level) for k, n in zip(counts["n_met"], counts["n_applicable"])]
    counts["share_met"] = counts["n_met"] / counts["n_applicable"]
    counts["ci_low"] = [low for low, _ in intervals]
    counts["ci_high"] = [high for _, high in intervals]
    counts["ci_method"] = CI_METHOD
    if cluster is not None:
        clustered = clustered_intervals(reviews, standards, by, cluster=cluster, level=level)
        counts = counts.drop(columns=["ci_low", "ci_high", "ci_method"]).merge(
            clustered[[*by, "standard", "ci_low", "ci_high", "ci_method"]], on=[*by, "standard"], how="left")
    return counts[[*by, "standard", "n_reviews", "n_applicable", "n_met", "share_met", "ci_low", "ci_high",
                   "ci_method"]]


def add_period(reviews: pd.DataFrame, date: str = "review_date", freq: str = "Q",
               column: str = "period") -> pd.DataFrame:
    """Copy of ``reviews`` with a text period column (e.g. "2024Q1" for ``freq="Q"``, "2024-03" for "M")."""
    require_columns(reviews, [date], what="the review table")
    dates = pd.to_datetime(reviews[date], errors="coerce")
    out = reviews.copy()
    out[column] = dates.dt.to_period(freq).astype(str).where(dates.notna())
    return out


def compliance_over_time(
    reviews: pd.DataFrame,
    standards: Sequence[str],
    by: Sequence[str] = (),
    *,
    date: str = "review_date",
    freq: str = "Q",
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """``compliance`` per period (quarters by default) and group; column ``period`` first."""
    return compliance(add_period(reviews, date, freq), standards, ["period", *by], level=level, cluster=cluster)


def office_scores(
    reviews: pd.DataFrame,
    offices: pd.DataFrame,
    standards: Sequence[str],
    *,
    office: str = "office_id",
    threshold: float = 0.80,
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Pooled share of standards met per office, with flags against ``threshold``.

    ``cluster`` (e.g. ``"review_id"``: the standards of one review go together) asks for the
    cluster-aware interval of ``clustered_intervals`` instead of Clopper-Pearson.

    Columns: the office columns, n_reviews, n_applicable, n_met, share_met, ci_low,
    ci_high, threshold, below_standard (share_met < threshold), clearly_below (ci_high <
    threshold), n_standards_below (standards whose share in this office is below
    threshold), weakest_standard. Offices without reviews have NaN shares and no flags.
    """
    check_reviews(reviews, offices, standards, office=office)
    per_standard = compliance(reviews, standards, [office], level=level, cluster=cluster)
    pooled = per_standard[per_standard["standard"] == ALL].drop(columns=["standard", "ci_method"])
    single = per_standard[per_standard["standard"] != ALL]
    below = single[single["share_met"] < threshold].groupby(office).size().rename("n_standards_below")
    weakest = single.sort_values(["share_met", "standard"]).drop_duplicates(office).set_index(office)["standard"]
    table = offices.copy()
    table["_key"] = table[office].astype(str)
    pooled = pooled.assign(_key=pooled[office].astype(str)).drop(columns=office)
    table = table.merge(pooled, on="_key", how="left")
    table["n_reviews"] = table["n_reviews"].fillna(0).astype(int)
    table["threshold"] = threshold
    table["below_standard"] = (table["share_met"] < threshold).fillna(False).astype(bool)
    table["clearly_below"] = (table["ci_high"] < threshold).fillna(False).astype(bool)
    table["n_standards_below"] = table["_key"].map(below.rename(index=str)).fillna(0).astype(int)
    table["weakest_standard"] = table["_key"].map(weakest.rename(index=str))
    return table.drop(columns="_key")


def offices_below_standard(
    reviews: pd.DataFrame,
    offices: pd.DataFrame,
    standards: Sequence[str],
    *,
    office: str = "office_id",
    threshold: float = 0.80,
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """The offices whose pooled share met is below ``threshold``, lowest first."""
    table = office_scores(reviews, offices, standards, office=office, threshold=threshold, level=level,
                          cluster=cluster)
    return table[table["below_standard"]].sort_values(["share_met", office], ignore_index=True)


def paired_reviews(
    reviews: pd.DataFrame,
    *,
    case: str = "case_id",
    reviewer_type: str = "reviewer_type",
    internal: str = "internal",
    external: str = "external",
    match_on: Sequence[str] = ("review_kind",),
    date: str | None = "review_date",
    record_id: str = "review_id",
) -> pd.DataFrame:
    """Each external review with the internal review of the same case (and ``match_on``).

    When a case has several internal reviews, the one closest in date is used (the first
    by ``record_id`` without dates). Returns the external review's columns suffixed
    ``_external`` and the internal review's ``_internal`` side by side, with ``case`` and
    ``match_on`` as keys; external reviews without an internal one are left out.
    """
    keys = [case, *match_on]
    require_columns(reviews, [*keys, reviewer_type, record_id], what="the review table")
    kinds = reviews[reviewer_type].astype(str)
    ext = reviews[kinds == external]
    inn = reviews[kinds == internal]
    pairs = ext.merge(inn, on=keys, how="inner", suffixes=("_external", "_internal"))
    if date is not None and date in reviews.columns:
        gap = (pd.to_datetime(pairs[f"{date}_external"]) - pd.to_datetime(pairs[f"{date}_internal"])).abs()
        pairs = pairs.assign(_gap=gap.dt.days)
    else:
        pairs = pairs.assign(_gap=0)
    pairs = pairs.sort_values([f"{record_id}_external", "_gap", f"{record_id}_internal"], kind="stable")
    pairs = pairs.drop_duplicates(f"{record_id}_external").drop(columns="_gap")
    return pairs.reset_index(drop=True)


def reviewer_agreement(
    reviews: pd.DataFrame,
    standards: Sequence[str],
    *,
    case: str = "case_id",
    reviewer_type: str = "reviewer_type",
    internal: str = "internal",
    external: str = "external",
    match_on: Sequence[str] = ("review_kind",),
    date: str | None = "review_date",
    record_id: str = "review_id",
    level: float = 0.95,
) -> pd.DataFrame:
    """Agreement between internal and external reviewers on the same case files, per standard.

    Pairs from ``paired_reviews``; a standard is compared where both reviewers coded it 1
    or 0. Columns: standard ("ALL" pools every standard), n_pairs, percent_agreement
    (0..1), kappa, kappa_se, kappa_ci_low, kappa_ci_high (Cohen's kappa with the
    asymptotic SE of Fleiss, Cohen & Everitt 1969, from ``workbench.agreement``;
    the Wald interval is clipped to kappa's range [-1, 1]), internal_share_met, external_share_met.
    """
    pairs = paired_reviews(reviews, case=case, reviewer_type=reviewer_type, internal=internal,
                           external=external, match_on=match_on, date=date, record_id=record_id)
    matrices: list[tuple[str, np.ndarray]] = []
    for standard in standards:
        both = np.vstack([
            pd.to_numeric(pairs[f"{standard}_internal"], errors="coerce").to_numpy(dtype=float),
            pd.to_numeric(pairs[f"{standard}_external"], errors="coerce").to_numpy(dtype=float),
        ]) if len(pairs) else np.empty((2, 0))
        both[~np.isin(both, [MET, NOT_MET])] = np.nan
        matrices.append((standard, both[:, ~np.isnan(both).any(axis=0)]))
    matrices.append((ALL, np.hstack([m for _, m in matrices]) if matrices else np.empty((2, 0))))
    rows = []
    nan = float("nan")
    for standard, matrix in matrices:
        n = matrix.shape[1]
        if n == 0:
            rows.append((standard, 0, nan, nan, nan, nan, nan, nan, nan))
            continue
        kappa = cohen_kappa(matrix, value_order=[NOT_MET, MET], level=level)
        # the Wald interval can pass the limits of kappa (e.g. above 1 with few pairs): clip it to [-1, 1]
        rows.append((standard, n, percent_agreement(matrix), kappa.estimate, kappa.se,
                     float(np.clip(kappa.ci_low, -1.0, 1.0)), float(np.clip(kappa.ci_high, -1.0, 1.0)),
                     float(matrix[0].mean()), float(matrix[1].mean())))
    return pd.DataFrame(rows, columns=["standard", "n_pairs", "percent_agreement", "kappa", "kappa_se",
                                       "kappa_ci_low", "kappa_ci_high", "internal_share_met",
                                       "external_share_met"])


def review_counts(
    reviews: pd.DataFrame,
    by: Sequence[str] = ("reviewer_type", "review_kind"),
    *,
    office: str = "office_id",
    case: str = "case_id",
    date: str = "review_date",
) -> pd.DataFrame:
    """How much was reviewed: per group, n_reviews, n_offices, n_cases, first_date, last_date."""
    by = list(by)
    require_columns(reviews, [*by, office, case, date], what="the review table")
    dates = pd.to_datetime(reviews[date], errors="coerce")
    frame = reviews[[*by, office, case]].assign(_date=dates)
    grouped = frame.groupby(by, sort=True, dropna=False) if by else frame.groupby(lambda _: "all")
    out = grouped.agg(n_reviews=(office, "size"), n_offices=(office, "nunique"), n_cases=(case, "nunique"),
                      first_date=("_date", "min"), last_date=("_date", "max"))
    return out.reset_index(drop=not by)


