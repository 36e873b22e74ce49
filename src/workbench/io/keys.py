"""The keys each study file may hold, in one place, and the check that refuses the others.

A misspelt key (``encodng:``) would otherwise be ignored and its default used silently, so
every mapping the workbench reads from ``study.yaml``, a data dictionary or a model parameter
file is checked against the sets below; an unknown key is a ``WorkbenchError`` with a
did-you-mean suggestion. Adding a key to a format means adding it here and to its page in
``docs/`` (study-format.md, data-dictionaries.md, feasibility.md).
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

import pandas as pd

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError

#: top level of study.yaml (docs/study-format.md); ``reports`` holds per-report titles and texts
STUDY_KEYS = frozenset({"title", "description", "synthetic", "seed", "regions", "parameters", "datasets",
                        "reports"})
#: one entry of ``regions:`` in study.yaml written as a mapping (docs/study-format.md)
REGION_KEYS = frozenset({"name", "ru", "aliases"})
#: one entry of ``datasets:`` in study.yaml (``description``: one text or ``{en: ..., ru: ...}``)
DATASET_KEYS = frozenset({"path", "format", "dictionary", "encoding", "delimiter", "decimal", "sheet",
                          "description", "model", "allow_outside", "offsets"})
#: top level of a data dictionary (docs/data-dictionaries.md)
DICTIONARY_KEYS = frozenset({"dictionary", "title", "description", "id", "version", "missing_codes",
                             "batteries", "variables"})
#: one variable of a data dictionary
VARIABLE_KEYS = frozenset({"name", "type", "label", "role", "values", "range", "missing_codes", "required",
                           "nullable", "unique", "battery", "reversed", "unit", "description"})
#: one battery of a data dictionary; ``reading`` is the battery's wording in reports
BATTERY_KEYS = frozenset({"label", "group", "kind", "reading", "description"})
#: top level of a model parameter file (docs/feasibility.md)
PARAMETER_FILE_KEYS = frozenset({"synthetic", "model", "currency", "price_year", "exchange_rates", "counts",
                                 "parameters", "description"})


def suggestion(key: Any, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known key, or an empty string."""
    close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_keys(mapping: Mapping[Any, Any], known: Iterable[str], *, file: str | None,
                 where: str) -> list[dict[str, Any]]:
    """Problem rows (``PROBLEM_COLUMNS``) for every key of ``mapping`` not in ``known``."""
    known = sorted(known)
    return [{"file": file, "row": None, "record_id": None, "column": str(key),
             "problem": f"{where}: unknown key {str(key)!r}{suggestion(key, known)}", "value": key,
             "expected": "one of " + ", ".join(known)}
            for key in mapping if key not in known]


def check_keys(mapping: Mapping[Any, Any], known: Iterable[str], *, file: str | None, where: str) -> None:
    """Raise a ``WorkbenchError`` listing every unknown key of ``mapping`` (did-you-mean included)."""
    raise_problems(unknown_keys(mapping, known, file=file, where=where), file=file)


def raise_problems(rows: list[dict[str, Any]], *, file: str | None) -> None:
    """Raise the first of ``rows`` as a ``WorkbenchError`` that carries them all (no-op if none)."""
    if not rows:
        return
    first = rows[0]
    more = f" (and {len(rows) - 1} more problem(s), listed below)" if len(rows) > 1 else ""
    raise WorkbenchError(first["problem"] + more, file=file, expected=first["expected"],
                         problems=pd.DataFrame(rows, columns=PROBLEM_COLUMNS) if len(rows) > 1 else None)
