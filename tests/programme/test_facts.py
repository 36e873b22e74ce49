"""Facts and figures from a hand-made register: counts, stocks, suppression, bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.programme import facts


def _register() -> pd.DataFrame:
    rows = [
        # record person sex region charge      outcome conviction   sentence start        end
        ("R1", "A", 1, 1, "2018-03-01", 1, "2018-09-01", 1, "2018-09-01", "2021-09-01"),
        ("R2", "B", 2, 1, "2018-05-01", 1, "2019-02-01", 2, "2019-02-01", "2020-12-31"),
        ("R3", "C", 1, 2, "2019-01-10", 2, "", "", "", ""),
        ("R4", "D", 1, 2, "2019-06-01", 1, "2019-12-01", 1, "2019-12-01", ""),
        ("R5", "D", 1, 2, "2019-08-01", 3, "", "", "", ""),                    # D charged twice in 2019
        ("R6", "E", 1, 1, "2016-02-01", 1, "2016-10-01", 1, "2016-10-01", "2019-03-01"),
        ("R7", "F", 2, 2, "2020-02-01", 4, "", "", "", ""),
    ]
    return pd.DataFrame(rows, columns=["record_id", "person_id", "sex", "region", "charge_date", "outcome",
                                       "conviction_date", "sentence_type", "sentence_start", "sentence_end"])


YEARS = range(2017, 2021)


def _counts(table: pd.DataFrame, keys: list[str]) -> dict:
    cells = table[~table["is_total"]]
    return {tuple(row[k] for k in keys): row["n"] for _, row in cells.iterrows()}


def test_charged_counts_distinct_people():
    table = facts.facts_counts(_register(), "charged", ["year"], years=YEARS, disclosure=Disclosure(1))
    # hand: 2017 none; 2018 A, B; 2019 C, D (twice, counted once); 2020 F
    assert _counts(table, ["year"]) == {(2017,): 0, (2018,): 2, (2019,): 2, (2020,): 1}


def test_convicted_by_setting():
    table = facts.facts_counts(_register(), "convicted", ["year", "setting"], years=YEARS, disclosure=Disclosure(1))
    counts = _counts(table, ["year", "setting"])
    assert counts[(2018, "prison")] == 1 and counts[(2019, "prison")] == 1 and counts[(2019, "probation")] == 1
    totals = table[table["is_total"]].set_index("year")["n"]
    assert totals[2019] == 2 and totals[2017] == 0


def test_serving_on_31_december():
    table = facts.facts_counts(_register(), "serving", ["year", "setting"], years=YEARS, disclosure=Disclosure(1))
    counts = _counts(table, ["year", "setting"])
    # hand: prison end-2017: A not yet, E yes -> 1; end-2018: A, E -> 2; end-2019: A, D (E released
    # March 2019) -> 2; end-2020: A, D -> 2. Probation: B from Feb 2019 to 31 Dec 2020 (released
    # that day: not serving at the end of 2020) -> 2019: 1, 2020: 0
    assert [counts[(y, "prison")] for y in YEARS] == [1, 2, 2, 2]
    assert [counts[(y, "probation")] for y in YEARS] == [0, 0, 1, 0]


def test_small_cells_are_suppressed_with_totals():
    table = facts.facts_counts(_register(), "charged", ["year", "sex"], years=[2018, 2019], disclosure=Disclosure(2))
    cells = table.set_index(["year", "sex"])
    # hand: 2018 men 1 (A), women 1 (B) -> both hidden (primary), total 2 stays;
    # 2019 men 2 (C, D), women 0 -> nothing hidden
    assert cells.loc[(2018, 1), "suppressed"] and cells.loc[(2018, 2), "suppressed"]
    assert pd.isna(cells.loc[(2018, 1), "n"]) and pd.isna(cells.loc[(2018, 2), "n"])
    assert cells.loc[(2018, "Total"), "n"] == 2 and not cells.loc[(2018, "Total"), "suppressed"]
    assert cells.loc[(2019, 1), "n"] == 2 and cells.loc[(2019, 2), "n"] == 0
    assert not cells.loc[(2019, 1), "suppressed"]


def test_secondary_suppression_in_facts_table():
    # 12 men and 3 women charged in 2019 with totals shown: the 3 is primary, the 12 secondary
    rows = [(f"R{i}", f"P{i}", 2 if i < 3 else 1, 1, "2019-03-01", 3, "", "", "", "") for i in range(15)]
    register = pd.DataFrame(rows, columns=_register().columns)
    table = facts.facts_counts(register, "charged", ["year", "sex"], years=[2019], disclosure=Disclosure(10))
    status = table.set_index("sex")["suppression"].to_dict()
    assert status == {1: "secondary", 2: "primary", "Total": ""}
    assert table.set_index("sex").loc["Total", "n"] == 15


def test_levels_and_labels():
    table = facts.facts_counts(_register(), "charged", ["region"], years=YEARS, disclosure=Disclosure(1),
                               levels={"region": [1, 2, 3]}, labels={"region": {1: "Batken", 2: "Chuy", 3: "Issyk-Kul"}})
    assert table["region"].tolist() == ["Batken", "Chuy", "Issyk-Kul", "Total"]
    assert table["n"].tolist() == [2, 3, 0, 5]


def test_facts_by_year_has_all_measures():
    table = facts.facts_by_year(_register(), ["sex"], years=YEARS, disclosure=Disclosure(1))
    assert set(table["measure"]) == {"charged", "convicted", "serving"}
    serving = table[(table["measure"] == "serving") & (table["setting"] == "Total") & (table["sex"] == "Total")]
    assert serving.set_index("year")["n"].tolist() == [1, 2, 3, 2]


def test_conviction_before_charge_is_an_error():
    register = _register()
    register.loc[0, "conviction_date"] = "2017-01-01"
    with pytest.raises(WorkbenchError, match="before the charge") as err:
        facts.facts_counts(register, "charged")
    assert err.value.record_id == "R1"


def test_conviction_without_date_is_an_error():
    register = _register()
    register.loc[1, "conviction_date"] = ""
    with pytest.raises(WorkbenchError, match="no conviction date"):
        facts.register_events(register, YEARS)


def test_unknown_measure_is_an_error():
    with pytest.raises(WorkbenchError, match="unknown measure"):
        facts.facts_counts(_register(), "released")
