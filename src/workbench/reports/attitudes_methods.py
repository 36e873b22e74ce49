"""Report 01, the methods part: how the sample was weighted (design, raking margins before and
after, the weights and their histogram, interviews by region from ``workbench.study_facts``), how
reliable the attitude scores are (Cronbach's alpha) and the "don't know" and refused answers.
These sections come last in the report (``part="methods"``); ``workbench.reports.attitudes``
puts them after the findings and the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.regions import study_regions
from workbench.reports.sections import Chart, Section, Table, Text
from workbench.survey.battery_reliability import alpha_quality, reliability, weak_items
from workbench.survey.design_description import design_summary, margin_table, weight_summary
from workbench.survey.indicator_estimates import nonresponse_shares
from workbench.survey.instrument import ATTITUDE, batteries, role_variable
from workbench.survey.labels import variable_label, with_labels

if TYPE_CHECKING:
    from workbench.reports.attitudes import Attitudes

#: bins of the weight histogram
WEIGHT_BINS = 20


def no_data(a: Attitudes, key: str) -> Text:
    """``key``, or the sentence that the edition has no respondents."""
    return Text(key) if a.usable else Text("qa_section_no_data")



def weighting_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """The data, the design, the raking (margins before and after) and the weights."""
    blocks: list[Any] = [Text("qa_source", {"survey": a.dictionary.title[a.language],
                                            "n": int(len(a.prepared.design.data))})]
    if not a.usable:
        return Section("weighting", "qa_weighting", blocks + [Text("qa_section_no_data")], part="methods")
    info = design_summary(a.design, a.dictionary, a.language)
    blocks.append(Text("qa_design" if info["clustered"] else "qa_design_unclustered", {
        "n": info["n"], "psus": info["psus"], "strata": info["strata"],
        "cluster": info["cluster_label"] or Text("qa_none"), "stratum": info["stratum_label"] or Text("qa_none"),
        "weight": info["weight_label"] or Text("qa_equal_weights")}))
    regions = respondents_by_region(a)
    if regions is not None:
        blocks.append(Table("respondents_by_region", "qa_respondents_by_region", regions, count="respondents",
                            labels=("region",), title_values={"stratum": info["stratum_label"]},
                            headings={"region": info["stratum_label"]}))
    if a.prepared.raked:
        blocks += _raking(a, disclosure)
    else:
        blocks.append(Text("qa_not_raked"))
    weights = weight_summary(a.base, a.design)
    stat = weights.set_index("statistic")["after" if a.prepared.raked else "before"]
    blocks.append(Text("qa_weights_reading", {"low": stat["min"], "high": stat["max"], "ratio": stat["max_min_ratio"],
                                              "kish": stat["kish_deff"], "n": int(stat["n"]),
                                              "effective": int(round(stat["effective_n"]))}))
    deff = a.estimates.loc[a.estimates["statistic"] != "index", "deff"].dropna() if len(a.estimates) else pd.Series()
    if len(deff):
        blocks.append(Text("qa_deff_reading" if info["clustered"] else "qa_deff_reading_unclustered",
                           {"low": deff.min(), "high": deff.max(), "median": deff.median()}))
    whole = weights["statistic"].eq("n").to_numpy()  # a count: shown (and in the annex) without decimals
    for column in ("before", "after"):
        weights[column] = pd.Series([int(v) if w and pd.notna(v) else v for v, w in zip(weights[column], whole)],
                                    index=weights.index, dtype=object)
    weights["statistic"] = [Text(f"qa_w_{s}") for s in weights["statistic"]]
    weights = weights.rename(columns={"before": "weights_design", "after": "weights_raked"})
    if not a.prepared.raked:
        weights = weights.drop(columns="weights_raked")
    blocks.append(Table("weights", "qa_weights_table" if a.prepared.raked else "qa_weights_table_design", weights,
                        count=None, labels=("statistic",), decimals=2))
    values = a.design.analysis_weights()
    counts, edges = np.histogram(values[values > 0], bins=WEIGHT_BINS)
    histogram = pd.DataFrame({"weight": (edges[:-1] + edges[1:]) / 2, "respondents": counts})  # bin middles
    blocks.append(Chart("weights", "bars", histogram, x="weight", y="respondents", title_key="qa_weights_chart"))
    return Section("weighting", "qa_weighting", blocks, part="methods")


def respondents_by_region(a: Attitudes) -> pd.DataFrame | None:
    """Respondents (unweighted, every interview) by stratum, from ``study_facts`` (the one source
    that 00 and 10 use too), strata named in the report language; None without a stratum."""
    stratum = role_variable(a.dictionary, "stratum")
    if stratum is None:
        return None
    table = study_facts.respondents_by_region(a.study, dataset=a.name)
    english, local = a.dictionary.value_labels(stratum, "en"), a.dictionary.value_labels(stratum, a.language)
    names = {study_facts.region_name(label, regions=study_regions(a.study)): local.get(code, label) for code, label in english.items()}
    shown = [study_facts.region_name(r, a.language, study_regions(a.study)) for r in table["region"]]
    table["region"] = [s if s != str(r) else names.get(r, r) for r, s in zip(table["region"], shown)]
    return table


def region_label(a: Attitudes) -> str:
    """The edition's region by its one display name in the report language."""
    return study_facts.region_name(a.region, a.language, study_regions(a.study))


def _raking(a: Attitudes, disclosure: Disclosure) -> list[Any]:
    plan = a.prepared.margins.plan
    dictionary, language = a.dictionary, a.language

    def joined(variables: Any) -> str:
        return " × ".join(variable_label(dictionary, v, language) for v in variables)

    used = [joined(row.variables) for row in plan.itertuples() if row.status != "dropped"]
    blocks: list[Any] = [Text("qa_raked", {"used": "; ".join(dict.fromkeys(used))})]
    for name, pieces in plan[plan["status"] != "used"].groupby("margin", sort=False):
        first = pieces.iloc[0]
        kept, dropped = pieces[pieces["status"] != "dropped"], pieces[pieces["status"] == "dropped"]
        label = first["margin_label"][language] if isinstance(first["margin_label"], dict) else name
        if len(kept):
            blocks.append(Text("qa_margin_collapsed", {"margin": label, "smallest": int(first["full_smallest_cell"]),
                                                       "min_respondents": a.min_respondents,
                                                       "variables": "; ".join(map(joined, kept["variables"]))}))
        for piece in dropped.itertuples():
            blocks.append(Text("qa_margin_dropped", {"margin": label, "smallest": int(piece.smallest_cell),
                                                     "min_respondents": a.min_respondents,
                                                     "variables": joined(piece.variables)}))
    if a.region is not None:
        blocks.append(Text("qa_weighting_national", {"region": region_label(a)}))
    cells = margin_table(a.prepared, language).rename(columns={"n": "respondents"})
    shown = cells[~disclosure.too_few(cells["respondents"])]
    if len(shown):
        gaps = (shown["before"] - shown["population"]).abs()
        worst = shown.loc[gaps.idxmax()]
        blocks.append(Text("qa_margins_reading", {
            "cell": worst["cell"], "before": worst["before"], "population": worst["population"],
            "gap": 100 * gaps.max(), "after_gap": 100 * (shown["after"] - shown["population"]).abs().max()}))
    blocks.append(Table("margins", "qa_margins_table", cells, count="respondents", labels=("margin", "cell"),
                        percent=("population", "before", "after")))
    return blocks


def scales_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """Cronbach's alpha of each attitude battery and its item statistics."""
    found = batteries(a.dictionary, kind=ATTITUDE)
    if not (a.usable and found):
        return Section("scales", "qa_scales", [no_data(a, "qa_no_attitude")], part="methods")
    blocks: list[Any] = [Text("qa_scales_intro")]
    summaries, item_tables = [], []
    for battery in found:
        group = a.label(battery.name)
        if len(battery.items) < 2:
            blocks.append(Text("qa_alpha_one_item", {"group": group}))
            continue
        summary, items = reliability(a.design, a.dictionary, battery)
        summaries.append({"battery": group, "items": summary["items"], "reversed_items": len(battery.reversed_items),
                          "alpha": summary["alpha"], "respondents_complete": summary["n"],
                          "respondents_incomplete": summary["n_missing"]})
        item_tables.append(pd.DataFrame({
            "battery": group, "item": [a.dictionary.label(i, a.language) for i in items["item"]],
            "reversed": [Text("qa_yes") if r else "" for r in items["reversed"]],
            "mean_scored": items["mean"].to_numpy(float), "sd": items["sd"].to_numpy(float),
            "item_total": items["item_total_correlation"].to_numpy(float),
            "alpha_deleted": items["alpha_if_deleted"].to_numpy(float),
            "respondents_complete": items["n"].astype(int).to_numpy()}))
        if disclosure.allows(summary["n"]):
            blocks.append(Text(f"qa_alpha_{alpha_quality(summary['alpha'])}", {
                "group": group, "alpha": summary["alpha"], "items": summary["items"],
                "reversed": len(battery.reversed_items), "n": summary["n"]}))
            for row in weak_items(items, summary["alpha"]).itertuples():
                blocks.append(Text("qa_alpha_weak_item", {"item": a.dictionary.label(row.item, a.language),
                                                          "alpha": row.alpha_if_deleted}))
    if summaries:
        blocks.append(Table("reliability", "qa_alpha_table", pd.DataFrame(summaries), count="respondents_complete",
                            labels=("battery",), decimals={"alpha": 2}))
        blocks.append(Table("items", "qa_items_table", pd.concat(item_tables, ignore_index=True),
                            count="respondents_complete", labels=("battery", "item", "reversed"), decimals=2))
    return Section("scales", "qa_scales", blocks, part="methods")


def nonresponse_section(a: Attitudes, disclosure: Disclosure) -> Section:
    """Weighted shares of each declared non-answer ("don't know", refused) per question."""
    items = [item for battery in batteries(a.dictionary) for item in battery.items]
    if not (a.usable and items and a.dictionary.missing_codes):
        blocks: list[Any] = [no_data(a, "qa_no_missing_codes")]
    else:
        shares = with_labels(nonresponse_shares(a.design, a.dictionary, items), a.dictionary, a.language)
        labels = {code: label[a.language] for code, label in a.dictionary.missing_codes.items()}
        blocks = []
        if len(shares) and disclosure.allows(shares["n"].iloc[0]):
            for code, label in labels.items():
                values = shares.dropna(subset=[f"share_{code}"])
                if len(values):
                    top = values.loc[values[f"share_{code}"].idxmax()]
                    blocks.append(Text("qa_nonresponse_code", {"label": label, "items": len(values),
                                                               "low": values[f"share_{code}"].min(),
                                                               "high": values[f"share_{code}"].max(),
                                                               "item": top["item_label"]}))
        blocks.append(Text("qa_nonresponse_reading"))
        table = pd.DataFrame({"battery": [a.label(a.dictionary.variables[v].battery) for v in shares["variable"]],
                              "item": shares["item_label"].to_numpy(),
                              **{f"share_{c}": shares[f"share_{c}"].to_numpy(float) for c in labels},
                              "respondents": shares["n"].astype(int).to_numpy()})
        blocks.append(Table("nonresponse", "qa_nonresponse_table", table, count="respondents",
                            labels=("battery", "item"), percent=tuple(f"share_{c}" for c in labels),
                            headings={f"share_{c}": label for c, label in labels.items()}))
    blocks.append(Text("qa_annex_note"))
    return Section("nonresponse", "qa_nonresponse", blocks, part="methods")
