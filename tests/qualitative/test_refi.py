"""REFI-QDA .qdpx/.qdc reading and writing against a real NVivo export and the QDA-XML XSDs."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from workbench.errors import WorkbenchError
from workbench.qualitative.corpus import Corpus, code_depths, segment_texts
from workbench.qualitative.refi import (
    from_codepoints,
    qdc_bytes,
    qdpx_bytes,
    read_qdc,
    read_qdpx,
    to_codepoints,
    write_qdc,
    write_qdpx,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "qualitative"
NVIVO = FIXTURES / "nvivo_export_oltas0517.qdpx"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def nvivo() -> Corpus:
    return read_qdpx(NVIVO)


@pytest.fixture(scope="module")
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "REFI-QDA-Project-1.0.xsd")))


def _qde(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("project.qde"))


# ---------------------------------------------------------------------------------------
# The real NVivo export
# ---------------------------------------------------------------------------------------
def test_nvivo_counts_match_the_published_description(nvivo: Corpus) -> None:
    # Counts from the reference README (2 text sources, 152 codes, 303 codings, 2 users),
    # confirmed by counting <TextSource>, <Code>, <Coding>, <User> elements in project.qde.
    assert len(nvivo.documents) == 2
    assert len(nvivo.codes) == 152
    assert len(nvivo.segments) == 303
    assert len(nvivo.users) == 2
    assert nvivo.segments["coder"].nunique() == 1  # one user made every coding
    assert nvivo.meta["offsets"] == "utf16"
    assert nvivo.meta["origin"] == "NVivo for Windows 12.6"


def test_nvivo_code_hierarchy_is_intact(nvivo: Corpus) -> None:
    codes = nvivo.codes
    assert codes["code_id"].is_unique
    parents = codes["parent_id"].dropna()
    assert parents.isin(codes["code_id"]).all()
    assert code_depths(codes).max() == 4
    top = codes.loc[codes["parent_id"].isna(), "name"].tolist()
    assert top[:2] == ["1. Oltás típusa", "2. Attitűd szint az oltáshoz"]
    covid = codes.loc[codes["name"] == "COVID"].iloc[0]
    assert codes.set_index("code_id").loc[covid["parent_id"], "name"] == "1. Oltás típusa"
    assert codes.loc[codes["name"] == "1. Oltás típusa", "description"].iloc[0] == "COVID vay nem COVID"
    assert (~codes["is_codable"]).sum() == 1  # one code folder has isCodable="false"


def test_every_nvivo_coding_matches_independent_utf16_slicing(nvivo: Corpus) -> None:
    # Independent check: parse project.qde with the standard library, read each source as
    # UTF-8 (BOM removed), encode to UTF-16-LE and slice bytes [2*start, 2*end) -- NVivo's
    # convention done by Python's codec rather than by the reader's offset tables.
    with zipfile.ZipFile(NVIVO) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        expected = {}
        for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
            raw = archive.read("Sources/" + source.get("plainTextPath").split("//")[1])
            units = raw.decode("utf-8-sig").encode("utf-16-le")
            for selection in source.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
                a, b = int(selection.get("startPosition")), int(selection.get("endPosition"))
                for coding in selection.iter("{urn:QDA-XML:project:1.0}Coding"):
                    expected[coding.get("guid")] = units[2 * a:2 * b].decode("utf-16-le")
    found = dict(zip(nvivo.segments["segment_id"], segment_texts(nvivo), strict=True))
    assert len(expected) == 303
    assert found == expected


def test_nvivo_quotes_are_the_comments_seen_by_hand(nvivo: Corpus) -> None:
    # Verified by hand: `unzip -p ... Sources/68bbdc14-....txt | grep -n -A1 @tamasnemes3490`
    # shows the comment line below the author handle; the selection with startPosition 3137
    # (UTF-16 units; 3132 code points: 5 emoji come before it) covers exactly that line.
    quotes = segment_texts(nvivo)
    by_id = dict(zip(nvivo.segments["segment_id"], quotes, strict=True))
    assert by_id["da50c6de-cd58-40da-a7e3-be4b82d7f00c"] == (
        "Senkit nem lehet kötelezni oltásra, ilyet csak ostoba korlátolt agyi kapacitással rendelkező "
        "emberhulladék hozhat aki nem szaporodhat és nem élhet.")
    # The last selection in the text (79 emoji before it): the comment under @balkrokk7699.
    assert by_id["b28afaef-429d-4222-95e6-43540cbd4d4a"] == (
        "CDC announces 79% of all U.S. omicron cases have occurred in vaccinated individuals")
    # A selection ending in emoji (each two UTF-16 units): the whole comment, emoji included.
    assert by_id["9804ae27-e5be-4127-8d6e-5fb52d77016e"] == (
        "Rohadt életbe, hogy az emberre rá akarnak erőszakolni valamit, ami csak ajánlott 😤😤😤")
    text = nvivo.text_of(nvivo.segments.iloc[0]["doc_id"])
    row = nvivo.segments.set_index("segment_id").loc["da50c6de-cd58-40da-a7e3-be4b82d7f00c"]
    assert text[: row["start"]].endswith("@tamasnemes3490\r\n")
    assert text[row["end"]:].startswith("\r\n3\r\n")


def test_nvivo_quotes_are_nonempty_and_start_and_end_at_word_boundaries(nvivo: Corpus) -> None:
    texts = dict(zip(nvivo.documents["doc_id"], nvivo.documents["text"], strict=True))
    quotes = segment_texts(nvivo)
    assert (quotes.str.strip().str.len() > 0).all()

    def boundary(text: str, i: int) -> bool:
        return i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())

    misses = [(r.segment_id, side) for r in nvivo.segments.itertuples() for side, i in (("start", r.start),
              ("end", r.end)) if not boundary(texts[r.doc_id], i)]
    # 3 of 606 boundaries cut a word; inspected by hand, they are the coder's own imprecise
    # selections ("J|avitsatok", "hiede|lem", "A|KI"), not shifts: neighbours are exact.
    assert len(misses) == 3


def test_nvivo_under_the_standards_code_points_fails_clearly() -> None:
    # Read as code points, NVivo's positions drift by one per emoji; 3 selections then end
    # between the CR and LF of a line break, which the reader reports instead of shifting.
    with pytest.raises(WorkbenchError) as caught:
        read_qdpx(NVIVO, offsets="codepoints")
    assert "do not map onto their text" in str(caught.value)
    assert len(caught.value.problems) == 3
    assert caught.value.problems["problem"].str.contains("videos_10_selected").all()


def test_nvivo_round_trip_and_schema(nvivo: Corpus, project_schema: etree.XMLSchema, tmp_path: Path) -> None:
    out = write_qdpx(nvivo, tmp_path / "out.qdpx")
    root = _qde(out.read_bytes())
    assert project_schema.validate(root), project_schema.error_log
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert "project.qde" in names and all(n.startswith("sources/") for n in names
                                           if n not in ("project.qde", "workbench-extras.json"))
    again = read_qdpx(out)
    assert again.meta["offsets"] == "codepoints"
    assert again == nvivo, again.differences(nvivo)
    # NVivo's GUIDs are kept as they were.
    assert set(root.xpath("//q:Code/@guid", namespaces=NS)) == set(nvivo.codes["code_id"])
    assert qdpx_bytes(again) == out.read_bytes()  # same corpus, same bytes


# ---------------------------------------------------------------------------------------
# A hand-made corpus: Cyrillic, emoji, CRLF
# ---------------------------------------------------------------------------------------
def _hand_made() -> Corpus:
    text1 = ("Интервьюер: Как вы вернулись домой? 🙂\r\nР1: Семья помогла 👨‍👩‍👧, работа нашлась не сразу.\r\n"
             "Интервьюер: Что было труднее всего?\r\nР1: Соседи боялись меня. 😔 Потом привыкли.\r\n")
    text2 = "Expert: Probation officers lack training 📚.\nExpert: Families are the key 🔑 to reintegration.\n"
    documents = pd.DataFrame({
        "doc_id": ["KII-01", "EXP-01"], "name": ["Interview 1", "Expert 1"], "text": [text1, text2],
        "doc_type": ["KII", "expert"], "date": ["2024-03-01", "2024-03-05"],
        "interviewer": ["A. Abdyldaeva", None], "case_id": ["R1", None], "language": ["ru", "en"]})
    cases = pd.DataFrame({"case_id": ["R1"], "name": ["Respondent 1"], "respondent_group": ["returnee"],
                          "sex": ["f"], "age": [34]})
    codes = pd.DataFrame({
        "code_id": ["support", "family", "work", "stigma"],
        "name": ["Поддержка", "Семья", "Работа", "Стигма"],
        "parent_id": [None, "support", "support", None],
        "description": ["Sources of support", "Family help", None, "Fear or rejection by others"],
        "inclusion": [None, "Any mention of relatives helping", None, None],
        "exclusion": [None, None, None, "Self-stigma"], "color": ["#3366cc", None, "#ccc", None]})

    def span(text: str, quote: str) -> tuple[int, int]:
        start = text.index(quote)
        return start, start + len(quote)

    rows = []
    for sid, doc, text, quote, code, coder, status in [
        ("s1", "KII-01", text1, "Семья помогла 👨‍👩‍👧", "family", "u1", "accepted"),
        ("s2", "KII-01", text1, "работа нашлась не сразу", "work", "u1", "accepted"),
        ("s3", "KII-01", text1, "Соседи боялись меня. 😔 Потом привыкли.", "stigma", "u2", "accepted"),
        ("s4", "KII-01", text1, "Соседи боялись меня.", "stigma", "u1", "accepted"),
        ("s5", "EXP-01", text2, "Families are the key 🔑 to reintegration.", "family", "u2", "accepted"),
        ("s6", "EXP-01", text2, "Probation officers lack training", "support", "u2", "proposed"),
    ]:
        a, b = span(text, quote)
        rows.append({"segment_id": sid, "doc_id": doc, "start": a, "end": b, "code_id": code, "coder": coder,
                     "memo": "проверить" if sid == "s3" else None, "status": status})
    users = pd.DataFrame({"user_id": ["u1", "u2"], "name": ["Айгуль", "Bakyt"]})
    turns = pd.DataFrame({"doc_id": ["KII-01"], "turn_id": ["t0001"], "speaker": ["Р1"],
                          "start": [text1.index("Семья")], "end": [text1.index("\r\nИнтервьюер: Что")],
                          "role": ["respondent"]})
    people = pd.DataFrame({"name": ["Бишкек"], "kind": ["place"]})
    return Corpus(documents=documents, cases=cases, codes=codes, segments=pd.DataFrame(rows), users=users,
                  turns=turns, people=people)


def test_hand_made_round_trip_schema_and_bytes(project_schema: etree.XMLSchema, tmp_path: Path) -> None:
    corpus = _hand_made()
    data = qdpx_bytes(corpus, include_proposed=True)
    assert project_schema.validate(_qde(data)), project_schema.error_log
    assert qdpx_bytes(corpus.copy(), include_proposed=True) == data
    path = tmp_path / "hand.qdpx"
    path.write_bytes(data)
    again = read_qdpx(path)
    assert again == corpus, again.differences(corpus)
    assert sorted(segment_texts(again)) == sorted(segment_texts(corpus))
    # The embedded sources are the texts as UTF-8, CRLF kept.
    with zipfile.ZipFile(path) as archive:
        stored = {n: archive.read(n) for n in archive.namelist() if n.startswith("sources/")}
    assert sorted(v.decode("utf-8") for v in stored.values()) == sorted(corpus.documents["text"])
    assert any(b"\r\n" in v for v in stored.values())


def test_positions_written_are_code_points_per_the_standard() -> None:
    corpus = _hand_made()
    root = _qde(qdpx_bytes(corpus))
    text = corpus.text_of("KII-01")
    quote = "работа нашлась не сразу"
    selection = [s for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")
                 if int(s.get("startPosition")) == text.index(quote)]
    # Python str indices are code points; the emoji before it (a ZWJ family of 5 code points
    # and one smiley) would shift UTF-16 positions by 4.
    assert len(selection) == 1
    assert int(selection[0].get("endPosition")) == text.index(quote) + len(quote)


def test_proposed_segments_are_left_out_by_default(tmp_path: Path) -> None:
    corpus = _hand_made()
    again = read_qdpx(write_qdpx(corpus, tmp_path / "p.qdpx"))
    assert set(again.segments["segment_id"]) == {"s1", "s2", "s3", "s4", "s5"}
    assert (again.segments["status"] == "accepted").all()


@pytest.mark.parametrize("convention, qde_name, folder", [
    ("utf16", "project.qde", "Sources"),          # NVivo's habits
    ("crlf_as_one", "Atlas export.qde", "sources"),  # ATLAS.ti's habits
])
def test_vendor_conventions_are_detected(convention: str, qde_name: str, folder: str, tmp_path: Path) -> None:
    corpus = _hand_made()
    members = {}
    with zipfile.ZipFile(io.BytesIO(qdpx_bytes(corpus, offsets=convention, extras=False))) as archive:
        for name in archive.namelist():
            target = qde_name if name == "project.qde" else name.replace("sources/", f"{folder}/")
            members[target] = archive.read(name)
    path = tmp_path / "vendor.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    again = read_qdpx(path)
    assert again.meta["offsets"] == convention
    assert again.meta["project_file"] == qde_name
    original = corpus.segments[corpus.segments["status"] == "accepted"]
    assert sorted(segment_texts(again)) == sorted(segment_texts(corpus, original))


def test_offset_conversion_agrees_with_python_codecs() -> None:
    text = "a😀b\r\nc👨‍👩‍👧d"
    indices = list(range(len(text) + 1))
    utf16 = from_codepoints(text, indices, "utf16")
    assert list(utf16) == [len(text[:i].encode("utf-16-le")) // 2 for i in indices]
    crlf = from_codepoints(text, indices, "crlf_as_one")
    assert list(crlf) == [len(text[:i].replace("\r\n", "\n")) - (text[:i].endswith("\r")) for i in indices]
    back, ok = to_codepoints(text, utf16, "utf16")
    assert list(back[ok]) == [i for i in indices if not (text[i - 1:i + 1] == "\r\n")]
    _, ok = to_codepoints(text, [2], "utf16")  # inside the surrogate pair of 😀
    assert not ok[0]


# ---------------------------------------------------------------------------------------
# Clear errors
# ---------------------------------------------------------------------------------------
def _rewrite(data: bytes, edit_qde=None, edit_source=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            content = old.read(name)
            if name == "project.qde" and edit_qde:
                content = edit_qde(content)
            if name.startswith("sources/") and edit_source:
                content = edit_source(content)
            new.writestr(name, content)
    return out.getvalue()


def test_selection_past_the_end_of_its_text_is_an_error(tmp_path: Path) -> None:
    corpus = _hand_made()
    text = corpus.text_of("EXP-01")
    quote = "Families are the key 🔑 to reintegration."
    end = text.index(quote) + len(quote)

    def stretch(qde: bytes) -> bytes:
        return qde.replace(f'endPosition="{end}"'.encode(), f'endPosition="{len(text) + 50}"'.encode())

    path = tmp_path / "bad.qdpx"
    path.write_bytes(_rewrite(qdpx_bytes(corpus), edit_qde=stretch))
    with pytest.raises(WorkbenchError) as caught:
        read_qdpx(path, offsets="codepoints")
    message = str(caught.value)
    assert "Expert 1" in message and str(len(text) + 50) in message
    with pytest.raises(WorkbenchError, match="do not map onto their text"):
        read_qdpx(path)  # auto: no convention makes it fit


def test_missing_code_reference_is_an_error(tmp_path: Path) -> None:
    corpus = _hand_made()
    root = _qde(qdpx_bytes(corpus))
    family_guid = root.xpath("//q:Code[@name='Семья']/@guid", namespaces=NS)[0]

    def drop_code(qde: bytes) -> bytes:
        return qde.replace(f'targetGUID="{family_guid}"'.encode(),
                           b'targetGUID="00000000-0000-0000-0000-000000000001"')

    path = tmp_path / "bad.qdpx"
    path.write_bytes(_rewrite(qdpx_bytes(corpus), edit_qde=drop_code))
    with pytest.raises(WorkbenchError, match="not in the codebook") as caught:
        read_qdpx(path)
    assert "00000000-0000-0000-0000-000000000001" in str(caught.value)


def test_non_utf8_text_source_is_an_error(tmp_path: Path) -> None:
    corpus = _hand_made()

    def to_cp1251(source: bytes) -> bytes:
        text = source.decode("utf-8")
        return text.encode("cp1251", errors="replace") if "Интервьюер" in text else source

    path = tmp_path / "bad.qdpx"
    path.write_bytes(_rewrite(qdpx_bytes(corpus), edit_source=to_cp1251))
    with pytest.raises(WorkbenchError, match="not valid UTF-8") as caught:
        read_qdpx(path)
    assert "Interview 1" in str(caught.value)


def test_not_a_zip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.qdpx"
    path.write_text("hello")
    with pytest.raises(WorkbenchError, match="not a .qdpx archive"):
        read_qdpx(path)


def test_writer_refuses_an_inconsistent_corpus() -> None:
    corpus = _hand_made()
    corpus.segments.loc[0, "end"] = len(corpus.text_of("KII-01")) + 1
    with pytest.raises(WorkbenchError, match="do not lie inside"):
        qdpx_bytes(corpus)


# ---------------------------------------------------------------------------------------
# Codebooks (.qdc)
# ---------------------------------------------------------------------------------------
def test_qdc_validates_and_keeps_definitions(tmp_path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "REFI-QDA-Codebook-1.0.xsd")))
    codes = _hand_made().codes
    assert schema.validate(etree.fromstring(qdc_bytes(codes))), schema.error_log
    again = read_qdc(write_qdc(codes, tmp_path / "book.qdc"))
    # Ids become GUIDs (a .qdc has nowhere else to keep them); everything else survives.
    names = dict(zip(again["code_id"], again["name"], strict=True))
    assert [names.get(p) for p in again["parent_id"]] == [None, "Поддержка", "Поддержка", None]
    columns = ["name", "description", "inclusion", "exclusion", "color"]
    expected = codes[columns].astype(object).where(codes[columns].notna(), None)
    assert again[columns].astype(object).where(again[columns].notna(), None).values.tolist() == \
        expected.values.tolist()


def test_nvivo_codebook_written_as_qdc_validates(nvivo: Corpus) -> None:
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "REFI-QDA-Codebook-1.0.xsd")))
    root = etree.fromstring(qdc_bytes(nvivo.codes))
    assert schema.validate(root), schema.error_log
    assert len(root.xpath("//c:Code", namespaces={"c": "urn:QDA-XML:codebook:1.0"})) == 152


def test_without_extras_ids_become_guids_but_content_survives(tmp_path: Path) -> None:
    # What another program sees: only QDA-XML. Ids are then the GUIDs, derived with uuid5.
    corpus = _hand_made()
    path = tmp_path / "plain.qdpx"
    path.write_bytes(qdpx_bytes(corpus, extras=False))
    again = read_qdpx(path)
    assert "extras" not in again.meta
    assert sorted(again.documents["name"]) == ["Expert 1", "Interview 1"]
    assert again.cases.iloc[0][["name", "respondent_group", "age"]].tolist() == ["Respondent 1", "returnee", 34]
    assert again.documents.set_index("name").loc["Interview 1", "case_id"] == again.cases.iloc[0]["case_id"]
    assert sorted(segment_texts(again)) == sorted(segment_texts(corpus, corpus.segments.iloc[:5]))
    family = again.codes.set_index("name").loc["Семья"]
    assert family["inclusion"] == "Any mention of relatives helping"
    assert again.users["user_id"].tolist() == ["u1", "u2"]  # User/@id is standard
    with pytest.raises(WorkbenchError, match="proposed segments"):
        qdpx_bytes(corpus, extras=False, include_proposed=True)


def test_undecidable_convention_asks_to_be_told(tmp_path: Path) -> None:
    # "😀 a b c": UTF-16 positions 3-4 are "a" (the emoji takes units 0-1), code points 3-4 are
    # the space after it. Both land on word boundaries, so nothing says which is meant.
    corpus = Corpus(documents=pd.DataFrame({"doc_id": ["d"], "name": ["d"], "text": ["😀 a b c"]}),
                    codes=pd.DataFrame({"code_id": ["c"], "name": ["c"]}),
                    segments=pd.DataFrame({"segment_id": ["s"], "doc_id": ["d"], "start": [2], "end": [3],
                                           "code_id": ["c"]}))
    path = tmp_path / "amb.qdpx"
    path.write_bytes(qdpx_bytes(corpus, offsets="utf16", extras=False))
    with pytest.raises(WorkbenchError, match="cannot tell the offset convention"):
        read_qdpx(path)
    assert segment_texts(read_qdpx(path, offsets="utf16")).tolist() == ["a"]
    assert segment_texts(read_qdpx(path, offsets="codepoints")).tolist() == [" "]
