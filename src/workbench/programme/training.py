"""Training evaluation: pre/post knowledge tests scored per participant and per item.

Layout (dictionary ``training_tests``): one row per participant and test phase ("pre" or
"post"), one column per test item holding the points earned (0/1 for right/wrong, or up to
the item's maximum for partial credit). A blank item is an unanswered question and earns 0
points (counted in ``n_blank_*``).

Definitions used in every table (and stated in ``improvement_definition``):

* score = sum of item points; ``*_pct`` = score / maximum score x 100;
* change = post score - pre score (points);
* *improved* = change >= ``min_gain`` points (default 1: any gain); the denominator is the
  participants who took both tests (a participant with no post-test is counted as
  ``n_without_post``, never as "not improved");
* an item is *correct* when it earns its full points (used by McNemar's test).

Statistics come from scipy (Wilcoxon signed-rank, paired t interval, Clopper-Pearson via
``binomtest``) and statsmodels (McNemar); item difficulty and discrimination are one-line
formulas (classical test theory), computed here.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from workbench.columns import require_columns
from workbench.errors import WorkbenchError
from workbench.programme.proportions import CI_METHOD, exact_ci

PRE, POST = "pre", "post"


def _max_points(items: Sequence[str], max_points: int | Mapping[str, int]) -> pd.Series:
    if isinstance(max_points, Mapping):
        missing = [i for i in items if i not in max_points]
        if missing:
            raise WorkbenchError("no maximum given for some items", column=", ".join(missing),
                                 expected="max_points for every item")
        return pd.Series({i: float(max_points[i]) for i in items})
    return pd.Series(float(max_points), index=list(items))


def check_tests(
    tests: pd.DataFrame,
    items: Sequence[str],
    *,
    participant: str = "participant_id",
    phase: str = "phase",
    max_points: int | Mapping[str, int] = 1,
    record_id: str | None = "test_id",
    file: str | None = None,
) -> None:
    """Raise a ``WorkbenchError`` for tests that cannot be scored.

    Problems: a missing column, a phase other than pre/post, two tests of the same phase for
    one participant, an item score below 0, above the item's maximum or not a number, and a
    post-test without a pre-test (the gain would be undefined).
    """
    needed = [participant, phase, *items]
    require_columns(tests, needed, what="the test table (participant, phase, one column per item)", file=file)
    ids = tests[record_id] if record_id and record_id in tests.columns else tests[participant]
    phases = tests[phase].astype("string").str.strip().str.lower()
    bad_phase = ~phases.isin([PRE, POST]).fillna(False)
    if bad_phase.any():
        pos = int(np.flatnonzero(bad_phase.to_numpy())[0])
        raise WorkbenchError("unknown test phase", file=file, row=pos + 1, record_id=ids.iloc[pos],
                             column=phase, value=tests[phase].iloc[pos], expected="pre or post")
    maxima = _max_points(items, max_points)
    for item in items:
        points = pd.to_numeric(tests[item], errors="coerce")
        not_number = points.isna() & tests[item].notna()
        too_high = points > maxima[item]
        negative = points < 0
        for mask, problem, in ((not_number, "an item score is not a number"),
                               (too_high, "an item score is above the item's maximum"),
                               (negative, "an item score is below 0")):
            if mask.any():
                pos = int(np.flatnonzero(mask.to_numpy())[0])
                raise WorkbenchError(problem, file=file, row=pos + 1, record_id=ids.iloc[pos], column=item,
                                     value=tests[item].iloc[pos], expected=f"0 to {maxima[item]:g} points")
    keys = pd.DataFrame({"p": tests[participant].to_numpy(), "phase": phases.to_numpy()})
    duplicated = keys.duplicated(keep="last")
    if duplicated.any():
        pos = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise WorkbenchError("a participant has two tests of the same phase", file=file, row=pos + 1,
                             record_id=ids.iloc[pos], column=phase, value=phases.iloc[pos],
                             expected="one pre-test and at most one post-test per participant "
                                      "(filter the table to one course first)")
    has_pre = set(keys.loc[keys["phase"] == PRE, "p"])
    orphan = (keys["phase"] == POST) & ~keys["p"].isin(has_pre)
    if orphan.any():
        pos = int(np.flatnonzero(orphan.to_numpy())[0])
        raise WorkbenchError("a post-test has no pre-test for the same participant", file=file, row=pos + 1,
                             record_id=ids.iloc[pos], column=participant, value=keys["p"].iloc[pos],
                             expected="a pre-test row for every participant with a post-test")


def _phase_table(tests: pd.DataFrame, items: Sequence[str], participant: str, phase: str,
                 which: str) -> pd.DataFrame:
    """Item points of one phase, one row per participant (blank -> NaN kept)."""
    rows = tests[tests[phase].astype("string").str.strip().str.lower() == which]
    table = rows[[participant, *items]].set_index(participant)
    return table.apply(pd.to_numeric, errors="coerce").astype(float)


def participant_scores(
    tests: pd.DataFrame,
    items: Sequence[str],
    *,
    participant: str = "participant_id",
    phase: str = "phase",
    max_points: int | Mapping[str, int] = 1,
    min_gain: float = 1,
    attributes: pd.DataFrame | None = None,
    record_id: str | None = "test_id",
) -> pd.DataFrame:
    """One row per participant: pre and post score, change and whether they improved.

    Columns: ``participant``, pre_score, post_score, max_score, pre_pct, post_pct, change
    (points), change_pct (percentage points), has_post, min_gain, improved (change >=
    min_gain; boolean, NA without a post-test), n_blank_pre, n_blank_post, then the
    columns of ``attributes`` (a table keyed by ``participant``, e.g. sex, region, trainer).
    """
    check_tests(tests, items, participant=participant, phase=phase, max_points=max_points, record_id=record_id)
    maxima = _max_points(items, max_points)
    pre = _phase_table(tests, items, participant, phase, PRE)
    post = _phase_table(tests, items, participant, phase, POST).reindex(pre.index)
    has_post = pre.index.isin(tests.loc[tests[phase].astype("string").str.strip().str.lower() == POST,
                                        participant])
    out = pd.DataFrame(index=pre.index)
    out["pre_score"] = pre.fillna(0).sum(axis=1)
    out["post_score"] = post.fillna(0).sum(axis=1).where(has_post)
    out["max_score"] = float(maxima.sum())
    out["pre_pct"] = 100 * out["pre_score"] / out["max_score"]
    out["post_pct"] = 100 * out["post_score"] / out["max_score"]
    out["change"] = out["post_score"] - out["pre_score"]
    out["change_pct"] = out["post_pct"] - out["pre_pct"]
    out["has_post"] = has_post
    out["min_gain"] = float(min_gain)
    out["improved"] = pd.array([bool(c >= min_gain) if ok else pd.NA for c, ok in zip(out["change"], has_post)],
                               dtype="boolean")
    out["n_blank_pre"] = pre.isna().sum(axis=1).astype(int)
    out["n_blank_post"] = post.isna().sum(axis=1).where(has_post).astype("Int64")
    out = out.reset_index().rename(columns={"index": participant})
    if attributes is not None:
        require_columns(attributes, [participant], what="the attributes table")
        extra = attributes.drop_duplicates(participant)
        out = out.merge(extra, on=participant, how="left", validate="one_to_one")
    return out


def improvement_definition(min_gain: float = 1, max_score: float | None = None,
                           language: str = "en") -> str:
    """The definition of "improved" in words, for the sentence that states the share."""
    if language == "ru":
        out_of = f" (из {max_score:g})" if max_score is not None else ""
        gain = "хотя бы на 1 балл" if min_gain == 1 else f"на {min_gain:g} балл(а) или больше"
        return (f"«улучшил(а) результат»: балл итогового теста{out_of} выше балла входного теста {gain}; "
                "знаменатель: участники, прошедшие оба теста")
    out_of = f" (out of {max_score:g})" if max_score is not None else ""
    gain = "at least 1 point" if min_gain == 1 else f"at least {min_gain:g} points"
    return (f"improved = post-test score{out_of} {gain} higher than pre-test score; "
            "denominator = participants who took both tests")


def share_improved(
    scores: pd.DataFrame,
    by: Sequence[str] = (),
    *,
    level: float = 0.95,
    language: str = "en",
) -> pd.DataFrame:
    """Share of participants who improved, with its Clopper-Pearson interval, per group.

    ``scores`` comes from ``participant_scores``. Columns: ``by``..., n_participants,
    n_without_post, n_paired, n_improved, n_same, n_worse, share_improved, ci_low, ci_high
    (0..1), level (the interval's coverage), ci_method, definition. One row (no ``by``) gives
    the figures of the sentence "N% of officers improved".
    """
    by = list(by)
    min_gain = float(scores["min_gain"].iloc[0]) if "min_gain" in scores.columns and len(scores) else 1.0
    max_score = float(scores["max_score"].iloc[0]) if len(scores) else None
    rows = []
    groups = scores.groupby(by, sort=True, dropna=False) if by else [((), scores)]
    for key, group in groups:
        paired = group[group["has_post"]]
        n_improved = int(paired["improved"].sum())
        low, high = exact_ci(n_improved, len(paired), level)
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, len(group), int((~group["has_post"]).sum()), len(paired), n_improved,
                     int((paired["change"] == 0).sum()), int((paired["change"] < 0).sum()),
                     n_improved / len(paired) if len(paired) else np.nan, low, high))
    columns = [*by, "n_participants", "n_without_post", "n_paired", "n_improved", "n_same", "n_worse",
               "share_improved", "ci_low", "ci_high"]
    out = pd.DataFrame(rows, columns=columns)
    out["level"] = level
    out["ci_method"] = CI_METHOD
    out["definition"] = improvement_definition(min_gain, max_score, language)
    return out


def results_by(scores: pd.DataFrame, by: Sequence[str] = (), *, level: float = 0.95) -> pd.DataFrame:
    """Mean scores and the share improved per group (e.g. trainer, region, sex).

    Columns: ``by``..., n_paired, mean_pre_pct, mean_post_pct, mean_change_pct (percentage
    points, participants with both tests), then the share-improved columns.
    """
    by = list(by)
    paired = scores[scores["has_post"]]
    if by:
        means = paired.groupby(by, sort=True, dropna=False)[["pre_pct", "post_pct", "change_pct"]].mean()
        means = means.reset_index()
    else:
        means = pd.DataFrame([paired[["pre_pct", "post_pct", "change_pct"]].mean()])
    means = means.rename(columns={"pre_pct": "mean_pre_pct", "post_pct": "mean_post_pct",
                                  "change_pct": "mean_change_pct"})
    shares = share_improved(scores, by, level=level)
    if by:
        return shares.merge(means, on=by, how="left")
    return pd.concat([shares, means], axis=1)


def paired_score_tests(scores: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Are post scores higher than pre scores? Wilcoxon signed-rank and paired t, one row each.

    Participants with both tests only. Wilcoxon: scipy's default (zero differences dropped,
    two-sided, exact p when n <= 50 without ties or zeros, else the normal approximation with
    tie correction); effect = matched-pairs rank-biserial correlation (Kerby 2014),
    estimate = median change. Paired t: estimate = mean change with its t interval.
    Columns: test, n_pairs, n_nonzero, estimate, ci_low, ci_high, statistic, p_value, effect.
    """
    paired = scores[scores["has_post"]]
    pre = paired["pre_score"].to_numpy(dtype=float)
    post = paired["post_score"].to_numpy(dtype=float)
    diff = post - pre
    nonzero = diff[diff != 0]
    nan = float("nan")
    rows = []
    if nonzero.size:
        wilcoxon = stats.wilcoxon(post, pre)
        ranks = stats.rankdata(np.abs(nonzero))
        rank_biserial = (ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()) / ranks.sum()
        rows.append(("wilcoxon_signed_rank", diff.size, nonzero.size, float(np.median(diff)), nan, nan,
                     float(wilcoxon.statistic), float(wilcoxon.pvalue), float(rank_biserial)))
    else:
        rows.append(("wilcoxon_signed_rank", diff.size, 0, 0.0, nan, nan, nan, nan, nan))
    if diff.size >= 2:
        t = stats.ttest_rel(post, pre)
        ci = t.confidence_interval(level)
        sd = diff.std(ddof=1)
        rows.append(("paired_t", diff.size, nonzero.size, float(diff.mean()), float(ci.low), float(ci.high),
                     float(t.statistic), float(t.pvalue), float(diff.mean() / sd) if sd > 0 else nan))
    columns = ["test", "n_pairs", "n_nonzero", "estimate", "ci_low", "ci_high", "statistic", "p_value", "effect"]
    return pd.DataFrame(rows, columns=columns)


def item_mcnemar(
    tests: pd.DataFrame,
    items: Sequence[str],
    *,
    participant: str = "participant_id",
    phase: str = "phase",
    max_points: int | Mapping[str, int] = 1,
    exact: bool = True,
    record_id: str | None = "test_id",
) -> pd.DataFrame:
    """Did each item change from pre to post? McNemar's test per item (statsmodels).

    Participants with both tests; an item is correct when it earns full points (blank =
    wrong). Columns: item, n_pairs, pre_correct, post_correct (shares 0..1),
    n_correct_pre_only, n_correct_post_only (the discordant pairs b and c), statistic,
    p_value, method ("exact binomial" or "chi-square, continuity-corrected").
    """
    check_tests(tests, items, participant=participant, phase=phase, max_points=max_points, record_id=record_id)
    maxima = _max_points(items, max_points)
    pre = _phase_table(tests, items, participant, phase, PRE).fillna(0)
    post = _phase_table(tests, items, participant, phase, POST).fillna(0)
    pre = pre.loc[pre.index.isin(post.index)]
    post = post.reindex(pre.index)
    rows = []
    for item in items:
        before = pre[item].to_numpy() >= maxima[item]
        after = post[item].to_numpy() >= maxima[item]
        table = np.array([[np.sum(before & after), np.sum(before & ~after)],
                          [np.sum(~before & after), np.sum(~before & ~after)]])
        result = mcnemar(table, exact=exact, correction=True)
        rows.append((item, len(before), before.mean() if len(before) else np.nan,
                     after.mean() if len(after) else np.nan, int(table[0, 1]), int(table[1, 0]),
                     float(result.statistic), float(result.pvalue)))
    out = pd.DataFrame(rows, columns=["item", "n_pairs", "pre_correct", "post_correct", "n_correct_pre_only",
                                      "n_correct_post_only", "statistic", "p_value"])
    out["method"] = "exact binomial" if exact else "chi-square, continuity-corrected"
    return out


def item_statistics(
    tests: pd.DataFrame,
    items: Sequence[str],
    *,
    participant: str = "participant_id",
    phase: str = "phase",
    max_points: int | Mapping[str, int] = 1,
    record_id: str | None = "test_id",
) -> pd.DataFrame:
    """Item difficulty and discrimination before and after training (classical test theory).

    One row per item and phase: n, difficulty (mean points / maximum, 0..1; the share
    correct for 0/1 items; higher = easier), discrimination (corrected item-total
    correlation: Pearson correlation of the item with the total of the OTHER items; NaN
    when either does not vary). Blank = 0 points.
    """
    check_tests(tests, items, participant=participant, phase=phase, max_points=max_points, record_id=record_id)
    maxima = _max_points(items, max_points)
    rows = []
    for which in (PRE, POST):
        table = _phase_table(tests, items, participant, phase, which).fillna(0)
        total = table.sum(axis=1)
        for item in items:
            rest = total - table[item]
            varies = table[item].std() > 0 and rest.std() > 0
            r = float(np.corrcoef(table[item], rest)[0, 1]) if varies and len(table) > 2 else np.nan
            difficulty = float(table[item].mean() / maxima[item]) if len(table) else np.nan
            rows.append((item, which, len(table), difficulty, r))
    return pd.DataFrame(rows, columns=["item", "phase", "n", "difficulty", "discrimination"])


def trainer_results(
    officer_scores: pd.DataFrame,
    trainer_scores: pd.DataFrame,
    *,
    trainer: str = "trainer_id",
    participant: str = "participant_id",
    level: float = 0.95,
) -> pd.DataFrame:
    """Each trainer's own training-of-trainers result next to the results of their trainees.

    ``officer_scores`` (with a ``trainer`` column) and ``trainer_scores`` come from
    ``participant_scores``. Columns: ``trainer``, tot_pre_pct, tot_post_pct, tot_change_pct,
    then the officers' ``results_by(trainer)`` columns (n_paired, share_improved...).
    """
    require_columns(officer_scores, [trainer],
                    what="the officers' scores (participant_scores(..., attributes=participants))")
    own = trainer_scores[[participant, "pre_pct", "post_pct", "change_pct"]].rename(
        columns={participant: trainer, "pre_pct": "tot_pre_pct", "post_pct": "tot_post_pct",
                 "change_pct": "tot_change_pct"})
    trainees = results_by(officer_scores, [trainer], level=level)
    return own.merge(trainees, on=trainer, how="outer").sort_values(trainer, ignore_index=True)


def participant_counts(
    participants: pd.DataFrame,
    *,
    role: str = "role",
    sex: str = "sex",
    female: object = 2,
) -> pd.DataFrame:
    """Who was trained: per role, n, n_female and share_female (0..1), plus an "all" row.

    For the sentence "15 national trainers (67% women) trained 88 officers".
    """
    require_columns(participants, [role, sex], what="the participants table")
    is_female = participants[sex] == female
    rows = [(key, len(group), int(is_female[group.index].sum())) for key, group in
            participants.groupby(role, sort=True)]
    rows.append(("all", len(participants), int(is_female.sum())))
    out = pd.DataFrame(rows, columns=[role, "n", "n_female"])
    out["share_female"] = out["n_female"] / out["n"].where(out["n"] > 0)
    return out
