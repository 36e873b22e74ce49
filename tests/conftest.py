"""Shared fixtures: paths of the project and of the hand-made mini study."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    """The folder of test fixtures."""
    return FIXTURES


@pytest.fixture
def mini_study(tmp_path: Path) -> Path:
    """A writable copy of the hand-made mini study."""
    target = tmp_path / "mini_study"
    shutil.copytree(FIXTURES / "mini_study", target)
    return target


#: the report languages of the report-wide checks (tests/reports/test_report_text.py and friends)
REPORT_LANGUAGES = ("en", "ru")


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every demo report, built once per language by the command line into a temporary folder
    (``--keep-going``: a failing notebook is marked in the index, the others are still checked).
    Keys: ``study`` (the demo study folder), each language of ``REPORT_LANGUAGES`` (its reports
    folder) and ``errors`` (language -> the build's stderr when it failed). Slow: use it only
    from tests marked ``slow``."""
    import subprocess
    import sys

    from workbench.synthetic.demo import write_demo_study

    base = tmp_path_factory.mktemp("built_reports")
    study = write_demo_study(base / "demo")
    built: dict[str, Any] = {"study": study, "errors": {}}
    for language in REPORT_LANGUAGES:
        reports = base / f"reports_{language}"
        result = subprocess.run([sys.executable, "-m", "workbench.cli", "build", "--study", str(study),
                                 "--reports", str(reports), "--keep-going", "-p", f"language={language}"],
                                capture_output=True, text=True, timeout=1800)
        assert (reports / "index.html").exists(), result.stderr[-3000:]
        built[language] = reports
        if result.returncode != 0:
            built["errors"][language] = result.stderr[-3000:]
    return built
