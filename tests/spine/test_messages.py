"""The message catalogue: every key in English and Russian, placeholders the same in both."""

from __future__ import annotations

import re

import pytest

from workbench.errors import WorkbenchError
from workbench.reporting.messages import catalogue, text


def test_every_message_has_both_languages_and_the_same_placeholders() -> None:
    entries = catalogue()
    assert entries
    for key, entry in entries.items():
        assert entry["en"].strip() and entry["ru"].strip(), key
        assert set(re.findall(r"{(\w+)", entry["en"])) == set(re.findall(r"{(\w+)", entry["ru"])), key
        english_words = re.sub(r"{[^}]*}", "", entry["en"])
        assert re.search("[а-яА-Я]", entry["ru"]) or not re.search("[a-zA-Z]{4}", english_words), \
            f"{key}: the Russian text is not in Russian"


def test_text_fills_placeholders_and_rejects_unknown_language() -> None:
    assert text("suppressed_note", "en", marker="x", min_cell=10) == "x: suppressed, fewer than 10 respondents or records."
    with pytest.raises(WorkbenchError, match="unknown report language"):
        text("suppressed_note", "kg", marker="x", min_cell=10)
