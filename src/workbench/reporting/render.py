"""An offline plotly renderer for notebooks that become self-contained HTML reports.

Plotly's default renderer in a kernel (``plotly_mimetype``) is dropped by nbconvert, and the
``notebook`` renderer adds CDN script tags. This renderer returns plain ``text/html``: the
first chart of a notebook carries plotly.js inline (so the report needs no network), later
charts only their data. Two details make the file truly offline: every ``http(s)://`` inside
the plotly.js bundle is written ``http(s):\\/\\/`` (the same string to JavaScript, but no
address in the HTML text), and the report template removes require.js, which would otherwise
capture plotly.js as an AMD module. This relies on ``plotly.offline.get_plotlyjs``; plotly is
pinned in the lock file and ``tests/test_offline_reports.py`` checks the property.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

RENDERER_NAME = "workbench_offline"
CHART_CONFIG = {"displaylogo": False, "responsive": True,
                "toImageButtonOptions": {"format": "png", "scale": 2}}
_ADDRESS = re.compile(r"(https?):(//)")


@lru_cache(maxsize=1)
def offline_plotlyjs() -> str:
    """The plotly.js bundle with no literal web address in its text."""
    from plotly.offline import get_plotlyjs

    return _ADDRESS.sub(r"\1:\\/\\/", get_plotlyjs())


_LIBRARY_SENT = {"kernel": False}  # module state: plotly copies renderer objects when showing


class OfflineHtmlRenderer(MimetypeRenderer):
    """Renders a figure as a ``text/html`` div; plotly.js is inlined once per kernel."""

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
        html = pio.to_html(fig_dict, include_plotlyjs=False, include_mathjax=False, full_html=False,
                           config=CHART_CONFIG, validate=False)
        if not _LIBRARY_SENT["kernel"]:
            html = f'<script type="text/javascript">{offline_plotlyjs()}</script>\n{html}'
            _LIBRARY_SENT["kernel"] = True
        return {"text/html": html}


def use_offline_renderer() -> None:
    """Make the offline renderer plotly's default in this kernel (call once per notebook)."""
    _LIBRARY_SENT["kernel"] = False
    pio.renderers[RENDERER_NAME] = OfflineHtmlRenderer()
    pio.renderers.default = RENDERER_NAME


__all__ = ["OfflineHtmlRenderer", "use_offline_renderer", "offline_plotlyjs"]
