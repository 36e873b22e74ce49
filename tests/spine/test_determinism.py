"""Two builds of the same study with the same parameters give the same files (issue 17).

The reports built twice are two that draw random numbers, show charts and write annexes:
the interviews report (bootstrap replicates, network layout) and the electronic monitoring
report (Monte Carlo draws). Figures files and Excel annexes must be byte-identical, HTML
identical once the build date (the header's "built" day) is blanked.

Oracles: byte equality of two independent builds (the property itself); uuid4-shaped chart
ids must be absent (plotly's default is a random uuid4 per chart); a workbook written twice
with different times by openpyxl is byte-identical after ``normalise_xlsx`` and differs
before it (so the check can fail).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from workbench.reporting.build import build_reports
from workbench.reporting.reproducible import normalise_xlsx
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

pytestmark = pytest.mark.slow
REPORTS = ["02_interviews_and_focus_groups", "05_feasibility_electronic_monitoring"]
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("determinism")
    study = Study.load(write_demo_study(root / "study"))
    days = [date.today().isoformat()]  # the day the builds start and end (they may span midnight)
    for name in ("first", "second"):
        build_reports(study, root / name, only=REPORTS, progress=lambda _: None)
    days.append(date.today().isoformat())
    return root / "first", root / "second", days


def test_figures_and_annexes_are_byte_identical(two_builds: tuple[Path, Path, list[str]]) -> None:
    first, second, _ = two_builds
    files = sorted(p.name for p in first.iterdir() if p.suffix in (".json", ".xlsx") and p.name != "manifest.json")
    assert {f"{r}.figures.json" for r in REPORTS} | {f"{r}_tables.xlsx" for r in REPORTS} <= set(files)
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # the comparison is not vacuous: Monte Carlo and bootstrap results are among the figures
    mc = (first / "05_feasibility_electronic_monitoring.figures.json").read_text(encoding="utf-8")
    assert '"table": "simulation-1"' in mc and mc.count('"value"') > 100  # report 05's simulation table


def test_html_identical_apart_from_the_build_date(two_builds: tuple[Path, Path, list[str]]) -> None:
    first, second, days = two_builds
    for report in REPORTS:
        pages = []
        for folder in (first, second):
            page = (folder / f"{report}.html").read_text(encoding="utf-8")
            for day in days:
                page = page.replace(day, "BUILD-DATE")
            pages.append(page)
        assert pages[0] == pages[1], report
        assert 'id="wb-chart-1"' in pages[0] and not UUID4.search(pages[0]), report


def test_normalise_xlsx_removes_write_times(tmp_path: Path) -> None:
    paths = []
    for i, moment in enumerate([datetime(2020, 1, 2, 3, 4, 5), datetime(2024, 6, 7, 8, 9, 10)]):
        book = openpyxl.Workbook()
        book.active["A1"] = "same content"
        book.properties.created = moment
        path = tmp_path / f"book{i}.xlsx"
        book.save(path)
        with zipfile.ZipFile(path, "a") as archive:  # a zip entry with its own date, as writers make them
            archive.writestr(zipfile.ZipInfo("extra.txt", date_time=(2000 + 10 * i, 1, 1, 0, 0, 0)), "x")
        paths.append(path)
    assert paths[0].read_bytes() != paths[1].read_bytes()
    for path in paths:
        normalise_xlsx(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert openpyxl.load_workbook(paths[0]).active["A1"].value == "same content"
