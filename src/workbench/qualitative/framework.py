"""Framework matrix (Ritchie & Spencer's Framework method): cases x themes.

Each cell summarises what a case said on a theme: the researchers' memos on the coded
segments when there are any (the Framework method's "summary"), otherwise the coded text
itself, shortened, each piece followed by its reference (document id and code-point
span) so that a reader can go back to the transcript. Themes are codes at a chosen depth
of the code hierarchy (sub-codes roll up into them) or any list of code ids.

``framework_matrix`` returns a tidy DataFrame (one row per case x theme);
``write_framework_xlsx`` writes it in the Framework layout with the workbench's one
workbook writer (``workbench.io.workbook``: every string a text cell, never a
formula): one sheet with cases as rows and themes as columns (summaries), one with the
references, one per theme with the case summaries and references side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import (
    accepted_segments,
    code_ancestors,
    rollup_codes,
    segment_participants,
)
from workbench.qualitative.quotes import PersonalDataScrubber, shorten

_COLUMNS = [
    "case_id", "case_label", "theme_id", "theme_name", "n_segments", "n_documents",
    "summary", "references",
]


def framework_matrix(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    cases: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    turns: pd.DataFrame | None = None,
    depth: int = 1,
    themes: Sequence[Any] | None = None,
    excerpt_chars: int | None = None,
    max_excerpts: int | None = None,
    people: pd.DataFrame | Iterable[str] | None = None,
    case_label: str | None = None,
) -> pd.DataFrame:
    """Cases x themes, one row per cell, all cases and themes listed (empty cells included).

    ``depth`` picks the themes (1 = top-level codes, sub-codes counted under them) unless
    ``themes`` lists theme code ids. A cell's ``summary`` holds every memo or excerpt in
    full, in transcript order, each with its reference "[doc_id start-end]" (the complete
    matrix, as an annex needs it); ``max_excerpts`` and ``excerpt_chars`` shorten it for a
    preview in a report, where a cut cell ends with "(+n)", the number of excerpts left out.
    ``references`` lists every reference. With
    ``people`` the text is scrubbed of personal data (see :mod:`quotes`). ``case_label``
    names a cases column to show instead of the case id (e.g. a pseudonym; never a real
    name in a report). Columns: case_id, case_label, theme_id, theme_name, n_segments,
    n_documents, summary, references.
    """
    require_columns(cases, ["case_id"], what="the cases table")
    theme_ids = list(themes) if themes is not None else _themes_at_depth(codes, depth)
    if themes is None:
        rolled = rollup_codes(accepted_segments(segments), codes, depth)
    else:
        unknown = [t for t in theme_ids if t not in set(codes["code_id"])]
        if unknown:
            raise WorkbenchError("unknown theme code ids", value=unknown, expected="code_id values of the codes table")
        rolled = _map_to_listed_themes(accepted_segments(segments), codes, theme_ids)
    links = segment_participants(rolled, documents, cases, turns)
    links = links[links["case_id"].notna() & links["code_id"].isin(theme_ids)]
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    scrubber = PersonalDataScrubber(people) if people is not None else None
    names = dict(zip(codes["code_id"], codes["name"])) if "name" in codes.columns else {}
    labels = dict(zip(cases["case_id"], cases[case_label])) if case_label else {}
    rows = []
    grouped = {key: data for key, data in links.groupby(["case_id", "code_id"], sort=False)}
    for case_id in cases["case_id"]:
        for theme_id in theme_ids:
            data = grouped.get((case_id, theme_id))
            row = {
                "case_id": case_id,
                "case_label": labels.get(case_id, case_id),
                "theme_id": theme_id,
                "theme_name": names.get(theme_id),
                "n_segments": 0,
                "n_documents": 0,
                "summary": "",
                "references": "",
            }
            if data is not None:
                data = data.drop_duplicates("segment_id").sort_values(["doc_id", "start"], kind="stable")
                references = [f"{d} {s}-{e}" for d, s, e in zip(data["doc_id"], data["start"], data["end"])]
                pieces = []
                for item, reference in list(zip(data.itertuples(index=False), references))[:max_excerpts]:  # None: all
                    memo = getattr(item, "memo", None)
                    content = memo if isinstance(memo, str) and memo.strip() else texts[item.doc_id][item.start : item.end]
                    if scrubber is not None:
                        content = scrubber.scrub(content)
                    content = shorten(content, excerpt_chars) if excerpt_chars else " ".join(content.split())
                    pieces.append(f"{content} [{reference}]")
                if max_excerpts is not None and len(data) > max_excerpts:
                    pieces.append(f"(+{len(data) - max_excerpts})")
                row.update(
                    n_segments=len(data),
                    n_documents=data["doc_id"].nunique(),
                    summary="\n".join(pieces),
                    references="; ".join(references),
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _themes_at_depth(codes: pd.DataFrame, depth: int) -> list[Any]:
    """Codes at ``depth`` plus shallower codes without children (they are their own theme)."""
    paths = code_ancestors(codes)
    return [c for c in codes["code_id"] if len(paths[c]) == depth or (len(paths[c]) < depth and not _has_children(codes, c))]


def _has_children(codes: pd.DataFrame, code_id: Any) -> bool:
    return bool((codes["parent_id"] == code_id).any())


def _map_to_listed_themes(segments: pd.DataFrame, codes: pd.DataFrame, themes: Sequence[Any]) -> pd.DataFrame:
    """Map each segment's code to the nearest listed theme among itself and its ancestors."""
    paths = code_ancestors(codes)
    listed = set(themes)
    mapped = []
    for code_id in segments["code_id"]:
        ancestors = [c for c in paths.get(code_id, [code_id]) if c in listed]
        mapped.append(ancestors[-1] if ancestors else None)
    result = segments.copy()
    result["original_code_id"] = result["code_id"]
    result["code_id"] = mapped
    return result[result["code_id"].notna()]


def write_framework_xlsx(matrix: pd.DataFrame, path: str | Path, *, title: str = "Framework matrix",
                         notes: Sequence[str] = (), label: str = "") -> Path:
    """Write a :func:`framework_matrix` result to Excel in the Framework layout.

    Every sheet starts as the annexes' do (``workbook.write_heading``): its title in A1,
    ``label`` (the synthetic banner; empty for real data) in A2, the header on row 3.
    Sheet "Matrix": one row per case, one column per theme, cells = summaries (full text,
    wrapped, frozen header and case column). Sheet "References": the same grid with the
    references. Then one sheet per theme (the Framework method's thematic chart): case,
    number of segments, summary, references. ``notes`` and the label again are written
    below the grid of every sheet, after a blank row.
    """
    from openpyxl.styles import Alignment

    from workbench.io import workbook

    require_columns(matrix, _COLUMNS, what="the framework matrix")
    path = Path(path)
    themes = list(dict.fromkeys(zip(matrix["theme_id"], matrix["theme_name"])))
    cases = list(dict.fromkeys(zip(matrix["case_id"], matrix["case_label"])))
    cells = {(r.case_id, r.theme_id): r for r in matrix.itertuples(index=False)}
    book = workbook.new_workbook()
    wrap = Alignment(wrap_text=True, vertical="top")

    def grid(sheet: Any, field: str, heading: str) -> None:
        row = workbook.write_heading(sheet, heading, label)
        workbook.write_row(sheet, row, ["Case"] + [str(name if isinstance(name, str) else theme_id)
                                                   for theme_id, name in themes], bold=True)
        for offset, (case_id, case_label) in enumerate(cases, start=1):
            workbook.write_row(sheet, row + offset,
                               [str(case_label)] + [getattr(cells[(case_id, t)], field) for t, _ in themes])
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = wrap
        sheet.column_dimensions["A"].width = 18
        for column in range(2, len(themes) + 2):
            sheet.column_dimensions[sheet.cell(row=3, column=column).column_letter].width = 50
        sheet.freeze_panes = "B4"

    def add_notes(sheet: Any) -> None:
        row = sheet.max_row + 2
        for line in [*notes, *([label] if label else [])]:
            workbook.write_row(sheet, row, [line])
            row += 1

    grid(book.create_sheet("Matrix"), "summary", title)
    grid(book.create_sheet("References"), "references", f"{title}: References")
    used_titles = {"Matrix", "References"}
    for theme_id, name in themes:
        sheet_title = workbook.sheet_title(str(name if isinstance(name, str) else theme_id), used_titles, "Theme")
        sheet = book.create_sheet(sheet_title)
        row = workbook.write_heading(sheet, f"{title}: {name if isinstance(name, str) else theme_id}", label)
        workbook.write_row(sheet, row, ["Case", "Segments", "Summary", "References"], bold=True)
        for offset, (case_id, case_label) in enumerate(cases, start=1):
            record = cells[(case_id, theme_id)]
            workbook.write_row(sheet, row + offset,
                               [str(case_label), int(record.n_segments), record.summary, record.references])
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = wrap
        for letter, width in zip("ABCD", (18, 10, 80, 40)):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "B4"
    for sheet in book.worksheets:
        add_notes(sheet)
    return workbook.save(book, path)
