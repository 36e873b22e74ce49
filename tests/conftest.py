"""Shared fixtures: paths of the project and of the hand-made mini study."""

from __future__ import annotations

import shutil
from pathlib import Path

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
