"""Joint displays: one row per barrier, facilitator or community strategy, both strands side by side.

``load_study_mapping`` reads the study's mapping (a dataset of format ``mapping`` in
study.yaml) and validates it against the survey dictionary, the codebook and the cases table.
``joint_display`` puts together, per mapping row, the headline survey indicator (the item that
measures the same thing, ``findings.headline_indicator``; weighted estimate, CI, respondents,
and the share on the side of reintegration), who
raised the row's codes in the interviews and focus groups (overall, by target group, by sex)
and the reliability of its weakest code. ``suppress_joint_display`` hides every figure that
rests on too few people under the report's ``Disclosure`` (respondents, key informants of a group, experts, or
focus-group participants), cell by cell, because one row holds counts with different bases.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.mixed.findings import context_indicators, headline_indicator
from workbench.mixed.mapping import JointDisplayMapping, Recommendation, load_mapping, load_recommendations

SURVEY_COLUMNS = ["estimate", "ci_low", "ci_high", "favourable", "favourable_low", "favourable_high"]


def load_study_mapping(study: Any, name: str = "joint_display") -> JointDisplayMapping:
    """The mapping dataset ``name`` of a study, validated against the study's own survey
    dictionary, codebook and cases (datasets named in the mapping)."""
    path = study.path(name)
    from workbench.io.safe_yaml import load_yaml

    head = load_yaml(path, what="the mapping file") or {}
    survey = str(head.get("survey", "survey")) if isinstance(head, dict) else "survey"
    codes_name = str(head.get("codes", "qual_codes")) if isinstance(head, dict) else "qual_codes"
    for dataset in (survey, codes_name):
        if dataset not in study.datasets:
            raise WorkbenchError(f"the mapping names a dataset the study does not have: {dataset!r}", file=str(path),
                                 value=dataset, expected=f"one of {sorted(study.datasets)}")
    codes = study.read(codes_name)
    cases_name = codes_name.replace("codes", "cases")
    attributes = (set(study.dictionary(cases_name).variables) if cases_name in study.datasets else set())
    return load_mapping(path, study.dictionary(survey), set(codes["code_id"].astype(str)), attributes)


def load_study_recommendations(study: Any, mapping: JointDisplayMapping,
                               name: str = "recommendations") -> list[Recommendation]:
    """The study's recommendations, each checked to name rows of ``mapping``."""
    return load_recommendations(study.path(name), mapping)


def joint_display(mapping: JointDisplayMapping, survey: pd.DataFrame, raised: pd.DataFrame,
                  reliability: pd.DataFrame) -> pd.DataFrame:
    """One row per mapping row (mapping order), not yet suppressed.

    Columns: ``row_id``, ``section``, ``polarity``, ``indicator`` (headline key or None),
    ``measures`` (its construct), ``survey_match`` (``matched``, or ``no_item``: no survey item
    measures the row), ``context_indicator`` (first indicator shown as context only, or None),
    ``variable``/``battery``, ``reading``, ``estimate``, ``ci_low``, ``ci_high``, ``favourable``,
    ``favourable_low``, ``favourable_high`` (0-1), ``n_respondents``; ``ki_n``/``ki_base``/
    ``ki_share`` (key informants), ``ki_<attribute>_<category>_n``/``_base`` per group and sex,
    ``experts_n``/``experts_base``, ``fg_n``/``fg_base``/``fg_people`` (focus groups and their
    participants), ``sources_raising`` (kinds of source that raised it, 0-3), ``alpha``
    (weakest code), ``weakest_code``. ``survey`` comes from ``evidence.survey_evidence``
    (national or one domain), ``raised`` from ``evidence.qualitative_evidence``.
    """
    by_indicator = survey.set_index("indicator") if len(survey) else pd.DataFrame()
    alpha = reliability.set_index("row_id") if len(reliability) else pd.DataFrame(columns=["alpha", "weakest_code"])
    out = []
    for row in mapping.rows:
        record: dict[str, Any] = {"row_id": row.id, "section": row.section, "polarity": row.polarity}
        headline = headline_indicator(row)
        context = context_indicators(row)
        record.update(indicator=headline.key if headline else None, variable=headline.variable if headline else None,
                      battery=headline.battery if headline else None, reading=headline.reading if headline else None,
                      measures=headline.measures if headline else None,
                      survey_match="matched" if headline else "no_item",
                      context_indicator=context[0].key if context else None)
        if headline is not None and headline.key in by_indicator.index:
            est = by_indicator.loc[headline.key]
            record.update({c: float(est[c]) for c in SURVEY_COLUMNS})
            record["n_respondents"] = int(est["n"])
        else:
            record.update({c: np.nan for c in SURVEY_COLUMNS})
            record["n_respondents"] = 0 if headline is not None else np.nan
        counts = raised[raised["row_id"] == row.id]
        for item in counts.itertuples(index=False):
            if item.source == "key_informants":
                prefix = "ki" if item.attribute is None else f"ki_{item.attribute}_{item.category}"
            else:
                prefix = "experts" if item.source == "experts" else "fg"
            record[f"{prefix}_n"] = int(item.n)
            record[f"{prefix}_base"] = int(item.base)
            if item.source == "focus_groups":
                record["fg_people"] = int(item.people)
        record["ki_share"] = record["ki_n"] / record["ki_base"] if record.get("ki_base") else np.nan
        record["sources_raising"] = int(sum(record.get(f"{p}_n", 0) > 0 for p in ("ki", "experts", "fg")))
        record["alpha"] = float(alpha.loc[row.id, "alpha"]) if row.id in alpha.index else np.nan
        record["weakest_code"] = alpha.loc[row.id, "weakest_code"] if row.id in alpha.index else None
        out.append(record)
    return pd.DataFrame(out)


def count_prefixes(table: pd.DataFrame) -> list[str]:
    """The count prefixes of a joint display (``ki``, ``ki_sex_female``, ``experts``, ``fg``...)."""
    return [c[: -len("_base")] for c in table.columns if c.endswith("_base")]


def suppress_joint_display(table: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Copy with every figure resting on too few people (``disclosure``) set to NA, cell by cell.

    Survey columns go when ``n_respondents`` is too few; a count ``<prefix>_n`` (and
    ``ki_share`` with ``ki_n``) goes when the people it rests on (``<prefix>_base``; for focus
    groups ``fg_people``) are too few; the base then goes too (it is itself a count of fewer
    people than the threshold), except the number of focus groups, which counts groups, not
    people. Adds ``survey_hidden`` and ``<prefix>_hidden``.
    """
    out = table.astype({column: float for column in SURVEY_COLUMNS})
    out = disclosure.hide(out, "n_respondents", SURVEY_COLUMNS + ["n_respondents"], flag="survey_hidden",
                          rows=out["indicator"].notna())
    for prefix in count_prefixes(out):
        people = "fg_people" if prefix == "fg" else f"{prefix}_base"
        figures = [f"{prefix}_n", people, *(["ki_share"] if prefix == "ki" else [])]
        out = disclosure.hide(out, out[people], figures, flag=f"{prefix}_hidden")
    # a kind of source counts as raising only where its count is shown
    out["sources_raising"] = sum((pd.to_numeric(out[f"{p}_n"], errors="coerce").fillna(0) > 0).astype(int)
                                 for p in ("ki", "experts", "fg") if f"{p}_n" in out.columns)
    return out
