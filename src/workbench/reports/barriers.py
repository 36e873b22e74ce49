"""Report 10, barriers to reintegration: the key findings and the executive summary.

Both are read from one ranked table, ``mixed.findings.row_verdicts`` (strongest evidence first
by the rule stated in docs/mixed-methods.md), so a finding, a summary line and the agreement
section never give a row two different verdicts. The evidence logic itself (which survey item
is compared with which barrier, strength, agreement) is ``workbench.mixed``; this module only
says what the report shows. Values are raw: the catalogue (``barriers.yaml``) formats them in
the report language; figures hidden by the edition's ``Disclosure`` (NA after
``mixed.suppress_joint_display``) are shown as hidden, never as numbers.
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from workbench import overview, study_facts
from workbench.disclosure import Disclosure
from workbench.regions import study_regions
from workbench.mixed import row_verdicts
from workbench.mixed.mapping import JointDisplayMapping, Recommendation
from workbench.qualitative.corpus import Corpus
from workbench.reports.barriers_evidence import DEFAULTS, Evidence, evidence
from workbench.reports.sections import Finding, Section, Table, Text
from workbench.schemas import DataDictionary
from workbench.study import Study
from workbench.survey.instrument import positive_codes
from workbench.survey.labels import counted_answers

__all__ = ["DEFAULTS", "Evidence", "evidence", "sections", "title"]

REPORT = "10_barriers_to_reintegration"
#: strengths a recommendation may be acted on without further evidence
FIRM = ("strong", "moderate")
HIDDEN = Text("br_hidden")


def title(study: Study, language: str) -> Text | str:
    """The study's own title for this report (study.yaml ``reports:``), else the catalogue's."""
    return overview.study_text(study, REPORT, "title", language) or Text("br_title")


def shown(value: Any) -> bool:
    """Is a figure there (not None, not NA after the disclosure policy hid it)?"""
    return value is not None and not pd.isna(value)


def count_text(n: Any, base: Any, share: Any = None) -> Text:
    """"n of base (share)", or the hidden marker when the disclosure policy hid the count."""
    if not (shown(n) and shown(base)):
        return HIDDEN
    if share is None:
        return Text("br_count_of", {"n": int(n), "base": int(base)})
    return Text("br_count_of_share", {"n": int(n), "base": int(base), "share": float(share)})


def public_text(estimate: pd.Series, dictionary: DataDictionary, language: str) -> Text:
    """One survey estimate as a sentence part: share with its 95% CI and what was counted."""
    values = {"share": float(estimate["estimate"]), "low": float(estimate["ci_low"]),
              "high": float(estimate["ci_high"])}
    if estimate["statistic"] == "favourable":
        return Text("br_public_battery_f", {**values, "battery": dictionary.label(estimate["battery"], language)})
    codes = positive_codes(dictionary, estimate["variable"])
    return Text("br_public_item_f", {**values, "item": dictionary.label(estimate["variable"], language),
                                     "counted": counted_answers(dictionary, estimate["variable"], codes, language)})


def headline_text(row: pd.Series | dict, survey: pd.DataFrame, dictionary: DataDictionary, language: str,
                  disclosure: Disclosure) -> Text:
    """What the survey says on a row: its comparable item, or why there is none (the item
    that is only context, e.g. support for a remedy, is named as such)."""
    estimates = survey.set_index("indicator") if len(survey) else pd.DataFrame()
    if not shown(row["indicator"]):
        context = row.get("context_indicator")
        if shown(context) and context in estimates.index and disclosure.allows(estimates.loc[context, "n"]):
            return Text("br_public_context_f", {"item": public_text(estimates.loc[context], dictionary, language)})
        return Text("br_public_none")
    if row["survey_hidden"] or row["indicator"] not in estimates.index:
        return Text("br_public_hidden_f", {"min_cell": disclosure.min_cell})
    return public_text(estimates.loc[row["indicator"]], dictionary, language)


def _label(mapping: JointDisplayMapping, language: str) -> dict[str, str]:
    return {row.id: row.label[language] for row in mapping.rows}


def summary_section(assessed: pd.DataFrame, mapping: JointDisplayMapping, survey: pd.DataFrame,
                    dictionary: DataDictionary, language: str, disclosure: Disclosure,
                    top: int | None = None) -> Section:
    """The executive summary: every barrier (or the ``top`` strongest), strongest first, with
    its strength, agreement, who raised it and what the survey says; then the counts and the
    grading and ranking rules."""
    label = _label(mapping, language)
    verdicts = row_verdicts(assessed, "barrier")
    shown = verdicts.head(int(top)) if top else verdicts
    rules = mapping.rules
    blocks: list[Any] = [Text("br_summary_intro_f", {"often": rules["raised_often"]})]
    for r in shown.to_dict("records"):
        blocks.append(Text("br_summary_row", {
            "label": label[r["row_id"]], "strength": Text("br_strength_" + r["strength"]),
            "status": Text("br_status_" + r["status"]), "ki": count_text(r["ki_n"], r["ki_base"], r["ki_share"]),
            "experts": count_text(r["experts_n"], r["experts_base"]),
            "fg": HIDDEN if r["fg_hidden"] else count_text(r["fg_n"], r["fg_base"]),
            "public": headline_text(r, survey, dictionary, language, disclosure)}))
    blocks.append(Text("br_summary_counts_f", {"strong": int((verdicts["strength"] == "strong").sum()),
                                               "total": len(verdicts),
                                               "divergent": int((verdicts["status"] == "divergent").sum())}))
    blocks.append(Text("br_strength_rule_f", {"often": rules["raised_often"], "alpha": rules["reliable_alpha"],
                                              "majority": rules["public_majority"]}))
    blocks.append(Text("br_ranking_rule"))
    return Section("summary", "br_section_summary", blocks)


def findings_section(assessed: pd.DataFrame, mapping: JointDisplayMapping, survey: pd.DataFrame,
                     recommendations: Sequence[Recommendation], linked: pd.DataFrame, language: str) -> Section:
    """Five to seven key findings, each linked to the executive summary, which shows the
    evidence row by row: the strongest barrier, the one the public measure speaks to most
    clearly, how many are raised often, where the strands diverge, which barriers no survey
    question measures, and how firmly the recommendations rest on their own evidence."""
    label = _label(mapping, language)
    verdicts = row_verdicts(assessed, "barrier")
    counted = verdicts[verdicts["ki_share"].notna()]
    blocks: list[Any] = []
    if len(counted):
        top = counted.iloc[0]
        blocks.append(Finding("br_finding_top", "summary", {
            "label": label[top["row_id"]], "n": int(top["ki_n"]), "base": int(top["ki_base"]),
            "share": float(top["ki_share"]), "strength": Text("br_strength_" + top["strength"]),
            "status": Text("br_status_" + top["status"])}))
        often = counted[counted["qualitative"] == "often"]
        blocks.append(Finding("br_finding_often", "summary", {
            "count": len(often), "total": len(verdicts), "often": mapping.rules["raised_often"],
            "labels": [label[i] for i in often["row_id"]] or Text("br_none")}))
    measured = verdicts[verdicts["survey_match"].eq("matched") & verdicts["public"].notna()]
    if len(measured):
        row = measured.iloc[0]
        blocks.append(Finding(f"br_finding_public_{row['public']}", "summary", {
            "label": label[row["row_id"]], "share": float(row["favourable"]), "low": float(row["favourable_low"]),
            "high": float(row["favourable_high"]), "status": Text("br_status_" + row["status"])}))
    divergent = verdicts[verdicts["status"] == "divergent"]
    blocks.append(Finding("br_finding_divergent" if len(divergent) else "br_finding_no_divergence", "summary",
                          {"count": len(divergent), "labels": [label[i] for i in divergent["row_id"]]}))
    unmeasured = verdicts[verdicts["survey_match"] == "no_item"]
    if len(unmeasured):
        blocks.append(Finding("br_finding_no_item", "summary", {
            "count": len(unmeasured), "total": len(verdicts), "labels": [label[i] for i in unmeasured["row_id"]]}))
    if len(recommendations):
        support = linked.drop_duplicates("recommendation")["support"]
        blocks.append(Finding("br_finding_recommendations", "summary", {
            "firm": int(support.isin(FIRM).sum()), "total": len(recommendations)}))
    return Section("findings", "key_findings", blocks, part="findings")


def recommendations_section(recommendations: Sequence[Recommendation], linked: pd.DataFrame,
                            mapping: JointDisplayMapping, language: str) -> Section:
    """Each recommendation with the rows it rests on (its primary row marked), the strength
    and agreement of each, and the strength of its own primary evidence
    (``mixed.recommendation_evidence``)."""
    label = _label(mapping, language)
    table = []
    for rec in recommendations:
        part = linked[linked["recommendation"] == rec.id]
        evidence = [Text("br_rec_row_primary" if primary else "br_rec_row",
                         {"label": label[r], "strength": Text("br_strength_" + s), "status": Text("br_status_" + st)})
                    for r, s, st, primary in zip(part["row_id"], part["strength"], part["status"], part["primary"])]
        table.append({"number": rec.id, "recommendation_text": rec.text[language],
                      "audience": rec.audience[language] if rec.audience else "",
                      "evidence": Text("br_rec_evidence", {"rows": evidence}),
                      "support": Text("br_strength_" + part["support"].iloc[0])})
    frame = pd.DataFrame(table, columns=["number", "recommendation_text", "audience", "evidence", "support"])
    return Section("recommendations", "br_section_recommendations", [
        Text("br_recommendations_intro"),
        Table("recommendations", "br_recommendations_table", frame, count=None, labels=tuple(frame.columns))])


STATUSES = ("convergent", "divergent", "partial", "qualitative_only", "survey_only", "not_estimable")


def agreement_section(assessed: pd.DataFrame, mapping: JointDisplayMapping, survey: pd.DataFrame,
                      dictionary: DataDictionary, language: str, disclosure: Disclosure) -> Section:
    """Where the survey and the interviews agree and where not: the rows of each status in
    the order of ``row_verdicts`` (the table the findings and the summary read), each with what
    the interviews and the survey say, then the count of rows by part and status."""
    label = _label(mapping, language)
    verdicts = row_verdicts(assessed)
    blocks: list[Any] = [Text("br_agreement_intro_f", {"majority": mapping.rules["public_majority"],
                                                       "often": mapping.rules["raised_often"]})]
    for status in STATUSES:
        part = verdicts[verdicts["status"] == status]
        if part.empty:
            continue
        blocks.append(Text("br_status_block", {"heading": Text("br_status_heading_" + status)}))
        blocks += [Text("br_pattern_" + r["pattern"], {
            "label": label[r["row_id"]], "ki": count_text(r["ki_n"], r["ki_base"], r["ki_share"]),
            "public": headline_text(r, survey, dictionary, language, disclosure)}) for r in part.to_dict("records")]
    counts = (assessed.groupby(["section", "status"]).size().unstack(fill_value=0)
              .reindex(columns=list(STATUSES), fill_value=0).reset_index())
    counts["section"] = [Text("br_section_name_" + s) for s in counts["section"]]
    blocks.append(Table("agreement", "br_agreement_table", counts, count=None, labels=("section",), decimals=0))
    return Section("agreement", "br_section_agreement", blocks)


def shared_facts_section(study: Study, corpus: Corpus, mapping: JointDisplayMapping, language: str) -> Section:
    """The counts report 10 shares with 00, 01 and 02, from their one source
    (``workbench.study_facts``): survey respondents by region, and participants of the
    edition's interviews and focus groups mentioning each code of the mapping."""
    respondents = study_facts.respondents_by_region(study, dataset=mapping.survey)
    respondents["region"] = [study_facts.region_name(r, language, study_regions(study)) for r in respondents["region"]]
    codes = list(dict.fromkeys(code for row in mapping.rows for code in row.codes))
    mentioning = study_facts.participants_mentioning(corpus)
    mentioning = mentioning[mentioning["code_id"].isin(codes)]
    mentioning = pd.DataFrame({"code": [study_facts.code_name(corpus.codes, c, language) for c in mentioning["code_id"]],
                               "participants": mentioning["participants"].to_numpy()})
    return Section("shared-facts", "br_section_shared_facts", [
        Table("respondents_by_region", "br_respondents_by_region", respondents[["region", "respondents"]],
              count="respondents", labels=("region",), decimals=0),
        Table("participants_mentioning", "br_participants_mentioning", mentioning, count="participants",
              labels=("code",), decimals=0)], part="methods")


def sections(ev: Evidence) -> list[Section]:
    """Every section of report 10 from one edition's ``Evidence``: the key findings, the
    executive summary (with the contents, introduction and sources), the joint displays,
    agreement, group differences, regional pages, recommendations, then the methods and the
    facts shared with other reports."""
    from workbench.reports import barriers_pages as pages  # the pages read this module's text helpers

    summary = summary_section(ev.assessed, ev.mapping, ev.survey, ev.survey_dictionary, ev.language, ev.disclosure,
                              ev.options["summary_rows"])
    summary.blocks += pages.overview_blocks(ev)
    facts = shared_facts_section(ev.study, ev.corpus, ev.mapping, ev.language)
    facts.blocks += pages.closing_blocks(ev)
    return [findings_section(ev.assessed, ev.mapping, ev.survey, ev.recommendations, ev.linked, ev.language), summary,
            *pages.joint_sections(ev),
            agreement_section(ev.assessed, ev.mapping, ev.survey, ev.survey_dictionary, ev.language, ev.disclosure),
            pages.differences_section(ev), pages.regions_section(ev),
            recommendations_section(ev.recommendations, ev.linked, ev.mapping, ev.language),
            pages.methods_section(ev), facts]
