"""Fixtures for the survey tests: the api data of R's survey package and its designs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.survey import SurveyDesign

API = Path(__file__).resolve().parents[1] / "fixtures" / "survey"


def read_api(name: str) -> pd.DataFrame:
    """One of the api samples (R's NA marks missing)."""
    return pd.read_csv(API / f"{name}.csv")


@pytest.fixture(scope="session")
def apistrat() -> pd.DataFrame:
    return read_api("apistrat")


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return read_api("apiclus1")


@pytest.fixture(scope="session")
def apiclus2() -> pd.DataFrame:
    return read_api("apiclus2")


@pytest.fixture(scope="session")
def dstrat(apistrat: pd.DataFrame) -> SurveyDesign:
    """R: svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)."""
    return SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="session")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    """R: svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)."""
    return SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="session")
def dclus2(apiclus2: pd.DataFrame) -> SurveyDesign:
    """R: svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2) (weights from fpc)."""
    return SurveyDesign(apiclus2, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])

