"""Harness for the hostile-input tests: a damaged copy of the demo study, the real CLI.

Each case copies the demo study to a temporary folder, damages one input, and calls
``HostileStudy.refused(...)``, which runs ``workbench validate`` and ``workbench build`` as
subprocesses and asserts, for each command: the exit code (2 for bad input), no Python
traceback, the words that name the problem in the output, no literal ``\\n`` in the output,
every file of the study folder (and any outside file the case names) byte-identical before
and after, and a reports folder from an earlier build unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import pytest
import yaml

from workbench.synthetic.demo import write_demo_study

#: the smallest report, built only if a case wrongly passes validation
PROBE_REPORT = "00_data_overview"


def tree_hashes(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (a file root hashes itself), by path."""
    hashes = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


@dataclass
class Outcome:
    command: str
    returncode: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


class HostileStudy:
    """A copy of the demo study to damage, with helpers to edit it and run the CLI on it."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root = root
        self.work = work
        self.reports = work / "reports"
        self.reports.mkdir()
        (self.reports / "index.html").write_text("<html>an earlier build</html>\n", encoding="utf-8")
        (self.reports / "manifest.json").write_text('{"built": "earlier"}\n', encoding="utf-8")

    # ---- editing ------------------------------------------------------------------------------
    @property
    def study_file(self) -> Path:
        return self.root / "study.yaml"

    def spec(self) -> dict[str, Any]:
        return yaml.safe_load(self.study_file.read_text(encoding="utf-8"))

    def write_spec(self, spec: dict[str, Any]) -> None:
        self.study_file.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def keep(self, *names: str) -> None:
        """Keep only these datasets in study.yaml (faster runs; the files stay on disk)."""
        spec = self.spec()
        spec["datasets"] = {name: spec["datasets"][name] for name in names}
        self.write_spec(spec)

    def set_dataset(self, name: str, **entry: Any) -> None:
        spec = self.spec()
        spec["datasets"].setdefault(name, {}).update(entry)
        self.write_spec(spec)

    def path(self, dataset: str) -> Path:
        return self.root / self.spec()["datasets"][dataset]["path"]

    def copy_dictionary(self, name: str) -> Path:
        """Copy a package dictionary into the study's own data_schemas/ (which takes precedence)."""
        source = Path(__file__).resolve().parents[2] / "data_schemas" / f"{name}.yaml"
        target = self.root / "data_schemas" / f"{name}.yaml"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, target)
        return target

    @staticmethod
    def replace_in(path: Path, old: str, new: str) -> None:
        """Replace the first ``old`` in a text file by ``new`` (``old`` must be there)."""
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def edit_dictionary(self, name: str, old: str, new: str) -> Path:
        """Copy a package dictionary into the study and replace ``old`` by ``new`` in it."""
        path = self.copy_dictionary(name)
        self.replace_in(path, old, new)
        return path

    def edit_line(self, dataset: str, row: int, change: Callable[[str], str]) -> int:
        """Rewrite the text line of data row ``row`` (1-based) of a CSV; return its editor line."""
        lines = self.csv_lines(dataset)
        line = sum(1 for text in lines if text.startswith("#")) + 1 + row
        lines[line - 1] = change(lines[line - 1].rstrip("\n")) + "\n"
        self.path(dataset).write_text("".join(lines), encoding="utf-8")
        return line

    def csv_lines(self, dataset: str) -> list[str]:
        return self.path(dataset).read_text(encoding="utf-8").splitlines(keepends=True)

    def table(self, dataset: str) -> tuple[list[str], pd.DataFrame]:
        """The preamble lines and the cells (as text) of a CSV dataset."""
        lines = self.csv_lines(dataset)
        preamble = [line for line in lines if line.startswith("#")]
        frame = pd.read_csv(self.path(dataset), skiprows=len(preamble), dtype=str, keep_default_na=False)
        return preamble, frame

    def write_table(self, dataset: str, preamble: list[str], frame: pd.DataFrame) -> None:
        with open(self.path(dataset), "w", encoding="utf-8", newline="") as handle:
            handle.writelines(preamble)
            frame.to_csv(handle, index=False, lineterminator="\n")

    def edit_table(self, dataset: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
        preamble, frame = self.table(dataset)
        result = change(frame)
        self.write_table(dataset, preamble, frame if result is None else result)

    # ---- running ------------------------------------------------------------------------------
    def run(self, *args: str) -> Outcome:
        result = subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                                timeout=600, cwd=self.work)
        return Outcome(" ".join(args[:1]), result.returncode, result.stdout, result.stderr)

    def validate(self) -> Outcome:
        return self.run("validate", str(self.root))

    def build(self, *extra: str) -> Outcome:
        return self.run("build", "--study", str(self.root), "--reports", str(self.reports),
                        "--only", PROBE_REPORT, *extra)

    def refused(self, *words: str, commands: Iterable[str] = ("validate", "build"), code: int = 2,
                also: Iterable[Path] = (), extra: Iterable[str] = ()) -> str:
        """Run the commands; assert each refuses the study cleanly; return the combined output.

        ``words`` must all appear in the output (case-insensitive); ``also`` are files outside
        the study that must stay byte-identical too; ``extra`` are arguments for ``build``.
        """
        before = tree_hashes(self.root, *also)
        reports_before = tree_hashes(self.reports)
        texts = []
        for command in commands:
            outcome = self.validate() if command == "validate" else self.build(*extra)
            text = outcome.text
            assert outcome.returncode == code, f"{command}: exit {outcome.returncode}\n{text}"
            assert "Traceback" not in text, f"{command}: traceback\n{text}"
            assert "\\n" not in text, f"{command}: a literal \\n in the output\n{text}"
            for word in words:
                assert word.lower() in text.lower(), f"{command}: {word!r} not in the output\n{text}"
            assert tree_hashes(self.root, *also) == before, f"{command}: an input file changed"
            assert tree_hashes(self.reports) == reports_before, f"{command}: reports/ changed on failure"
            texts.append(text)
        return "\n".join(texts)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_study(tmp_path_factory.mktemp("security") / "demo")


@pytest.fixture
def hostile(demo_template: Path, tmp_path: Path) -> HostileStudy:
    """A fresh copy of the demo study in ``tmp_path/study`` to damage."""
    root = tmp_path / "study"
    shutil.copytree(demo_template, root)
    return HostileStudy(root, tmp_path)


@pytest.fixture
def hash_tree() -> Callable[..., dict[str, str]]:
    """``tree_hashes`` for tests that check read-only behaviour at library level."""
    return tree_hashes
