"""The landing page in the report language (issue 14.7): parameter names and values, file
labels and run times as a reader reads them, nothing of the build's own vocabulary.

Oracle: the visible-text check of tests/reports/test_report_text.py (a Latin word outside the
allow-list in the Russian edition is a problem) on a page written from a hand-made manifest,
and the expected Russian strings written out by hand.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from workbench.reporting.index import output_label, write_index
from workbench.reporting.parameters import reader_name, reader_value
from workbench.study import Study

ROOT = Path(__file__).resolve().parents[2]
APISTRAT = ROOT / "tests" / "fixtures" / "byo_apistrat"
_spec = importlib.util.spec_from_file_location("report_text_checks", Path(__file__).with_name("test_report_text.py"))
checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checks)  # the detectors of the report-wide text test, not a copy of them


def _manifest(language: str) -> dict:
    run = {"notebook": "notebooks/02_interviews_and_focus_groups.ipynb", "name": "02_interviews_and_focus_groups",
           "parameters": {"study": "s", "language": language, "min_cell": 10, "region": None}, "seconds": 14.6,
           "outputs": ["02_interviews_and_focus_groups.html", "02_interviews_and_focus_groups_tables.xlsx",
                       "02_interviews_and_focus_groups_framework.xlsx", "02_interviews_and_focus_groups.pdf"]}
    return {"parameters": {"language": language}, "built": "2026-12-03T10:00:00", "notebooks": [run]}


def test_parameters_read_in_the_report_language() -> None:
    assert reader_name("min_cell", "ru") == "порог малых ячеек"
    assert reader_name("survey", "ru") == "survey"  # a study's own parameter keeps its name
    assert reader_value("language", "ru", "ru") == "русский"
    assert reader_value("language", "en", "en") == "English"
    assert output_label("r_tables.xlsx", "r", "ru") == "XLSX (таблицы)"
    assert output_label("r_other.xlsx", "r", "en") == "XLSX (other)"
    assert output_label("r.pdf", "r", "ru") == "PDF"


def test_russian_index_has_no_english_words(tmp_path: Path) -> None:
    study = Study.load(APISTRAT)
    titles = {"02_interviews_and_focus_groups": {"en": "Interviews", "ru": "Интервью и фокус-группы"}}
    page = write_index(tmp_path / "index.html", study, _manifest("ru"), titles).read_text(encoding="utf-8")
    text = checks.visible_text(page)
    assert "язык = русский" in text and "порог малых ячеек = 10" in text and "14,6 с" in text
    problems = checks.text_problems(text.replace(study.title_in("ru"), ""), checks.title_of(page), "ru", set())
    assert problems == []


def test_the_study_summary_shows_a_finding_as_its_report_does() -> None:
    """The index renders a finding's Markdown (emphasis as <strong>, never '**'), its values
    stay escaped (they were escaped when recorded), and an older findings file without Markdown
    shows its text escaped. Oracle: the expected HTML written by hand."""
    from workbench.reporting.index import _sentence
    from workbench.reporting.messages import escape_markdown

    hostile = "<script>x</script> **bold?**"
    finding = {"text": f"**85 of 86** improved; {hostile}",
               "markdown": f"**85 of 86** improved; {escape_markdown(hostile)}"}
    # the catalogue's emphasis is rendered; the data's asterisks and tags stay text
    assert _sentence(finding) == "<strong>85 of 86</strong> improved; &lt;script&gt;x&lt;/script&gt; **bold?**"
    assert _sentence({"text": "<b>old</b>"}) == "&lt;b&gt;old&lt;/b&gt;"
