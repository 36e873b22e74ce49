"""Quotes as every report shows them: chosen by one function, attributed by one rule, marked
with the language they were said in (issue 14.2, 14.4, 14.7).

``attributed_quotes`` picks typical, scrubbed quotes per code (``qualitative.quote_bank``) and
gives each its speaker by one rule: when the same words occur in several transcripts, the
speaker is the first case (by case id) who said them, so the same sentence carries the same
attribution in 02 and in 10 whatever each report selected from. What the attribution may say
is ``Disclosure.attribution`` (``study_facts.quote_attribution``): group, and sex, only where
enough participants share them. A ``Quote`` keeps its transcript's language (the documents'
``transcript_language`` column); the report renders it inside an element with that ``lang``,
with a note that quotes are in the original (``quotes_note``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import qualitative as qa
from workbench import study_facts
from workbench.disclosure import Disclosure
from workbench.qualitative import presentation as qp
from workbench.reports.sections import Quote, Text

#: the documents' column that declares the language a transcript is written in
LANGUAGE_COLUMN = "transcript_language"


def speaker_cases(bank: pd.DataFrame, documents: pd.DataFrame, turns: pd.DataFrame | None) -> pd.Series:
    """The case of each quote of ``bank`` by the one rule: every place in the corpus where the
    quote's original words (``documents.text[start:end]``) occur, and of their speakers the
    first by case id; the quote's own speaker when the words occur nowhere else."""
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    own = qp.quote_cases(bank, documents, turns)
    cases = []
    for row, (doc_id, start, end) in enumerate(zip(bank["doc_id"].astype(str), bank["start"], bank["end"])):
        words = texts.get(doc_id, "")[int(start):int(end)]
        places = [(other, at) for other, text in texts.items() if words
                  for at in _occurrences(text, words)]
        found = qp.quote_cases(pd.DataFrame(places, columns=["doc_id", "start"]), documents, turns) if places else []
        speakers = sorted(str(c) for c in found if not pd.isna(c))
        cases.append(speakers[0] if speakers else own.iloc[row])
    return pd.Series(cases, index=bank.index, dtype=object, name="case_id")


def _occurrences(text: str, words: str) -> list[int]:
    found, at = [], text.find(words)
    while at >= 0:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def speaker(person: pd.Series | None, group_labels: dict[Any, str]) -> Text:
    """How a quote names its speaker (a row of ``study_facts.quote_attribution``): group and
    sex, or group, where the disclosure allows; else 'participant'."""
    if person is None or pd.isna(person["group"]):
        return Text("ql_who_unknown")
    group = group_labels.get(person["group"], person["group"])
    if pd.notna(person.get("sex")) and person["sex"] in ("female", "male"):
        return Text("ql_who", {"group": group, "sex": Text(f"ql_sex_{person['sex']}")})
    return Text("ql_who_group", {"group": group})


def attributed_quotes(corpus: Any, segments: pd.DataFrame, disclosure: Disclosure, group_labels: dict[Any, str], *,
                      group: str, sex: str | None, per_code: int) -> pd.DataFrame:
    """Up to ``per_code`` quotes per code of ``segments`` (a ``StudyCorpus``'s coded segments),
    each a ``Quote`` attributed by the one rule. Columns ``code_id, rank, case_id, quote``
    (sorted by code and rank); empty when no segment gives a quote."""
    bank = qa.quote_bank(segments, corpus.documents, corpus.people, cases=corpus.cases, turns=corpus.turns,
                         codes=corpus.codes, per_group=int(per_code)) if len(segments) else pd.DataFrame()
    if bank.empty:
        return pd.DataFrame(columns=["code_id", "rank", "case_id", "quote"])
    bank["case_id"] = speaker_cases(bank, corpus.documents, corpus.turns)
    shown_as = study_facts.quote_attribution(corpus.cases, disclosure, group=group, sex=sex).set_index("case_id")
    languages = (dict(zip(corpus.documents["doc_id"].astype(str), corpus.documents[LANGUAGE_COLUMN]))
                 if LANGUAGE_COLUMN in corpus.documents.columns else {})
    bank["quote"] = [
        Quote(str(q.quote), speaker(shown_as.loc[q.case_id] if not pd.isna(q.case_id) and q.case_id in shown_as.index
                                    else None, group_labels),
              _language(languages.get(str(q.doc_id))))
        for q in bank.itertuples(index=False)]
    return bank.sort_values(["code_id", "rank"])[["code_id", "rank", "case_id", "quote"]].reset_index(drop=True)


def transcript_language(documents: pd.DataFrame) -> str | None:
    """The one language the documents declare (``transcript_language``), else None (none or several)."""
    if LANGUAGE_COLUMN not in documents.columns:
        return None
    declared = {_language(v) for v in documents[LANGUAGE_COLUMN]}
    return declared.pop() if len(declared) == 1 else None


def _language(value: Any) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


def quotes_note(quotes: pd.DataFrame, language: str) -> Text | None:
    """The note that quotes are in the original language, when some are not in ``language``
    (the catalogue's ``ql_quotes_language`` naming the transcripts' language), else None."""
    other = sorted({q.language for q in quotes["quote"] if q.language and q.language != language})
    if not other:
        return None
    return Text("ql_quotes_language", {"languages": [Text(f"language_{code}") for code in other]})
