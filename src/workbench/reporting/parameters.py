"""The parameters of a report build, typed and checked before any notebook kernel starts.

``ReportParameters`` takes its defaults from the one place, ``workbench.study.DEFAULT_PARAMETERS``
(language ``en``, ``min_cell`` from ``workbench.disclosure``, every region); ``validate`` checks
them against the study (a known language, a positive whole ``min_cell``, a region that the
study's dictionaries know through ``workbench.regions``). Each notebook then receives only the
parameters its ``parameters`` cell declares (``declared_parameters``, read with
``papermill.inspect_notebook``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.reporting.messages import LANGUAGES, catalogue, text
from workbench.study import DEFAULT_PARAMETERS, TABULAR_FORMATS, Study


@dataclass
class ReportParameters:
    """What a reader's edition of the reports depends on; ``extra`` are report-specific
    parameters (e.g. ``survey``, ``overrides``) passed to the notebooks that declare them."""

    language: str = DEFAULT_PARAMETERS["language"]
    min_cell: int = DEFAULT_PARAMETERS["min_cell"]
    region: Any = DEFAULT_PARAMETERS["region"]  # None: all regions
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> "ReportParameters":
        """From the study's ``parameters:`` merged with the command line's ``-p`` values."""
        own = {k: values[k] for k in ("language", "min_cell", "region") if k in values}
        return cls(**own, extra={k: v for k, v in values.items() if k not in own})

    def validate(self, study: Study) -> "ReportParameters":
        """Raise ``WorkbenchError`` on an unknown language, a ``min_cell`` that is not a positive
        whole number, or a region the study does not know; return ``self``."""
        if self.language not in LANGUAGES:
            raise WorkbenchError("the parameter language is not a known report language", value=self.language,
                                 expected=" or ".join(LANGUAGES))
        if isinstance(self.min_cell, bool) or not isinstance(self.min_cell, int) or self.min_cell < 1:
            raise WorkbenchError("the parameter min_cell must be a positive whole number",
                                 value=self.min_cell, expected="e.g. -p min_cell=10")
        if self.region is not None:
            resolve_region(study, self.region)
        return self

    def as_dict(self) -> dict[str, Any]:
        """The parameters as notebooks receive them (before keeping the declared ones)."""
        values = asdict(self)
        return {**values.pop("extra"), **values}

    def describe(self, language: str | None = None) -> dict[str, str]:
        """The parameters as a reader would read them (``region``: "all regions", not None)."""
        language = language or self.language
        shown = {k: v for k, v in self.as_dict().items() if k not in ("study", "output_dir", "edition")}
        return {k: reader_value(k, v, language) for k, v in shown.items()}


def reader_name(name: str, language: str = "en") -> str:
    """A parameter's name as a reader reads it: the catalogue's ``param_<name>``, else the name."""
    key = f"param_{name}"
    return str(text(key, language)) if key in catalogue() else name


def reader_value(name: str, value: Any, language: str = "en") -> str:
    """One parameter's value as a reader reads it (a report language by its name)."""
    if name == "region" and value is None:
        return str(text("all_regions", language))
    if name == "language" and f"language_{value}" in catalogue():
        return str(text(f"language_{value}", language))
    if value is None:
        return "–"
    return str(value)


def resolve_region(study: Study, region: Any) -> list[tuple[str, list[Any]]]:
    """The (dataset, codes) that ``region`` names in each dataset whose dictionary has a region
    (``stratum``) variable; an error listing the known regions when none knows it."""
    from workbench.regions import dictionary_region_codes

    found, first_error = [], None
    for name, entry in study.datasets.items():
        if entry.format not in TABULAR_FORMATS:
            continue
        dictionary = study.dictionary(name)
        if not dictionary.by_role("stratum"):
            continue
        try:
            found.append((name, dictionary_region_codes(dictionary, region)[1]))
        except WorkbenchError as err:
            first_error = first_error or err
    if found:
        return found
    if first_error is not None:
        raise first_error
    raise WorkbenchError("a region was asked for, but no dataset of the study has a region (stratum) variable",
                         file=str(study.root / "study.yaml"), column="region", value=region,
                         expected="no region parameter")


@lru_cache(maxsize=None)
def _declared(notebook: str, stamp: float) -> frozenset[str]:
    import papermill

    return frozenset(papermill.inspect_notebook(notebook))


def declared_parameters(notebook: Path) -> frozenset[str]:
    """The names a notebook's ``parameters`` cell declares."""
    return _declared(str(notebook), Path(notebook).stat().st_mtime)


def for_notebook(notebook: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters ``notebook`` declares (a notebook without a parameters cell gets all)."""
    declared = declared_parameters(notebook)
    return {k: v for k, v in parameters.items() if k in declared} if declared else dict(parameters)
