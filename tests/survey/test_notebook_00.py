"""No notebook names a dataset or a variable of the demo study (issue 15): datasets are found by
role or by the ``survey`` parameter, variables by their role in the dictionary.

Oracle: the demo study's own ``study.yaml`` and dictionaries (what a notebook must not name) and
the string literals of each notebook's code cells. Words that are column names of the package's
own result tables (``status``, ``kind``, ...) and happen to be demo variable names too are
allowed by name below. Notebooks 02 to 10 still read their datasets by name; the restructure of
issue 16 removes that: they are listed as known failures (strict, so fixing one fails the list).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from workbench.schemas import load_dictionary
from workbench.synthetic.demo import write_demo_study

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: result-table column names of the package that are also demo variable names
RESULT_COLUMNS = {"description", "status", "kind", "margin", "population", "start"}
#: notebooks that still read datasets by name (issue 16)
KNOWN: set[str] = set()


@pytest.fixture(scope="module")
def demo_names(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    folder = write_demo_study(tmp_path_factory.mktemp("demo") / "study")
    spec = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    variables: set[str] = set()
    for entry in spec["datasets"].values():
        if entry.get("dictionary"):
            dictionary = load_dictionary(entry["dictionary"], search=[folder / "data_schemas", folder])
            variables |= set(dictionary.variables) | set(dictionary.batteries)
    return set(spec["datasets"]), variables - RESULT_COLUMNS


def _code_strings(notebook: Path) -> set[str]:
    strings: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    strings.add(node.value)
    return strings


@pytest.mark.parametrize("notebook", [
    pytest.param(nb, id=nb.stem, marks=pytest.mark.xfail(strict=True, reason="issue 16: reads datasets by name"))
    if nb.stem in KNOWN else pytest.param(nb, id=nb.stem) for nb in NOTEBOOKS])
def test_notebook_names_no_dataset_or_variable_of_the_demo(notebook: Path, demo_names) -> None:
    datasets, variables = demo_names
    strings = _code_strings(notebook)
    assert not strings & datasets, f"{notebook.name} names datasets {sorted(strings & datasets)}"
    assert not strings & variables, f"{notebook.name} names variables {sorted(strings & variables)}"
