"""Seeded random damage: whatever the bytes, reading a study fails only with a WorkbenchError.

Oracle: the property that every problem with the user's input is a ``WorkbenchError`` (which
the CLI prints without a traceback, exit 2) and that reading never writes. The damage is
random but seeded, so a failure is reproducible: bytes flipped, cut or inserted (NUL, quotes,
delimiters, line breaks, YAML anchors and aliases) in study.yaml, a CSV and a parameter file,
and attribute values of a REFI-QDA project changed to empty, negative, huge or non-numeric.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from workbench.errors import WorkbenchError

TARGETS = ["study.yaml", "data/offices.csv", "parameters/electronic_monitoring.yaml", "data/qualitative/codes.csv"]
INSERTS = [b"\x00", b'"', b",", b"\n", b":", b" &a", b" *a", b"- ", b"{", b"[", b"\t", b"!!int ", b"\r", b"\xff"]


def _damage(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data))
        kind = rng.random()
        if kind < 0.4:
            data[at] = rng.randrange(256)
        elif kind < 0.7:
            del data[at:at + rng.randint(1, 20)]
        else:
            data[at:at] = rng.choice(INSERTS)
    return bytes(data)


@pytest.mark.parametrize("seed", range(3))
def test_damaged_study_files_give_workbench_errors_only(demo_template: Path, tmp_path: Path, seed: int,
                                                        hash_tree) -> None:
    from workbench.study import Study

    rng = random.Random(seed)
    for attempt in range(10):
        root = tmp_path / f"study{attempt}"
        shutil.copytree(demo_template, root)
        spec = yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8"))
        spec["datasets"] = {name: spec["datasets"][name]
                            for name in ("offices", "electronic_monitoring_parameters", "qual_codes")}
        (root / "study.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        target = root / rng.choice(TARGETS)
        target.write_bytes(_damage(target.read_bytes(), rng))
        before = hash_tree(root)
        try:
            Study.load(root).validate()
        except WorkbenchError:
            pass
        assert hash_tree(root) == before
        shutil.rmtree(root)


@pytest.mark.parametrize("seed", range(2))
def test_damaged_qdpx_attributes_give_workbench_errors_only(demo_template: Path, tmp_path: Path, seed: int) -> None:
    from workbench.qualitative.refi import qdpx_bytes, read_qdpx
    from workbench.qualitative.study_corpus import load_study_corpus
    from workbench.study import Study

    with zipfile.ZipFile(io.BytesIO(qdpx_bytes(load_study_corpus(Study.load(demo_template))))) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if "extras" not in name}
    project = members["project.qde"].decode("utf-8")
    names = sorted(set(re.findall(r'(\w+)="', project)))
    rng = random.Random(seed)
    for _ in range(15):
        text = project
        for _ in range(rng.randint(1, 3)):
            found = list(re.finditer(rng.choice(names) + r'="([^"]*)"', text))
            if found:
                hit = rng.choice(found)
                value = rng.choice(["", "-1", "999999999", "abc", "1.5", "0", "&amp;", hit.group(1)[::-1]])
                text = text[:hit.start(1)] + value + text[hit.end(1):]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, text.encode("utf-8") if name == "project.qde" else content)
        path = tmp_path / "project.qdpx"
        path.write_bytes(out.getvalue())
        try:
            read_qdpx(path)
        except WorkbenchError:
            pass


def test_damaged_parameter_values_give_workbench_errors_only(demo_template: Path, tmp_path: Path) -> None:
    from workbench.feasibility.counts import default_counts
    from workbench.feasibility.parameters import check_model, load_parameters

    source = (demo_template / "parameters" / "electronic_monitoring.yaml").read_text(encoding="utf-8").splitlines()
    values = ["-1", "0", "1e400", ".nan", ".inf", "abc", "[]", "{}", "null", "yes", '"5"', "1900", "1.5",
              "[1, 2]", "{type: normal}"]
    rng = random.Random(0)
    path = tmp_path / "electronic_monitoring.yaml"
    for _ in range(150):
        lines = list(source)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(lines))
            key = re.match(r"^(\s*-?\s*\w+: )", lines[at])
            if key:
                lines[at] = key.group(1) + rng.choice(values)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            check_model(load_parameters(path), "electronic_monitoring")
            default_counts(path)
        except WorkbenchError:
            pass
