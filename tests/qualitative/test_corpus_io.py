"""Corpus model, coded-segment tables, transcripts with speaker turns, codebook tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.corpus import Corpus, corpus_problems, segment_texts, validate_corpus
from workbench.qualitative.segments_io import read_codebook, read_segment_table, read_transcript, read_transcripts

TRANSCRIPT = ("# SYNTHETIC test transcript\r\n"
              "Интервьюер: Расскажите о работе.\r\n"
              "Р1: Работы нет. 😔\r\n"
              "Пришлось уехать в Бишкек.\r\n"
              "\r\n"
              "Интервьюер: А семья?\r\n"
              "Р1: Семья помогла.\r\n")


def _corpus() -> Corpus:
    documents = pd.DataFrame({"doc_id": ["d1", "d2"], "name": ["Interview 1", "Interview 2"],
                              "text": ["Семья помогла 👨‍👩‍👧, работа нашлась.\r\nСоседи боялись.",
                                       "Work was hard. Work was hard again."]})
    codes = pd.DataFrame({"code_id": ["c1", "c2"], "name": ["Семья", "Работа"], "parent_id": [None, None]})
    return Corpus(documents=documents, codes=codes)


# ---------------------------------------------------------------------------------------
# Corpus model
# ---------------------------------------------------------------------------------------
def test_equality_ignores_row_order_and_meta_but_not_values() -> None:
    a = _corpus()
    b = Corpus(documents=a.documents.iloc[::-1], codes=a.codes.iloc[::-1], meta={"offsets": "utf16"})
    assert a == b
    c = a.copy()
    c.codes.loc[0, "name"] = "Family"
    assert a != c
    assert a.differences(c)[0].startswith("codes")


def test_corpus_does_not_change_its_input() -> None:
    documents = pd.DataFrame({"doc_id": [1], "name": ["x"], "text": ["abc"]})
    Corpus(documents=documents)
    assert list(documents.columns) == ["doc_id", "name", "text"]
    assert documents["doc_id"].tolist() == [1]


def test_validation_lists_every_problem() -> None:
    corpus = _corpus()
    corpus.segments = pd.DataFrame({"segment_id": ["s1", "s2"], "doc_id": ["d1", "dX"], "start": [5, 0],
                                    "end": [500, 3], "code_id": ["c9", "c1"], "coder": [None, None],
                                    "memo": [None, None], "status": ["accepted", "maybe"]})
    problems = corpus_problems(corpus)
    assert set(problems["record_id"]) == {"s1", "s2"}
    assert problems["problem"].str.contains("do not lie inside").any()
    assert problems["problem"].str.contains("unknown code").any()
    assert problems["problem"].str.contains("unknown document").any()
    assert problems["problem"].str.contains("unknown status").any()
    with pytest.raises(WorkbenchError) as caught:
        validate_corpus(corpus)
    assert len(caught.value.problems) == len(problems) == 4


def test_code_hierarchy_cycle_is_a_problem() -> None:
    codes = pd.DataFrame({"code_id": ["a", "b"], "name": ["A", "B"], "parent_id": ["b", "a"]})
    assert corpus_problems(Corpus(codes=codes))["problem"].str.contains("cycle").any()


# ---------------------------------------------------------------------------------------
# Coded-segment tables
# ---------------------------------------------------------------------------------------
def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    path.write_text("# SYNTHETIC test data\n" + frame.to_csv(index=False), encoding="utf-8")
    return path


def test_segment_table_with_offsets_and_quotes(tmp_path: Path) -> None:
    corpus = _corpus()
    text = corpus.text_of("d1")
    start = text.index("работа")
    table = pd.DataFrame({"document": ["Interview 1", "d1"], "code": ["Работа", "c1"],
                          "start": [start, 0], "end": [start + len("работа нашлась"), len("Семья помогла 👨‍👩‍👧")],
                          "text": ["работа нашлась", "Семья помогла 👨‍👩‍👧"], "coder": ["u1", "u1"]})
    segments = read_segment_table(_write_csv(tmp_path / "s.csv", table), corpus)
    assert segments["code_id"].tolist() == ["c2", "c1"]
    assert segment_texts(corpus, segments).tolist() == ["работа нашлась", "Семья помогла 👨‍👩‍👧"]
    assert segments["segment_id"].tolist() == ["s:1", "s:2"]


def test_segment_table_in_utf16_offsets_is_converted(tmp_path: Path) -> None:
    corpus = _corpus()
    text = corpus.text_of("d1")
    start = text.index("работа")
    utf16_start = len(text[:start].encode("utf-16-le")) // 2  # the family emoji has 3 astral code points
    assert utf16_start == start + 3
    table = pd.DataFrame({"document": ["d1"], "code": ["c2"], "start": [utf16_start],
                          "end": [utf16_start + 6], "text": ["работа"]})
    segments = read_segment_table(_write_csv(tmp_path / "s.csv", table), corpus, offsets="utf16")
    assert (segments["start"].iloc[0], segments["end"].iloc[0]) == (start, start + 6)
    with pytest.raises(WorkbenchError, match="not the quoted text"):
        read_segment_table(tmp_path / "s.csv", corpus)  # read as code points it selects other text


def test_segment_table_quotes_only(tmp_path: Path) -> None:
    corpus = _corpus()
    table = pd.DataFrame({"document": ["d1", "d2"], "code": ["c1", "c2"],
                          "text": ["Семья  помогла", "Work was hard"], "occurrence": [None, 2]})
    segments = read_segment_table(_write_csv(tmp_path / "q.csv", table), corpus)
    # Whitespace runs in a quote match any whitespace; "occurrence" picks the second hit.
    assert segments["start"].tolist() == [0, corpus.text_of("d2").index("Work was hard again")]
    assert segment_texts(corpus, segments).tolist() == ["Семья помогла", "Work was hard"]


def test_segment_table_errors(tmp_path: Path) -> None:
    corpus = _corpus()
    ambiguous = pd.DataFrame({"document": ["d2"], "code": ["c2"], "text": ["Work was hard"]})
    with pytest.raises(WorkbenchError, match="occurs 2 times") as caught:
        read_segment_table(_write_csv(tmp_path / "a.csv", ambiguous), corpus)
    assert caught.value.row == 1
    missing = pd.DataFrame({"document": ["d1"], "code": ["c1"], "text": ["не найдено"]})
    with pytest.raises(WorkbenchError, match="not found"):
        read_segment_table(_write_csv(tmp_path / "m.csv", missing), corpus)
    too_long = pd.DataFrame({"document": ["d1"], "code": ["c1"], "start": [0], "end": [9999]})
    with pytest.raises(WorkbenchError, match="do not fit document 'd1'"):
        read_segment_table(_write_csv(tmp_path / "t.csv", too_long), corpus)
    unknown = pd.DataFrame({"document": ["d1"], "code": ["nope"], "start": [0], "end": [1]})
    with pytest.raises(WorkbenchError, match="unknown code"):
        read_segment_table(_write_csv(tmp_path / "u.csv", unknown), corpus)


def test_segment_table_from_xlsx_one_based(tmp_path: Path) -> None:
    corpus = _corpus()
    path = tmp_path / "s.xlsx"
    # 1-based inclusive positions 1..5 are the first five characters "Семья".
    pd.DataFrame({"document": ["d1"], "code": ["c1"], "start": [1], "end": [5]}).to_excel(path, index=False)
    segments = read_segment_table(path, corpus, one_based=True)
    assert segment_texts(corpus, segments).tolist() == ["Семья"]


# ---------------------------------------------------------------------------------------
# Transcripts
# ---------------------------------------------------------------------------------------
def test_transcript_turns_keep_crlf_offsets(tmp_path: Path) -> None:
    path = tmp_path / "KII-07.txt"
    path.write_bytes(TRANSCRIPT.encode("utf-8"))
    corpus = read_transcript(path, doc_type="KII", date="2024-05-01")
    assert corpus.documents.iloc[0][["doc_id", "doc_type"]].tolist() == ["KII-07", "KII"]
    assert corpus.text_of("KII-07") == TRANSCRIPT  # CRLF kept: offsets are into this exact text
    turns = corpus.turns
    assert turns["speaker"].tolist() == ["Интервьюер", "Р1", "Интервьюер", "Р1"]
    said = [corpus.segment_text(t) for _, t in turns.iterrows()]
    assert said == ["Расскажите о работе.", "Работы нет. 😔\r\nПришлось уехать в Бишкек.", "А семья?",
                    "Семья помогла."]


def test_transcript_speaker_table_restricts_labels_and_adds_attributes(tmp_path: Path) -> None:
    path = tmp_path / "k.txt"
    path.write_text("I: Hello.\nNote: not a speaker\nR: Hi. Time was 10:30.\n", encoding="utf-8")
    speakers = pd.DataFrame({"speaker": ["I", "R"], "role": ["interviewer", "respondent"]})
    corpus = read_transcript(path, speakers=speakers)
    assert corpus.turns["speaker"].tolist() == ["I", "R"]
    assert corpus.turns["role"].tolist() == ["interviewer", "respondent"]
    assert corpus.segment_text(corpus.turns.iloc[0]) == "Hello.\nNote: not a speaker"


def test_transcript_errors_and_many_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Р1: привет".encode("cp1251"))
    with pytest.raises(WorkbenchError, match="not valid utf-8"):
        read_transcript(bad)
    one, two = tmp_path / "a.txt", tmp_path / "b.txt"
    one.write_text("A: x\n", encoding="utf-8")
    two.write_text("B: y\n", encoding="utf-8")
    corpus = read_transcripts([one, two])
    assert corpus.documents["doc_id"].tolist() == ["a", "b"]
    assert corpus.turns["speaker"].tolist() == ["A", "B"]


# ---------------------------------------------------------------------------------------
# Codebook tables
# ---------------------------------------------------------------------------------------
def test_codebook_from_yaml_and_csv_agree(tmp_path: Path) -> None:
    yaml_path = tmp_path / "codebook.yaml"
    yaml_path.write_text(
        "codes:\n"
        "  - id: support\n    name: Поддержка\n    children:\n"
        "      - id: family\n        name: Семья\n        inclusion: relatives helping\n"
        "  - id: stigma\n    name: Стигма\n    exclusion: self-stigma\n", encoding="utf-8")
    csv_path = _write_csv(tmp_path / "codebook.csv", pd.DataFrame({
        "code_id": ["support", "family", "stigma"], "name": ["Поддержка", "Семья", "Стигма"],
        "parent": [None, "Поддержка", None], "inclusion": [None, "relatives helping", None],
        "exclusion": [None, None, "self-stigma"]}))
    from_yaml = read_codebook(yaml_path)
    from_csv = read_codebook(csv_path)
    assert Corpus(codes=from_yaml) == Corpus(codes=from_csv)
    assert from_yaml.set_index("code_id").loc["family", "parent_id"] == "support"


def test_codebook_unknown_parent_is_an_error(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "cb.csv", pd.DataFrame({"name": ["A"], "parent": ["Z"]}))
    with pytest.raises(WorkbenchError, match="unknown code"):
        read_codebook(path)
