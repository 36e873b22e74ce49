"""Fixed report text in English and Russian, from the catalogue in ``messages_catalogue/``.

The catalogue is one YAML file per report area (``common.yaml``, ``survey.yaml``, ...); a
key may appear in one file only. Report sentences that state a figure are templates filled
from computed results (``text("key", language, value=...)``); nothing is machine-translated
at run time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import WorkbenchError

LANGUAGES = ("en", "ru")
CATALOGUE = Path(__file__).with_name("messages_catalogue")


@lru_cache(maxsize=None)
def catalogue() -> dict[str, dict[str, str]]:
    """Every message key with its English and Russian text, from every catalogue file."""
    data: dict[str, dict[str, str]] = {}
    for file in sorted(CATALOGUE.glob("*.yaml")):
        for key, entry in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).items():
            if key in data:
                raise WorkbenchError(f"message {key!r} is defined twice", file=str(file))
            missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or lang not in entry]
            if missing:
                raise WorkbenchError(f"message {key!r} has no text in {missing}", file=str(file))
            data[key] = entry
    return data


def text(key: str, language: str = "en", **values: Any) -> str:
    """The message ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    if language not in LANGUAGES:
        raise WorkbenchError("unknown report language", value=language, expected=" or ".join(LANGUAGES))
    entries = catalogue()
    if key not in entries:
        raise WorkbenchError(f"no message {key!r} in the catalogue", file=str(CATALOGUE))
    return entries[key][language].format(**values)
