"""An offline plotly renderer for notebooks that become self-contained HTML reports.

Plotly's default renderer in a kernel (``plotly_mimetype``) is dropped by nbconvert, and the
``notebook`` renderer adds CDN script tags. This renderer returns plain ``text/html``: the
first chart of a notebook carries plotly.js inline (so the report needs no network), later
charts only their data. Two details make the file truly offline: every ``http(s)://`` inside
the plotly.js bundle is written ``http(s):\\/\\/`` (the same string to JavaScript, but no
address in the HTML text), and the report template removes require.js, which would otherwise
capture plotly.js as an AMD module. This relies on ``plotly.offline.get_plotlyjs``; plotly is
pinned in the lock file and ``tests/test_offline_reports.py`` checks the property.

Text from data reaches charts as titles, axis and tick labels, legend entries, annotations
and hover text, where plotly.js renders a subset of HTML (``<a href>``, ``<span style>``,
``<b>``, ``<br>``, ...). Before rendering, every string of the figure goes through
``chart_text``: only the bare formatting tags the notebooks use (``<br>``, ``<b>``, ``<i>``,
``<em>``, ``<sup>``, ``<sub>`` and hover's ``<extra>``) stay tags; every other ``<`` and
every entity is escaped, so plotly shows such text as written. The figure's JSON itself
sits in a ``<script>`` element; plotly writes ``<``, ``>`` and ``/`` there as ``\\u003c``
etc., and after ``chart_text`` no ``</script`` can occur in a string anyway.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

RENDERER_NAME = "workbench_offline"
CHART_CONFIG = {"displaylogo": False, "responsive": True,
                "toImageButtonOptions": {"format": "png", "scale": 2}}
_ADDRESS = re.compile(r"(https?):(//)")
#: tags without attributes that charts may use on purpose; everything else is shown as text
_CHART_TAG = re.compile(r"<(/?)(br|b|i|em|sup|sub|extra)\s*(/?)>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def chart_text(value: str) -> str:
    """``value`` made safe for plotly's text rendering (see the module docstring)."""
    if "<" not in value and "&" not in value:
        return value
    pieces, position = [], 0
    for tag in _CHART_TAG.finditer(value):
        pieces.append(_ENTITY.sub("&amp;", value[position:tag.start()]).replace("<", "&lt;"))
        pieces.append(tag.group(0))
        position = tag.end()
    pieces.append(_ENTITY.sub("&amp;", value[position:]).replace("<", "&lt;"))
    return "".join(pieces)


def safe_figure(node: Any) -> Any:
    """A copy of a figure dict (or any part of it) with every string passed through ``chart_text``."""
    if isinstance(node, str):
        return chart_text(node)
    if isinstance(node, dict):
        return {key: safe_figure(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [safe_figure(value) for value in node]
    if isinstance(node, np.ndarray) and node.dtype.kind in "OUS":
        return np.array([safe_figure(v.decode() if isinstance(v, bytes) else v) for v in node.ravel()],
                        dtype=object).reshape(node.shape)
    return node


@lru_cache(maxsize=1)
def offline_plotlyjs() -> str:
    """The plotly.js bundle with no literal web address in its text."""
    from plotly.offline import get_plotlyjs

    return _ADDRESS.sub(r"\1:\\/\\/", get_plotlyjs())


_LIBRARY_SENT = {"kernel": False, "charts": 0}  # module state: plotly copies renderer objects when showing


class OfflineHtmlRenderer(MimetypeRenderer):
    """Renders a figure as a ``text/html`` div; plotly.js is inlined once per kernel."""

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
        # numbered div ids instead of plotly's random uuids: two builds give the same HTML
        _LIBRARY_SENT["charts"] += 1
        html = pio.to_html(safe_figure(fig_dict), include_plotlyjs=False, include_mathjax=False, full_html=False,
                           config=CHART_CONFIG, validate=False, div_id=f"wb-chart-{_LIBRARY_SENT['charts']}")
        if not _LIBRARY_SENT["kernel"]:
            html = f'<script type="text/javascript">{offline_plotlyjs()}</script>\n{html}'
            _LIBRARY_SENT["kernel"] = True
        return {"text/html": html}


def use_offline_renderer() -> None:
    """Make the offline renderer plotly's default in this kernel (call once per notebook)."""
    _LIBRARY_SENT["kernel"] = False
    _LIBRARY_SENT["charts"] = 0
    pio.renderers[RENDERER_NAME] = OfflineHtmlRenderer()
    pio.renderers.default = RENDERER_NAME


__all__ = ["OfflineHtmlRenderer", "use_offline_renderer", "offline_plotlyjs", "chart_text", "safe_figure"]
