"""Facts and figures: people charged, convicted, in prison and on probation, from a register.

Layout (dictionary ``ve_register``): one row per person and criminal case for violent
extremism or terrorism-related offences: person_id, sex, region, offence_group,
charge_date, outcome (1 convicted, 2 acquitted, 3 case closed, 4 pending),
conviction_date, sentence_type (1 prison, 2 probation, 3 other), sentence_start,
sentence_end (release or end of probation; blank while still serving).

Measures (each counts *distinct people* per cell):

* ``charged``: people charged in the calendar year (charge_date);
* ``convicted``: people convicted in the year (conviction_date), with ``setting`` = the
  sentence type;
* ``serving``: people serving a sentence on 31 December of the year, with ``setting`` =
  prison or probation (sentence_start <= 31 Dec < sentence_end, or no end yet).

Every table goes through ``Disclosure.suppress_counts`` (``workbench.disclosure``): cells below
``min_cell`` are hidden, and so is whatever would let a reader recover them from the totals.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError

MEASURES = ("charged", "convicted", "serving")
CONVICTED = 1
PRISON, PROBATION, OTHER = 1, 2, 3
SETTING_LABELS = {PRISON: "prison", PROBATION: "probation", OTHER: "other"}
ATTRIBUTES = ("sex", "region", "offence_group", "ftf_returnee")


def _dates(register: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(register[column], errors="coerce") if column in register.columns else pd.Series(
        pd.NaT, index=register.index)


def check_register(register: pd.DataFrame, *, record_id: str = "record_id", file: str | None = None) -> None:
    """Raise a ``WorkbenchError`` for register rows that cannot be counted.

    Problems: a missing column, a blank person id or charge date, a conviction without a
    conviction date or sentence type, a conviction dated before the charge, a sentence that
    ends before it starts, a prison or probation sentence without a start date.
    """
    needed = ["person_id", "charge_date", "outcome", "conviction_date", "sentence_type", "sentence_start",
              "sentence_end"]
    require_columns(register, needed, what="the register (ve_register dictionary)", file=file)
    ids = register[record_id] if record_id in register.columns else register["person_id"]
    charge, conviction = _dates(register, "charge_date"), _dates(register, "conviction_date")
    start, end = _dates(register, "sentence_start"), _dates(register, "sentence_end")
    convicted = pd.to_numeric(register["outcome"], errors="coerce") == CONVICTED
    sentence = pd.to_numeric(register["sentence_type"], errors="coerce")
    checks = [
        (register["person_id"].isna(), "person_id", "a record has no person id", "a person id"),
        (charge.isna(), "charge_date", "a record has no charge date", "a date as YYYY-MM-DD"),
        (convicted & conviction.isna(), "conviction_date", "a conviction has no conviction date",
         "the date of the conviction"),
        (convicted & sentence.isna(), "sentence_type", "a conviction has no sentence type",
         "1 prison, 2 probation or 3 other"),
        (conviction < charge, "conviction_date", "the conviction is dated before the charge",
         "a conviction date on or after the charge date"),
        (convicted & sentence.isin([PRISON, PROBATION]) & start.isna(), "sentence_start",
         "a prison or probation sentence has no start date", "the date the sentence started"),
        (end < start, "sentence_end", "the sentence ends before it starts", "an end date after the start date"),
    ]
    for mask, column, problem, expected in checks:
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            pos = int(np.flatnonzero(mask)[0])
            raise WorkbenchError(problem, file=file, row=pos + 1, record_id=ids.iloc[pos], column=column,
                                 value=register[column].iloc[pos], expected=expected)


def register_events(register: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """One row per person, measure, year (and setting): the units every count is made of.

    Columns: person_id, measure, year, setting (NA for ``charged``), and the attributes
    present in the register (sex, region, offence_group, ftf_returnee). Duplicates (one
    person with two cases in the same cell) are dropped.
    """
    check_register(register)
    years = [int(y) for y in years]
    attributes = [a for a in ATTRIBUTES if a in register.columns]
    base = register[["person_id", *attributes]]
    charge, conviction = _dates(register, "charge_date"), _dates(register, "conviction_date")
    start, end = _dates(register, "sentence_start"), _dates(register, "sentence_end")
    convicted = pd.to_numeric(register["outcome"], errors="coerce") == CONVICTED
    sentence = pd.to_numeric(register["sentence_type"], errors="coerce").astype("Int64")
    frames = [
        base.assign(measure="charged", year=charge.dt.year.astype("Int64"),
                    setting=pd.array([pd.NA] * len(base), dtype="Int64"))[charge.dt.year.isin(years)],
        base.assign(measure="convicted", year=conviction.dt.year.astype("Int64"),
                    setting=sentence)[convicted & conviction.dt.year.isin(years)],
    ]
    for year in years:
        year_end = pd.Timestamp(year=year, month=12, day=31)
        serving = convicted & sentence.isin([PRISON, PROBATION]).fillna(False) & (start <= year_end) & (
            end.isna() | (end > year_end))
        frames.append(base.assign(measure="serving", year=year, setting=sentence)[serving])
    events = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    events["year"] = events["year"].astype("Int64")
    events["setting"] = events["setting"].astype("Int64")
    events = events.drop_duplicates(["person_id", "measure", "year", "setting"])
    return events[["person_id", "measure", "year", "setting", *attributes]].reset_index(drop=True)


def facts_counts(
    register: pd.DataFrame,
    measure: str,
    by: Sequence[str] = ("year",),
    *,
    years: Sequence[int] = range(2017, 2025),
    disclosure: Disclosure = Disclosure(),
    margins: Sequence[str] | None = None,
    levels: Mapping[str, Sequence] | None = None,
    labels: Mapping[str, Mapping] | None = None,
    add_totals: bool = True,
) -> pd.DataFrame:
    """Distinct people per cell for one measure, with small-cell suppression.

    ``measure``: "charged", "convicted" or "serving"; ``by``: year, setting, sex, region,
    offence_group, ftf_returnee. ``levels`` lists every level a dimension must show
    (e.g. all nine regions; default: the years asked for and the levels observed);
    ``margins`` are the dimensions whose totals are shown (default: every ``by`` except
    year, since yearly counts are not summed over years); ``labels`` maps codes to text
    before the table is returned (setting codes become "prison", "probation", "other" unless
    ``labels`` says otherwise); ``disclosure`` is the report's small-cell policy. Columns:
    measure, ``by``..., n (nullable, NA where hidden), suppressed, suppression, is_total.
    """
    if measure not in MEASURES:
        raise WorkbenchError("unknown measure", value=measure, expected=" | ".join(MEASURES))
    by = list(by)
    events = register_events(register, years)
    events = events[events["measure"] == measure]
    unknown = [b for b in by if b not in events.columns or b in ("person_id", "measure")]
    if unknown or (measure == "charged" and "setting" in by):
        raise WorkbenchError("cannot count by this column", column=", ".join(unknown or ["setting"]),
                             expected="year, sex, region, offence_group, ftf_returnee (setting: not for charged)")
    grid_levels = {b: list(pd.unique(events[b].dropna())) for b in by}
    if "year" in by:
        grid_levels["year"] = [int(y) for y in years]
    if measure == "serving" and "setting" in by:
        grid_levels["setting"] = [PRISON, PROBATION]
    for name, values in (levels or {}).items():
        if name in grid_levels:
            grid_levels[name] = list(values)
    for name in by:
        grid_levels[name] = sorted(grid_levels[name], key=lambda v: (str(type(v)), v))
    if by:
        counts = events.groupby(by, dropna=False)["person_id"].nunique().rename("n").reset_index()
        grid = pd.MultiIndex.from_product([grid_levels[b] for b in by], names=by).to_frame(index=False)
        for b in by:
            grid[b] = grid[b].astype(object)
            counts[b] = counts[b].astype(object)
        counts = grid.merge(counts, on=by, how="left").fillna({"n": 0})
    else:
        counts = pd.DataFrame({"n": [events["person_id"].nunique()]})
    labels = {"setting": SETTING_LABELS, **(labels or {})}
    if labels:
        for name, mapping in labels.items():
            if name in counts.columns:
                counts[name] = counts[name].map(lambda v, m=mapping: m.get(v, v))
    margins = [b for b in by if b != "year"] if margins is None else list(margins)
    if not by:
        out = counts.assign(suppressed=disclosure.too_few(counts["n"]))
        out["suppression"] = np.where(out["suppressed"], "primary", "")
        out["n"] = pd.array(out["n"], dtype="Int64").where(~out["suppressed"])
        out["is_total"] = False
    else:
        out = disclosure.suppress_counts(counts, "n", margins, dims=by, add_totals=add_totals, complete=False)
    out.insert(0, "measure", measure)
    return out


def facts_by_year(
    register: pd.DataFrame,
    by: Sequence[str] = ("sex",),
    *,
    years: Sequence[int] = range(2017, 2025),
    disclosure: Disclosure = Disclosure(),
    levels: Mapping[str, Sequence] | None = None,
    labels: Mapping[str, Mapping] | None = None,
) -> pd.DataFrame:
    """The results-report table: every measure per year (and setting) by ``by``, suppressed.

    Rows: charged per year; convicted per year and setting; serving on 31 December per
    year and setting (prison, probation). Each measure is suppressed on its own, with the
    totals over ``by`` and over settings shown (rows labelled "Total").
    """
    tables = [
        facts_counts(register, "charged", ["year", *by], years=years, disclosure=disclosure, levels=levels,
                     labels=labels),
        facts_counts(register, "convicted", ["year", "setting", *by], years=years, disclosure=disclosure,
                     levels=levels, labels=labels),
        facts_counts(register, "serving", ["year", "setting", *by], years=years, disclosure=disclosure,
                     levels=levels, labels=labels),
    ]
    columns = ["measure", "year", "setting", *by, "n", "suppressed", "suppression", "is_total"]
    return pd.concat([t.reindex(columns=columns) for t in tables], ignore_index=True)
