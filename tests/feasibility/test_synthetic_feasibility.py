"""The demo-study writer copies both parameter files, loadable and byte-identical."""

import numpy as np

from workbench.feasibility import load_parameters
from workbench.synthetic.feasibility import write_feasibility


def test_write_feasibility(tmp_path):
    entries = write_feasibility(tmp_path / "a", np.random.default_rng(1))
    write_feasibility(tmp_path / "b", np.random.default_rng(2))
    assert set(entries) == {"electronic_monitoring_parameters", "reentry_centre_parameters"}
    for entry in entries.values():
        assert entry["format"] == "parameters"
        first = (tmp_path / "a" / entry["path"]).read_bytes()
        assert first == (tmp_path / "b" / entry["path"]).read_bytes()
        params = load_parameters(tmp_path / "a" / entry["path"])
        assert params.model == entry["model"] and params.synthetic is False
