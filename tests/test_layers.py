"""The import rules of docs/architecture.md, enforced on src/workbench with the ``ast`` module.

Oracle: the layer table below, copied from docs/architecture.md ("Layers"). Every
``import workbench.x`` and ``from workbench.x import ...`` in every module (top level or
inside a function: a deferred import is still a dependency) must point to a part its layer
may use. Known violations are listed by name, each with the reason and who removes it; a
listed violation that no longer occurs fails the test too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
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
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
    ("workbench.study", "feasibility"): "validate() checks parameter files; issue 16.5: a validator registry",
    ("workbench.study", "qualitative"): "validate() opens .qdpx projects; issue 16.5: a validator registry",
    ("workbench.study", "mixed"): "validate() checks the joint-display mapping; issue 16.5: a validator registry",
}


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
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
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


def test_the_ast_scan_sees_deferred_imports() -> None:
    # study.py imports feasibility inside a function: the scan must see it (hand check)
    assert "workbench.feasibility.parameters" in _imports(PACKAGE / "study.py")
    assert ("workbench.study", "feasibility") in _edges()
