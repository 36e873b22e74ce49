"""Build failures (issue 13, points 13 and 14): the message quotes the failing cell, and
``--keep-going`` publishes the reports that succeeded while the index marks the failed ones.

Oracles: hand-made notebooks whose failing cell is known (its number counted in the source
notebook and its first line), the files on disk before and after (sha256), and the index
parsed with lxml.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench.reporting.build import BuildFailed, build_reports
from workbench.study import Study

pytestmark = pytest.mark.slow


def _notebook(path: Path, *cells: str) -> None:
    """A notebook: the parameters cell, then code cells (markdown for sources starting with '#md ')."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell("study = None\nregion = None\nlanguage = 'en'\nmin_cell = 10\noutput_dir = None\nedition = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [new_markdown_cell(c[4:]) if c.startswith("#md ") else new_code_cell(c) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, path)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("cells, number, first_line, failing_line", [
    (("x = 1", "\n\ny = [1]\ny[3]  # planted"), 3, "y = [1]", ", line 4 ('y[3]  # planted')"),
    (("#md A note", "a = 2", "#md Another", "raise ValueError('planted')", "print('never')"), 5,
     "raise ValueError('planted')", ": ValueError"),
    (("raise KeyError('planted')",), 2, "raise KeyError('planted')", ": KeyError"),
    (("def f():\n    return {}['k']", "a = 1\nb = f()  # fails inside f"), 3, "a = 1", ", line 2 ('b = f()  # fails inside f')"),
])
def test_failure_message_quotes_the_failing_cell(tmp_path: Path, mini_study: Path, cells: tuple[str, ...],
                                                 number: int, first_line: str, failing_line: str) -> None:
    # oracle: the failing cell's number in the source notebook (parameters cell = 1), its first
    # line and, when another one raised, that line (the cell's own line, not the function's)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "fails.ipynb", *cells)
    with pytest.raises(BuildFailed) as err:
        build_reports(Study.load(mini_study), tmp_path / "reports", notebook_dir=notebooks, progress=lambda _: None)
    assert f"cell {number} ({first_line!r}){failing_line}" in str(err.value)
    assert not (tmp_path / "reports").exists()


def test_keep_going_publishes_the_good_report_and_marks_the_failed_one(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "a_good.ipynb", "print('a')")
    _notebook(notebooks / "b_bad.ipynb", "print('b')")
    _notebook(notebooks / "c_other.ipynb", "print('c')")
    reports = tmp_path / "reports"
    study = Study.load(mini_study)
    build_reports(study, reports, notebook_dir=notebooks, progress=lambda _: None)
    before = _digests(reports)

    # b now fails, after writing an annex-like file into the output folder
    _notebook(notebooks / "b_bad.ipynb", "from pathlib import Path\nPath(output_dir, edition + '_tables.xlsx')"
                                         ".write_text('partial')", "raise RuntimeError('planted <b>failure</b>')")
    _notebook(notebooks / "a_good.ipynb", "print('a, second version')")

    # default: all or nothing, the previous reports stay byte-identical
    with pytest.raises(BuildFailed):
        build_reports(study, reports, only=["a", "b"], notebook_dir=notebooks, progress=lambda _: None)
    assert _digests(reports) == before

    manifest = build_reports(study, reports, only=["a", "b"], notebook_dir=notebooks, progress=lambda _: None,
                             keep_going=True)
    assert sorted(run["name"] for run in manifest["notebooks"]) == ["a_good", "c_other"]
    assert [(f["name"], "cell 3" in f["error"]) for f in manifest["failed"]] == [("b_bad", True)]
    files = set(p.name for p in reports.iterdir())
    assert "a_good.html" in files and "c_other.html" in files
    assert not [name for name in files if name.startswith("b_bad")]  # nothing of the failed report
    assert "second version" in (reports / "a_good.html").read_text(encoding="utf-8")
    assert (reports / "c_other.html").read_bytes() == _file(before, "c_other.html", reports)
    assert json.loads((reports / "manifest.json").read_text())["failed"][0]["name"] == "b_bad"

    index = lxml.html.parse(str(reports / "index.html")).getroot()
    failed_rows = index.xpath("//tr[@class='failed']")
    assert len(failed_rows) == 1
    row_text = failed_rows[0].text_content()
    assert "b_bad" in row_text and "failed" in row_text and "planted <b>failure</b>" in row_text  # escaped, shown
    assert not failed_rows[0].xpath(".//a") and not index.xpath("//b")
    assert index.xpath("//a[@href='a_good.html']") and index.xpath("//a[@href='c_other.html']")
    assert "stale" not in lxml.html.tostring(index, encoding="unicode").lower()

    # a later build of another report keeps b marked failed until b is built again
    later = build_reports(study, reports, only=["c"], overrides={"min_cell": 4}, notebook_dir=notebooks,
                          progress=lambda _: None)
    assert [f["name"] for f in later["failed"]] == ["b_bad"]
    _notebook(notebooks / "b_bad.ipynb", "print('b fixed')")
    fixed = build_reports(study, reports, only=["b"], notebook_dir=notebooks, progress=lambda _: None)
    assert fixed["failed"] == [] and (reports / "b_bad.html").exists()


def _file(digests: dict[str, str], name: str, folder: Path) -> bytes:
    data = (folder / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digests[name]
    return data


def test_keep_going_on_the_command_line(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "a.ipynb", "print('a')")
    _notebook(notebooks / "b.ipynb", "x = 1", "1 / 0")
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "workbench.cli", "build", "--study", str(mini_study), "--notebooks",
               str(notebooks), "--reports", str(reports), "--only", "a", "b"]
    plain = subprocess.run(command, capture_output=True, text=True)
    assert plain.returncode == 1 and not reports.exists()
    going = subprocess.run(command + ["--keep-going"], capture_output=True, text=True)
    assert going.returncode == 1, going.stderr
    assert "FAILED b: notebook b.ipynb failed in cell 3 ('1 / 0'): ZeroDivisionError" in going.stderr
    assert "Traceback (most recent call last)" not in going.stderr + going.stdout
    assert (reports / "a.html").exists() and not (reports / "b.html").exists()
    # when every report fails there is nothing to publish: an error, as without --keep-going
    only_b = subprocess.run(command[:-2] + ["b", "--keep-going"], capture_output=True, text=True)
    assert only_b.returncode == 1 and "ZeroDivisionError" in only_b.stderr
    assert (reports / "a.html").exists()
