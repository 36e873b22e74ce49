"""Table cells are aligned by what their column holds (issue 14.8), in every report: text
left (class ``wb-text``, styled by the report template), numbers right; a cell holding several
quotes or statuses shows one per line.

Oracle: hand-made tables whose columns are text or numbers by construction, read back from
the rendered HTML with lxml."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pandas as pd
from lxml import html as lxml_html

from workbench.reporting.tables import ReportTables, text_columns
from workbench.reports.sections import Quote, Section, Table, Text

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "src" / "workbench" / "reporting" / "templates" / "workbench_offline" / "index.html.j2"


def _cells(table_html: str) -> tuple[list[str | None], list[list[str | None]]]:
    tree = lxml_html.fromstring(table_html)
    head = [th.get("class") for th in tree.xpath("//thead/tr/th")]
    body = [[td.get("class") for td in tr.xpath("td")] for tr in tree.xpath("//tbody/tr")]
    return head, body


def test_text_columns_left_numbers_right_whatever_their_position() -> None:
    frame = pd.DataFrame({"year": [2023, 2024, 2025], "region": ["Batken", "Chuy", "Naryn"],
                          "respondents": [40, 3, 57], "share": [0.4, 0.03, 0.57],
                          "ki": ["12 of 40 (30%)", "x", "9 of 40 (22%)"]})
    shown = ReportTables(min_cell=10).show(frame, "T", n="respondents", keep=("year", "region"),
                                           percent=("share",))
    head, body = _cells(shown._repr_html_())
    expected = [None, "wb-text", None, None, None]  # the year (a number) is right-aligned though first
    assert head == expected and all(row == expected for row in body)
    assert "th.wb-text" in TEMPLATE.read_text(encoding="utf-8")  # the class is styled left


def test_a_count_table_aligns_its_labels_by_content() -> None:
    counts = pd.DataFrame({"group": ["A", "B"], "women": [12, None], "men": [30, 14]})
    head, body = _cells(ReportTables(min_cell=10).show_counts(counts, "T", keep=("group",))._repr_html_())
    assert head == ["wb-text", None, None] and body == [["wb-text", None, None]] * 2


def test_column_kind_by_majority_of_cells() -> None:
    frame = pd.DataFrame({"mixed": ["fewer than 10", "12 of 40", "x"], "words": ["low", "high", "7 days"],
                          "p": ["< 0.001", "0.2", ""], "blank": [None, None, None]})
    assert text_columns(frame) == frozenset({"words"})


def test_quotes_and_statuses_in_a_cell_one_per_line(tmp_path: Path) -> None:
    import IPython.display

    from workbench.reporting import start_report

    frame = pd.DataFrame({"theme": ["work"], "quotes": [[Quote("No job <for us>.", "P1"), Quote("Nobody hires.", "P2")]],
                          "status": [[Text("br_status_convergent"), Text("br_status_divergent")]]})
    section = Section("s", "overview_sample", [Table("t", "overview_sample", frame, count=None, labels=tuple(frame),
                                                     headings={"theme": "Theme", "quotes": "Quotes",
                                                               "status": "Status"})])
    shown: list = []
    with mock.patch.object(IPython.display, "display", lambda *parts: shown.extend(parts)):
        report = start_report(ROOT / "tests" / "fixtures" / "byo_apistrat", min_cell=10, output_dir=tmp_path,
                              edition="t")
        report.show(section)
    table = next(p for p in shown if type(p).__name__ == "HtmlTable")
    row = lxml_html.fromstring(table._repr_html_()).xpath("//tbody/tr/td")
    quotes, status = row[1], row[2]
    assert len(quotes.xpath("br")) == 1 and len(status.xpath("br")) == 1
    assert "No job <for us>." in quotes.text_content()  # escaped in the HTML, read back as text
    assert [c.get("class") for c in row] == ["wb-text"] * 3
