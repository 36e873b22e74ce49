"""Shared fixtures of the risk tests: the seeded synthetic demo data and the COMPAS file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.risk import load_compas
from workbench.synthetic.demo import DEFAULT_SEED, generator_rng
from workbench.synthetic.risk import write_risk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "risk"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("risk_demo")
    write_risk(folder, generator_rng(DEFAULT_SEED, "risk"))
    return folder


@pytest.fixture(scope="session")
def demo(demo_dir: Path) -> dict[str, pd.DataFrame]:
    names = ["probation_clients", "risk_assessments", "risk_second_ratings", "risk_supervision", "probation_offices"]
    return {name: pd.read_csv(demo_dir / "data" / f"{name}.csv", comment="#") for name in names}


@pytest.fixture(scope="session")
def compas() -> pd.DataFrame:
    return load_compas(FIXTURES / "compas-scores-two-years.csv")
