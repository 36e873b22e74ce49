"""The check of a study's feasibility parameter files (``format: parameters``), registered with
the study layer, which finds it by the dataset's format (``workbench.study.dataset_check``)."""

from __future__ import annotations

from workbench.feasibility.parameters import check_model, load_parameters
from workbench.study import Dataset, Study, register_dataset_check


@register_dataset_check("parameters")
def check_parameter_file(study: Study, dataset: Dataset) -> None:
    """The parameter file loads and holds what its declared model (``model:``) needs."""
    check_model(load_parameters(dataset.path), dataset.model)
