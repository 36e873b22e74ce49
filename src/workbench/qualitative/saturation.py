"""Thematic saturation after Guest, Namey and Chen (2020), and the code-discovery curve.

Guest, Namey & Chen (2020), "A simple method to assess and report thematic saturation in
qualitative research", PLoS ONE 15(5): e0232076. Interviews are taken in the order they
were conducted (the order given). The *base* is the first ``base_size`` interviews; its
number of distinct codes is the denominator. A *run* is ``run_length`` consecutive
interviews after the base; its new information is the number of codes that appear in
the run and in no earlier interview. The saturation ratio of a run is new information /
codes in the base; saturation is reached at the end of the first run whose ratio is at
or below the new-information threshold (e.g. 5%). Runs follow each other without overlap
by default (``step = run_length``); ``step=1`` gives rolling runs.

Written here: the method is a few set operations; no maintained Python package exists.
"""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.qualitative.analysis import accepted_segments


def code_sets_by_document(
    segments: pd.DataFrame, doc_order: Sequence[Hashable]
) -> list[tuple[Hashable, frozenset[Any]]]:
    """The set of codes of each document, in ``doc_order`` (documents without codes: empty set)."""
    accepted = accepted_segments(segments)
    by_doc = accepted.groupby("doc_id")["code_id"].agg(frozenset).to_dict()
    return [(doc_id, by_doc.get(str(doc_id), frozenset())) for doc_id in doc_order]


def _labelled(code_sets: Sequence[Any]) -> list[tuple[Hashable, frozenset[Any]]]:
    """Accept [(label, codes), ...] or [codes, ...] (labels 1, 2, ...)."""
    result = []
    for position, item in enumerate(code_sets, start=1):
        if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], (str, bytes)):
            label, codes = item
        else:
            label, codes = position, item
        result.append((label, frozenset(codes)))
    return result


def discovery_curve(code_sets: Sequence[Any]) -> pd.DataFrame:
    """Code-discovery curve: new and cumulative distinct codes after each interview.

    ``code_sets``: codes per interview in interview order, either as sets or as
    (interview label, set) pairs (e.g. from :func:`code_sets_by_document`). Columns:
    position (1-based), interview, n_codes, n_new_codes, cumulative_codes,
    pct_of_all_codes (per cent of the codes found in all interviews).
    """
    labelled = _labelled(code_sets)
    seen: set[Any] = set()
    rows = []
    for position, (label, codes) in enumerate(labelled, start=1):
        new = codes - seen
        seen |= codes
        rows.append((position, label, len(codes), len(new), len(seen)))
    result = pd.DataFrame(
        rows, columns=["position", "interview", "n_codes", "n_new_codes", "cumulative_codes"]
    )
    total = len(seen)
    result["pct_of_all_codes"] = 100.0 * result["cumulative_codes"] / total if total else float("nan")
    return result


def saturation_runs(
    code_sets: Sequence[Any],
    *,
    base_size: int = 4,
    run_length: int = 2,
    threshold: float = 0.05,
    step: int | None = None,
) -> pd.DataFrame:
    """Saturation ratio of every run after the base (Guest, Namey & Chen 2020).

    ``threshold`` is a proportion (0.05 = 5%). Columns: run (1-based), first_position,
    last_position (1-based interview positions), interviews (labels joined by ", "),
    n_new_codes, base_codes, saturation_ratio (a proportion), saturated (ratio <=
    threshold), first_saturated (True on the first such run only). The interview count at
    saturation is ``last_position`` of the first saturated run.
    """
    labelled = _labelled(code_sets)
    _check_parameters(len(labelled), base_size, run_length, threshold, step)
    step = run_length if step is None else step
    base_codes = frozenset().union(*(codes for _, codes in labelled[:base_size]))
    if not base_codes:
        raise WorkbenchError(
            "the base interviews contain no codes, so the saturation ratio is undefined",
            value=base_size, expected="a base whose interviews are coded",
        )
    rows = []
    first_found = False
    run = 0
    for first in range(base_size, len(labelled) - run_length + 1, step):
        run += 1
        earlier = frozenset().union(*(codes for _, codes in labelled[:first]))
        in_run = frozenset().union(*(codes for _, codes in labelled[first : first + run_length]))
        n_new = len(in_run - earlier)
        ratio = n_new / len(base_codes)
        saturated = ratio <= threshold
        rows.append(
            {
                "run": run,
                "first_position": first + 1,
                "last_position": first + run_length,
                "interviews": ", ".join(str(label) for label, _ in labelled[first : first + run_length]),
                "n_new_codes": n_new,
                "base_codes": len(base_codes),
                "saturation_ratio": ratio,
                "saturated": saturated,
                "first_saturated": saturated and not first_found,
            }
        )
        first_found = first_found or saturated
    columns = [
        "run", "first_position", "last_position", "interviews", "n_new_codes", "base_codes",
        "saturation_ratio", "saturated", "first_saturated",
    ]
    return pd.DataFrame(rows, columns=columns)


def saturation_summary(
    code_sets: Sequence[Any],
    *,
    base_size: int = 4,
    run_length: int = 2,
    threshold: float = 0.05,
    step: int | None = None,
) -> pd.DataFrame:
    """One-row summary: parameters, interviews to saturation (NA if not reached), codes found.

    Columns: base_size, run_length, threshold, n_interviews, total_codes, base_codes,
    saturation_at (interview position at the end of the first saturated run),
    codes_at_saturation (distinct codes found up to that interview), pct_codes_at_saturation.
    """
    runs = saturation_runs(
        code_sets, base_size=base_size, run_length=run_length, threshold=threshold, step=step
    )
    curve = discovery_curve(code_sets)
    first = runs[runs["first_saturated"]]
    total = int(curve["cumulative_codes"].iloc[-1]) if len(curve) else 0
    at: Any = pd.NA
    codes_at: Any = pd.NA
    pct_at: Any = float("nan")
    if not first.empty:
        at = int(first["last_position"].iloc[0])
        codes_at = int(curve.loc[curve["position"] == at, "cumulative_codes"].iloc[0])
        pct_at = 100.0 * codes_at / total if total else float("nan")
    return pd.DataFrame(
        [
            {
                "base_size": base_size, "run_length": run_length, "threshold": threshold,
                "n_interviews": len(curve), "total_codes": total,
                "base_codes": int(runs["base_codes"].iloc[0]) if len(runs) else pd.NA,
                "saturation_at": at, "codes_at_saturation": codes_at,
                "pct_codes_at_saturation": pct_at,
            }
        ]
    )


def _check_parameters(
    n_interviews: int, base_size: int, run_length: int, threshold: float, step: int | None
) -> None:
    if base_size < 1 or run_length < 1 or (step is not None and step < 1):
        raise WorkbenchError(
            "base size, run length and step must be positive whole numbers",
            value=(base_size, run_length, step), expected="integers >= 1",
        )
    if not 0 <= threshold <= 1:
        raise WorkbenchError(
            "the new-information threshold is a proportion", value=threshold, expected="0..1 (0.05 = 5%)"
        )
    if n_interviews < base_size + run_length:
        raise WorkbenchError(
            "too few interviews for one run after the base",
            value=n_interviews, expected=f"at least base_size + run_length = {base_size + run_length}",
        )

