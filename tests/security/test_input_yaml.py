"""Issues 13.4 and 13.8: YAML resource bombs, unsafe tags, typing traps and unknown keys.

Oracles: properties. A "billion laughs" document expands to 9**9 = 387,420,489 strings; it
must be refused quickly (each case runs under the harness's time limit, and the library-level
test times the refusal) with exit 2 naming the file. A ``!!python`` tag must not run: the
file it would create does not appear. Codes YAML reads as booleans (ON, NO, yes, off, True)
must be refused with "quote it"; a misspelt key must be refused with the right suggestion.
"""

from __future__ import annotations

import time

import pytest

from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import parse_yaml

#: nine levels of nine aliases: 387,420,489 strings when expanded
BOMB = "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))


def _append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_bomb_is_refused_in_milliseconds_by_the_loader() -> None:
    start = time.perf_counter()
    with pytest.raises(WorkbenchError, match="resource bomb"):
        parse_yaml(BOMB, source="bomb.yaml")
    assert time.perf_counter() - start < 1.0


def test_bomb_in_study_yaml(hostile) -> None:
    hostile.keep("offices")
    _append(hostile.study_file, "description:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    hostile.refused("study.yaml", "aliases", "resource bomb")


def test_bomb_in_a_dictionary(hostile) -> None:
    hostile.keep("offices")
    dictionary = hostile.copy_dictionary("offices")
    _append(dictionary, "description:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    hostile.refused("data_schemas/offices.yaml", "resource bomb")


def test_bomb_in_a_parameter_file(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    _append(hostile.path("electronic_monitoring_parameters"),
            "description:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    hostile.refused("electronic_monitoring.yaml", "resource bomb")


def test_bomb_in_a_mapping_file(hostile) -> None:
    hostile.keep("joint_display")
    _append(hostile.path("joint_display"), "notes:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    hostile.refused("joint_display.yaml", "resource bomb")


def test_bomb_in_a_parameters_file_given_to_build(hostile) -> None:
    bomb = hostile.work / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    hostile.keep("offices")
    hostile.refused("bomb.yaml", "resource bomb", commands=("build",), extra=("--parameters", str(bomb)),
                    also=[bomb])


def test_recursive_alias(hostile) -> None:
    hostile.keep("offices")
    _append(hostile.study_file, "description: &loop [a, *loop]\n")
    hostile.refused("study.yaml", "recursive alias")


def test_python_tag_does_not_run(hostile) -> None:
    marker = hostile.work / "pwned"
    hostile.keep("offices")
    _append(hostile.study_file, f"description: !!python/object/apply:os.system ['touch {marker}']\n")
    hostile.refused("study.yaml", "python/object/apply")
    assert not marker.exists()


def test_oversized_yaml_is_refused_before_parsing(hostile) -> None:
    hostile.keep("offices")
    _append(hostile.study_file, "# padding\n" * 600_000)  # 6 MB of comments
    hostile.refused("study.yaml", "too large")


def test_deep_nesting(hostile) -> None:
    hostile.keep("offices")
    _append(hostile.study_file, "description: " + "[" * 20_000 + "]" * 20_000 + "\n")
    hostile.refused("study.yaml", "nested too deeply")


def test_duplicate_dataset_in_study_yaml(hostile) -> None:
    hostile.keep("offices")
    _append(hostile.study_file, "datasets: {}\n")
    hostile.refused("study.yaml", "'datasets' appears twice")


# ---- 13.8 booleans as codes ---------------------------------------------------------------------
@pytest.mark.parametrize("code", ["ON", "NO", "yes", "off", "True"])
def test_boolean_value_code_in_a_dictionary(hostile, code) -> None:
    hostile.keep("offices")
    hostile.edit_dictionary("offices", "      9: {en: Osh city", f"      {code}: {{en: Osh city")
    hostile.refused("quote it", "offices.yaml", f"'{code}'", "line 36")


def test_boolean_missing_code_in_a_dictionary(hostile) -> None:
    hostile.keep("survey")
    hostile.edit_dictionary("survey", "missing_codes:\n  98:", "missing_codes:\n  off:")
    hostile.refused("quote it", "survey.yaml", "off")


def test_boolean_region_in_study_yaml(hostile) -> None:
    hostile.keep("offices")
    hostile.replace_in(hostile.study_file, "- name: Batken\n", "- NO\n- name: Batken\n")
    hostile.refused("quote it", "regions", "study.yaml")


# ---- 13.8 unknown keys with a suggestion ------------------------------------------------------
def test_misspelt_key_in_a_parameter_file(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    hostile.replace_in(hostile.path("electronic_monitoring_parameters"), "\nexchange_rates:", "\nexchange_rate:")
    hostile.refused("unknown key 'exchange_rate'", "did you mean 'exchange_rates'")


def test_misspelt_key_in_a_parameter_entry(hostile) -> None:
    hostile.keep("electronic_monitoring_parameters")
    hostile.replace_in(hostile.path("electronic_monitoring_parameters"), "    source: ", "    sorce: ")
    hostile.refused("unknown key 'sorce'", "did you mean 'source'", "placement_share")


@pytest.mark.parametrize(("dataset", "old", "new", "words"), [
    pytest.param("offices", "      2: {en: Chuy", "      1: {en: Chuy", ("offices.yaml", "appears twice", "line 29"),
                 id="duplicate-code"),
    pytest.param("offices", "    unit: persons", "    unti: persons",
                 ("unknown key 'unti'", "did you mean 'unit'", "n_officers"), id="variable-key"),
    pytest.param("survey", "    group: all", "    gruop: all",
                 ("unknown key 'gruop'", "did you mean 'group'", "battery"), id="battery-key"),
    pytest.param("offices", "id: office_id\n", "id: office_id\nmissing_code: {}\n",
                 ("unknown key 'missing_code'", "did you mean 'missing_codes'"), id="top-level-key"),
])
def test_damaged_dictionary(hostile, dataset, old, new, words) -> None:
    hostile.keep(dataset)
    hostile.edit_dictionary(dataset, old, new)
    hostile.refused(*words)


# ---- 13.8 study.yaml: misspelt keys, values of the wrong kind ------------------------------------------------------------
@pytest.mark.parametrize(("change", "words"), [
    pytest.param(lambda spec: spec.update(regions={"Batken": 1}), ("regions must be a list",), id="regions-mapping"),
    pytest.param(lambda spec: spec.update(parameters=["min_cell", 5]), ("parameters must be a mapping",),
                 id="parameters-list"),
    pytest.param(lambda spec: spec["datasets"]["offices"].update(delimiter=";;"), ("delimiter must be one character",),
                 id="delimiter"),
    pytest.param(lambda spec: spec["datasets"]["offices"].update(format="cvs"),
                 ("unknown format", "did you mean 'csv'"), id="format"),
    pytest.param(lambda spec: spec["datasets"]["offices"].update(sheet=[1]), ("sheet must be",), id="sheet"),
    pytest.param(lambda spec: spec["datasets"]["offices"].update(pth=spec["datasets"]["offices"].pop("path")),
                 ("unknown key 'pth'", "did you mean 'path'"), id="path"),
    pytest.param(lambda spec: spec.update(datsets=spec.pop("datasets")),
                 ("unknown key 'datsets'", "did you mean 'datasets'"), id="datasets"),
    pytest.param(lambda spec: spec.update(paramters=spec.pop("parameters")),
                 ("unknown key 'paramters'", "did you mean 'parameters'"), id="top-level-key"),
    pytest.param(lambda spec: spec["datasets"]["offices"].update(encodng="windows-1251"),
                 ("unknown key 'encodng'", "did you mean 'encoding'"), id="dataset-key"),
])
def test_damaged_study_yaml(hostile, change, words) -> None:
    hostile.keep("offices")
    spec = hostile.spec()
    change(spec)
    hostile.write_spec(spec)
    hostile.refused("study.yaml", *words)


@pytest.mark.parametrize(("old", "new", "words"), [
    pytest.param("    nullable: false\n    label: {en: Office ID", "    nullable: \"no\"\n    label: {en: Office ID",
                 ("nullable must be true or false",), id="nullable-text"),
    pytest.param("  - name: name_ru", "  - name: name_en", ("'name_en' is declared twice",), id="variable-twice"),
    pytest.param("range: [0, 500]", "range: [500, 0]", ("range runs backwards",), id="range-backwards"),
    pytest.param("  - name: region", "  - name: [region]", ("name must be text",), id="name-list"),
])
def test_dictionary_value_of_the_wrong_kind(hostile, old, new, words) -> None:
    hostile.keep("offices")
    hostile.edit_dictionary("offices", old, new)
    hostile.refused("offices.yaml", *words)
