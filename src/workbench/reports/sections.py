"""The content of a report as data: sections of findings, sentences, tables and charts.

Nothing here is formatted or translated: a sentence is a message key of the catalogue
(``reporting/messages_catalogue``) with raw values (numbers unrounded, intervals as two
numbers), whose template decides how each value reads (``{n:n}``, ``{share:.1%}``,
``{p:p}``); a table is a tidy DataFrame whose column headings come from the catalogue by
convention (``col_<column>``); a chart is a specification that ``reporting.charts`` draws.
``reporting.sections.render`` turns a ``Section`` into HTML in the report's language, with
every small-cell decision made by the report's ``Disclosure``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Union

import pandas as pd

from workbench.errors import WorkbenchError

PARTS = ("findings", "body", "methods")
Part = Literal["findings", "body", "methods"]
_SECTION_ID = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Text:
    """A sentence or paragraph: catalogue ``key`` filled with raw ``values``."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    """A participant's words as written in the transcript, in its ``language`` (a code such as
    ``en``; None when the study does not declare it), and how the report names the speaker
    (``who``: a ``Text`` or text; None for an excerpt shown without speaker or quotation
    marks, e.g. in a Framework-matrix cell). Shown inside an element marked with that
    language, as a block of a section or in a table cell."""

    text: str
    who: Any = None
    language: str | None = None


@dataclass(frozen=True)
class Finding:
    """A key finding in plain language (number, interval, what it means), linked to the
    section ``section`` (its id) that shows the evidence."""

    key: str
    section: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Contents:
    """The report's contents list: ``entries`` are ``(section id, its title key)`` in reading
    order, each shown as its title linked to the section's anchor (as findings link to theirs)."""

    entries: tuple[tuple[str, str], ...]


@dataclass
class Table:
    """A tidy table shown with small-cell suppression.

    ``name`` is the table's stable identifier (figures.json, annex); ``title_key`` (with
    ``title_values``) its caption; ``count`` the column of people each row rests on (``None``
    for tables of non-personal figures); ``labels`` the label columns (never suppressed);
    ``percent`` proportion columns shown as percentages, ``pvalues`` p-value columns,
    ``decimals`` digits (one for all or per column). Column headings are the catalogue's
    ``col_<column>``; ``headings`` gives those that come from the data (e.g. a variable's label).
    ``count="suppressed"`` says the table is a grid of counts whose small cells the
    ``Disclosure`` already hid (``suppress_counts``: primary and secondary, blank = hidden):
    every column not in ``labels`` is a count, shown as it is with the marker for blanks.
    ``annex_only`` tables go to the Excel annex and figures.json but are not shown in the
    report (e.g. the unrounded figures behind a shown table). ``annex_frame`` (same rows and
    columns, label columns only) is what the annex holds instead of ``frame``: the full text of
    a table the page shortens (report 02's Framework excerpt).
    """

    name: str
    title_key: str
    frame: pd.DataFrame
    count: str | None = "n"
    labels: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    pvalues: tuple[str, ...] = ()
    decimals: int | dict[str, int] = 1
    title_values: dict[str, Any] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    note: Text | None = None
    annex_only: bool = False
    annex_frame: pd.DataFrame | None = None


ChartKind = Literal["bars", "interval", "forest", "lines", "steps", "calibration", "heatmap", "sankey", "network",
                    "bubbles"]


@dataclass(frozen=True)
class Reference:
    """A reference line of a chart (a target, a threshold, a cut-off) at ``value`` on the
    value axis (``on="y"``: the axis of ``Chart.y``) or on the ``x`` axis (``on="x"``),
    labelled by the catalogue ``key`` filled with ``values``."""

    value: float
    key: str
    on: Literal["x", "y"] = "y"
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chart:
    """A chart to draw with ``reporting.charts``: ``kind`` bars (``y`` with optional error
    bars ``low``/``high``), interval (point ``y`` and interval per ``x``), forest (one row per
    term ``x`` and ``group``, estimate ``y`` with ``low``/``high``) or lines (``y`` against a
    numeric ``x``, one line per ``color``). More kinds: steps (a step curve of ``y`` against a
    numeric ``x`` per ``color``, with a band ``low``-``high``: Kaplan-Meier, cumulative
    incidence), calibration (observed ``y`` against expected ``x`` per ``color``, points named
    by ``label``, with the diagonal of perfect calibration), heatmap (``y`` in cells of rows
    ``group`` by columns ``x``), sankey (flows ``y`` from node ``x`` to node ``group``; node
    colours from the levels in ``color`` and ``label``, the levels of ``x`` and ``group``),
    network (links of weight ``y`` between nodes ``x`` and ``group``, nodes placed on a circle)
    and bubbles (``y`` against ``x`` with the bubble size ``label``, per ``color``).
    ``meaning`` picks the colour map (``risk``, ``sex``, ``group``, ``significance``) for
    ``color``, whose levels come in the order ``levels`` (default: as they appear);
    ``references`` are lines drawn across the chart; ``count`` names the column whose small
    values the report's disclosure policy hides before drawing."""

    name: str
    kind: ChartKind
    frame: pd.DataFrame
    x: str
    y: str
    title_key: str
    title_values: dict[str, Any] = field(default_factory=dict)
    low: str | None = None
    high: str | None = None
    group: str | None = None
    color: str | None = None
    meaning: str | None = None
    count: str | None = None
    percent: bool = False
    headings: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    levels: tuple[Any, ...] = ()
    references: tuple[Reference, ...] = ()


Block = Union[Text, Finding, Table, Chart, Quote, Contents]


@dataclass
class Section:
    """One part of a report: ``id`` is its anchor (lower-case letters, digits, - and _),
    ``title_key`` its heading, ``blocks`` its content in order, ``part`` where it belongs:
    key findings first, the body, methods last."""

    id: str
    title_key: str
    blocks: list[Block] = field(default_factory=list)
    part: Part = "body"
    title_values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _SECTION_ID.match(self.id):
            raise WorkbenchError("a section id must be lower-case letters, digits, - or _", value=self.id,
                                 expected="e.g. 'sample' or 'by-region'")
        if self.part not in PARTS:
            raise WorkbenchError("unknown section part", value=self.part, expected=" or ".join(PARTS))


def in_report_order(sections: list[Section]) -> list[Section]:
    """Findings first, methods last (the body keeps its order); every finding and contents
    entry links to a section of the report (a contents entry by that section's title)."""
    ordered = sorted(sections, key=lambda s: PARTS.index(s.part))
    ids = [s.id for s in ordered]
    titles = {s.id: s.title_key for s in ordered}
    if len(set(ids)) != len(ids):
        raise WorkbenchError("two sections have the same id", value=sorted({i for i in ids if ids.count(i) > 1}))
    for section in ordered:
        for block in section.blocks:
            if isinstance(block, Finding) and block.section not in ids:
                raise WorkbenchError("a finding links to no section of the report", value=block.section,
                                     expected=f"one of {ids}")
            for target, title_key in block.entries if isinstance(block, Contents) else ():
                if titles.get(target) != title_key:
                    raise WorkbenchError("a contents entry names no section of the report by its title",
                                         value=f"{target} ({title_key})",
                                         expected="one of " + ", ".join(f"{i} ({k})" for i, k in titles.items()))
    return ordered
