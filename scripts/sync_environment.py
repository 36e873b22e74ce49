"""Rewrite environment.yml from requirements.lock, so conda users get the same pins."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """# Conda environment for the workbench: the same pinned packages as requirements.lock
# (tests/test_environment.py keeps the two in step). Then: pip install --no-deps -e .
name: workbench
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""

pins = [line.strip() for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.strip() and not line.startswith("#")]
(ROOT / "environment.yml").write_text(HEADER + "".join(f"      - {pin}\n" for pin in pins))
