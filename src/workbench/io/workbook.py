"""The one workbook writer: every Excel file the workbench writes goes through ``set_value``.

Why not ``DataFrame.to_excel`` or ``sheet.append``: both hand strings to openpyxl, which
stores any string beginning with ``=`` as a formula, so a label, pseudonym, code name or
stakeholder name such as ``=HYPERLINK(...)`` would run in the reader's Excel. Here every
string is written as a text cell (``data_type`` ``'s'``), and a string that Excel or a
spreadsheet importer could take for a formula (first character ``=``, ``+``, ``-``, ``@``,
tab or carriage return; OWASP's CSV-injection guidance) also gets Excel's quote prefix, so
that it stays text even when someone edits the cell. The text itself is never changed,
except for control characters that XML 1.0 cannot hold, which become U+FFFD. Numbers are
written as numbers, dates as dates, blanks (None, NaN, NA) as empty cells. The writer sits in
``io`` (below the analysis packages) so that the report annexes and analysis code that writes
a workbook (the framework matrix) share it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

#: first characters that make a spreadsheet read a string as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
#: significant digits a float is stored with: enough for any measured figure, and a binary
#: artefact such as 429240.0000000001 (16 digits) becomes 429240
SIGNIFICANT = 12


def cell_value(value: Any) -> Any:
    """``value`` as openpyxl should store it: None, bool, int, float, datetime or str."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else significant(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        if getattr(value, "tzinfo", None) is not None:
            return value.isoformat()  # Excel has no time zones: keep the instant as text
        return value
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, str(value))


def significant(value: float) -> float:
    """``value`` with ``SIGNIFICANT`` significant digits (inf and nan unchanged): the number an
    annex cell and a report's figures file hold, so that both agree to the last digit."""
    return value if not math.isfinite(value) else float(f"{value:.{SIGNIFICANT}g}")


def set_value(cell: Cell, value: Any) -> Cell:
    """Write ``value`` into ``cell``; a string is always text, never a formula."""
    stored = cell_value(value)
    cell.value = stored
    if isinstance(stored, str):
        cell.data_type = "s"  # openpyxl would have made a formula of "=..."
        cell.quotePrefix = stored.startswith(FORMULA_START)
    return cell


def write_row(sheet: Worksheet, row: int, values: Iterable[Any], *, column: int = 1,
              bold: bool = False) -> None:
    """Write ``values`` into ``sheet`` from cell (``row``, ``column``), 1-based like Excel."""
    for offset, value in enumerate(values):
        cell = set_value(sheet.cell(row=row, column=column + offset), value)
        if bold:
            cell.font = Font(bold=True)


def append_row(sheet: Worksheet, values: Sequence[Any], *, bold: bool = False) -> int:
    """Write ``values`` below the last used row (as ``sheet.append`` does); return its number."""
    row = 1 if sheet.max_row == 1 and all(c.value is None for c in sheet[1]) else sheet.max_row + 1
    write_row(sheet, row, values, bold=bold)
    return row


def write_frame(sheet: Worksheet, frame: pd.DataFrame, *, row: int = 1, header: bool = True) -> int:
    """Write a DataFrame (no index) from ``row``, the header in bold; return the next free row."""
    if header:
        names = [" / ".join(map(str, c)) if isinstance(c, tuple) else c for c in frame.columns]
        write_row(sheet, row, names, bold=True)
        row += 1
    for values in frame.itertuples(index=False, name=None):
        write_row(sheet, row, values)
        row += 1
    return row


def sheet_title(name: str, used: set[str], default: str = "Sheet") -> str:
    """An Excel sheet title from ``name``: at most 31 characters, none of ``[]:*?/\\``, not
    blank, unique among ``used`` (a repeat gets " (2)", " (3)" ...); added to ``used``."""
    clean = " ".join("".join(" " if ch in '[]:*?/\\' else ch for ch in str(name)).split()) or default
    clean = clean.strip("'")  or default  # Excel refuses a title that starts or ends with '
    base, title, number = clean[:31].strip(), clean[:31].strip(), 2
    while title.casefold() in {u.casefold() for u in used}:  # Excel compares titles without case
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        number += 1
    used.add(title)
    return title


def number_format(decimals: int, *, percent: bool = False) -> str:
    """An Excel number format with ``decimals`` fixed decimals (and thousands grouping, or %):
    the value in the cell stays unrounded, only its display is rounded."""
    places = "." + "0" * decimals if decimals > 0 else ""
    return f"0{places}%" if percent else f"#,##0{places}"


def new_workbook() -> Workbook:
    """An empty workbook (no sheet yet): add sheets with ``book.create_sheet(title)``."""
    book = Workbook()
    book.remove(book.active)
    return book


def save(book: Workbook, path: str | Path) -> Path:
    """Save ``book`` to ``path`` (parent folders created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@dataclass
class AnnexSheet:
    """One table of an annex: its sheet title, the table's title, the table as shown (header =
    column headings), Excel number formats per column and the notes under it."""

    name: str
    title: str
    table: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class AnnexWords:
    """The annex's own words in the report language: the contents sheet's title and the
    headings of its table, the annex title and the label every sheet carries (the synthetic
    banner; empty for real data)."""

    contents: str
    sheet: str
    table: str
    note: str
    title: str
    label: str = ""


def write_heading(sheet: Worksheet, title: str, label: str = "") -> int:
    """Start a sheet as every workbook of the workbench does: its title in A1 (bold), the
    label in A2 (the synthetic banner; left empty for real data). Returns the first free row (3)."""
    write_row(sheet, 1, [title], bold=True)
    if label:
        write_row(sheet, 2, [label])
    return 3


def write_annex(path: str | Path, sheets: Sequence[AnnexSheet], words: AnnexWords) -> Path:
    """Write a report's tables to one workbook: a contents sheet, then one sheet per table.

    Every sheet starts with its title (A1) and the label (A2, e.g. the synthetic banner); a
    table sheet has its header on row 3, the rows from row 4, then its notes and the label
    again. Numbers stay numbers (``cell_value``: no float tails); each column gets its number
    format, a whole number (``int``) in a column of decimals gets none, so a count never shows
    as "1,001.00". Text is wrapped and never a formula (``set_value``)."""
    book = new_workbook()
    label = [words.label] if words.label else []
    contents = book.create_sheet(sheet_title(words.contents, {s.name for s in sheets}, "Contents"))
    for row, line in enumerate([words.title, *label], start=1):
        write_row(contents, row, [line], bold=row == 1)
    index = pd.DataFrame({words.sheet: [s.name for s in sheets], words.table: [s.title for s in sheets],
                          words.note: [" ".join(s.notes) for s in sheets]})
    write_frame(contents, index, row=4)
    for letter, width in zip("ABC", (34, 60, 80)):
        contents.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for shown in sheets:
        sheet = book.create_sheet(shown.name)
        end = write_frame(sheet, shown.table, row=write_heading(sheet, shown.title, words.label))
        for position, column in enumerate(shown.table.columns, start=1):
            sheet.cell(row=3, column=position).alignment = wrap
            numeric = pd.to_numeric(shown.table[column], errors="coerce").notna().any()
            sheet.column_dimensions[sheet.cell(row=3, column=position).column_letter].width = 14 if numeric else 32
            _format_column(sheet, position, range(4, end), shown.formats.get(column))
        for offset, line in enumerate([*[n for n in shown.notes if n], *label]):
            write_row(sheet, end + 1 + offset, [line])
        sheet.freeze_panes = "A4"
    return save(book, path)


def _format_column(sheet: Worksheet, column: int, rows: Iterable[int], number_format_: str | None) -> None:
    """Give the number cells of a column its format (whole numbers without one: ``0``); text cells wrap."""
    for row in rows:
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell.value, bool):
            continue
        if isinstance(cell.value, int) and not number_format_:
            cell.number_format = "0"  # a number in a label column (run, decile, month, year): no grouping
        elif isinstance(cell.value, int) and "%" not in number_format_:
            cell.number_format = number_format(0)  # a count among decimals (01's "n" row of weights)
        elif isinstance(cell.value, (int, float)) and number_format_:
            cell.number_format = number_format_
        elif isinstance(cell.value, str):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
