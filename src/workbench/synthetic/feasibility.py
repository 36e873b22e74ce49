"""Write the two feasibility parameter files into the demo study.

The parameters are public figures or declared assumptions (``synthetic: false`` in the
files), not generated data: the packaged defaults are copied byte for byte, so the rng is
accepted for the common generator interface but not used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.feasibility import MODELS, default_parameter_file

DESCRIPTIONS = {
    "electronic_monitoring": "Parameters of the electronic monitoring feasibility model (public figures and declared assumptions)",
    "reentry_centre": "Parameters of the re-entry resource centre feasibility model (public figures and declared assumptions)",
}


def write_feasibility(study_dir: Path, rng: np.random.Generator) -> dict[str, dict]:
    """Copy the default parameter YAML of each model to ``study_dir/parameters/``.

    Returns study.yaml entries ``{<model>_parameters: {"path", "format": "parameters",
    "model", "description"}}``.
    """
    del rng  # parameters are not random
    target = Path(study_dir) / "parameters"
    target.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict] = {}
    for model in MODELS:
        path = target / f"{model}.yaml"
        path.write_bytes(default_parameter_file(model).read_bytes())
        entries[f"{model}_parameters"] = {"path": f"parameters/{model}.yaml", "format": "parameters",
                                          "model": model, "description": DESCRIPTIONS[model]}
    return entries
