"""Reader for ProPublica's COMPAS two-year recidivism file, filtered as ProPublica did.

The public file ``compas-scores-two-years.csv`` (propublica/compas-analysis) is the standard
real data set for checking a risk-score validation toolkit. ProPublica's analysis keeps rows
with ``days_b_screening_arrest`` between -30 and 30, ``is_recid != -1``,
``c_charge_degree != 'O'`` and ``score_text != 'N/A'``. The header repeats
``decile_score`` and ``priors_count``; pandas names the second copies ``decile_score.1``
and ``priors_count.1``. This module only reads; it is the io-type exception to the rule
that analysis modules do not touch files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError

NEEDED = ("sex", "race", "age", "decile_score", "score_text", "priors_count", "days_b_screening_arrest",
          "is_recid", "c_charge_degree", "two_year_recid")


def load_compas(path: str | Path) -> pd.DataFrame:
    """ProPublica-filtered COMPAS rows (6,172 in the 2017 file) with an added 0/1 column
    ``reoffended`` (= ``two_year_recid``) and ``high_risk`` (score_text Medium or High,
    ProPublica's dichotomy)."""
    file = Path(path)
    if not file.exists():
        raise WorkbenchError("COMPAS file not found", file=str(file),
                             expected="compas-scores-two-years.csv from propublica/compas-analysis")
    # keep_default_na=False so that score_text 'N/A' stays a text value, as ProPublica's R code saw it
    raw = pd.read_csv(file, keep_default_na=False, na_values=[""], low_memory=False)
    require_columns(raw, NEEDED, what="the COMPAS file", file=str(file))
    days = pd.to_numeric(raw["days_b_screening_arrest"], errors="coerce")
    keep = (days.between(-30, 30) & (pd.to_numeric(raw["is_recid"], errors="coerce") != -1)
            & (raw["c_charge_degree"] != "O") & (raw["score_text"] != "N/A"))
    data = raw.loc[keep].reset_index(drop=True)
    data["reoffended"] = pd.to_numeric(data["two_year_recid"]).astype(int)
    data["high_risk"] = data["score_text"].isin(["Medium", "High"]).astype(int)
    return data


COUNTS_FILE = Path(__file__).with_name("data") / "compas_two_year_counts.json"


def compas_counts() -> pd.DataFrame:
    """The packaged aggregate of the ProPublica-filtered COMPAS rows: ``sex, race,
    decile_score, reoffended, people`` (171 cells, 6,172 people; provenance in
    ``risk/data/README.md``). Real public data from the United States, not the study's."""
    import json

    body = json.loads(COUNTS_FILE.read_text(encoding="utf-8"))
    return pd.DataFrame(body["rows"], columns=body["columns"])


def compas_records() -> pd.DataFrame:
    """One row per person from ``compas_counts`` (``sex, race, decile_score, reoffended``):
    what the validation functions take; the same results as ``load_compas`` on the file for
    every check by sex and by race."""
    counts = compas_counts()
    rows = counts.loc[counts.index.repeat(counts["people"])].drop(columns="people")
    return rows.reset_index(drop=True)
