"""The demo study: seeded, byte-identical, valid, and every file says it is synthetic."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.study import Study
from workbench.synthetic.demo import write_demo_study


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = write_demo_study(tmp_path / "a", seed=5)
    b = write_demo_study(tmp_path / "b", seed=5)
    c = write_demo_study(tmp_path / "c", seed=6)
    assert _digests(a) == _digests(b)
    assert _digests(a) != _digests(c)


def test_demo_study_is_valid_and_marked_synthetic(tmp_path: Path) -> None:
    folder = write_demo_study(tmp_path / "demo")
    study = Study.load(folder)
    assert study.synthetic
    problems = study.validate()
    assert problems[problems["severity"] == "error"].empty, problems.to_string()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in {".csv", ".yaml", ".yml", ".txt", ".md"}:
            head = path.read_text(encoding="utf-8")[:2000].lower()
            assert "synthetic" in head, f"{path.name} does not say that it is synthetic"


def test_demo_refuses_to_overwrite_a_non_study(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "demo", str(tmp_path), "--force"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "not a study" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
