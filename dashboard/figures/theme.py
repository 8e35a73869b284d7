"""Colours and the base layout of every figure, for the light and the dark theme.

Margins already hold what the charts put beside the plot (y tick labels and titles, a one-row
legend on top, an x-axis title): when a margin is too small plotly draws the whole figure a second
time to widen it, which doubled the draw of a page's first chart. Bigger contents (a legend that
wraps on a phone) still widen them.

Hover labels take their colours from the theme (a unified hover on a transparent paper otherwise
shows near-white text on a white box in dark mode); both pairs exceed 4.5:1 contrast.
"""

from functools import cache
from itertools import cycle, product

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

THEMES = {
    "light": {"template": "plotly_white", "text": "#212529", "muted": "#6c757d",
              "hover_bg": "#ffffff", "hover_text": "#212529", "hover_border": "#adb5bd",
              "portfolio": "#212529", "zero": "#adb5bd"},
    "dark": {"template": "plotly_dark", "text": "#f8f9fa", "muted": "#adb5bd",
             "hover_bg": "#212529", "hover_text": "#f8f9fa", "hover_border": "#6c757d",
             "portfolio": "#f8f9fa", "zero": "#6c757d"},
}
BENCHMARK_LINE = {"dash": "dash", "width": 2, "color": "#f2a900"}
# Mid-tone colours that read on white and on Bootstrap's dark background.
PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#e377c2", "#8c564b", "#bcbd22",
           "#7f7f7f", "#ff7f0e", "#d62728", "#1ca71c", "#da16ff"]
DASHES = ["solid", "dot", "dashdot", "longdash", "longdashdot"]


def theme_name(value) -> str:
    return value if value in THEMES else "light"


def line_styles():
    """Endless distinct line styles: every colour solid, then every colour dotted, and so on."""
    for dash, color in cycle(product(DASHES, PALETTE)):
        yield {"color": color, "dash": dash, "width": 2}


def epoch_ms(index) -> np.ndarray:
    """Dates as milliseconds since the epoch: a date axis reads them, and they travel as a
    compact typed array instead of one ISO string per point (about half the bytes)."""
    return pd.DatetimeIndex(index).as_unit("ms").asi8.astype(np.float64)


MARGIN = dict(l=72, r=20, t=52, b=40)


def base_layout(theme: str, height: int, **margin) -> dict:
    """The shared layout; ``margin`` overrides sides of MARGIN (e.g. ``t`` above a legend)."""
    colors = THEMES[theme_name(theme)]
    return dict(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        height=height,
        margin={**MARGIN, **margin},
        hovermode="x unified",
        hoverlabel=dict(bgcolor=colors["hover_bg"], bordercolor=colors["hover_border"],
                        font=dict(color=colors["hover_text"], size=12), align="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        modebar=dict(orientation="v"),
        uirevision="keep",
    )


def hline(y: float, **line) -> dict:
    """A horizontal line across the plot at ``y`` (plotly's add_hline, as a shape)."""
    return dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)


def vline(x: float, **line) -> dict:
    """A vertical line up the plot at ``x`` (plotly's add_vline, as a shape)."""
    return dict(type="line", xref="x", x0=x, x1=x, yref="y domain", y0=0, y1=1, line=line)


def base_figure(theme: str, height: int, traces=(), margin: dict | None = None, **layout) -> go.Figure:
    """``traces`` (dicts with their ``type``) on the theme's layout, whose keys ``layout`` replaces
    (``margin`` overrides sides of MARGIN); its plotly template is attached by ``themed``.

    The figure is validated once, built whole: every update_* or add_* call on a go.Figure
    validates the layout again, and a go.Scatter handed to a figure is validated twice. Built that
    way, the charts cost more than the numbers in them."""
    return go.Figure(data=list(traces), layout={"template": {}, **base_layout(theme, height, **(margin or {})),
                                                **layout})


@cache
def _template(theme: str) -> dict:
    return pio.templates[THEMES[theme]["template"]].to_plotly_json()


def themed(figure: go.Figure, theme: str) -> dict:
    """The figure as sent to the browser, with its theme's template (shared: do not mutate).

    Validating a named template into each figure costs more than building the figure; plotly.js
    applies the template either way."""
    sent = figure.to_plotly_json()
    sent["layout"]["template"] = _template(theme_name(theme))
    return sent
