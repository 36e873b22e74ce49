"""Issues 13.9 and 13.10: feasibility parameter names and REFI-QDA projects under validate.

Oracles: the model's own parameter set (the names in the package's default parameter file,
which the model code reads by name) and archives damaged on purpose: a flipped byte inside a
compressed member must be reported as that member, never as a ``BadZipFile`` traceback. The
controls (an intact project, the demo parameter files) validate with exit 0.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from workbench.errors import WorkbenchError


# ---- 13.9 parameter names -----------------------------------------------------------------------
def _edit_parameters(hostile, old: str, new: str) -> None:
    hostile.replace_in(hostile.path("electronic_monitoring_parameters"), old, new)


def test_misspelt_parameter_name(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    _edit_parameters(hostile, "\n  placement_share:", "\n  placement_shar:")
    hostile.refused("unknown parameter 'placement_shar'", "did you mean 'placement_share'",
                    "parameter 'placement_share' of model electronic_monitoring is missing")


def test_extra_parameter_the_model_does_not_use(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    _edit_parameters(hostile, "\n  placement_share:", "\n  bribes_per_year:\n    value: 1\n    unit: persons\n"
                                                      "    source: invented\n  placement_share:")
    hostile.refused("unknown parameter 'bribes_per_year'", "electronic_monitoring.yaml")


def test_parameter_file_of_another_model(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    hostile.set_dataset("electronic_monitoring_parameters", model="reentry_centre")
    hostile.refused("another model", "model: reentry_centre")


def test_unknown_model(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    _edit_parameters(hostile, "\nmodel: electronic_monitoring\n", "\nmodel: electronic_monitorng\n")
    hostile.refused("unknown model 'electronic_monitorng'", "did you mean 'electronic_monitoring'")


@pytest.mark.parametrize(("new", "words"), [
    pytest.param("    basis: [assumption]", ("unknown basis",), id="basis-list"),
    pytest.param("    basis: assumption\n    allow_negative: \"no\"", ("allow_negative must be true or false",),
                 id="allow-negative-text"),
])
def test_parameter_value_of_the_wrong_kind(hostile, new, words) -> None:
    hostile.keep("electronic_monitoring_parameters")
    hostile.replace_in(hostile.path("electronic_monitoring_parameters"), "    basis: assumption", new)
    hostile.refused("placement_share", *words)


def test_demo_parameter_files_validate() -> None:
    """Control at library level: the package's own files pass the same check."""
    from workbench.feasibility.parameters import DEFAULTS, check_model, known_models, load_parameters

    assert known_models() == ["electronic_monitoring", "reentry_centre"]
    for model in known_models():
        check_model(load_parameters(DEFAULTS / f"{model}.yaml"), model)


# ---- 13.10 REFI-QDA projects --------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_qdpx(demo_template: Path) -> bytes:
    from workbench.qualitative.refi import qdpx_bytes
    from workbench.qualitative.study_corpus import load_study_corpus
    from workbench.study import Study

    return qdpx_bytes(load_study_corpus(Study.load(demo_template)))


def _with_project(hostile, data: bytes) -> Path:
    path = hostile.root / "data" / "project.qdpx"
    path.write_bytes(data)
    hostile.keep("offices")
    hostile.set_dataset("interviews", path="data/project.qdpx", format="qdpx")
    return path


def _rezip(data: bytes, change) -> bytes:
    """A copy of the archive with ``change(name, bytes) -> bytes | None`` applied to each member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = change(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def test_intact_project_validates(hostile, demo_qdpx) -> None:
    _with_project(hostile, demo_qdpx)
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text


def test_corrupt_member_inside_a_valid_zip(hostile, demo_qdpx) -> None:
    archive = zipfile.ZipFile(io.BytesIO(demo_qdpx))
    info = next(i for i in archive.infolist() if i.filename.startswith("sources/") and i.compress_size > 200)
    data = bytearray(demo_qdpx)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(40, 60):
        data[start + k] ^= 0xFF
    _with_project(hostile, bytes(data))
    hostile.refused("project.qdpx", info.filename, "damaged")


def test_corrupt_project_member(hostile, demo_qdpx) -> None:
    archive = zipfile.ZipFile(io.BytesIO(demo_qdpx))
    info = archive.getinfo("project.qde")
    data = bytearray(demo_qdpx)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(100, 140):
        data[start + k] ^= 0x55
    _with_project(hostile, bytes(data))
    hostile.refused("project.qdpx", "project.qde", "damaged")


def test_not_a_zip(hostile) -> None:
    _with_project(hostile, b"<Project>this is not an archive</Project>\n")
    hostile.refused("project.qdpx", "not a zip file")


def test_truncated_archive(hostile, demo_qdpx) -> None:
    _with_project(hostile, demo_qdpx[: len(demo_qdpx) // 2])
    hostile.refused("project.qdpx", "not a .qdpx archive")


def test_archive_without_a_project_file(hostile, demo_qdpx) -> None:
    _with_project(hostile, _rezip(demo_qdpx, lambda name, content: None if name == "project.qde" else content))
    hostile.refused("project.qdpx", ".qde project file")


def test_project_file_not_well_formed(hostile, demo_qdpx) -> None:
    _with_project(hostile, _rezip(demo_qdpx, lambda name, content: content[:-40] if name == "project.qde" else content))
    hostile.refused("project.qde", "not well-formed XML")


def test_workbench_extras_not_json(hostile, demo_qdpx) -> None:
    from workbench.qualitative.refi import EXTRAS_MEMBER

    archive = zipfile.ZipFile(io.BytesIO(demo_qdpx))
    member = next(n for n in archive.namelist() if n.lower() == EXTRAS_MEMBER)
    _with_project(hostile, _rezip(demo_qdpx, lambda name, content: b"{not json" if name == member else content))
    hostile.refused(member, "not valid UTF-8 JSON")


def test_external_entity_is_not_read(hostile, demo_qdpx) -> None:
    """An XXE in project.qde must not pull /etc/passwd into the corpus or the output."""
    def plant(name: str, content: bytes) -> bytes:
        if name != "project.qde":
            return content
        head, rest = content.split(b"?>", 1)
        dtd = b'<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return head + b"?>" + dtd + rest.replace(b'name="', b'name="&xxe;', 1)

    _with_project(hostile, _rezip(demo_qdpx, plant))
    outcome = hostile.validate()
    assert "Traceback" not in outcome.text and "root:" not in outcome.text
    from workbench.qualitative.refi import read_qdpx

    try:
        corpus = read_qdpx(hostile.root / "data" / "project.qdpx")
    except WorkbenchError:
        return
    frames = [getattr(corpus, name) for name in ("documents", "cases", "codes", "users") if getattr(corpus, name) is not None]
    assert not any(frame.astype(str).apply(lambda col: col.str.contains("root:")).any().any() for frame in frames)


def test_oversized_member_is_refused(tmp_path, demo_qdpx, monkeypatch) -> None:
    """Library level (a real 512 MB member would take the machine's memory): the bound holds."""
    from workbench.qualitative import refi

    path = tmp_path / "big.qdpx"
    path.write_bytes(demo_qdpx)
    monkeypatch.setattr(refi, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(WorkbenchError, match="too large"):
        refi.read_qdpx(path)
