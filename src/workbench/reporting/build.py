"""The report build: execute the notebooks with papermill, export offline HTML, swap in.

``build_reports`` runs every notebook of ``notebooks/`` (or those named) against a study,
in parallel up to the number of cores, exports each to one self-contained HTML file
(nbconvert, template ``workbench_offline``), writes ``index.html`` and ``manifest.json``
into a temporary folder next to ``reports/`` and replaces ``reports/`` only when every
notebook succeeded. A notebook whose inputs, code and parameters are unchanged since the
last successful build is not re-run: its previous HTML (and annex) is carried over.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

from workbench.errors import EXIT_FAILED, WorkbenchError
from workbench.regions import study_regions
from workbench.reporting.index import write_index
from workbench.reporting.manifest import MANIFEST, make_manifest, run_entry
from workbench.reporting.notebook import FINDINGS_SUFFIX
from workbench.reporting.parameters import for_notebook
from workbench.reporting.reproducible import normalise_xlsx
from workbench.study import Study, sha256

PROJECT_ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PACKAGE_DIR = PROJECT_ROOT / "src" / "workbench"
SCHEMA_DIR = PROJECT_ROOT / "data_schemas"
TEMPLATE_DIR = Path(__file__).with_name("templates")
KERNEL = "workbench"


@dataclass
class NotebookJob:
    """One notebook run: which notebook, with which parameters, into which file name."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    output: str  # HTML file name in reports/
    key: str = ""  # cache key: hash of notebook, code, inputs and parameters


@dataclass
class NotebookResult:
    job: NotebookJob
    ok: bool
    seconds: float
    reused: bool = False
    error: str = ""
    outputs: list[str] = field(default_factory=list)


class BuildFailed(WorkbenchError):
    """A notebook raised; the message names the notebook and the failing cell."""

    exit_code = EXIT_FAILED  # the input passed validation: the run, not the data, failed


def ensure_kernel() -> str:
    """The Jupyter kernel the build runs: this environment's Python, installed when missing.

    A kernel of its own name (not ``python3``) so that a user-level ``python3`` kernel of
    another Python can never be picked up by mistake.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if KERNEL not in specs:
        from ipykernel.kernelspec import install

        install(prefix=sys.prefix, kernel_name=KERNEL, display_name="Python (workbench)")
    return KERNEL


def find_notebooks(only: list[str] | None = None, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The report notebooks, in name order; ``only`` keeps those whose name starts with an item."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))
    if only:
        chosen = [p for p in notebooks if any(p.stem == o or p.stem.startswith(o) for o in only)]
        unknown = [o for o in only if not any(p.stem == o or p.stem.startswith(o) for p in notebooks)]
        if unknown:
            raise WorkbenchError("no such notebook", value=unknown,
                                 expected=", ".join(p.stem for p in notebooks))
        return chosen
    return notebooks


def _tree_hash(folders: list[Path], patterns: tuple[str, ...]) -> str:
    """One hash over the files of ``folders`` that match ``patterns`` (names and bytes)."""
    import hashlib

    digest = hashlib.sha256()
    for folder in folders:
        for pattern in patterns:
            for path in sorted(folder.rglob(pattern)):
                if "__pycache__" in path.parts:
                    continue
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def plan_jobs(study: Study, notebooks: list[Path], overrides: dict[str, Any], with_code: bool,
              each: str | None = None) -> list[NotebookJob]:
    """One job per notebook (per value of ``each`` when given, e.g. one per region)."""
    base = {**study.parameters, **overrides, "study": str(study.root)}
    editions: list[tuple[str, dict[str, Any]]] = [("", {})]
    if each:
        values = ([r.name for r in study_regions(study)] if each == "region"  # entries may be mappings
                  else study.spec.get(f"{each}s") or study.spec.get(each))
        if not values:
            raise WorkbenchError(f"study.yaml lists no values for --each {each}",
                                 file=str(study.root / "study.yaml"), expected=f"a list '{each}s: [...]'")
        editions = [(f"__{each}-{_slug(v)}", {each: v}) for v in values]
    inputs = {str(p): sha256(p) for p in study.input_files() if p.is_file()}
    code = _tree_hash([PACKAGE_DIR, SCHEMA_DIR], ("*.py", "*.yaml", "*.tpl", "*.j2", "*.css"))
    jobs = []
    for notebook in notebooks:
        for suffix, extra in editions:
            parameters = {**base, **extra}
            job = NotebookJob(name=notebook.stem + suffix, notebook=notebook, parameters=parameters,
                              output=f"{notebook.stem}{suffix}.html")
            key_source = json.dumps({"notebook": sha256(notebook), "code": code, "inputs": inputs,
                                     "parameters": parameters, "with_code": with_code}, sort_keys=True,
                                    default=str)
            import hashlib

            job.key = hashlib.sha256(key_source.encode()).hexdigest()
            jobs.append(job)
    return jobs


def _slug(value: Any) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(value)).strip("-")


def run_notebook(job: NotebookJob, out_dir: str, with_code: bool) -> NotebookResult:
    """Execute one notebook with papermill and export it; runs in a worker process."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    out = Path(out_dir)
    executed = out / "_executed" / f"{job.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    # each notebook receives only the parameters its parameters cell declares
    parameters = for_notebook(job.notebook, {**job.parameters, "output_dir": str(out), "edition": job.name})
    # the kernel's own stderr chatter (e.g. ipykernel's TCP notice) goes to a log, not the console
    log = open(executed.with_suffix(".log"), "w")  # noqa: SIM115 - kept open for the worker's life
    os.dup2(log.fileno(), 2)
    # the kernel inherits this: string hashing, hence the order of sets of names (graph nodes,
    # codes), is the same in every build, so that sums over them and ties sort alike
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        papermill.execute_notebook(str(job.notebook), str(executed), parameters=parameters, kernel_name=KERNEL,
                                   progress_bar=False, cwd=str(job.notebook.parent), log_output=False)
    except PapermillExecutionError as err:
        message = (f"notebook {job.notebook.name} failed in {_source_cell(executed, err.cell_index)}: "
                   f"{err.ename}: {err.evalue}")
        return NotebookResult(job, ok=False, seconds=time.perf_counter() - start, error=message)
    except Exception as err:  # kernel died, notebook unreadable, ...
        return NotebookResult(job, ok=False, seconds=time.perf_counter() - start,
                              error=f"notebook {job.notebook.name} could not run: {type(err).__name__}: {err}")
    export_html(executed, out / job.output, with_code=with_code,
                title=report_title(job.notebook, out / f"{job.name}{FINDINGS_SUFFIX}",
                                   str(job.parameters.get("language", "en"))),
                language=str(job.parameters.get("language", "en")))
    if _wants_pdf(job.notebook):
        from workbench.reporting.pdf import print_pdf

        try:
            print_pdf(out / job.output, out / f"{job.name}.pdf")
        except Exception as err:  # the browser failed: report it as this notebook's failure
            return NotebookResult(job, ok=False, seconds=time.perf_counter() - start,
                                  error=f"notebook {job.notebook.name}: printing the PDF failed: {err}")
    produced = sorted({p.name for pattern in (f"{job.name}.html", f"{job.name}.pdf", f"{job.name}_*.xlsx",
                                              f"{job.name}.figures.json", f"{job.name}{FINDINGS_SUFFIX}")
                       for p in out.glob(pattern) if p.is_file()})
    for name in produced:
        if name.endswith(".xlsx"):
            normalise_xlsx(out / name)  # byte-identical annexes: no write times inside
    return NotebookResult(job, ok=True, seconds=time.perf_counter() - start, outputs=produced)


def _wants_pdf(notebook: Path) -> bool:
    """A notebook asks for a PDF edition with ``metadata.workbench.pdf: true``."""
    import nbformat

    return bool(nbformat.read(notebook, as_version=4).metadata.get("workbench", {}).get("pdf", False))


#: tags of the cells papermill adds to the executed copy (parameters; on failure an error
#: banner at the top and an anchor just before the failing cell)
_PAPERMILL_CELLS = ("injected-parameters", "papermill-error-cell-tag")


def _source_cell(executed: Path, index: int) -> str:
    """Name a failing cell as the author sees it: its number in the source notebook and its
    first line of code, then the line that raised when it is another one. The failing cell is
    the code cell with an error output; cells that papermill added are not counted (they
    shift the executed copy's numbering). The line comes from the traceback's first frame,
    IPython's "Cell In[n], line k"."""
    import re

    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # the executed copy may be incomplete; fall back to papermill's number
        return f"cell {index + 1}"
    own = [c for c in cells if not set(c.metadata.get("tags", [])) & set(_PAPERMILL_CELLS)]
    failing = next((i for i, c in enumerate(own) if c.cell_type == "code"
                    and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    if failing is None:
        return f"cell {index + 1}"
    lines = own[failing].source.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)  # IPython drops leading blank lines
    where = f"cell {failing + 1} ({lines[start].strip()[:60] if lines else ''!r})"
    error = next(o for o in own[failing].outputs if o.get("output_type") == "error")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.get("traceback", [])))
    frame = re.search(r"Cell In\[\d+\], line (\d+)", plain)
    number = start + int(frame.group(1)) if frame else 0
    if start + 1 < number <= len(lines):
        where += f", line {number} ({lines[number - 1].strip()[:60]!r})"
    return where


def report_title(notebook: Path, findings: Path, language: str) -> str:
    """A report's title: the one its notebook showed (``Report.begin``, kept in the findings
    file), else the notebook's ``metadata.workbench.title`` or first heading."""
    try:
        title = json.loads(findings.read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        title = None
    return title or notebook_titles([notebook])[notebook.stem].get(language) or notebook.stem


def export_html(executed: Path, target: Path, with_code: bool = False, title: str | None = None,
                language: str = "en") -> None:
    """Export an executed notebook to one offline HTML file.

    The readers' edition hides code cells and markdown cells: markdown cells are notes for
    researchers (in one language), while report text comes from the message catalogue in
    the report's language. ``with_code`` gives the researchers' edition with both.
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    if title:  # nbconvert's <title> (and the PDF's) come from metadata.title
        notebook.metadata["title"] = title
    for number, cell in enumerate(notebook.cells):  # papermill gives its cells random ids: fix them
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = f"injected-parameters-{number}"
    exporter = HTMLExporter(template_name="workbench_offline", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.language_code = language  # <html lang="...">
    exporter.exclude_input = not with_code
    exporter.exclude_markdown = not with_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(notebook)
    target.write_text(body, encoding="utf-8")


def _previous_manifest(reports: Path) -> dict[str, Any]:
    try:
        return json.loads((reports / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build_reports(study: Study, reports: Path, *, only: list[str] | None = None,
                  overrides: dict[str, Any] | None = None, with_code: bool = False, each: str | None = None,
                  jobs: int | None = None, progress: Callable[[str], None] = print,
                  notebook_dir: Path = NOTEBOOK_DIR, keep_going: bool = False) -> dict[str, Any]:
    """Build the reports of ``study`` into ``reports``; return the manifest.

    Raises ``BuildFailed`` (reports untouched) when a notebook fails. With ``keep_going``
    the reports that succeeded are published all the same, as long as one did: the failed
    ones are listed in the manifest's ``failed`` (name, notebook, error), marked "failed" in
    the index, and none of their files (nor an older version of them) is published.
    """
    reports = Path(reports).resolve()
    notebooks = find_notebooks(only, notebook_dir)
    if not notebooks:
        raise WorkbenchError("no notebooks to build", file=str(notebook_dir))
    planned = plan_jobs(study, notebooks, overrides or {}, with_code, each)
    ensure_kernel()
    previous = _previous_manifest(reports)
    previous_runs = {run["name"]: run for run in previous.get("notebooks", [])}
    reports.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".reports-", dir=reports.parent))
    staging.chmod(0o755)
    started = datetime.now(timezone.utc)
    results: list[NotebookResult] = []
    try:
        to_run = []
        for job in planned:
            old = previous_runs.get(job.name)
            if old and old.get("key") == job.key and all((reports / f).exists() for f in old.get("outputs", [])):
                for file in old["outputs"]:
                    shutil.copy2(reports / file, staging / file)
                results.append(NotebookResult(job, ok=True, seconds=old.get("seconds", 0.0), reused=True,
                                              outputs=old["outputs"]))
                progress(f"unchanged  {job.name} (kept from the last build)")
            else:
                to_run.append(job)
        workers = max(1, min(jobs or os.cpu_count() or 1, len(to_run) or 1))
        if to_run:
            progress(f"running {len(to_run)} notebook(s) on {workers} worker(s)")
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(run_notebook, job, str(staging), with_code): job for job in to_run}
                for job in to_run:
                    progress(f"started    {job.name}")
                for future in as_completed(futures):
                    result = future.result()
                    results.append(result)
                    status = "done" if result.ok else "FAILED"
                    progress(f"{status:<10} {result.job.name} ({result.seconds:.1f} s)")
        failures = [r for r in results if not r.ok]
        if failures and not (keep_going and len(failures) < len(results)):
            raise BuildFailed("; ".join(r.error for r in failures)
                              + f". The previous reports in {reports} are unchanged.")
        shutil.rmtree(staging / "_executed", ignore_errors=True)
        if failures:  # --keep-going: publish the others; nothing of a failed report goes out
            _drop_outputs(failures, results, staging)
            results = [r for r in results if r.ok]
        order = {job.name: i for i, job in enumerate(planned)}
        results.sort(key=lambda r: order[r.job.name])
        kept = _keep_other_reports(previous_runs, set(order), reports, staging) if only else []
        runs = [run_entry(r.job.name, r.job.notebook.name, r.job.key, r.job.parameters, r.seconds, r.reused,
                          r.outputs, staging) for r in results]
        manifest = make_manifest(study, reports, built=started.isoformat(timespec="seconds"),
                                 parameters={**study.parameters, **(overrides or {})}, with_code=with_code,
                                 each=each, runs=runs + kept)
        manifest["failed"] = _failed_entries(failures, previous, set(order), manifest["built"])
        write_index(staging / "index.html", study, manifest, notebook_titles(find_notebooks(None, notebook_dir)))
        manifest["build_seconds"] = round((datetime.now(timezone.utc) - started).total_seconds(), 2)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                                        encoding="utf-8")
        _swap_in(staging, reports)
        return manifest
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _drop_outputs(failures: list[NotebookResult], results: list[NotebookResult], staging: Path) -> None:
    """Remove what failed notebooks left in the staging folder (e.g. an annex written before
    the failing cell), sparing the files of the notebooks that succeeded."""
    claimed = {name for r in results if r.ok for name in r.outputs}
    for failure in failures:
        name = failure.job.name
        for pattern in (f"{name}.html", f"{name}.pdf", f"{name}_*.xlsx", f"{name}.figures.json",
                        f"{name}{FINDINGS_SUFFIX}"):
            for path in staging.glob(pattern):
                if path.name not in claimed:
                    path.unlink()


def _failed_entries(failures: list[NotebookResult], previous: dict[str, Any], built: set[str],
                    when: str) -> list[dict[str, Any]]:
    """The manifest's ``failed`` list: this build's failures (``built`` = ``when``), plus earlier
    ones not rebuilt now (with the time of the build they failed in)."""
    entries = [{"name": r.job.name, "notebook": r.job.notebook.name, "error": r.error, "built": when}
               for r in failures]
    return sorted(entries + [f for f in previous.get("failed", []) if f.get("name") not in built],
                  key=lambda entry: entry["name"])


def _keep_other_reports(previous_runs: dict[str, dict[str, Any]], built: set[str], reports: Path,
                        staging: Path) -> list[dict[str, Any]]:
    """With ``--only``, the reports not rebuilt stay: copy their files and manifest entries."""
    kept = []
    for name, run in previous_runs.items():
        if name in built or not all((reports / f).exists() for f in run.get("outputs", [])):
            continue
        for file in run["outputs"]:
            shutil.copy2(reports / file, staging / file)
        kept.append({**run, "reused": True})
    return kept


def _swap_in(staging: Path, reports: Path) -> None:
    """Replace ``reports`` by ``staging`` with two renames (the old folder is then removed)."""
    old = None
    if reports.exists():
        old = reports.with_name(f".{reports.name}-old-{os.getpid()}")
        reports.rename(old)
    staging.rename(reports)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def notebook_titles(notebooks: list[Path]) -> dict[str, dict[str, str]]:
    """Report titles from each notebook's metadata (``workbench.title``) or first heading."""
    import nbformat

    titles = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("workbench", {}).get("title")
        if isinstance(meta, dict):
            titles[path.stem] = meta
            continue
        heading = next((line.lstrip("# ").strip() for c in nb.cells if c.cell_type == "markdown"
                        for line in c.source.splitlines() if line.startswith("#")), path.stem)
        titles[path.stem] = {"en": heading, "ru": heading}
    return titles


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `workbench build`")
