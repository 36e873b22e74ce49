"""Issue 13.3: no path leaves the study folder unless study.yaml opts in explicitly.

Oracle: the property itself. A file outside the study (a planted "secret" next to it, or
/etc/passwd) must never be read: validate and build refuse with exit 2 and say the path leads
outside the study folder; with ``allow_outside: true`` the same study validates and says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.errors import WorkbenchError
from workbench.study import Study


def _plant_outside(hostile, dataset: str) -> Path:
    """A valid copy of a dataset's file outside the study folder."""
    outside = hostile.work / "outside" / hostile.path(dataset).name
    outside.parent.mkdir()
    shutil.copyfile(hostile.path(dataset), outside)
    return outside


@pytest.mark.parametrize("make_path", [
    pytest.param(lambda outside: "../outside/offices.csv", id="dot-dot"),
    pytest.param(lambda outside: str(outside), id="absolute"),
    pytest.param(lambda outside: "data/../../outside/offices.csv", id="dot-dot-inside"),
])
def test_dataset_path_outside_the_study_is_refused(hostile, make_path) -> None:
    outside = _plant_outside(hostile, "offices")
    hostile.keep("offices")
    hostile.set_dataset("offices", path=make_path(outside))
    hostile.refused("offices", "outside the study folder", also=[outside])


def test_system_file_as_dataset_is_refused(hostile) -> None:
    hostile.keep("offices")
    hostile.set_dataset("offices", path="/etc/passwd")
    hostile.refused("outside the study folder", "/etc/passwd")


def test_symbolic_link_out_of_the_study_is_refused(hostile) -> None:
    outside = _plant_outside(hostile, "offices")
    hostile.keep("offices")
    link = hostile.root / "data" / "linked.csv"
    link.symlink_to(outside)
    hostile.set_dataset("offices", path="data/linked.csv")
    hostile.refused("outside the study folder", also=[outside])


def test_dictionary_path_outside_the_study_is_refused(hostile) -> None:
    dictionary = hostile.copy_dictionary("offices")
    outside = hostile.work / "offices_dictionary.yaml"
    shutil.move(dictionary, outside)
    hostile.keep("offices")
    hostile.set_dataset("offices", dictionary="../offices_dictionary.yaml")
    hostile.refused("dictionary", "outside the study folder", also=[outside])


def test_dictionary_name_with_a_path_is_refused(hostile) -> None:
    hostile.keep("offices")
    hostile.set_dataset("offices", dictionary="../../../../etc/passwd")
    hostile.refused("plain name", "dictionary")


@pytest.mark.parametrize("target", ["../../../../../etc/passwd", "/etc/hostname", "../outside/KII01.txt"])
def test_transcript_path_in_the_documents_table_is_refused(hostile, target) -> None:
    outside = hostile.work / "outside" / "KII01.txt"
    outside.parent.mkdir()
    outside.write_text("a secret transcript\n", encoding="utf-8")
    hostile.keep("qual_documents", "qual_transcripts")

    def point_out(frame):
        frame.loc[2, "path"] = target

    hostile.edit_table("qual_documents", point_out)
    text = hostile.refused("outside the study folder", "path", "data/qualitative/documents.csv", also=[outside])
    assert "5" in text  # line 5 in an editor: preamble, header, then the third data row


def test_transcript_named_by_a_hostile_doc_id_is_refused_when_the_corpus_is_read(hostile) -> None:
    """Library level: the <doc_id>.txt fallback cannot climb out of the transcripts folder."""
    from workbench.qualitative.study_corpus import _transcript_path

    study = Study.load(hostile.root)
    with pytest.raises(WorkbenchError, match="outside the study folder"):
        _transcript_path(study, "qual_", "../../../../etc/passwd", None)


def test_allow_outside_opts_in_and_is_announced(hostile) -> None:
    outside = _plant_outside(hostile, "offices")
    hostile.keep("offices")
    hostile.set_dataset("offices", path=str(outside), allow_outside=True)
    outcome = hostile.validate()
    assert outcome.returncode == 0, outcome.text
    assert "outside the study folder" in outcome.stderr and str(outside) in outcome.stderr


def test_allow_outside_must_be_a_boolean(hostile) -> None:
    hostile.keep("offices")
    hostile.set_dataset("offices", path="../x.csv", allow_outside="yes please")
    hostile.refused("allow_outside", "true or false")
