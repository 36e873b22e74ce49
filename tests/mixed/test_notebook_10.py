"""End to end: notebook 10 builds (English, Russian, one region), prints a PDF, follows the data,
shows no figure resting on fewer than ``min_cell`` people and leaks no personal data."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import numpy as np
import pytest
from openpyxl import load_workbook

from workbench.mixed import load_study_mapping
from workbench.qualitative.quotes import find_personal_data
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.reporting.messages import text
from workbench.reporting.tables import format_number
from workbench.study import Study

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EDITION = "10_barriers_to_reintegration"
MIN_CELL = 10


def _build_all(jobs: list[tuple[Path, Path, list[str]]]) -> None:
    """Run several `workbench build --only 10` in parallel subprocesses."""
    running = [subprocess.Popen([sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--only", "10",
                                 "--reports", str(reports), *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for study, reports, extra in jobs]
    for process in running:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-3000:]


def _visible(html_file: Path) -> list[str]:
    root = lxml.html.parse(str(html_file)).getroot()
    for hidden in root.xpath("//script|//style"):
        hidden.drop_tree()
    return [" ".join(t.split()) for t in root.xpath("//body//text()") if t.strip()]


def _sheets(xlsx: Path) -> dict[str, list[list]]:
    book = load_workbook(xlsx, read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


@pytest.fixture(scope="module")
def built(demo_study: Path, tmp_path_factory: pytest.TempPathFactory, helpers) -> dict[str, Path]:
    """English edition on the demo and on a copy where 20% of co-worker acceptors now refuse;
    Russian and one-region editions; four builds in parallel."""
    base = tmp_path_factory.mktemp("nb10")
    changed = base / "changed"
    shutil.copytree(demo_study, changed)
    helpers.flip_coworkers(changed, 0.2, seed=11)
    out = {"en": base / "en", "changed": base / "changed_reports", "ru": base / "ru", "region": base / "osh"}
    _build_all([(demo_study, out["en"], []), (changed, out["changed"], []),
                (demo_study, out["ru"], ["-p", "language=ru"]), (demo_study, out["region"], ["-p", "region=Osh oblast"])])
    out["study"], out["changed_study"] = demo_study, changed
    return out


def _employment_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("(") and "co-worker" in line)


def test_every_edition_has_html_pdf_and_annex(built: dict[str, Path]) -> None:
    for key in ("en", "ru", "region", "changed"):
        for suffix in (".html", ".pdf", "_tables.xlsx"):
            assert (built[key] / f"{EDITION}{suffix}").is_file(), (key, suffix)
    en = "\n".join(_visible(built["en"] / f"{EDITION}.html"))
    ru = "\n".join(_visible(built["ru"] / f"{EDITION}.html"))
    for key in ("summary", "barriers", "assets", "agreement", "differences", "regions", "recommendations", "methods"):
        assert text(f"br_section_{key}", "en") in en and text(f"br_section_{key}", "ru") in ru
    assert text("br_joint_barriers", "ru") in ru and "Joint display of the barriers" not in ru
    region = "\n".join(_visible(built["region"] / f"{EDITION}.html"))
    assert "Regional edition for Osh oblast" in region


def test_summary_and_joint_display_follow_the_data(built: dict[str, Path], helpers) -> None:
    _, prepared, data = helpers.joint(built["study"])
    _, prepared_new, data_new = helpers.joint(built["changed_study"])
    old = format_number(helpers.hand_share(prepared, data, "sd_fp_coworker"), 1, percent=True)
    new = format_number(helpers.hand_share(prepared_new, data_new, "sd_fp_coworker"), 1, percent=True)
    assert old != new
    before = _employment_line(_visible(built["en"] / f"{EDITION}.html"))
    after = _employment_line(_visible(built["changed"] / f"{EDITION}.html"))
    assert old in before and new not in before
    assert new in after and old not in after
    # the joint-display table (annex sheet of the barriers) carries the new share too
    def employment_cells(folder: Path) -> list:
        sheets = _sheets(folder / f"{EDITION}_tables.xlsx")
        title = text("br_joint_barriers", "en")
        sheet = next(rows for rows in sheets.values() if rows[0][0] == title)
        return next(row for row in sheet if row[0] == "Employment")
    assert any(isinstance(c, str) and c.startswith(new) for c in employment_cells(built["changed"]))
    assert any(isinstance(c, str) and c.startswith(old) for c in employment_cells(built["en"]))


def test_pdf_pages_are_not_blank(built: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    for key in ("en", "ru"):
        prefix = tmp_path / key
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(built[key] / f"{EDITION}.pdf"), str(prefix)], check=True)
        pages = sorted(tmp_path.glob(f"{key}*.png"))
        assert len(pages) >= 8  # the eight sections start on pages of their own
        for page in pages:
            grey = np.asarray(Image.open(page).convert("L"))
            assert (grey < 245).mean() > 0.01, f"{key}: {page.name} is (nearly) blank"


def _count_cells_respect_threshold(xlsx: Path, language: str) -> None:
    """Every "n of N" count of people rests on N >= MIN_CELL; respondents >= MIN_CELL."""
    of = re.compile(r"(\d+) (?:of|из) (\d+)")
    group_columns = {text("br_col_fg", language), text("br_col_fg_n", language), text("br_col_fg_base", language)}
    respondents = text("br_col_respondents", language)
    for name, rows in _sheets(xlsx).items():
        if name == text("annex_contents", language) or len(rows) < 4:
            continue
        header = rows[2]
        for row in rows[3:]:
            for column, value in zip(header, row):
                if column in group_columns or value is None:
                    continue  # focus groups are counted as groups, their participants checked in the build
                if isinstance(value, str):
                    for match in of.finditer(value):
                        assert int(match.group(2)) >= MIN_CELL, (xlsx.name, name, column, value)
                if column == respondents and value not in ("x", "") and isinstance(value, (int, float, str)):
                    assert float(str(value).replace("\u202f", "")) >= MIN_CELL, (name, value)


def test_no_exported_figure_rests_on_too_few_people(built: dict[str, Path]) -> None:
    _count_cells_respect_threshold(built["en"] / f"{EDITION}_tables.xlsx", "en")
    _count_cells_respect_threshold(built["region"] / f"{EDITION}_tables.xlsx", "en")
    _count_cells_respect_threshold(built["ru"] / f"{EDITION}_tables.xlsx", "ru")
    # the region edition really had small groups to hide
    cells = [c for rows in _sheets(built["region"] / f"{EDITION}_tables.xlsx").values() for row in rows for c in row]
    assert cells.count("x") > 20


def test_no_personal_data_in_report_or_annex(built: dict[str, Path]) -> None:
    corpus = load_study_corpus(Study.load(built["study"]))
    people = corpus.people
    raw = "\n".join(corpus.documents["text"])
    assert any(name in raw for name in people["name"])  # there is something to leak
    for key in ("en", "ru", "region"):
        texts = _visible(built[key] / f"{EDITION}.html")
        for rows in _sheets(built[key] / f"{EDITION}_tables.xlsx").values():
            for row in rows:
                texts += [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in row
                          if v is not None and not (isinstance(v, float) and not v.is_integer())]
        page = "\n".join(texts)
        assert "“" in page or "«" in page  # quotes are there
        for value in texts:
            assert not find_personal_data(value, people), (key, value[:200])
            for name in people["name"]:
                assert name.lower() not in value.lower(), (key, name, value[:200])


def test_recommendations_name_their_evidence(built: dict[str, Path]) -> None:
    mapping = load_study_mapping(Study.load(built["study"]))
    page = "\n".join(_visible(built["en"] / f"{EDITION}.html"))
    for row in mapping.rows:  # every row label appears; linked rows appear with a strength
        assert row.label["en"] in page
    # R1 rests on employment (its primary evidence row), R3 names stigma as a further link
    assert re.search(r"Employment \(primary evidence\): (strong|moderate|limited|weak) \(", page)
    assert re.search(r"Stigma and social rejection: (strong|moderate|limited|weak) \(", page)


@pytest.mark.browser
def test_charts_and_joint_display_render_offline(built: dict[str, Path]) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian chromium is not installed: `make test` installs it (scripts/system-packages.sh)")
    from playwright.sync_api import sync_playwright

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    attempts: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def block(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                attempts.append(route.request.url)
                route.abort()

        context.route("**/*", block)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((built["en"] / f"{EDITION}.html").as_uri(), wait_until="load")
        charts = page.locator("div.plotly-graph-div")
        assert charts.count() >= 5
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.plotly-graph-div')].every("
            "d => d.querySelector('svg.main-svg') && d.querySelectorAll('.trace, .point, path').length > 0)",
            timeout=30000)
        joint = page.locator("div.wb-table", has=page.get_by_text("Joint display of the barriers", exact=True))
        assert joint.count() == 1
        barriers = [r for r in load_study_mapping(Study.load(built["study"])).rows if r.section == "barrier"]
        assert joint.locator("tbody tr").count() == len(barriers)  # one row per barrier
        assert joint.locator("tbody tr").first.is_visible()
        assert page.locator("div.wb-table table").count() >= 6
        for href in page.locator("a.wb-details").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            assert page.locator(href).count() == 1, href  # each key finding links to its section
        page.screenshot(path=str(artifacts / f"{EDITION}.png"))
        assert not errors, errors[:3]
        browser.close()
    assert not attempts, attempts[:5]
