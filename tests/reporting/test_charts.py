"""The chart kinds of ``reporting.charts`` on small made-up frames.

Oracles: properties that must hold and values written out by hand: one colour per risk level
whatever the kind (step curve, Sankey node, bars), a step curve drawn right-continuous with its
band between the interval's edges, the diagonal of a calibration plot from 0 to the largest
value, heat-map cells written in the report language's number format, reference lines where
the spec puts them with their catalogue label, flows and links of equal size still drawn
while a flat bar chart and an empty one are not, and text from data escaped on its way to plotly.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from workbench.reporting import charts
from workbench.reporting.render import safe_figure
from workbench.reports.sections import Chart, Reference

LEVELS = ("Low", "Medium", "High")


def _heading(column: str) -> str:
    return column.replace("_", " ")


def _draw(chart: Chart, language: str = "en") -> go.Figure:
    assert charts.why_not_drawn(chart, chart.frame) is None
    return charts.draw(chart, chart.frame, language, _heading, "title")


def _curve() -> pd.DataFrame:
    rows = []
    for level, drop in zip(LEVELS, (0.05, 0.1, 0.2)):
        for months, k in ((0.0, 0), (3.0, 1), (7.5, 2)):
            rows.append({"risk_level": level, "months": months, "survival": 1 - drop * k,
                         "ci_low": 1 - drop * k - 0.02 * k, "ci_high": min(1.0, 1 - drop * k + 0.02 * k)})
    return pd.DataFrame(rows)


def test_one_colour_per_risk_level_in_every_kind() -> None:
    scale = charts.colour_map("risk", list(LEVELS))
    assert list(scale.values()) == [charts.RISK_SCALE[0], charts.RISK_SCALE[2], charts.RISK_SCALE[4]]  # low green, high red
    # the frame lists High first: the spec's level order, not the order of appearance, decides
    frame = _curve().iloc[::-1].reset_index(drop=True)
    steps = _draw(Chart("s", "steps", frame, x="months", y="survival", low="ci_low", high="ci_high",
                        color="risk_level", meaning="risk", levels=LEVELS, title_key="t"))
    lines = {t.name: t.line.color for t in steps.data if t.showlegend is not False}
    assert lines == scale
    flows = pd.DataFrame({"source": ["A: Low", "A: High"], "target": ["B: Medium", "B: High"],
                          "from_level": ["Low", "High"], "to_level": ["Medium", "High"], "clients": [12, 30]})
    sankey = _draw(Chart("f", "sankey", flows, x="source", group="target", y="clients", color="from_level",
                         label="to_level", meaning="risk", levels=LEVELS, title_key="t"))
    node = sankey.data[0].node
    assert dict(zip(node.label, node.color)) == {"A: Low": scale["Low"], "A: High": scale["High"],
                                                 "B: Medium": scale["Medium"], "B: High": scale["High"]}
    bars = _draw(Chart("b", "bars", pd.DataFrame({"sex": ["f", "f", "m"], "risk_level": ["High", "Low", "Low"],
                                                  "share": [0.2, 0.8, 0.7]}),
                       x="sex", y="share", color="risk_level", meaning="risk", levels=LEVELS, title_key="t"))
    assert {t.name: t.marker.color for t in bars.data} == {"Low": scale["Low"], "High": scale["High"]}


def test_step_curve_is_right_continuous_with_its_band() -> None:
    figure = _draw(Chart("s", "steps", _curve(), x="months", y="survival", low="ci_low", high="ci_high",
                         color="risk_level", meaning="risk", percent=True, title_key="t"))
    assert len(figure.data) == 3 * len(LEVELS)  # per level: upper edge, lower edge filled up to it, the curve
    upper, lower, curve = figure.data[:3]
    assert {upper.line.shape, lower.line.shape, curve.line.shape} == {"hv"}
    assert lower.fill == "tonexty" and lower.fillcolor == charts.translucent(charts.RISK_SCALE[0])
    assert list(curve.y) == pytest.approx([100.0, 95.0, 90.0])  # percent scale
    assert list(lower.y) == pytest.approx([100.0, 93.0, 86.0]) and list(upper.y) == pytest.approx([100.0, 97.0, 94.0])


def test_calibration_points_named_and_the_diagonal_spans_the_data() -> None:
    frame = pd.DataFrame({"sex": ["Female", "Male"], "risk_level": ["Low", "High"], "expected_rate": [0.1, 0.3],
                          "observed_rate": [0.12, 0.35], "lo": [0.05, 0.25], "hi": [0.2, 0.45]})
    figure = _draw(Chart("c", "calibration", frame, x="expected_rate", y="observed_rate", low="lo", high="hi",
                         color="sex", meaning="sex", label="risk_level", percent=True, title_key="t"))
    diagonal = figure.data[-1]
    assert list(diagonal.x) == list(diagonal.y) == pytest.approx([0.0, 45.0])  # to the highest interval edge
    points = {t.name: (list(t.x), list(t.y), list(t.text)) for t in figure.data[:-1]}
    assert points == {"Female": ([10.0], [12.0], ["Low"]), "Male": ([30.0], [35.0], ["High"])}
    assert figure.data[0].marker.color == charts.SEX_COLOURS["female"]


def test_heatmap_cells_in_the_report_language() -> None:
    frame = pd.DataFrame({"group": ["A", "A", "B", "B"], "barrier": ["x", "y", "x", "y"],
                          "share": [0.431, 0.5, 0.25, 0.0]})
    figure = _draw(Chart("h", "heatmap", frame, x="group", y="share", group="barrier", percent=True, title_key="t"),
                   language="ru")
    cells = figure.data[0].text
    assert [list(row) for row in cells] == [["43\u00a0%", "25\u00a0%"], ["50\u00a0%", "0\u00a0%"]]
    assert [v for row in figure.data[0].z for v in row] == pytest.approx([43.1, 25.0, 50.0, 0.0])
    assert figure.layout.separators == ",\u202f"


def test_reference_lines_where_the_spec_puts_them() -> None:
    frame = pd.DataFrame({"term": ["a", "b"], "share": [0.6, 0.9], "lo": [0.5, 0.8], "hi": [0.7, 0.95]})
    line = (Reference(0.8, "pm_threshold_line", values={"threshold": 0.8}),)
    forest = _draw(Chart("f", "forest", frame, x="term", y="share", low="lo", high="hi", percent=True,
                         references=line, title_key="t"), language="ru")
    (shape,) = forest.layout.shapes
    assert (shape.x0, shape.x1, shape.xref) == (80.0, 80.0, "x")  # the value axis of a forest plot is horizontal
    assert forest.layout.annotations[0].text == "порог 80\u00a0%"
    bars = _draw(Chart("b", "bars", frame, x="term", y="share", percent=True, references=line, title_key="t"))
    (shape,) = bars.layout.shapes
    assert (shape.y0, shape.y1) == (80.0, 80.0) and bars.layout.annotations[0].text == "threshold 80%"
    counts = pd.DataFrame({"change": [-1, 0, 1, 2], "officers": [3, 5, 9, 4]})
    at_x = _draw(Chart("c", "bars", counts, x="change", y="officers", title_key="t",
                       references=(Reference(0.5, "pm_improved_line", on="x", values={"gain": 1}),)))
    assert (at_x.layout.shapes[0].x0, at_x.layout.shapes[0].x1) == (0.5, 0.5)  # on the x axis, not scaled


def test_flows_of_equal_size_are_drawn_but_flat_and_empty_charts_are_not() -> None:
    links = pd.DataFrame({"a": ["x", "y"], "b": ["y", "z"], "turns": [4, 4]})
    network = Chart("n", "network", links, x="a", group="b", y="turns", title_key="t")
    assert charts.why_not_drawn(network, links) is None
    flat = Chart("b", "bars", links, x="a", y="turns", title_key="t")
    assert charts.why_not_drawn(flat, links) == "chart_flat"
    assert charts.why_not_drawn(network, links.iloc[0:0]) == "chart_no_data"
    figure = _draw(network)
    assert len(figure.data) == 3  # two links and the nodes
    assert list(figure.data[-1].text) == ["x", "y", "z"]


def test_text_from_data_is_escaped_on_its_way_to_plotly() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    links = pd.DataFrame({"a": [hostile, "y"], "b": ["y", "z"], "turns": [2, 3]})
    figure = _draw(Chart("n", "network", links, x="a", group="b", y="turns", title_key="t"))
    shown = safe_figure(figure.to_dict())
    assert shown["data"][-1]["text"][0] == '&lt;img src=x onerror="alert(1)">'
    flows = pd.DataFrame({"s": [hostile], "t": ["<b>ok</b>"], "n": [20]})
    sankey = safe_figure(_draw(Chart("f", "sankey", flows, x="s", group="t", y="n", title_key="t")).to_dict())
    assert list(sankey["data"][0]["node"]["label"]) == ['&lt;img src=x onerror="alert(1)">', "<b>ok</b>"]


def test_long_titles_wrap_at_spaces_and_short_ones_stay() -> None:
    assert charts.wrapped("Share met per quarter") == "Share met per quarter"
    title = "Доля соблюдения по кварталам для каждого стандарта (щёлкните по легенде, чтобы скрыть или показать стандарт)"
    lines = charts.wrapped(title).split("<br>")
    assert len(lines) == 2 and all(len(line) <= charts.TITLE_WIDTH for line in lines)
    assert " ".join(lines) == title  # nothing lost, broken only at spaces
