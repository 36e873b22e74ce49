"""Report 10's key findings and executive summary (workbench.reports.barriers), without papermill.

Oracle: a hand-made study of four barriers and one recommendation whose every figure is chosen
here (key informants of 40, survey shares with +-0.03 intervals), so the expected top barrier,
counts and links follow by hand from the ranking rule of docs/mixed-methods.md; plus properties
that must hold (findings first and linked, one verdict per row in findings and summary,
suppressed counts never shown, no row id shown).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.disclosure import Disclosure
from workbench.mixed import assess, joint_display, recommendation_evidence, row_verdicts, suppress_joint_display
from workbench.mixed.mapping import load_mapping, load_recommendations
from workbench.reports import barriers
from workbench.reports.sections import Contents, Finding, Text
from workbench.schemas import load_dictionary
from workbench.regions import study_regions

ROOT = Path(__file__).resolve().parents[2]
DICTIONARY = load_dictionary(ROOT / "data_schemas" / "survey.yaml")
# row -> (code, indicator variable, measures)
ROWS = {"jobs": ("BAR_EMPLOY", "sd_fp_employee", "barrier"), "papers": ("BAR_DOCS", "sup_documents", "remedy_support"),
        "shame": ("BAR_STIGMA", "sd_fp_neighbour", "barrier"), "debts": ("BAR_DEBT", None, None)}
RAISED = {"jobs": 30, "papers": 24, "shame": 4, "debts": 12}  # of 40 key informants
EXPERTS = {"jobs": 5, "papers": 5, "shame": 5, "debts": 0}  # of 15 experts
SHARES = {"sd_fp_employee": 0.8, "sup_documents": 0.9, "sd_fp_neighbour": 0.7}


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("barriers")
    rows = [{"id": row_id, "section": "barrier", "label": {"en": f"Label {row_id}", "ru": f"Метка {row_id}"},
             "codes": [code], "indicators": [{"variable": v, "reading": "openness", "measures": m}] if v else []}
            for row_id, (code, v, m) in ROWS.items()]
    (folder / "m.yaml").write_text(yaml.safe_dump({"rows": rows}), encoding="utf-8")
    (folder / "r.yaml").write_text(yaml.safe_dump({"recommendations": [
        {"id": "R1", "text": {"en": "a", "ru": "а"}, "rows": ["debts", "jobs"]}]}), encoding="utf-8")
    mapping = load_mapping(folder / "m.yaml", DICTIONARY, {c for c, _, _ in ROWS.values()}, {"respondent_group", "sex"})
    recs = load_recommendations(folder / "r.yaml", mapping)
    survey = pd.DataFrame([{"indicator": f"item__{v}", "statistic": "share", "variable": v, "battery": None,
                            "estimate": s, "ci_low": s - 0.03, "ci_high": s + 0.03, "favourable": s,
                            "favourable_low": s - 0.03, "favourable_high": s + 0.03, "n": 500}
                           for v, s in SHARES.items()])
    raised = pd.DataFrame([{"row_id": r, "source": "key_informants", "attribute": None, "category": None, "n": n,
                            "base": 40, "people": 40} for r, n in RAISED.items()]
                          + [{"row_id": r, "source": "experts", "attribute": None, "category": None, "n": n,
                              "base": 15, "people": 15} for r, n in EXPERTS.items()]
                          + [{"row_id": r, "source": "focus_groups", "attribute": None, "category": None, "n": 2,
                              "base": 8, "people": 6} for r in RAISED])  # 6 participants: hidden at 10
    reliability = pd.DataFrame({"row_id": list(ROWS), "alpha": 0.9, "weakest_code": "X"})
    disclosure = Disclosure(10)
    assessed = assess(suppress_joint_display(joint_display(mapping, survey, raised, reliability), disclosure),
                      mapping.rules)
    return mapping, recs, survey, assessed, disclosure


def _findings(parts, language: str = "en"):
    mapping, recs, survey, assessed, _ = parts
    return barriers.findings_section(assessed, mapping, survey, recs, recommendation_evidence(recs, assessed), language)


def test_findings_come_first_and_link_to_the_summary(parts) -> None:
    section = _findings(parts)
    assert section.part == "findings" and section.id == "findings"
    assert 5 <= len(section.blocks) <= 7 and all(isinstance(b, Finding) for b in section.blocks)
    assert {b.section for b in section.blocks} == {"summary"}


def test_top_finding_is_the_first_of_the_ranked_table(parts) -> None:
    # jobs: raised often (30/40), two kinds of source shown (focus groups hidden), reliable,
    # public 80% open -> divergent: 3 points; papers: 24/40, no comparable item -> 3 points;
    # shame: raised rarely, public open -> convergent, 3 points; debts: no experts -> 2 points;
    # at equal points the larger share wins: jobs (0.75), papers (0.60), shame (0.10), debts
    top = _findings(parts).blocks[0]
    assert top.key == "br_finding_top"
    assert (top.values["label"], top.values["n"], top.values["base"]) == ("Label jobs", 30, 40)
    assert top.values["share"] == pytest.approx(0.75)
    _, _, _, assessed, _ = parts
    assert list(row_verdicts(assessed, "barrier")["row_id"]) == ["jobs", "papers", "shame", "debts"]


def test_findings_count_divergence_unmeasured_barriers_and_firm_recommendations(parts) -> None:
    by_key = {b.key: b.values for b in _findings(parts).blocks}
    often = by_key["br_finding_often"]
    assert often["count"] == 3 and often["labels"] == ["Label jobs", "Label papers", "Label debts"]
    # jobs (raised often, 80% would employ) is a crossed case; papers is not (90% support help
    # with documents: support for a remedy is not evidence against a barrier)
    assert by_key["br_finding_divergent"] == {"count": 1, "labels": ["Label jobs"]}
    assert by_key["br_finding_no_item"] == {"count": 2, "total": 4, "labels": ["Label papers", "Label debts"]}
    # R1 rests on debts (its primary row: first listed): limited; its other row, jobs, is
    # moderate, which the best-of-linked rule would have used
    assert by_key["br_finding_recommendations"] == {"firm": 0, "total": 1}
    # the strongest barrier with a comparable item: jobs, 80% (77%-83%) would employ: open
    assert by_key["br_finding_public_open"]["share"] == pytest.approx(0.8)
    assert by_key["br_finding_public_open"]["low"] == pytest.approx(0.77)


def test_summary_gives_each_row_the_verdict_of_the_ranked_table(parts) -> None:
    mapping, _, survey, assessed, disclosure = parts
    section = barriers.summary_section(assessed, mapping, survey, DICTIONARY, "en", disclosure)
    rows = [b for b in section.blocks if b.key == "br_summary_row"]
    verdicts = row_verdicts(assessed, "barrier")
    assert [r.values["label"] for r in rows] == [f"Label {i}" for i in verdicts["row_id"]]
    for row, (_, verdict) in zip(rows, verdicts.iterrows()):
        assert row.values["status"] == Text("br_status_" + verdict["status"])
        assert row.values["strength"] == Text("br_strength_" + verdict["strength"])
        assert row.values["fg"] == barriers.HIDDEN  # 6 focus-group participants: below 10
    assert barriers.summary_section(assessed, mapping, survey, DICTIONARY, "en", disclosure, top=2).blocks[2].key \
        == "br_summary_row"
    assert sum(b.key == "br_summary_row" for b in
               barriers.summary_section(assessed, mapping, survey, DICTIONARY, "en", disclosure, top=2).blocks) == 2


def test_a_barrier_without_its_own_item_names_the_remedy_as_context_only(parts) -> None:
    mapping, _, survey, assessed, disclosure = parts
    papers = assessed.set_index("row_id").loc["papers"].to_dict()
    said = barriers.headline_text(papers, survey, DICTIONARY, "en", disclosure)
    assert said.key == "br_public_context_f" and said.values["item"].values["share"] == pytest.approx(0.9)
    debts = assessed.set_index("row_id").loc["debts"].to_dict()
    assert barriers.headline_text(debts, survey, DICTIONARY, "en", disclosure) == Text("br_public_none")


def test_a_hidden_count_is_never_a_number(parts) -> None:
    assert barriers.count_text(np.nan, 40, np.nan) == barriers.HIDDEN
    assert barriers.count_text(3, 40, 0.075).values == {"n": 3, "base": 40, "share": 0.075}


def test_no_row_id_is_shown_in_findings_or_summary(parts) -> None:
    mapping, _, survey, assessed, disclosure = parts
    blocks = _findings(parts, "ru").blocks + barriers.summary_section(assessed, mapping, survey, DICTIONARY, "ru",
                                                                      disclosure).blocks

    def strings(value):
        if isinstance(value, (Text, Finding)):
            return [s for v in value.values.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    shown = [s for b in blocks for s in strings(b)]
    assert shown and not set(shown) & set(ROWS)
    assert "Метка jobs" in shown


def test_recommendations_show_the_strength_of_their_own_primary_row(parts) -> None:
    mapping, recs, _, assessed, _ = parts
    section = barriers.recommendations_section(recs, recommendation_evidence(recs, assessed), mapping, "en")
    table = next(b for b in section.blocks if not isinstance(b, Text))
    assert table.count is None and list(table.frame["number"]) == ["R1"]
    verdicts = assessed.set_index("row_id")
    row = table.frame.iloc[0]
    assert row["support"] == Text("br_strength_" + verdicts.loc["debts", "strength"])  # primary: debts (limited)
    assert verdicts.loc["jobs", "strength"] == "moderate" and verdicts.loc["debts", "strength"] == "limited"
    evidence = row["evidence"].values["rows"]
    assert [e.key for e in evidence] == ["br_rec_row_primary", "br_rec_row"]
    assert [e.values["label"] for e in evidence] == ["Label debts", "Label jobs"]


def test_agreement_section_lists_each_row_under_the_status_the_summary_gives_it(parts) -> None:
    mapping, _, survey, assessed, disclosure = parts
    section = barriers.agreement_section(assessed, mapping, survey, DICTIONARY, "en", disclosure)
    under, listed = None, {}
    for block in section.blocks:
        if isinstance(block, Text) and block.key == "br_status_block":
            under = block.values["heading"].key.removeprefix("br_status_heading_")
        elif isinstance(block, Text) and block.key.startswith("br_pattern_"):
            listed[block.values["label"]] = under
    summary = barriers.summary_section(assessed, mapping, survey, DICTIONARY, "en", disclosure)
    said = {b.values["label"]: b.values["status"].key.removeprefix("br_status_")
            for b in summary.blocks if b.key == "br_summary_row"}
    assert listed == said == {"Label jobs": "divergent", "Label papers": "qualitative_only",
                              "Label shame": "convergent", "Label debts": "qualitative_only"}
    counts = section.blocks[-1].frame
    assert counts.loc[0, ["convergent", "divergent", "qualitative_only"]].tolist() == [1, 1, 2]
    assert counts.loc[0, "section"] == Text("br_section_name_barrier")


def test_shared_facts_come_from_study_facts_under_their_names(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Oracle: the survey file counted by hand (rows per region) and the names of the tables the
    shared-facts test reads (tests/reports/test_shared_facts.py)."""
    from workbench.mixed import load_study_mapping
    from workbench.qualitative.study_corpus import load_study_corpus
    from workbench.study import Study
    from workbench.synthetic.demo import write_demo_study

    study = Study.load(write_demo_study(tmp_path_factory.mktemp("demo10") / "demo"))
    mapping = load_study_mapping(study)
    section = barriers.shared_facts_section(study, load_study_corpus(study), mapping, "ru")
    assert section.part == "methods"
    regions, codes = section.blocks
    assert (regions.name, codes.name) == ("respondents_by_region", "participants_mentioning")
    survey = study.read("survey")
    assert regions.frame["respondents"].sum() == len(survey)
    assert "Ошская область" in set(regions.frame["region"])  # one Russian spelling, not "Osh oblast"
    code_ids = {code for row in mapping.rows for code in row.codes}
    assert len(codes.frame) == len(code_ids) and not set(codes.frame["code"]) & code_ids  # names, not ids


# ---- the whole report on the demo study: barriers_evidence and barriers_pages ------------------
# Oracle: the demo study's own files read with pandas (survey answers, transcripts by type, cases
# by group and sex, the mapping YAML), independent of the evidence pipeline; plus properties
# (order of sections, nothing resting on fewer than min_cell people shown).

import shutil

from workbench.reports import barriers_evidence, barriers_pages as pages
from workbench.reports.sections import Chart, Section, Table
from workbench.errors import WorkbenchError


@pytest.fixture(scope="module")
def ev(demo_study):
    return barriers.evidence(demo_study, Disclosure(10), n_boot=20)


def _texts(blocks, key: str) -> list[Text]:
    return [b for b in blocks if isinstance(b, Text) and b.key == key]


def _tables(section: Section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def _count_texts(value) -> list[Text]:
    """Every "n of base" Text inside a cell or value (nested values too)."""
    if isinstance(value, Text):
        found = [value] if value.key in ("br_count_of", "br_count_of_share") else []
        return found + [t for v in value.values.values() for t in _count_texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _count_texts(v)]
    return []


def test_mapping_and_recommendations_are_found_by_what_they_hold(demo_study, tmp_path) -> None:
    """Oracle: the demo's study.yaml (two datasets of format mapping, one listing rows, one
    listing recommendations); a copy with a second rows file must be refused, naming both."""
    assert barriers_evidence.mapping_dataset_of(demo_study, "joint_display") == "joint_display"
    assert barriers_evidence.mapping_dataset_of(demo_study, "recommendations") == "recommendations"
    assert barriers_evidence.mapping_dataset_of(demo_study, "joint_display", "mine") == "mine"
    folder = tmp_path / "study"
    shutil.copytree(demo_study.root, folder)
    spec = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    spec["datasets"]["second_mapping"] = {**spec["datasets"]["joint_display"], "description": "a copy"}
    (folder / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    from workbench.study import Study

    with pytest.raises(WorkbenchError) as error:
        barriers_evidence.mapping_dataset_of(Study.load(folder), "joint_display")
    assert "joint_display" in str(error.value) and "second_mapping" in str(error.value)
    with pytest.raises(WorkbenchError, match="kind"):
        barriers_evidence.mapping_dataset_of(demo_study, "survey")


def test_an_unknown_option_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(WorkbenchError) as error:
        barriers_evidence.options(quotes_per_barrier=3)
    assert "quotes_per_barrier" in str(error.value) and "quotes_per_row" in str(error.value)
    assert barriers_evidence.options(quotes_per_row=3)["quotes_per_row"] == 3


def test_sections_in_report_order_with_findings_first_and_methods_last(ev) -> None:
    sections = barriers.sections(ev)
    assert [s.id for s in sections] == ["findings", "summary", "barriers", "assets", "agreement", "differences",
                                        "regions", "recommendations", "methods", "shared-facts"]
    assert sections[0].part == "findings" and {s.part for s in sections[-2:]} == {"methods"}
    contents = next(b for b in sections[1].blocks if isinstance(b, Contents))
    titles = {s.id: s.title_key for s in sections}
    assert [target for target, _ in contents.entries] == list(pages.CONTENTS)
    assert all(titles[target] == key for target, key in contents.entries)  # each entry names its section


def test_sources_count_transcripts_by_type_and_say_fewer_than_min_cell(demo_study, ev) -> None:
    """Oracle: qual_documents.csv counted by doc_type with pandas; the survey's rows."""
    kinds = demo_study.read("qual_documents")["doc_type"].value_counts()
    sources = _texts(pages.overview_blocks(ev), "br_sources")[0].values
    assert sources["kii"] == Text("br_n_f", {"n": int(kinds["KII"])})
    assert sources["experts"] == Text("br_n_f", {"n": int(kinds["expert"])})
    assert sources["fgd"] == Text("br_n_f", {"n": int(kinds["FGD"])})
    assert sources["n"] == Text("br_n_f", {"n": len(demo_study.read("survey"))})
    strict = barriers.evidence(demo_study, Disclosure(int(kinds["expert"]) + 1), n_boot=2)
    values = _texts(pages.overview_blocks(strict), "br_sources")[0].values
    assert values["experts"] == Text("br_fewer_than", {"min_cell": int(kinds["expert"]) + 1})
    assert values["kii"] == Text("br_n_f", {"n": int(kinds["KII"])})  # 40 >= 16: shown


def test_joint_display_respondents_are_the_substantive_answers(demo_study, ev) -> None:
    """Oracle: the survey file with pandas: respondents whose answer to the row's item is not
    a missing code (don't know, refused)."""
    survey, dictionary = demo_study.read("survey"), demo_study.dictionary("survey")
    section = pages.joint_sections(ev)[0]
    main = _tables(section)[0]
    assert main.name == "br_joint_barriers" and main.count is None
    part = ev.assessed[ev.assessed["section"] == "barrier"]
    checked = 0
    for (_, row), respondents in zip(part.iterrows(), main.frame["respondents"]):
        if isinstance(row["variable"], str):
            missing = set(dictionary.variables[row["variable"]].missing_codes)
            answered = survey[row["variable"]].notna() & ~survey[row["variable"]].isin(missing)
            assert respondents == int(answered.sum()), row["row_id"]
            checked += 1
        elif not isinstance(row["battery"], str):
            assert respondents == ""  # no survey question: blank, not hidden
    assert checked >= 3


def test_joint_display_key_informant_base_is_the_key_informants(demo_study, ev) -> None:
    """Oracle: qual_documents.csv: people interviewed in key-informant interviews (their
    distinct case ids); experts likewise."""
    documents = demo_study.read("qual_documents")
    key = documents.loc[documents["doc_type"] == "KII", "case_id"].nunique()
    experts = documents.loc[documents["doc_type"] == "expert", "case_id"].nunique()
    main = _tables(pages.joint_sections(ev)[0])[0]
    bases = {t.values["base"] for cell in main.frame["ki"] for t in _count_texts(cell)}
    assert bases == {key}
    assert {t.values["base"] for cell in main.frame["experts"] for t in _count_texts(cell)} == {experts}
    for cell in main.frame["ki"]:  # the share is n / base
        for t in _count_texts(cell):
            assert t.values["share"] == pytest.approx(t.values["n"] / t.values["base"])


def test_figures_behind_each_joint_display_go_to_the_annex_only(ev) -> None:
    for section in pages.joint_sections(ev):
        annex = [b for b in _tables(section) if b.annex_only]
        shown = [b for b in _tables(section) if not b.annex_only]
        assert len(annex) == len(shown) / 2
        for table in annex:
            assert table.name.endswith("_figures")
            assert {"estimate", "ci_low", "ci_high", "respondents", "ki_n", "ki_base"} <= set(table.frame.columns)


def test_who_raised_it_counts_rest_on_min_cell_key_informants(ev) -> None:
    """Property: every "n of base" of people shown has base >= min_cell (else the marker); focus
    groups are counted as groups, hidden when their participants are too few (``fg_hidden``)."""
    for section in pages.joint_sections(ev):
        for table in _tables(section):
            for column in [c for c in table.frame.columns if c != "fg"]:
                for cell in table.frame[column]:
                    for t in _count_texts(cell):
                        assert t.values["base"] >= ev.disclosure.min_cell, (table.name, column, t)


def test_quotes_name_group_and_sex_only_where_enough_participants_share_them(demo_study, ev) -> None:
    """Oracle: qual_cases.csv grouped with pandas (group sizes, group x sex sizes) over the
    participants of the edition; and the one attribution rule of reports.quotes (the same words
    name the same speaker in every report)."""
    from workbench.reports.sections import Quote

    cases = ev.corpus.cases
    group_size = cases.groupby("respondent_group").size()
    both_size = cases.groupby(["respondent_group", "sex"]).size()
    labels = demo_study.dictionary("qual_cases").value_labels("respondent_group", "en")
    lines = pages.quote_lines(ev)
    assert set(lines) <= set(ev.labels) and all(len(v) <= ev.options["quotes_per_row"] for v in lines.values())
    named, speakers = 0, {}
    for quotes in lines.values():
        for quote in quotes:
            assert isinstance(quote, Quote)
            assert speakers.setdefault(quote.text, quote.who) == quote.who  # one speaker per sentence
            if quote.who.key in ("ql_who", "ql_who_group"):
                group = next(g for g, label in labels.items() if label == quote.who.values["group"])
                assert group_size[group] >= ev.disclosure.min_cell
                if quote.who.key == "ql_who":
                    sex = quote.who.values["sex"].key.removeprefix("ql_sex_")
                    assert both_size[(group, sex)] >= ev.disclosure.min_cell
                named += 1
    assert named  # the demo has groups large enough to name


def test_group_differences_compare_the_selected_key_informants(demo_study, ev) -> None:
    """Oracle: qual_cases.csv and qual_documents.csv with pandas: key informants who are women
    and who are men (the bases of the comparison)."""
    documents, cases = demo_study.read("qual_documents"), demo_study.read("qual_cases")
    key = cases[cases["case_id"].isin(documents.loc[documents["doc_type"] == "KII", "case_id"])]
    women, men = int((key["sex"] == "female").sum()), int((key["sex"] == "male").sum())
    women_diff = next(d for d in ev.mapping.differences if d.id == "women")
    blocks = pages.difference_blocks(ev, women_diff)
    table = next(b for b in blocks if isinstance(b, Table))
    assert {t.values["base"] for cell in table.frame["group"] for t in _count_texts(cell)} == {women}
    assert {t.values["base"] for cell in table.frame["reference"] for t in _count_texts(cell)} == {men}
    assert table.headings["group_share"] == Text("br_col_share_of", {"group": "Women"})
    for line in _texts(blocks, "br_difference_line"):  # named only when at least 20 points apart
        g, r = line.values["g"].values, line.values["r"].values
        assert abs(g["share"] - r["share"]) >= ev.options["notable_difference"] - 1e-12
        assert line.values["points"].values["x"] == pytest.approx(100 * abs(g["share"] - r["share"]))
    charts = [b for b in blocks if isinstance(b, Chart)]
    assert len(charts) == 1 and set(charts[0].frame["side"]) == {"Women", "Men"}


def test_regional_pages_count_respondents_and_estimate_each_region(demo_study, ev) -> None:
    """Oracle: survey rows per region (pandas) for the sources line; for the heat map, the
    weighted share of each region by hand: sum(w * y) / sum(w) over the region's answers, with
    the (raked) analysis weights of the design."""
    section = pages.regions_section(ev)
    regions = [r.name for r in study_regions(demo_study)]
    assert [t.values["name"] for t in _texts(section.blocks, "br_subheading")] == regions
    survey = demo_study.read("survey")
    per_region = survey["region"].map(demo_study.dictionary("survey").value_labels("region", "en")).value_counts()
    for t, name in zip(_texts(section.blocks, "br_region_sources"), regions):
        assert t.values["n"] in (Text("br_n_f", {"n": int(per_region[name])}),
                                 Text("br_fewer_than", {"min_cell": 10}))
    chart = next(b for b in section.blocks if isinstance(b, Chart))
    assert chart.kind == "heatmap" and chart.group == "region" and chart.percent
    design = ev.prepared.design
    data, weights = design.data, design.analysis_weights()
    codes = {label: code for code, label in demo_study.dictionary("survey").value_labels("region", "en").items()}
    family = ev.labels["family"]
    for name in ("Batken", "Chuy"):
        y = data["item__sd_fp_family"]
        inside = (data["region"] == codes[name]).to_numpy() & y.notna().to_numpy()
        by_hand = float((weights[inside] * y[inside]).sum() / weights[inside].sum())
        drawn = chart.frame[(chart.frame["region"] == name) & (chart.frame["barrier"] == family)]["favourable"]
        assert float(drawn.iloc[0]) == pytest.approx(by_hand, abs=1e-9)
    for table in _tables(section):  # property: nothing on fewer than min_cell people
        for cell in table.frame.get("ki", []):  # a column hidden for most barriers is left out
            for t in _count_texts(cell):
                assert t.values["base"] >= 10


def test_methods_name_the_mapping_and_rules(demo_study, ev) -> None:
    """Oracle: the mapping YAML read with yaml (rows, distinct indicators, distinct codes)."""
    raw = yaml.safe_load(demo_study.path("joint_display").read_text(encoding="utf-8"))
    keys = {(i.get("variable"), i.get("battery")) for r in raw["rows"] for i in r.get("indicators") or []}
    keys |= {(i.get("variable"), i.get("battery")) for d in raw.get("differences") or []
             for i in d.get("indicators") or []}
    section = pages.methods_section(ev)
    assert section.part == "methods"
    mapping = _texts(section.blocks, "br_methods_mapping")[0].values
    assert mapping == {"rows": len(raw["rows"]), "indicators": len(keys),
                       "codes": len({c for r in raw["rows"] for c in r["codes"]})}
    assert _texts(section.blocks, "br_methods_raked")  # the demo has population margins
    response = _texts(section.blocks, "br_methods_item_response")[0].values
    assert 0 < response["low"].values["share"] <= response["high"].values["share"] <= 1
    rules = _texts(section.blocks, "br_methods_rules")[0].values
    assert rules["min_cell"] == 10 and rules["majority"].values["share"] == raw["rules"]["public_majority"]


def test_rendering_hides_the_annex_table_and_heads_columns_in_the_report_language(demo_study) -> None:
    """The sections rendered in Russian (display patched): the figures tables reach the annex but
    not the page; the difference table's share columns are headed with the group's name."""
    from unittest import mock

    from workbench.reporting import start_report
    from workbench.reporting.tables import HtmlTable

    report = start_report(demo_study.root, language="ru", min_cell=10)
    ev = barriers.evidence(demo_study, report.tables.disclosure, language="ru", n_boot=2)
    shown = []
    with mock.patch("IPython.display.display", side_effect=lambda *parts: shown.extend(parts)):
        report.show(*pages.joint_sections(ev)[:1], pages.differences_section(ev))
    titles = [p.title for p in shown if isinstance(p, HtmlTable)]
    annex = [t.title for t in report.tables.shown]
    figures = "Препятствия: цифры сводной таблицы"
    assert figures not in titles and any(figures in t for t in annex), (titles, annex)
    difference = next(t for t in report.tables.shown if "Женщины" in t.title)
    assert "Доля, Женщины" in list(difference.table.columns)
    joint = next(p for p in shown if isinstance(p, HtmlTable))
    assert "," in joint.table.iloc[0, 2] and "." not in joint.table.iloc[0, 2]  # 79,3 % (76,3 %–82,1 %)


def test_a_region_named_by_code_english_or_russian_gives_the_same_regional_page(demo_study) -> None:
    """Property: one region named three ways (the survey's code 6, its English and its Russian
    label; workbench.regions) selects the same respondents and transcripts (which code regions
    by name, not number) and gives one page, headed by one spelling; an unknown region is an
    error that lists the known ones. Oracle for the transcripts: the documents file filtered by
    hand on the English label "Osh oblast"; for the respondents, survey rows with region == 6."""
    evs = [barriers.evidence(demo_study, Disclosure(10), region=name, n_boot=2)
           for name in (6, "Osh oblast", "Ошская область")]
    documents = demo_study.read("qual_documents")  # codes Osh oblast "Osh" (its label: "Osh oblast")
    english = documents["region"].map(demo_study.dictionary("qual_documents").value_labels("region", "en"))
    expected = set(documents.loc[english == "Osh oblast", "doc_id"])
    assert expected and all(set(ev.corpus.documents["doc_id"]) == expected for ev in evs)
    assert len({ev.respondents for ev in evs}) == 1 and evs[0].respondents == (demo_study.read("survey")["region"] == 6).sum()
    code, english, russian = (pages.regions_section(ev) for ev in evs)
    assert (_texts(code.blocks, "br_subheading") == _texts(english.blocks, "br_subheading")
            == _texts(russian.blocks, "br_subheading") == [Text("br_subheading", {"name": "Osh oblast"})])
    assert (_texts(code.blocks, "br_region_sources") == _texts(english.blocks, "br_region_sources")
            == _texts(russian.blocks, "br_region_sources"))
    for other in (english, russian):
        assert _tables(code)[0].name == _tables(other)[0].name == "region-6"
        pd.testing.assert_frame_equal(_tables(code)[0].frame, _tables(other)[0].frame)
    assert len({str(pages.overview_blocks(ev)[-1]) for ev in evs}) == 1  # "This edition covers Osh oblast"
    with pytest.raises(WorkbenchError, match="Batken"):
        barriers.evidence(demo_study, Disclosure(10), region="Atlantis", n_boot=2)
