"""Bring your own survey (issue 15): 00 and 01 run on a real public survey with only its dictionary.

The survey is R survey's ``apistrat`` (tests/fixtures/byo_apistrat/README.md): strata without
clusters, weights, an fpc, no age, answers coded as text, shipped as CSV and SPSS .sav.

Oracle: live R (``Rscript``, R 4.2.2 with survey 4.1.1 on the machine this was written on; the
versions are printed into the test's output), the call::

    des <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=d)
    svyciprop(~I(q == "Yes"), des, method="logit")      # share and its logit interval
    svychisq(~q + by, des)                                # second-order Rao-Scott F, ndf, ddf, p

for the four questions and both breakdowns (stype, yr.rnd): 12 shares and CI bounds and
8 tests (32 numbers), compared to 1e-9 with the package and, as displayed, with the HTML.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.errors import WorkbenchError
from workbench.regions import region_codes
from workbench.reporting.numbers import format_p
from workbench.reporting.tables import format_number
from workbench.study import Study
from workbench.survey.battery_reliability import reliability
from workbench.survey.comparisons import compare, compare_question, compare_questions, holm, holm_family
from workbench.survey.indicator_estimates import estimate_indicators
from workbench.survey.indicators import attitude_index, scored_items
from workbench.survey.instrument import (
    ATTITUDE, Battery, answer_scores, batteries, breakdowns, positive_codes)
from workbench.survey.preparation import PreparedSurvey, prepare_survey
from workbench.survey.study_datasets import find_survey

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "byo_apistrat"
QUESTIONS = ("sch.wide", "comp.imp", "both", "awards")
BREAKDOWNS = ("stype", "yr.rnd")

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], na.strings = "", stringsAsFactors = FALSE)
des <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = d)
cat(sprintf("version,%s,survey %s\n", R.version.string, packageVersion("survey")))
for (q in c("sch.wide", "comp.imp", "both", "awards")) {
  p <- svyciprop(as.formula(paste0("~I(`", q, "` == 'Yes')")), des, method = "logit")
  ci <- attr(p, "ci")
  cat(sprintf("share,%s,%.17g,%.17g,%.17g\n", q, coef(p), ci[1], ci[2]))
  for (by in c("stype", "yr.rnd")) {
    t <- svychisq(as.formula(paste0("~`", q, "`+`", by, "`")), des)
    cat(sprintf("test,%s|%s,%.17g,%.17g,%.17g,%.17g\n", q, by, t$statistic, t$parameter[1],
                t$parameter[2], t$p.value))
  }
}
"""


@pytest.fixture(scope="module")
def r_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[float]]:
    """The R figures, computed live (a missing R is a failure, not a skip)."""
    script = tmp_path_factory.mktemp("r") / "oracle.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    result = subprocess.run(["Rscript", str(script), str(FIXTURE / "data" / "apistrat.csv")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = {}
    for line in result.stdout.splitlines():
        kind, key, *values = line.split(",")
        if kind == "version":
            print("R oracle:", key, *values)
            continue
        out[f"{kind}:{key}"] = [float(v) for v in values]
    assert len(out) == 12
    return out


@pytest.fixture(scope="module")
def prepared() -> tuple[Study, PreparedSurvey]:
    study = Study.load(FIXTURE)
    name = find_survey(study)
    return study, prepare_survey(study.read(name), study.dictionary(name))


def test_package_matches_r_to_1e9(r_results: dict[str, list[float]], prepared) -> None:
    study, survey = prepared
    dictionary = survey.dictionary
    estimates = estimate_indicators(survey.design, survey.indicators).set_index("indicator")
    _, tests = compare_questions(survey.design, dictionary, list(QUESTIONS), breakdowns(dictionary))
    tests = tests.set_index(["question", "variable"])
    for q in QUESTIONS:
        yes = estimates.loc[f"answer__{q}__2"]  # "Yes" is declared second: score 2
        assert [yes["estimate"], yes["ci_low"], yes["ci_high"]] == pytest.approx(r_results[f"share:{q}"],
                                                                                  rel=1e-9, abs=1e-12)
        for by in BREAKDOWNS:
            row = tests.loc[(q, by)]
            assert [row["F"], row["ndf"], row["ddf"], row["p_value"]] == pytest.approx(
                r_results[f"test:{q}|{by}"], rel=1e-9)


def test_sav_and_csv_give_the_same_typed_table(tmp_path: Path) -> None:
    study = _copy(tmp_path / "study")
    spec = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    spec["datasets"]["apistrat"].update(path="data/apistrat.sav", format="sav")
    (study / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    from_sav = Study.load(study).read("apistrat")
    from_csv = Study.load(FIXTURE).read("apistrat")
    pd.testing.assert_frame_equal(from_sav.reset_index(drop=True), from_csv.reset_index(drop=True),
                                  check_dtype=False)


def test_region_is_a_code_or_a_label_in_either_language_and_unknown_lists_the_known() -> None:
    values = Study.load(FIXTURE).dictionary("apistrat").variables["stype"].values
    assert region_codes(values, "E") == ["E"] == region_codes(values, "Elementary") == region_codes(values, "Начальная")
    assert region_codes(values, " high ") == ["H"]
    with pytest.raises(WorkbenchError, match="unknown region") as err:
        region_codes(values, "QC")
    assert "Elementary" in str(err.value) and "M" in str(err.value)


def _copy(target: Path) -> Path:
    shutil.copytree(FIXTURE, target)
    return target


def _build(study: Path, reports: Path, *parameters: str, only: tuple[str, ...] = ("00", "01")) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "workbench.cli", "build", "--study", str(study), "--reports", str(reports),
               "--only", *only]
    for parameter in parameters:
        command += ["-p", parameter]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def _text(html_file: Path) -> str:
    import lxml.html

    root = lxml.html.parse(str(html_file)).getroot()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(" ".join(root.itertext()).split())  # table cells separated by spaces


@pytest.mark.slow
def test_00_and_01_build_on_the_foreign_survey_with_r_figures(tmp_path: Path, r_results) -> None:
    study = _copy(tmp_path / "study")
    result = _build(study, tmp_path / "reports")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    overview = _text(tmp_path / "reports" / "00_data_overview.html")
    assert "200 respondents" in overview and "3 strata" in overview and "no clusters" in overview
    assert "sampling point" not in overview
    report = _text(tmp_path / "reports" / "01_public_attitudes.html")
    assert "California schools 2000: targets and awards" in report  # the title from study.yaml
    assert "sampling point" not in report and "reintegration" not in report.lower()
    pct = lambda value: format_number(value, 1, percent=True)
    compared = 0
    for q in QUESTIONS:  # shares and logit CI bounds as displayed (one decimal of a percentage)
        estimate, low, high = r_results[f"share:{q}"]
        assert f"Yes, {pct(estimate)} (95% CI {pct(low)} to {pct(high)}" in report, q
        compared += 3
        for by in BREAKDOWNS:  # Rao-Scott F, df (one decimal in the table) and p (the one p-value formatter)
            F, ndf, ddf, p = r_results[f"test:{q}|{by}"]
            assert f"{format_number(F, 1)} {format_number(ndf, 1)} {format_number(ddf, 1)} {' '.join(format_p(p).split())}" in report, (q, by)
            compared += 4
    assert compared >= 8


@pytest.mark.slow
def test_00_and_01_build_with_every_optional_role_removed(tmp_path: Path) -> None:
    """Only id and weight keep their roles; the reports say what they leave out and never raise."""
    study = _copy(tmp_path / "study")
    file = study / "data_schemas" / "apistrat.yaml"
    spec = yaml.safe_load(file.read_text(encoding="utf-8"))
    for var in spec["variables"]:
        if var.get("role") not in ("id", "weight"):
            var.pop("role", None)
    file.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (study / "study.yaml").write_text((study / "study.yaml").read_text(encoding="utf-8").replace(
        "parameters: {region: null, min_cell: 10, language: en}",
        "parameters: {region: null, min_cell: 10, language: en, survey: apistrat}"), encoding="utf-8")
    result = _build(study, tmp_path / "reports")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    overview = _text(tmp_path / "reports" / "00_data_overview.html")
    assert "names no breakdown variable" in overview and "no clusters" in overview
    report = _text(tmp_path / "reports" / "01_public_attitudes.html")
    assert "declares no single question" in report and "No population groups to compare" in report


@pytest.mark.slow
def test_one_item_battery_skips_alpha_and_a_region_code_selects_its_domain(tmp_path: Path) -> None:
    study = _copy(tmp_path / "study")
    file = study / "data_schemas" / "apistrat.yaml"
    spec = yaml.safe_load(file.read_text(encoding="utf-8"))
    spec["batteries"] = {"award": {"label": {"en": "Awards", "ru": "Поощрения"}, "kind": "attitude",
                                   "reading": {"en": "Read me: awards battery.", "ru": "Поощрения."}}}
    for var in spec["variables"]:
        if var["name"] == "awards":
            var.update(role="item", battery="award")
    file.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = _build(study, tmp_path / "reports", "region=E", only=("01",))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = _text(tmp_path / "reports" / "01_public_attitudes.html")
    assert "a battery of one item has no internal consistency" in report
    assert "Read me: awards battery." in report
    assert "Regional edition: E" in report and "for the 100 respondents in E" in report
    bad = _build(study, tmp_path / "reports", "region=QC", only=("01",))
    assert bad.returncode != 0 and "unknown region" in bad.stderr and "Elementary" in bad.stderr


# ---- text codes, single questions, one Holm family: hand-made cases --------------------------
TEXT_DICTIONARY = {
    "dictionary": "text_coded", "id": "rid",
    "missing_codes": {"DK": {"en": "Don't know", "ru": "Не знаю"}},
    "batteries": {"scale": {"label": {"en": "Scale", "ru": "Шкала"}, "kind": "attitude"}},
    "variables": [
        {"name": "rid", "type": "integer", "role": "id", "label": "id"},
        {"name": "w", "type": "number", "role": "weight", "label": "weight"},
        {"name": "a1", "type": "string", "role": "item", "battery": "scale", "missing_codes": ["DK"], "label": "a1",
         "values": {"disagree": "disagree", "neutral": "neutral", "agree": "agree"}},
        {"name": "a2", "type": "string", "role": "item", "battery": "scale", "reversed": True, "label": "a2",
         "values": {"disagree": "disagree", "neutral": "neutral", "agree": "agree"}},
        {"name": "q", "type": "integer", "role": "question", "label": "q", "values": {1: "Yes", 0: "No"}},
    ],
}


def _text_survey():
    from workbench.schemas import parse_dictionary

    dictionary = parse_dictionary(TEXT_DICTIONARY)
    data = pd.DataFrame({"rid": [1, 2, 3, 4], "w": [1.0, 1.0, 2.0, 1.0],
                         "a1": pd.array(["agree", "DK", "disagree", "neutral"], dtype="string"),
                         "a2": pd.array(["disagree", "agree", "agree", "neutral"], dtype="string"),
                         "q": pd.array([1, 0, 1, 1], dtype="Int64")})
    return dictionary, data


def test_text_answers_score_in_declared_order_numbers_by_value() -> None:
    """Hand-calculated: text scores 1..3 in declared order; numeric codes by value (0 < 1)."""
    dictionary, data = _text_survey()
    assert answer_scores(dictionary, "a1") == {"disagree": 1.0, "neutral": 2.0, "agree": 3.0}
    assert answer_scores(dictionary, "q") == {0: 0.0, 1: 1.0}
    assert positive_codes(dictionary, "a1") == [3.0]
    scored = scored_items(data, dictionary, ["a1", "a2"])
    assert scored["a1"].tolist()[0] == 3.0 and np.isnan(scored["a1"].iloc[1])  # DK is missing
    battery = batteries(dictionary, kind=ATTITUDE)[0]
    # a2 reversed on 1..3: disagree(1) -> 3; index = mean(a1, reversed a2) for complete rows
    index = attitude_index(data, dictionary, battery)
    assert index.tolist()[0] == 3.0 and np.isnan(index.iloc[1]) and index.tolist()[2:] == [1.0, 2.0]


def test_single_question_answers_and_one_item_alpha_refused() -> None:
    dictionary, data = _text_survey()
    prepared = prepare_survey(data, dictionary)
    estimates = estimate_indicators(prepared.design, prepared.indicators).set_index("indicator")
    # weighted share of "Yes" (code 1, score 1): weights 1 + 2 + 1 of 5
    assert estimates.loc["answer__q__1", "estimate"] == pytest.approx(4 / 5)
    assert estimates.loc["answer__q__0", "estimate"] == pytest.approx(1 / 5)
    one = Battery("one", ATTITUDE, None, ("a1",), (), 1.0, 3.0)
    with pytest.raises(WorkbenchError, match="at least two items"):
        reliability(prepared.design, dictionary, one)


def test_two_answer_question_test_equals_the_indicator_test_and_holm_is_one_family(prepared) -> None:
    """Property: for a yes/no question the Rao-Scott test of the answers table is the test of
    the 0/1 indicator; holm_family equals Holm over the concatenated p-values."""
    _, survey = prepared
    table, test = compare_question(survey.design, survey.dictionary, "sch.wide", "stype")
    _, indicator_test = compare(survey.design, "answer__sch.wide__2", "stype")
    assert test["F"] == pytest.approx(indicator_test["F"], rel=1e-12)
    assert test["p_value"] == pytest.approx(indicator_test["p_value"], rel=1e-12)
    assert list(dict.fromkeys(table["category"])) == ["E", "M", "H"]  # the dictionary's order
    first = pd.DataFrame({"p_value": [0.01, 0.04]})
    second = pd.DataFrame({"p_value": [0.03, np.nan]})
    a, b = holm_family([first, second], alpha=0.05)
    expected = holm([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(np.r_[a["p_holm"], b["p_holm"]], expected)
    assert a["p_holm"].tolist() == pytest.approx([0.03, 0.06]) and b["p_holm"].iloc[0] == pytest.approx(0.06)
