"""Shared fixtures of the report-section tests."""

from __future__ import annotations

import pytest

from workbench.study import Study


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    """The seeded synthetic demo study, written once per session (read-only for the tests)."""
    from workbench.synthetic.demo import write_demo_study

    return Study.load(write_demo_study(tmp_path_factory.mktemp("report_sections") / "demo"))
