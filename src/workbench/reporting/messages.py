"""Fixed report text in English and Russian, from the catalogue in ``messages_catalogue/``.

The catalogue is one YAML file per report area (``common.yaml``, ``survey.yaml``, ...); a
key may appear in one file only. Report sentences that state a figure are templates filled
from computed results (``text("key", language, value=...)``); nothing is machine-translated
at run time.

The filled values usually come from data (labels, code names, quotes), so a filled message
is a :class:`Message`: the plain text (for tables, charts, workbooks) that also carries a
Markdown form in which every value is escaped (``escape_markdown``), so that the report's
Markdown helper shows data as text, never as links, images, emphasis or markup.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any


from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import load_yaml

LANGUAGES = ("en", "ru")
CATALOGUE = Path(__file__).with_name("messages_catalogue")


@lru_cache(maxsize=None)
def catalogue() -> dict[str, dict[str, str]]:
    """Every message key with its English and Russian text, from every catalogue file."""
    data: dict[str, dict[str, str]] = {}
    for file in sorted(CATALOGUE.glob("*.yaml")):
        for key, entry in (load_yaml(file, what="the message catalogue") or {}).items():
            if key in data:
                raise WorkbenchError(f"message {key!r} is defined twice", file=str(file))
            missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or lang not in entry]
            if missing:
                raise WorkbenchError(f"message {key!r} has no text in {missing}", file=str(file))
            data[key] = entry
    return data


#: every ASCII punctuation character: CommonMark lets a backslash make each of them literal
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")


def escape_markdown(value: Any) -> str:
    """``value`` as Markdown that shows exactly its text inline.

    Every ASCII punctuation character is backslash-escaped (so no emphasis, link, image,
    heading, list, HTML tag or entity can start inside it) and line breaks become spaces
    (so a value cannot open a new block).
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))


class Message(str):
    """A filled catalogue message: the plain text, plus ``markdown`` with its values escaped.

    Adding a plain string keeps a message (``"- " + t("key", ...)`` is a list item whose
    values stay escaped); the plain string counts as Markdown written by the notebook.
    """

    markdown: str

    def __new__(cls, plain: str, markdown: str | None = None) -> "Message":
        message = super().__new__(cls, plain)
        message.markdown = escape_markdown(plain) if markdown is None else markdown
        return message

    def __add__(self, other: Any) -> "Message":
        if not isinstance(other, str):
            return NotImplemented
        return Message(str(self) + str(other), self.markdown + markdown_of(other))

    def __radd__(self, other: Any) -> "Message":
        if not isinstance(other, str):
            return NotImplemented
        return Message(str(other) + str(self), markdown_of(other) + self.markdown)


def markdown_of(part: str) -> str:
    """The Markdown of a piece of report text: a message's escaped form, a plain string as is."""
    return part.markdown if isinstance(part, Message) else str(part)


_NUMBER_SPEC = re.compile(r"^(n|p|\.(\d+)([f%]))$")


class _Localised(string.Formatter):
    """``str.format`` whose number specs follow the report language (``reporting.numbers``):
    ``{n:n}`` a count, ``{x:.1f}`` fixed decimals, ``{share:.1%}`` a percentage, ``{p:p}`` a
    p-value; a missing number shows as nothing. Other specs are Python's own."""

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        from workbench.reporting.numbers import format_number, format_p

        spec = _NUMBER_SPEC.match(format_spec)
        if spec is None or isinstance(value, str):
            return super().format_field(value, format_spec)
        if spec.group(1) == "p":
            return format_p(value, self.language)
        if spec.group(1) == "n":
            return format_number(value, self.language, decimals=0)
        return format_number(value, self.language, decimals=int(spec.group(2)), percent=spec.group(3) == "%")


class _MarkdownFill(_Localised):
    """``str.format`` that escapes each filled value for Markdown (after its format spec)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message) and not format_spec:
            return value.markdown  # a message filled into another keeps its own (safe) Markdown
        return escape_markdown(super().format_field(value, format_spec))


def fill_markdown(template: str, *, language: str = "en", **values: Any) -> str:
    """A trusted Markdown ``template`` with ``values`` filled in as escaped text."""
    return _MarkdownFill(language).format(template, **values)


def text(key: str, language: str = "en", **values: Any) -> Message:
    """The message ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    if language not in LANGUAGES:
        raise WorkbenchError("unknown report language", value=language, expected=" or ".join(LANGUAGES))
    entries = catalogue()
    if key not in entries:
        raise WorkbenchError(f"no message {key!r} in the catalogue", file=str(CATALOGUE))
    template = entries[key][language]
    if isinstance(template, dict):  # plural forms: {one: ..., few: ..., many: ..., other: ...}
        template = plural_template(key, entries[key], language, values)
    return Message(_Localised(language).format(template, **values),
                   fill_markdown(template, language=language, **values))


def plural_template(key: str, entry: dict[str, Any], language: str, values: dict[str, Any]) -> str:
    """The plural form of a message for the count named by the entry's ``plural`` (default ``count``).

    The count may be given as a number or as its formatted text (``"1\u202f001"``)."""
    from workbench.reporting.numbers import plural_form

    name = entry.get("plural", "count")
    raw = values.get(name)
    try:
        count = float(str(raw).replace("\u202f", "").replace("\u00a0", "").replace(",", "."))
    except ValueError:
        raise WorkbenchError(f"message {key!r} needs a number for {name!r}", value=raw, file=str(CATALOGUE)) from None
    forms = entry[language]
    form = plural_form(int(count) if count.is_integer() else count, language)
    return str(forms.get(form, forms.get("other", "")))
