"""`workbench validate` on a damaged copy of the demo study: four problems at once, exit 2."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from workbench.study import Study
from workbench.synthetic.demo import write_demo_study


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_validate_lists_all_four_problems_and_leaves_raw_files_alone(tmp_path: Path) -> None:
    folder = write_demo_study(tmp_path / "demo")
    study = Study.load(folder)
    entry = study.dataset("survey")
    dictionary = study.dictionary("survey")
    lines = entry.path.read_text(encoding="utf-8").splitlines(keepends=True)
    preamble = [l for l in lines if l.startswith("#")]
    table = pd.read_csv(entry.path, comment=None, skiprows=len(preamble), dtype=str, keep_default_na=False)
    id_col = dictionary.id
    coded = next(v for v in dictionary.variables.values() if v.values and v.role != "stratum" and v.name != id_col)
    numeric = next(v for v in dictionary.variables.values() if v.type in ("integer", "number") and v.name not in
                   (id_col, coded.name))
    dropped = next(v.name for v in dictionary.variables.values()
                   if v.name not in (id_col, coded.name, numeric.name) and v.role not in ("stratum", "cluster", "weight"))
    table.loc[4, numeric.name] = "abc"                       # wrong type, data row 5
    table.loc[9, coded.name] = "777"                         # code not declared, data row 10
    table.loc[14, id_col] = table.loc[13, id_col]            # duplicate id, data rows 14 and 15
    table = table.drop(columns=[dropped])                    # missing column
    with open(entry.path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(preamble)
        table.to_csv(handle, index=False, lineterminator="\n")
    before = {str(p): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}

    result = subprocess.run([sys.executable, "-m", "workbench.cli", "validate", str(folder)],
                            capture_output=True, text=True)
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert "Traceback" not in out
    assert "wrong type" in out and numeric.name in out and "abc" in out
    assert "value not among the declared codes" in out and "777" in out
    assert "duplicate value" in out and "missing column" in out and dropped in out
    problems = Study.load(folder).validate()
    rows = {(p.problem, p.column): p.row for p in problems.itertuples()}
    assert rows[("wrong type", numeric.name)] == 5
    assert rows[("value not among the declared codes", coded.name)] == 10
    assert {p.row for p in problems.itertuples() if p.problem == "duplicate value"} == {14, 15}
    assert {str(p): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()} == before

    # the build refuses the same data with the same report
    build = subprocess.run([sys.executable, "-m", "workbench.cli", "build", "--study", str(folder),
                            "--reports", str(tmp_path / "reports")], capture_output=True, text=True)
    assert build.returncode == 2 and "duplicate value" in build.stdout and "Traceback" not in build.stderr
    assert not (tmp_path / "reports").exists()


def test_validate_checks_model_parameters_and_mixed_methods_mapping(tmp_path: Path) -> None:
    folder = write_demo_study(tmp_path / "demo")
    mapping = folder / "parameters" / "joint_display.yaml"
    first_code = next(line.strip()[2:] for line in mapping.read_text().splitlines()
                      if line.startswith("  - ") and line.strip()[2:].isupper())
    mapping.write_text(mapping.read_text().replace(f"  - {first_code}\n", "  - NO_SUCH_CODE\n", 1))
    em = folder / "parameters" / "electronic_monitoring.yaml"
    em.write_text(em.read_text().replace("type: triangular", "type: weibull", 1))
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "validate", str(folder)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "NO_SUCH_CODE" in result.stdout and "joint_display.yaml" in result.stdout
    assert "weibull" in result.stdout and "electronic_monitoring.yaml" in result.stdout
