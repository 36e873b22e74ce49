"""scripts/compare_reports.py on two small hand-made report folders.

Oracle: the pages below are written by hand, and every expected count (lines added and
removed, the one number that changed value, the one cell only reformatted, the hygiene
findings) was counted by hand from them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_reports.py"
spec = importlib.util.spec_from_file_location("compare_reports", SCRIPT)
compare_reports = importlib.util.module_from_spec(spec)
sys.modules["compare_reports"] = compare_reports  # dataclasses look their module up there
spec.loader.exec_module(compare_reports)

NNBSP = "\u202f"
PLOT = ('<script>Plotly.newPlot( "wb-chart-1", [{"name": "Low", "marker": {"color": "#1b9e77"}, '
        '"x": {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}, "y": [1, 2], "type": "bar"}], '
        '{"title": {"text": "Risk by level"}}, {"responsive": true})</script>')

BEFORE = f"""<!DOCTYPE html><html lang="en"><head><title>Notebook</title>
<style>p {{ color: red }}</style><script>var hidden = "not text";</script></head><body><main>
<h1>Public attitudes</h1>
<h2>How the sample was weighted</h2>
<p>The weights range from 1{NNBSP}902 to 8{NNBSP}924.</p>
<p>Prices of 2{NNBSP}024 are used; p = 0.0000 here.</p>
<div class="wb-table"><p class="wb-caption"><strong>Respondents by region</strong></p>
<table><thead><tr><th>Region</th><th>Respondents</th><th>Share (%)</th></tr></thead>
<tbody><tr><td>Osh</td><td>120</td><td>12.0%</td></tr>
<tr><td>Bishkek</td><td>1,001</td><td>0.523</td></tr></tbody></table></div>
<div class="wb-table"><p class="wb-caption"><strong>Suppressed grid</strong></p>
<table><thead><tr><th>Office</th><th>Clients</th><th>Officers</th></tr></thead>
<tbody><tr><td>A</td><td>x</td><td>x</td></tr><tr><td>B</td><td>x</td><td>12</td></tr></tbody></table></div>
<h2>Models</h2>
<div class="wb-table"><p class="wb-caption"><strong>Model terms</strong></p>
<table><thead><tr><th>Term</th><th>Estimate</th><th>p</th></tr></thead>
<tbody><tr><td>Age</td><td>0.21</td><td>0.000</td></tr></tbody></table></div>
<p>Region: None</p>
{PLOT}
</main></body></html>"""

AFTER = f"""<!DOCTYPE html><html lang="en"><head><title>Public attitudes</title></head><body><main>
<h1>Public attitudes</h1>
<h2>Key findings</h2>
<p>The weights range from 1{NNBSP}902 to 8{NNBSP}924.</p>
<p>Prices of 2024 are used; p &lt; 0.001 here.</p>
<div class="wb-table"><p class="wb-caption"><strong>Respondents by region</strong></p>
<table><thead><tr><th>Region</th><th>Respondents</th><th>Share (%)</th></tr></thead>
<tbody><tr><td>Osh</td><td>125</td><td>12.0%</td></tr>
<tr><td>Bishkek</td><td>1{NNBSP}001</td><td>0.52</td></tr>
<tr><td>Naryn</td><td>40</td><td>4.0%</td></tr></tbody></table></div>
<h2>Methods</h2>
<div class="wb-table"><p class="wb-caption"><strong>Terms of the model</strong></p>
<table><thead><tr><th>Term</th><th>Estimate</th><th>p</th></tr></thead>
<tbody><tr><td>Age</td><td>0.21</td><td>&lt; 0.001</td></tr></tbody></table></div>
</main></body></html>"""


def _figures(section: str, osh: float) -> dict:
    return {"report": "01", "figures": [
        {"id": f"{section} | Respondents by region | Osh | Respondents", "section": section,
         "table": "Respondents by region", "row": "Osh", "column": "Respondents", "value": osh},
        {"id": f"{section} | Respondents by region | Bishkek | Respondents", "section": section,
         "table": "Respondents by region", "row": "Bishkek", "column": "Respondents", "value": 1001},
        {"id": f"{section} | sentence only_before | 1 | n", "section": section, "table": "sentence only_before",
         "row": "1", "column": "n", "value": 3}]}


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    before, after = tmp_path / "before" / "en", tmp_path / "after" / "en"
    for folder, page, figures in ((before, BEFORE, _figures("weights", 120)), (after, AFTER, _figures("findings", 125))):
        folder.mkdir(parents=True)
        (folder / "01_public_attitudes.html").write_text(page, encoding="utf-8")
        (folder / "01_public_attitudes.figures.json").write_text(json.dumps(figures), encoding="utf-8")
    staging = before / ".reports-tmp"  # a build's staging folder is not a report
    staging.mkdir()
    (staging / "stale.html").write_text(BEFORE, encoding="utf-8")
    return before.parent, after.parent


def test_read_report_keeps_visible_text_only(folders):
    before, _ = folders
    report = compare_reports.read_report(before / "en" / "01_public_attitudes.html")
    assert report.title == "Notebook" and report.language == "en"
    assert report.headings == ["How the sample was weighted", "Models"]
    assert "var hidden" not in " ".join(report.lines) and "color: red" not in " ".join(report.lines)
    assert "Osh" not in report.lines  # table cells are compared as tables, not as lines
    assert report.lines[:2] == ["Public attitudes", "How the sample was weighted"]
    assert list(report.tables) == ["Respondents by region", "Suppressed grid", "Model terms"]
    table = report.tables["Respondents by region"]
    assert table.columns == ["Region", "Respondents", "Share (%)"]
    assert table.cells()[("Bishkek", "Respondents")] == "1,001"
    assert [c.title for c in report.charts] == ["Risk by level"]
    assert report.charts[0].traces == ["Low: 2 points, #1b9e77"]  # 16 bytes of float64 = 2 points
    sankey = {"type": "sankey", "link": {"source": [0, 1], "target": [1, 2], "value": [5, 7]}}
    assert compare_reports._trace(sankey) == "sankey: 2 points"  # a Sankey diagram counts its flows
    assert set(report.figures) == {f["id"] for f in _figures("weights", 120)["figures"]}


@pytest.mark.parametrize("text, language, expected", [
    ("1,001", "en", [(1001.0, 0)]),
    (f"1{NNBSP}001", "en", [(1001.0, 0)]),
    (f"1{NNBSP}001,5", "ru", [(1001.5, 1)]),
    ("0,523", "ru", [(0.523, 3)]),
    ("0.52", "ru", [(0.52, 2)]),  # an older Russian edition with a decimal point
    ("\u22123.5 (0.48\u20130.56)", "en", [(-3.5, 1), (0.48, 2), (0.56, 2)]),
    ("age 18-29", "en", [(18.0, 0), (29.0, 0)]),
    ("T1 x", "en", []),
])
def test_numbers_read_both_editions(text, language, expected):
    assert compare_reports.numbers(text, language) == expected


def test_same_value_up_to_the_coarser_rounding():
    assert compare_reports.same_value("0.523", "0.52")
    assert compare_reports.same_value("1,001", f"1{NNBSP}001")
    assert not compare_reports.same_value("0.53", "0.52")
    assert compare_reports.same_value("0.0395", "0.039") and compare_reports.same_value("0.0045", "0.005")  # ties
    assert not compare_reports.same_value("0.0396", "0.039")
    assert not compare_reports.same_value("120", "125")
    assert not compare_reports.same_value("1", "1 (2)")
    assert compare_reports.same_value("0.000", "< 0.001") and compare_reports.same_value("< 0.001", "0.0004")
    assert not compare_reports.same_value("0.002", "< 0.001")


def test_table_diff_counts_value_changes_apart_from_reformatting(folders):
    before, after = folders
    a = compare_reports.read_report(before / "en" / "01_public_attitudes.html")
    b = compare_reports.read_report(after / "en" / "01_public_attitudes.html")
    diff = compare_reports.diff_table(a.tables["Respondents by region"], b.tables["Respondents by region"])
    assert diff.changed_numbers == [("Osh", "Respondents", "120", "125")]
    assert diff.reformatted == 2  # 1,001 -> 1 001 and 0.523 -> 0.52
    assert (diff.rows_added, diff.rows_removed, diff.columns_changed) == (1, 0, False)
    # a renamed table is matched by its labels; a table without counterpart is not matched
    pairs = compare_reports.match_tables(a.tables, b.tables)
    assert sorted(pairs) == [("Model terms", "Terms of the model"), ("Respondents by region", "Respondents by region")]


def test_figures_matched_by_place_when_the_section_moved():
    before = {f["id"]: f for f in _figures("weights", 120)["figures"]}
    after = {f["id"]: f for f in _figures("findings", 125)["figures"]}
    result = compare_reports.diff_figures(before, after)
    assert result["matched"] == 3
    assert result["changed"] == [("weights | Respondents by region | Osh | Respondents", 120, 125)]
    assert result["only_before"] == [] and result["only_after"] == []
    assert result["reformatted"] == 0


@pytest.mark.parametrize("old, new, same", [
    ("11.5%", 0.11526, True),  # an older build recorded the shown text, a newer one the number
    (f"1{NNBSP}001", 1001, True),
    ("84", 84, True),
    ("< 0.001", 2.2e-25, True),
    ("< 0.001", 0.002, False),
    ("3.8", 3.774, True),
    ("3.8", 3.86, False),
    ("11.5%", 0.125, False),
    ("0,52", 0.523, True),  # Russian edition
    (0.5, 0.5 + 1e-12, True),
    (0.5, 0.51, False),
])
def test_recorded_figures_shown_text_against_number(old, new, same):
    language = "ru" if old == "0,52" else "en"
    assert compare_reports._same_figure(old, new, language) is same


def test_hygiene_finds_what_a_reader_should_not_see(folders):
    before, after = folders
    found = compare_reports.hygiene(compare_reports.read_report(before / "en" / "01_public_attitudes.html"))
    assert found["None/nan"] == ["Region: None"]
    assert found["year grouped (2 024)"] == [f"Prices of 2{NNBSP}024 are used; p = 0.0000 here."]
    assert found["p or value shown as 0.000(0)"] == [f"Prices of 2{NNBSP}024 are used; p = 0.0000 here.",
                                                     "Model terms | Age | p: 0.000"]
    assert found["tables mostly x"] == ["Suppressed grid"]  # 3 of 4 value cells are x
    assert found["title 'Notebook'"] == ["Notebook"]
    clean = compare_reports.hygiene(compare_reports.read_report(after / "en" / "01_public_attitudes.html"))
    assert all(not lines for lines in clean.values())


@pytest.mark.parametrize("line, year", [
    (f"Price year: 2{NNBSP}024", True),
    (f"в ценах 2{NNBSP}024", True),
    (f"2{NNBSP}024 г.", True),
    (f"Изменения уровня между последовательными оценками | Низкий: 2{NNBSP}026", False),  # "оценками" is no price
    (f"около 1{NNBSP}962 в год", False),  # a count per year
    (f"центр в г. Бишкек: 2{NNBSP}035", False),
    ("Price year: 2024", False),  # not grouped: fine
])
def test_grouped_years_only_near_a_word_for_year(line, year):
    report = compare_reports.Report(lines=[line])
    assert bool(compare_reports.hygiene(report)["year grouped (2 024)"]) is year


def test_markdown_summary(folders):
    before, after = folders
    text = compare_reports.compare_folders(before, after)
    assert "## en/01_public_attitudes" in text and "stale" not in text
    # 9 lines before, 7 after, 3 in common (the title, the weights sentence, the caption of the region table)
    assert "- text lines: 9 → 7 (+4 added, −6 removed)" in text
    # reformatted: 1,001 -> 1 001, 0.523 -> 0.52 and the p-value 0.000 -> < 0.001
    assert ("- tables: 3 → 2 (2 matched, 2 changed, +0 added, −1 removed); cells whose numbers changed value: 1; "
            "reformatted only: 3") in text
    assert "  - `Respondents by region` | `Osh` | `Respondents`: `120` → `125`" in text
    assert ("- recorded figures: 3 → 3 (3 matched, 1 changed value, 0 recorded differently only, 0 only before, "
            "0 only after)") in text
    assert "- charts: 1 → 0" in text and "  - `Risk by level`" in text
    assert "- title: `Notebook` → `Public attitudes`" in text
    # the summary table; hygiene before: None, 2 024, two p-values of 0, a mostly-x table, the title "Notebook"
    assert ("| en/01_public_attitudes | `Notebook` → `Public attitudes` | 9 → 7 (+4 / −6) | 2 / 0 / 1 | 1 | 1 / 3 | "
            "6 → 0 |") in text


def test_main_writes_markdown_and_rejects_a_missing_folder(folders, tmp_path):
    before, after = folders
    out = tmp_path / "diff.md"
    assert compare_reports.main([str(before), str(after), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Reports before and after")
    with pytest.raises(SystemExit, match="is not a folder"):
        compare_reports.main([str(before), str(tmp_path / "missing")])


def test_two_header_rows_with_a_spanning_cell(tmp_path):
    # hand-made: "95% CI" spans two columns over "from" and "to"
    page = ('<html lang="en"><head><title>T</title></head><body><p class="wb-caption"><strong>Shares</strong></p>'
            '<table><thead><tr><th>Group</th><th colspan="2">95% CI</th></tr>'
            '<tr><th></th><th>from</th><th>to</th></tr></thead>'
            '<tbody><tr><td>Women</td><td>0.41</td><td>0.52</td></tr></tbody></table></body></html>')
    path = tmp_path / "r.html"
    path.write_text(page, encoding="utf-8")
    table = compare_reports.read_report(path).tables["Shares"]
    assert table.columns == ["Group", "95% CI / from", "95% CI / to"]
    assert table.cells() == {("Women", "95% CI / from"): "0.41", ("Women", "95% CI / to"): "0.52"}
