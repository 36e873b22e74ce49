"""Render report sections (``workbench.reports.sections``) in the report's language.

``render(section, report)`` returns the displayable parts of one section: its heading with
an anchor (the section id), then each block: sentences and findings through the escaped
Markdown path (values formatted by the catalogue template, ``reporting.numbers``), tables
through ``ReportTables.show`` (suppression by the report's ``Disclosure``; figures recorded
under the section id and the table's name), charts through ``reporting.charts`` and the
offline renderer (rows the disclosure policy hides are not drawn; an empty or flat chart is
replaced by one sentence). Findings are also kept for ``<report>.findings.json``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError
from workbench.reporting import charts
from workbench.reporting.messages import catalogue, text
from workbench.reporting.tables import MARKER, MarkedText
from workbench.reports.sections import Chart, Contents, Finding, Quote, Section, Table, Text

if TYPE_CHECKING:
    from workbench.reporting.notebook import Report


def column_heading(column: str, language: str, headings: dict[str, str] | None = None) -> str:
    """A column's heading: from ``headings`` (text from the data) or the catalogue's ``col_<column>``."""
    if headings and column in headings:  # text from the data, or a catalogue Text (e.g. with the group's name)
        heading = headings[column]
        return str(text(heading.key, language, **heading.values)) if isinstance(heading, Text) else str(heading)
    key = f"col_{column}"
    if key not in catalogue():
        raise WorkbenchError(f"no heading for column {column!r}: add {key} to the message catalogue",
                             column=column, expected=f"a catalogue entry {key} (en, ru) or a heading from the data")
    return with_unit(column, str(text(key, language)), language)


def with_unit(column: str, heading: str, language: str) -> str:
    """``heading`` with the column's unit (catalogue ``unit_<column>``, e.g. "som a year") as
    ``heading_with_unit`` puts it; unchanged for a column without a unit entry."""
    key = f"unit_{column}"
    if key not in catalogue():
        return heading
    return str(text("heading_with_unit", language, heading=heading, unit=text(key, language)))


def fill(values: dict[str, Any], report: "Report") -> dict[str, Any]:
    """Values for a catalogue template: a ``Text`` value becomes its sentence in the report
    language, a list of them the sentences joined by commas; numbers stay raw (the template
    formats them)."""
    def one(value: Any) -> Any:
        if isinstance(value, Text):
            return text(value.key, report.language, **fill(value.values, report))
        if isinstance(value, (list, tuple)):
            return ", ".join(str(one(v)) for v in value)
        return value

    return {name: one(value) for name, value in values.items()}


def render(section: Section, report: "Report") -> list[Any]:
    """The displayable parts of ``section`` (heading first)."""
    from workbench.reporting.notebook import Html

    if report.figures is not None:
        report.figures.section = section.id
    title = report.t(section.title_key, **section.title_values)
    parts: list[Any] = [Html(f'<h2 id="{html.escape(section.id)}">{html.escape(title)}</h2>')]
    findings = [block for block in section.blocks if isinstance(block, Finding)]
    if findings:
        parts.append(Html('<ul class="wb-findings">' + "".join(_finding(f, report) for f in findings) + "</ul>"))
    for block in section.blocks:
        if isinstance(block, Text):
            parts.append(_text(block, report))
        elif isinstance(block, Table):
            parts.append(_table(block, report))
        elif isinstance(block, Chart):
            parts.append(_chart(block, report))
        elif isinstance(block, Quote):
            parts.append(Html(f'<blockquote class="wb-quote"><p>{quoted(block, report).html()}</p></blockquote>'))
        elif isinstance(block, Contents):
            parts.append(Html(_contents(block, report)))
        elif not isinstance(block, Finding):
            raise WorkbenchError("a section block must be Text, Finding, Table, Chart, Quote or Contents",
                                 value=type(block).__name__)
    return parts


_HOLE = "\ue000"  # where the quote's words go in the filled ``quote_line`` (a private-use character)


def quoted(quote: Quote, report: "Report") -> MarkedText:
    """A quote in the report: quotation marks and speaker in the report language (catalogue
    ``quote_line``), the words in the language of the transcript (marked as such); a quote
    without a speaker (an excerpt in a table) is the words alone."""
    language = quote.language if quote.language != report.language else None
    if quote.who is None:
        return MarkedText([(quote.text, language)])
    who = fill({"who": quote.who}, report)["who"]
    before, _, after = str(text("quote_line", report.language, quote=_HOLE, who=who)).partition(_HOLE)
    return MarkedText([(before, None), (quote.text, language), (after, None)])


def _quote_cells(frame: Any, report: "Report") -> Any:
    """Copy of ``frame`` whose ``Quote`` cells (or lists of them, one per line) are ``MarkedText``."""
    def is_quote(value: Any) -> bool:
        return isinstance(value, Quote) or (isinstance(value, list) and any(isinstance(v, Quote) for v in value))

    columns = [c for c in frame.columns if frame[c].map(is_quote).any()]
    if not columns:
        return frame
    def lines(values: list[Any]) -> MarkedText:  # one quote (or other text) per line
        parts: list[tuple[str, str | None]] = []
        for i, v in enumerate(values):
            parts += [("\n", None)] if i else []
            parts += quoted(v, report).parts if isinstance(v, Quote) else [(str(fill({"v": v}, report)["v"]), None)]
        return MarkedText(parts)

    frame = frame.copy()
    for column in columns:
        frame[column] = [quoted(v, report) if isinstance(v, Quote) else lines(v) if is_quote(v) else v
                         for v in frame[column]]
    return frame


def _text(block: Text, report: "Report") -> Any:
    from workbench.reporting.notebook import markdown

    return markdown(report.t(block.key, **fill(block.values, report)))


def _finding(block: Finding, report: "Report") -> str:
    from workbench.reporting.notebook import inline_html

    message = report.t(block.key, **fill(block.values, report))
    report.record_finding(block, str(message), message.markdown)
    link = section_link(block.section, str(text("finding_details", report.language)), "wb-details")
    return f'<li>{inline_html(message.markdown)} {link}</li>'


def section_link(section: str, words: str, css_class: str) -> str:
    """An internal link to the section whose anchor is ``section``, reading ``words`` (escaped)."""
    return f'<a class="{css_class}" href="#{html.escape(section)}">{html.escape(words)}</a>'


def _contents(block: Contents, report: "Report") -> str:
    """The contents list: each section's title linked to its anchor."""
    items = "".join(f"<li>{section_link(target, str(report.t(key)), 'wb-toc')}</li>" for target, key in block.entries)
    title = html.escape(str(text("contents", report.language)))
    return f'<nav class="wb-contents"><p><strong>{title}</strong></p><ol>{items}</ol></nav>'


def _in_language(frame: Any, columns: Any, report: "Report") -> Any:
    """Copy of ``frame`` whose ``Text`` cells in ``columns`` (e.g. a status, a legend's
    levels) are sentences in the report language."""
    frame = frame.copy()
    for column in columns:
        if frame[column].map(lambda v: isinstance(v, (Text, list))).any():  # a list of Texts: one line each
            frame[column] = ["\n".join(_in_words(x, report) for x in v) if isinstance(v, list)
                             else _in_words(v, report) if isinstance(v, Text) else v for v in frame[column]]
    return frame


def _in_words(value: Any, report: "Report") -> str:
    return str(text(value.key, report.language, **fill(value.values, report))) if isinstance(value, Text) else str(value)


def _table(block: Table, report: "Report") -> Any:
    frame = _in_language(_quote_cells(block.frame, report), list(block.frame.columns), report)
    columns = list(frame.columns)
    labels = {c: column_heading(c, report.language, block.headings) for c in columns if c != "suppressed"}
    title = report.t(block.title_key, **fill(block.title_values, report))
    if report.figures is not None:  # the table's figures go under its stable name
        report.figures._keys[str(title).strip()] = block.name
    note = str(report.t(block.note.key, **fill(block.note.values, report))) if block.note else ""
    if block.count == "suppressed":  # a count grid the disclosure policy already suppressed
        hidden = report.t("suppressed_counts_note", marker=MARKER, min_cell=report.min_cell)
        return report.tables.show_counts(frame, title, keep=block.labels, labels=labels, note=note,
                                         hidden_note=str(hidden))
    decimals = ({labels.get(c, c): d for c, d in block.decimals.items()} if isinstance(block.decimals, dict)
                else block.decimals)  # per column by its name in the frame; the table knows headings
    shown = report.tables.show(frame, title, n=block.count, keep=block.labels, percent=block.percent,
                               pvalues=block.pvalues, decimals=decimals, labels=labels, note=note)
    if block.annex_frame is not None:  # the annex holds the full text the page shortens
        full = _in_language(_quote_cells(block.annex_frame, report), list(block.annex_frame.columns), report)
        report.tables.shown[-1].table = full.rename(columns=labels).reset_index(drop=True)
    return None if block.annex_only else shown  # kept for the annex and figures.json, not shown


def _chart(block: Chart, report: "Report") -> Any:
    from workbench.reporting.notebook import markdown

    frame = _in_language(block.frame, [c for c in (block.x, block.color, block.group) if c], report)
    if block.count:  # what a table would hide is not drawn either
        keep = [c for c in (block.x, block.color, block.group) if c]
        frame = report.tables.disclosure.suppress_rows(frame, n=block.count, keep=keep)
        frame = frame[~frame["suppressed"]] if "suppressed" in frame else frame
    reason = charts.why_not_drawn(block, frame)
    title = report.t(block.title_key, **fill(block.title_values, report))
    if reason is not None:
        return markdown(report.t(reason, chart=title))
    return charts.draw(block, frame, report.language, lambda c: column_heading(c, report.language, block.headings),
                       str(title))
