"""A study: a folder with a ``study.yaml`` that names its datasets and default parameters.

``Study.read(name)`` reads a dataset with its declared format and encoding, validates it
against its data dictionary and returns the typed table; ``Study.validate()`` checks every
dataset and returns one table of problems. Raw files are only ever read. The format of
``study.yaml`` is described in ``docs/study-format.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.io import read_table
from workbench.schemas import DataDictionary, load_dictionary

STUDY_FILE = "study.yaml"
TABULAR_FORMATS = ("csv", "xlsx", "sav")
#: notebook parameters every study has, with their defaults
DEFAULT_PARAMETERS: dict[str, Any] = {"region": None, "min_cell": 10, "language": "en"}


@dataclass(frozen=True)
class Dataset:
    """One dataset entry of ``study.yaml``."""

    name: str
    path: Path
    format: str
    dictionary: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    sheet: str | int = 0
    description: str = ""


@dataclass
class Study:
    """A loaded study folder; build it with ``Study.load``."""

    root: Path
    title: str
    datasets: dict[str, Dataset]
    parameters: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    spec: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path) -> "Study":
        """Read ``study.yaml`` in ``folder`` and check that it names its datasets properly."""
        root = Path(folder).resolve()
        file = root / STUDY_FILE
        if not file.exists():
            raise WorkbenchError("no study.yaml in this folder", file=str(file),
                                 expected="a study folder (make one with `workbench demo DIR`)")
        try:
            spec = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise WorkbenchError(f"study.yaml is not valid UTF-8 YAML: {err}", file=str(file)) from None
        raw_sets = spec.get("datasets")
        if not isinstance(raw_sets, dict) or not raw_sets:
            raise WorkbenchError("study.yaml names no datasets", file=str(file),
                                 expected="a 'datasets' mapping of name -> {path, format, dictionary}")
        datasets = {}
        for name, entry in raw_sets.items():
            if not isinstance(entry, dict) or "path" not in entry:
                raise WorkbenchError(f"dataset {name!r} has no path", file=str(file), expected="path: data/....")
            fmt = str(entry.get("format") or Path(entry["path"]).suffix.lstrip(".")).lower()
            if fmt in TABULAR_FORMATS and not entry.get("dictionary"):
                raise WorkbenchError(f"dataset {name!r} names no data dictionary", file=str(file),
                                     expected="dictionary: <name in data_schemas/>")
            datasets[name] = Dataset(
                name=name, path=root / entry["path"], format=fmt, dictionary=entry.get("dictionary"),
                encoding=str(entry.get("encoding", "utf-8")), delimiter=str(entry.get("delimiter", ",")),
                decimal=str(entry.get("decimal", ".")), sheet=entry.get("sheet", 0),
                description=str(entry.get("description", "")),
            )
        parameters = {**DEFAULT_PARAMETERS, **(spec.get("parameters") or {})}
        return cls(root=root, title=str(spec.get("title", root.name)), datasets=datasets,
                   parameters=parameters, synthetic=bool(spec.get("synthetic", False)), spec=spec)

    # ---- datasets ---------------------------------------------------------------------------
    def dataset(self, name: str) -> Dataset:
        if name not in self.datasets:
            raise WorkbenchError(f"the study has no dataset {name!r}", file=str(self.root / STUDY_FILE),
                                 expected=", ".join(self.datasets))
        return self.datasets[name]

    def dictionary(self, name: str) -> DataDictionary:
        """The data dictionary of a dataset (study folder first, then ``data_schemas/``)."""
        entry = self.dataset(name)
        if entry.dictionary is None:
            raise WorkbenchError(f"dataset {name!r} has no data dictionary", file=str(self.root / STUDY_FILE))
        return load_dictionary(entry.dictionary, search=[self.root / "data_schemas", self.root])

    def path(self, name: str) -> Path:
        """Path of a dataset's file (for non-tabular data: parameters, qdpx, text)."""
        path = self.dataset(name).path
        if not path.exists():
            raise WorkbenchError(f"dataset {name!r}: file not found", file=str(path))
        return path

    def check(self, name: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        """Read and validate one tabular dataset; return ``(typed_table, problems)``."""
        entry = self.dataset(name)
        file = _relative(entry.path, self.root)
        if entry.format not in TABULAR_FORMATS:
            if not entry.path.exists():
                return None, _problems([{"file": file, "problem": "file not found",
                                         "expected": "the file named in study.yaml"}])
            try:
                self._check_non_tabular(entry)
            except WorkbenchError as err:
                return None, _problems([{"file": file, "problem": err.message, "column": err.column,
                                         "value": err.value, "expected": err.expected}])
            return None, _problems([])
        try:
            raw = read_table(entry.path, entry.format, encoding=entry.encoding, delimiter=entry.delimiter,
                             sheet=entry.sheet)
        except WorkbenchError as err:
            return None, _problems([{"file": file, "problem": err.message, "expected": err.expected}])
        typed, problems = self.dictionary(name).validate(raw.data, file=file, decimal=entry.decimal)
        return typed, problems

    def _check_non_tabular(self, entry: Dataset) -> None:
        """Model parameters and mixed-methods mappings are checked by their own loaders."""
        if entry.format == "parameters":
            from workbench.feasibility.parameters import load_parameters

            load_parameters(entry.path)
        elif entry.format == "mapping":
            from workbench.mixed.joint_display import load_study_mapping, load_study_recommendations

            spec = yaml.safe_load(entry.path.read_text(encoding="utf-8")) or {}
            if "survey" in spec:  # a joint-display mapping
                load_study_mapping(self, entry.name)
            else:  # recommendations refer to the rows of the study's joint-display mapping
                mappings = [d.name for d in self.datasets.values() if d.format == "mapping" and d.name != entry.name]
                for other in mappings:
                    other_spec = yaml.safe_load(self.datasets[other].path.read_text(encoding="utf-8")) or {}
                    if "survey" in other_spec:
                        try:
                            mapping = load_study_mapping(self, other)
                        except WorkbenchError:
                            continue  # reported against the mapping's own file
                        load_study_recommendations(self, mapping, entry.name)

    def read(self, name: str) -> pd.DataFrame:
        """The validated, typed table of a dataset; a ``WorkbenchError`` lists every problem."""
        typed, problems = self.check(name)
        errors = problems[problems["severity"] == "error"]
        if len(errors):
            first = errors.iloc[0]
            raise WorkbenchError(
                f"dataset {name!r} has {len(errors)} problem(s); first: {first['problem']}",
                file=first["file"], row=None if pd.isna(first["row"]) else int(first["row"]),
                column=None if pd.isna(first["column"]) else first["column"], problems=errors,
            )
        assert typed is not None
        return typed

    def validate(self) -> pd.DataFrame:
        """Every problem in every dataset, as one table (empty when the study is valid)."""
        tables = [table for table in (self.check(name)[1] for name in self.datasets) if len(table)]
        return pd.concat(tables, ignore_index=True) if tables else _problems([])

    def input_files(self) -> list[Path]:
        """``study.yaml`` and every dataset file, for the build manifest and cache."""
        files = [self.root / STUDY_FILE] + [d.path for d in self.datasets.values()]
        for entry in self.datasets.values():
            if entry.dictionary:
                try:
                    files.append(Path(self.dictionary(entry.name).source))
                except WorkbenchError:
                    pass
        return sorted(set(files))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _problems(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS + ["severity"])
    frame["severity"] = frame["severity"].fillna("error")
    return frame


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
