"""Coding helpers: dictionary/regex auto-coding proposals, accepting them, merging and recoding.

Auto-coding never codes on its own authority: it adds segments with status "proposed",
which analyses leave out until a person accepts them (``accept_proposals``). Merging and
recoding rewrite ``code_id`` of segments and drop the retired codes, so the codebook and the
segments stay consistent. Every function returns a new Corpus and leaves its input unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.qualitative.corpus import Corpus, validate_corpus

AUTO_CODER = "auto"
UNITS = ("match", "line", "turn")


def _compile(terms: str | Sequence[str], regex: bool, case_sensitive: bool, whole_words: bool) -> re.Pattern[str]:
    items = [terms] if isinstance(terms, str) else list(terms)
    items = [t for t in items if t]
    if not items:
        raise WorkbenchError("no terms to search for", value=terms, expected="one or more words or patterns")
    parts = items if regex else [re.escape(t) for t in sorted(items, key=len, reverse=True)]
    pattern = "|".join(f"(?:{p})" for p in parts)
    if whole_words:
        pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
    try:
        return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as err:
        raise WorkbenchError(f"not a valid regular expression ({err})", value=terms) from None


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    stops = [i for i in (text.find("\n", end), text.find("\r", end)) if i >= 0]
    return line_start, (min(stops) if stops else len(text))


def auto_code(corpus: Corpus, code_id: str, terms: str | Sequence[str], *, regex: bool = False,
              case_sensitive: bool = False, whole_words: bool = True, unit: str = "match",
              coder: str = AUTO_CODER, doc_ids: Iterable[str] | None = None) -> Corpus:
    """Propose segments for ``code_id`` wherever ``terms`` (words, or regexes) occur.

    ``unit`` widens each hit to the match itself, its line, or the speaker turn holding it
    (a hit outside every turn falls back to its line). Segments that already exist (same
    document, offsets and code) are not proposed again. New segments have status
    "proposed" and ids ``auto:<code>:<doc>:<start>-<end>``.
    """
    if unit not in UNITS:
        raise WorkbenchError("unknown coding unit", column="unit", value=unit, expected=", ".join(UNITS))
    if str(code_id) not in set(corpus.codes["code_id"]):
        raise WorkbenchError("unknown code", column="code_id", value=code_id, expected="a code_id in corpus.codes")
    pattern = _compile(terms, regex, case_sensitive, whole_words)
    wanted = None if doc_ids is None else {str(d) for d in doc_ids}
    existing = set(zip(corpus.segments["doc_id"], corpus.segments["start"], corpus.segments["end"],
                       corpus.segments["code_id"], strict=True))
    new_rows = []
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"], strict=True):
        if wanted is not None and doc_id not in wanted:
            continue
        turns = corpus.turns[corpus.turns["doc_id"] == doc_id]
        spans: list[tuple[int, int]] = []
        for match in pattern.finditer(str(text)):
            if match.end() == match.start():
                continue
            span = (match.start(), match.end())
            if unit == "turn":
                holding = turns[(turns["start"] <= match.start()) & (turns["end"] >= match.end())]
                span = (int(holding["start"].iloc[0]), int(holding["end"].iloc[0])) if not holding.empty \
                    else _line_span(str(text), *span)
            elif unit == "line":
                span = _line_span(str(text), *span)
            if span not in spans:
                spans.append(span)
        for start, end in spans:
            if (doc_id, start, end, str(code_id)) in existing:
                continue
            new_rows.append({"segment_id": f"auto:{code_id}:{doc_id}:{start}-{end}", "doc_id": doc_id,
                             "start": start, "end": end, "code_id": str(code_id), "coder": coder,
                             "memo": None, "status": "proposed"})
    out = corpus.copy()
    if new_rows:
        added = pd.DataFrame(new_rows)
        out.segments = pd.concat([out.segments, added], ignore_index=True)
        if coder is not None and not out.users.empty and coder not in set(out.users["user_id"]):
            out.users = pd.concat([out.users, pd.DataFrame([{"user_id": coder, "name": "automatic coding"}])],
                                  ignore_index=True)
    return validate_corpus(Corpus(**{n: getattr(out, n) for n in
                                     ("documents", "cases", "turns", "codes", "segments", "users", "people")},
                                  meta=out.meta))


def _known_segments(corpus: Corpus, segment_ids: Iterable[str], status: str | None = None) -> list[str]:
    ids = [str(s) for s in segment_ids]
    known = corpus.segments.set_index("segment_id")["status"]
    unknown = [s for s in ids if s not in known.index]
    if unknown:
        raise WorkbenchError(f"{len(unknown)} unknown segment id(s)", column="segment_id", value=unknown[:5],
                             expected="ids listed in corpus.segments")
    if status is not None:
        wrong = [s for s in ids if known[s] != status]
        if wrong:
            raise WorkbenchError(f"{len(wrong)} segment(s) are not {status}", column="status", value=wrong[:5],
                                 expected=f"segments with status {status!r}")
    return ids


def accept_proposals(corpus: Corpus, segment_ids: Iterable[str], *, accepted_by: str | None = None) -> Corpus:
    """Mark proposed segments as accepted; ``accepted_by`` (a user id) becomes their coder."""
    ids = set(_known_segments(corpus, segment_ids, status="proposed"))
    out = corpus.copy()
    chosen = out.segments["segment_id"].isin(ids)
    out.segments.loc[chosen, "status"] = "accepted"
    if accepted_by is not None:
        out.segments.loc[chosen, "coder"] = str(accepted_by)
    return validate_corpus(out)


def reject_proposals(corpus: Corpus, segment_ids: Iterable[str]) -> Corpus:
    """Remove proposed segments a person has rejected."""
    ids = set(_known_segments(corpus, segment_ids, status="proposed"))
    out = corpus.copy()
    out.segments = out.segments[~out.segments["segment_id"].isin(ids)].reset_index(drop=True)
    return out


def _code_id(corpus: Corpus, value: str, what: str) -> str:
    codes = corpus.codes
    text = str(value)
    if text in set(codes["code_id"]):
        return text
    named = codes.loc[codes["name"] == text, "code_id"]
    if len(named) == 1:
        return str(named.iloc[0])
    raise WorkbenchError(f"{what} {'is ambiguous' if len(named) > 1 else 'is not a known code'}", value=text,
                         expected="a code_id or unique code name in corpus.codes")


def merge_codes(corpus: Corpus, code_ids: Iterable[str], into: str) -> Corpus:
    """Recode every segment of ``code_ids`` to ``into`` and remove those codes.

    Children of a removed code move under ``into``. Where a document span ends up coded
    twice with ``into`` by the same coder, one segment is kept (the first by segment id).
    """
    target = _code_id(corpus, into, "target code")
    sources = {_code_id(corpus, c, "code to merge") for c in code_ids} - {target}
    return _recode(corpus, {s: target for s in sources})


def recode(corpus: Corpus, mapping: Mapping[str, str | None] | pd.DataFrame, *, old: str = "old_code",
           new: str = "new_code") -> Corpus:
    """Apply a recoding table (old code -> new code, by id or unique name).

    A table has columns ``old`` and ``new``; an empty new code deletes the old code's
    segments. Old codes are removed from the codebook; their children move to the new code.
    """
    if isinstance(mapping, pd.DataFrame):
        require_columns(mapping, [old, new], what="the recoding table")
        pairs = list(zip(mapping[old], mapping[new], strict=True))
    else:
        pairs = list(mapping.items())
    resolved: dict[str, str | None] = {}
    for row, (source, target) in enumerate(pairs, start=1):
        source_id = _code_id(corpus, source, f"old code in row {row}")
        empty = target is None or (isinstance(target, float) and pd.isna(target)) or str(target).strip() == ""
        target_id = None if empty else _code_id(corpus, target, f"new code in row {row}")
        if source_id in resolved and resolved[source_id] != target_id:
            raise WorkbenchError("a code is mapped to two different new codes", row=row, value=source,
                                 expected="one new code per old code")
        if source_id != target_id:
            resolved[source_id] = target_id
    chained = [s for s, t in resolved.items() if t in resolved]
    if chained:
        raise WorkbenchError("a new code is itself recoded (chained mapping)", value=chained[:5],
                             expected="map each old code straight to its final code")
    return _recode(corpus, resolved)


def _recode(corpus: Corpus, mapping: Mapping[str, str | None]) -> Corpus:
    out = corpus.copy()
    segments = out.segments
    deleted = [s for s, t in mapping.items() if t is None]
    segments = segments[~segments["code_id"].isin(deleted)].copy()
    segments["code_id"] = [mapping.get(c, c) for c in segments["code_id"]]
    segments = segments.sort_values("segment_id", kind="mergesort")
    segments = segments.drop_duplicates(["doc_id", "start", "end", "code_id", "coder", "status"], keep="first")
    out.segments = segments.sort_index().reset_index(drop=True)
    codes = out.codes.copy()
    parents = dict(zip(codes["code_id"], codes["parent_id"], strict=True))

    def new_parent(parent: str | None) -> str | None:
        while parent is not None and parent in mapping:
            parent = mapping[parent] if mapping[parent] is not None else parents.get(parent)
        return parent

    codes["parent_id"] = [new_parent(p) for p in codes["parent_id"]]
    codes.loc[codes["parent_id"] == codes["code_id"], "parent_id"] = None
    out.codes = codes[~codes["code_id"].isin(list(mapping))].reset_index(drop=True)
    return validate_corpus(out)
