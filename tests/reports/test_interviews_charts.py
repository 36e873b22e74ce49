"""Report 02's charts (``reports.interviews_charts``) without papermill, on the seeded demo study.

Oracles: an independent count of the code pairs per speaker turn written in this file (each
segment of the primary coder belongs to the turn holding its start); a hand-made table of
stakeholder mentions with its type pairs counted by hand; the report's own group table for the
heat map cells (that table is checked against an independent count in test_interviews.py);
properties that must hold (no column resting on too few participants is drawn, cumulative
codes are the running sum of new codes, bubbles add up to the stakeholders rated, nodes of the
stakeholder network are types and never names).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from workbench.disclosure import Disclosure
from workbench.reporting.sections import _chart
from workbench.reports import interviews
from workbench.reports import interviews_charts as ic
from workbench.reports.sections import Chart, Section, Table
from workbench.study import Study


@pytest.fixture(scope="module")
def study(demo_study: Study) -> Study:
    return demo_study


@pytest.fixture(scope="module")
def sections(study: Study) -> dict[str, Section]:
    return {s.id: s for s in interviews.sections(interviews.material(study), Disclosure(10), n_boot=20)}


@pytest.fixture(scope="module")
def material(study: Study) -> interviews.Material:
    return interviews.material(study)


def _chart_named(section: Section, name: str) -> Chart:
    return next(b for b in section.blocks if isinstance(b, Chart) and b.name == name)


def _render(chart: Chart, language: str = "en", min_cell: int = 10):
    report = mock.Mock(language=language, t=lambda key, **values: key)
    report.tables.disclosure = Disclosure(min_cell)
    return _chart(chart, report)


def test_heatmap_cells_are_the_group_table_over_its_base(sections: dict) -> None:
    chart = _chart_named(sections["barriers"], "barriers-by-group")
    assert (chart.kind, chart.count, chart.group) == ("heatmap", "participants", "barrier")
    table = next(b for b in sections["barriers"].blocks if isinstance(b, Table) and b.name == "barriers-by-group")
    names = {v: k for k, v in table.headings.items()}
    wide = table.frame.set_index("category")
    for row in chart.frame.itertuples():
        level = row.participant_group.split(" (")[0]
        base = wide.loc[level, "participants"]
        assert row.participants == base
        assert row.share == pytest.approx(wide.loc[level, names[row.barrier]] / base, abs=1e-12)


def test_heatmap_leaves_out_columns_of_too_few_participants(sections: dict) -> None:
    chart = _chart_named(sections["barriers"], "barriers-by-group")
    sizes = chart.frame.drop_duplicates("participant_group").set_index("participant_group")["participants"]
    cut = int(sizes.median()) + 1
    figure = _render(chart, min_cell=cut)
    drawn = set(figure.data[0].x)
    assert drawn == {g for g, n in sizes.items() if n >= cut} and drawn != set(sizes.index)
    assert figure.data[0].zmin == 0 and figure.data[0].zmax == 100  # shares on one 0-100% scale


def _independent_turn_pairs(m: interviews.Material) -> Counter:
    c = m.corpus
    codes_of_turn: dict = {}
    for seg in m.coded.itertuples(index=False):
        turn = c.turns[(c.turns["doc_id"] == seg.doc_id) & (c.turns["start"] <= seg.start) & (c.turns["end"] > seg.start)]
        if len(turn):
            codes_of_turn.setdefault((seg.doc_id, turn.index[0]), set()).add(seg.code_id)
    return Counter(frozenset(p) for codes in codes_of_turn.values() for p in combinations(sorted(codes), 2))


def test_theme_network_links_are_turns_holding_both_codes(material: interviews.Material, sections: dict) -> None:
    chart = _chart_named(sections["cooccurrence"], "theme-network")
    assert chart.kind == "network" and chart.count is None  # turns, not people
    truth = _independent_turn_pairs(material)
    names = material.code_names
    expected = {frozenset((names[a], names[b])): n for (a, b), n in
                ((tuple(sorted(p)), n) for p, n in truth.items()) if n >= ic.MIN_SHARED_TURNS}
    got = {frozenset((a, b)): n for a, b, n in zip(chart.frame["code_a"], chart.frame["code_b"], chart.frame["turns_both"])}
    assert got == expected and len(got) > 0


def test_stakeholder_type_links_on_a_hand_made_table() -> None:
    stakeholders = pd.DataFrame({"stakeholder_id": ["s1", "s2", "s3", "s4"], "type": ["ngo", "ngo", "imam", "police"]})
    mentions = pd.DataFrame({"doc_id": ["d1", "d1", "d1", "d1", "d2", "d2", "d2"],
                             "turn_id": [1, 1, 1, 2, 1, 1, 1],
                             "stakeholder_id": ["s1", "s2", "s3", "s4", "s1", "s3", "s4"]})
    types = {"police": "Police", "ngo": "NGO", "imam": "Imam"}
    links = ic.stakeholder_type_links(mentions, stakeholders, types)
    # by hand: d1/1 names ngo (twice) and imam -> ngo-imam; d1/2 police alone; d2/1 ngo, imam, police
    assert {(a, b): n for a, b, n in links.itertuples(index=False)} == {("NGO", "Imam"): 2, ("Police", "NGO"): 1,
                                                                         ("Police", "Imam"): 1}


def test_stakeholder_network_shows_types_never_names(study: Study, sections: dict) -> None:
    chart = _chart_named(sections["stakeholders"], "stakeholder-network")
    types = set(study.dictionary("qual_stakeholders").value_labels("type", "en").values())
    names = set(study.read("qual_stakeholders")["name"])
    nodes = set(chart.frame["type_a"]) | set(chart.frame["type_b"])
    assert nodes <= types and not nodes & names
    figure = _render(chart)
    assert set(figure.data[-1].text) == nodes  # the node trace: one marker per type
    radius = np.hypot(np.array(figure.data[-1].x), np.array(figure.data[-1].y))
    assert np.allclose(radius, 1.0)  # on a circle: the same picture every build, no random layout


def test_grid_bubbles_add_up_to_the_stakeholders_rated(material: interviews.Material, sections: dict) -> None:
    chart = _chart_named(sections["stakeholders"], "stakeholder-grid")
    grid = next(b for b in sections["stakeholders"].blocks if isinstance(b, Table) and b.name == "stakeholder-grid")
    assert chart.frame["stakeholders"].sum() == len(grid.frame)
    counted = grid.frame.groupby(["interest", "influence", "stakeholder_type"]).size()
    for row in chart.frame.itertuples():
        assert counted[(row.interest_rating, row.influence, row.stakeholder_type)] == row.stakeholders
        assert abs(row.interest - row.interest_rating) < 0.5  # drawn beside its rating, never at another
    drawn = chart.frame.groupby(["interest", "influence"]).size()
    assert (drawn == 1).all()  # no bubble hides another
    assert [(r.value, r.on) for r in chart.references] == [(ic.GRID_MIDPOINT, "x"), (ic.GRID_MIDPOINT, "y")]
    figure = _render(chart)
    assert len(figure.layout.shapes) == 2


def test_discovery_chart_runs_and_marks_saturation(material: interviews.Material, sections: dict) -> None:
    chart = _chart_named(sections["saturation"], "saturation-curve")
    s = interviews.saturation(material)
    kinds = chart.frame["discovery"].map(lambda t: t.key)
    new = chart.frame[kinds == "ql_saturation_new"]["codes"].to_numpy()
    total = chart.frame[kinds == "ql_saturation_cumulative"]["codes"].to_numpy()
    assert (np.cumsum(new) == total).all() and total[-1] == int(s.summary["total_codes"])
    if pd.isna(s.summary["saturation_at"]):
        assert chart.references == ()
    else:
        assert [(r.value, r.on) for r in chart.references] == [(float(s.summary["saturation_at"]), "x")]
