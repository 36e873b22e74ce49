"""Script and formula injection, unit level: the Markdown helper, message filling, the chart
text filter and the workbook writer, each with hostile strings.

Oracles: the HTML is parsed with lxml and searched for elements and attributes that could run
(any <script>, <img>, <a>, <iframe>, on* attribute, javascript: address); the escaped text
must read back exactly as the input (a property that must hold); workbooks are re-opened
with openpyxl, whose ``data_type`` says whether a cell is a formula ('f') or text ('s').
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import lxml.html
import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from workbench.reporting.messages import Message, escape_markdown, text
from workbench.reporting.notebook import markdown
from workbench.reporting.render import OfflineHtmlRenderer, chart_text, offline_plotlyjs, safe_figure
from workbench.reporting.tables import ReportTables
from workbench.io.workbook import FORMULA_START, append_row, new_workbook, save, set_value

#: hostile strings: markup, Markdown links and images, script-closing, entities, emphasis
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![x](https://tracker.example/p.png)",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>click</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "**bold** _it_ `code` # not a heading",
    "line one\n# heading from data\n<iframe src=x></iframe>",
    "<https://autolink.example>",
]
#: strings a spreadsheet could read as formulas (OWASP) and ordinary text around them
FORMULAS = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)",
            "\t=1+1", "\r=1+1", "=1+1", "-", "a=b"]


def _dangerous(fragment: str) -> list[str]:
    """Elements and attributes in an HTML fragment that could run or fetch something."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    found = [el.tag for el in root.iter() if el.tag in ("script", "img", "a", "iframe", "svg", "object", "embed")]
    for el in root.iter():
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or "javascript:" in value.lower():
                found.append(f"{el.tag}@{name}")
    return found


def _visible_text(fragment: str) -> str:
    return lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()


@pytest.mark.parametrize("value", HOSTILE)
def test_filled_message_shows_value_as_text(value: str) -> None:
    # oracle: parsed HTML has nothing that can run, and the reader sees the value verbatim
    message = text("report_parameters", "en", study=value, region="R", min_cell=10, built="2026-01-01")
    html = markdown(message).body
    assert _dangerous(html) == []
    flat = " ".join(value.split())  # a value cannot break lines or open blocks
    assert flat in " ".join(_visible_text(html).split())


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_values_are_escaped_in_headings(value: str) -> None:
    html = markdown("### {name}", name=value).body
    assert _dangerous(html) == []
    assert html.count("<h3>") == 1 and "<h1>" not in html  # the value opened no block of its own
    assert " ".join(value.split()) in " ".join(_visible_text(html).split())


def test_raw_markdown_from_data_cannot_make_markup_links_or_images() -> None:
    # a plain string with data in it (not through a template) still cannot run or fetch
    body = "### " + " ".join(HOSTILE)
    html = markdown(body).body
    assert _dangerous(html) == []  # no <a>, no <img>: nothing points at or loads tracker.example


def test_escape_markdown_round_trips_every_ascii_character() -> None:
    # property: escaped text renders back to exactly the same characters
    value = "".join(chr(c) for c in range(32, 127))
    assert _visible_text(markdown(escape_markdown(value)).body).strip() == value.strip()


def test_message_keeps_plain_text_format_specs_and_nesting() -> None:
    inner = text("all_regions", "en")
    outer = text("report_parameters", "en", study="*S*", region=inner, min_cell=10, built="x")
    assert isinstance(outer, Message) and "*S*" in outer  # plain text unchanged for tables and charts
    assert "\\*S\\*" in outer.markdown
    assert pickle.loads(pickle.dumps(outer)).markdown == outer.markdown
    # a format spec is applied before escaping
    assert markdown("{x:.2f}%", x=3.14159).body.strip() == "<p>3.14%</p>"


def test_catalogue_markdown_still_renders() -> None:
    html = markdown("## Heading\n\n**strong** and *emphasis*\n\n- item").body
    assert "<h2>" in html and "<strong>strong</strong>" in html and "<li>item</li>" in html


@pytest.mark.parametrize("value", HOSTILE)
def test_chart_text_leaves_no_live_tag(value: str) -> None:
    # oracle: after the filter, the only tags left are attribute-less formatting tags
    safe = chart_text(value)
    assert not re.search(r"<(?!/?(br|b|i|em|sup|sub|extra)\s*/?>)", safe, re.IGNORECASE)
    assert "</script" not in safe.lower()


def test_chart_text_keeps_intended_formatting() -> None:
    assert chart_text("<b>Title</b><br>x %{y}<extra></extra>") == "<b>Title</b><br>x %{y}<extra></extra>"
    assert chart_text("A & B") == "A & B" and chart_text("&amp;") == "&amp;amp;"


def test_rendered_chart_has_no_script_from_data() -> None:
    bad = "</script><script>alert(1)</script>"
    fig = go.Figure(go.Bar(x=[bad, "<img src=x onerror=alert(1)>"], y=[1, 2], name=bad,
                           hovertext=["<a href='javascript:alert(1)'>h</a>", "ok"]))
    fig.update_layout(title=bad, xaxis_title="<img src=x onerror=alert(2)>")
    fig.add_annotation(text="<span style='x' onmouseover=alert(3)>a</span>", x=0, y=0)
    html = OfflineHtmlRenderer().to_mimebundle(fig.to_dict())["text/html"]
    root = lxml.html.fromstring(f"<div>{html}</div>")
    scripts = [s.text or "" for s in root.iter("script")]
    calls = [s for s in scripts if "Plotly.newPlot" in s]
    assert len(calls) == 1 and all(s == offline_plotlyjs() for s in scripts if s not in calls)
    assert not [a for el in root.iter() for a in el.attrib if a.lower().startswith("on")]
    # the hostile name sits in the chart's JSON escaped, both for plotly and for the script tag
    assert to_json_plotly(chart_text(bad)) in calls[0] and "&lt;\\u002fscript" in calls[0]


def test_safe_figure_walks_arrays() -> None:
    fig = {"data": [{"x": np.array(["<b>a</b>", "<img src=x>"], dtype=object), "y": np.arange(2)}]}
    out = safe_figure(fig)
    assert list(out["data"][0]["x"]) == ["<b>a</b>", "&lt;img src=x>"]
    assert out["data"][0]["y"] is fig["data"][0]["y"]  # numbers untouched


@pytest.mark.parametrize("value", FORMULAS)
def test_workbook_writer_never_writes_a_formula(value: str, tmp_path: Path) -> None:
    book = new_workbook()
    sheet = book.create_sheet("T")
    append_row(sheet, [value, 1, 2.5, None])
    path = save(book, tmp_path / "t.xlsx")
    cells = next(openpyxl.load_workbook(path)["T"].iter_rows())
    assert (cells[0].value, cells[0].data_type) == (value, "s")  # text, unchanged
    assert cells[0].quotePrefix == value.startswith(FORMULA_START)
    assert [(c.value, c.data_type) for c in cells[1:3]] == [(1, "n"), (2.5, "n")]


def test_workbook_writer_types() -> None:
    sheet = new_workbook().create_sheet("T")
    values = [np.int64(3), np.float64("nan"), pd.NA, True, pd.Timestamp("2026-01-02"), "a\x01b"]
    stored = [set_value(sheet.cell(row=1, column=i + 1), v).value for i, v in enumerate(values)]
    assert stored[:4] == [3, None, None, True]
    assert stored[4].year == 2026 and stored[5] == "a\ufffdb"


def test_report_annex_writes_hostile_labels_as_text(tmp_path: Path) -> None:
    tables = ReportTables(min_cell=1)
    frame = pd.DataFrame({"group": FORMULAS, "estimate": np.linspace(0, 1, len(FORMULAS)), "n": 5})
    tables.show(frame, "=HYPERLINK(\"http://x\",\"title\")", keep=["group"], labels={"group": "@label"})
    path = tables.write_xlsx(tmp_path / "annex.xlsx", synthetic=True)
    book = openpyxl.load_workbook(path)
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    sheet = book.worksheets[1]  # the first table after the contents
    assert sheet["A1"].value == "=HYPERLINK(\"http://x\",\"title\")"
    assert [sheet.cell(row=r, column=1).value for r in range(4, 4 + len(FORMULAS))] == FORMULAS
    assert sheet["B4"].data_type == "n"


def test_framework_workbook_writes_hostile_names_as_text(tmp_path: Path) -> None:
    from workbench.qualitative.framework import write_framework_xlsx

    matrix = pd.DataFrame({
        "case_id": ["c1", "c2"], "case_label": ["=cmd()", "+1"], "theme_id": ["t1", "t1"],
        "theme_name": ["@SUM(A1)", "@SUM(A1)"], "n_segments": [1, 0], "n_documents": [1, 0],
        "summary": ["-1+1 [d1 0-4]", ""], "references": ["=d1 0-4", ""],
    })
    path = write_framework_xlsx(matrix, tmp_path / "framework.xlsx", title="=title")
    book = openpyxl.load_workbook(path)
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert book["Matrix"]["A4"].value == "=cmd()" and book["Matrix"]["B3"].value == "@SUM(A1)"  # header on row 3
    assert book["Matrix"]["A1"].value == "=title"


def test_list_items_built_from_messages_keep_values_escaped() -> None:
    # "- " + t(...) stays a message, and markdown([...]) joins the lines with their escaped values
    hostile = "**1337** [x](javascript:alert(1)) <b>"
    item = "- " + text("report_parameters", "en", study=hostile, region="R", min_cell=1, built="b")
    assert isinstance(item, Message) and str(item).startswith("- Study: **1337**")
    html = markdown([item, item + " (end)"]).body
    assert html.count("<li>") == 2 and "<strong>" not in html and _dangerous(html) == []
    assert _visible_text(html).count(hostile) == 2
