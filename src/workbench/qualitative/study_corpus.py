"""Build a ``Corpus`` from a study's qualitative datasets (tables plus transcript files).

A study keeps its qualitative material as validated tables (``qual_documents``,
``qual_cases``, ``qual_turns``, ``qual_codes``, ``qual_segments``, ``qual_people``; data
dictionaries in ``data_schemas/``) and one UTF-8 text file per document, named in the
``path`` column of the documents table (relative to the study folder) or, when that is
blank, ``<doc_id>.txt`` in the ``qual_transcripts`` folder. Offsets in turns and segments
are code points into the full file text, first line included, so a reader can slice the
file directly; every offset is checked against its text before the corpus is returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.io.readers import decode_strict
from workbench.qualitative.corpus import Corpus, validate_corpus
from workbench.study import Study, resolve_inside

#: corpus frame -> dataset name suffix; documents are required, the rest optional
TABLES = {"documents": "documents", "cases": "cases", "turns": "turns", "codes": "codes",
          "segments": "segments", "people": "people"}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text and nullable text as Python objects (None for blanks)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = pd.Series([None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in values],
                                    index=out.index, dtype=object)
        elif pd.api.types.is_string_dtype(values):
            out[column] = pd.Series([None if pd.isna(v) else str(v) for v in values], index=out.index,
                                    dtype=object)
    return out


def _transcript_path(study: Study, prefix: str, doc_id: str, relative: Any) -> Path:
    """The transcript of a document, refused when it lies outside the study folder (unless the
    documents dataset, or the transcripts folder for ``<doc_id>.txt``, has ``allow_outside``)."""
    documents = study.dataset(f"{prefix}documents")
    if isinstance(relative, str) and relative.strip():
        return resolve_inside(study.root, relative, allow_outside=documents.allow_outside,
                              file=str(documents.path), where=f"document {doc_id!r}", column="path",
                              record_id=doc_id)
    if f"{prefix}transcripts" not in study.datasets:
        raise WorkbenchError("the document names no transcript file", record_id=doc_id, column="path",
                             expected=f"a path relative to the study folder, or a dataset {prefix}transcripts "
                                      "(format: folder) holding <doc_id>.txt")
    folder = study.dataset(f"{prefix}transcripts")
    path = resolve_inside(folder.path, f"{doc_id}.txt", file=str(documents.path), where=f"document {doc_id!r}",
                          column="doc_id", record_id=doc_id)
    return path


def _read_text(path: Path, doc_id: str) -> str:
    if not path.is_file():
        raise WorkbenchError("transcript file not found", file=str(path), record_id=doc_id, column="path",
                             expected="a UTF-8 text file for every document")
    return decode_strict(path.read_bytes(), "utf-8", str(path))


def _offset_problems(frame: pd.DataFrame, id_column: str, lengths: dict[str, int], file: str) -> list[dict[str, Any]]:
    """Rows whose document is unknown or whose offsets do not lie inside its text."""
    problems = []
    for row in frame.itertuples(index=False):
        doc_id, record = str(getattr(row, "doc_id")), getattr(row, id_column)
        start, end = int(getattr(row, "start")), int(getattr(row, "end"))
        if doc_id not in lengths:
            problems.append({"file": file, "row": None, "record_id": record, "column": "doc_id",
                             "problem": f"unknown document {doc_id!r}", "value": doc_id,
                             "expected": "a doc_id of the documents table"})
        elif not 0 <= start < end <= lengths[doc_id]:
            problems.append({"file": file, "row": None, "record_id": record, "column": "start/end",
                             "problem": f"offsets {start}-{end} do not lie inside document {doc_id!r} "
                                        f"({lengths[doc_id]} characters)",
                             "value": f"{start}-{end}", "expected": f"0 <= start < end <= {lengths[doc_id]}"})
    return problems


def load_study_corpus(study: Study, *, prefix: str = "qual_") -> Corpus:
    """The study's qualitative corpus: documents with their full text and every other table.

    ``prefix`` selects the datasets (``qual_documents`` ...); only the documents table is
    required. Case pseudonyms become the corpus's case ``name``; coders found in the
    segments become its users. Raises a ``WorkbenchError`` naming the document and the
    offsets when a turn or segment does not lie inside its text.
    """
    frames: dict[str, pd.DataFrame] = {}
    for frame, suffix in TABLES.items():
        name = f"{prefix}{suffix}"
        if name in study.datasets:
            frames[frame] = _plain(study.read(name))
        elif frame == "documents":
            raise WorkbenchError(f"the study has no dataset {name!r}", file=str(study.root / "study.yaml"),
                                 expected=f"a {name} table listing the transcripts")
    documents = frames["documents"]
    texts = []
    for doc_id, relative in zip(documents["doc_id"], documents.get("path", [None] * len(documents)), strict=True):
        texts.append(_read_text(_transcript_path(study, prefix, str(doc_id), relative), str(doc_id)))
    documents["text"] = texts
    lengths = dict(zip(documents["doc_id"].astype(str), (len(t) for t in texts), strict=True))
    problems = []
    for frame, id_column in (("turns", "turn_id"), ("segments", "segment_id")):
        if frame in frames:
            file = str(study.dataset(f"{prefix}{frame}").path)
            problems += _offset_problems(frames[frame], id_column, lengths, file)
    if problems:
        table = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
        first = problems[0]
        raise WorkbenchError(f"{len(problems)} coded span(s) do not fit their transcript; first: "
                             f"{first['record_id']}: {first['problem']}", file=first["file"],
                             record_id=first["record_id"], column=first["column"], value=first["value"],
                             expected=first["expected"], problems=table)
    if "cases" in frames and "name" not in frames["cases"].columns and "pseudonym" in frames["cases"].columns:
        frames["cases"] = frames["cases"].rename(columns={"pseudonym": "name"})
    users = None
    if "segments" in frames and "coder" in frames["segments"].columns:
        coders = sorted({str(c) for c in frames["segments"]["coder"].dropna()})
        users = pd.DataFrame({"user_id": coders, "name": coders})
    corpus = Corpus(documents=documents, cases=frames.get("cases"), turns=frames.get("turns"),
                    codes=frames.get("codes"), segments=frames.get("segments"), users=users,
                    people=frames.get("people"),
                    meta={"source": "study", "study": str(study.root), "prefix": prefix})
    return validate_corpus(corpus, file=str(study.root))
