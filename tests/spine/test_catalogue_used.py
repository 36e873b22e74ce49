"""Every message catalogue key is used by the package or a notebook (no dead keys to translate).

Oracle: the source text itself. A key counts as used when it appears as a whole word in
src/ or notebooks/ (outside the catalogue), or when it is one of a family the code builds
from a pattern: an f-string such as ``f"pm_kappa_band_{band}"`` (the braces match any word)
or a concatenation such as ``"br_status_" + status`` (any key starting with that prefix of at
least two words). Keys used some other way are listed in ``NOT_IN_SOURCE`` with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.reporting.messages import catalogue

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".py", ".ipynb", ".html", ".j2", ".md", ".yaml", ".yml"}
#: key -> why no source line names it (empty: every key is named or built by a pattern)
NOT_IN_SOURCE: dict[str, str] = {
    "br_women": 'report 10 heads its sex columns "br_" + PLURAL[sex] (reports/barriers_pages.py)',
    "br_men": 'report 10 heads its sex columns "br_" + PLURAL[sex] (reports/barriers_pages.py)',
    "methods_title": "a generic methods heading; tests/reports/test_sections.py builds a section with it",
    "fe_summary": "tests/spine/test_verify_recompute.py records figures under this heading",
}


def _source() -> str:
    texts = []
    for folder in ("src", "notebooks"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in SUFFIXES and "messages_catalogue" not in path.parts:
                texts.append(path.read_text(encoding="utf-8", errors="ignore"))
    return "\n".join(texts)


def _patterns(source: str) -> tuple[list[re.Pattern[str]], set[str]]:
    """Key families built by f-strings (as regular expressions) and by concatenation (prefixes)."""
    fstrings = set(re.findall(r'f"([a-z][a-z0-9_]*\{[^"\n]*)"', source))
    fstrings |= set(re.findall(r"f'([a-z][a-z0-9_]*\{[^'\n]*)'", source))
    # what a placeholder or a suffixed name can be: a string literal of the source
    quoted = "|".join(sorted({re.escape(w) for w in re.findall(r"""["']([A-Za-z0-9_]+)["']""", source)}, key=len,
                             reverse=True))
    patterns = []
    for literal in fstrings:
        parts = re.split(r"\{[^{}]*\}", literal)
        # a one-word prefix alone (f"risk_{group}") names data columns as often as keys: not a family
        narrow = parts[0].count("_") >= 2 or any(parts[1:])
        if narrow and all(re.fullmatch(r"[a-z0-9_]*", p) for p in parts):
            patterns.append(re.compile(f"(?:{quoted})".join(re.escape(p) for p in parts), re.I))  # code.lower()
    prefixes = set(re.findall(r"""["']([a-z][a-z0-9]*_[a-z0-9_]+_)["']\s*\+""", source))
    # a key built as a named key plus a suffix: title_key + "_who" with title_key "br_joint_barriers"
    for suffix in set(re.findall(r"""\+\s*["'](_[a-z0-9_]+)["']""", source)):
        patterns.append(re.compile(f"(?:{quoted})" + re.escape(suffix)))
    return patterns, prefixes


#: key families named by convention, not by a literal: prefix -> where the name is built
CONVENTIONS = {
    "col_": "column headings: sections.column_heading looks up col_<column>",
    "unit_": "column units: sections.with_unit looks up unit_<column>",
    "param_": "report parameters: reporting.parameters looks up param_<name>",
    "language_": "language names: reporting.parameters and reports.quotes look up language_<code>",
    "about_": "index descriptions: reporting.index looks up about_<report>",
}


def unused_keys() -> list[str]:
    source = _source()
    words = set(re.findall(r"[A-Za-z0-9_]+", source))
    patterns, prefixes = _patterns(source)
    return [key for key in catalogue()
            if key not in words and key not in NOT_IN_SOURCE
            and not any(p.fullmatch(key) for p in patterns) and not key.startswith((*prefixes, *CONVENTIONS))]


def test_every_catalogue_key_is_used() -> None:
    assert unused_keys() == []


def test_the_check_finds_a_key_nobody_uses(monkeypatch) -> None:
    # the check can fail: a key added to the catalogue and named nowhere is reported
    import workbench.reporting.messages as messages

    entries = {**catalogue(), "zz_never_used_anywhere": {"en": "x", "ru": "х"}}
    monkeypatch.setattr(messages, "catalogue", lambda: entries)
    monkeypatch.setitem(globals(), "catalogue", lambda: entries)
    assert unused_keys() == ["zz_never_used_anywhere"]
