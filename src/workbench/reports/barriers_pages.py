"""Report 10, barriers to reintegration: the body sections read from one ``Evidence``.

The joint displays (barriers; what helps and community strategies), the group differences,
the regional pages and the methods. Every figure comes from ``barriers_evidence.Evidence``
(suppressed by the edition's ``Disclosure`` there, in ``mixed.suppress_joint_display`` and
``mixed.compare_groups``); a hidden figure is shown as the marker (catalogue ``br_hidden``),
never as a number. Column headings follow one convention: column ``c`` of a table of this
report is headed by the catalogue's ``br_col_<c>`` (``headed``). Quote attribution is the
disclosure policy's (``Disclosure.attribution``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import mixed as mx
from workbench import qualitative as qa
from workbench import study_facts
from workbench.regions import dictionary_region_codes, study_regions
from workbench.qualitative.saturation import code_sets_by_document
from workbench.reports.barriers import HIDDEN, public_text, shown
from workbench.reports.barriers import count_text as count_of
from workbench.reports.barriers_evidence import CASES, Evidence, joint, region_corpus
from workbench.reports import quotes as quoting
from workbench.reports.sections import Chart, Contents, Quote, Section, Table, Text
from workbench.survey.design_description import design_summary
from workbench.survey.instrument import role_variable

#: the report's sections in order, for the contents list
CONTENTS = ("summary", "barriers", "assets", "agreement", "differences", "regions", "recommendations", "methods")
SEXES = ("female", "male")


def headed(*columns: str) -> dict[str, Text]:
    """Headings by the report's convention: column ``c`` is headed by ``br_col_<c>``."""
    return {c: Text("br_col_" + c) for c in columns}


def count_or_few(ev: Evidence, n: int) -> Text:
    """A count of people or transcripts, or "fewer than min_cell" when the disclosure hides it (0 is shown)."""
    return Text("br_n_f", {"n": int(n)}) if n == 0 or ev.disclosure.allows(n) else \
        Text("br_fewer_than", {"min_cell": ev.disclosure.min_cell})


def interval(indicator: Any, estimate: Any, low: Any, high: Any) -> Text | str:
    """A survey share with its 95% CI; the marker when hidden; blank when the row has no item."""
    if not shown(estimate):
        return HIDDEN if shown(indicator) else ""
    return Text("br_interval_f", {"share": float(estimate), "low": float(low), "high": float(high)})


def respondents_cell(indicator: Any, n: Any) -> Any:
    return "" if not shown(indicator) else (int(n) if shown(n) else HIDDEN)


def overview_blocks(ev: Evidence) -> list[Text]:
    """The contents, the introduction, the sources (counts of fewer than ``min_cell``
    people said as such) and, in a regional edition, what its figures cover."""
    blocks = [Contents(tuple((s, "br_section_" + s) for s in CONTENTS)), Text("br_intro"),
              Text("br_sources", {"survey": ev.survey_dictionary.title[ev.language],
                                  "n": count_or_few(ev, ev.respondents),
                                  "kii": count_or_few(ev, ev.documents_of("key_informants")),
                                  "experts": count_or_few(ev, ev.documents_of("experts")),
                                  "fgd": Text("br_n_f", {"n": ev.documents_of("focus_groups")})})]
    if ev.region is not None:  # the region as the reader knows it, whichever way the parameter named it
        name = study_facts.region_name(survey_region(ev, ev.region)[1], ev.language, study_regions(ev.study))
        blocks.append(Text("br_region_edition", {"region": name}))
    return blocks


def quote_lines(ev: Evidence) -> dict[str, list[Quote]]:
    """Up to ``quotes_per_row`` quotes per mapping row, chosen and attributed as every report
    does (``reports.quotes``: the same words always name the same speaker; group, and sex,
    only where at least ``min_cell`` participants of the edition share them)."""
    rows = ev.mapping
    groups = ev.study.dictionary(CASES).value_labels(rows.group_attribute, ev.language)
    quotes = quoting.attributed_quotes(ev.corpus, mx.row_segments(ev.coded, rows), ev.disclosure, groups,
                                       group=rows.group_attribute, sex=rows.sex_attribute,
                                       per_code=int(ev.options["quotes_per_row"]))
    lines: dict[str, list[Quote]] = {}
    for row_id, quote in zip(quotes["code_id"], quotes["quote"]):
        lines.setdefault(row_id, []).append(quote)
    return lines


PLURAL = {"female": "women", "male": "men"}


def joint_blocks(ev: Evidence, section: str, title_key: str, quotes: dict[str, list[Quote]]) -> list[Any]:
    """The joint display of one part of the mapping (``barrier``, ``facilitator``,
    ``community``): the display, who raised each row (by group and sex, with quotes), its
    unrounded figures (annex only) and a chart of key informants against the public."""
    part = ev.assessed[ev.assessed["section"] == section]
    names = [ev.labels[i] for i in part["row_id"]]
    dictionary = ev.survey_dictionary
    main = pd.DataFrame({
        section: names,
        "indicator": [Text("br_no_question") if not shown(v) and not shown(b) else
                      dictionary.label(v if isinstance(v, str) else b, ev.language)
                      for v, b in zip(part["variable"], part["battery"])],
        "share": [interval(*v) for v in zip(part["indicator"], part["estimate"], part["ci_low"], part["ci_high"])],
        "respondents": [respondents_cell(i, n) for i, n in zip(part["indicator"], part["n_respondents"])],
        "ki": [count_of(n, b, s) for n, b, s in zip(part["ki_n"], part["ki_base"], part["ki_share"])],
        "experts": [count_of(n, b) for n, b in zip(part["experts_n"], part["experts_base"])],
        "fg": [HIDDEN if h else count_of(n, b) for n, b, h in zip(part["fg_n"], part["fg_base"], part["fg_hidden"])],
        "alpha": part["alpha"].astype(float).to_numpy(),
        "status": [Text("br_status_" + s) for s in part["status"]],
        "strength": [Text("br_strength_" + s) for s in part["strength"]]})
    rows, group = ev.mapping, ev.mapping.group_attribute
    who = pd.DataFrame({section: names})
    cases = ev.study.dictionary(CASES)
    levels = cases.value_labels(group, ev.language)
    aggregated: list[Text] = []  # a breakdown mostly hidden is left out with a note, not a grid of markers
    for attribute, parts in ((group, rows.group_levels), (rows.sex_attribute, SEXES)):
        parts = [v for v in parts if f"ki_{attribute}_{v}_n" in part]
        if parts and ev.disclosure.mostly_hidden(part[[f"ki_{attribute}_{v}_hidden" for v in parts]]):
            aggregated.append(Text("br_who_aggregated", {"breakdown": cases.label(attribute, ev.language),
                                                         "min_cell": ev.disclosure.min_cell}))
            continue
        for v in parts:
            who[v] = [count_of(n, b) for n, b in zip(part[f"ki_{attribute}_{v}_n"], part[f"ki_{attribute}_{v}_base"])]
    who["quotes"] = [quotes.get(i) or Text("br_no_quote") for i in part["row_id"]]
    figures = part[FIGURES].rename(columns={"n_respondents": "respondents"})
    figures.insert(0, section, names)
    figures["strength"] = [Text("br_strength_" + s) for s in figures["strength"]]
    figures["status"] = [Text("br_status_" + s) for s in figures["status"]]
    figures = figures.astype(object).where(figures.notna(), HIDDEN)
    blocks: list[Any] = [
        Table(title_key, title_key, main, count=None, labels=tuple(main.columns), decimals={"alpha": 2},
              headings=headed(*main.columns), note=Text("br_joint_note")),
        Table(title_key + "_who", title_key + "_who", who, count=None, labels=tuple(who.columns),
              headings={**headed(section, "quotes"), **{lv: levels.get(lv, lv) for lv in rows.group_levels},
                        **{s: Text("br_" + PLURAL[s]) for s in SEXES}}, note=Text("br_who_note")),
        *aggregated,
        Table(title_key + "_figures", title_key + "_figures", figures, count=None, labels=(section,), decimals=3,
              headings=headed(*figures.columns), annex_only=True,
              note=Text("br_figures_note", {"marker": HIDDEN, "min_cell": ev.disclosure.min_cell}))]
    drawn = part[part["ki_share"].notna() | part["favourable"].notna()]
    if len(drawn):
        blocks.append(Chart(title_key + "_chart", "forest", _points(ev, drawn), x="row", y="percent",
                            low="low", high="high", color="source", meaning="group", title_key=title_key + "_chart",
                            headings={"row": Text("br_col_" + section), "percent": Text("br_axis_percent")}))
    return blocks


#: the joint display's figures as computed, for the annex
FIGURES = ["estimate", "ci_low", "ci_high", "n_respondents", "ki_n", "ki_base", "experts_n", "experts_base", "fg_n",
           "fg_base", "alpha", "points", "strength", "status"]


def _points(ev: Evidence, part: pd.DataFrame) -> pd.DataFrame:
    """Key informants raising each row and the public's favourable share (with its CI), in per cent."""
    names = [ev.labels[i] for i in part["row_id"]]
    ki = pd.DataFrame({"row": names, "source": [Text("br_axis_ki")] * len(part),
                       "percent": 100 * part["ki_share"].astype(float).to_numpy(), "low": float("nan"),
                       "high": float("nan")})
    public = pd.DataFrame({"row": names, "source": [Text("br_axis_public")] * len(part),
                           "percent": 100 * part["favourable"].astype(float).to_numpy(),
                           "low": 100 * part["favourable_low"].astype(float).to_numpy(),
                           "high": 100 * part["favourable_high"].astype(float).to_numpy()})
    return pd.concat([ki, public], ignore_index=True)


def joint_sections(ev: Evidence) -> list[Section]:
    """The joint display of the barriers, then of what helps and of community strategies."""
    quotes = quote_lines(ev)
    shown_quotes = pd.DataFrame({"quote": [q for chosen in quotes.values() for q in chosen]})
    note = quoting.quotes_note(shown_quotes, ev.language)
    return [
        Section("barriers", "br_section_barriers", [Text("br_joint_intro"), Text("br_quotes_language"),
                                                    *([note] if note else []),
                                                    *joint_blocks(ev, "barrier", "br_joint_barriers", quotes)]),
        Section("assets", "br_section_assets", [Text("br_assets_intro"),
                                                *joint_blocks(ev, "facilitator", "br_joint_facilitators", quotes),
                                                *joint_blocks(ev, "community", "br_joint_community", quotes)])]


def public_line(ev: Evidence, key: str) -> Text:
    """One survey figure as a list item: the share with its CI and what was counted, or why it is not shown."""
    estimate = ev.survey.set_index("indicator").loc[key]
    if not ev.disclosure.allows(estimate["n"]):
        return Text("br_item", {"text": Text("br_public_hidden_f", {"min_cell": ev.disclosure.min_cell})})
    return Text("br_item", {"text": public_text(estimate, ev.survey_dictionary, ev.language)})


def difference_blocks(ev: Evidence, difference: Any) -> list[Any]:
    """Key informants of one group against its reference group: the notable differences
    (at least ``notable_difference`` share points) in words, the table, a chart of the
    barriers, and what the survey says about the group."""
    rows, m = ev.mapping, ev.disclosure.min_cell
    compared = mx.compare_groups(mx.selected_raising(ev.corpus, ev.coded, rows, difference.group),
                                 mx.selected_raising(ev.corpus, ev.coded, rows, difference.reference), ev.disclosure)
    g, r = difference.label[ev.language], difference.reference_label[ev.language]
    blocks: list[Any] = [Text("br_subheading", {"name": g})]
    both = compared[~compared["group_hidden"] & ~compared["reference_hidden"]]
    notable_at = float(ev.options["notable_difference"])
    if both.empty:
        blocks.append(Text("br_difference_hidden", {"group": g, "reference": r, "min_cell": m}))
    else:
        notable = both[both["difference"].abs() >= notable_at]
        notable = notable.reindex(notable["difference"].abs().sort_values(ascending=False).index)
        blocks += [Text("br_difference_line", {
            "group": g, "reference": r, "label": ev.labels[d["row_id"]], "sign": "+" if d["difference"] > 0 else "−",
            "g": count_of(d["n_group"], d["base_group"], d["share_group"]),
            "r": count_of(d["n_reference"], d["base_reference"], d["share_reference"]),
            "points": Text("br_x0_f", {"x": 100 * abs(float(d["difference"]))})}) for d in notable.to_dict("records")]
        if notable.empty:
            blocks.append(Text("br_difference_none", {"group": g, "reference": r,
                                                      "points": Text("br_x0_f", {"x": 100 * notable_at})}))
    table = pd.DataFrame({
        "barrier": [ev.labels[i] for i in compared["row_id"]],
        "group": [count_of(n, b) for n, b in zip(compared["n_group"], compared["base_group"])],
        "group_share": compared["share_group"].astype(object),
        "reference": [count_of(n, b) for n, b in zip(compared["n_reference"], compared["base_reference"])],
        "reference_share": compared["share_reference"].astype(object),
        "difference": (100 * compared["difference"]).astype(object)})
    values = ["group_share", "reference_share", "difference"]
    table[values] = table[values].where(table[values].notna(), HIDDEN)
    cells = table[["group", *values, "reference"]]
    if ev.disclosure.mostly_hidden(cells.map(lambda v: isinstance(v, Text) and v == HIDDEN)):
        # mostly markers (issue 14.4): the joint display's counts over all key informants stand for it
        if len(both):  # else br_difference_hidden above already says why nothing is compared
            blocks.append(Text("br_difference_aggregated", {"group": g, "reference": r, "min_cell": m}))
    else:
        blocks.append(Table("difference-" + difference.id, "br_difference_table", table, count=None,
                            labels=("barrier", "group", "reference"), percent=("group_share", "reference_share"),
                            decimals={"difference": 0}, title_values={"group": g, "reference": r},
                            headings={**headed("barrier", "difference"), "group": g, "reference": r,
                                      "group_share": Text("br_col_share_of", {"group": g}),
                                      "reference_share": Text("br_col_share_of", {"group": r})},
                            note=Text("br_difference_note", {"marker": HIDDEN, "min_cell": m})))
    barrier_ids = [row.id for row in rows.section_rows("barrier")]
    drawn = both[both["row_id"].isin(barrier_ids)]
    if len(drawn):
        names = [ev.labels[i] for i in drawn["row_id"]]
        bars = pd.concat([pd.DataFrame({"barrier": names, "side": g, "percent": 100 * drawn["share_group"].astype(float)}),
                          pd.DataFrame({"barrier": names, "side": r,
                                        "percent": 100 * drawn["share_reference"].astype(float)})], ignore_index=True)
        blocks.append(Chart("difference-chart-" + difference.id, "bars", bars, x="barrier", y="percent", color="side",
                            meaning="group", title_key="br_difference_chart", title_values={"group": g, "reference": r},
                            headings={"barrier": Text("br_col_barrier"), "percent": Text("br_axis_ki_group")}))
    if difference.indicators:
        estimated = set(ev.survey["indicator"])
        lines = [public_line(ev, ref.key) for ref in difference.indicators if ref.key in estimated]
        blocks += [Text("br_difference_public", {"group": g}), *(lines or [Text("br_section_no_survey")])]
    return blocks


def differences_section(ev: Evidence) -> Section:
    """Women and returnees with children (the mapping's ``differences``), each against its reference group."""
    blocks: list[Any] = [Text("br_differences_intro", {"min_cell": ev.disclosure.min_cell})]
    for difference in ev.mapping.differences:
        blocks += difference_blocks(ev, difference)
    return Section("differences", "br_section_differences", blocks)


def survey_region(ev: Evidence, region: Any) -> tuple[list[Any], str]:
    """The survey's codes of ``region`` (a code, or a label in English or Russian:
    ``workbench.regions``; an unknown one is an error listing the known ones) and its English
    label; no codes when the survey has no region variable."""
    if role_variable(ev.survey_dictionary, "stratum") is None:
        return [], str(region)
    variable, codes = dictionary_region_codes(ev.survey_dictionary, region)
    labels = ev.survey_dictionary.value_labels(variable, "en")
    return codes, str(labels.get(codes[0], region)) if codes else str(region)


def regions_section(ev: Evidence) -> Section:
    """One page per region (or the edition's region): the joint display of the barriers
    with the region's survey estimates and transcripts, then one chart of the public's
    favourable share per barrier and region."""
    study, rows, m = ev.study, ev.mapping, ev.disclosure.min_cell
    names = [ev.region] if ev.region is not None else [r.name for r in study_regions(study)]
    stratum = role_variable(ev.survey_dictionary, "stratum")
    first = [r.indicators[0].key for r in rows.rows if r.indicators]
    headline = ev.indicators[ev.indicators["indicator"].isin(first)]
    by_region = (mx.survey_evidence(ev.prepared.design, headline, by=stratum) if stratum and len(headline)
                 else pd.DataFrame())
    respondents = study_facts.respondents_by_region(study, dataset=rows.survey).set_index("region")["respondents"]
    blocks: list[Any] = [Text("br_regions_intro_one" if ev.region is not None else "br_regions_intro", {"min_cell": m})]
    drawn = []
    for name in names:
        codes, english = survey_region(ev, name)
        shown_name = study_facts.region_name(english, ev.language, study_regions(ev.study))  # one spelling per region and language
        code = codes[0] if codes else None
        local = (by_region[by_region[stratum].isin(codes)].drop(columns=stratum) if codes and len(by_region)
                 else ev.survey.iloc[0:0])
        corpus = region_corpus(study, ev.corpus_all, name)
        page = joint(ev, local, corpus)
        page = page[page["section"] == "barrier"]
        here = int(respondents.get(study_facts.region_name(english, regions=study_regions(ev.study)), 0))  # every respondent, as in 00 and 01
        table = pd.DataFrame({
            "barrier": [ev.labels[i] for i in page["row_id"]],
            "share": [interval(*v) for v in zip(page["indicator"], page["estimate"], page["ci_low"], page["ci_high"])],
            "respondents": [respondents_cell(i, n) for i, n in zip(page["indicator"], page["n_respondents"])],
            "ki": [count_of(n, b, s) for n, b, s in zip(page["ki_n"], page["ki_base"], page["ki_share"])],
            "fg": [HIDDEN if h else count_of(n, b) for n, b, h in zip(page["fg_n"], page["fg_base"], page["fg_hidden"])]})
        # a column hidden for most barriers is left out with a note (issue 14.4), not a column of markers
        dropped = [c for c in table.columns[1:] if ev.disclosure.mostly_hidden([v == HIDDEN for v in table[c]])]
        table = table.drop(columns=dropped)
        blocks += [Text("br_subheading", {"name": shown_name}),
                   Text("br_region_sources", {"n": count_or_few(ev, here),
                                              "kii": count_or_few(ev, ev.documents_of("key_informants", corpus)),
                                              "fgd": Text("br_n_f", {"n": ev.documents_of("focus_groups", corpus)})})]
        if len(table.columns) > 1:
            blocks.append(Table("region-" + str(code if code is not None else name).lower().replace(" ", "-"),
                                "br_region_table", table, count=None, labels=tuple(table.columns),
                                title_values={"region": shown_name}, headings=headed(*table.columns),
                                note=Text("br_region_note", {"marker": HIDDEN, "min_cell": m})))
        if dropped:
            blocks.append(Text("br_region_aggregated", {"columns": [Text("br_col_" + c) for c in dropped],
                                                        "min_cell": m}))
        drawn.append(pd.DataFrame({"barrier": [ev.labels[i] for i in page["row_id"]], "region": shown_name,
                                   "favourable": page["favourable"].astype(float).to_numpy()}))
    chart = pd.concat(drawn, ignore_index=True) if drawn else pd.DataFrame()
    if len(chart) and chart["favourable"].notna().any():  # regions by barriers, each cell the region's share
        blocks.append(Chart("regions-chart", "heatmap", chart.dropna(subset=["favourable"]), x="barrier",
                            y="favourable", group="region", percent=True, title_key="br_region_chart",
                            headings={"barrier": Text("br_col_barrier"), "region": Text("col_region"),
                                      "favourable": Text("br_col_estimate")}))
    return Section("regions", "br_section_regions", blocks)


def methods_section(ev: Evidence) -> Section:
    """How the figures were made: the survey design and weighting, item response, the
    interviews and their coding reliability, saturation, the mapping and the rules, limitations."""
    rows, opts, m = ev.mapping, ev.options, ev.disclosure.min_cell
    blocks: list[Any] = []
    info = design_summary(ev.design, ev.survey_dictionary, ev.language) if ev.respondents else None
    if info:
        answered = ev.survey["n"] / (ev.survey["n"] + ev.survey["n_missing"])
        blocks += [
            Text("br_methods_survey", {"n": Text("br_n_f", {"n": info["n"]}), "psus": Text("br_n_f", {"n": info["psus"]}),
                                       "strata": Text("br_n_f", {"n": info["strata"]}),
                                       "weight": info["weight_label"] or Text("br_equal_weights")}),
            Text("br_methods_raked", {"margins": ev.study.dictionary(ev.margins).title[ev.language]})
            if ev.prepared.raked else Text("br_methods_not_raked"),
            Text("br_methods_item_response", {"k": Text("br_n_f", {"n": len(ev.survey)}),
                                              "low": Text("br_share_f", {"share": float(answered.min())}),
                                              "high": Text("br_share_f", {"share": float(answered.max())})})]
    else:
        blocks.append(Text("br_section_no_survey"))
    blocks.append(Text("br_methods_qualitative", {
        "kii": count_or_few(ev, ev.documents_of("key_informants")), "experts": count_or_few(ev, ev.documents_of("experts")),
        "fgd": Text("br_n_f", {"n": ev.documents_of("focus_groups")}), "coder": ev.coder}))
    double = ev.corpus_all.segments.groupby("doc_id")["coder"].nunique()
    pooled = ev.reliability[ev.reliability["code_id"] == "ALL"]
    alpha = ev.assessed["alpha"].dropna()
    if len(pooled) and len(alpha):
        weak = ev.assessed[ev.assessed["alpha"] < rows.rules["reliable_alpha"]]
        blocks.append(Text("br_methods_reliability", {
            "double": Text("br_n_f", {"n": int((double > 1).sum())}), "documents": Text("br_n_f", {"n": len(double)}),
            "unit": Text("br_unit_" + opts["reliability_unit"]),
            "alpha": Text("br_x2_f", {"x": float(pooled["alpha"].iloc[0])}),
            "low": Text("br_x2_f", {"x": float(alpha.min())}), "high": Text("br_x2_f", {"x": float(alpha.max())}),
            "threshold": Text("br_x3_f", {"x": rows.rules["reliable_alpha"]}),
            "weak": [ev.labels[i] for i in weak["row_id"]] or Text("br_none")}))
    blocks += saturation_blocks(ev)
    blocks += [
        Text("br_methods_mapping", {"rows": len(rows.rows), "indicators": len(ev.indicators),
                                    "codes": len({c for r in rows.rows for c in r.codes})}),
        Text("br_methods_rules", {"majority": Text("br_share0_f", {"share": rows.rules["public_majority"]}),
                                  "often": Text("br_share0_f", {"share": rows.rules["raised_often"]}),
                                  "alpha": Text("br_x3_f", {"x": rows.rules["reliable_alpha"]}), "min_cell": m}),
        Text("br_methods_limitations")]
    return Section("methods", "br_section_methods", blocks, part="methods")


def saturation_blocks(ev: Evidence) -> list[Text]:
    """Thematic saturation of the key-informant interviews in interview order (Guest, Namey
    & Chen 2020), when there are enough interviews for a base and a run."""
    opts = ev.options
    documents = ev.corpus_all.documents
    interviews = documents[documents["doc_type"] == opts["saturation_doc_type"]].sort_values(["date", "doc_id"])
    if len(interviews) < opts["saturation_base_size"] + opts["saturation_run_length"]:
        return []
    segments = ev.corpus_all.segments
    sets = code_sets_by_document(segments[segments["coder"] == ev.coder], interviews["doc_id"].tolist())
    summary = qa.saturation_summary(sets, base_size=opts["saturation_base_size"],
                                    run_length=opts["saturation_run_length"],
                                    threshold=opts["saturation_threshold"]).iloc[0]
    n = Text("br_n_f", {"n": len(interviews)})
    if pd.isna(summary["saturation_at"]):
        return [Text("br_methods_saturation_not", {"n": n})]
    return [Text("br_methods_saturation", {"n": n, "at": Text("br_n_f", {"n": int(summary["saturation_at"])}),
                                           "threshold": Text("br_share0_f", {"share": float(opts["saturation_threshold"])})})]


def closing_blocks(ev: Evidence) -> list[Text]:
    """What is synthetic (a demo study or mapping), and where the annex is."""
    synthetic = [Text("br_methods_synthetic")] if ev.study.synthetic or ev.mapping.synthetic else []
    return [*synthetic, Text("br_annex_note")]
