"""The evidence logic of report 10 (issue 14.3, docs/mixed-methods.md "Evidence logic"), one
test per rule, on a small constructed mapping and hand-made strand tables.

Oracle: the rules as written in docs/mixed-methods.md, applied by hand to tables whose every
figure is chosen here (e.g. 90% public support for help with documents, 80% of key informants
raising documents: by rule 2 that is "interviews only", not a divergence).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.agreement import RELIABLE_ALPHA
from workbench.errors import WorkbenchError
from workbench.mixed.findings import (
    assess, context_indicators, headline_indicator, recommendation_evidence, row_verdicts, summary_facts,
)
from workbench.mixed.joint_display import joint_display
from workbench.mixed.mapping import load_mapping, load_recommendations
from workbench.schemas import load_dictionary

ROOT = Path(__file__).resolve().parents[2]
CODES = {"BAR_DOCS", "BAR_EMPLOY", "BAR_STIGMA", "BAR_SERVICES", "COM_INFO", "FAC_RELIG", "COM_WOMEN"}
GROUPS = {"attribute": "respondent_group", "levels": ["former_prisoner", "returnee"]}


def _indicator(variable: str, measures: str, about: str | None = None) -> dict:
    return {"variable": variable, "reading": "openness", "measures": measures, **({"about": about} if about else {})}


def _row(row_id: str, section: str, code: str, indicators: list[dict], about: list[str] | None = None) -> dict:
    row = {"id": row_id, "section": section, "label": {"en": row_id, "ru": row_id}, "codes": [code],
           "indicators": indicators}
    return {**row, "about": about} if about else row


ROWS = [
    _row("documents", "barrier", "BAR_DOCS", [_indicator("sup_documents", "remedy_support")]),
    _row("employment", "barrier", "BAR_EMPLOY",
         [_indicator("sup_jobs", "remedy_support"), _indicator("sd_fp_employee", "barrier", "former_prisoner"),
          _indicator("sd_ret_employee", "barrier", "returnee")]),
    _row("returnee_stigma", "barrier", "BAR_STIGMA",
         [_indicator("sd_fp_neighbour", "barrier", "former_prisoner"),
          _indicator("sd_ret_neighbour", "barrier", "returnee")], about=["returnee"]),
    _row("services", "barrier", "BAR_SERVICES", [_indicator("aware_fp", "awareness")]),
    _row("information", "community", "COM_INFO", [_indicator("aware_ret", "awareness")]),
    _row("religious_leaders", "facilitator", "FAC_RELIG", [_indicator("sup_religious", "remedy_support")]),
]


def _write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def mapping(tmp_path: Path):
    path = _write(tmp_path, "joint_display.yaml", {"groups": GROUPS, "rows": ROWS})
    return load_mapping(path, load_dictionary(ROOT / "data_schemas" / "survey.yaml"), CODES,
                        {"respondent_group", "sex"})


def _strands(mapping, favourable: dict[str, float], raised: dict[str, int], alpha: float = 0.9):
    """Survey estimates (CI +-0.03, 500 respondents) and key informants raising each row (of 40)."""
    survey = pd.DataFrame([{"indicator": f"item__{v}", "estimate": f, "ci_low": f - 0.03, "ci_high": f + 0.03,
                            "favourable": f, "favourable_low": f - 0.03, "favourable_high": f + 0.03, "n": 500}
                           for v, f in favourable.items()])
    rows = []
    for row in mapping.rows:
        rows.append({"row_id": row.id, "source": "key_informants", "attribute": None, "category": None,
                     "n": raised.get(row.id, 0), "base": 40, "people": 40})
    qual = pd.DataFrame(rows)
    reliability = pd.DataFrame({"row_id": [r.id for r in mapping.rows], "alpha": alpha, "weakest_code": "X"})
    return joint_display(mapping, survey, qual, reliability)


EVERY_ITEM = {"sup_documents": 0.9, "sup_jobs": 0.9, "sd_fp_employee": 0.2, "sd_ret_employee": 0.1,
              "sd_fp_neighbour": 0.8, "sd_ret_neighbour": 0.2, "aware_fp": 0.9, "aware_ret": 0.9,
              "sup_religious": 0.85}


def test_rule1_a_barrier_without_an_item_that_measures_it_is_compared_with_nothing(mapping) -> None:
    table = assess(_strands(mapping, EVERY_ITEM, {"documents": 32}), mapping.rules)
    documents = table.set_index("row_id").loc["documents"]
    assert documents["survey_match"] == "no_item" and pd.isna(documents["indicator"])
    assert documents["status"] == "qualitative_only"
    # its remedy item stays visible as context, named for the report's "no question measures it"
    assert documents["context_indicator"] == "item__sup_documents"


def test_rule2_support_for_a_remedy_is_never_evidence_against_a_barrier(mapping) -> None:
    # 90% would support help with documents and jobs: read as "open", this used to make
    # "documents raised by 80% of informants" divergent; it must not enter the comparison
    table = assess(_strands(mapping, EVERY_ITEM, {"documents": 32, "employment": 30}), mapping.rules).set_index("row_id")
    assert table.loc["documents", "status"] != "divergent"
    # employment is compared with hiring (20% would employ), not with support for job help (90%)
    assert table.loc["employment", "indicator"] == "item__sd_fp_employee"
    assert table.loc["employment", "favourable"] == pytest.approx(0.2)
    assert table.loc["employment", "status"] == "convergent"  # raised often, public reluctant


def test_rule2_awareness_is_never_read_as_support(mapping) -> None:
    table = assess(_strands(mapping, EVERY_ITEM, {"information": 30, "services": 30}), mapping.rules)
    table = table.set_index("row_id")
    for row_id in ("information", "services"):
        assert table.loc[row_id, "survey_match"] == "no_item"
        assert table.loc[row_id, "status"] == "qualitative_only"
        assert not table.loc[row_id, "c_corroborated"]
    row = next(r for r in mapping.rows if r.id == "information")
    assert headline_indicator(row) is None and [r.variable for r in context_indicators(row)] == ["aware_ret"]


def test_rule2_support_for_a_strategy_is_evidence_for_that_asset(mapping) -> None:
    table = assess(_strands(mapping, EVERY_ITEM, {"religious_leaders": 20}), mapping.rules).set_index("row_id")
    assert table.loc["religious_leaders", "indicator"] == "item__sup_religious"
    assert table.loc["religious_leaders", "status"] == "convergent"  # named often, supportive public


def test_rule3_a_returnee_barrier_is_compared_with_the_returnee_item(mapping) -> None:
    table = assess(_strands(mapping, EVERY_ITEM, {"returnee_stigma": 30}), mapping.rules).set_index("row_id")
    # the former-prisoner item (80% open) is listed first but asks about another population
    assert table.loc["returnee_stigma", "indicator"] == "item__sd_ret_neighbour"
    assert table.loc["returnee_stigma", "status"] == "convergent"  # raised often, 20% would accept
    row = next(r for r in mapping.rows if r.id == "returnee_stigma")
    assert [r.variable for r in context_indicators(row)] == ["sd_fp_neighbour"]


def test_rule3_an_unknown_population_is_an_error_naming_the_row(tmp_path: Path) -> None:
    rows = [_row("x", "barrier", "BAR_DOCS", [_indicator("sd_ret_neighbour", "barrier", "returnees")])]
    path = _write(tmp_path, "m.yaml", {"groups": GROUPS, "rows": rows})
    with pytest.raises(WorkbenchError, match="unknown population") as info:
        load_mapping(path, load_dictionary(ROOT / "data_schemas" / "survey.yaml"), CODES, {"respondent_group", "sex"})
    assert "x" in str(info.value) and "returnees" in str(info.value)


def test_every_indicator_must_say_what_it_measures(tmp_path: Path) -> None:
    rows = [_row("x", "barrier", "BAR_DOCS", [{"variable": "sup_documents", "reading": "openness"}])]
    path = _write(tmp_path, "m.yaml", {"groups": GROUPS, "rows": rows})
    with pytest.raises(WorkbenchError, match="must say what it measures"):
        load_mapping(path, load_dictionary(ROOT / "data_schemas" / "survey.yaml"), CODES, {"respondent_group", "sex"})


def test_rule4_a_recommendation_rests_on_its_own_primary_evidence(mapping, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.yaml", {"recommendations": [
        {"id": "R1", "text": {"en": "a", "ru": "а"}, "rows": ["documents", "employment"]},
        {"id": "R2", "text": {"en": "b", "ru": "б"}, "rows": ["documents", "employment"], "primary": "employment"}]})
    recs = load_recommendations(path, mapping)
    table = assess(_strands(mapping, EVERY_ITEM, {"documents": 4, "employment": 30}), mapping.rules)
    strength = table.set_index("row_id")["strength"]
    assert strength["employment"] != strength["documents"]  # the test means something
    linked = recommendation_evidence(recs, table).groupby("recommendation")["support"].first()
    assert linked["R1"] == strength["documents"]  # not the stronger employment row
    assert linked["R2"] == strength["employment"]


def test_rule4_a_primary_row_not_linked_is_an_error(mapping, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.yaml", {"recommendations": [
        {"id": "R1", "text": {"en": "a", "ru": "а"}, "rows": ["documents"], "primary": "employment"}]})
    with pytest.raises(WorkbenchError, match="primary evidence row"):
        load_recommendations(path, mapping)


def test_rule5_one_reliability_threshold_which_a_mapping_cannot_change(mapping, tmp_path: Path) -> None:
    assert mapping.rules["reliable_alpha"] == RELIABLE_ALPHA
    below = assess(_strands(mapping, EVERY_ITEM, {"employment": 30}, alpha=RELIABLE_ALPHA - 0.001), mapping.rules)
    at = assess(_strands(mapping, EVERY_ITEM, {"employment": 30}, alpha=RELIABLE_ALPHA), mapping.rules)
    assert not below["c_reliable"].any() and at["c_reliable"].all()
    path = _write(tmp_path, "m.yaml", {"groups": GROUPS, "rows": ROWS, "rules": {"reliable_alpha": 0.5}})
    with pytest.raises(WorkbenchError, match="invalid rule"):
        load_mapping(path, load_dictionary(ROOT / "data_schemas" / "survey.yaml"), CODES, {"respondent_group", "sex"})


def test_rule6_summary_and_agreement_section_read_one_table(mapping) -> None:
    table = assess(_strands(mapping, EVERY_ITEM, {"documents": 32, "employment": 30, "returnee_stigma": 12}),
                   mapping.rules)
    verdicts = row_verdicts(table).set_index("row_id")
    summary = summary_facts(table, "barrier", top=3)
    for r in summary.to_dict("records"):
        assert (r["status"], r["strength"]) == (verdicts.loc[r["row_id"], "status"], verdicts.loc[r["row_id"], "strength"])


def test_rule7_strongest_first_by_the_stated_rule() -> None:
    # points desc, then share of key informants desc (hidden last), then kinds of source desc, then order
    table = pd.DataFrame({"row_id": list("abcdef"), "section": "barrier",
                          "points": [2, 3, 3, 3, 3, 1], "ki_share": [0.9, 0.3, 0.5, np.nan, 0.5, 0.1],
                          "sources_raising": [3, 1, 1, 3, 2, 1], "strength": "x", "status": "y"})
    assert list(row_verdicts(table)["row_id"]) == ["e", "c", "b", "d", "a", "f"]
    assert list(row_verdicts(table)["rank"]) == [1, 2, 3, 4, 5, 6]
