"""Both strands on the demo study, checked against independent calculations, and the
employment row following a change in the survey data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import mixed as mx
from workbench.io import read_table
from workbench.qualitative.presentation import primary_coder
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.study import Study

def test_survey_strand_matches_a_hand_calculation(demo_study: Path, helpers) -> None:
    survey, prepared, data = helpers.joint(demo_study)
    row = survey.set_index("indicator").loc["item__sd_fp_coworker"]
    assert row["estimate"] == pytest.approx(helpers.hand_share(prepared, data, "sd_fp_coworker"), abs=1e-12)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert row["n"] == int(data["sd_fp_coworker"].isin([0, 1]).sum())
    # a concern reading flips the share and its interval
    threat = survey.set_index("indicator").loc["item__att_ret_4"]
    assert threat["favourable"] == pytest.approx(1 - threat["estimate"])
    assert threat["favourable_low"] == pytest.approx(1 - threat["ci_high"])
    # an item of an attitude battery counts the upper half of its codes (4, 5 = agree)
    agree = survey.set_index("indicator").loc["item__att_ret_2"]
    weights = np.asarray(prepared.design.analysis_weights())
    values = data["att_ret_2"].to_numpy()
    valid = np.isin(values, [1, 2, 3, 4, 5])
    assert agree["estimate"] == pytest.approx(float((weights[valid] * (values[valid] >= 4)).sum() / weights[valid].sum()))


def test_qualitative_strand_matches_counts_from_the_raw_tables(demo_study: Path) -> None:
    study = Study.load(demo_study)
    mapping = mx.load_study_mapping(study)
    corpus = load_study_corpus(study)
    coder = primary_coder(corpus.segments)
    coded = corpus.segments[corpus.segments["coder"] == coder]
    raised = mx.qualitative_evidence(corpus, coded, mapping)
    # independent count: key-informant documents hold one case each (documents.case_id)
    documents = corpus.documents.set_index("doc_id")
    cases = corpus.cases.set_index("case_id")
    kii = documents[documents["doc_type"] == "KII"]
    for row in mapping.rows:
        hit_docs = set(coded.loc[coded["code_id"].isin(row.codes), "doc_id"])
        hit_cases = {kii.loc[d, "case_id"] for d in hit_docs if d in kii.index}
        got = raised[(raised["row_id"] == row.id) & (raised["source"] == "key_informants")].set_index(
            ["attribute", "category"], drop=False)
        overall = got[got["attribute"].isna()].iloc[0]
        assert overall["n"] == len(hit_cases) and overall["base"] == len(kii)
        women = got[(got["attribute"] == "sex") & (got["category"] == "female")].iloc[0]
        assert women["n"] == sum(cases.loc[c, "sex"] == "female" for c in hit_cases)
        assert women["base"] == int((cases.loc[kii["case_id"], "sex"] == "female").sum())
        fg = raised[(raised["row_id"] == row.id) & (raised["source"] == "focus_groups")].iloc[0]
        fgd = set(documents.index[documents["doc_type"] == "FGD"])
        assert fg["n"] == len(hit_docs & fgd) and fg["base"] == len(fgd)


def test_employment_row_follows_the_survey_data(demo_copy: Path, helpers) -> None:
    before, prepared, data = helpers.joint(demo_copy)
    flipped = helpers.flip_coworkers(demo_copy, 0.2, seed=7)
    after, prepared_after, data_after = helpers.joint(demo_copy)  # read and validated again: the file stays valid
    assert flipped > 100 and (data_after["sd_fp_coworker"] == 1).sum() == (data["sd_fp_coworker"] == 1).sum() - flipped
    old = before.set_index("indicator").loc["item__sd_fp_coworker", "estimate"]
    new = after.set_index("indicator").loc["item__sd_fp_coworker", "estimate"]
    assert new == pytest.approx(helpers.hand_share(prepared_after, data_after, "sd_fp_coworker"), abs=1e-12)
    # about a fifth of the acceptors gone (the weights do not depend on this answer)
    assert new == pytest.approx(0.8 * old, abs=0.03)
    # other indicators are untouched
    assert after.set_index("indicator").loc["item__sup_jobs", "estimate"] == pytest.approx(
        before.set_index("indicator").loc["item__sup_jobs", "estimate"], abs=1e-12)
    # the joint display's employment row carries the new figure
    study = Study.load(demo_copy)
    mapping = mx.load_study_mapping(study)
    empty = pd.DataFrame(columns=mx.evidence.RAISED_COLUMNS)
    table = mx.joint_display(mapping, after, empty, pd.DataFrame(columns=["row_id", "alpha", "weakest_code"]))
    assert table.set_index("row_id").loc["employment", "estimate"] == pytest.approx(new)
