"""Quotes chosen and attributed by one rule, in the language of their transcript (issue 14.2,
14.4, 14.7).

Oracle: hand-made transcripts whose speakers are known by construction (the same sentence said
by two cases goes to the first by case id, whichever transcript the quote was taken from), and
the HTML the report must produce for a quote, written out by hand.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from workbench.reporting.sections import _quote_cells, quoted
from workbench.reporting.tables import HtmlTable, MarkedText
from workbench.reports.quotes import quotes_note, speaker_cases, transcript_language
from workbench.reports.sections import Quote, Text

SAME = "I lost my passport at the border and nobody helps."
DOCUMENTS = pd.DataFrame({"doc_id": ["D1", "D2", "D3"], "case_id": ["KI07", "KI02", "KI09"],
                          "text": [f"Q: Papers? A: {SAME} Then I went home.", f"A: {SAME}", "A: Only mine."],
                          "transcript_language": ["en", "en", "en"]})


def _bank(doc_id: str, words: str) -> pd.DataFrame:
    start = DOCUMENTS.set_index("doc_id").loc[doc_id, "text"].index(words)
    return pd.DataFrame({"doc_id": [doc_id], "start": [start], "end": [start + len(words)]})


def test_the_same_words_get_the_same_speaker_whichever_transcript_they_come_from() -> None:
    # said by KI07 (D1) and KI02 (D2): KI02 both times, the first by case id
    assert speaker_cases(_bank("D1", SAME), DOCUMENTS, None).tolist() == ["KI02"]
    assert speaker_cases(_bank("D2", SAME), DOCUMENTS, None).tolist() == ["KI02"]
    # words only one case said stay with that case
    assert speaker_cases(_bank("D1", "Then I went home."), DOCUMENTS, None).tolist() == ["KI07"]


def test_one_declared_language() -> None:
    assert transcript_language(DOCUMENTS) == "en"
    assert transcript_language(DOCUMENTS.assign(transcript_language=["en", "ru", "en"])) is None
    assert transcript_language(DOCUMENTS.drop(columns="transcript_language")) is None
    quotes = pd.DataFrame({"quote": [Quote("x", None, "en")]})
    assert quotes_note(quotes, "en") is None
    assert quotes_note(quotes, "ru") == Text("ql_quotes_language", {"languages": [Text("language_en")]})


def test_a_quote_in_another_language_is_marked_with_it() -> None:
    ru, en = SimpleNamespace(language="ru"), SimpleNamespace(language="en")
    quote = Quote("My <passport>", Text("ql_who_group", {"group": "Вернувшиеся"}), "en")
    assert quoted(quote, ru).html() == '«<span lang="en">My &lt;passport&gt;</span>» — Вернувшиеся'
    assert quoted(Quote("My passport", "Returnee", "en"), en).html() == "“My passport” — Returnee"  # same language
    assert quoted(Quote("excerpt", None, "en"), ru).html() == '<span lang="en">excerpt</span>'
    assert str(quoted(quote, ru)) == "«My <passport>» — Вернувшиеся"  # the annex gets plain text


def test_quotes_in_table_cells_keep_their_language() -> None:
    ru = SimpleNamespace(language="ru")
    frame = pd.DataFrame({"row": ["Документы"], "quotes": [[Quote("One", "A", "en"), Quote("Two", "B", "en")]]})
    cells = _quote_cells(frame, ru)
    assert isinstance(cells.loc[0, "quotes"], MarkedText) and cells.loc[0, "quotes"] == "«One» — A\n«Two» — B"
    page = HtmlTable("T", cells)._repr_html_()
    assert '<td>«<span lang="en">One</span>» — A<br>«<span lang="en">Two</span>» — B</td>' in page  # one per line
