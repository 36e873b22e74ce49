"""Safe defaults of the command line (issue 15): ``validate`` and ``build`` work on the study in
the current folder (or ``--study``), ``build`` writes ``<study>/reports`` unless ``--reports``, and
nothing is ever written into the package checkout.

Oracle: the file system before and after (the checkout's ``demo_study/`` and ``reports/`` are
untouched; the reports appear beside the study), the exit codes and the messages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "byo_apistrat"


def _state(path: Path) -> tuple:
    """Existence and the newest modification time under ``path``."""
    if not path.exists():
        return (False,)
    return (True, max((p.stat().st_mtime_ns for p in path.rglob("*")), default=path.stat().st_mtime_ns))


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_validate_without_a_study_here_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    before = (_state(ROOT / "demo_study"), _state(ROOT / "reports"))
    for command in (["validate"], ["build"]):
        result = _run(tmp_path, *command)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "no study.yaml in the current folder" in result.stderr and "--study" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert (_state(ROOT / "demo_study"), _state(ROOT / "reports")) == before


@pytest.mark.slow
def test_validate_and_build_use_the_current_folder_and_write_reports_beside_it(tmp_path: Path) -> None:
    study = shutil.copytree(FIXTURE, tmp_path / "study")
    before = (_state(ROOT / "demo_study"), _state(ROOT / "reports"))
    validated = _run(study, "validate")
    assert validated.returncode == 0 and "valid" in validated.stdout
    built = _run(study, "build", "--only", "00")
    assert built.returncode == 0, built.stderr[-2000:]
    assert (study / "reports" / "index.html").is_file() and (study / "reports" / "00_data_overview.html").is_file()
    assert (_state(ROOT / "demo_study"), _state(ROOT / "reports")) == before
