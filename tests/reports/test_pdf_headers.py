"""Printed tables keep their column headings whole (issue 14.7): no heading word of a table is
broken across lines in the PDF, in either language.

Oracle: the report's own HTML (the heading words of every ``<th>`` and the words the page
contains) against the text poppler's ``pdftotext`` reads back from the printed PDF: a heading
word is split when two pieces of it appear in the PDF as words that the report never writes
("Респон" and "денты" for "Респонденты"). The detector is checked on hand-made text first.
"""

from __future__ import annotations

import html as html_text
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

WORD = re.compile(r"[^\W\d_]+")
LANGUAGES = ("en", "ru")


def heading_words(page: str) -> set[str]:
    """Words (4 letters or more) of every table heading of the report."""
    soup = BeautifulSoup(page, "lxml")
    return {w for th in soup.find_all("th") for w in WORD.findall(th.get_text(" ")) if len(w) >= 4}


def page_vocabulary(page: str) -> set[str]:
    """Every word the report's HTML holds (visible text, and chart data escaped as \\uXXXX), casefolded."""
    raw = html_text.unescape(page)
    words = {w.casefold() for w in WORD.findall(raw)}
    for escaped in re.finditer(r"(?:\\u[0-9a-fA-F]{4})+", raw):
        words |= {w.casefold() for w in WORD.findall(escaped.group(0).encode().decode("unicode_escape"))}
    return words


def split_heading_words(pdf_text: str, headings: set[str], vocabulary: set[str]) -> list[str]:
    """Heading words of which two pieces (2 letters or more each) are words of the PDF text and
    neither piece is a word of the report: the heading was broken inside that word."""
    tokens = set(WORD.findall(pdf_text))
    split = []
    for word in sorted(headings):
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if head in tokens and tail in tokens and head.casefold() not in vocabulary \
                    and tail.casefold() not in vocabulary:
                split.append(f"{word} ({head}|{tail})")
                break
    return split


def test_the_detector_finds_a_broken_heading_and_not_a_whole_one() -> None:
    page = "<table><tr><th>Респонденты</th><th>Key informants</th></tr></table><p>Share by region</p>"
    headings, vocabulary = heading_words(page), page_vocabulary(page)
    assert headings == {"Респонденты", "informants"}
    assert split_heading_words("Респон-\nденты   Key informants", headings, vocabulary) == ["Респонденты (Респон|денты)"]
    assert split_heading_words("Респонденты  Key\ninformants", headings, vocabulary) == []
    # a chart title cut at the page edge leaves one piece only: not a broken heading
    assert split_heading_words("Share by regio  mants", headings, vocabulary) == []


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_printed_tables_keep_heading_words_whole(built_reports: dict, language: str) -> None:
    pdfs = sorted(built_reports[language].glob("*.pdf"))
    assert pdfs, "no PDF was built"
    for pdf in pdfs:
        page = pdf.with_suffix(".html").read_text(encoding="utf-8")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert split_heading_words(text, heading_words(page), page_vocabulary(page)) == [], pdf.name
