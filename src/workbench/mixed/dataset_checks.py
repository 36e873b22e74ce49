"""The check of a study's mixed-methods files (``format: mapping``: a joint-display mapping or
the recommendations that cite its rows), registered with the study layer, which finds it by the
dataset's format (``workbench.study.dataset_check``)."""

from __future__ import annotations

from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import load_yaml
from workbench.mixed.joint_display import load_study_mapping, load_study_recommendations
from workbench.study import Dataset, Study, register_dataset_check


@register_dataset_check("mapping")
def check_mapping_file(study: Study, dataset: Dataset) -> None:
    """A joint-display mapping (it has ``survey:``) is checked against the study's survey
    dictionary, codebook and cases; recommendations against the rows of every mapping of the
    study (a broken mapping is reported against its own file, not here)."""
    spec = load_yaml(dataset.path, what="the mapping file") or {}
    if "survey" in spec:
        load_study_mapping(study, dataset.name)
        return
    for other in (d for d in study.datasets.values() if d.format == "mapping" and d.name != dataset.name):
        try:
            if "survey" not in (load_yaml(other.path, what="the mapping file") or {}):
                continue
            mapping = load_study_mapping(study, other.name)
        except WorkbenchError:
            continue
        load_study_recommendations(study, mapping, dataset.name)
