"""Tables for reports: small-cell suppression by default, numbers formatted for reading.

Every table a notebook shows goes through ``ReportTables.show``, which

1. suppresses statistics that rest on fewer than ``min_cell`` respondents or records (the
   row's count column, ``n`` by default): the values are replaced by a marker and a footnote
   says why; the count itself is shown as the marker too, so that it cannot be read off;
2. formats numbers (thousands separators, a fixed number of decimals, percentages);
3. keeps the suppressed table, so that ``write_xlsx`` exports the report's annex with exactly
   what the report shows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.disclosure import DEFAULT_MIN_CELL, Disclosure
from workbench.errors import WorkbenchError
from workbench.reporting.figures import FigureRecorder
from workbench.reporting import numbers
from workbench.reporting.messages import text

MARKER = "x"


def format_number(value: Any, decimals: int = 1, percent: bool = False, language: str = "en") -> str:
    """Readable text for one number in ``language`` (``reporting.numbers``: thin-space
    thousands, fixed decimals, the language's decimal sign, optional %)."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    return numbers.format_number(value, language, decimals=decimals, percent=percent)


@dataclass
class ShownTable:
    """A table as shown in the report (after suppression), kept for the Excel annex."""

    title: str
    table: pd.DataFrame
    note: str = ""
    hidden: np.ndarray | None = None
    #: column (as shown) -> Excel number format (the value stays unrounded; see ``annex_formats``)
    formats: dict[str, str] = field(default_factory=dict)
    #: the annex sheet ("T<i> <title>", unique, at most 31 characters); set when remembered
    sheet: str = ""


@dataclass
class ReportTables:
    """Shows tables with suppression and collects them for the annex of one report."""

    min_cell: int = DEFAULT_MIN_CELL
    language: str = "en"
    shown: list[ShownTable] = field(default_factory=list)
    figures: FigureRecorder | None = None  # records every shown figure (see reporting.figures)

    def _remember(self, shown: ShownTable, keep: Iterable[str], labels: dict[str, str] | None) -> None:
        """Keep a shown table for the annex (sheet ``T<i> <title>``) and record its figures."""
        self.shown.append(shown)
        shown.sheet = self._sheet_name(len(self.shown), shown.title)
        if self.figures is not None:
            self.figures.table(shown.title, shown.table, shown.hidden, labels=labels,
                               keep={(labels or {}).get(c, c) for c in keep}, sheet=shown.sheet,
                               marker=MARKER)

    def _sheet_name(self, number: int, title: str) -> str:
        """The annex sheet of the ``number``-th table: "T<number> <title>", cut to Excel's 31
        characters; the number keeps it unique and in the report's order."""
        from workbench.io import workbook

        return workbook.sheet_title(f"T{number} {title}", {t.sheet for t in self.shown if t.sheet}, f"T{number}")

    @property
    def disclosure(self) -> Disclosure:
        """The report's small-cell policy (one ``Disclosure`` for every table it shows)."""
        return Disclosure(self.min_cell)

    def prepare(self, table: pd.DataFrame, n: str | None = "n", keep: Iterable[str] = (),
                labels: dict[str, str] | None = None) -> pd.DataFrame:
        """Suppressed copy of ``table`` with columns renamed by ``labels`` (not formatted)."""
        out = self.disclosure.suppress_rows(table, n=n, keep=keep) if n else table.copy()
        return out.rename(columns=labels or {})

    def show(self, table: pd.DataFrame, title: str, *, n: str | None = "n", keep: Iterable[str] = (),
             percent: Iterable[str] = (), decimals: int | dict[str, int] = 1,
             labels: dict[str, str] | None = None, note: str = "", pvalues: Iterable[str] = ()) -> "HtmlTable":
        """Suppress, format and return a displayable table; remember it for the annex.

        ``n`` is the count column that decides suppression (``None`` for tables of
        non-personal figures such as model parameters); ``keep`` are label columns;
        ``percent`` are proportion columns shown as percentages, ``pvalues`` p-value columns
        (``< 0.001`` below that).
        """
        prepared = self.prepare(table, n=n, keep=keep, labels=labels)
        hidden = prepared.pop("suppressed").to_numpy() if "suppressed" in prepared else np.zeros(len(prepared), bool)
        footnote = note
        if hidden.any():
            footnote = (note + " " if note else "") + text("suppressed_note", self.language,
                                                           marker=MARKER, min_cell=self.min_cell)
        labels = labels or {}
        percent_cols = {labels.get(c, c) for c in percent}
        label_cols = {labels.get(c, c) for c in keep}
        p_cols = {labels.get(c, c) for c in pvalues}
        formats = annex_formats(prepared, label_cols, percent_cols, p_cols, decimals)
        self._remember(ShownTable(title=title, table=prepared, note=footnote, hidden=hidden, formats=formats),
                       keep, labels)
        rendered = prepared.copy()
        for column in rendered.columns:
            digits = decimals.get(column, 1) if isinstance(decimals, dict) else decimals
            rendered[column] = [
                MARKER if (is_hidden and column not in label_cols)
                else numbers.format_p(v, self.language) if column in p_cols
                else format_number(v, digits, percent=column in percent_cols, language=self.language)
                for v, is_hidden in zip(rendered[column], hidden)
            ]
        return HtmlTable(title=title, table=rendered, note=footnote, text_columns=text_columns(prepared))

    def show_counts(self, table: pd.DataFrame, title: str, *, counts: Iterable[str] | None = None,
                    keep: Iterable[str] = (), labels: dict[str, str] | None = None, note: str = "",
                    hidden_note: str | None = None) -> "HtmlTable":
        """Show a count table that is already suppressed (e.g. by ``suppress_counts``).

        ``counts`` are the count columns (default: every column not in ``keep``); a blank
        (NA) count is a hidden cell and is shown as the marker in the report and the annex,
        with ``hidden_note`` (default: the common suppression footnote) added to ``note``.
        No further suppression is done, so pass only tables whose small cells are hidden.
        """
        keep = list(keep)
        counts = [c for c in table.columns if c not in keep] if counts is None else list(counts)
        require_columns(table, [*keep, *counts], what="the count table")
        out = table[[*keep, *counts]].copy()
        any_hidden = False
        for column in counts:
            values = pd.to_numeric(out[column], errors="coerce")
            hidden = out[column].isna().to_numpy()
            bad = values.isna().to_numpy() & ~hidden | (values.notna() & (values % 1 != 0)).to_numpy()
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                raise WorkbenchError("a count is not a whole number", row=pos + 1, column=str(column),
                                     value=out[column].iloc[pos], expected="a count 0, 1, 2, ... or blank (hidden)")
            any_hidden = any_hidden or bool(hidden.any())
            out[column] = [MARKER if h else int(v) for v, h in zip(values, hidden)]
        footnote = note
        if any_hidden:
            extra = hidden_note if hidden_note is not None else text("suppressed_note", self.language, marker=MARKER,
                                                                     min_cell=self.min_cell)
            footnote = (note + " " if note else "") + extra
        out = out.rename(columns=labels or {})
        texts = text_columns(table[keep].rename(columns=labels or {}))  # the counts are numbers
        shown_counts = [(labels or {}).get(c, c) for c in counts]
        self._remember(ShownTable(title=title, table=out, note=footnote, hidden=np.zeros(len(out), bool),
                                  formats=annex_formats(out[shown_counts], set(), set(), set(), 0)), keep, labels)
        rendered = out.copy()
        for column in rendered.columns:
            rendered[column] = [format_number(v, 0, language=self.language) for v in rendered[column]]
        return HtmlTable(title=title, table=rendered, note=footnote, text_columns=texts)

    def write_xlsx(self, path: str | Path, synthetic: bool = False) -> Path:
        """Write every shown table to one workbook (``workbook.write_annex``): a contents sheet
        in the report language, then a sheet per table with its title, the synthetic label, the
        table (header on row 3, suppressed cells as in the report), its note and the label again.
        Numbers stay numbers; each column shows the report's decimals (percentages as Excel
        percentages)."""
        from workbench.io import workbook  # the one writer: strings as text, never formulas

        for i, shown in enumerate(self.shown):  # tables a notebook added by hand get their sheet here
            shown.sheet = shown.sheet or workbook.sheet_title(
                f"T{i + 1} {shown.title}", {t.sheet for t in self.shown if t.sheet}, f"T{i + 1}")
        sheets = []
        for shown in self.shown:
            table = shown.table.astype(object)
            if shown.hidden is not None and shown.hidden.any():
                value_cols = [c for c in table.columns if table.loc[shown.hidden, c].isna().all()]
                table.loc[shown.hidden, value_cols] = MARKER
            sheets.append(workbook.AnnexSheet(shown.sheet, shown.title, table, shown.formats, [shown.note]))
        language = self.language
        words = workbook.AnnexWords(
            contents=text("annex_contents", language), sheet=text("annex_col_sheet", language),
            table=text("annex_col_table", language), note=text("annex_col_note", language),
            title=text("annex_title", language), label=text("synthetic_banner", language) if synthetic else "")
        return workbook.write_annex(path, sheets, words)


def annex_formats(table: pd.DataFrame, label_cols: set[str], percent_cols: set[str], p_cols: set[str],
                  decimals: int | dict[str, int]) -> dict[str, str]:
    """Excel number formats of a shown table's numeric columns, as the report shows them:
    percentages with their decimals as %, p-values with 3 decimals, integer columns without
    decimals, the rest with the table's decimals (default 1), as ``format_number`` does."""
    from workbench.io.workbook import number_format

    formats = {}
    for column in table.columns:
        values = pd.to_numeric(table[column], errors="coerce").dropna()
        if values.empty or table[column].map(lambda v: isinstance(v, (bool, np.bool_))).any():
            continue
        digits = decimals.get(column, 1) if isinstance(decimals, dict) else decimals
        if column in label_cols:  # a number among the labels: whole ones (run, year) keep the writer's "0"
            if not (values % 1 == 0).all():
                formats[column] = number_format(digits)  # 10's coding alpha, shown with its decimals
            continue
        if column in p_cols:
            formats[column] = number_format(3)
        elif column in percent_cols:
            formats[column] = number_format(digits, percent=True)
        elif table[column].dtype.kind in "iu" or all(isinstance(v, (int, np.integer)) for v in table[column].dropna()):
            formats[column] = number_format(0)  # whole numbers, as the report shows them
        else:
            formats[column] = number_format(digits)
    return formats


class MarkedText(str):
    """Cell text with parts in a language other than the report's (a quote in the language of
    its transcript): as a string it is the plain text (annex, figures); in HTML each such part
    is inside a ``<span lang="...">``. ``parts`` are ``(text, language or None)``."""

    parts: tuple[tuple[str, str | None], ...]

    def __new__(cls, parts: Iterable[tuple[str, str | None]]) -> "MarkedText":
        parts = tuple((str(t), lang) for t, lang in parts)
        made = super().__new__(cls, "".join(t for t, _ in parts))
        made.parts = parts
        return made

    def __str__(self) -> str:
        return self  # keeps the parts through str() of the formatting code

    def html(self) -> str:
        """The escaped text, each part in another language marked with its ``lang``."""
        return "".join(f'<span lang="{html.escape(lang)}">{html.escape(t)}</span>' if lang else html.escape(t)
                       for t, lang in self.parts)


def cell_html(value: Any) -> str:
    """One table cell as HTML: escaped text, language parts marked (``MarkedText``), each line
    of a cell that holds several (quotes, a list of statuses) on a line of its own."""
    escaped = value.html() if isinstance(value, MarkedText) else html.escape(str(value))
    return escaped.replace("\n", "<br>")


#: a cell that reads as a number: digits, perhaps after a sign or a comparison ("< 0.001", "−3")
_NUMBER_LIKE = re.compile(r"^\s*[<>≤≥+\-−–]?\s*\d")


def text_columns(table: pd.DataFrame) -> frozenset[str]:
    """Columns of ``table`` (raw values, before formatting) that hold text, to be left-aligned;
    the others hold numbers and are right-aligned. A cell is a number when it is one or when
    its text starts with one ("12 of 40", "43.1% (40.2%–46.0%)"); blanks and the marker count
    for neither side; a column is text when its text cells outnumber its number cells."""
    def kind(value: Any) -> int:  # +1 text, -1 number, 0 neither
        if np.ndim(value) == 0 and pd.isna(value):
            return 0
        if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
            return -1
        words = str(value).strip()
        return 0 if words in ("", MARKER) else -1 if _NUMBER_LIKE.match(words) else 1

    return frozenset(str(c) for c in table.columns if sum(kind(v) for v in table[c]) > 0)


@dataclass
class HtmlTable:
    """A formatted table that Jupyter displays as HTML (title, table, footnote); the cells of
    ``text_columns`` carry the class ``wb-text`` (left-aligned), numbers are right-aligned."""

    title: str
    table: pd.DataFrame
    note: str = ""
    text_columns: frozenset[str] = frozenset()

    def _repr_html_(self) -> str:
        kinds = [' class="wb-text"' if str(c) in self.text_columns else "" for c in self.table.columns]
        head = "".join(f"<th{k}>{html.escape(str(c))}</th>" for c, k in zip(self.table.columns, kinds))
        rows = "".join(
            "<tr>" + "".join(f"<td{k}>{cell_html(v)}</td>" for v, k in zip(row, kinds)) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        note = f'<p class="wb-note">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<div class="wb-table"><p class="wb-caption"><strong>{html.escape(self.title)}</strong></p>'
                f'<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}</div>')
