"""Timing of the risk module on the demo caseload and a 10x larger copy (prints a table)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.risk import fit_cox, follow_up, score_assessments, validate_scores
from workbench.synthetic.risk import write_risk


def timed(label: str, func, rows: list) -> object:
    start = time.perf_counter()
    result = func()
    rows.append({"step": label, "seconds": round(time.perf_counter() - start, 3)})
    return result


def main() -> None:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        timed("write_risk (2,000 clients + 100k truth population)", lambda: write_risk(Path(folder), np.random.default_rng(1)), rows)
        data = Path(folder) / "data"
        assessments = pd.read_csv(data / "risk_assessments.csv", comment="#")
        clients = pd.read_csv(data / "probation_clients.csv", comment="#")
    big = pd.concat([assessments] * 10, ignore_index=True)
    timed(f"score_assessments ({len(assessments):,} rows)", lambda: score_assessments(assessments), rows)
    timed(f"score_assessments ({len(big):,} rows)", lambda: score_assessments(big), rows)
    scored = score_assessments(assessments, keep=["client_id", "assessment_type"])
    intake = scored[scored["assessment_type"] == "intake"]
    table = clients.merge(follow_up(clients), on="client_id").merge(intake, on="client_id").dropna(subset=["total"])
    table["female"] = (table["sex"] == "female").astype(float)
    timed("fit_cox (4 covariates)", lambda: fit_cox(table, "duration_days", "reoffended", ["total", "female", "age"]), rows)
    timed("validate_scores by sex", lambda: validate_scores(table, "total", "reoffended", by="sex"), rows)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
