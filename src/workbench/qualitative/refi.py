"""REFI-QDA exchange: read and write ``.qdpx`` projects and ``.qdc`` codebooks.

Written here (lxml + zipfile) because no maintained Python library reads QDA-XML with the
vendors' real behaviour. What the standard says and what vendors do differ:

* The standard (REFI-QDA 1.5, section 10.2) counts text positions in Unicode code points.
  NVivo counts UTF-16 code units (an emoji counts two), ATLAS.ti counts a CRLF as one
  character. ``endPosition`` is exclusive in practice.
* The embedded source folder is ``sources`` in the standard and in MAXQDA, ``Sources`` in
  NVivo; the XML file is ``project.qde`` but ATLAS.ti may name it otherwise.
* Each coding may sit in its own selection (NVivo) or several codings may share one.

The reader converts every selection to code points under an offset convention
(``offsets="auto"`` tries each candidate and keeps the one under which every selection lands
on whole characters, not inside a surrogate pair or a CRLF, and whose selections start and
end at word boundaries), checks each one against its text and raises a ``WorkbenchError``
naming document and offsets when a selection does not fit. The writer follows the standard
(code points, ``sources/``, ``project.qde``, UTF-8 ``.txt`` sources) with GUIDs derived
from ids (uuid5), fixed zip timestamps and sorted output, so that one corpus always gives
the same bytes. What QDA-XML cannot hold (readable ids, segment status, speaker turns,
names to scrub, all-empty columns) travels in an extra archive member
``workbench-extras.json``; other programs ignore it, and the reader uses it when present.
"""

from __future__ import annotations

import io
import json
import math
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.qualitative.corpus import FRAMES, Corpus, is_missing as _missing, validate_corpus

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
EXTRAS_MEMBER = "workbench-extras.json"
OFFSET_CONVENTIONS = ("codepoints", "utf16", "crlf_as_one", "utf16_crlf_as_one")
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:workbench:qualitative:refi")
_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_RGB_RE = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_INCLUSION = "\n\nInclusion: "
_EXCLUSION = "\n\nExclusion: "


# ---------------------------------------------------------------------------------------
# Offset conventions
# ---------------------------------------------------------------------------------------
def unit_positions(text: str, convention: str) -> np.ndarray:
    """Vendor position of every code-point boundary: ``result[i]`` is where ``text[i]`` starts.

    Length ``len(text) + 1``; ``result[-1]`` is the text length in the convention's units
    (UTF-16 code units for "utf16"; a CRLF counted once for "crlf_as_one").
    """
    if convention not in OFFSET_CONVENTIONS:
        raise WorkbenchError("unknown offset convention", value=convention, expected=", ".join(OFFSET_CONVENTIONS))
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4") if text else np.zeros(0, dtype="<u4")
    widths = np.ones(len(codes), dtype=np.int64)
    if convention.startswith("utf16"):
        widths[codes > 0xFFFF] = 2
    if convention.endswith("crlf_as_one") and len(codes) > 1:
        crlf = (codes[:-1] == 0x0D) & (codes[1:] == 0x0A)
        widths[:-1][crlf] = 0  # the CR of a CRLF takes no position of its own
    return np.concatenate([[0], np.cumsum(widths)])


def to_codepoints(text: str, positions: Sequence[int], convention: str) -> tuple[np.ndarray, np.ndarray]:
    """Code-point indices of vendor ``positions`` and whether each lands on a whole character.

    A position fails when it lies outside the text, inside a surrogate pair (UTF-16), or
    between the CR and LF of a line break.
    """
    units = unit_positions(text, convention)
    wanted = np.asarray(positions, dtype=np.int64)
    index = np.searchsorted(units, wanted, side="left")
    inside = (wanted >= 0) & (index < len(units))
    safe = np.minimum(index, len(units) - 1)
    ok = inside & (units[safe] == wanted)
    if text:
        splits_crlf = np.array([0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n" for i in safe])
        ok &= ~splits_crlf
    return safe, ok


def from_codepoints(text: str, indices: Sequence[int], convention: str) -> np.ndarray:
    """Vendor positions of code-point ``indices`` (the inverse of ``to_codepoints``)."""
    return unit_positions(text, convention)[np.asarray(indices, dtype=np.int64)]


def _at_word_boundary(text: str, index: int) -> bool:
    return index <= 0 or index >= len(text) or not (text[index - 1].isalnum() and text[index].isalnum())


@dataclass
class _Selection:
    """One coding as found in the file, before offset conversion."""

    doc_guid: str
    selection_guid: str
    coding_guid: str
    start: int
    end: int
    code_guid: str
    coder_guid: str | None
    memo: str | None
    whole_document: bool = False


def _convert(selections: list[_Selection], texts: dict[str, str], names: dict[str, str],
             convention: str) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """Code-point offsets of every selection under ``convention`` and the problems found."""
    mapped: list[tuple[int, int]] = [(0, 0)] * len(selections)
    problems: list[dict[str, Any]] = []
    by_doc: dict[str, list[int]] = {}
    for i, sel in enumerate(selections):
        by_doc.setdefault(sel.doc_guid, []).append(i)
    for doc_guid, rows in by_doc.items():
        text = texts[doc_guid]
        plain = [i for i in rows if not selections[i].whole_document]
        starts, ok_start = to_codepoints(text, [selections[i].start for i in plain], convention)
        ends, ok_end = to_codepoints(text, [selections[i].end for i in plain], convention)
        for k, i in enumerate(plain):
            sel = selections[i]
            mapped[i] = (int(starts[k]), int(ends[k]))
            reason = None
            if not (ok_start[k] and ok_end[k]):
                length = int(unit_positions(text, convention)[-1])
                reason = (f"positions {sel.start}-{sel.end} do not fall on whole characters of a text of "
                          f"{length} {convention} units")
            elif starts[k] >= ends[k]:
                reason = f"empty or reversed selection {sel.start}-{sel.end}"
            if reason:
                problems.append({"file": None, "row": None, "record_id": sel.selection_guid,
                                 "column": "startPosition/endPosition",
                                 "problem": f"document {names[doc_guid]!r}: {reason}",
                                 "value": f"{sel.start}-{sel.end}",
                                 "expected": f"0 <= start < end <= text length ({convention})"})
        for i in rows:
            if selections[i].whole_document:
                mapped[i] = (0, len(text))
    return mapped, problems


def _boundary_score(selections: list[_Selection], texts: dict[str, str], mapped: list[tuple[int, int]],
                    rows: list[int]) -> int:
    score = 0
    for i in rows:
        text = texts[selections[i].doc_guid]
        score += _at_word_boundary(text, mapped[i][0]) + _at_word_boundary(text, mapped[i][1])
    return score


def _choose_convention(selections: list[_Selection], texts: dict[str, str], names: dict[str, str],
                       offsets: str, file: str) -> tuple[str, list[tuple[int, int]], dict[str, Any]]:
    """Apply ``offsets`` (or detect it) and return the convention, the offsets and a report."""
    candidates = OFFSET_CONVENTIONS if offsets == "auto" else (offsets,)
    if offsets != "auto" and offsets not in OFFSET_CONVENTIONS:
        raise WorkbenchError("unknown offset convention", file=file, value=offsets,
                             expected="auto, " + ", ".join(OFFSET_CONVENTIONS))
    results = {c: _convert(selections, texts, names, c) for c in candidates}
    report: dict[str, Any] = {"offsets_checked": {c: len(results[c][1]) for c in candidates}}
    fitting = [c for c in candidates if not results[c][1]]
    if not fitting:
        best = min(candidates, key=lambda c: len(results[c][1]))
        problems = pd.DataFrame(results[best][1], columns=PROBLEM_COLUMNS).assign(file=file)
        first = results[best][1][0]
        tried = "the offset convention " + best if offsets != "auto" else \
            "any offset convention (" + ", ".join(f"{c}: {len(results[c][1])} misfits" for c in candidates) + ")"
        raise WorkbenchError(
            f"{len(problems)} coded selection(s) do not map onto their text under {tried}; first: "
            f"{first['problem']}", file=file, record_id=first["record_id"], value=first["value"],
            expected=first["expected"], problems=problems)
    distinct: dict[tuple[tuple[int, int], ...], list[str]] = {}
    for c in fitting:
        distinct.setdefault(tuple(results[c][0]), []).append(c)
    if len(distinct) == 1:
        chosen = fitting[0]
        report["offsets_equivalent"] = fitting
        return chosen, results[chosen][0], report
    # Several conventions fit but place selections differently: compare, on the selections
    # where they disagree, how many start and end at word boundaries.
    groups = [members[0] for members in distinct.values()]
    differ = [i for i in range(len(selections)) if len({results[c][0][i] for c in groups}) > 1]
    scores = {c: _boundary_score(selections, texts, results[c][0], differ) for c in groups}
    report["offsets_boundary_scores"] = {**scores, "selections_compared": len(differ)}
    ranked = sorted(groups, key=lambda c: -scores[c])
    if scores[ranked[0]] - scores[ranked[1]] < 2:
        raise WorkbenchError(
            f"cannot tell the offset convention: {', '.join(ranked)} all map every selection onto the text "
            f"but place {len(differ)} selection(s) differently", file=file,
            expected="read_qdpx(..., offsets=...) with the convention of the program that wrote the file "
                     "(NVivo: utf16, ATLAS.ti: crlf_as_one, standard: codepoints)")
    chosen = ranked[0]
    return chosen, results[chosen][0], report


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------
def _guid(kind: str, identifier: Any) -> str:
    """The GUID written for an id: the id itself when it is a GUID, else a uuid5 of it."""
    text = str(identifier)
    match = _GUID_RE.match(text)
    if match:
        return match.group(1).lower()
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{text}"))


def _norm_guid(value: str | None) -> str | None:
    if value is None:
        return None
    match = _GUID_RE.match(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def pack_code_description(description: Any, inclusion: Any, exclusion: Any) -> str | None:
    """One Description text holding a code's description and its inclusion/exclusion rules."""
    parts = "" if _missing(description) else str(description)
    if not _missing(inclusion) and str(inclusion):
        parts += _INCLUSION + str(inclusion)
    if not _missing(exclusion) and str(exclusion):
        parts += _EXCLUSION + str(exclusion)
    return parts or None


def unpack_code_description(text: str | None) -> tuple[str | None, str | None, str | None]:
    """Split a Description written by ``pack_code_description`` back into its three parts."""
    if not text:
        return None, None, None
    body = "\n\n" + text if text.startswith(("Inclusion: ", "Exclusion: ")) else text
    exclusion = inclusion = None
    if _EXCLUSION in body:
        body, exclusion = body.rsplit(_EXCLUSION, 1)
    if _INCLUSION in body:
        body, inclusion = body.rsplit(_INCLUSION, 1)
    return (body or None), inclusion, exclusion


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and _local(c) == name]


def _child_text(element: etree._Element, name: str) -> str | None:
    found = _children(element, name)
    return found[0].text if found and found[0].text else None


def _parse_xml(data: bytes, file: str, root_name: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise WorkbenchError(f"not well-formed XML ({err})", file=file, expected="a QDA-XML file") from None
    if _local(root) != root_name:
        raise WorkbenchError("unexpected root element", file=file, value=_local(root), expected=root_name)
    return root


# ---------------------------------------------------------------------------------------
# Codes (shared by .qdpx and .qdc)
# ---------------------------------------------------------------------------------------
def _read_codes(codes_element: etree._Element | None) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []

    def walk(element: etree._Element, parent: str | None) -> None:
        for code in _children(element, "Code"):
            guid = _norm_guid(code.get("guid"))
            description, inclusion, exclusion = unpack_code_description(_child_text(code, "Description"))
            rows.append({"code_id": guid, "name": code.get("name"), "parent_id": parent,
                         "description": description, "inclusion": inclusion, "exclusion": exclusion,
                         "color": code.get("color"),
                         "is_codable": (code.get("isCodable") or "true").strip().lower() in ("true", "1")})
            walk(code, guid)

    if codes_element is not None:
        walk(codes_element, None)
    return pd.DataFrame(rows, columns=FRAMES["codes"][0])


def _write_codes(parent: etree._Element, codes: pd.DataFrame, ns: str, file: str | None) -> None:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in codes.to_dict("records"):
        children.setdefault(row["parent_id"], []).append(row)

    def add(element: etree._Element, parent_id: str | None) -> None:
        for row in children.get(parent_id, []):
            attributes = {"guid": _guid("code", row["code_id"]), "name": str(row["name"] or row["code_id"]),
                          "isCodable": "true" if row.get("is_codable", True) else "false"}
            color = row.get("color")
            if not _missing(color):
                if not _RGB_RE.match(str(color)):
                    raise WorkbenchError("code colour is not an RGB hex value", file=file,
                                         record_id=row["code_id"], column="color", value=color,
                                         expected="#RRGGBB or #RGB")
                attributes["color"] = str(color)
            code = etree.SubElement(element, f"{{{ns}}}Code", attributes)
            description = pack_code_description(row.get("description"), row.get("inclusion"), row.get("exclusion"))
            if description:
                etree.SubElement(code, f"{{{ns}}}Description").text = description
            add(code, row["code_id"])

    add(parent, None)


def read_qdc(path: str | Path) -> pd.DataFrame:
    """Read a REFI-QDA codebook (``.qdc``) into a codes table (code_id = the code's GUID)."""
    path = Path(path)
    if not path.exists():
        raise WorkbenchError("file not found", file=str(path))
    root = _parse_xml(path.read_bytes(), str(path), "CodeBook")
    codes_element = _children(root, "Codes")
    return _read_codes(codes_element[0] if codes_element else None)


def qdc_bytes(codes: pd.DataFrame, *, origin: str = "workbench") -> bytes:
    """The bytes of a ``.qdc`` codebook for a codes table (see ``write_qdc``)."""
    table = Corpus(codes=codes).codes
    validate_corpus(Corpus(codes=table))
    if table.empty:
        raise WorkbenchError("the codebook has no codes", expected="at least one code")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin}, nsmap={None: CODEBOOK_NS})
    codes_element = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _write_codes(codes_element, table, CODEBOOK_NS, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qdc(codes: pd.DataFrame, path: str | Path, *, origin: str = "workbench") -> Path:
    """Write a codes table as a REFI-QDA codebook; inclusion/exclusion go into Description."""
    path = Path(path)
    path.write_bytes(qdc_bytes(codes, origin=origin))
    return path


# ---------------------------------------------------------------------------------------
# Variables (case and source attributes)
# ---------------------------------------------------------------------------------------
_VALUE_ELEMENTS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                   "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


def _variable_type(values: Iterable[Any]) -> str:
    present = [_plain(v) for v in values if not _missing(v)]
    if present and all(isinstance(v, bool) for v in present):
        return "Boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "Float"
    return "Text"


def _format_value(value: Any, kind: str, file: str | None, record: Any, column: str) -> str:
    value = _plain(value)
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        if not math.isfinite(float(value)):
            raise WorkbenchError("infinite value cannot be written", file=file, record_id=record,
                                 column=column, value=value, expected="a finite number")
        return np.format_float_positional(float(value), trim="0")
    return str(value)


def _parse_value(element: etree._Element) -> Any:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name, text = _local(child), child.text
        if name == "VariableRef" or text is None:
            continue
        if name == "BooleanValue":
            return text.strip().lower() in ("true", "1")
        if name == "IntegerValue":
            return int(text.strip())
        if name == "FloatValue":
            return float(text.strip())
        return text
    return None


def _read_values(element: etree._Element, variables: dict[str, str]) -> dict[str, Any]:
    values = {}
    for value in _children(element, "VariableValue"):
        refs = _children(value, "VariableRef")
        if not refs:
            continue
        name = variables.get(_norm_guid(refs[0].get("targetGUID")) or "")
        if name is not None:
            values[name] = _parse_value(value)
    return values


# ---------------------------------------------------------------------------------------
# Reading .qdpx
# ---------------------------------------------------------------------------------------
#: largest member read from a .qdpx archive (bytes, uncompressed); refuses zip bombs
MAX_MEMBER_BYTES = 512 * 1024 * 1024


def _read_member(archive: zipfile.ZipFile, name: str, file: str) -> bytes:
    """One member's bytes; a damaged, encrypted or oversized member is a ``WorkbenchError``."""
    info = archive.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise WorkbenchError(f"archive member {name!r} is too large ({info.file_size:,} bytes uncompressed)",
                             file=file, expected=f"at most {MAX_MEMBER_BYTES:,} bytes per member")
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as err:
        raise WorkbenchError(f"archive member {name!r} is damaged and cannot be read ({type(err).__name__}: "
                             f"{err})", file=file, expected="an intact .qdpx archive (export it again)") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise WorkbenchError(f"archive member {name!r} is larger than it declares", file=file,
                             expected=f"at most {MAX_MEMBER_BYTES:,} bytes per member")
    return data


def _read_extras(archive: zipfile.ZipFile, name: str, file: str) -> dict[str, Any]:
    try:
        extras = json.loads(_read_member(archive, name, file).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise WorkbenchError(f"archive member {name!r} is not valid UTF-8 JSON ({err})", file=file,
                             expected="the workbench's own extras as written by write_qdpx") from None
    if not isinstance(extras, dict):
        raise WorkbenchError(f"archive member {name!r} is not a JSON object", file=file)
    return extras


def _find_qde(archive: zipfile.ZipFile, file: str) -> str:
    names = [n for n in archive.namelist() if n.lower().endswith(".qde") and not n.endswith("/")]
    standard = [n for n in names if n.lower() == "project.qde"]
    if standard:
        return standard[0]
    if len(names) == 1:
        return names[0]
    raise WorkbenchError("the archive does not hold exactly one .qde project file", file=file,
                         value=names or "none", expected="project.qde (or one other *.qde)")


def _source_bytes(archive: zipfile.ZipFile, members: dict[str, str], path: str, file: str,
                  doc_name: str) -> bytes:
    if not path.lower().startswith("internal://"):
        raise WorkbenchError(f"text source {doc_name!r} is stored outside the archive", file=file,
                             value=path, expected="an internal:// source or PlainTextContent")
    name = path[len("internal://"):].lower()
    for candidate in (f"sources/{name}", name):
        if candidate in members:
            return _read_member(archive, members[candidate], file)
    raise WorkbenchError(f"text source {doc_name!r} names a file missing from the archive", file=file,
                         value=path, expected="a file in the archive's sources folder")


def _decode_source(data: bytes, file: str, doc_name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise WorkbenchError(
            f"text source {doc_name!r} is not valid UTF-8: byte 0x{data[err.start:err.start + 1].hex()} "
            f"at line {line} (byte offset {err.start})", file=file,
            expected="plain-text sources encoded as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_qdpx(path: str | Path, *, offsets: str = "auto") -> Corpus:
    """Read a REFI-QDA project (``.qdpx``) into a Corpus with code-point offsets.

    ``offsets`` is the convention of the program that wrote the file: "codepoints" (the
    standard), "utf16" (NVivo), "crlf_as_one" (ATLAS.ti), "utf16_crlf_as_one", or "auto" to
    detect it. ``corpus.meta["offsets"]`` says which was used. Every coded selection is
    checked against its text; one that does not fit raises a WorkbenchError.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise WorkbenchError("file not found", file=file)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise WorkbenchError("not a .qdpx archive (not a zip file)", file=file,
                             expected="a REFI-QDA .qdpx project") from None
    with archive:
        qde_name = _find_qde(archive, file)
        root = _parse_xml(_read_member(archive, qde_name, file), f"{file}:{qde_name}", "Project")
        members = {n.lower(): n for n in archive.namelist()}
        extras = _read_extras(archive, members[EXTRAS_MEMBER], file) if EXTRAS_MEMBER in members else None
        if offsets == "auto" and extras is not None and extras.get("offsets") in OFFSET_CONVENTIONS:
            offsets = extras["offsets"]  # written by write_qdpx, which records its convention
        corpus = _read_project(root, archive, members, file, offsets)
    corpus.meta.update({"source_file": file, "project_file": qde_name, "origin": root.get("origin"),
                        "project_name": root.get("name")})
    if extras is not None:
        corpus = _apply_extras(corpus, extras, file)
    return validate_corpus(corpus, file=file)


def _read_project(root: etree._Element, archive: zipfile.ZipFile, members: dict[str, str], file: str,
                  offsets: str) -> Corpus:
    users_rows = []
    for user in root.iter(f"{{{PROJECT_NS}}}User"):
        users_rows.append({"guid": _norm_guid(user.get("guid")), "user_id": user.get("id"), "name": user.get("name")})
    user_ids = [r["user_id"] for r in users_rows]
    use_ids = all(user_ids) and len(set(user_ids)) == len(user_ids)
    user_of = {r["guid"]: (r["user_id"] if use_ids else r["guid"]) for r in users_rows}
    users = pd.DataFrame([{"user_id": user_of[r["guid"]], "name": r["name"]} for r in users_rows],
                         columns=FRAMES["users"][0])

    codebooks = _children(root, "CodeBook")
    codes_elements = _children(codebooks[0], "Codes") if codebooks else []
    codes = _read_codes(codes_elements[0] if codes_elements else None)
    known_codes = set(codes["code_id"])

    variables = {_norm_guid(v.get("guid")) or "": v.get("name") for v in root.iter(f"{{{PROJECT_NS}}}Variable")}
    case_rows, case_of_source, warnings = [], {}, []
    for case in root.iter(f"{{{PROJECT_NS}}}Case"):
        guid = _norm_guid(case.get("guid"))
        row = {"case_id": guid, "name": case.get("name"), **_read_values(case, variables)}
        description = _child_text(case, "Description")
        if description:
            row["description"] = description
        case_rows.append(row)
        for ref in _children(case, "SourceRef"):
            source = _norm_guid(ref.get("targetGUID"))
            if source in case_of_source:
                warnings.append(f"source {source} belongs to several cases; kept {case_of_source[source]}")
            else:
                case_of_source[source] = guid
    cases = pd.DataFrame(case_rows)

    texts: dict[str, str] = {}
    names: dict[str, str] = {}
    doc_rows: list[dict[str, Any]] = []
    selections: list[_Selection] = []
    skipped: dict[str, int] = {}
    sources = _children(root, "Sources")
    for source in (list(sources[0]) if sources else []):
        if not isinstance(source.tag, str):
            continue
        kind = _local(source)
        if kind != "TextSource":
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        guid = _norm_guid(source.get("guid")) or ""
        name = source.get("name") or guid
        content = _children(source, "PlainTextContent")
        if content:
            text = content[0].text or ""
        elif source.get("plainTextPath"):
            text = _decode_source(_source_bytes(archive, members, source.get("plainTextPath"), file, name),
                                  file, name)
        else:
            raise WorkbenchError(f"text source {name!r} has no plain text", file=file, record_id=guid,
                                 expected="PlainTextContent or a plainTextPath to a .txt file")
        texts[guid], names[guid] = text, name
        row = {"doc_id": guid, "name": name, "text": text, "case_id": case_of_source.get(guid)}
        description = _child_text(source, "Description")
        if description:
            row["description"] = description
        row.update(_read_values(source, variables))
        doc_rows.append(row)
        for coding in _children(source, "Coding"):
            selections.append(_coding(coding, guid, guid, 0, 0, None, known_codes, file, name, whole=True))
        for selection in _children(source, "PlainTextSelection"):
            memo = _child_text(selection, "Description")
            try:
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            except (TypeError, ValueError):
                raise WorkbenchError(f"document {name!r}: selection without integer positions", file=file,
                                     record_id=selection.get("guid"),
                                     value=(selection.get("startPosition"), selection.get("endPosition")),
                                     expected="integer startPosition and endPosition") from None
            for coding in _children(selection, "Coding"):
                selections.append(_coding(coding, guid, _norm_guid(selection.get("guid")) or "", start, end,
                                          memo, known_codes, file, name,
                                          creator=_norm_guid(selection.get("creatingUser"))))

    documents = pd.DataFrame(doc_rows, columns=list(dict.fromkeys(
        FRAMES["documents"][0] + [c for r in doc_rows for c in r])))
    meta: dict[str, Any] = {"warnings": warnings, "skipped_sources": skipped}
    if selections:
        convention, mapped, report = _choose_convention(selections, texts, names, offsets, file)
        meta.update(report)
    else:
        convention, mapped = ("codepoints" if offsets == "auto" else offsets), []
    meta["offsets"] = convention
    segments = pd.DataFrame(
        [{"segment_id": s.coding_guid, "doc_id": s.doc_guid, "start": a, "end": b, "code_id": s.code_guid,
          "coder": user_of.get(s.coder_guid, s.coder_guid) if s.coder_guid else None, "memo": s.memo,
          "status": "accepted"} for s, (a, b) in zip(selections, mapped, strict=True)],
        columns=FRAMES["segments"][0])
    return Corpus(documents=documents, cases=cases if not cases.empty else None, codes=codes,
                  segments=segments, users=users, meta=meta)


def _coding(coding: etree._Element, doc_guid: str, selection_guid: str, start: int, end: int,
            memo: str | None, known_codes: set[str], file: str, doc_name: str, *, whole: bool = False,
            creator: str | None = None) -> _Selection:
    refs = _children(coding, "CodeRef")
    code = _norm_guid(refs[0].get("targetGUID")) if refs else None
    if code not in known_codes:
        raise WorkbenchError(f"document {doc_name!r}: coding at positions {start}-{end} refers to a code "
                             "that is not in the codebook", file=file, record_id=_norm_guid(coding.get("guid")),
                             column="CodeRef", value=code, expected="the GUID of a code in the CodeBook")
    return _Selection(doc_guid=doc_guid, selection_guid=selection_guid,
                      coding_guid=_norm_guid(coding.get("guid")) or "", start=start, end=end, code_guid=code,
                      coder_guid=_norm_guid(coding.get("creatingUser")) or creator, memo=memo or None,
                      whole_document=whole)


def _apply_extras(corpus: Corpus, extras: dict[str, Any], file: str) -> Corpus:
    """Restore what QDA-XML cannot hold from ``workbench-extras.json``."""
    if extras.get("format") != "workbench-qdpx-extras":
        return corpus
    ids = extras.get("ids", {})
    frames = {name: getattr(corpus, name).copy() for name in FRAMES}

    def remap(frame: str, column: str, kind: str) -> None:
        mapping = ids.get(kind, {})
        if mapping and column in frames[frame].columns:
            frames[frame][column] = [mapping.get(v, v) if v is not None else None for v in frames[frame][column]]

    for frame, column, kind in (("documents", "doc_id", "documents"), ("documents", "case_id", "cases"),
                                ("cases", "case_id", "cases"), ("codes", "code_id", "codes"),
                                ("codes", "parent_id", "codes"), ("segments", "segment_id", "segments"),
                                ("segments", "doc_id", "documents"), ("segments", "code_id", "codes")):
        remap(frame, column, kind)
    added_users = set(extras.get("users_added", []))
    if added_users:
        frames["users"] = frames["users"][~frames["users"]["user_id"].isin(added_users)]
    status = extras.get("segment_status", {})
    if status:
        frames["segments"]["status"] = [status.get(s, "accepted") for s in frames["segments"]["segment_id"]]
    for name in ("turns", "people"):
        if name in extras:
            frames[name] = pd.DataFrame(extras[name]["rows"], columns=extras[name]["columns"])
    for name, columns in extras.get("columns", {}).items():
        frame = frames[name]
        for column in columns:
            if column not in frame.columns:
                frame[column] = None
        frames[name] = frame[columns + [c for c in frame.columns if c not in columns]]
    return Corpus(**frames, meta={**corpus.meta, "extras": True})


# ---------------------------------------------------------------------------------------
# Writing .qdpx
# ---------------------------------------------------------------------------------------
def _variables_for(frame: pd.DataFrame, exclude: set[str]) -> dict[str, str]:
    """Attribute columns that hold at least one value, with their QDA-XML type."""
    return {c: _variable_type(frame[c]) for c in frame.columns
            if c not in exclude and frame[c].map(lambda v: not _missing(v)).any()}


def _add_values(element: etree._Element, row: dict[str, Any], variables: dict[str, str], scope: str,
                file: str | None, record: Any) -> None:
    for column, kind in variables.items():
        value = row.get(column)
        if _missing(value):
            continue
        holder = etree.SubElement(element, f"{{{PROJECT_NS}}}VariableValue")
        etree.SubElement(holder, f"{{{PROJECT_NS}}}VariableRef", {"targetGUID": _guid(f"variable:{scope}", column)})
        etree.SubElement(holder, f"{{{PROJECT_NS}}}{_VALUE_ELEMENTS[kind]}").text = \
            _format_value(value, kind, file, record, column)


def qdpx_members(corpus: Corpus, *, project_name: str = "workbench project", include_proposed: bool = False,
                 offsets: str = "codepoints", extras: bool = True) -> dict[str, bytes]:
    """The archive members of a .qdpx for ``corpus``: ``project.qde``, sources, extras."""
    if offsets not in OFFSET_CONVENTIONS:
        raise WorkbenchError("unknown offset convention", value=offsets, expected=", ".join(OFFSET_CONVENTIONS))
    corpus = validate_corpus(Corpus(**{n: getattr(corpus, n) for n in FRAMES}))
    segments = corpus.segments if include_proposed else corpus.segments[corpus.segments["status"] == "accepted"]
    if include_proposed and not extras and (segments["status"] == "proposed").any():
        raise WorkbenchError("proposed segments would be written as ordinary codings", column="status",
                             expected="extras=True (their status is kept in workbench-extras.json) or "
                                      "include_proposed=False")
    P = f"{{{PROJECT_NS}}}"
    root = etree.Element(f"{P}Project", {"name": project_name, "origin": "workbench"}, nsmap={None: PROJECT_NS})

    user_guid = {u: _guid("user", u) for u in corpus.users["user_id"]}
    # Coders missing from corpus.users still need a <User>; extras say to drop them on reading.
    added_users = sorted(set(segments["coder"].dropna()) - set(user_guid))
    user_guid.update({u: _guid("user", u) for u in added_users})
    user_rows = corpus.users.to_dict("records") + [{"user_id": u, "name": None} for u in added_users]
    if user_rows:
        users = etree.SubElement(root, f"{P}Users")
        for row in user_rows:
            attributes = {"guid": user_guid[row["user_id"]], "id": str(row["user_id"])}
            if not _missing(row["name"]):
                attributes["name"] = str(row["name"])
            etree.SubElement(users, f"{P}User", attributes)
    if not corpus.codes.empty:
        codes = etree.SubElement(etree.SubElement(root, f"{P}CodeBook"), f"{P}Codes")
        _write_codes(codes, corpus.codes, PROJECT_NS, None)

    case_variables = _variables_for(corpus.cases, {"case_id", "name", "description"})
    doc_variables = _variables_for(corpus.documents, {"doc_id", "name", "text", "case_id", "description"})
    if case_variables or doc_variables:
        holder = etree.SubElement(root, f"{P}Variables")
        for scope, variables in (("case", case_variables), ("source", doc_variables)):
            for column, kind in variables.items():
                etree.SubElement(holder, f"{P}Variable", {"guid": _guid(f"variable:{scope}", column),
                                                          "name": column, "typeOfVariable": kind})
    if not corpus.cases.empty:
        cases = etree.SubElement(root, f"{P}Cases")
        for row in corpus.cases.to_dict("records"):
            attributes = {"guid": _guid("case", row["case_id"])}
            if not _missing(row["name"]):
                attributes["name"] = str(row["name"])
            case = etree.SubElement(cases, f"{P}Case", attributes)
            if not _missing(row.get("description")):
                etree.SubElement(case, f"{P}Description").text = str(row["description"])
            _add_values(case, row, case_variables, "case", None, row["case_id"])
            for doc_id in corpus.documents.loc[corpus.documents["case_id"] == row["case_id"], "doc_id"]:
                etree.SubElement(case, f"{P}SourceRef", {"targetGUID": _guid("document", doc_id)})

    members: dict[str, bytes] = {}
    if not corpus.documents.empty:
        sources = etree.SubElement(root, f"{P}Sources")
        by_doc = {d: g for d, g in segments.groupby("doc_id", sort=False)}
        for row in corpus.documents.to_dict("records"):
            guid = _guid("document", row["doc_id"])
            text = str(row["text"])
            source = etree.SubElement(sources, f"{P}TextSource", {
                "guid": guid, "name": str(row["name"] if not _missing(row["name"]) else row["doc_id"]),
                "plainTextPath": f"internal://{guid}.txt"})
            if not _missing(row.get("description")):
                etree.SubElement(source, f"{P}Description").text = str(row["description"])
            coded = by_doc.get(row["doc_id"])
            if coded is not None:
                coded = coded.sort_values(["start", "end", "segment_id"], kind="mergesort")
                starts = from_codepoints(text, coded["start"], offsets)
                ends = from_codepoints(text, coded["end"], offsets)
                for seg, start, end in zip(coded.to_dict("records"), starts, ends, strict=True):
                    attributes = {"guid": _guid("selection", seg["segment_id"]), "startPosition": str(int(start)),
                                  "endPosition": str(int(end))}
                    if seg["coder"] is not None:
                        attributes["creatingUser"] = user_guid[seg["coder"]]
                    selection = etree.SubElement(source, f"{P}PlainTextSelection", attributes)
                    if not _missing(seg["memo"]) and str(seg["memo"]):
                        etree.SubElement(selection, f"{P}Description").text = str(seg["memo"])
                    coding_attributes = {"guid": _guid("coding", seg["segment_id"])}
                    if seg["coder"] is not None:
                        coding_attributes["creatingUser"] = user_guid[seg["coder"]]
                    coding = etree.SubElement(selection, f"{P}Coding", coding_attributes)
                    etree.SubElement(coding, f"{P}CodeRef", {"targetGUID": _guid("code", seg["code_id"])})
            _add_values(source, row, doc_variables, "source", None, row["doc_id"])
            members[f"sources/{guid}.txt"] = text.encode("utf-8")
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    out = {"project.qde": qde, **members}
    if extras:
        out[EXTRAS_MEMBER] = _extras_bytes(corpus, segments, offsets, added_users)
    return out


def _extras_bytes(corpus: Corpus, segments: pd.DataFrame, offsets: str, added_users: list[str]) -> bytes:
    def id_map(kind: str, values: Iterable[Any]) -> dict[str, str]:
        return {_guid(kind, v): str(v) for v in values if v is not None}

    payload: dict[str, Any] = {
        "format": "workbench-qdpx-extras", "version": 1, "offsets": offsets, "users_added": added_users,
        "note": "Workbench data that QDA-XML 1.0 cannot hold; other programs may ignore this file.",
        "ids": {"documents": id_map("document", corpus.documents["doc_id"]),
                "cases": id_map("case", corpus.cases["case_id"]),
                "codes": id_map("code", corpus.codes["code_id"]),
                "segments": {_guid("coding", s): str(s) for s in segments["segment_id"]}},
        "segment_status": {str(s): st for s, st in zip(segments["segment_id"], segments["status"], strict=True)},
        "columns": {name: [str(c) for c in getattr(corpus, name).columns]
                    for name in ("documents", "cases", "codes", "segments", "users")},
    }
    for name in ("turns", "people"):
        frame = getattr(corpus, name)
        payload[name] = {"columns": [str(c) for c in frame.columns],
                         "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def qdpx_bytes(corpus: Corpus, **options: Any) -> bytes:
    """The bytes of a .qdpx archive (fixed timestamps: same corpus, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in qdpx_members(corpus, **options).items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_qdpx(corpus: Corpus, path: str | Path, *, project_name: str = "workbench project",
               include_proposed: bool = False, offsets: str = "codepoints", extras: bool = True) -> Path:
    """Write ``corpus`` as a REFI-QDA project (``.qdpx``) following the standard.

    Offsets are code points (pass ``offsets="utf16"`` only for a program that needs it),
    sources are UTF-8 ``.txt`` files in ``sources/``. Proposed (not yet accepted) segments
    are left out unless ``include_proposed``; ``extras`` adds ``workbench-extras.json`` so
    that ``read_qdpx`` gives back exactly this corpus.
    """
    path = Path(path)
    path.write_bytes(qdpx_bytes(corpus, project_name=project_name, include_proposed=include_proposed,
                                offsets=offsets, extras=extras))
    return path
