"""study.yaml ``title``: one text, or one per report language; the Russian edition shows the Russian one."""

from pathlib import Path

import pytest

from workbench.errors import WorkbenchError
from workbench.study import Study

DATASET = "datasets:\n  offices: {path: data/offices.csv, format: csv, dictionary: offices}\n"


def _study(tmp_path: Path, title_yaml: str) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data/offices.csv").write_text("office_id\nA\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text(title_yaml + DATASET, encoding="utf-8")
    return tmp_path


def test_one_title_serves_every_language(tmp_path: Path) -> None:
    study = Study.load(_study(tmp_path, "title: Survey of Quebec\n"))
    assert study.title == "Survey of Quebec"
    assert study.title_in("ru") == "Survey of Quebec"


def test_title_per_language(tmp_path: Path) -> None:
    study = Study.load(_study(tmp_path, "title: {en: Attitudes, ru: Отношение}\n"))
    assert (study.title, study.title_in("en"), study.title_in("ru")) == ("Attitudes", "Attitudes", "Отношение")


@pytest.mark.parametrize("title", ["title: {ru: Отношение}\n", "title: {en: A, kg: B}\n", "title: [A, B]\n",
                                   "title: {en: [A]}\n"])
def test_malformed_title_is_a_clear_error(tmp_path: Path, title: str) -> None:
    with pytest.raises(WorkbenchError, match="title"):
        Study.load(_study(tmp_path, title))
