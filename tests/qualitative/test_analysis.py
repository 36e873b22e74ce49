"""Code frequencies, code x attribute matrices and co-occurrence on a hand-made corpus.

Every expected number is counted by hand from the small corpus below (comments show how).
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import (
    code_attribute_matrix,
    code_cooccurrence,
    code_frequencies,
    participants,
    rollup_codes,
    segment_participants,
)

FGD = (
    "MOD: What helps people come back?\n"
    "A: Family support helps. Work helps too.\n"
    "B: The mosque and the aksakals help. Family also.\n"
)
K1 = "Family matters. I found work."
K2 = "Police watch me. No work."
E1 = "Probation officers need training."


def span(text: str, piece: str, end_piece: str | None = None) -> tuple[int, int]:
    start = text.index(piece)
    end = text.index(end_piece) + len(end_piece) if end_piece else start + len(piece)
    return start, end


def build_corpus() -> dict[str, pd.DataFrame]:
    documents = pd.DataFrame(
        {
            "doc_id": ["K1", "K2", "E1", "F1"],
            "name": ["kii 1", "kii 2", "expert 1", "fgd 1"],
            "text": [K1, K2, E1, FGD],
            "doc_type": ["KII", "KII", "expert", "FGD"],
            "case_id": ["C1", "C2", "X1", None],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "X1", "P1", "P2"],
            "name": ["n1", "n2", "n3", "n4", "n5"],
            "respondent_group": ["returnee", "probation", "expert", "community", "community"],
            "sex": ["f", "m", "m", "f", "m"],
        }
    )
    a_start, b_start = FGD.index("A:"), FGD.index("B:")
    turns = pd.DataFrame(
        {
            "doc_id": ["F1"] * 3,
            "turn_id": ["F1-1", "F1-2", "F1-3"],
            "speaker": ["MOD", "A", "B"],
            "start": [0, a_start, b_start],
            "end": [a_start, b_start, len(FGD)],
            "case_id": [None, "P1", "P2"],
        }
    )
    codes = pd.DataFrame(
        {
            "code_id": ["SUP", "FAM", "REL", "WORK", "POL", "PROB"],
            "name": ["Support", "Family", "Religion", "Work", "Police", "Probation"],
            "parent_id": [None, "SUP", "SUP", None, None, None],
        }
    )
    rows = [
        ("s1", "K1", *span(K1, "Family matters."), "FAM", "accepted"),
        ("s2", "K1", *span(K1, "I found work."), "WORK", "accepted"),
        ("s3", "K2", *span(K2, "No work."), "WORK", "accepted"),
        ("s4", "K2", *span(K2, "Police watch me."), "POL", "accepted"),
        ("s5", "E1", *span(E1, E1), "PROB", "accepted"),
        ("s6", "F1", *span(FGD, "Family support helps."), "FAM", "accepted"),
        ("s7", "F1", *span(FGD, "Work helps too."), "WORK", "accepted"),
        ("s8", "F1", *span(FGD, "The mosque and the aksakals help."), "REL", "accepted"),
        ("s9", "F1", *span(FGD, "Family also."), "FAM", "accepted"),
        ("s10", "F1", *span(FGD, "Work helps too.", "The mosque"), "SUP", "accepted"),  # spans A and B
        ("s11", "K1", 0, 6, "POL", "proposed"),  # not accepted: ignored everywhere
        ("s12", "K1", 0, len(K1), "SUP", "accepted"),  # overlaps s1 and s2
    ]
    segments = pd.DataFrame(rows, columns=["segment_id", "doc_id", "start", "end", "code_id", "status"])
    segments["coder"] = "a"
    return {"documents": documents, "cases": cases, "turns": turns, "codes": codes, "segments": segments}


@pytest.fixture()
def corpus() -> dict[str, pd.DataFrame]:
    return build_corpus()


def test_segment_participants(corpus: dict[str, pd.DataFrame]) -> None:
    links = segment_participants(corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"])
    by_segment = links.groupby("segment_id")["case_id"].agg(lambda s: sorted(s.dropna()))
    assert by_segment["s1"] == ["C1"]
    assert by_segment["s6"] == ["P1"]
    assert by_segment["s10"] == ["P1", "P2"]  # spans the turns of A and B
    assert "s11" not in by_segment.index
    people = participants(corpus["documents"], corpus["cases"], corpus["turns"])
    assert len(people) == 6  # 3 interviews + moderator, A, B


def test_overall_frequencies(corpus: dict[str, pd.DataFrame]) -> None:
    table = code_frequencies(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"], corpus["codes"]
    ).set_index("code_id")
    # FAM: s1 (K1, C1), s6 (F1, P1), s9 (F1, P2)
    assert table.loc["FAM", ["n_segments", "n_documents", "n_cases"]].tolist() == [3, 2, 3]
    # SUP: s10 (F1, P1+P2), s12 (K1, C1)
    assert table.loc["SUP", ["n_segments", "n_documents", "n_cases"]].tolist() == [2, 2, 3]
    # POL: only s4; the proposed s11 is ignored
    assert table.loc["POL", ["n_segments", "n_documents", "n_cases"]].tolist() == [1, 1, 1]
    assert (table["documents_in_group"] == 4).all() and (table["cases_in_group"] == 5).all()
    assert table.loc["FAM", "pct_cases"] == pytest.approx(60.0)
    assert table.loc["FAM", "code_name"] == "Family"


def test_rollup_counts_children_under_theme(corpus: dict[str, pd.DataFrame]) -> None:
    table = code_frequencies(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"], corpus["codes"], rollup_depth=1
    ).set_index("code_id")
    assert list(table.index) == ["SUP", "WORK", "POL", "PROB"]
    # SUP + FAM + REL: s1, s6, s8, s9, s10, s12; documents K1, F1; cases C1, P1, P2
    assert table.loc["SUP", ["n_segments", "n_documents", "n_cases"]].tolist() == [6, 2, 3]
    rolled = rollup_codes(corpus["segments"], corpus["codes"])
    assert rolled.loc[rolled["segment_id"] == "s8", "code_id"].item() == "SUP"
    assert rolled.loc[rolled["segment_id"] == "s8", "original_code_id"].item() == "REL"


def test_frequencies_by_group(corpus: dict[str, pd.DataFrame]) -> None:
    table = code_frequencies(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"], corpus["codes"],
        by="respondent_group",
    )
    community = table[table["respondent_group"] == "community"].set_index("code_id")
    assert community["cases_in_group"].unique().tolist() == [2]
    assert community.loc["FAM", ["n_segments", "n_cases", "pct_cases"]].tolist() == [2, 2, 100.0]
    assert community.loc["WORK", ["n_segments", "n_cases", "pct_cases"]].tolist() == [1, 1, 50.0]
    assert community.loc["POL", "n_segments"] == 0  # zero rows are listed
    returnee = table[table["respondent_group"] == "returnee"].set_index("code_id")
    assert returnee.loc["FAM", "pct_cases"] == 100.0
    # the moderator has no case: a group with missing attribute, no cases
    missing = table[table["respondent_group"].isna()]
    assert (missing["cases_in_group"] == 0).all() and missing["pct_cases"].isna().all()
    by_doc_type = code_frequencies(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"], by="doc_type"
    )
    kii = by_doc_type[by_doc_type["doc_type"] == "KII"].set_index("code_id")
    assert kii.loc["WORK", ["n_segments", "n_documents", "documents_in_group"]].tolist() == [2, 2, 2]
    with pytest.raises(WorkbenchError):
        code_frequencies(corpus["segments"], corpus["documents"], corpus["cases"], by="religion")


def test_code_attribute_matrix(corpus: dict[str, pd.DataFrame]) -> None:
    matrix = code_attribute_matrix(
        corpus["segments"], corpus["documents"], corpus["cases"], "sex", corpus["turns"], corpus["codes"]
    )
    cell = matrix.set_index(["code_id", "category"])
    # women: C1, P1 (2 cases); men: C2, X1, P2 (3 cases)
    assert cell.loc[("FAM", "f"), ["n_cases", "cases_in_category", "pct_cases"]].tolist() == [2, 2, 100.0]
    assert cell.loc[("FAM", "m"), "n_cases"] == 1
    assert cell.loc[("FAM", "m"), "pct_cases"] == pytest.approx(100 / 3)
    assert cell.loc[("PROB", "m"), "pct_cases"] == pytest.approx(100 / 3)
    assert set(matrix["attribute"]) == {"sex"}


def test_cooccurrence_overlap(corpus: dict[str, pd.DataFrame]) -> None:
    table = code_cooccurrence(corpus["segments"], unit="overlap", codes=corpus["codes"])
    pairs = table.set_index(["code_a", "code_b"])
    # SUP (s10, s12) x FAM (s1, s6, s9): s12 overlaps s1 -> 2 segments co-occur of 5
    assert pairs.loc[("SUP", "FAM"), ["n_a", "n_b", "n_both", "n_either"]].tolist() == [2, 3, 2, 5]
    assert pairs.loc[("SUP", "FAM"), "jaccard"] == pytest.approx(0.4)
    # SUP x WORK (s2, s3, s7): s12-s2 and s10-s7 -> s12, s10, s2, s7 co-occur of 5
    assert pairs.loc[("SUP", "WORK"), "jaccard"] == pytest.approx(0.8)
    assert pairs.loc[("SUP", "WORK"), "n_overlapping_pairs"] == 2
    assert pairs.loc[("SUP", "REL"), "jaccard"] == pytest.approx(2 / 3)
    assert len(table) == 3  # nothing else overlaps
    assert (table["jaccard"] <= 1).all()


def test_cooccurrence_turn_and_document(corpus: dict[str, pd.DataFrame]) -> None:
    turn = code_cooccurrence(corpus["segments"], unit="turn", turns=corpus["turns"])
    pairs = turn.set_index(["code_a", "code_b"])
    # turns: FAM {A, B}, SUP {A, B}, WORK {A}, REL {B}
    assert pairs.loc[("FAM", "SUP"), ["n_both", "jaccard"]].tolist() == [2, 1.0]
    assert pairs.loc[("FAM", "WORK"), "jaccard"] == pytest.approx(0.5)
    assert ("REL", "WORK") not in pairs.index
    with_zero = code_cooccurrence(corpus["segments"], unit="turn", turns=corpus["turns"], include_zero=True)
    assert len(with_zero) == 6  # 4 codes in turns -> 6 pairs
    document = code_cooccurrence(corpus["segments"], unit="document").set_index(["code_a", "code_b"])
    # FAM {K1, F1}, WORK {K1, K2, F1}: 2 / (2 + 3 - 2)
    assert document.loc[("FAM", "WORK"), "jaccard"] == pytest.approx(2 / 3)
    assert document.loc[("POL", "WORK"), "jaccard"] == pytest.approx(1 / 3)
    with pytest.raises(WorkbenchError):
        code_cooccurrence(corpus["segments"], unit="turn")


def test_inputs_not_modified(corpus: dict[str, pd.DataFrame]) -> None:
    before = {name: table.copy() for name, table in corpus.items()}
    code_frequencies(corpus["segments"], corpus["documents"], corpus["cases"], corpus["turns"], corpus["codes"], by="sex")
    code_cooccurrence(corpus["segments"], unit="turn", turns=corpus["turns"])
    for name, table in corpus.items():
        pd.testing.assert_frame_equal(table, before[name])


# ---------------------------------------------------------------------------------------
# Framework matrix (src/workbench/qualitative/framework.py)
# ---------------------------------------------------------------------------------------


def test_framework_matrix_by_hand(corpus: dict[str, pd.DataFrame]) -> None:
    from workbench.qualitative.framework import framework_matrix

    segments = corpus["segments"].copy()
    segments["memo"] = None
    segments.loc[segments["segment_id"] == "s5", "memo"] = "Expert: officers lack training."
    matrix = framework_matrix(
        segments, corpus["documents"], corpus["cases"], corpus["codes"], turns=corpus["turns"]
    )
    assert len(matrix) == 5 * 4  # all cases x top-level themes, empty cells included
    cell = matrix.set_index(["case_id", "theme_id"])
    # C1 x Support: s1 (Family, rolled up) and s12 (Support), both in K1
    assert cell.loc[("C1", "SUP"), "n_segments"] == 2
    assert set(cell.loc[("C1", "SUP"), "references"].split("; ")) == {"K1 0-15", f"K1 0-{len(K1)}"}
    assert "Family matters. [K1 0-15]" in cell.loc[("C1", "SUP"), "summary"]
    # P2 x Support: s8 (Religion), s9 (Family), s10 (spans A and B)
    assert cell.loc[("P2", "SUP"), "n_segments"] == 3
    assert cell.loc[("C2", "SUP"), ["n_segments", "summary"]].tolist() == [0, ""]
    # a memo replaces the coded text as the summary
    assert cell.loc[("X1", "PROB"), "summary"].startswith("Expert: officers lack training. [E1 0-")
    assert cell.loc[("C1", "SUP"), "theme_name"] == "Support"


def test_framework_listed_themes_and_scrubbing(corpus: dict[str, pd.DataFrame]) -> None:
    from workbench.qualitative.framework import framework_matrix

    matrix = framework_matrix(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["codes"], turns=corpus["turns"],
        themes=["FAM", "WORK"], people=pd.DataFrame({"name": ["Family"], "kind": ["person"]}),
    )
    assert sorted(matrix["theme_id"].unique()) == ["FAM", "WORK"]
    cell = matrix.set_index(["case_id", "theme_id"])
    assert cell.loc[("P2", "FAM"), "n_segments"] == 1  # s9 only; REL is not under FAM
    assert "Family" not in cell.loc[("C1", "FAM"), "summary"]
    assert "[PERSON]" in cell.loc[("C1", "FAM"), "summary"]
    with pytest.raises(WorkbenchError):
        framework_matrix(corpus["segments"], corpus["documents"], corpus["cases"], corpus["codes"], themes=["NOPE"])


def test_write_framework_xlsx(corpus: dict[str, pd.DataFrame], tmp_path) -> None:
    from openpyxl import load_workbook

    from workbench.qualitative.framework import framework_matrix, write_framework_xlsx

    matrix = framework_matrix(
        corpus["segments"], corpus["documents"], corpus["cases"], corpus["codes"], turns=corpus["turns"]
    )
    path = write_framework_xlsx(matrix, tmp_path / "framework.xlsx")
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["Matrix", "References"]
    assert set(book.sheetnames[2:]) == {"Support", "Work", "Police", "Probation"}
    sheet = book["Matrix"]
    assert sheet["A1"].value == "Framework matrix"  # title A1, label A2 (none here), header on row 3
    header = [c.value for c in sheet[3]]
    assert header == ["Case", "Support", "Work", "Police", "Probation"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"C1", "C2", "X1", "P1", "P2"}
    expected = matrix.set_index(["case_id", "theme_id"]).loc[("C1", "SUP"), "summary"]
    assert rows["C1"][1] == expected
    theme_sheet = book["Probation"]
    assert [c.value for c in theme_sheet[3]] == ["Case", "Segments", "Summary", "References"]


def test_moderator_is_not_a_participant(corpus: dict[str, pd.DataFrame]) -> None:
    turns = corpus["turns"].assign(role=["moderator", "participant", "participant"])
    people = participants(corpus["documents"], corpus["cases"], turns)
    assert len(people) == 5 and "MOD" not in set(people["speaker"])
    table = code_frequencies(
        corpus["segments"], corpus["documents"], corpus["cases"], turns, corpus["codes"], by="respondent_group"
    )
    assert table["respondent_group"].notna().all()
