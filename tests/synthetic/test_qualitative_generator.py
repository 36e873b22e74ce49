"""The synthetic qualitative demo: shape, truth, second coder, personal data, stakeholders, loading.

References: counts and proportions come from the task (issue 5: about 40 key-informant, 15
expert and 8 focus-group transcripts, 6-10 participants, about 25 codes, 20% double coded);
Cohen's kappa is computed with scikit-learn (an implementation independent of the generator);
dictionaries are checked with the project's validator. Everything else is a property that
must hold for any seed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import cohen_kappa_score

from workbench.errors import WorkbenchError
from workbench.io import read_csv
from workbench.qualitative.corpus import segment_texts
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.schemas import load_dictionary
from workbench.study import Study
from workbench.synthetic.demo import DEFAULT_SEED, generator_rng
from workbench.synthetic.qualitative import (
    SYNTHETIC_LINE,
    TRANSCRIPT_LINE,
    write_qualitative,
)

BARRIERS = {"Stigma and social rejection", "Employment", "Identity documents", "Housing", "Family relations",
            "Mental health and trauma", "Religious community", "Police attention", "Services gaps", "Debt"}
FACILITATORS = {"Family support", "Religious leaders", "NGOs", "Probation officer relationship"}


def _write_study(folder: Path, seed: int = DEFAULT_SEED) -> dict[str, dict]:
    folder.mkdir(parents=True, exist_ok=True)
    entries = write_qualitative(folder, generator_rng(seed, "qualitative"))
    spec = {"title": "qualitative demo (synthetic)", "synthetic": True, "datasets": entries}
    (folder / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return entries


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("qual") / "study"
    entries = _write_study(folder)
    study = Study.load(folder)
    tables = {name.removeprefix("qual_"): study.read(name) for name, e in entries.items() if e["format"] == "csv"}
    docs = tables["documents"]
    texts = {d: (folder / p).read_text(encoding="utf-8") for d, p in zip(docs["doc_id"], docs["path"])}
    return {"folder": folder, "entries": entries, "study": study, "texts": texts, **tables}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- files ---------------------------------------------------------------------------------------
def test_same_rng_gives_byte_identical_files(tmp_path: Path) -> None:
    write_qualitative(tmp_path / "a", np.random.default_rng(7))
    write_qualitative(tmp_path / "b", np.random.default_rng(7))
    write_qualitative(tmp_path / "c", np.random.default_rng(8))
    first, second, other = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert first == second
    assert len(first) == 63 + 8
    assert first["data/qualitative/segments.csv"] != other["data/qualitative/segments.csv"]


def test_entries_name_existing_files_and_dictionaries(demo: dict) -> None:
    entries = demo["entries"]
    assert entries["qual_transcripts"]["format"] == "folder"
    assert (demo["folder"] / entries["qual_transcripts"]["path"]).is_dir()
    tables = [name for name, e in entries.items() if e["format"] == "csv"]
    assert len(tables) == 8
    for name in tables:
        assert entries[name]["dictionary"] == name and name.startswith("qual_")
        assert (demo["folder"] / entries[name]["path"]).is_file()


def test_every_table_is_valid_against_its_dictionary(demo: dict) -> None:
    for name, entry in demo["entries"].items():
        if entry["format"] != "csv":
            continue
        path = demo["folder"] / entry["path"]
        assert path.read_text(encoding="utf-8").splitlines()[0] == SYNTHETIC_LINE
        dictionary = load_dictionary(name)
        typed, problems = dictionary.validate(read_csv(path).data, file=entry["path"])
        assert problems.empty, problems.to_string()
        assert dictionary.id is not None and dictionary.variables[dictionary.id].role == "id"
        for variable in dictionary.variables.values():
            assert re.search("[а-яА-Я]", variable.label["ru"]), (name, variable.name)


def test_transcripts_say_they_are_synthetic_and_hold_non_ascii_text(demo: dict) -> None:
    assert all(text.splitlines()[0] == TRANSCRIPT_LINE for text in demo["texts"].values())
    assert any(not text.isascii() for text in demo["texts"].values())


# ---- design --------------------------------------------------------------------------------------
def test_document_counts_and_participants(demo: dict) -> None:
    docs, cases, turns = demo["documents"], demo["cases"], demo["turns"]
    assert docs["doc_type"].value_counts().to_dict() == {"KII": 40, "expert": 15, "FGD": 8}
    informants = cases[cases["case_id"].isin(docs.loc[docs["doc_type"] == "KII", "case_id"])]
    assert informants["respondent_group"].value_counts().to_dict() == {
        "former_prisoner": 10, "probationer": 10, "parolee": 10, "returnee": 10}
    assert (informants.groupby("respondent_group")["sex"].nunique() == 2).all()
    assert informants["region"].nunique() >= 6
    assert informants.loc[informants["respondent_group"] == "returnee", "with_children"].notna().all()
    assert informants.loc[informants["respondent_group"] != "returnee", "with_children"].isna().all()
    fgds = docs[docs["doc_type"] == "FGD"]
    for doc_id, expected in zip(fgds["doc_id"], fgds["n_participants"]):
        spoken = turns[(turns["doc_id"] == doc_id) & (turns["role"] == "participant")]["case_id"].nunique()
        assert 6 <= spoken <= 10 and spoken == expected
    assert fgds["region"].nunique() == 8
    kii_turns = turns[turns["doc_id"].isin(docs.loc[docs["doc_type"] != "FGD", "doc_id"])]
    assert set(kii_turns["role"]) == {"interviewer", "respondent"}


def test_turn_offsets_follow_the_speaker_labels(demo: dict) -> None:
    for row in demo["turns"].itertuples(index=False):
        text = demo["texts"][row.doc_id]
        assert text[row.start - len(row.speaker) - 2:row.start] == f"{row.speaker}: "
        assert text[row.start - len(row.speaker) - 3] == "\n"
        assert text[row.end] == "\n" and "\n" not in text[row.start:row.end]


def test_codebook_is_a_hierarchy_of_about_25_codes(demo: dict) -> None:
    codes = demo["codes"]
    assert 22 <= len(codes) <= 28
    parents = {c: (None if pd.isna(p) else p) for c, p in zip(codes["code_id"], codes["parent_id"])}
    top = [c for c, p in parents.items() if p is None]
    assert len(top) == 3
    assert all(p is None or p in parents for p in parents.values())
    names = dict(zip(codes["code_id"], codes["name"]))
    barrier_children = {names[c] for c, p in parents.items() if p == "BAR"}
    assert BARRIERS <= barrier_children
    assert FACILITATORS <= {names[c] for c, p in parents.items() if p == "FAC"}
    assert any(p is not None and p not in top for p in parents.values())  # a third level
    assert codes["name_ru"].str.contains("[а-яА-Я]").all()
    assert not codes.set_index("code_id").loc[top, "is_codable"].any()


# ---- coding --------------------------------------------------------------------------------------
def test_segments_are_non_empty_and_inside_their_documents(demo: dict) -> None:
    segments, texts, turns = demo["segments"], demo["texts"], demo["turns"]
    assert set(segments["status"]) == {"accepted"}
    assert set(segments["code_id"]) <= set(demo["codes"].loc[demo["codes"]["is_codable"], "code_id"])
    for row in segments.itertuples(index=False):
        piece = texts[row.doc_id][row.start:row.end]
        assert 0 <= row.start < row.end <= len(texts[row.doc_id]) and piece.strip() == piece != ""
        inside = turns[(turns["doc_id"] == row.doc_id) & (turns["start"] <= row.start) & (turns["end"] >= row.end)]
        assert len(inside) == 1 and inside["role"].iloc[0] in ("respondent", "participant")
    first = segments[segments["coder"] == "R1"]
    pieces = [texts[d][s:e] for d, s, e in zip(first["doc_id"], first["start"], first["end"])]
    assert all(p[0].isupper() and p[-1] == "." for p in pieces)  # R1 codes whole sentences
    assert first["doc_id"].nunique() == 63


def _turn_presence(segments: pd.DataFrame, turns: pd.DataFrame, coder: str, code: str) -> np.ndarray:
    coded = segments[(segments["coder"] == coder) & (segments["code_id"] == code)]
    present = []
    for turn in turns.itertuples(index=False):
        same = coded[coded["doc_id"] == turn.doc_id]
        present.append(bool(((same["start"] < turn.end) & (same["end"] > turn.start)).any()))
    return np.array(present, dtype=int)


def test_second_coder_codes_20_percent_with_realistic_disagreement(demo: dict) -> None:
    segments, turns = demo["segments"], demo["turns"]
    double = sorted(segments.loc[segments["coder"] == "R2", "doc_id"].unique())
    assert 0.18 <= len(double) / 63 <= 0.22
    assert {demo["documents"].set_index("doc_id").loc[d, "doc_type"] for d in double} == {"KII", "expert", "FGD"}
    first = segments[(segments["coder"] == "R1") & segments["doc_id"].isin(double)]
    second = segments[segments["coder"] == "R2"]
    pairs = first.merge(second, on=["doc_id", "code_id"], suffixes=("", "_2"))
    pairs = pairs[(pairs["start"] < pairs["end_2"]) & (pairs["end"] > pairs["start_2"])]
    agreement = pairs["segment_id"].nunique() / len(first)
    assert 0.65 <= agreement <= 0.95  # agreement on most segments, not all
    pairs["overlap"] = np.minimum(pairs["end"], pairs["end_2"]) - np.maximum(pairs["start"], pairs["start_2"])
    best = pairs.sort_values("overlap", ascending=False, kind="stable").drop_duplicates("segment_id_2")
    shifted = best[(best["start"] != best["start_2"]) | (best["end"] != best["end_2"])]
    assert len(shifted) >= 5  # boundaries moved by a few words
    texts = demo["texts"]
    words_moved = [abs(len(texts[d][s1:e1].split()) - len(texts[d][s2:e2].split())) for d, s1, e1, s2, e2 in zip(
        shifted["doc_id"], shifted["start"], shifted["end"], shifted["start_2"], shifted["end_2"])]
    assert max(words_moved) <= 8
    # per-code Cohen's kappa over speaker turns (scikit-learn): mostly good, never perfect everywhere
    spoken = turns[turns["doc_id"].isin(double) & turns["role"].isin(["respondent", "participant"])]
    kappas = {}
    for code in sorted(set(first["code_id"])):
        a, b = _turn_presence(segments, spoken, "R1", code), _turn_presence(segments, spoken, "R2", code)
        if a.sum() >= 3:
            kappas[code] = cohen_kappa_score(a, b)
    values = np.array(list(kappas.values()))
    assert 0.6 <= np.median(values) < 1.0
    assert (values < 0.999).sum() >= 3
    # systematic habits: R2 files debt under employment and dialogue under mentoring
    habits = ["BAR_DEBT", "COM_DIALOGUE"]
    by_first, by_second = first["code_id"].isin(habits).sum(), second["code_id"].isin(habits).sum()
    assert by_first >= 5 and by_second <= by_first / 2


def test_code_discovery_flattens_after_the_first_interviews(demo: dict) -> None:
    docs, segments = demo["documents"], demo["segments"]
    order = docs[docs["doc_type"] == "KII"].sort_values(["date", "doc_id"])["doc_id"]
    first = segments[segments["coder"] == "R1"]
    seen: set[str] = set()
    curve = []
    for doc_id in order:
        seen |= set(first.loc[first["doc_id"] == doc_id, "code_id"])
        curve.append(len(seen))
    assert curve[0] < curve[-1]
    assert curve[14] >= 0.9 * curve[-1]  # new codes mostly within the first 15 interviews
    assert curve[-1] - curve[14] <= 2


def test_women_and_returnees_raise_documents_and_family_more_often(demo: dict) -> None:
    docs, cases, segments = demo["documents"], demo["cases"], demo["segments"]
    first = segments[(segments["coder"] == "R1")].merge(docs[["doc_id", "case_id"]], on="doc_id")
    kii = cases[cases["case_id"].isin(docs.loc[docs["doc_type"] == "KII", "case_id"])].set_index("case_id")

    def share(code_ids: set[str], mask: pd.Series) -> float:
        with_code = set(first.loc[first["code_id"].isin(code_ids), "case_id"])
        members = kii.index[mask]
        return sum(c in with_code for c in members) / len(members)

    returnee = kii["respondent_group"] == "returnee"
    assert share({"BAR_DOCS", "BAR_DOCS_CHILD"}, returnee) > share({"BAR_DOCS", "BAR_DOCS_CHILD"}, ~returnee) + 0.15
    with_children = returnee & kii["with_children"].fillna(False).astype(bool)
    assert share({"BAR_DOCS_CHILD"}, with_children) > share({"BAR_DOCS_CHILD"}, ~returnee) + 0.3
    female = kii["sex"] == "female"
    assert share({"BAR_FAMILY"}, female) > share({"BAR_FAMILY"}, ~female)


# ---- personal data and stakeholders --------------------------------------------------------------
def test_people_occur_in_coded_text_with_identifiers(demo: dict) -> None:
    segments, texts, people = demo["segments"], demo["texts"], demo["people"]
    coded = " ".join(texts[d][s:e] for d, s, e in zip(segments["doc_id"], segments["start"], segments["end"]))
    everything = "\n".join(texts.values())
    assert set(people["kind"]) == {"person", "place"} and len(people) >= 10
    for name in people["name"]:
        assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", everything), name
    assert sum(bool(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", coded)) for n in people["name"]) >= 5
    assert re.search(r"(?:\+996 |0)\d{3} \d{3} \d{3}", coded)  # phone numbers
    assert re.search(r"(?<!\d)[12]\d{13}(?!\d)", coded)  # 14-digit personal number
    assert re.search(r"(?<!\w)(?:AN|ID)\d{7}(?!\d)", coded)  # passport / ID card
    questions = demo["turns"][demo["turns"]["role"].isin(["interviewer", "moderator"])]
    for row in questions.itertuples(index=False):
        question = texts[row.doc_id][row.start:row.end]
        assert not any(name in question for name in people["name"])


def test_stakeholder_mentions_point_to_turns_that_name_them(demo: dict) -> None:
    stakeholders, mentions = demo["stakeholders"], demo["stakeholder_mentions"]
    turns, texts = demo["turns"], demo["texts"]
    expected_types = {"religious leader", "aksakal", "women's committee", "police", "NGO", "probation"}
    assert expected_types <= set(stakeholders["type"])
    assert stakeholders["influence"].between(1, 5).all() and stakeholders["interest"].between(1, 5).all()
    assert set(stakeholders["stance"]) <= {"supportive", "neutral", "opposed"}
    assert set(mentions["stakeholder_id"]) <= set(stakeholders["stakeholder_id"])
    joined = mentions.merge(turns, on="turn_id", suffixes=("", "_turn"), validate="many_to_one")
    assert len(joined) == len(mentions) and (joined["doc_id"] == joined["doc_id_turn"]).all()
    assert set(joined["role"]) == {"participant"} and joined["doc_id"].str.startswith("FGD").all()
    names = dict(zip(stakeholders["stakeholder_id"], stakeholders["name"]))
    recorded = set(zip(mentions["turn_id"], mentions["stakeholder_id"]))
    for turn in turns.itertuples(index=False):
        speech = texts[turn.doc_id][turn.start:turn.end].lower()
        for stakeholder_id, name in names.items():
            named = re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", speech) is not None
            assert named == ((turn.turn_id, stakeholder_id) in recorded), (turn.turn_id, name)
    per_turn = mentions.groupby("turn_id").size()
    assert (per_turn >= 2).sum() >= 5  # co-mentions give the network its edges


# ---- loading -------------------------------------------------------------------------------------
def test_load_study_corpus_returns_full_texts_and_every_table(demo: dict) -> None:
    corpus = load_study_corpus(demo["study"])
    assert len(corpus.documents) == 63 and len(corpus.segments) == len(demo["segments"])
    assert corpus.text_of("KII01") == demo["texts"]["KII01"]
    assert corpus.text_of("KII01").startswith(TRANSCRIPT_LINE)
    assert set(corpus.users["user_id"]) == {"R1", "R2"}
    assert corpus.cases.set_index("case_id").loc["KI01", "name"] == "KI-01"
    quoted = segment_texts(corpus)
    assert (quoted.str.len() > 0).all()
    first = corpus.segments.iloc[0]
    assert quoted.iloc[0] == demo["texts"][first["doc_id"]][first["start"]:first["end"]]
    assert corpus.documents["date"].str.match(r"\d{4}-\d{2}-\d{2}$").all()
    assert len(corpus.people) == len(demo["people"]) and len(corpus.turns) == len(demo["turns"])


def test_load_study_corpus_names_document_and_offsets_of_a_bad_segment(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    _write_study(folder)
    path = folder / "data" / "qualitative" / "segments.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[2].split(",")  # first data row: segment_id, doc_id, start, end, ...
    fields[3] = "999999"
    lines[2] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(WorkbenchError) as caught:
        load_study_corpus(Study.load(folder))
    assert fields[1] in caught.value.message and f"{fields[2]}-999999" in caught.value.message
    assert caught.value.record_id == fields[0]


def test_load_study_corpus_reports_a_missing_transcript(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    _write_study(folder)
    (folder / "data" / "qualitative" / "transcripts" / "EXP03.txt").unlink()
    with pytest.raises(WorkbenchError) as caught:
        load_study_corpus(Study.load(folder))
    assert caught.value.record_id == "EXP03"


def test_no_coded_sentence_is_said_by_speakers_of_two_groups(demo: dict) -> None:
    """Oracle: the written transcripts, turns, cases and R1's segments: each coded sentence's
    speaker group from the turn it lies in. One sentence of the phrase bank in the mouths of a
    former prisoner and a probationer would be quoted under two groups (issue 14.2)."""
    turns, cases, segments = demo["turns"], demo["cases"], demo["segments"]
    group = dict(zip(cases["case_id"], cases["respondent_group"]))
    spoken = turns[turns["case_id"].notna()]
    groups_of: dict[str, set] = {}
    for seg in segments[segments["coder"] == "R1"].itertuples(index=False):
        turn = spoken[(spoken["doc_id"] == seg.doc_id) & (spoken["start"] <= seg.start) & (spoken["end"] > seg.start)]
        if len(turn):
            words = demo["texts"][seg.doc_id][seg.start:seg.end]
            groups_of.setdefault(words, set()).add(group[turn["case_id"].iloc[0]])
    assert len(groups_of) > 300  # the demo's coded sentences are all there
    assert {words: g for words, g in groups_of.items() if len(g) > 1} == {}
