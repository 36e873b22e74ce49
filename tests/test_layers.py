"""The import rules of docs/architecture.md, enforced on src/workbench with the ``ast`` module.

Oracle: the layer table below, the same as the picture in docs/architecture.md ("Layers"),
which a test reads to keep the two alike. Every ``import workbench.x`` and ``from workbench.x
import ...`` in every module (top level or inside a function: a deferred import is still a
dependency) must point to a part its layer may use. Known violations are listed by name, each
with the reason and who removes it; a listed violation that no longer occurs fails the test
too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "workbench"

# part of the package -> layer (a part is a top-level module or sub-package of workbench)
LAYERS: dict[str, str] = {
    **dict.fromkeys(["errors", "columns", "disclosure", "agreement"], "foundation"),
    **dict.fromkeys(["io", "schemas", "regions", "study"], "study_io"),
    **dict.fromkeys(["survey", "qualitative", "risk", "feasibility", "programme", "mixed", "overview"], "analysis"),
    "reports": "sections",  # report sections, one module per report (a later step of issue 16)
    "study_facts": "sections",  # facts two reports show, one function each (issue 14.2)
    "reporting": "reporting",
    "synthetic": "demo",
    "cli": "cli",
    "__init__": "foundation",
}

# layer -> the layers its parts may import (besides their own part)
MAY_IMPORT: dict[str, set[str]] = {
    "foundation": {"foundation"},
    "study_io": {"foundation", "study_io"},
    "analysis": {"foundation", "study_io"},
    "sections": {"foundation", "study_io", "analysis", "sections"},  # reports use study_facts (issue 14.2)
    "reporting": {"foundation", "study_io", "analysis", "sections"},
    "demo": {"foundation", "study_io", "analysis"},
    "cli": {"foundation", "study_io", "analysis", "sections", "reporting", "demo"},
}

# analysis packages are independent of each other, except these, which combine others
ANALYSIS_MAY_USE: dict[str, set[str]] = {
    "mixed": {"survey", "qualitative"},
    "overview": {"survey"},
    "programme": {"survey"},  # clustered intervals of supervision checks use the survey engine (issue 14.5)
}

# (importing module, imported part): why it is still there and who removes it
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def _part(module: str) -> str:
    """``workbench.survey.design`` -> ``survey``; ``workbench`` -> ``__init__``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every workbench module a file imports (absolute and relative imports, at any depth)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    return _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> set[str]:
    """Every workbench module ``source`` imports, relative imports resolved from ``package``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from workbench import risk`` imports the part ``risk``
            if target == "workbench":
                found.update(f"workbench.{alias.name}" for alias in node.names)
    return {name for name in found if name == "workbench" or name.startswith("workbench.")}


def _edges() -> list[tuple[str, str]]:
    """(importing module, imported part) for every import that crosses a part boundary."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for target in _imports(path):
            if target != "workbench" and _part(target) != _part(module):
                edges.append((module, _part(target)))
    return sorted(set(edges))


def _allowed(module: str, target: str) -> bool:
    source, layer = _part(module), LAYERS[_part(module)]
    if LAYERS[target] == "analysis" and layer == "analysis":
        return target in ANALYSIS_MAY_USE.get(source, set())
    return LAYERS[target] in MAY_IMPORT[layer]


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert parts - set(LAYERS) == set(), "add the new part to LAYERS here and in docs/architecture.md"


def test_imports_follow_the_layer_rules() -> None:
    broken = [(module, target) for module, target in _edges()
              if not _allowed(module, target) and (module, target) not in KNOWN_VIOLATIONS]
    assert broken == [], "imports against docs/architecture.md (Layers): " + ", ".join(
        f"{m} -> {t}" for m, t in broken)


def test_known_violations_are_still_real() -> None:
    edges = set(_edges())
    for edge, reason in KNOWN_VIOLATIONS.items():
        assert edge in edges, f"{edge} no longer happens: remove it from KNOWN_VIOLATIONS ({reason})"
        assert not _allowed(*edge), f"{edge} is allowed by the rules: remove it from KNOWN_VIOLATIONS"


@pytest.mark.parametrize("source, target, allowed", [
    ("workbench.io.readers", "survey", False),          # io never imports analysis
    ("workbench.survey.design", "reporting", False),    # analysis never imports reporting
    ("workbench.risk.validation", "cli", False),        # ... nor the command line
    ("workbench.programme.facts", "disclosure", True),  # analysis uses the one disclosure policy
    ("workbench.risk.survival", "survey", False),       # analysis packages are independent
    ("workbench.mixed.evidence", "survey", True),       # ... except mixed, which combines them
    ("workbench.synthetic.risk", "reporting", False),   # the demo generator writes data only
    ("workbench.reporting.tables", "cli", False),
    ("workbench.cli", "reporting", True),
])
def test_the_rules_themselves(source: str, target: str, allowed: bool) -> None:
    # the checker must be able to fail: hand-picked edges against the table above
    assert _allowed(source, target) is allowed


def test_the_ast_scan_sees_deferred_and_relative_imports() -> None:
    # hand-written module of the package workbench.survey: a deferred import inside a function,
    # a relative import two levels up, and a part imported by name from the package
    source = ("def f():\n    from workbench.feasibility.parameters import load_parameters\n"
              "from ..risk import survival\nfrom workbench import mixed\nimport pandas\n")
    assert _imports_in(source, "workbench.survey") == {
        "workbench.feasibility.parameters", "workbench.risk", "workbench", "workbench.mixed"}


# ---- the picture in docs/architecture.md says the same ------------------------------------------
ARCHITECTURE = PACKAGE.parents[1] / "docs" / "architecture.md"
#: layer -> its number in the picture, and the part whose row states the layer's rule
PICTURE: dict[str, tuple[int, str]] = {
    "foundation": (0, "errors.py"), "study_io": (1, "io/"), "analysis": (2, "survey/"),
    "sections": (3, "reports/"), "reporting": (4, "reporting/"), "demo": (4, "synthetic/"), "cli": (5, "cli.py")}


def _picture() -> list[list[str]]:
    """The layer picture of docs/architecture.md as blocks of lines, top (CLI) to bottom."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## Layers", 1)[1].split("```")[1]
    return [[line for line in block.splitlines() if line.strip()] for block in re.split(r"\n\s*─+\n", text)]


def test_every_part_sits_in_its_layer_of_the_picture() -> None:
    blocks = {int(block[0].split()[0]): "\n".join(block) for block in _picture()}
    assert sorted(blocks) == [0, 1, 2, 3, 4, 5]
    for part, layer in LAYERS.items():
        if part == "__init__":
            continue
        assert re.search(rf"(?<![\w/]){part}(/|\.py)", blocks[PICTURE[layer][0]]), \
            f"{part} is not in layer {PICTURE[layer][0]} of docs/architecture.md"


def test_each_layer_rule_of_the_picture_is_the_rule_enforced() -> None:
    lines = [line for block in _picture() for line in block]
    for layer, (number, anchor) in PICTURE.items():
        rule = next(line for line in lines if anchor in line).split(anchor, 1)[1]
        if "everything below" in rule:
            stated = set(range(number))
        elif "layer 0 only" in rule:
            stated = {0}
        else:
            top = int(re.search(r"layers 0-(\d)", rule).group(1))
            stated = set(range(top + 1))
        enforced = {PICTURE[other][0] for other in MAY_IMPORT[layer]}
        assert stated | {number} == enforced | {number}, f"{layer}: docs say {rule.strip()!r}"


# ---- non-tabular datasets: checks registered by the packages that read them (issue 16.5) ---------
def test_the_study_layer_finds_the_checks_of_every_format_without_an_import_by_the_caller() -> None:
    # a fresh interpreter: importing workbench.study loads no analysis package, and asking for
    # the check of each non-tabular format finds the one its package registered
    script = (
        "import sys\n"
        "from workbench.study import FORMATS, TABULAR_FORMATS, dataset_check\n"
        "above = lambda: sorted(m for m in sys.modules if m.split('.')[1:2] in "
        "(['feasibility'], ['qualitative'], ['mixed'], ['reports'], ['reporting'], ['cli']))\n"
        "print(above())\n"
        "for fmt in FORMATS:\n"
        "    if fmt not in TABULAR_FORMATS:\n"
        "        print(fmt, dataset_check(fmt).__module__)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "[]"
    assert dict(line.split() for line in lines[1:]) == {
        "parameters": "workbench.feasibility.dataset_checks", "mapping": "workbench.mixed.dataset_checks",
        "qdpx": "workbench.qualitative.dataset_checks", "folder": "workbench.study"}


def test_an_unknown_format_without_a_check_is_a_clear_error() -> None:
    from workbench.errors import WorkbenchError
    from workbench.study import dataset_check

    with pytest.raises(WorkbenchError, match="no check is known for the dataset format 'sqlite'") as caught:
        dataset_check("sqlite")
    assert "qdpx" in caught.value.expected
