"""The one home of report charts: bars with error bars, interval plots, forest plots, lines, and
one colour map per meaning, drawn from a ``workbench.reports.sections.Chart`` spec.

A chart with no data, or whose values are all the same (a flat chart says nothing), is not
drawn: ``draw`` returns ``None`` and the renderer writes one sentence why. Numbers on the
axes follow the report language (decimal comma and thin-space thousands in Russian).
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go

from workbench.reports.sections import Chart

#: risk levels low -> high on one ordered scale (green to red), whatever the number of levels
RISK_SCALE = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
#: sex by dictionary code (codes written as the demo and the Kyrgyz surveys write them)
SEX_COLOURS = {"male": "#3b6fb6", "m": "#3b6fb6", "1": "#3b6fb6", "female": "#c8553d", "f": "#c8553d", "2": "#c8553d"}
SEX_COLOURS |= {"мужской": "#3b6fb6", "мужчины": "#3b6fb6", "женский": "#c8553d", "женщины": "#c8553d"}  # Russian labels
#: respondent groups and other unordered categories, in the order they appear
GROUP_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974")
#: significant (after the report's correction) or not
SIGNIFICANCE_COLOURS = {True: "#b2182b", False: "#8c8c8c"}
NEUTRAL = "#4c72b0"
SEPARATORS = {"en": ".\u202f", "ru": ",\u202f"}  # plotly: decimal sign, then thousands


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


def why_not_drawn(chart: Chart, frame: pd.DataFrame) -> str | None:
    """The catalogue key saying why a chart is not drawn, or ``None`` when it is drawn."""
    values = pd.to_numeric(frame[chart.y], errors="coerce").dropna()
    if values.empty:
        return "chart_no_data"
    if values.nunique() == 1 and chart.low is None:
        return "chart_flat"
    return None


def draw(chart: Chart, frame: pd.DataFrame, language: str, heading: Callable[[str], str],
         title: str) -> go.Figure:
    """The figure of ``chart`` from ``frame`` (already cleared of suppressed rows), with
    axis titles from ``heading(column)``; call ``why_not_drawn`` first."""
    numeric = {c: pd.to_numeric(frame[c], errors="coerce") for c in (chart.y, chart.low, chart.high) if c}
    frame = frame.assign(**numeric).dropna(subset=[chart.y])
    scale = 100.0 if chart.percent else 1.0
    levels = list(pd.unique(frame[chart.color])) if chart.color else []
    colours = colour_map(chart.meaning, levels)
    fig = go.Figure()
    for level, part in (frame.groupby(chart.color, sort=False, observed=True) if chart.color else [(None, frame)]):
        colour = colours.get(level, NEUTRAL)
        name = str(level) if level is not None else heading(chart.y)
        y = part[chart.y] * scale
        error = None
        if chart.low and chart.high:
            error = dict(type="data", symmetric=False, array=(part[chart.high] * scale - y).tolist(),
                         arrayminus=(y - part[chart.low] * scale).tolist(), color="#333333")
        if chart.kind == "bars":
            fig.add_trace(go.Bar(x=part[chart.x], y=y, name=name, marker_color=colour, error_y=error))
        elif chart.kind == "lines":
            fig.add_trace(go.Scatter(x=part[chart.x], y=y, name=name, mode="lines", line=dict(color=colour)))
        elif chart.kind == "interval":
            fig.add_trace(go.Scatter(x=part[chart.x], y=y, name=name, mode="markers", error_y=error,
                                     marker=dict(color=colour, size=9)))
        else:  # forest: one row per term (and group), estimates on the horizontal axis
            error_x = None if error is None else {**error}
            rows = part[chart.x].astype(str) + ((" · " + part[chart.group].astype(str)) if chart.group else "")
            fig.add_trace(go.Scatter(x=y, y=rows, name=name, mode="markers", error_x=error_x,
                                     marker=dict(color=colour, size=9), orientation="h"))
    axis_x, axis_y = heading(chart.x), heading(chart.y) + (" (%)" if chart.percent else "")
    if chart.kind == "forest":
        axis_x, axis_y = axis_y, axis_x
        fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=title, xaxis_title=axis_x, yaxis_title=axis_y, separators=SEPARATORS.get(language, ".,"),
                      showlegend=bool(chart.color), barmode="group")
    return fig
