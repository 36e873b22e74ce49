"""Recorded figures: every number a report shows, unrounded, under a stable identifier.

While a report notebook runs, a ``FigureRecorder`` collects

- every numeric cell of every table shown through ``ReportTables`` (suppressed cells as the
  marker, never their value), identified by section, table, row label and column name;
- every value filled into a report sentence by ``Report.t`` that is a number or a text with
  a digit in it (figures are often formatted before they reach the sentence; they are then
  recorded as the text shown), identified by section, message key, occurrence and
  placeholder.

It writes them to ``<report>.figures.json`` next to the report. ``workbench verify
--recompute`` rebuilds the reports and compares the two files with ``compare_figures``.
Not recorded: numbers a notebook writes into text without ``Report.t`` and chart data.

Why our own code: the identifiers come from the report helpers (message keys, table titles,
label columns); no library knows them.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from numbers import Number
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

FIGURES_SUFFIX = ".figures.json"
SEPARATOR = " | "
RELATIVE_TOLERANCE = 1e-9
_DIGIT = re.compile(r"\d")


def _plain(value: Any) -> Any:
    """A JSON value for a shown figure (``None`` when the value is not a number to record)."""
    if isinstance(value, (bool, np.bool_)) or value is None or value is pd.NA:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return None
        return number if math.isfinite(number) else str(number)
    if isinstance(value, Number):  # Decimal, Fraction
        return float(value)  # type: ignore[arg-type]
    return None


@dataclass
class FigureRecorder:
    """Collects the figures of one report and keeps ``path`` up to date (when given)."""

    report: str
    path: Path | None = None
    section: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)
    _keys: dict[str, str] = field(default_factory=dict)  # sentence text -> message key
    _seen: Counter = field(default_factory=Counter)
    _tables: Counter = field(default_factory=Counter)

    # ---- what the report helpers tell the recorder ---------------------------------------------
    def message(self, key: str, rendered: str, values: dict[str, Any]) -> None:
        """A sentence filled by ``Report.t``: remember its key, record its figures."""
        if not values:
            self._keys.setdefault(rendered.strip(), key)
            return
        shown = {name: _plain(value) if not isinstance(value, str) else value for name, value in values.items()}
        shown = {name: value for name, value in shown.items()
                 if value is not None and (not isinstance(value, str) or _DIGIT.search(value))}
        if not shown:
            self._keys.setdefault(rendered.strip(), key)
            return
        self._seen[(self.section, key)] += 1
        occurrence = str(self._seen[(self.section, key)])
        for name, value in shown.items():
            self._add(f"sentence {key}", occurrence, name, value)
        self.flush()

    def heading(self, body: str) -> None:
        """A Markdown heading starts a section (identified by its message key when it has one)."""
        first = body.lstrip().splitlines()[0] if body.strip() else ""
        if first.startswith("#"):
            title = first.lstrip("#").strip()
            self.section = self._keys.get(title, title)

    def table(self, title: str, table: pd.DataFrame, hidden: np.ndarray, *, labels: dict[str, str] | None,
              keep: Iterable[str], sheet: str, marker: str) -> None:
        """A shown table (columns already renamed by ``labels``, ``hidden`` rows suppressed)."""
        names = {shown: original for original, shown in (labels or {}).items()}
        keep = [c for c in table.columns if c in set(keep)]
        table_id = self._keys.get(title.strip(), title.strip())
        self._tables[(self.section, table_id)] += 1
        if self._tables[(self.section, table_id)] > 1:
            table_id += f" #{self._tables[(self.section, table_id)]}"
        rows = (["/".join(str(v) for v in row) for row in table[keep].itertuples(index=False)] if keep
                else [f"row {i + 1}" for i in range(len(table))])
        counts = Counter(rows)
        repeat: Counter = Counter()
        for position, (row_id, is_hidden) in enumerate(zip(rows, hidden)):
            if counts[row_id] > 1:
                repeat[row_id] += 1
                row_id = f"{row_id} #{repeat[row_id]}"
            for column in table.columns:
                if column in keep:
                    continue
                cell = table[column].iloc[position]
                value = marker if is_hidden or (isinstance(cell, str) and cell == marker) else _plain(cell)
                if value is not None:
                    self._add(table_id, row_id, str(names.get(column, column)), value, sheet=sheet, label=str(column))
        self.flush()

    # ---- the file ---------------------------------------------------------------------------------
    def _add(self, table: str, row: str, column: str, value: Any, sheet: str | None = None,
             label: str | None = None) -> None:
        """One figure; ``sheet`` and ``label`` (the column's heading) place a table cell in the annex."""
        parts = [self.section, table, row, column]
        entry = {"id": SEPARATOR.join(parts), "section": self.section, "table": table, "row": row,
                 "column": column, "value": value}
        if sheet:
            entry.update(sheet=sheet, label=label or column)
        self.figures.append(entry)

    def flush(self) -> None:
        """Rewrite the figures file (a report's figures are few: thousands at most)."""
        if self.path is not None:
            write_figures(self.path, self.report, self.figures)


_ACTIVE: dict[str, FigureRecorder | None] = {"recorder": None}  # one report per kernel


def activate(recorder: FigureRecorder | None) -> None:
    """Make ``recorder`` the one that module-level helpers (``markdown``) report to."""
    _ACTIVE["recorder"] = recorder


def active() -> FigureRecorder | None:
    return _ACTIVE["recorder"]


def write_figures(path: Path, report: str, figures: list[dict[str, Any]]) -> Path:
    """Write a figures file: UTF-8 JSON, figures in the order the report shows them."""
    body = json.dumps({"report": report, "figures": figures}, indent=1, ensure_ascii=False, allow_nan=False)
    Path(path).write_text(body + "\n", encoding="utf-8")
    return Path(path)


def read_figures(path: Path) -> dict[str, Any]:
    """Identifier -> value of a figures file (a repeated identifier keeps its first value)."""
    from workbench.errors import WorkbenchError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        figures = data["figures"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise WorkbenchError(f"cannot read the recorded figures: {err}", file=str(path),
                             expected="a figures file written by `workbench build`") from None
    values: dict[str, Any] = {}
    for entry in figures:
        values.setdefault(entry["id"], entry["value"])
    return values


def same_figure(recorded: Any, recomputed: Any, rel_tol: float = RELATIVE_TOLERANCE) -> bool:
    """Numbers agree to ``rel_tol`` relative to the larger; anything else must be equal."""
    numbers = (int, float)
    if isinstance(recorded, numbers) and isinstance(recomputed, numbers) \
            and not isinstance(recorded, bool) and not isinstance(recomputed, bool):
        return math.isclose(recorded, recomputed, rel_tol=rel_tol, abs_tol=0.0)
    return recorded == recomputed


def compare_figures(recorded: dict[str, Any], recomputed: dict[str, Any],
                    rel_tol: float = RELATIVE_TOLERANCE) -> pd.DataFrame:
    """The figures that differ: identifier, recorded, recomputed (``None`` when absent)."""
    rows = [{"identifier": key, "recorded": recorded.get(key), "recomputed": recomputed.get(key)}
            for key in [*recorded, *(k for k in recomputed if k not in recorded)]
            if key not in recorded or key not in recomputed or not same_figure(recorded[key], recomputed[key], rel_tol)]
    return pd.DataFrame(rows, columns=["identifier", "recorded", "recomputed"], dtype=object)


def format_differences(table: pd.DataFrame) -> str:
    """A differences table as left-aligned text; numbers unrounded, a missing side "(absent)"."""
    columns = list(table.columns)
    cells = [[("(absent)" if value is None or value is pd.NA else repr(value) if isinstance(value, float)
               else str(value)) for value in row] for row in table.itertuples(index=False)]
    widths = [max([len(str(c)), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)
