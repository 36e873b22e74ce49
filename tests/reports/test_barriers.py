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
from workbench.reports.sections import Finding, Text
from workbench.schemas import load_dictionary

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
    raised = pd.DataFrame([{"row_id": r, "source": "key_informants", "attribute": None, "level": None, "n": n,
                            "base": 40, "people": 40} for r, n in RAISED.items()]
                          + [{"row_id": r, "source": "experts", "attribute": None, "level": None, "n": n,
                              "base": 15, "people": 15} for r, n in EXPERTS.items()]
                          + [{"row_id": r, "source": "focus_groups", "attribute": None, "level": None, "n": 2,
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
