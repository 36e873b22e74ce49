"""A study: a folder with a ``study.yaml`` that names its datasets and default parameters.

``Study.read(name)`` reads a dataset with its declared format and encoding, validates it
against its data dictionary and returns the typed table; ``Study.validate()`` checks every
dataset and returns one table of problems. Raw files are only ever read. The format of
``study.yaml`` is described in ``docs/study-format.md``.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from workbench.disclosure import DEFAULT_MIN_CELL
from workbench.errors import PROBLEM_COLUMNS, WorkbenchError
from workbench.io import read_table
from workbench.io.readers import read_sav_declarations
from workbench.io.keys import DATASET_KEYS, STUDY_KEYS, raise_problems, suggestion, unknown_keys
from workbench.io.safe_yaml import load_yaml
from workbench.regions import parse_regions
from workbench.schemas import DataDictionary, load_dictionary

STUDY_FILE = "study.yaml"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
TABULAR_FORMATS = ("csv", "xlsx", "sav")
#: every dataset format: tables, and kinds checked by their own loaders
FORMATS = (*TABULAR_FORMATS, "parameters", "mapping", "qdpx", "folder")
#: notebook parameters every study has, with their defaults
DEFAULT_PARAMETERS: dict[str, Any] = {"region": None, "min_cell": DEFAULT_MIN_CELL, "language": "en"}


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
    description: str = ""  # in English (or the one text given)
    model: str | None = None
    allow_outside: bool = False
    offsets: str = "auto"
    descriptions: dict[str, str] = field(default_factory=dict)  # the description by report language

    def description_in(self, language: str) -> str:
        """The description in ``language`` (``description: {en: ..., ru: ...}``), else the English one."""
        return self.descriptions.get(language, self.description)


def _titles(raw: Any, file: str, column: str = "title") -> dict[str, str]:
    """A study.yaml text (``title``, a dataset's ``description``): one text, or one text per
    report language (``en`` required)."""
    if isinstance(raw, dict):
        bad = [str(k) for k, v in raw.items() if k not in ("en", "ru") or not isinstance(v, str)]
        if bad or "en" not in raw:
            raise WorkbenchError(f"{column} must be a text or a mapping of en/ru to texts", file=file, column=column,
                                 value=raw, expected=f"{column}: {{en: ..., ru: ...}}")
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, (list, bool)) or raw is None:
        raise WorkbenchError(f"{column} must be a text", file=file, column=column, value=raw,
                             expected=f"{column}: one text, or {column}: {{en: ..., ru: ...}}")
    return {"en": str(raw)}


@dataclass
class Study:
    """A loaded study folder; build it with ``Study.load``."""

    root: Path
    title: str
    datasets: dict[str, Dataset]
    parameters: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    spec: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # the title by report language

    def title_in(self, language: str) -> str:
        """The study's title in ``language`` (study.yaml ``title: {en: ..., ru: ...}``), else its one title."""
        return self.titles.get(language, self.title)

    @classmethod
    def load(cls, folder: str | Path) -> "Study":
        """Read ``study.yaml`` in ``folder`` and check that it names its datasets properly.

        Unknown keys are errors with a did-you-mean suggestion; every dataset path must lie
        inside the study folder (symbolic links resolved) unless the dataset says
        ``allow_outside: true``; region codes must be text (``NO`` unquoted is a boolean).
        """
        root = Path(folder).resolve()
        file = root / STUDY_FILE
        if not file.exists():
            raise WorkbenchError("no study.yaml in this folder", file=str(file),
                                 expected="a study folder (make one with `workbench demo DIR`)")
        spec = load_yaml(file, what="study.yaml") or {}
        if not isinstance(spec, dict):
            raise WorkbenchError("study.yaml is not a mapping of key: value", file=str(file),
                                 expected="title, datasets, parameters, ...")
        problems = unknown_keys(spec, STUDY_KEYS, file=str(file), where="study.yaml")
        raw_sets = spec.get("datasets")
        if not isinstance(raw_sets, dict) or not raw_sets:
            raise_problems(problems, file=str(file))
            raise WorkbenchError("study.yaml names no datasets", file=str(file),
                                 expected="a 'datasets' mapping of name -> {path, format, dictionary}")
        datasets = {}
        for name, entry in raw_sets.items():
            if isinstance(entry, dict):
                problems += unknown_keys(entry, DATASET_KEYS, file=str(file), where=f"dataset {name!r}")
            if not isinstance(entry, dict) or "path" not in entry:
                raise_problems(problems, file=str(file))
                raise WorkbenchError(f"dataset {name!r} has no path", file=str(file), expected="path: data/....")
            datasets[str(name)] = _dataset(str(name), entry, root, str(file))
        raise_problems(problems, file=str(file))
        parse_regions(spec.get("regions"), file=str(file))  # the study's regions (workbench.regions)
        if not isinstance(spec.get("parameters") or {}, dict):
            raise WorkbenchError("parameters must be a mapping of name: value", file=str(file),
                                 column="parameters", value=spec["parameters"], expected="{min_cell: 10, ...}")
        parameters = {**DEFAULT_PARAMETERS, **(spec.get("parameters") or {})}
        titles = _titles(spec.get("title", root.name), str(file))
        return cls(root=root, title=titles["en"], titles=titles, datasets=datasets,
                   parameters=parameters, synthetic=bool(spec.get("synthetic", False)), spec=spec)

    def outside_paths(self) -> list[tuple[str, Path]]:
        """Datasets read from outside the study folder (each opted in with ``allow_outside``)."""
        return [(d.name, d.path) for d in self.datasets.values() if not d.path.is_relative_to(self.root)]

    # ---- datasets ---------------------------------------------------------------------------
    def dataset(self, name: str) -> Dataset:
        if name not in self.datasets:
            raise WorkbenchError(f"the study has no dataset {name!r}", file=str(self.root / STUDY_FILE),
                                 expected=", ".join(self.datasets))
        return self.datasets[name]

    def dictionary(self, name: str) -> DataDictionary:
        """The data dictionary of a dataset (study folder first, then ``data_schemas/``).

        For an SPSS dataset the file's value labels and user-missing codes fill in where the
        dictionary is silent (``DataDictionary.with_file_declarations``). A dictionary named by a path (``*.yaml``) must lie inside the study folder (unless the
        dataset has ``allow_outside``); one named by name is a plain file name.
        """
        entry = self.dataset(name)
        study_file = str(self.root / STUDY_FILE)
        if entry.dictionary is None:
            raise WorkbenchError(f"dataset {name!r} has no data dictionary", file=study_file)
        reference = str(entry.dictionary)
        if Path(reference).suffix in (".yaml", ".yml"):
            dictionary = load_dictionary(resolve_inside(self.root, reference, allow_outside=entry.allow_outside,
                                                        file=study_file, where=f"dataset {name!r}",
                                                        column="dictionary"))
        elif not _NAME.match(reference):
            raise WorkbenchError(f"dataset {name!r}: a dictionary name must be a plain name", file=study_file,
                                 column="dictionary", value=reference,
                                 expected="letters, digits, _ or - (or a .yaml path inside the study folder)")
        else:
            dictionary = load_dictionary(reference, search=[self.root / "data_schemas", self.root])
        if entry.format == "sav" and entry.path.is_file():  # the file's labels fill what the dictionary leaves open
            dictionary = dictionary.with_file_declarations(*read_sav_declarations(entry.path))
        return replace(dictionary, regions=parse_regions(self.spec.get("regions"), file=study_file))

    def path(self, name: str) -> Path:
        """Path of a dataset's file (for non-tabular data: parameters, qdpx, text)."""
        path = self.dataset(name).path
        if not path.exists():
            raise WorkbenchError(f"dataset {name!r}: file not found", file=str(path))
        return path

    def check(self, name: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        """Read and validate one dataset; return ``(typed_table, problems)`` (no table for
        non-tabular datasets, which are checked by their own loaders)."""
        entry = self.dataset(name)
        file = _relative(entry.path, self.root)
        if not entry.path.exists():
            return None, _problems([{"file": file, "problem": "file not found",
                                     "expected": "the file named in study.yaml"}])
        if entry.format not in TABULAR_FORMATS:
            try:
                self._check_non_tabular(entry)
            except WorkbenchError as err:
                return None, self._error_rows(err, file)
            return None, _problems([])
        try:
            dictionary = self.dictionary(name)
            raw = read_table(entry.path, entry.format, encoding=entry.encoding, delimiter=entry.delimiter,
                             sheet=entry.sheet)
        except WorkbenchError as err:
            return None, self._error_rows(err, file)
        typed, problems = dictionary.validate(raw.data, file=file, decimal=entry.decimal)
        if raw.lines is not None and len(problems):
            rows = problems["row"].astype("Int64")
            problems["line"] = pd.array([None if pd.isna(r) else raw.lines[int(r) - 1] for r in rows], dtype="Int64")
        extra = dictionary.declaration_problems(raw.value_labels, raw.user_missing, file=file)
        extra += self._file_problems(typed, dictionary, entry, file, raw.lines)
        source = _relative(Path(dictionary.source), self.root)
        extra += [{"file": source, "column": where.split("'")[1] if "'" in where else None,
                   "problem": f"{where} has no Russian text; Russian reports would show the English one",
                   "expected": "label: {en: ..., ru: ...}", "severity": "warning"}
                  for where in dictionary.untranslated]
        if extra:
            problems = _problems(problems.to_dict("records") + extra)
        return typed, problems

    def _file_problems(self, typed: pd.DataFrame, dictionary: DataDictionary, entry: Dataset, file: str,
                       lines: list[int] | None) -> list[dict[str, Any]]:
        """Variables with role ``file`` name files of the study (e.g. transcripts): each must
        lie inside the study folder (unless ``allow_outside``) and exist."""
        problems = []
        ids = typed[dictionary.id] if dictionary.id in typed.columns else None
        for name in dictionary.by_role("file"):
            if name not in typed.columns:
                continue
            for pos, value in enumerate(typed[name]):
                if pd.isna(value):
                    continue
                where = {"file": file, "line": None if lines is None else lines[pos], "row": pos + 1,
                         "record_id": None if ids is None else ids.iloc[pos], "column": name, "value": value}
                try:
                    path = resolve_inside(self.root, value, allow_outside=entry.allow_outside)
                except WorkbenchError as err:
                    problems.append({**where, "problem": err.message,
                                     "expected": err.expected})
                    continue
                if not path.is_file():
                    problems.append({**where, "problem": "file not found",
                                     "expected": "a file inside the study folder, relative to it"})
        return problems

    def _error_rows(self, err: WorkbenchError, file: str) -> pd.DataFrame:
        """A ``WorkbenchError`` as problem rows: its own table when it carries one."""
        if err.problems is not None and len(err.problems):
            rows = err.problems.reindex(columns=PROBLEM_COLUMNS).to_dict("records")
            for row in rows:
                row["file"] = _relative(Path(row["file"]), self.root) if isinstance(row["file"], str) else file
            return _problems(rows)
        return _problems([{"file": _relative(Path(err.file), self.root) if err.file else file, "line": err.line,
                           "row": err.row, "record_id": err.record_id, "column": err.column,
                           "problem": err.message, "value": err.value, "expected": err.expected}])

    def _check_non_tabular(self, entry: Dataset) -> None:
        """Model parameters, mixed-methods mappings and REFI-QDA projects are checked by the
        package that reads them (``dataset_check``); a folder must be a folder."""
        dataset_check(entry.format)(self, entry)

    def read(self, name: str) -> pd.DataFrame:
        """The validated, typed table of a dataset; a ``WorkbenchError`` lists every problem."""
        typed, problems = self.check(name)
        errors = problems[problems["severity"] == "error"]
        if len(errors):
            first = errors.iloc[0]
            raise WorkbenchError(
                f"dataset {name!r} has {len(errors)} problem(s); first: {first['problem']}",
                file=first["file"], row=None if pd.isna(first["row"]) else int(first["row"]),
                column=None if pd.isna(first["column"]) else first["column"],
                record_id=None if pd.isna(first.get("record_id")) else first["record_id"], problems=errors,
            )
        assert typed is not None
        return typed

    def validate(self) -> pd.DataFrame:
        """Every problem in every dataset, as one table (empty when the study is valid)."""
        return _problems([row for name in self.datasets for row in self.check(name)[1].to_dict("records")])

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


# ---- checks of non-tabular datasets, registered by the packages that read them ----------------
#: a check raises ``WorkbenchError`` on a dataset its package cannot use
DatasetCheck = Callable[[Study, Dataset], None]
_DATASET_CHECKS: dict[str, DatasetCheck] = {}


def register_dataset_check(fmt: str) -> Callable[[DatasetCheck], DatasetCheck]:
    """Decorator: ``check`` validates the datasets of format ``fmt`` (e.g. the qualitative
    package registers ``qdpx``), so that this layer needs no import of the packages above it."""
    def register(check: DatasetCheck) -> DatasetCheck:
        _DATASET_CHECKS[fmt] = check
        return check
    return register


def dataset_check(fmt: str) -> DatasetCheck:
    """The registered check of a non-tabular format; the packages' checks are found on first need."""
    if fmt not in _DATASET_CHECKS:
        _discover_dataset_checks()
    if fmt not in _DATASET_CHECKS:
        raise WorkbenchError(f"no check is known for the dataset format {fmt!r}", value=fmt,
                             expected="a format whose package registers a check: " + ", ".join(sorted(_DATASET_CHECKS)))
    return _DATASET_CHECKS[fmt]


def _discover_dataset_checks() -> None:
    """Import the ``dataset_checks`` module of every sub-package (each registers its formats).
    Found by file name at run time, as a plugin is, so no caller has to import a package first."""
    for module in sorted(Path(__file__).resolve().parent.glob("*/dataset_checks.py")):
        importlib.import_module(f"{__package__}.{module.parent.name}.dataset_checks")


@register_dataset_check("folder")
def _check_folder(study: Study, dataset: Dataset) -> None:
    if not dataset.path.is_dir():
        raise WorkbenchError("not a folder", file=str(dataset.path), expected="a folder (format: folder)")


def _dataset(name: str, entry: dict[str, Any], root: Path, file: str) -> Dataset:
    """One dataset entry of study.yaml, checked: format, options, and a path inside the study."""
    fmt = str(entry.get("format") or Path(str(entry["path"])).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise WorkbenchError(f"dataset {name!r} has an unknown format{suggestion(fmt, FORMATS)}", file=file,
                             column="format", value=fmt, expected=", ".join(FORMATS))
    for key in ("delimiter", "decimal"):
        if key in entry and not (isinstance(entry[key], str) and len(entry[key]) == 1):
            raise WorkbenchError(f"dataset {name!r}: {key} must be one character", file=file, column=key,
                                 value=entry[key], expected='e.g. "," or ";"')
    if not isinstance(entry.get("sheet", 0), (str, int)) or isinstance(entry.get("sheet"), bool):
        raise WorkbenchError(f"dataset {name!r}: sheet must be a sheet name or number", file=file, column="sheet",
                             value=entry["sheet"], expected="a name, or 0 for the first")
    if fmt in TABULAR_FORMATS and not entry.get("dictionary"):
        raise WorkbenchError(f"dataset {name!r} names no data dictionary", file=file,
                             expected="dictionary: <name in data_schemas/>")
    allow_outside = entry.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise WorkbenchError(f"dataset {name!r}: allow_outside must be true or false", file=file,
                             value=allow_outside, expected="true or false")
    path = resolve_inside(root, entry["path"], allow_outside=allow_outside, file=file, where=f"dataset {name!r}",
                          column="path")
    descriptions = _titles(entry.get("description") or "", file, f"datasets.{name}.description")
    return Dataset(name=name, path=path, format=fmt, dictionary=entry.get("dictionary"),
                   encoding=str(entry.get("encoding", "utf-8")), delimiter=str(entry.get("delimiter", ",")),
                   decimal=str(entry.get("decimal", ".")), sheet=entry.get("sheet", 0),
                   description=descriptions["en"], descriptions=descriptions, model=entry.get("model"),
                   allow_outside=allow_outside, offsets=str(entry.get("offsets", "auto")))


def resolve_inside(root: Path, relative: Any, *, allow_outside: bool = False, file: str | None = None,
                   where: str | None = None, column: str | None = None, record_id: Any = None) -> Path:
    """``relative`` resolved against the study ``root``; refused when it leaves the folder.

    ``..`` parts, absolute paths and symbolic links that lead outside ``root`` are refused
    unless ``allow_outside`` (an explicit opt-in in study.yaml).
    """
    if not isinstance(relative, (str, Path)) or not str(relative).strip() or "\x00" in str(relative):
        raise WorkbenchError(f"{where + ': ' if where else ''}not a usable path", file=file, column=column, record_id=record_id,
                             value=relative, expected="a path relative to the study folder")
    path = (root / str(relative).strip()).resolve()
    if not allow_outside and not path.is_relative_to(root):
        raise WorkbenchError(f"{where + ': ' if where else ''}the path leads outside the study folder", file=file, column=column,
                             record_id=record_id, value=str(relative),
                             expected=f"a path inside {root} (or allow_outside: true on the dataset, "
                                      "an explicit opt-in)")
    return path


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _problems(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS + ["severity"])
    frame["severity"] = frame["severity"].fillna("error")
    for column in ("line", "row"):
        frame[column] = frame[column].astype("Int64")
    return frame


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
