"""Notebooks orchestrate; the analysis lives in the package (issue 16, acceptance).

Each notebook has at most 80 code lines, defines no function, class or lambda, and writes no
number outside its parameters cell (a number in a code cell is a threshold or rule that belongs
in the package, where it is unit-tested). The check reads the cells with ``ast``; the first test
shows it finds each kind of problem in a made-up cell.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MAX_CODE_LINES = 80


def code_lines(source: str) -> int:
    """Lines that hold code: not blank, not a comment."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def cell_problems(source: str, parameters: bool) -> list[str]:
    """What a notebook code cell may not hold: definitions, lambdas, and numbers outside the
    parameters cell (booleans are not numbers here)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            problems.append(f"{type(node).__name__} on line {node.lineno}")
        elif (not parameters and isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
              and not isinstance(node.value, bool)):
            problems.append(f"the number {node.value!r} on line {node.lineno}")
    return problems


def test_the_check_finds_each_kind_of_problem() -> None:
    cell = "def f(x):\n    return x\nsmall = table[table.n < 10]\nkey = lambda r: r.n\nok = True\n"
    assert sorted(cell_problems(cell, parameters=False)) == [
        "FunctionDef on line 1", "Lambda on line 4", "the number 10 on line 3"]
    assert cell_problems("min_cell = 10\nseed = 2024\n", parameters=True) == []
    assert code_lines("# a comment\n\nx = 1\n  # indented comment\ny = 2\n") == 2


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_is_thin(notebook: Path) -> None:
    cells = [cell for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in cells]
    assert sum(code_lines(source) for source in sources) <= MAX_CODE_LINES
    problems = [problem for cell, source in zip(cells, sources)
                for problem in cell_problems(source, "parameters" in cell.get("metadata", {}).get("tags", []))]
    assert problems == [], f"{notebook.name}: {problems}"
