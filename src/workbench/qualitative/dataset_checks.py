"""The check of a study's REFI-QDA projects (``format: qdpx``), registered with the study layer,
which finds it by the dataset's format (``workbench.study.dataset_check``)."""

from __future__ import annotations

from workbench.qualitative.refi import read_qdpx
from workbench.study import Dataset, Study, register_dataset_check


@register_dataset_check("qdpx")
def check_qdpx_project(study: Study, dataset: Dataset) -> None:
    """The project opens: a sound archive, a well-formed project file, segments inside their texts."""
    read_qdpx(dataset.path, offsets=dataset.offsets)
