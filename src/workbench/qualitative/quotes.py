"""Quote bank: short, representative, pseudonymised and scrubbed excerpts per code and group.

Personal data are found with the corpus's own list of people and places (``people``:
name, kind) plus patterns for Kyrgyz identifiers:

- names: every word of a person's name (first name, surname, patronymic) and every place
  name as a whole, case-insensitive, whole words, with up to three extra letters for
  Russian/Kyrgyz case endings (a final vowel, ь or й may be replaced: Айгуль -> Айгулю);
  е/ё, ө/о, ү/у and ң/н are treated as the same letter;
- phone numbers: +996 / 996 / 0 followed by 9 digits with spaces, dashes, dots or
  brackets (+996 555 123 456, 0555 123456, 0 (312) 62-45-78), and bare 9-digit mobile
  numbers starting 2, 5, 7 or 9 grouped 3-3-3 or 3-2-2-2 (555 123 456);
- personal identification numbers (PIN, ИНН): 14 digits, optionally grouped;
- passport / ID card numbers: two letters and 7 digits (AN1234567, ID 1234567), or
  "паспорт/passport" followed by a number;
- e-mail addresses.

Scrubbing errs towards removing too much: a quote with an ordinary word that happens to
equal a name loses that word. Quotes are chosen as the excerpts closest (cosine
similarity of TF-IDF vectors, scikit-learn) to the centroid of all excerpts of the code in
the group, one per participant, so that a bank shows typical rather than extreme talk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import _code_names, segment_participants

PLACEHOLDERS: dict[str, str] = {
    "person": "[PERSON]",
    "place": "[PLACE]",
    "phone": "[PHONE]",
    "pin": "[PIN]",
    "passport": "[PASSPORT]",
    "email": "[EMAIL]",
}

_SEP = r"[\s\-.()]{0,3}"
_IDENTIFIER_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("pin", re.compile(r"(?<!\d)\d(?:[ \-]?\d){13}(?!\d)")),
    ("phone", re.compile(rf"(?<![\d\w])(?:\+\s?996|996|0){_SEP}(?:\d{_SEP}){{8}}\d(?!\d)")),
    (
        "phone",
        re.compile(r"(?<![\d+\w])[2579]\d{2}(?:[ \-]?\d{3}[ \-]?\d{3}|[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2})(?!\d)"),
    ),
    ("passport", re.compile(r"(?<!\w)[A-Za-zА-Яа-яЁё]{2}\s?№?\s?\d{7}(?!\d)")),
    (
        "passport",
        re.compile(
            r"(?i)(?<!\w)(?:паспорт\w*|passport)\s*"
            r"(?P<id>(?:№|N|No\.?|номер)?\s*[A-Za-zА-Яа-я]{0,2}\s?\d{6,9})(?!\d)"
        ),
    ),
]

_LETTER_VARIANTS = {"е": "[её]", "ё": "[её]", "ө": "[өо]", "ү": "[үу]", "ң": "[ңн]"}
_CHANGEABLE_ENDINGS = set("аяоеёыиуюьйaeiouy")


@dataclass(frozen=True)
class PersonalDataMatch:
    """One piece of personal data in a text: kind, start, end (code points, exclusive), text."""

    kind: str
    start: int
    end: int
    text: str


def _word_pattern(word: str, *, inflect: bool) -> str:
    """Regex for a name word with optional case endings and letter variants."""
    word = unicodedata.normalize("NFC", word)
    if inflect and len(word) >= 4 and word[-1].lower() in _CHANGEABLE_ENDINGS:
        stem, ending = word[:-1], r"\w{0,3}"
    elif inflect:
        stem, ending = word, r"\w{0,3}"
    else:
        stem, ending = word, ""
    body = "".join(_LETTER_VARIANTS.get(ch.lower(), re.escape(ch)) for ch in stem)
    return body + ending


def _people_table(people: pd.DataFrame | Iterable[str] | None) -> list[tuple[str, str]]:
    if people is None:
        return []
    if isinstance(people, pd.DataFrame):
        require_columns(people, ["name"], what="the people table (name, kind)")
        kinds = people["kind"] if "kind" in people.columns else pd.Series("person", index=people.index)
        return [
            (str(name), str(kind) if str(kind) in ("person", "place") else "person")
            for name, kind in zip(people["name"], kinds)
            if isinstance(name, str) and name.strip()
        ]
    return [(str(name), "person") for name in people if str(name).strip()]


class PersonalDataScrubber:
    """Compiled patterns for one corpus's people and places plus the identifier patterns."""

    def __init__(
        self,
        people: pd.DataFrame | Iterable[str] | None = None,
        *,
        whole_names: Iterable[str] = (),
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        self.placeholders = {**PLACEHOLDERS, **(placeholders or {})}
        alternatives: dict[str, set[str]] = {"person": set(), "place": set()}
        for name, kind in _people_table(people):
            words = [w for w in re.split(r"\s+", name.strip()) if w]
            last = len(words) - 1  # places: only the last word takes case endings
            phrase = r"\s+".join(_word_pattern(w, inflect=kind == "person" or i == last) for i, w in enumerate(words))
            alternatives[kind].add(phrase)
            if kind == "person":
                for word in words:
                    if len(word) >= 2 and not word.isdigit() and not re.fullmatch(r"\w\.?", word):
                        alternatives[kind].add(_word_pattern(word.rstrip("."), inflect=True))
        for name in whole_names:
            if isinstance(name, str) and name.strip():
                words = name.split()
                alternatives["person"].add(r"\s+".join(_word_pattern(w, inflect=False) for w in words))
        self._name_patterns = [
            (kind, re.compile(r"(?<!\w)(?:" + "|".join(sorted(options, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE))
            for kind, options in alternatives.items()
            if options
        ]

    def find(self, text: str) -> list[PersonalDataMatch]:
        """All personal data in ``text``, without overlaps (longest match wins), by position."""
        text = unicodedata.normalize("NFC", text)
        found = []
        for kind, pattern in [*self._name_patterns, *_IDENTIFIER_PATTERNS]:
            for m in pattern.finditer(text):
                # a pattern with an "id" group reports only that part (keeps "паспорт")
                group = "id" if "id" in pattern.groupindex else 0
                found.append(PersonalDataMatch(kind, m.start(group), m.end(group), m.group(group)))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        result: list[PersonalDataMatch] = []
        for match in found:
            if result and match.start < result[-1].end:
                continue
            result.append(match)
        return result

    def scrub(self, text: str) -> str:
        """``text`` with every match replaced by its placeholder (repeated until none is left)."""
        text = unicodedata.normalize("NFC", text)
        for _ in range(3):
            matches = self.find(text)
            if not matches:
                break
            pieces, position = [], 0
            for match in matches:
                pieces.append(text[position : match.start])
                pieces.append(self.placeholders[match.kind])
                position = match.end
            pieces.append(text[position:])
            text = "".join(pieces)
        return text


def find_personal_data(
    text: str, people: pd.DataFrame | Iterable[str] | None = None
) -> list[PersonalDataMatch]:
    """Personal data in ``text``: names/places from ``people`` and Kyrgyz identifiers."""
    return PersonalDataScrubber(people).find(text)


def scrub_personal_data(text: str, people: pd.DataFrame | Iterable[str] | None = None) -> str:
    """``text`` with names, places, phone numbers, PINs, passport numbers and e-mails replaced."""
    return PersonalDataScrubber(people).scrub(text)


# ---------------------------------------------------------------------------------------
# Quote bank
# ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_SPEAKER_LABEL = re.compile(r"^\s*[^\s:.!?]{1,30}(?: [^\s:.!?]{1,30}){0,2}:\s+")


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so that no word is cut in half (boundaries between words stay)."""
    if start < len(text) and text[start].isalnum():
        while start > 0 and text[start - 1].isalnum():
            start -= 1
    if end > 0 and text[end - 1].isalnum():
        while end < len(text) and text[end].isalnum():
            end += 1
    return start, end


def shorten(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars``: whole sentences if possible, else whole words + "…"."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= max_chars:
            cut = match.end()
        else:
            break
    if cut:
        return text[:cut]
    words = text[: max_chars - 1].rsplit(" ", 1)[0]
    return words.rstrip(" ,;:-") + "…"


def _pseudonyms(cases: pd.DataFrame | None) -> dict[Any, str]:
    """Stable case pseudonyms: the cases table's ``pseudonym`` column, else R01, R02, ..."""
    if cases is None or cases.empty:
        return {}
    if "pseudonym" in cases.columns:
        return dict(zip(cases["case_id"], cases["pseudonym"].astype(str)))
    ordered = sorted(cases["case_id"].tolist(), key=str)
    width = max(2, len(str(len(ordered))))
    return {case_id: f"R{i:0{width}d}" for i, case_id in enumerate(ordered, start=1)}


def quote_bank(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    people: pd.DataFrame | Iterable[str] | None,
    *,
    cases: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
    codes: pd.DataFrame | None = None,
    by: str | None = None,
    per_group: int = 3,
    min_chars: int = 40,
    max_chars: int = 300,
) -> pd.DataFrame:
    """Select up to ``per_group`` representative quotes per code and group, scrubbed.

    ``by`` is a participant attribute (e.g. "respondent_group"); None puts all in one
    group "all". In focus groups a quote is the part of the segment inside one speaker's
    turn. Texts are widened to whole words, scrubbed (see module docstring; case names
    and interviewer names are scrubbed too), then shortened to ``max_chars``; shorter
    than ``min_chars`` is dropped. At most one quote per participant per code and group,
    and no text twice.
    Columns: code_id, code_name, group, rank, quote, attribution, participant, doc_id,
    start, end (the excerpt's code points in the original text), similarity,
    n_candidates. Attributions use pseudonyms only (speaker pseudonyms in focus groups,
    the cases' ``pseudonym`` column or R01, R02... for interviews).
    """
    if per_group < 1 or min_chars < 0 or max_chars < max(min_chars, 10):
        raise WorkbenchError(
            "invalid quote-bank limits", value=(per_group, min_chars, max_chars),
            expected="per_group >= 1 and 10 <= max_chars, min_chars <= max_chars",
        )
    extra_names: list[str] = []
    if cases is not None and "name" in cases.columns:
        extra_names += [n for n in cases["name"].dropna().astype(str)]
    if "interviewer" in documents.columns:
        extra_names += [n for n in documents["interviewer"].dropna().astype(str)]
    scrubber = PersonalDataScrubber(people, whole_names=extra_names)
    links = segment_participants(segments, documents, cases, turns)
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    turn_spans: dict[tuple[str, Any], list[tuple[int, int]]] = {}
    if turns is not None and not turns.empty:
        for turn in turns.itertuples(index=False):
            turn_spans.setdefault((str(turn.doc_id), turn.speaker), []).append((int(turn.start), int(turn.end)))
    pseudonyms = _pseudonyms(cases)
    turn_docs = {doc_id for doc_id, _ in turn_spans}
    candidates = []
    for row in links.itertuples(index=False):
        text = texts.get(row.doc_id)
        speaker = getattr(row, "speaker", None)
        if text is None or (row.doc_id in turn_docs and not isinstance(speaker, str) and pd.isna(row.case_id)):
            continue  # focus-group text of no participant (e.g. the moderator)
        spans = [(int(row.start), int(row.end))]
        if isinstance(speaker, str) and (row.doc_id, speaker) in turn_spans:
            spans = [
                (max(spans[0][0], s), min(spans[0][1], e))
                for s, e in turn_spans[(row.doc_id, speaker)]
                if s < spans[0][1] and e > spans[0][0]
            ]
        turn_starts = {s for s, _ in turn_spans.get((row.doc_id, speaker), [])} if isinstance(speaker, str) else set()
        for start, end in spans:
            start, end = _expand_to_words(text, start, end)
            excerpt = text[start:end]
            if start in turn_starts:  # drop the transcript's speaker label ("P2: ...")
                excerpt = _SPEAKER_LABEL.sub("", excerpt, count=1)
            quote = shorten(scrubber.scrub(excerpt), max_chars)
            if len(quote) < min_chars or scrubber.find(quote):
                continue
            participant = speaker if isinstance(speaker, str) else pseudonyms.get(row.case_id, None)
            group = getattr(row, by) if by else "all"
            candidates.append(
                {
                    "code_id": row.code_id,
                    "group": group,
                    "quote": quote,
                    "participant": participant,
                    "doc_id": row.doc_id,
                    "doc_type": getattr(row, "doc_type", None),
                    "start": start,
                    "end": end,
                }
            )
    columns = [
        "code_id", "code_name", "group", "rank", "quote", "attribution", "participant",
        "doc_id", "start", "end", "similarity", "n_candidates",
    ]
    if not candidates:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(candidates).drop_duplicates(["code_id", "group", "quote", "participant"])
    chosen = []
    for (code_id, group), data in table.groupby(["code_id", "group"], sort=True, dropna=False):
        data = data.assign(similarity=_centroid_similarity(data["quote"].tolist()))
        data = data.sort_values(["similarity", "doc_id", "start"], ascending=[False, True, True], kind="stable")
        used: set[Any] = set()
        rank = 0
        for row in data.itertuples(index=False):
            key = row.participant if row.participant is not None else (row.doc_id, "document")
            if key in used or row.quote in used:  # one quote per participant, no repeated text
                continue
            used.update((key, row.quote))
            rank += 1
            chosen.append({**row._asdict(), "rank": rank, "n_candidates": len(data)})
            if rank == per_group:
                break
    result = pd.DataFrame(chosen)
    result["attribution"] = [
        _attribution(doc_type, participant, group if by else None)
        for doc_type, participant, group in zip(result["doc_type"], result["participant"], result["group"])
    ]
    result["attribution"] = result["attribution"].map(scrubber.scrub)
    result["code_name"] = _code_names(result["code_id"], codes)
    return result[columns].reset_index(drop=True)


def _attribution(doc_type: Any, participant: Any, group: Any) -> str:
    parts = [str(doc_type) if isinstance(doc_type, str) else "document"]
    if participant is not None and not (isinstance(participant, float) and np.isnan(participant)):
        parts.append(str(participant))
    text = ", ".join(parts)
    if group is not None and not (isinstance(group, float) and np.isnan(group)):
        text += f" ({group})"
    return text


def _centroid_similarity(texts: list[str]) -> np.ndarray:
    """Cosine similarity of each text's TF-IDF vector to the group's mean vector."""
    if len(texts) == 1:
        return np.ones(1)
    try:
        vectors = TfidfVectorizer(lowercase=True).fit_transform(texts)
    except ValueError:  # no word of two letters or more in any text
        return np.zeros(len(texts))
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(texts))
    # rows of a TfidfVectorizer output are L2-normalised already
    return np.asarray(vectors @ (centroid / norm)).ravel()
