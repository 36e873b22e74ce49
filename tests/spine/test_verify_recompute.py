"""A validator's check (issue 17): a moved study re-runs to the same figures, changed data is caught.

One full build of the demo study and one full ``verify --recompute`` (every report), then
one changed survey answer: the quick check exits 2, and a recompute of the survey report
with the input check bypassed lists the figures that moved.

Oracles: the recorded figures of the first build (a rebuild must reproduce them to 1e-9);
sha256 of the files (hashlib, independent of the package); the Excel annexes read back
with openpyxl (the recorded figures must be the annex's cells); a hand-made change (one
answer) that must move figures and must be reported as a changed input.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from workbench.cli import main
from workbench.io.workbook import SIGNIFICANT
from workbench.reporting.build import build_reports, find_notebooks
from workbench.reporting.figures import compare_figures, read_figures, same_figure
from workbench.reporting.manifest import LOCK_FILE, PROJECT_ROOT, resolve_portable
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo study and its reports, built in one folder and then moved to another."""
    first = tmp_path_factory.mktemp("built_here")
    study_dir = write_demo_study(first / "study")
    build_reports(Study.load(study_dir), first / "study" / "reports", progress=lambda _: None)
    second = tmp_path_factory.mktemp("moved_there") / "elsewhere"
    shutil.move(str(first), str(second))
    return {"old": first, "root": second, "study": second / "study", "reports": second / "study" / "reports"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_is_portable(moved: dict[str, Path]) -> None:
    text = (moved["reports"] / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    # no absolute path of the build folder, the new folder or the package checkout
    for folder in (moved["old"], moved["root"], PROJECT_ROOT):
        assert str(folder) not in text
    assert manifest["study"] == ".."
    assert "data/survey.csv" in manifest["inputs"] and "study.yaml" in manifest["inputs"]
    package = [name for name in manifest["inputs"] if name.startswith("package:")]
    assert "package:data_schemas/survey.yaml" in package
    for name, digest in manifest["inputs"].items():  # every recorded path finds its file again
        assert _sha256(resolve_portable(name, moved["study"])) == digest
    env = manifest["environment"]
    assert env["python"].count(".") == 2 and env["platform"] and env["lock_sha256"] == _sha256(LOCK_FILE)
    assert isinstance(manifest["git"]["dirty"], bool) and re.fullmatch(r"[0-9a-f]{40}", manifest["git"]["commit"])
    assert manifest["packages"]["pandas"].startswith("2.")
    # every report lists its figures file with the file's hash
    assert [run["name"] for run in manifest["notebooks"]] == [p.stem for p in find_notebooks()]
    for run in manifest["notebooks"]:
        entry = run["figures"]
        assert entry["file"] == f"{run['name']}.figures.json" and entry["file"] in run["outputs"]
        assert _sha256(moved["reports"] / entry["file"]) == entry["sha256"]


def _cell_rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_annexes_hold_the_recorded_figures(moved: dict[str, Path]) -> None:
    """A sample of table figures of every annex: the annex has the same value in the same row
    (by its label) and column (by its heading); suppressed cells are the marker in both.
    The annex stores numbers with ``SIGNIFICANT`` (12) significant digits (no float tails such
    as 429240.0000000001), so it equals the unrounded figure to half a unit in the 12th digit."""
    checked = 0
    for annex in sorted(moved["reports"].glob("*_tables.xlsx")):
        report = annex.name[: -len("_tables.xlsx")]
        data = json.loads((moved["reports"] / f"{report}.figures.json").read_text(encoding="utf-8"))
        cells = [f for f in data["figures"] if "sheet" in f]
        assert cells, report
        book = openpyxl.load_workbook(annex, read_only=True)
        step = max(1, len(cells) // 25)
        for figure in cells[::step]:
            rows = _cell_rows(book[figure["sheet"]])
            header = next(i for i, row in enumerate(rows) if figure["label"] in row)
            column = rows[header].index(figure["label"])
            body = rows[header + 1:]
            if re.fullmatch(r"row \d+", figure["row"]):  # a table without label columns: by position
                candidates = [body[int(figure["row"][4:]) - 1]]
            else:
                first_label = figure["row"].split(" #")[0].split("/")[0]
                candidates = [r for r in body if first_label in [str(v) for v in r if v is not None]]
            assert candidates, (report, figure["id"])
            assert any(same_figure(figure["value"], r[column], rel_tol=5 * 10.0 ** -SIGNIFICANT) for r in candidates), \
                (report, figure["id"], figure["value"], [r[column] for r in candidates])
            checked += 1
    assert checked >= 100


def test_moved_study_recomputes_to_zero_differences(moved: dict[str, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--recompute", "--reports", str(moved["reports"])])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert re.search(r"0 differences: all (\d+) recorded figures", out)
    assert int(re.search(r"all (\d+) recorded", out).group(1)) > 1000
    assert float(re.search(r"in ([\d.]+) s", out).group(1)) > 0
    print(f"verify --recompute on the demo study: {out.strip()}")


def _change_one_answer(study: Path) -> None:
    """Respondent 1's first attitude item 4 -> 1 (a valid answer; the file's comment line kept)."""
    path = study / "data" / "survey.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[1].rstrip("\n").split(",")
    row = lines[2].rstrip("\n").split(",")
    column = header.index("att_fp_1")
    assert row[0] == "1" and row[column] != "1"
    row[column] = "1"
    lines[2] = ",".join(row) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_changed_answer_exit_2_and_ignore_inputs_lists_moved_figures(
        moved: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _change_one_answer(moved["study"])
    reports = str(moved["reports"])

    assert main(["verify", "--reports", reports]) == 2
    out, err = capsys.readouterr()
    assert "changed: data/survey.csv" in out
    assert main(["verify", "--recompute", "--reports", reports]) == 2
    capsys.readouterr()

    code = main(["verify", "--recompute", "--ignore-inputs", "--only", "01_public_attitudes",
                 "--reports", reports])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    listed = [line for line in out.splitlines() if line.startswith("01_public_attitudes ")]
    assert len(listed) >= 3
    assert re.search(r"(\d+) of (\d+) recorded figures differ", err)
    header = next(line for line in out.splitlines() if "identifier" in line)
    assert header.split() == ["report", "identifier", "recorded", "recomputed"]
    print(f"one changed answer moved {len(listed)} figures of 01_public_attitudes, e.g.\n"
          + "\n".join([header, *listed[:5]]))


def test_compare_figures_tolerance() -> None:
    """Hand-made cases: relative 1e-9 for numbers, equality for text, absent on either side."""
    recorded = {"a": 1.0, "b": 100.0, "c": "12%", "d": 5, "gone": 1}
    again = {"a": 1.0 + 5e-10, "b": 100.0 + 1e-6, "c": "12%", "d": 5, "new": 2}
    table = compare_figures(recorded, again)
    assert list(table["identifier"]) == ["b", "gone", "new"]
    assert table.set_index("identifier").loc["gone", "recomputed"] is None
    assert not same_figure(0.0, 1e-300) and same_figure(0.0, 0.0) and not same_figure("1", 1)


def test_edited_figures_file_is_refused(moved: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    """A figures file that no longer matches its manifest hash is an input problem (exit 2)."""
    reports = tmp_path / "reports"
    shutil.copytree(moved["reports"], reports)
    target = reports / "07_programme_monitoring.figures.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    first = next(f for f in data["figures"] if isinstance(f["value"], (int, float)))
    first["value"] += 1
    target.write_text(json.dumps(data), encoding="utf-8")
    code = main(["verify", "--recompute", "--ignore-inputs", "--reports", str(reports), "--study",
                 str(moved["study"]), "--only", "07"])
    out, err = capsys.readouterr()
    assert code == 2 and "differs from the one the manifest lists" in err
    assert read_figures(moved["reports"] / "07_programme_monitoring.figures.json")


def test_recorder_hand_made_report(tmp_path: Path) -> None:
    """Hand-made case: sections from headings (by message key), a suppressed row recorded as
    the marker, row labels from the label columns, column names before relabelling,
    repeated titles numbered, sentence figures with a digit recorded, others not."""
    import pandas as pd

    from workbench.reporting.figures import FigureRecorder, activate
    from workbench.reporting.messages import text
    from workbench.reporting.notebook import markdown
    from workbench.reporting.tables import MARKER, ReportTables

    path = tmp_path / "r.figures.json"
    recorder = FigureRecorder(report="r", path=path)
    activate(recorder)
    try:
        heading = text("fe_summary", "en")
        recorder.message("fe_summary", heading, {})  # what Report.t tells the recorder
        markdown(f"## {heading}")
        recorder.message("fe_uncertainty_intro", "...", {"draws": "10 000", "seed": 7, "name": "no digit"})
        tables = ReportTables(min_cell=10, figures=recorder)
        table = pd.DataFrame({"group": ["a", "b", "a"], "n": [50, 3, 20], "share": [0.25, 0.5, 1 / 3]})
        tables.show(table, "Shares", keep=["group"], labels={"share": "Share (%)"})
        tables.show(table.iloc[:1], "Shares", n=None)
    finally:
        activate(None)
    figures = {f["id"]: f for f in json.loads(path.read_text(encoding="utf-8"))["figures"]}
    assert figures["fe_summary | sentence fe_uncertainty_intro | 1 | draws"]["value"] == "10 000"
    assert figures["fe_summary | sentence fe_uncertainty_intro | 1 | seed"]["value"] == 7
    assert not any(key.endswith("| name") for key in figures)
    assert figures["fe_summary | Shares | a #1 | share"] == {
        "id": "fe_summary | Shares | a #1 | share", "section": "fe_summary", "table": "Shares", "row": "a #1",
        "column": "share", "value": 0.25, "sheet": "T1 Shares", "label": "Share (%)"}
    assert figures["fe_summary | Shares | a #2 | share"]["value"] == 1 / 3
    assert figures["fe_summary | Shares | b | share"]["value"] == MARKER
    assert figures["fe_summary | Shares | b | n"]["value"] == MARKER  # the count is hidden too
    assert figures["fe_summary | Shares #2 | row 1 | n"]["value"] == 50
    assert figures["fe_summary | Shares #2 | row 1 | share"]["sheet"] == "T2 Shares"
