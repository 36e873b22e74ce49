"""Auto-coding proposals, accepting/rejecting them, merging codes and recoding tables."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.coding import accept_proposals, auto_code, merge_codes, recode, reject_proposals
from workbench.qualitative.corpus import Corpus, segment_texts

TEXT = "Р1: Семья помогла.\r\nИнтервьюер: А работа?\r\nР1: Работа — нет. Семейные связи важны.\r\n"


def _corpus() -> Corpus:
    documents = pd.DataFrame({"doc_id": ["d1"], "name": ["KII 1"], "text": [TEXT]})
    codes = pd.DataFrame({"code_id": ["support", "family", "kin", "work", "other"],
                          "name": ["Support", "Family", "Kin", "Work", "Other"],
                          "parent_id": [None, "support", "support", None, None]})
    kin_child = pd.DataFrame({"code_id": ["kin_far"], "name": ["Distant kin"], "parent_id": ["kin"]})
    start = TEXT.index("Семья помогла")
    segments = pd.DataFrame({
        "segment_id": ["s1", "s2", "s3"], "doc_id": ["d1"] * 3, "start": [start, start, TEXT.index("Работа")],
        "end": [start + 13, start + 13, TEXT.index("Работа") + 6], "code_id": ["family", "kin", "work"],
        "coder": ["u1", "u1", "u2"], "memo": [None] * 3, "status": ["accepted"] * 3})
    turns = pd.DataFrame({"doc_id": ["d1", "d1", "d1"], "turn_id": ["t1", "t2", "t3"], "speaker": ["Р1", "И", "Р1"],
                          "start": [4, TEXT.index("А работа"), TEXT.index("Работа")],
                          "end": [TEXT.index("\r\n"), TEXT.index("?") + 1, len(TEXT) - 2]})
    users = pd.DataFrame({"user_id": ["u1", "u2"], "name": ["A", "B"]})
    return Corpus(documents=documents, codes=pd.concat([codes, kin_child], ignore_index=True), segments=segments,
                  turns=turns, users=users)


def test_auto_code_proposes_whole_word_case_insensitive_matches() -> None:
    corpus = _corpus()
    out = auto_code(corpus, "work", ["работа"])
    proposed = out.segments[out.segments["status"] == "proposed"]
    # "А работа?" and "Работа — нет" both match (case-insensitive); the latter already exists
    # as accepted segment s3 with the same offsets and code, so only one new proposal.
    assert segment_texts(out, proposed).tolist() == ["работа"]
    assert proposed["start"].tolist() == [TEXT.index("работа")]
    assert proposed["coder"].tolist() == ["auto"]
    assert len(corpus.segments) == 3  # input unchanged


def test_auto_code_regex_and_units() -> None:
    corpus = _corpus()
    words = auto_code(corpus, "family", r"Сем\w*", regex=True)
    assert sorted(segment_texts(words, words.segments[words.segments["status"] == "proposed"])) == \
        ["Семейные", "Семья"]  # unit "match": the bare word, a new span beside s1 ("Семья помогла")
    by_turn = auto_code(corpus, "family", r"Сем\w*", regex=True, unit="turn")
    proposed = by_turn.segments[by_turn.segments["status"] == "proposed"]
    assert segment_texts(by_turn, proposed).tolist() == ["Семья помогла.", "Работа — нет. Семейные связи важны."]
    by_line = auto_code(corpus, "other", "нет", unit="line")
    line = segment_texts(by_line, by_line.segments[by_line.segments["status"] == "proposed"]).tolist()
    assert line == ["Р1: Работа — нет. Семейные связи важны."]
    assert not auto_code(corpus, "other", "рабо").segments["status"].eq("proposed").any()  # whole words only


def test_accept_and_reject_proposals() -> None:
    out = auto_code(_corpus(), "family", r"Сем\w*", regex=True)
    ids = out.segments.loc[out.segments["status"] == "proposed", "segment_id"].tolist()
    accepted = accept_proposals(out, ids, accepted_by="u2")
    row = accepted.segments.set_index("segment_id").loc[ids[0]]
    assert (row["status"], row["coder"]) == ("accepted", "u2")
    assert len(reject_proposals(out, ids).segments) == 3
    with pytest.raises(WorkbenchError, match="unknown segment"):
        accept_proposals(out, ["nope"])
    with pytest.raises(WorkbenchError, match="not proposed"):
        accept_proposals(out, ["s1"])


def test_merge_codes_recodes_deduplicates_and_reparents() -> None:
    merged = merge_codes(_corpus(), ["kin"], into="family")
    # s1 (family) and s2 (kin) cover the same span by the same coder: one segment remains.
    assert merged.segments["segment_id"].tolist() == ["s1", "s3"]
    assert "kin" not in set(merged.codes["code_id"])
    assert merged.codes.set_index("code_id").loc["kin_far", "parent_id"] == "family"


def test_recode_table_by_names_and_deletion() -> None:
    table = pd.DataFrame({"old_code": ["Kin", "Work"], "new_code": ["Family", None]})
    out = recode(_corpus(), table)
    assert out.segments["code_id"].tolist() == ["family"]
    assert set(out.codes["code_id"]) == {"support", "family", "other", "kin_far"}
    with pytest.raises(WorkbenchError, match="chained"):
        recode(_corpus(), {"kin": "family", "family": "other"})
    with pytest.raises(WorkbenchError, match="not a known code"):
        recode(_corpus(), {"nope": "family"})
