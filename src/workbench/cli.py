"""The ``workbench`` command: demo, validate, build, verify.

Problems with the user's input are printed as plain sentences (and, for validation, as one
table of every problem) and the command exits non-zero without a traceback: 2 for invalid
data or arguments, 1 for a failed build.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from workbench.errors import EXIT_FAILED, EXIT_INVALID, WorkbenchError, group_problems, one_line
from workbench.io.safe_yaml import load_yaml, parse_yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDY = PROJECT_ROOT / "demo_study"
DEFAULT_REPORTS = PROJECT_ROOT / "reports"


def _parse_parameters(pairs: Sequence[str], files: Sequence[str]) -> dict[str, Any]:
    """``-p key=value`` pairs (values read as YAML scalars) and parameter files, merged."""
    values: dict[str, Any] = {}
    for file in files:
        loaded = load_yaml(file, what="the parameter file") or {}
        if not isinstance(loaded, dict):
            raise WorkbenchError("a parameter file must be a mapping of name: value", file=file)
        values.update(loaded)
    for pair in pairs:
        if "=" not in pair:
            raise WorkbenchError("a parameter must be written key=value", value=pair, expected="e.g. -p language=ru")
        key, raw = pair.split("=", 1)
        values[key.strip()] = parse_yaml(raw, source=f"-p {key.strip()}", what="the value") if raw.strip() else None
    return values


def _default_study(study: str | None) -> Path:
    """The study folder: the one given, else the current folder when it holds a study.yaml.
    Never the package checkout's demo study: nothing is written into the installed package."""
    if study:
        return Path(study)
    here = Path.cwd()
    if (here / "study.yaml").exists():
        return here
    raise WorkbenchError("no study.yaml in the current folder", file=str(here / "study.yaml"),
                         expected="run in a study folder, or name it (--study DIR; for validate: "
                                  "workbench validate DIR); make a demo study with `workbench demo DIR`")


def _cell(value: Any) -> Any:
    """A problem-table cell as printed: text on one line, whole numbers without ".0"."""
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def print_problems(problems: pd.DataFrame, stream: Any = sys.stdout) -> None:
    """Print a problem table the way a person reads it: identical problems on one line with
    their count and first rows, every cell on one line, empty columns left out."""
    if "severity" not in problems.columns:
        problems = problems.assign(severity="error")
    grouped = group_problems(problems)
    shown = grouped.drop(columns=["severity"]).copy()
    shown.insert(0, "severity", grouped["severity"])
    shown = shown.loc[:, [c for c in shown.columns if shown[c].notna().any()]]
    if "count" in shown.columns and (shown["count"] == 1).all():
        shown = shown.drop(columns=["count"])
    shown = shown.astype(object).where(shown.notna(), "").map(_cell)
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(shown.to_string(index=False), file=stream)


def cmd_demo(args: argparse.Namespace) -> int:
    from workbench.synthetic.demo import write_demo_study

    folder = write_demo_study(args.folder, seed=args.seed, overwrite=args.force)
    print(f"wrote the synthetic demo study (seed {args.seed}) to {folder}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from workbench.study import Study

    study = Study.load(_default_study(args.study))
    _note_outside(study)
    problems = study.validate()
    errors = int((problems["severity"] == "error").sum())
    if len(problems):
        print_problems(problems)
    if errors:
        print(f"\n{errors} problem(s) in {study.root}: the data does not match its dictionaries.", file=sys.stderr)
        return EXIT_INVALID
    warnings = f" ({len(problems)} warning(s) above)" if len(problems) else ""
    print(f"{study.root}: all {len(study.datasets)} datasets are valid{warnings}.")
    return 0


def _note_outside(study: Any) -> None:
    """Say which datasets are read from outside the study folder (allow_outside: true)."""
    for name, path in study.outside_paths():
        print(f"note: dataset {name!r} is read from outside the study folder: {path} (allow_outside: true)",
              file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from workbench.reporting.build import build_reports
    from workbench.study import Study

    overrides = _parse_parameters(args.parameter or [], args.parameters or [])
    study = Study.load(_default_study(args.study))
    _note_outside(study)
    problems = study.validate()
    if (problems["severity"] == "error").any():
        print_problems(problems[problems["severity"] == "error"])
        print("\nthe build refuses invalid data; fix the problems above (see `workbench validate`).",
              file=sys.stderr)
        return EXIT_INVALID
    from workbench.reporting.parameters import ReportParameters

    # language, min_cell and region are checked here, before any kernel starts
    ReportParameters.from_mapping({**study.parameters, **overrides}).validate(study)
    start = time.perf_counter()
    args.reports = args.reports or str(study.root / "reports")  # beside the study unless --reports
    manifest = build_reports(study, Path(args.reports), only=args.only, overrides=overrides,
                             with_code=args.with_code, each=args.each, jobs=args.jobs,
                             progress=lambda line: print(line, file=sys.stderr, flush=True),
                             notebook_dir=Path(args.notebooks), keep_going=args.keep_going)
    ran = sum(not n["reused"] for n in manifest["notebooks"])
    print(f"built {len(manifest['notebooks'])} report(s) ({ran} run, "
          f"{len(manifest['notebooks']) - ran} unchanged) in {time.perf_counter() - start:.1f} s: "
          f"{Path(args.reports).resolve() / 'index.html'}")
    failed = [entry for entry in manifest.get("failed", []) if entry.get("built") == manifest.get("built")]
    for entry in failed:
        print(f"FAILED {entry['name']}: {entry['error']}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} report(s) failed and were not published (--keep-going).", file=sys.stderr)
        return EXIT_FAILED
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check that the recorded inputs are the files on disk; with ``--recompute`` rebuild the
    reports in a temporary folder and compare every recorded figure (exit 1 when any differs)."""
    from workbench.reporting.figures import format_differences
    from workbench.reporting.manifest import MANIFEST, check_inputs, figure_differences, read_manifest, study_root

    reports = Path(args.reports)
    manifest = read_manifest(reports)
    root = study_root(manifest, reports, args.study)
    changed = check_inputs(manifest, root)
    for name, what in changed:
        print(f"{what}: {name}")
    if changed and not args.ignore_inputs:
        print(f"{len(changed)} input(s) of {root} differ from the build recorded in {reports / MANIFEST}",
              file=sys.stderr)
        return EXIT_INVALID
    if not args.recompute:
        print(f"all {len(manifest['inputs'])} inputs of {root} match {reports / MANIFEST} "
              f"(built {manifest.get('built')})")
        return 0
    if changed:
        print(f"{len(changed)} input(s) differ; recomputing anyway (--ignore-inputs)", file=sys.stderr)
    start = time.perf_counter()
    differences, compared = figure_differences(manifest, reports, root, only=args.only, jobs=args.jobs,
                                               progress=lambda line: print(line, file=sys.stderr, flush=True))
    seconds = time.perf_counter() - start
    if len(differences):
        print(format_differences(differences))
        print(f"{len(differences)} of {compared} recorded figures differ (recomputed in {seconds:.1f} s)",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"0 differences: all {compared} recorded figures recomputed alike (relative 1e-9) in {seconds:.1f} s")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="write the seeded synthetic demo study")
    demo.add_argument("folder", nargs="?", default="demo_study", help="(default: demo_study in the current folder)")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument("--force", action="store_true", help="replace an existing demo study")
    demo.set_defaults(func=cmd_demo)

    validate = sub.add_parser("validate", help="check every dataset against its data dictionary")
    validate.add_argument("study", nargs="?", default=None)
    validate.set_defaults(func=cmd_validate)

    build = sub.add_parser("build", help="run the notebooks and export offline reports")
    build.add_argument("--study", default=None, help="study folder (default: the current folder)")
    build.add_argument("--only", nargs="+", default=None, metavar="NAME", help="only these notebooks")
    build.add_argument("-p", "--parameter", action="append", metavar="KEY=VALUE", help="notebook parameter")
    build.add_argument("--parameters", action="append", metavar="FILE", help="YAML file of parameters")
    build.add_argument("--each", default=None, metavar="NAME", help="one edition per value (e.g. region)")
    build.add_argument("--with-code", action="store_true", help="researchers' edition with code cells")
    build.add_argument("--reports", default=None, help="output folder (default: <study>/reports)")
    build.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores)")
    build.add_argument("--notebooks", default=str(PROJECT_ROOT / "notebooks"), help="folder of report notebooks")
    build.add_argument("--keep-going", action="store_true",
                       help="publish the reports that succeeded even when others fail (default: all or nothing)")
    build.set_defaults(func=cmd_build)

    verify = sub.add_parser("verify", help="check the inputs recorded in reports/manifest.json "
                                           "(--recompute: rebuild and compare every recorded figure)")
    verify.add_argument("--reports", default=str(DEFAULT_REPORTS))
    verify.add_argument("--study", default=None, help="study folder (default: where the manifest places it)")
    verify.add_argument("--recompute", action="store_true", help="rebuild the reports and compare their figures")
    verify.add_argument("--ignore-inputs", action="store_true",
                        help="recompute even when inputs changed (to see which figures moved)")
    verify.add_argument("--only", nargs="+", default=None, metavar="NAME", help="recompute only these reports")
    verify.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores)")
    verify.set_defaults(func=cmd_verify)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", "absent") is None:
        from workbench.synthetic.demo import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args))
    except WorkbenchError as err:
        print(f"error: {err}", file=sys.stderr)
        if err.problems is not None and len(err.problems):
            print_problems(err.problems, stream=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
