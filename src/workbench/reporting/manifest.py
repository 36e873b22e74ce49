"""The build manifest: what a set of reports was built from, in a form that survives a move.

``manifest.json`` names every input by a portable path: files of the study relative to the
study root (``data/survey.csv``), the package's own data dictionaries relative to the
package (``package:data_schemas/offices.yaml``), so that a study folder and its reports can
be copied to another machine and still be matched. It records the study's place relative to
the reports folder, the parameters, each report's recorded figures file with its sha256, the
Python version, the platform, the lock file's sha256, package versions and the git commit
(flagged when the tree had uncommitted changes). ``check_inputs`` compares the recorded
inputs with the files on disk; ``recompute`` rebuilds the recorded reports into a temporary
folder for ``workbench verify --recompute``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.reporting.figures import FIGURES_SUFFIX, compare_figures, read_figures
from workbench.reporting.parameters import reader_value
from workbench.study import Study, sha256

PROJECT_ROOT = Path(__file__).resolve().parents[3]
LOCK_FILE = PROJECT_ROOT / "requirements.lock"
MANIFEST = "manifest.json"
PACKAGE_PREFIX = "package:"
#: packages whose versions the manifest records
RECORDED_PACKAGES = ("workbench", "pandas", "numpy", "scipy", "statsmodels", "scikit-learn", "lifelines",
                     "plotly", "pandera", "papermill", "nbconvert", "nbclient", "ipykernel", "pyreadstat",
                     "networkx", "openpyxl", "PyYAML", "lxml", "SALib")


def portable_path(path: Path, study_root: Path) -> str:
    """``path`` relative to the study root, else ``package:`` + relative to the package checkout.

    Raises ``WorkbenchError`` for a file that is in neither place (it could not be found
    again on another machine).
    """
    path = Path(path).resolve()
    if path.is_relative_to(study_root):
        return path.relative_to(study_root).as_posix()
    if path.is_relative_to(PROJECT_ROOT):
        return PACKAGE_PREFIX + path.relative_to(PROJECT_ROOT).as_posix()
    raise WorkbenchError("an input of the study lies outside the study folder and the package", file=str(path),
                         expected=f"a file under {study_root}")


def resolve_portable(name: str, study_root: Path) -> Path:
    """The file a portable path names, for this study root and this installed package."""
    if name.startswith(PACKAGE_PREFIX):
        return PROJECT_ROOT / name[len(PACKAGE_PREFIX):]
    return Path(study_root) / name


def input_hashes(study: Study) -> dict[str, str]:
    """Portable path -> sha256 of every input file of the study (study.yaml, data, dictionaries)."""
    return {portable_path(p, study.root): sha256(p) for p in study.input_files() if Path(p).is_file()}


def package_versions() -> dict[str, str]:
    """Versions of the packages that compute or write the reports."""
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment() -> dict[str, Any]:
    """Python version, platform and the lock file's sha256 (``None`` when there is none)."""
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(),
            "lock_file": LOCK_FILE.name, "lock_sha256": sha256(LOCK_FILE) if LOCK_FILE.is_file() else None}


def git_commit() -> dict[str, Any]:
    """The checkout's commit and whether tracked files had uncommitted changes ("dirty")."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                                    capture_output=True, text=True, check=True).stdout.strip())
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def run_entry(name: str, notebook: str, key: str, parameters: dict[str, Any], seconds: float, reused: bool,
              outputs: list[str], folder: Path) -> dict[str, Any]:
    """One report's manifest entry; its figures file (when written) is listed with its sha256."""
    figures = f"{name}{FIGURES_SUFFIX}"
    entry = {"name": name, "notebook": notebook, "key": key,
             "parameters": {k: v for k, v in parameters.items() if k != "study"},
             "seconds": round(seconds, 2), "reused": reused, "outputs": outputs}
    if figures in outputs:
        entry["figures"] = {"file": figures, "sha256": sha256(folder / figures)}
    return entry


def make_manifest(study: Study, reports: Path, *, built: str, parameters: dict[str, Any], with_code: bool,
                  each: str | None, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest of one build of ``study`` into ``reports`` (``runs`` from ``run_entry``)."""
    return {
        "study": Path(os.path.relpath(study.root, Path(reports).resolve())).as_posix(),
        "study_title": study.title,
        "synthetic": study.synthetic,
        "built": built,
        "build_seconds": None,
        "parameters": parameters,
        # the same as a reader reads them ("all regions", not None), in the report language
        "parameters_shown": {name: reader_value(name, value, str(parameters.get("language", "en")))
                             for name, value in parameters.items()},
        "each": each,
        "with_code": with_code,
        "inputs": input_hashes(study),
        "environment": environment(),
        "packages": package_versions(),
        "git": git_commit(),
        "notebooks": sorted(runs, key=lambda run: run["name"]),
    }


def read_manifest(reports: Path) -> dict[str, Any]:
    """The manifest of a reports folder; ``WorkbenchError`` when it is missing or unreadable."""
    path = Path(reports) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise WorkbenchError(f"cannot read the manifest: {err}", file=str(path),
                             expected="the manifest.json written by `workbench build`") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("inputs"), dict):
        raise WorkbenchError("the manifest has no inputs", file=str(path), column="inputs",
                             expected="a manifest.json written by `workbench build`")
    return manifest


def study_root(manifest: dict[str, Any], reports: Path, study: str | Path | None = None) -> Path:
    """The study to check: the one given, else the one recorded relative to the reports folder."""
    root = Path(study) if study else Path(reports) / str(manifest.get("study", ""))
    if not (root / "study.yaml").is_file():
        raise WorkbenchError("no study.yaml where the manifest places the study", file=str(root / "study.yaml"),
                             expected="the study folder next to its reports, or pass --study DIR")
    return root.resolve()


def check_inputs(manifest: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    """(portable path, "missing" or "changed") for every recorded input that differs on disk."""
    changed = []
    for name, digest in manifest["inputs"].items():
        path = Path(name) if Path(name).is_absolute() else resolve_portable(name, root)
        if not path.is_file():
            changed.append((name, "missing"))
        elif sha256(path) != digest:
            changed.append((name, "changed"))
    return changed


def chosen(name: str, only: list[str] | None) -> bool:
    """Whether report ``name`` is among ``only`` (by name or name prefix; all when ``None``)."""
    return not only or any(name == o or name.startswith(o) for o in only)


def recompute(manifest: dict[str, Any], root: Path, work: Path, only: list[str] | None = None,
              progress: Callable[[str], None] = print, jobs: int | None = None) -> dict[str, Path]:
    """Rebuild the recorded reports from the study at ``root`` into the folder ``work``.

    Reports built with the same parameters are rebuilt together (in parallel); each edition
    with its own recorded parameters. ``only`` keeps the reports whose name starts with an
    item. Returns report name -> its recomputed figures file.
    """
    from workbench.reporting.build import build_reports

    runs = [run for run in manifest.get("notebooks", []) if chosen(run["name"], only)]
    if only and not runs:
        raise WorkbenchError("no recorded report matches --only", value=only,
                             expected=", ".join(run["name"] for run in manifest.get("notebooks", [])))
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        parameters = {k: v for k, v in run["parameters"].items() if k != "study"}
        groups.setdefault(json.dumps(parameters, sort_keys=True, default=str), []).append(run)
    study = Study.load(root)
    recomputed: dict[str, Path] = {}
    for i, (parameters, members) in enumerate(groups.items()):
        folder = Path(work) / f"build-{i + 1}"
        build_reports(study, folder, only=sorted({Path(run["notebook"]).stem for run in members}),
                      overrides=json.loads(parameters), with_code=bool(manifest.get("with_code")),
                      progress=progress, jobs=jobs)
        for run in members:
            recomputed[run["name"]] = folder / f"{Path(run['notebook']).stem}{FIGURES_SUFFIX}"
    return recomputed


def recorded_figures(reports: Path, run: dict[str, Any]) -> dict[str, Any]:
    """The figures a report recorded; ``WorkbenchError`` when the file is missing or was edited."""
    entry = run.get("figures")
    if not entry:
        return {}
    path = Path(reports) / entry["file"]
    if not path.is_file():
        raise WorkbenchError("a recorded figures file is missing", file=str(path),
                             expected="the reports folder as the build wrote it")
    if sha256(path) != entry["sha256"]:
        raise WorkbenchError("a recorded figures file differs from the one the manifest lists", file=str(path),
                             value=sha256(path), expected=f"sha256 {entry['sha256']}")
    return read_figures(path)


def figure_differences(manifest: dict[str, Any], reports: Path, root: Path, only: list[str] | None = None,
                       progress: Callable[[str], None] = print, jobs: int | None = None) -> tuple[pd.DataFrame, int]:
    """Rebuild and compare: (table of differing figures: report, identifier, recorded, recomputed;
    number of figures compared). Figures agree to a relative 1e-9."""
    runs = {run["name"]: run for run in manifest.get("notebooks", [])}
    recorded = {name: recorded_figures(reports, run) for name, run in runs.items() if chosen(name, only)}
    tables, compared = [], 0
    with tempfile.TemporaryDirectory(prefix="workbench-recompute-") as work:
        files = recompute(manifest, root, Path(work), only=only, progress=progress, jobs=jobs)
        for name, figures in recorded.items():
            again = read_figures(files[name]) if files[name].is_file() else {}
            compared += len(set(figures) | set(again))
            table = compare_figures(figures, again)
            table.insert(0, "report", name)
            tables.append(table)
    columns = ["report", "identifier", "recorded", "recomputed"]
    differences = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    return differences[columns], compared
