"""The lock file and environment.yml pin the same packages; pandas stays on 2.x."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, version = line.split("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_environment_yml_matches_lock() -> None:
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == lock
    assert "python=3.11" in env["dependencies"]


def test_lock_pins_every_direct_dependency_and_pandas_2() -> None:
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    pyproject = (ROOT / "pyproject.toml").read_text()
    block = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    direct = [re.split(r"[<>=!\[ ]", d.strip().strip('",'))[0] for d in block.splitlines() if d.strip().strip(",")]
    for name in direct:
        assert re.sub(r"[-_.]+", "-", name).lower() in lock, f"{name} is not pinned in requirements.lock"
    assert lock["pandas"].startswith("2.")
