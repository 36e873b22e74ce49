"""The qualitative corpus: documents, cases, speaker turns, codes, coded segments, users.

A ``Corpus`` is a bundle of tidy DataFrames shared by every qualitative module (readers,
writers, coding helpers, reliability, frequencies, quotes). Offsets are always Python string
indices (Unicode code points) into ``documents.text`` exactly as stored (CRLF kept as two
characters), with ``end`` exclusive; readers convert vendor conventions on the way in and
check every segment against its text, so that a quote is never silently shifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError

DOCUMENT_COLUMNS = ["doc_id", "name", "text", "doc_type", "date", "interviewer", "case_id"]
CASE_COLUMNS = ["case_id", "name"]
TURN_COLUMNS = ["doc_id", "turn_id", "speaker", "start", "end"]
CODE_COLUMNS = ["code_id", "name", "parent_id", "description", "inclusion", "exclusion", "color",
                "is_codable"]
SEGMENT_COLUMNS = ["segment_id", "doc_id", "start", "end", "code_id", "coder", "memo", "status"]
USER_COLUMNS = ["user_id", "name"]
PEOPLE_COLUMNS = ["name", "kind"]
SEGMENT_STATUSES = ("accepted", "proposed")

#: frame name -> (standard columns, id columns used to sort rows for comparison)
FRAMES: dict[str, tuple[list[str], list[str]]] = {
    "documents": (DOCUMENT_COLUMNS, ["doc_id"]),
    "cases": (CASE_COLUMNS, ["case_id"]),
    "turns": (TURN_COLUMNS, ["doc_id", "turn_id"]),
    "codes": (CODE_COLUMNS, ["code_id"]),
    "segments": (SEGMENT_COLUMNS, ["segment_id"]),
    "users": (USER_COLUMNS, ["user_id"]),
    "people": (PEOPLE_COLUMNS, ["name", "kind"]),
}
_ID_COLUMNS = {"doc_id", "case_id", "turn_id", "code_id", "parent_id", "segment_id", "user_id", "coder"}
_OFFSET_COLUMNS = {"start", "end"}


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def is_missing(value: Any) -> bool:
    """True for None, NaN, NA and NaT; False for anything else (lists and strings included)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _normalize_frame(frame: pd.DataFrame | None, columns: list[str], name: str) -> pd.DataFrame:
    """A copy with the standard columns first (added as missing when absent), ids as str."""
    if frame is None:
        return _empty(columns)
    if not isinstance(frame, pd.DataFrame):
        raise WorkbenchError(f"Corpus.{name} must be a pandas DataFrame", value=type(frame).__name__)
    out = frame.copy().reset_index(drop=True)
    for column in columns:
        if column not in out.columns:
            out[column] = True if column == "is_codable" else None
    for column in _ID_COLUMNS & set(out.columns):
        out[column] = pd.Series([None if is_missing(v) else str(v) for v in out[column]], dtype=object,
                                index=out.index)
    for column in _OFFSET_COLUMNS & set(out.columns):
        values = out[column]
        if len(values) and values.isna().any():
            raise WorkbenchError(f"Corpus.{name} has missing offsets", column=column,
                                 expected="an integer character offset in every row")
        try:
            as_int = values.astype("int64")
        except (TypeError, ValueError):
            raise WorkbenchError(f"Corpus.{name} has non-integer offsets", column=column,
                                 expected="integer character offsets (code points)") from None
        if len(values) and not np.array_equal(as_int.to_numpy(), pd.to_numeric(values).to_numpy()):
            raise WorkbenchError(f"Corpus.{name} has fractional offsets", column=column,
                                 expected="integer character offsets (code points)")
        out[column] = as_int
    if "is_codable" in out.columns:
        out["is_codable"] = [True if is_missing(v) else bool(v) for v in out["is_codable"]]
    extras = [c for c in out.columns if c not in columns]
    return out[columns + extras]


@dataclass(eq=False)
class Corpus:
    """Documents, cases, speaker turns, codes, coded segments, users and names to scrub.

    Offsets (``segments.start/end``, ``turns.start/end``) are code-point indices into
    ``documents.text``, end exclusive. ``meta`` records how the corpus was read (e.g. the
    offset convention found in a .qdpx file); it is not part of equality.
    """

    documents: pd.DataFrame = field(default_factory=lambda: _empty(DOCUMENT_COLUMNS))
    cases: pd.DataFrame = field(default_factory=lambda: _empty(CASE_COLUMNS))
    turns: pd.DataFrame = field(default_factory=lambda: _empty(TURN_COLUMNS))
    codes: pd.DataFrame = field(default_factory=lambda: _empty(CODE_COLUMNS))
    segments: pd.DataFrame = field(default_factory=lambda: _empty(SEGMENT_COLUMNS))
    users: pd.DataFrame = field(default_factory=lambda: _empty(USER_COLUMNS))
    people: pd.DataFrame = field(default_factory=lambda: _empty(PEOPLE_COLUMNS))
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, (columns, _) in FRAMES.items():
            setattr(self, name, _normalize_frame(getattr(self, name), columns, name))
        if self.segments["status"].isna().any():
            segments = self.segments.copy()
            segments["status"] = segments["status"].where(segments["status"].notna(), "accepted")
            self.segments = segments

    # -- text access ---------------------------------------------------------------------
    def text_of(self, doc_id: str) -> str:
        """The full text of one document."""
        match = self.documents.loc[self.documents["doc_id"] == str(doc_id), "text"]
        if match.empty:
            raise WorkbenchError("unknown document", record_id=doc_id, column="doc_id",
                                 expected="a doc_id listed in corpus.documents")
        return str(match.iloc[0])

    def segment_text(self, row: pd.Series | dict[str, Any]) -> str:
        """The text a segment (or turn) row covers: ``text[start:end]``."""
        return self.text_of(row["doc_id"])[int(row["start"]):int(row["end"])]

    # -- equality ------------------------------------------------------------------------
    def equals(self, other: object) -> bool:
        """True when every frame holds the same rows and columns (row order ignored).

        Missing values (None, NaN) and empty strings compare equal; ``meta`` is ignored.
        """
        if not isinstance(other, Corpus):
            return False
        return not self.differences(other)

    def differences(self, other: Corpus) -> list[str]:
        """Names of frames that differ, with a short reason each (empty when equal)."""
        found = []
        for name, (_, keys) in FRAMES.items():
            mine, theirs = _comparable(getattr(self, name), keys), _comparable(getattr(other, name), keys)
            if mine[0] != theirs[0]:
                found.append(f"{name}: columns {mine[0]} != {theirs[0]}")
            elif mine[1] != theirs[1]:
                first = next(i for i, (a, b) in enumerate(zip(mine[1], theirs[1], strict=False)) if a != b) \
                    if len(mine[1]) == len(theirs[1]) else None
                detail = (f"{len(mine[1])} vs {len(theirs[1])} rows" if first is None
                          else f"row {first}: {mine[1][first]} != {theirs[1][first]}")
                found.append(f"{name}: {detail}")
        return found

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Corpus:
        """A deep copy (frames copied, meta copied)."""
        return Corpus(**{name: getattr(self, name).copy() for name in FRAMES}, meta=dict(self.meta))


def _plain(value: Any) -> Any:
    """A comparable Python value; missing values and empty strings both count as None."""
    if is_missing(value) or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _comparable(frame: pd.DataFrame, keys: list[str]) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns = sorted(str(c) for c in frame.columns)
    rows = [tuple(_plain(v) for v in row) for row in frame[columns].itertuples(index=False, name=None)]
    key_positions = [columns.index(k) for k in keys if k in columns]
    rows.sort(key=lambda r: tuple("" if r[i] is None else str(r[i]) for i in key_positions) + (repr(r),))
    return columns, rows


def segment_texts(corpus: Corpus, segments: pd.DataFrame | None = None) -> pd.Series:
    """The quoted text of every segment (``text[start:end]``), indexed like ``segments``."""
    table = corpus.segments if segments is None else segments
    texts = dict(zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True))
    out = []
    for doc_id, start, end in zip(table["doc_id"], table["start"], table["end"], strict=True):
        if doc_id not in texts:
            raise WorkbenchError("segment refers to an unknown document", record_id=doc_id,
                                 column="doc_id", expected="a doc_id listed in corpus.documents")
        out.append(str(texts[doc_id])[int(start):int(end)])
    return pd.Series(out, index=table.index, dtype=object, name="text")


def _problem(problems: list[dict[str, Any]], frame: str, record_id: Any, column: str, problem: str,
             value: Any = None, expected: str | None = None) -> None:
    problems.append({"file": None, "row": None, "record_id": record_id, "column": f"{frame}.{column}",
                     "problem": problem, "value": value, "expected": expected})


def corpus_problems(corpus: Corpus) -> pd.DataFrame:
    """Every consistency problem in a corpus, one row each (columns of ``PROBLEM_COLUMNS``).

    Checks unique ids, that segments and turns point to known documents, codes and users,
    that offsets lie inside their text (0 <= start < end <= len(text)), that code parents
    exist and form no cycle, and that statuses are "accepted" or "proposed".
    """
    problems: list[dict[str, Any]] = []
    for name, (_, keys) in FRAMES.items():
        frame = getattr(corpus, name)
        if name in ("people",) or frame.empty:
            continue
        duplicated = frame[frame.duplicated(keys, keep=False)]
        for key in duplicated[keys].drop_duplicates().itertuples(index=False, name=None):
            _problem(problems, name, "/".join(map(str, key)), "/".join(keys), "duplicated id",
                     expected="each id once")
        for key in keys:
            for record in frame.loc[frame[key].isna()].index:
                _problem(problems, name, None, key, f"missing id in row {record + 1}", expected="an id")
    lengths = {d: len(str(t)) for d, t in zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True)}
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True):
        if not isinstance(text, str):
            _problem(problems, "documents", doc_id, "text", "text is not a string", type(text).__name__, "str")
    code_ids = set(corpus.codes["code_id"])
    user_ids = set(corpus.users["user_id"])
    for name, id_column in (("segments", "segment_id"), ("turns", "turn_id")):
        frame = getattr(corpus, name)
        for row in frame.itertuples(index=False):
            record = getattr(row, id_column)
            if row.doc_id not in lengths:
                _problem(problems, name, record, "doc_id", "unknown document", row.doc_id,
                         "a doc_id listed in corpus.documents")
                continue
            if not 0 <= row.start < row.end <= lengths[row.doc_id]:
                _problem(problems, name, record, "start/end",
                         f"offsets {row.start}-{row.end} do not lie inside document {row.doc_id!r} "
                         f"({lengths[row.doc_id]} characters)", f"{row.start}-{row.end}",
                         f"0 <= start < end <= {lengths[row.doc_id]}")
    for row in corpus.segments.itertuples(index=False):
        if row.code_id not in code_ids:
            _problem(problems, "segments", row.segment_id, "code_id", "unknown code", row.code_id,
                     "a code_id listed in corpus.codes")
        if row.coder is not None and user_ids and row.coder not in user_ids:
            _problem(problems, "segments", row.segment_id, "coder", "unknown coder", row.coder,
                     "a user_id listed in corpus.users")
        if row.status not in SEGMENT_STATUSES:
            _problem(problems, "segments", row.segment_id, "status", "unknown status", row.status,
                     " or ".join(SEGMENT_STATUSES))
    parents = dict(zip(corpus.codes["code_id"], corpus.codes["parent_id"], strict=True))
    for code_id, parent in parents.items():
        if parent is None:
            continue
        if parent not in parents:
            _problem(problems, "codes", code_id, "parent_id", "unknown parent code", parent,
                     "a code_id listed in corpus.codes or empty")
            continue
        seen, current = {code_id}, parent
        while current is not None and current in parents:
            if current in seen:
                _problem(problems, "codes", code_id, "parent_id", "code hierarchy has a cycle", parent,
                         "a tree of codes")
                break
            seen.add(current)
            current = parents[current]
    case_ids = set(corpus.cases["case_id"])
    for doc_id, case_id in zip(corpus.documents["doc_id"], corpus.documents["case_id"], strict=True):
        if case_id is not None and case_ids and case_id not in case_ids:
            _problem(problems, "documents", doc_id, "case_id", "unknown case", case_id,
                     "a case_id listed in corpus.cases")
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def validate_corpus(corpus: Corpus, *, file: str | None = None) -> Corpus:
    """Return ``corpus`` unchanged, or raise one WorkbenchError listing every problem."""
    problems = corpus_problems(corpus)
    if not problems.empty:
        problems["file"] = file
        first = problems.iloc[0]
        raise WorkbenchError(
            f"the corpus has {len(problems)} problem(s); first: {first['column']} of {first['record_id']}: "
            f"{first['problem']}", file=file, record_id=first["record_id"], column=first["column"],
            value=first["value"], expected=first["expected"], problems=problems)
    return corpus


def code_depths(codes: pd.DataFrame) -> pd.Series:
    """Depth of every code in its hierarchy (top-level codes have depth 1), by code_id."""
    parents = dict(zip(codes["code_id"], codes["parent_id"], strict=True))
    depths: dict[str, int] = {}
    for code_id in parents:
        depth, current, seen = 1, parents[code_id], {code_id}
        while current is not None and current in parents and current not in seen:
            seen.add(current)
            depth += 1
            current = parents[current]
        depths[code_id] = depth
    return pd.Series(depths, name="depth", dtype="int64")
