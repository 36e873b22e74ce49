"""The one home of report charts, drawn from a ``workbench.reports.sections.Chart`` spec:
bars with error bars, interval and forest plots, lines, step curves with confidence bands
(Kaplan-Meier, cumulative incidence), calibration plots (observed against expected, with the
diagonal), heat maps, Sankey diagrams of flows, networks of links between categories, and
bubbles; reference lines (targets, thresholds) on any of them; one colour map per meaning.

A chart with no data, or whose values are all the same (a flat chart says nothing), is not
drawn: ``draw`` returns ``None`` and the renderer writes one sentence why. Numbers on the
axes and in the cells follow the report language (decimal comma and thin-space thousands in
Russian); reference labels come from the message catalogue. Charts get aggregated rows only
(groups, levels, time points); the renderer hides the rows the disclosure policy suppresses
before drawing. Every string reaches plotly through ``reporting.render.chart_text``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go

from workbench.reporting.messages import text
from workbench.reporting.numbers import format_number
from workbench.reports.sections import Chart

#: risk levels low -> high on one ordered scale (green to red), whatever the number of levels
RISK_SCALE = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
#: sex by dictionary code (codes written as the demo and the Kyrgyz surveys write them)
SEX_COLOURS = {"male": "#3b6fb6", "m": "#3b6fb6", "1": "#3b6fb6", "female": "#c8553d", "f": "#c8553d", "2": "#c8553d"}
SEX_COLOURS |= {"мужской": "#3b6fb6", "мужчины": "#3b6fb6", "женский": "#c8553d", "женщины": "#c8553d"}  # Russian labels
#: respondent groups and other unordered categories, in the order they appear
GROUP_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
                 "#2f4b7c")
#: significant (after the report's correction) or not
SIGNIFICANCE_COLOURS = {True: "#b2182b", False: "#8c8c8c"}
NEUTRAL = "#4c72b0"
#: amounts in a heat map (a share, a count): one sequential scale, light = little
AMOUNT_SCALE = ((0.0, "#f7fbff"), (0.5, "#6baed6"), (1.0, "#08306b"))
#: reference lines (targets, thresholds, the diagonal of perfect calibration) and links of a network
REFERENCE = "#555555"
LINK = "rgba(90,90,90,0.45)"
SEPARATORS = {"en": ".\u202f", "ru": ",\u202f"}  # plotly: decimal sign, then thousands
#: characters per line of a chart title (the tool bar sits at the top right)
TITLE_WIDTH = 85
#: legend entries longer than this (characters) put the legend below the plot, not beside it
LONG_LEGEND = 28
#: kinds whose values are sizes of flows or links: equal values still say something
_NOT_FLAT = ("sankey", "network", "bubbles")


def colour_map(meaning: str | None, levels: list[Any]) -> dict[Any, str]:
    """Colour of each level for a meaning: ``risk`` (ordered, low first), ``sex``, ``group``,
    ``significance``; anything else one neutral colour."""
    if meaning == "risk":
        if len(levels) == 1:
            return {levels[0]: RISK_SCALE[0]}
        step = (len(RISK_SCALE) - 1) / (len(levels) - 1)
        return {level: RISK_SCALE[round(i * step)] for i, level in enumerate(levels)}
    if meaning == "sex":
        return {level: SEX_COLOURS.get(str(level).lower(), GROUP_COLOURS[i % len(GROUP_COLOURS)])
                for i, level in enumerate(levels)}
    if meaning == "significance":
        return {level: SIGNIFICANCE_COLOURS[bool(level)] for level in levels}
    if meaning == "group":
        return {level: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, level in enumerate(levels)}
    return {level: NEUTRAL for level in levels}


def translucent(colour: str, alpha: float = 0.2) -> str:
    """``#rrggbb`` as an ``rgba`` colour of opacity ``alpha`` (confidence bands, flows)."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def wrapped(title: str, width: int = TITLE_WIDTH) -> str:
    """A chart title broken into lines of at most ``width`` characters at spaces (``<br>``, one
    of the tags ``render.chart_text`` keeps), so that a long title does not run under the
    chart's tool bar."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def why_not_drawn(chart: Chart, frame: pd.DataFrame) -> str | None:
    """The catalogue key saying why a chart is not drawn, or ``None`` when it is drawn."""
    values = pd.to_numeric(frame[chart.y], errors="coerce").dropna()
    if values.empty:
        return "chart_no_data"
    if values.nunique() == 1 and chart.low is None and chart.kind not in _NOT_FLAT:
        return "chart_flat"
    return None


def _levels(chart: Chart, frame: pd.DataFrame, *columns: str | None) -> list[Any]:
    """The colour levels: ``chart.levels`` first (those present), then the rest as they appear."""
    present = list(pd.unique(pd.concat([frame[c] for c in columns if c], ignore_index=True))) if any(columns) else []
    return [v for v in chart.levels if v in present] + [v for v in present if v not in chart.levels]


def _parts(chart: Chart, frame: pd.DataFrame) -> list[tuple[Any, pd.DataFrame]]:
    """The rows of each colour level, in the order of ``_levels``."""
    if not chart.color:
        return [(None, frame)]
    return [(level, frame[frame[chart.color] == level]) for level in _levels(chart, frame, chart.color)]


def _error(chart: Chart, part: pd.DataFrame, y: pd.Series, scale: float) -> dict[str, Any] | None:
    if not (chart.low and chart.high):
        return None
    return dict(type="data", symmetric=False, array=(part[chart.high] * scale - y).tolist(),
                arrayminus=(y - part[chart.low] * scale).tolist(), color="#333333")


def _series(fig: go.Figure, chart: Chart, frame: pd.DataFrame, heading: Callable[[str], str], scale: float) -> None:
    """Bars, intervals, forest rows, lines, step curves and calibration points, one trace per colour level."""
    colours = colour_map(chart.meaning, _levels(chart, frame, chart.color))
    for level, part in _parts(chart, frame):
        colour = colours.get(level, NEUTRAL)
        name = str(level) if level is not None else heading(chart.y)
        y = part[chart.y] * scale
        error = _error(chart, part, y, scale)
        if chart.kind == "bars":
            fig.add_trace(go.Bar(x=part[chart.x], y=y, name=name, marker_color=colour, error_y=error))
        elif chart.kind == "lines":
            fig.add_trace(go.Scatter(x=part[chart.x], y=y, name=name, mode="lines", line=dict(color=colour)))
        elif chart.kind == "interval":
            fig.add_trace(go.Scatter(x=part[chart.x], y=y, name=name, mode="markers", error_y=error,
                                     marker=dict(color=colour, size=9)))
        elif chart.kind == "steps":
            _steps(fig, chart, part, name, colour, scale)
        elif chart.kind == "calibration":
            labels = part[chart.label].astype(str) if chart.label else None
            fig.add_trace(go.Scatter(x=part[chart.x] * scale, y=y, name=name, error_y=error, text=labels,
                                     mode="markers+text" if chart.label else "markers", textposition="top center",
                                     marker=dict(color=colour, size=10)))
        else:  # forest: one row per term (and group), estimates on the horizontal axis
            error_x = None if error is None else {**error}
            rows = part[chart.x].astype(str) + ((" · " + part[chart.group].astype(str)) if chart.group else "")
            fig.add_trace(go.Scatter(x=y, y=rows, name=name, mode="markers", error_x=error_x,
                                     marker=dict(color=colour, size=9), orientation="h"))


def _steps(fig: go.Figure, chart: Chart, part: pd.DataFrame, name: str, colour: str, scale: float) -> None:
    """A right-continuous step curve (value held until the next time), its band shaded between
    ``low`` and ``high`` (the band's two edges are one legend entry with the curve)."""
    part = part.sort_values(chart.x, kind="stable")
    if chart.low and chart.high:
        fig.add_trace(go.Scatter(x=part[chart.x], y=part[chart.high] * scale, mode="lines", line_shape="hv",
                                 line=dict(width=0), legendgroup=name, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=part[chart.x], y=part[chart.low] * scale, mode="lines", line_shape="hv",
                                 line=dict(width=0), fill="tonexty", fillcolor=translucent(colour),
                                 legendgroup=name, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=part[chart.x], y=part[chart.y] * scale, name=name, mode="lines", line_shape="hv",
                             legendgroup=name, line=dict(color=colour, width=2)))


def _heatmap(fig: go.Figure, chart: Chart, frame: pd.DataFrame, language: str, heading: Callable[[str], str],
             scale: float) -> None:
    """Cells ``y`` of rows ``group`` by columns ``x``, each cell written as its number."""
    wide = frame.pivot_table(index=chart.group, columns=chart.x, values=chart.y, aggfunc="first", sort=False)
    wide = wide.reindex(index=list(pd.unique(frame[chart.group])), columns=list(pd.unique(frame[chart.x])))
    cells = [[format_number(v, language, decimals=0, percent=chart.percent) for v in row] for row in wide.to_numpy()]
    top = 100.0 if chart.percent else float(wide.max().max())
    fig.add_trace(go.Heatmap(z=(wide * scale).to_numpy(), x=[str(c) for c in wide.columns],
                             y=[str(r) for r in wide.index], text=cells, texttemplate="%{text}", hoverinfo="text",
                             colorscale=[list(stop) for stop in AMOUNT_SCALE], zmin=0, zmax=top,
                             colorbar=dict(title=dict(text=heading(chart.y) + (" (%)" if chart.percent else "")))))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=160 + 42 * len(wide.index))


def _sankey(fig: go.Figure, chart: Chart, frame: pd.DataFrame) -> None:
    """Flows ``y`` from node ``x`` to node ``group``, nodes coloured by their level (``color`` of
    a source, ``label`` of a target)."""
    nodes = list(dict.fromkeys([*frame[chart.x], *frame[chart.group]]))
    level_of = dict(zip(frame[chart.group], frame[chart.label])) if chart.label else {}
    level_of |= dict(zip(frame[chart.x], frame[chart.color])) if chart.color else {}
    colours = colour_map(chart.meaning, _levels(chart, frame, chart.color, chart.label))
    node_colour = [colours.get(level_of.get(node), NEUTRAL) for node in nodes]
    index = {node: i for i, node in enumerate(nodes)}
    fig.add_trace(go.Sankey(
        node=dict(label=[str(n) for n in nodes], color=node_colour, pad=14),
        link=dict(source=[index[s] for s in frame[chart.x]], target=[index[t] for t in frame[chart.group]],
                  value=pd.to_numeric(frame[chart.y]).tolist(),
                  color=[translucent(node_colour[index[s]], 0.35) for s in frame[chart.x]])))


def _network(fig: go.Figure, chart: Chart, frame: pd.DataFrame, language: str) -> None:
    """Links of weight ``y`` between categories ``x`` and ``group``, the nodes evenly on a circle
    (clockwise in order of appearance: no random layout, the same picture every build), node
    size by the total weight of its links, each name written outwards from its node."""
    nodes = list(dict.fromkeys([*frame[chart.x], *frame[chart.group]]))
    angle = {node: math.pi / 2 - 2 * math.pi * (i + 0.5) / len(nodes) for i, node in enumerate(nodes)}
    where = {node: (math.cos(a), math.sin(a)) for node, a in angle.items()}
    side = {node: "middle right" if x > 0.05 else "middle left" if x < -0.05 else
            "top center" if y > 0 else "bottom center" for node, (x, y) in where.items()}
    weights = pd.to_numeric(frame[chart.y]).astype(float)
    top = max(float(weights.max()), 1.0)
    for a, b, w in zip(frame[chart.x], frame[chart.group], weights):
        fig.add_trace(go.Scatter(x=[where[a][0], where[b][0]], y=[where[a][1], where[b][1]], mode="lines",
                                 line=dict(width=0.5 + 6 * w / top, color=LINK), hoverinfo="text",
                                 text=f"{a} – {b}: {format_number(w, language, decimals=0)}", showlegend=False))
    degree = pd.concat([pd.Series(weights.to_numpy(), index=frame[chart.x].to_numpy()),
                        pd.Series(weights.to_numpy(), index=frame[chart.group].to_numpy())]).groupby(level=0).sum()
    largest = max(float(degree.max()), 1.0)
    colours = colour_map(chart.meaning or "group", nodes)
    fig.add_trace(go.Scatter(
        x=[where[n][0] for n in nodes], y=[where[n][1] for n in nodes], mode="markers+text",
        text=[str(n) for n in nodes], textposition=[side[n] for n in nodes], showlegend=False, hoverinfo="text",
        marker=dict(size=[12 + 28 * degree[n] / largest for n in nodes], color=[colours[n] for n in nodes],
                    line=dict(width=1, color="white"))))
    fig.update_xaxes(visible=False, range=[-2.3, 2.3])  # room for the names left and right of the circle
    fig.update_yaxes(visible=False, range=[-1.15, 1.15])
    fig.update_layout(height=680)


def _bubbles(fig: go.Figure, chart: Chart, frame: pd.DataFrame, language: str) -> None:
    """Points ``y`` against ``x`` whose area is ``label`` (e.g. how many share that cell), per ``color``."""
    colours = colour_map(chart.meaning, _levels(chart, frame, chart.color))
    sizes = pd.to_numeric(frame[chart.label]).astype(float)
    largest = max(float(sizes.max()), 1.0)
    for level, part in _parts(chart, frame):
        size = pd.to_numeric(part[chart.label]).astype(float)
        fig.add_trace(go.Scatter(x=part[chart.x], y=part[chart.y], mode="markers+text", name=str(level),
                                 text=[format_number(int(v), language) for v in size], textposition="middle center",
                                 marker=dict(size=[14 + 30 * math.sqrt(v / largest) for v in size],
                                             color=colours.get(level, NEUTRAL), opacity=0.8,
                                             line=dict(width=1, color="white"))))
    fig.update_xaxes(dtick=1)  # ratings: whole-number ticks
    fig.update_yaxes(dtick=1)


def _references(fig: go.Figure, chart: Chart, frame: pd.DataFrame, language: str, scale: float) -> None:
    """The chart's reference lines, and the diagonal of perfect calibration."""
    if chart.kind == "calibration":
        top = max(float(pd.concat([frame[c] for c in (chart.x, chart.y, chart.high) if c]).max()), 0.0) * scale
        fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line=dict(dash="dash", color=REFERENCE),
                                 name=str(text("chart_perfect_calibration", language))))
    for line in chart.references:
        label = str(text(line.key, language, **line.values))
        on_value_axis = line.on == "y"
        value = line.value * (scale if on_value_axis or chart.kind == "calibration" else 1.0)
        vertical = on_value_axis == (chart.kind == "forest")
        options = dict(line_dash="dash", line_color=REFERENCE, annotation_text=label,
                       annotation_font_color=REFERENCE)
        if vertical:
            fig.add_vline(x=value, annotation_position="top right", **options)
        else:
            fig.add_hline(y=value, annotation_position="top left", **options)


def draw(chart: Chart, frame: pd.DataFrame, language: str, heading: Callable[[str], str],
         title: str) -> go.Figure:
    """The figure of ``chart`` from ``frame`` (already cleared of suppressed rows), with
    axis titles from ``heading(column)``; call ``why_not_drawn`` first."""
    numeric = [c for c in (chart.y, chart.low, chart.high) if c]
    if chart.kind in ("steps", "calibration", "bubbles"):
        numeric.append(chart.x)
    frame = frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce") for c in numeric}).dropna(subset=[chart.y])
    scale = 100.0 if chart.percent else 1.0
    fig = go.Figure()
    percent = " (%)" if chart.percent else ""
    if chart.kind in ("sankey", "network"):  # nodes and links: no axes
        if chart.kind == "sankey":
            _sankey(fig, chart, frame)
        else:
            _network(fig, chart, frame, language)
        fig.update_layout(title=wrapped(title), separators=SEPARATORS.get(language, ".,"), showlegend=False)
        return fig
    axis_x, axis_y = heading(chart.x), heading(chart.y) + percent
    if chart.kind == "heatmap":
        _heatmap(fig, chart, frame, language, heading, scale)
        axis_y = ""  # the rows are named, and the title says what they are
    elif chart.kind == "bubbles":
        _bubbles(fig, chart, frame, language)
    else:
        _series(fig, chart, frame, heading, scale)
        if chart.kind == "calibration":
            axis_x += percent
    if chart.kind == "forest":
        axis_x, axis_y = axis_y, axis_x
        fig.update_yaxes(autorange="reversed")
    _references(fig, chart, frame, language, scale)
    if chart.color and max((len(str(v)) for v in frame[chart.color]), default=0) > LONG_LEGEND:
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0))  # room for the plot
    fig.update_layout(title=wrapped(title), xaxis_title=axis_x, yaxis_title=axis_y, separators=SEPARATORS.get(language, ".,"),
                      showlegend=bool(chart.color) or chart.kind == "calibration",
                      barmode="group")
    return fig
