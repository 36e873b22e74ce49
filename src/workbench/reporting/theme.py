"""The workbench's plotly look: a colour-blind-safe palette and readable fonts.

The palette is Okabe and Ito's (2008) eight colours, distinguishable with the common forms
of colour blindness; sequential scales use viridis-like ``Cividis``, which was designed for
the same purpose.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "workbench"
#: Okabe-Ito, without black (kept for text)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
SEQUENTIAL = "Cividis"
FONT = "Segoe UI, Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"


def register_template() -> str:
    """Register the template with plotly and make it the default; return its name."""
    layout = go.Layout(
        colorway=PALETTE,
        font={"family": FONT, "size": 14, "color": "#222222"},
        title={"font": {"size": 18}, "x": 0.0, "xanchor": "left"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"gridcolor": "#e5e5e5", "zerolinecolor": "#bbbbbb", "automargin": True},
        yaxis={"gridcolor": "#e5e5e5", "zerolinecolor": "#bbbbbb", "automargin": True},
        legend={"bgcolor": "rgba(255,255,255,0.8)"},
        colorscale={"sequential": SEQUENTIAL},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        hoverlabel={"font": {"family": FONT}},
    )
    pio.templates[TEMPLATE_NAME] = go.layout.Template(layout=layout)
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME
