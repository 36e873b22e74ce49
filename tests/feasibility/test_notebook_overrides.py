"""Notebook 05 built twice (plain and with an override of the custody cost per day): the
executive summary's net-cost sentence must state the model's own base case for each run.

Reference: the model's base case computed here with the package (same parameter file, same
population route, same override), independently of the executed notebook.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import feasibility as fz
from workbench.reporting.messages import catalogue
from workbench.study import Study
from workbench.synthetic.demo import write_demo_study

NOTEBOOK = "05_feasibility_electronic_monitoring"
OVERRIDE = 250  # som per prisoner-day; any value other than the default base (100) would do


def _text(report: Path) -> str:
    page = report.read_text(encoding="utf-8")
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _sentence_figures(text: str) -> dict[str, float]:
    """Fill-ins of the net-cost (or net-saving) sentence, read back through its template."""
    for key, sign in (("fe_em_exec_net_cost", 1.0), ("fe_em_exec_net_saving", -1.0)):
        template = re.sub(r"\s+", " ", catalogue()[key]["en"])
        # placeholders carry a number format ({net:n}); numbers group thousands with a narrow space
        pattern = re.sub(r"\\\{(\w+)(?::[^}\\]*)?\\\}", r"(?P<\1>-?[0-9][0-9 ]*(?:\\.[0-9]+)?)",
                         re.escape(template))
        found = re.search(pattern.replace("\\ ", " "), text.replace("\u202f", " "))
        if found:
            values = {name: float(value.replace(" ", "")) for name, value in found.groupdict().items()}
            values["net"] *= sign
            return values
    raise AssertionError("the executive summary has no net-cost sentence")


def _expected_base(study_dir: Path, overrides: dict | None) -> dict[str, float]:
    study = Study.load(study_dir)
    path = study.path("electronic_monitoring_parameters")
    counts = fz.default_counts(path)
    if "probation_clients" in study.datasets and "risk_assessments" in study.datasets:
        from workbench import risk

        scored = risk.score_assessments(study.read("risk_assessments"), keep=["client_id", "assessment_date"])
        people = fz.em_population(counts, study.read("probation_clients"), scored)
    else:
        people = fz.em_population(counts)
    params = fz.load_parameters(path, overrides=overrides)
    if "training_participants" in study.datasets and "officers_to_train" not in (overrides or {}):
        # the report trains as many officers as the programme trained (workbench.study_facts)
        from workbench import study_facts

        trained = int(study_facts.officers_trained(study)["officers"].sum())
        params = fz.apply_overrides(params, {"officers_to_train": trained})
    base = fz.base_case(fz.electronic_monitoring_model(people.table), params).set_index("outcome")["value"]
    return {"custody_cost": params["custody_cost_per_day"].value, "net": float(base["gps_bracelet.net_cost"]),
            "break_even": float(base["gps_bracelet.break_even_custody_cost"])}


@pytest.mark.slow
def test_custody_cost_override_changes_the_summary(tmp_path: Path) -> None:
    demo = write_demo_study(tmp_path / "demo")
    command = [sys.executable, "-m", "workbench.cli", "build", "--study", str(demo), "--only", "05", "-p", "draws=200"]
    runs = {
        "plain": subprocess.Popen([*command, "--reports", str(tmp_path / "plain")],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        "override": subprocess.Popen([*command, "--reports", str(tmp_path / "override"),
                                      "-p", f"overrides={{custody_cost_per_day: {OVERRIDE}}}"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
    }
    for name, process in runs.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name} build failed:\n{output}"

    plain = _sentence_figures(_text(tmp_path / "plain" / f"{NOTEBOOK}.html"))
    changed = _sentence_figures(_text(tmp_path / "override" / f"{NOTEBOOK}.html"))
    expected_plain = _expected_base(demo, None)
    expected_changed = _expected_base(demo, {"custody_cost_per_day": OVERRIDE})

    # sentences round to whole som
    assert plain["custody_cost"] == pytest.approx(expected_plain["custody_cost"], abs=0.5)
    assert changed["custody_cost"] == OVERRIDE
    assert plain["net"] == pytest.approx(expected_plain["net"], abs=0.5)
    assert changed["net"] == pytest.approx(expected_changed["net"], abs=0.5)
    # a dearer prisoner-day makes the avoided prison days worth more, so the net cost falls
    assert changed["net"] < plain["net"]
    # the break-even custody cost does not depend on the custody cost itself
    assert plain["break_even"] == pytest.approx(expected_plain["break_even"], abs=0.5)
    assert changed["break_even"] == pytest.approx(plain["break_even"], abs=0.5)
