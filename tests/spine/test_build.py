"""The build: reports replaced only on success, failures named by notebook and cell, caching."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from workbench.reporting.build import BuildFailed, build_reports
from workbench.study import Study

pytestmark = pytest.mark.slow


def _notebook(path: Path, *sources: str) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell("study = None\nregion = None\nlanguage = 'en'\nmin_cell = 10\noutput_dir = None\nedition = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [new_code_cell(s) for s in sources]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, path)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_failure_keeps_reports_cache_skips_unchanged(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "a_ok.ipynb", "print(6 * 7)")
    reports = tmp_path / "reports"
    study = Study.load(mini_study)

    first = build_reports(study, reports, notebook_dir=notebooks, progress=lambda _: None)
    assert [n["reused"] for n in first["notebooks"]] == [False]
    assert {"a_ok.html", "index.html", "manifest.json"} <= set(p.name for p in reports.iterdir())

    # a no-change rebuild runs no notebook
    second = build_reports(study, reports, notebook_dir=notebooks, progress=lambda _: None)
    assert [n["reused"] for n in second["notebooks"]] == [True]

    # a changed parameter re-runs it
    third = build_reports(study, reports, notebook_dir=notebooks, overrides={"min_cell": 5}, progress=lambda _: None)
    assert [n["reused"] for n in third["notebooks"]] == [False]

    before = _digests(reports)
    _notebook(notebooks / "b_fails.ipynb", "x = 1", "raise ValueError('planted failure')")
    with pytest.raises(BuildFailed) as err:
        build_reports(study, reports, notebook_dir=notebooks, overrides={"min_cell": 5}, progress=lambda _: None)
    message = str(err.value)
    assert "b_fails.ipynb" in message and "cell 3" in message and "planted failure" in message
    assert _digests(reports) == before  # the previous reports are untouched
    assert not list(tmp_path.glob(".reports-*"))  # no staging folder left behind


def test_cli_failure_exit_code_and_no_traceback(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "fails.ipynb", "1 / 0")
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "build", "--study", str(mini_study),
                             "--notebooks", str(notebooks), "--reports", str(tmp_path / "r")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "fails.ipynb" in result.stderr and "ZeroDivisionError" in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr + result.stdout
    assert not (tmp_path / "r").exists()


def test_manifest_records_inputs_parameters_versions(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "a.ipynb", "print('hello')")
    reports = tmp_path / "reports"
    build_reports(Study.load(mini_study), reports, notebook_dir=notebooks, overrides={"language": "ru"},
                  progress=lambda _: None)
    manifest = json.loads((reports / "manifest.json").read_text())
    data = mini_study / "data" / "mini_survey.csv"
    assert manifest["inputs"]["data/mini_survey.csv"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert manifest["parameters"]["language"] == "ru"
    assert manifest["packages"]["pandas"].startswith("2.")
    assert manifest["notebooks"][0]["seconds"] > 0
    assert "commit" in manifest["git"]


def test_only_rebuilds_the_named_notebook_and_keeps_the_others(tmp_path: Path, mini_study: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "a.ipynb", "print('a')")
    _notebook(notebooks / "b.ipynb", "print('b')")
    reports = tmp_path / "reports"
    study = Study.load(mini_study)
    build_reports(study, reports, notebook_dir=notebooks, progress=lambda _: None)
    b_before = (reports / "b.html").read_bytes()
    manifest = build_reports(study, reports, only=["a"], overrides={"min_cell": 3}, notebook_dir=notebooks,
                             progress=lambda _: None)
    runs = {n["name"]: n for n in manifest["notebooks"]}
    assert runs["a"]["reused"] is False and runs["a"]["parameters"]["min_cell"] == 3
    assert runs["b"]["reused"] is True and (reports / "b.html").read_bytes() == b_before
    assert 'href="b.html"' in (reports / "index.html").read_text()
