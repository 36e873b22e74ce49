"""The demo study's one world: the constants every synthetic generator draws from.

Why: the probation caseload (``risk``), the programme's offices, training and register
(``programme``) were generated from separate numbers, so the demo's reports disagreed with
one another (14 offices in the caseload against 34 in the service; 92 violent-extremist
clients in follow-up against 17 on the register on the same day). Here is one list of
offices, one count of trained officers and the offices they work in (the training records'
officers are the caseload's assessors, ids ``O001``...), and one data cut-off; the register's people serving
a probation sentence at the cut-off are the caseload's violent-extremist clients in
follow-up on that day (``programme.write_register``). All of it is an ASSUMPTION of the
synthetic demo: no public list of the service's offices was used.
"""

from __future__ import annotations

import pandas as pd

#: ASSUMPTION: probation offices (district units) per region, in ``kyrgyz_regions`` order: 34
OFFICES_PER_REGION: dict[str, int] = {"Batken": 3, "Chuy": 6, "Issyk-Kul": 4, "Jalal-Abad": 5, "Naryn": 3,
                                      "Osh oblast": 5, "Talas": 2, "Bishkek city": 4, "Osh city": 2}
#: probation officers trained by the programme (UNODC results report 2021-2023)
OFFICERS_TRAINED = 88
#: ASSUMPTION: relative caseload of each region (population shares; Bishkek over-weighted)
CASELOAD_WEIGHT: dict[str, float] = {"Batken": 0.55, "Chuy": 1.01, "Issyk-Kul": 0.50, "Jalal-Abad": 1.07, "Naryn": 0.27,
                                     "Osh oblast": 1.23, "Talas": 0.22, "Bishkek city": 1.40, "Osh city": 0.33}
#: the last day of every demo dataset (the caseload's cut-off, the register's data end)
DATA_CUTOFF = pd.Timestamp("2024-12-31")


def offices() -> pd.DataFrame:
    """Every probation office of the demo service: ``office_id`` (PO01...), ``region`` (English
    label), ``number`` (1, 2, ... within its region); the same ids in every dataset."""
    rows = [(region, k) for region, count in OFFICES_PER_REGION.items() for k in range(1, count + 1)]
    return pd.DataFrame({"office_id": [f"PO{j + 1:02d}" for j in range(len(rows))],
                         "region": [r for r, _ in rows], "number": [k for _, k in rows]})


def trained_officers() -> pd.DataFrame:
    """``offices()`` with ``weight`` (the office's share of its region's caseload weight) and
    ``officers``: the trained officers working there, shared out by that weight (largest
    remainder, at least one per office). The training records and the caseload both use it."""
    import numpy as np

    table = offices()
    table["weight"] = table["region"].map(CASELOAD_WEIGHT) / table["region"].map(OFFICES_PER_REGION)
    share = (table["weight"] / table["weight"].sum() * OFFICERS_TRAINED).to_numpy()
    officers = np.maximum(np.floor(share).astype(int), 1)
    remainder = share - np.floor(share)
    for j in np.argsort(-remainder, kind="stable")[: OFFICERS_TRAINED - officers.sum()]:
        officers[j] += 1
    table["officers"] = officers
    return table
