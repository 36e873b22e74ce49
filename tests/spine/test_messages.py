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
        # a plural message has one text per CLDR category (one, few, many, other); each form counts
        en, ru = ([*entry[lang].values()] if isinstance(entry[lang], dict) else [entry[lang]] for lang in ("en", "ru"))
        assert all(form.strip() for form in en + ru), key
        assert all("other" in entry[lang] for lang in ("en", "ru") if isinstance(entry[lang], dict)), key
        assert {p for form in en for p in re.findall(r"{(\w+)", form)} == \
            {p for form in ru for p in re.findall(r"{(\w+)", form)}, key
        english_words = re.sub(r"{[^}]*}", "", en[-1])
        assert all(re.search("[а-яА-Я]", form) for form in ru) or not re.search("[a-zA-Z]{4}", english_words), \
            f"{key}: the Russian text is not in Russian"


def test_plural_forms_agree_with_the_count_in_russian() -> None:
    # oracle: Russian grammar (CLDR plural rules): 1, 21, 1001 -> one; 2-4, 22 -> few; 5-20, 200 -> many
    forms = {n: text("overview_sample_total", "ru", dataset="d", n=n) for n in (1, 3, 5, 21, 22, 200, 1001)}
    assert forms[1] == "В опросе (d) 1 респондент."
    assert forms[3] == "В опросе (d) 3 респондента." and forms[22] == "В опросе (d) 22 респондента."
    assert forms[5] == "В опросе (d) 5 респондентов." and forms[200] == "В опросе (d) 200 респондентов."
    assert forms[21] == "В опросе (d) 21 респондент."
    assert forms[1001] == "В опросе (d) 1\u202f001 респондент."
    assert text("overview_sample_total", "en", dataset="d", n=1) == "The survey (d) has 1 respondent."


def test_text_fills_placeholders_and_rejects_unknown_language() -> None:
    assert text("suppressed_note", "en", marker="x", min_cell=10) == "x: suppressed, fewer than 10 respondents or records."
    with pytest.raises(WorkbenchError, match="unknown report language"):
        text("suppressed_note", "kg", marker="x", min_cell=10)
