"""Time a cold build of every demo report and a no-change rebuild (which should run nothing).

Run: .venv/bin/python benchmarks/bench_build.py   (or `make bench`)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.synthetic.demo import write_demo_study


def timed_build(study: Path, reports: Path, *extra: str) -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--reports",
                    str(reports), *extra], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, json.loads((reports / "manifest.json").read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        study = write_demo_study(base / "demo")
        cold, manifest = timed_build(study, base / "reports")
        warm, again = timed_build(study, base / "reports")
        ran = sum(not n["reused"] for n in again["notebooks"])
        print("| build | notebooks run | seconds |")
        print("|---|---|---|")
        print(f"| cold (every notebook) | {len(manifest['notebooks'])} | {cold:.1f} |")
        print(f"| no-change rebuild | {ran} | {warm:.1f} |")
        print()
        print("| notebook | seconds (cold) |")
        print("|---|---|")
        for run in manifest["notebooks"]:
            print(f"| {run['name']} | {run['seconds']:.1f} |")


if __name__ == "__main__":
    main()
