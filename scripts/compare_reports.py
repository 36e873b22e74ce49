"""Compare two folders of built reports: what a reader sees before and after a code change.

Developer tool (not part of the package). For each report (``*.html``, matched by its path
relative to the folder, so ``en/01_public_attitudes.html`` and ``ru/...`` are separate
editions) it extracts

- the visible text, line by line (scripts and styles left out; tables apart);
- every table: its title (caption, else the heading above it), header and cells;
- every chart: title and traces (Plotly figures written into the page);
- every recorded figure of ``<report>.figures.json`` when the folder has one;

and prints a Markdown summary per report: lines added and removed, tables added, removed and
changed, cells whose numbers changed value (matched by table, row label and column label;
a change of rounding or of number format alone is counted apart), recorded figures that
changed, and a few hygiene counts of the reader's text (``None``/``nan``, grouped years such
as "2 024", p-values written as 0.000, tables mostly of suppression marks "x").

Usage::

    .venv/bin/python scripts/compare_reports.py BEFORE_DIR AFTER_DIR [-o diff.md] [--max-items 12]

Why our own code: the report layout (figures files, Plotly pages, the two number formats of
the editions) is the workbench's own; lxml parses and difflib diffs.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import lxml.html

SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "h1", "h2", "h3",
              "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "figure",
              "figcaption", "details", "summary", "br", "hr", "body", "caption"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SPACES = "\u00a0\u202f\u2009\u2007"
SUPPRESSED = {"x", "х"}  # the suppression mark (Latin and Cyrillic)
MOSTLY = 0.5  # a table is "mostly x" when more than this share of its value cells is suppressed
_GROUPED = rf"\d{{1,3}}(?:[{SPACES}]\d{{3}})+(?!\d)"
_NUMBER = {  # English: 1,001.5 (or 1 001.5); Russian: 1 001,5 (a point read as the decimal mark too)
    "en": re.compile(rf"(?<![\w.,])(?P<sign>[-\u2212]?)(?P<int>{_GROUPED}|\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)"
                     rf"(?:\.(?P<dec>\d+))?"),
    "ru": re.compile(rf"(?<![\w.,])(?P<sign>[-\u2212]?)(?P<int>{_GROUPED}|\d+)(?:[.,](?P<dec>\d+))?"),
}
_PLOT = re.compile(r"Plotly\.newPlot\(\s*")


# ---- one report, as a reader sees it ---------------------------------------------------------------

@dataclass
class Table:
    """One HTML table: its title, column labels and body rows (the first cell labels a row)."""

    title: str
    columns: list[str]
    rows: list[list[str]]

    def cells(self) -> dict[tuple[str, str], str]:
        """(row label, column label) -> cell text, for the value cells (not the label column)."""
        out: dict[tuple[str, str], str] = {}
        seen: dict[str, int] = {}
        for row in self.rows:
            if not row:
                continue
            label = row[0]
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label = f"{label} #{seen[label]}"
            for position, value in enumerate(row[1:], start=1):
                column = self.columns[position] if position < len(self.columns) else f"column {position + 1}"
                out[(label, column)] = value
        return out

    def labels(self) -> set[str]:
        return set(self.columns) | {row[0] for row in self.rows if row}


@dataclass
class Chart:
    title: str
    traces: list[str]  # "name: n points, colour"


@dataclass
class Report:
    """What a reader sees in one report file."""

    title: str = ""
    language: str = ""
    headings: list[str] = field(default_factory=list)  # level-2 headings in order
    lines: list[str] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    figures: dict[str, Any] | None = None  # recorded figures: identifier -> entry (id, table, row, column, value)


def _clean(text: str) -> str:
    """Runs of ordinary white space as one space (thin and non-breaking spaces are kept: they
    group digits)."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", text.replace("\u200b", "")).strip()


def _cell_text(cell: Any) -> str:
    return _clean("".join(t for t in cell.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")))


def _text_lines(root: Any) -> list[str]:
    """The visible text outside tables, one line per block element."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None or tag in SKIP_TAGS or tag == "table":
            parts.append("\n" if tag == "table" else "")
            parts.append(element.tail or "")
            return
        block = tag in BLOCK_TAGS
        parts.append("\n" if block else "")
        parts.append(element.text or "")
        for child in element:
            walk(child)
        parts.append("\n" if block else "")
        parts.append(element.tail or "")

    walk(root)
    return [line for line in (_clean(piece) for piece in "".join(parts).split("\n")) if line]


def _expanded(row: Any) -> list[str]:
    """A row's cells, a cell spanning n columns repeated n times."""
    out: list[str] = []
    for cell in row:
        if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
            continue
        span = cell.get("colspan", "1")
        out.extend([_cell_text(cell)] * (max(int(span), 1) if span.isdigit() else 1))
    return out


def _table(element: Any, title: str) -> Table:
    rows = [r for r in element.iter("tr") if r.getparent() is not None]
    header_rows = [r for r in rows if r.getparent().tag == "thead"]
    if not header_rows:  # leading rows of header cells only
        for row in rows:
            if all(c.tag == "th" for c in row if isinstance(c.tag, str)) and len(row):
                header_rows.append(row)
            else:
                break
    body = [r for r in rows if r not in header_rows]
    grid = [_expanded(r) for r in header_rows]
    width = max((len(g) for g in grid), default=0)
    columns = []
    for position in range(width):
        parts = []
        for g in grid:
            value = g[position] if position < len(g) else ""
            if value and value not in parts:
                parts.append(value)
        columns.append(" / ".join(parts) or f"column {position + 1}")
    return Table(title, columns, [_expanded(r) for r in body])


def _charts(root: Any) -> list[Chart]:
    """Title and traces of every Plotly figure in the page."""
    decoder = json.JSONDecoder()
    charts = []
    for script in root.iter("script"):
        source = script.text or ""
        for match in _PLOT.finditer(source):
            try:
                _, position = _decode_at(decoder, source, match.end())  # the element id
                data, position = _decode_at(decoder, source, position)
                layout, _ = _decode_at(decoder, source, position)
            except (ValueError, json.JSONDecodeError):
                continue
            title = layout.get("title", {})
            title = title.get("text", "") if isinstance(title, dict) else str(title)
            charts.append(Chart(_clean(re.sub(r"<[^>]+>", " ", title or "")), [_trace(t) for t in data]))
    return charts


def _decode_at(decoder: json.JSONDecoder, source: str, position: int) -> tuple[Any, int]:
    """The JSON value after ``position`` (skipping white space and one comma) and where it ends."""
    while position < len(source) and (source[position].isspace() or source[position] == ","):
        position += 1
    return decoder.raw_decode(source, position)


def _points(values: Any) -> int:
    if isinstance(values, list):
        return len(values)
    if isinstance(values, dict) and "bdata" in values:  # Plotly's typed arrays
        size = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1}.get(values.get("dtype"), 8)
        return len(base64.b64decode(values["bdata"])) // size
    return 0


def _trace(trace: dict[str, Any]) -> str:
    points = max(_points(trace.get(axis)) for axis in ("x", "y", "values", "z"))
    if isinstance(trace.get("link"), dict):  # a Sankey diagram: its flows
        points = _points(trace["link"].get("value"))
    colour = (trace.get("marker") or {}).get("color") or (trace.get("line") or {}).get("color") or ""
    colour = ",".join(colour) if isinstance(colour, list) and all(isinstance(c, str) for c in colour) else colour
    name = trace.get("name") or trace.get("type", "trace")
    return f"{name}: {points} points" + (f", {colour}" if isinstance(colour, str) and colour else "")


def _caption(table: Any) -> str:
    """A table's title: its <caption>, else a caption paragraph right before it (``wb-caption``,
    or a paragraph that is all bold)."""
    caption = table.find("caption")
    if caption is not None:
        return _clean(caption.text_content())
    previous = table.getprevious()
    if previous is None or previous.tag not in ("p", "div"):
        return ""
    text = _clean(previous.text_content())
    bold = _clean(" ".join(b.text_content() for b in previous.iter("strong", "b")))
    return text if "caption" in (previous.get("class") or "") or (text and bold == text) else ""


def read_report(path: Path) -> Report:
    """Parse one report file (and its figures file, when there is one)."""
    root = lxml.html.fromstring(Path(path).read_text(encoding="utf-8"))  # reports are UTF-8, declared or not
    report = Report(title=_clean(root.findtext(".//title") or ""), language=root.get("lang", ""))
    heading = ""
    titles: dict[str, int] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in HEADINGS and not any(a.tag in SKIP_TAGS for a in element.iterancestors()):
            heading = _clean(element.text_content())
            if element.tag == "h2":
                report.headings.append(heading)
        elif element.tag == "table":
            title = _caption(element) or heading or "(untitled)"
            titles[title] = titles.get(title, 0) + 1
            if titles[title] > 1:
                title = f"{title} #{titles[title]}"
            report.tables[title] = _table(element, title)
    body = root.find("body")
    report.lines = _text_lines(body if body is not None else root)
    report.charts = _charts(root)
    figures = Path(path).with_name(Path(path).name[: -len(".html")] + ".figures.json")
    if figures.is_file():
        data = json.loads(figures.read_text(encoding="utf-8"))
        report.figures = {}
        for entry in data.get("figures", []):
            report.figures.setdefault(entry["id"], entry)
    return report


# ---- numbers as shown --------------------------------------------------------------------------------

def numbers(text: str, language: str = "en") -> list[tuple[float, int]]:
    """The numbers in a text as (value, decimals shown): 1,001 and 1 001 (thin space) are 1001;
    0,52 is 0.52 in Russian; −3 (minus sign) is -3; 0.48–0.56 is two positive numbers."""
    found = []
    for match in _NUMBER["ru" if language == "ru" else "en"].finditer(text):
        whole = re.sub(rf"[{SPACES},]", "", match["int"])
        decimals = match["dec"] or ""
        value = float(f"{whole}.{decimals}" if decimals else whole)
        found.append((-value if match["sign"] else value, len(decimals)))
    return found


def _rounds_to(a: float, b: float, places: int) -> bool:
    """Is one of the two a rounding of the other to ``places`` decimals (a tie either way)?"""
    return abs(a - b) <= 0.5 * 10 ** -places * (1 + 1e-9) + 1e-15


def same_value(before: str, after: str, language: str = "en") -> bool:
    """Do two cells show the same numbers (up to the coarser rounding of the two)? A bound
    ("< 0.001") and a number within it (0.000) count as the same value."""
    left, right = numbers(before, language), numbers(after, language)
    for bound, other in ((before, right), (after, left)):  # "< 0.001" for a value shown as 0.000
        below = re.fullmatch(r"\s*[<≤]\s*(\S+)\s*", bound)
        limit = numbers(below.group(1), language) if below else []
        if len(limit) == 1 and len(other) == 1 and abs(other[0][0]) <= limit[0][0]:
            return True
    if len(left) != len(right):
        return False
    for (a, da), (b, db) in zip(left, right):
        places = min(da, db)
        if not _rounds_to(a, b, places):
            return False
    return True


# ---- comparison --------------------------------------------------------------------------------------

def match_tables(before: dict[str, Table], after: dict[str, Table], threshold: float = 0.5) -> list[tuple[str, str]]:
    """Pairs (before title, after title): same title first, then the most similar labels."""
    pairs = [(t, t) for t in before if t in after]
    left = [t for t in before if t not in after]
    right = [t for t in after if t not in before]
    scored = []
    for a in left:
        for b in right:
            la, lb = before[a].labels(), after[b].labels()
            score = len(la & lb) / len(la | lb) if la | lb else 0.0
            if score >= threshold:
                scored.append((score, a, b))
    used_a: set[str] = set()
    used_b: set[str] = set()
    for _, a, b in sorted(scored, key=lambda s: -s[0]):
        if a not in used_a and b not in used_b:
            pairs.append((a, b))
            used_a.add(a)
            used_b.add(b)
    return pairs


@dataclass
class TableDiff:
    before: str
    after: str
    changed_numbers: list[tuple[str, str, str, str]]  # row, column, before, after
    reformatted: int  # cells with the same numbers, shown differently
    text_changed: int  # cells without numbers whose text changed
    rows_added: int
    rows_removed: int
    columns_changed: bool

    @property
    def changed(self) -> bool:
        return bool(self.changed_numbers or self.reformatted or self.text_changed or self.rows_added
                    or self.rows_removed or self.columns_changed)


def diff_table(a: Table, b: Table, language: str = "en") -> TableDiff:
    ca, cb = a.cells(), b.cells()
    changed, reformatted, text = [], 0, 0
    for key in ca.keys() & cb.keys():
        x, y = ca[key], cb[key]
        if x == y:
            continue
        if numbers(x, language) or numbers(y, language):
            if same_value(x, y, language):
                reformatted += 1
            else:
                changed.append((key[0], key[1], x, y))
        else:
            text += 1
    rows_a = {r for r, _ in ca} | {row[0] for row in a.rows if row}
    rows_b = {r for r, _ in cb} | {row[0] for row in b.rows if row}
    order = {key: i for i, key in enumerate(ca)}
    changed.sort(key=lambda c: order.get((c[0], c[1]), 0))
    return TableDiff(a.title, b.title, changed, reformatted, text, len(rows_b - rows_a), len(rows_a - rows_b),
                     a.columns != b.columns)


def _same_figure(x: Any, y: Any, language: str = "en") -> bool:
    """Same recorded value: numbers equal to 1e-9, or a number and the text it was shown as
    (an older build recorded "11.5%" or "1 001" where a newer one records 0.1153 or 1001)."""
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(x, str) and isinstance(y, str):
        return x == y or same_value(x, y, language) and bool(numbers(x, language))
    number, text = (x, y) if isinstance(x, (int, float)) else (y, x)
    if not isinstance(number, (int, float)) or not isinstance(text, str):
        return x == y
    shown = numbers(text, language)
    if len(shown) != 1:
        return False
    value, places = shown[0]
    if re.match(r"\s*[<≤]", text):  # "< 0.001" for a p-value of 2e-25
        return abs(number) <= value
    scaled = [number, number * 100] if "%" in text else [number]
    return any(_rounds_to(v, value, places) for v in scaled)


def diff_figures(before: dict[str, Any], after: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """Recorded figures matched by identifier, then by table | row | column when that is unique;
    ``changed`` lists those whose value changed, ``reformatted`` counts those only recorded
    differently (a number against the text it is shown as)."""
    pairs = [(i, i) for i in before if i in after]
    rest_a = [i for i in before if i not in after]
    rest_b = [i for i in after if i not in before]

    def place(entry: dict[str, Any]) -> tuple[str, str, str]:
        return entry.get("table", ""), entry.get("row", ""), entry.get("column", "")

    index_b: dict[tuple[str, str, str], list[str]] = {}
    for i in rest_b:
        index_b.setdefault(place(after[i]), []).append(i)
    index_a: dict[tuple[str, str, str], list[str]] = {}
    for i in rest_a:
        index_a.setdefault(place(before[i]), []).append(i)
    for key, ids in index_a.items():
        if len(ids) == 1 and len(index_b.get(key, [])) == 1:
            pairs.append((ids[0], index_b[key][0]))
    matched_a = {a for a, _ in pairs}
    matched_b = {b for _, b in pairs}
    changed = [(a, before[a]["value"], after[b]["value"]) for a, b in pairs
               if not _same_figure(before[a]["value"], after[b]["value"], language)]
    reformatted = sum(before[a]["value"] != after[b]["value"] for a, b in pairs) - len(changed)
    return {"before": len(before), "after": len(after), "matched": len(pairs), "changed": changed,
            "reformatted": reformatted,
            "only_before": [i for i in before if i not in matched_a],
            "only_after": [i for i in after if i not in matched_b]}


_YEAR_GROUPED = re.compile(rf"(?<![\d{SPACES}])(?:1[{SPACES}]9|2[{SPACES}]0)\d{{2}}(?![\d{SPACES}])")
_YEAR_WORDS = re.compile(r"(?i)\b(?:years?|prices?|год[ауе]?|цен[ыа]?|ценах)\b")  # before the number
_PRICE = re.compile(r"(?i)[\s\u00a0]*(?:prices?\b|цен|г\.|год)")  # after it: "2 024 prices", "2 024 г."
_P_ZERO = re.compile(r"\bp\s*[=<]\s*0[.,]0{3,}\b|\b0[.,]0000\b")
_P_COLUMN = re.compile(r"(?i)(?:^|[\s(])(?:p|p-value|p-значение|p adj\w*)(?:$|[\s),])")


def hygiene(report: Report) -> dict[str, list[str]]:
    """What a reader should never see (see issue 14's acceptance), each as the text it is in.
    A grouped number from 1 900 to 2 099 after a word for year or price (or before "prices")
    is listed as a year written as a number ("2 024")."""
    text = list(report.lines) + [c for t in report.tables.values() for c in t.columns]
    text += [f"{t.title} | {row[0]} | {label}: {c}" for t in report.tables.values() for row in t.rows
             for label, c in zip(t.columns[1:], row[1:])]
    found: dict[str, list[str]] = {"None/nan": [], "year grouped (2 024)": [],
                                   "p or value shown as 0.000(0)": [], "tables mostly x": [], "title 'Notebook'": []}
    for line in text:
        if re.search(r"\b(?:None|nan|NaN)\b", line):
            found["None/nan"].append(line)
        if any(_YEAR_WORDS.search(line[max(m.start() - 30, 0):m.start()]) or _PRICE.match(line[m.end():])
               for m in _YEAR_GROUPED.finditer(line)):
            found["year grouped (2 024)"].append(line)
        if _P_ZERO.search(line):
            found["p or value shown as 0.000(0)"].append(line)
    for table in report.tables.values():
        values = [c for row in table.rows for c in row[1:] if c]
        if values and sum(c in SUPPRESSED for c in values) / len(values) > MOSTLY:
            found["tables mostly x"].append(table.title)
        for row in table.rows:  # a p-value column showing 0 (0.000) instead of "< 0.001"
            for position, cell in enumerate(row[1:], start=1):
                label = table.columns[position] if position < len(table.columns) else ""
                shown = f"{table.title} | {row[0]} | {label}: {cell}"
                if (_P_COLUMN.search(label) and re.fullmatch(r"0(?:[.,]0+)?", cell.strip())
                        and shown not in found["p or value shown as 0.000(0)"]):
                    found["p or value shown as 0.000(0)"].append(shown)
    if report.title.strip().lower() == "notebook":
        found["title 'Notebook'"].append(report.title)
    return found


SUMMARY_HEADER = ["| report | title before → after | text lines (+ / −) | tables changed / added / removed | "
                  "cells whose numbers changed | recorded figures changed / matched | hygiene findings before → after |",
                  "|---|---|---|---|---|---|---|"]


def compare(before: Report, after: Report, max_items: int = 12, name: str = "") -> tuple[list[str], str]:
    """Markdown lines (the summary of one report's change) and its row of the summary table."""
    out: list[str] = []
    added, removed = [], []  # line by line (ndiff's comparison within lines is too slow on long reports)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before.lines, after.lines, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += before.lines[i1:i2]
            added += after.lines[j1:j2]
    out.append(f"- title: {_q(before.title)} → {_q(after.title)}; lang: {_q(before.language)} → {_q(after.language)}")
    out.append(f"- sections: {len(before.headings)} → {len(after.headings)}; first three before: "
               f"{_list(before.headings[:3])}; after: {_list(after.headings[:3])}")
    out.append(f"- text lines: {len(before.lines)} → {len(after.lines)} (+{len(added)} added, −{len(removed)} removed)")
    pairs = match_tables(before.tables, after.tables)
    language = after.language or before.language
    diffs = [diff_table(before.tables[a], after.tables[b], language) for a, b in pairs]
    changed = [d for d in diffs if d.changed]
    matched_a = {a for a, _ in pairs}
    matched_b = {b for _, b in pairs}
    only_a = [t for t in before.tables if t not in matched_a]
    only_b = [t for t in after.tables if t not in matched_b]
    numbers_changed = [(d, c) for d in diffs for c in d.changed_numbers]
    out.append(f"- tables: {len(before.tables)} → {len(after.tables)} ({len(pairs)} matched, {len(changed)} changed, "
               f"+{len(only_b)} added, −{len(only_a)} removed); cells whose numbers changed value: "
               f"{len(numbers_changed)}; reformatted only: {sum(d.reformatted for d in diffs)}")
    out.append(f"- charts: {len(before.charts)} → {len(after.charts)}")
    if before.figures is not None or after.figures is not None:
        f = diff_figures(before.figures or {}, after.figures or {}, language)
        out.append(f"- recorded figures: {f['before']} → {f['after']} ({f['matched']} matched, "
                   f"{len(f['changed'])} changed value, {f['reformatted']} recorded differently only, "
                   f"{len(f['only_before'])} only before, "
                   f"{len(f['only_after'])} only after)")
    else:
        f = None
    hb, ha = hygiene(before), hygiene(after)
    out.append("- hygiene (before → after): " + "; ".join(f"{k} {len(hb[k])} → {len(ha[k])}" for k in hb))
    out += _details("Lines removed", [_q(line) for line in removed], max_items)
    out += _details("Lines added", [_q(line) for line in added], max_items)
    out += _details("Tables removed", [_q(t) for t in only_a], max_items)
    out += _details("Tables added", [_q(t) for t in only_b], max_items)
    out += _details("Tables renamed", [f"{_q(d.before)} → {_q(d.after)}" for d in diffs if d.before != d.after],
                    max_items)
    out += _details("Numbers that changed value (table | row | column: before → after)",
                    [f"{_q(d.after)} | {_q(r)} | {_q(c)}: {_q(x)} → {_q(y)}" for d, (r, c, x, y) in numbers_changed],
                    max_items)
    if f is not None:
        out += _details("Recorded figures that changed value (identifier: before → after)",
                        [f"{_q(i)}: {x} → {y}" for i, x, y in f["changed"]], max_items)
    for kind, lines in ha.items():
        out += _details(f"After, {kind}", [_q(line) for line in lines], max_items)
    charts_a = {c.title: c for c in before.charts}
    charts_b = {c.title: c for c in after.charts}
    out += _details("Charts removed", [_q(t) for t in charts_a if t not in charts_b], max_items)
    out += _details("Charts added", [_q(t) for t in charts_b if t not in charts_a], max_items)
    row = (f"| {name} | {_q(before.title)} → {_q(after.title)} | {len(before.lines)} → {len(after.lines)} "
           f"(+{len(added)} / −{len(removed)}) | {len(changed)} / {len(only_b)} / {len(only_a)} | {len(numbers_changed)} | "
           + (f"{len(f['changed'])} / {f['matched']}" if f is not None else "–")
           + f" | {sum(map(len, hb.values()))} → {sum(map(len, ha.values()))} |")
    return out, row


def _q(text: Any) -> str:
    """A value quoted for a Markdown list (no line breaks, no table pipes breaking the layout)."""
    text = str(text).replace("\n", " ").replace("`", "'")
    return f"`{text[:160] + '…' if len(text) > 160 else text}`"


def _list(items: Iterable[str]) -> str:
    return ", ".join(_q(i) for i in items) or "(none)"


def _details(title: str, items: list[str], max_items: int) -> list[str]:
    if not items:
        return []
    shown = items[:max_items]
    more = f" (first {max_items} of {len(items)})" if len(items) > max_items else ""
    return [f"- {title}{more}:"] + [f"  - {item}" for item in shown]


def report_files(folder: Path) -> dict[str, Path]:
    """Relative name (without .html) -> file, for every HTML file below ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*.html")):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):  # staging and executed folders
            continue
        found[str(relative)[: -len(".html")]] = path
    return found


def compare_folders(before: Path, after: Path, max_items: int = 12) -> str:
    """The Markdown summary of every report in the two folders."""
    for folder in (before, after):
        if not folder.is_dir():
            raise SystemExit(f"compare_reports: {folder} is not a folder (expected a folder of built reports)")
    files_a, files_b = report_files(before), report_files(after)
    if not files_a and not files_b:
        raise SystemExit(f"compare_reports: no .html reports in {before} or {after}")
    out = ["# Reports before and after", "", f"before: `{before}`  ", f"after: `{after}`", ""]
    only_a = sorted(set(files_a) - set(files_b))
    only_b = sorted(set(files_b) - set(files_a))
    if only_a or only_b:
        out += [f"Only before: {_list(only_a)}  ", f"Only after: {_list(only_b)}", ""]
    details, rows = [], []
    for name in sorted(set(files_a) & set(files_b)):
        lines, row = compare(read_report(files_a[name]), read_report(files_b[name]), max_items, name)
        details += [f"## {name}", ""] + lines + [""]
        rows.append(row)
    return "\n".join(out + SUMMARY_HEADER + rows + [""] + details)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="folder of reports built by the old code")
    parser.add_argument("after", type=Path, help="folder of reports built by the new code")
    parser.add_argument("-o", "--output", type=Path, help="write the Markdown here (default: standard output)")
    parser.add_argument("--max-items", type=int, default=12, help="examples listed per kind of change")
    args = parser.parse_args(argv)
    text = compare_folders(args.before, args.after, args.max_items)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
