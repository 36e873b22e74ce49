"""Readers for coded-segment tables, plain-text transcripts and codebook tables.

* ``read_segment_table``: a CSV/XLSX export of coded segments (document, code, start/end
  offsets and/or the quoted text) placed onto a corpus's documents. Offsets are checked
  against the text and against the quote when both are given; a quote without offsets is
  located in the text (it must occur exactly once, or the row names which occurrence).
* ``read_transcript``: a UTF-8 transcript whose speaker turns start with ``Name:`` at the
  beginning of a line, returned as one document with its turns.
* ``read_codebook``: a ``.qdc`` codebook, or a YAML or CSV/XLSX codebook table.

Written here because these layouts are specific to qualitative exports; tables are read
with ``workbench.io.readers`` (strict decoding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.io.readers import decode_strict, read_table
from workbench.io.safe_yaml import parse_yaml
from workbench.qualitative.corpus import FRAMES, Corpus, validate_corpus
from workbench.qualitative.refi import OFFSET_CONVENTIONS, read_qdc, to_codepoints

DEFAULT_SPEAKER_PATTERN = r"^[ \t]*(?P<speaker>[^\W\d_][\w .'\-]{0,39}?)[ \t]*:[ \t]*"


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def _lookup(table: pd.DataFrame, id_column: str, value: Any, what: str, file: str, row: int,
            column: str) -> str:
    """The id of the row whose id, or else whose unique name, equals ``value``."""
    text = str(value).strip()
    ids = table[id_column].astype(str)
    if (ids == text).any():
        return text
    by_name = table.loc[table["name"].astype(str) == text, id_column]
    if len(by_name) == 1:
        return str(by_name.iloc[0])
    if len(by_name) > 1:
        raise WorkbenchError(f"{what} name is ambiguous", file=file, row=row, column=column, value=text,
                             expected=f"a unique {what} name or its id")
    raise WorkbenchError(f"unknown {what}", file=file, row=row, column=column, value=text,
                         expected=f"an id or name listed in corpus.{what}s" if what != "code"
                         else "an id or name listed in corpus.codes")


def _find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """All (start, end) spans of ``quote`` in ``text``; runs of whitespace match any whitespace."""
    spans = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if spans:
        return spans
    words = quote.split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def _same_quote(found: str, quote: str) -> bool:
    return found == quote or found.split() == quote.split()


def read_segment_table(path: str | Path, corpus: Corpus, *, document: str = "document", code: str = "code",
                       start: str = "start", end: str = "end", text: str = "text", coder: str = "coder",
                       memo: str = "memo", segment_id: str = "segment_id", occurrence: str = "occurrence",
                       offsets: str = "codepoints", one_based: bool = False, sheet: str | int = 0,
                       encoding: str = "utf-8") -> pd.DataFrame:
    """Coded segments from a CSV/XLSX table, placed on ``corpus.documents`` (segment columns).

    Documents and codes are matched by id, then by unique name. ``offsets`` is the table's
    convention (see ``refi.OFFSET_CONVENTIONS``); ``one_based`` means start counts from 1
    with an inclusive end (as in spreadsheets). Without offsets the quote in ``text`` is
    searched for. Any row that does not fit its document raises a WorkbenchError naming it.
    """
    path = Path(path)
    file = str(path)
    if offsets not in OFFSET_CONVENTIONS:
        raise WorkbenchError("unknown offset convention", file=file, value=offsets,
                             expected=", ".join(OFFSET_CONVENTIONS))
    table = read_table(path, sheet=sheet, encoding=encoding).data
    require_columns(table, [document, code], what=f"the segment table (plus {start}/{end} or {text})", file=file)
    has_offsets = start in table.columns and end in table.columns
    if not has_offsets and text not in table.columns:
        raise WorkbenchError("the table has neither offsets nor quoted text", file=file,
                             expected=f"columns {start!r} and {end!r}, or {text!r}")
    texts = dict(zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True))
    rows = []
    for index, record in enumerate(table.to_dict("records")):
        row = index + 1
        doc_id = _lookup(corpus.documents, "doc_id", record[document], "document", file, row, document)
        code_id = _lookup(corpus.codes, "code_id", record[code], "code", file, row, code)
        body = str(texts[doc_id])
        quote = None if text not in record or _blank(record[text]) else str(record[text])
        if has_offsets and not (_blank(record[start]) and _blank(record[end])):
            a, b = _offsets(record, start, end, body, offsets, one_based, file, row, doc_id)
            if quote is not None and not _same_quote(body[a:b], quote):
                raise WorkbenchError(
                    f"offsets {record[start]}-{record[end]} select {body[a:b][:60]!r} in document {doc_id!r}, "
                    "not the quoted text", file=file, row=row, column=text, value=quote[:60],
                    expected=f"the text at those offsets ({offsets}{', 1-based' if one_based else ''})")
        elif quote is not None:
            spans = _find_quote(body, quote)
            wanted = record.get(occurrence)
            if not spans:
                raise WorkbenchError(f"quoted text not found in document {doc_id!r}", file=file, row=row,
                                     column=text, value=quote[:60], expected="text that occurs in the document")
            if not _blank(wanted):
                k = int(float(wanted))
                if not 1 <= k <= len(spans):
                    raise WorkbenchError(f"the quote occurs {len(spans)} time(s) in document {doc_id!r}",
                                         file=file, row=row, column=occurrence, value=wanted,
                                         expected=f"1..{len(spans)}")
                a, b = spans[k - 1]
            elif len(spans) > 1:
                raise WorkbenchError(f"the quote occurs {len(spans)} times in document {doc_id!r}", file=file,
                                     row=row, column=text, value=quote[:60],
                                     expected=f"offsets or an {occurrence!r} column saying which occurrence")
            else:
                a, b = spans[0]
        else:
            raise WorkbenchError("row has neither offsets nor quoted text", file=file, row=row,
                                 expected=f"{start!r}/{end!r} or {text!r}")
        rows.append({
            "segment_id": str(record[segment_id]) if segment_id in record and not _blank(record[segment_id])
            else f"{path.stem}:{row}",
            "doc_id": doc_id, "start": a, "end": b, "code_id": code_id,
            "coder": None if coder not in record or _blank(record[coder]) else str(record[coder]).strip(),
            "memo": None if memo not in record or _blank(record[memo]) else str(record[memo]),
            "status": "accepted"})
    segments = pd.DataFrame(rows, columns=FRAMES["segments"][0])
    duplicated = segments.loc[segments["segment_id"].duplicated(), "segment_id"]
    if not duplicated.empty:
        raise WorkbenchError("segment ids repeat", file=file, column=segment_id, value=duplicated.iloc[0],
                             expected="a unique id per row")
    return segments


def _offsets(record: dict[str, Any], start: str, end: str, body: str, offsets: str, one_based: bool,
             file: str, row: int, doc_id: str) -> tuple[int, int]:
    try:
        a, b = int(float(record[start])), int(float(record[end]))
    except (TypeError, ValueError):
        raise WorkbenchError("offsets are not whole numbers", file=file, row=row, column=f"{start}/{end}",
                             value=(record[start], record[end]), expected="integer character offsets") from None
    if one_based:
        a -= 1
    (ca, cb), ok = to_codepoints(body, [a, b], offsets)
    if not (ok.all() and ca < cb):
        raise WorkbenchError(
            f"offsets {record[start]}-{record[end]} do not fit document {doc_id!r} "
            f"({len(body)} characters)", file=file, row=row, column=f"{start}/{end}",
            value=f"{record[start]}-{record[end]}",
            expected=f"0 <= start < end <= text length ({offsets}{', 1-based' if one_based else ''})")
    return int(ca), int(cb)


def read_transcript(path: str | Path, *, doc_id: str | None = None, name: str | None = None,
                    speakers: pd.DataFrame | Sequence[str] | None = None,
                    speaker_pattern: str = DEFAULT_SPEAKER_PATTERN, encoding: str = "utf-8",
                    **document_fields: Any) -> Corpus:
    """One transcript as a Corpus with one document and its speaker turns.

    A turn starts where a line begins with ``Label:`` (``speaker_pattern`` must define a
    ``speaker`` group); its span is the speech after the label up to the next label, trailing
    whitespace excluded. ``speakers`` (labels, or a table with ``speaker`` plus attribute
    columns) restricts turns to known labels and adds their attributes. Line endings are kept
    as found, so offsets match the text exactly. ``document_fields`` (doc_type, date,
    interviewer, case_id ...) are copied onto the document row.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise WorkbenchError("file not found", file=file)
    body = decode_strict(path.read_bytes(), encoding, file)
    if body.startswith("\ufeff"):
        body = body[1:]
    doc = str(doc_id) if doc_id is not None else path.stem
    attributes = None
    if speakers is not None:
        attributes = speakers.copy() if isinstance(speakers, pd.DataFrame) else pd.DataFrame({"speaker": list(speakers)})
        require_columns(attributes, ["speaker"], what="the speakers table (speaker labels as in the transcript)",
                        file=file)
        labels = "|".join(re.escape(str(s)) for s in sorted(attributes["speaker"].astype(str), key=len, reverse=True))
        speaker_pattern = rf"^[ \t]*(?P<speaker>{labels})[ \t]*:[ \t]*"
    try:
        matcher = re.compile(speaker_pattern, re.MULTILINE)
    except re.error as err:
        raise WorkbenchError(f"speaker pattern is not a valid regular expression ({err})", file=file,
                             value=speaker_pattern) from None
    if "speaker" not in matcher.groupindex:
        raise WorkbenchError("speaker pattern has no (?P<speaker>...) group", file=file, value=speaker_pattern)
    matches = list(matcher.finditer(body))
    turns = []
    for k, match in enumerate(matches):
        stop = matches[k + 1].start() if k + 1 < len(matches) else len(body)
        speech = body[match.end():stop].rstrip()
        if not speech:
            continue
        turns.append({"doc_id": doc, "turn_id": f"t{len(turns) + 1:04d}", "speaker": match.group("speaker").strip(),
                      "start": match.end(), "end": match.end() + len(speech)})
    turn_frame = pd.DataFrame(turns, columns=FRAMES["turns"][0])
    if attributes is not None and not turn_frame.empty:
        attributes["speaker"] = attributes["speaker"].astype(str)
        turn_frame = turn_frame.merge(attributes.drop_duplicates("speaker"), on="speaker", how="left")
    document = {"doc_id": doc, "name": name or path.stem, "text": body, **document_fields}
    return validate_corpus(Corpus(documents=pd.DataFrame([document]), turns=turn_frame), file=file)


def read_transcripts(paths: Iterable[str | Path], **options: Any) -> Corpus:
    """Several transcripts (one document each, doc_id = file name stem) as one Corpus."""
    documents, turns = [], []
    for path in paths:
        one = read_transcript(path, **options)
        documents.append(one.documents)
        turns.append(one.turns)
    if not documents:
        raise WorkbenchError("no transcript files given", expected="at least one path")
    corpus = Corpus(documents=pd.concat(documents, ignore_index=True),
                    turns=pd.concat(turns, ignore_index=True))
    return validate_corpus(corpus)


# ---------------------------------------------------------------------------------------
# Codebooks
# ---------------------------------------------------------------------------------------
_CODE_FIELDS = ("description", "inclusion", "exclusion", "color")


def _codes_from_yaml(entries: Any, parent: str | None, rows: list[dict[str, Any]], file: str) -> None:
    if not isinstance(entries, list):
        raise WorkbenchError("codes must be a list", file=file, value=type(entries).__name__,
                             expected="a list of codes (name, optional id, description, children)")
    for entry in entries:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or _blank(entry.get("name")):
            raise WorkbenchError("a code has no name", file=file, value=entry, expected="name: ...")
        code_id = str(entry.get("id", entry.get("code_id", entry["name"])))
        rows.append({"code_id": code_id, "name": str(entry["name"]), "parent_id": parent,
                     **{f: entry.get(f) for f in _CODE_FIELDS},
                     "is_codable": bool(entry.get("is_codable", True))})
        _codes_from_yaml(entry.get("children", []), code_id, rows, file)


def read_codebook(path: str | Path, *, sheet: str | int = 0, encoding: str = "utf-8") -> pd.DataFrame:
    """A codes table from a ``.qdc`` codebook, a YAML codebook or a CSV/XLSX codes table.

    YAML: a list (or ``codes:`` list) of codes with ``name``, optional ``id``, ``description``,
    ``inclusion``, ``exclusion``, ``color`` and nested ``children``. Tables: columns
    ``name`` and optional ``code_id``, ``parent`` (parent id or unique name) and the same
    definition columns. Codes without an id take their name as id.
    """
    path = Path(path)
    file = str(path)
    kind = path.suffix.lower().lstrip(".")
    if kind == "qdc":
        return read_qdc(path)
    if kind in ("yaml", "yml"):
        if not path.exists():
            raise WorkbenchError("file not found", file=file)
        content = parse_yaml(decode_strict(path.read_bytes(), encoding, file), source=file, what="the codebook")
        entries = content.get("codes") if isinstance(content, dict) else content
        rows: list[dict[str, Any]] = []
        _codes_from_yaml(entries, None, rows, file)
        codes = pd.DataFrame(rows, columns=FRAMES["codes"][0])
    elif kind in ("csv", "xlsx"):
        table = read_table(path, sheet=sheet, encoding=encoding).data
        require_columns(table, ["name"], what="the codebook table", file=file)
        table = table.copy()
        ids = [str(i) if "code_id" in table.columns and not _blank(i) else str(n)
               for i, n in zip(table.get("code_id", table["name"]), table["name"], strict=True)]
        table["code_id"] = ids
        parent_column = "parent_id" if "parent_id" in table.columns else "parent" if "parent" in table.columns else None
        parents = []
        for row, value in enumerate(table[parent_column] if parent_column else [None] * len(table), start=1):
            parents.append(None if _blank(value) else
                           _lookup(table, "code_id", value, "code", file, row, parent_column or "parent"))
        table["parent_id"] = parents
        if "is_codable" in table.columns:
            table["is_codable"] = [str(v).strip().lower() not in ("false", "0", "no") for v in table["is_codable"]]
        keep = [c for c in FRAMES["codes"][0] if c in table.columns]
        codes = table[keep].map(lambda v: None if _blank(v) else v)
    else:
        raise WorkbenchError("unknown codebook format", file=file, value=kind, expected=".qdc, .yaml, .csv or .xlsx")
    validated = validate_corpus(Corpus(codes=codes), file=file)
    return validated.codes
