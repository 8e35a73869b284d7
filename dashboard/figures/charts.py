"""The charts: rebased performance, price and volume, rolling beta, drawdown, CAR and CAAR paths.

Only scatter, candlestick and bar traces and a few shapes are drawn: the partial plotly.js bundle
the pages load (finance) covers exactly these.
"""

import math
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.analytics.event_study import PORTFOLIO
from dashboard.figures.markers import event_markers
from dashboard.figures.theme import (
    BENCHMARK_LINE,
    THEMES,
    base_figure,
    epoch_ms,
    hline,
    line_styles,
    theme_name,
    vline,
)

_HIDDEN_01 = dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True)
# Beyond this many sessions (four years) a desktop chart gives a session about a pixel: the volume
# bars blur into a pale silhouette and are drawn as that silhouette, a stepped area (one path instead
# of a rectangle per session: a 10-year view draws in 143 ms instead of 236, 5 years in 66 instead
# of 104); and the x-axis runs on calendar time, without the weekend and holiday breaks, whose gaps
# are then under a pixel wide while plotly places every point by walking the list of breaks (500 in
# ten years: a 10-year range button redrew in 300–400 ms, 100 of them placing points).
DENSE_SESSIONS = 1000
_VOLUME_COLOR = "#6c757d"


def log_ticks(low: float, high: float) -> list[float]:
    """Readable ticks for a log axis: 1, 2 and 5 times powers of ten between ``low`` and ``high``."""
    if not (low > 0 and high > 0) or not (math.isfinite(low) and math.isfinite(high)):
        return []
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for step in (1, 2, 5):
            value = step * 10.0 ** exponent
            if low <= value <= high:
                ticks.append(value)
    return ticks


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def overview_figure(rebased: pd.DataFrame, benchmark: str | None, events: list[dict],
                    theme: str = "light", scale: str = "linear", base_date=None) -> go.Figure:
    """Rebased performance: one trace per ticker, the benchmark dashed, news marked.

    ``rebased`` is indexed by date with one column per ticker, each 100 at ``base_date``.
    """
    colors = THEMES[theme_name(theme)]
    styles = line_styles()
    traces = []
    for column in rebased.columns:
        series = rebased[column].dropna()
        traces.append(dict(
            type="scatter", x=epoch_ms(series.index), y=series.to_numpy(np.float32), name=column, mode="lines",
            line=BENCHMARK_LINE if column == benchmark else next(styles),
            hovertemplate=f"{column}: %{{y:.1f}}<extra></extra>",
        ))
    markers, lines = event_markers(events, colors)
    title = f"Rebased (100 on {pd.Timestamp(base_date):%Y-%m-%d})" if base_date is not None else "Rebased"
    yaxis = dict(title=dict(text=title), type=scale)
    if scale == "log" and not rebased.empty:
        ticks = log_ticks(float(np.nanmin(rebased.to_numpy())), float(np.nanmax(rebased.to_numpy())))
        if len(ticks) >= 2:
            yaxis.update(tickvals=ticks, ticktext=[_tick_text(t) for t in ticks])
    return base_figure(theme, 520, [*traces, *markers], margin=dict(t=72, b=46),  # legend above, day labels below
                       shapes=lines, yaxis=yaxis, yaxis2=_HIDDEN_01,
                       xaxis=dict(type="date", showspikes=True, spikemode="across", spikethickness=1))


@cache
def _price_and_volume_axes() -> dict:
    """The axes of a price panel over a volume panel sharing its x-axis (make_subplots' layout)."""
    grid = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25],
                         vertical_spacing=0.03).layout.to_plotly_json()
    return {name: axis for name, axis in grid.items() if name[1:5] == "axis"}


def price_figure(bars: pd.DataFrame, events: list[dict], theme: str = "light",
                 every_day: bool = False, holidays: list[str] = (), currency: str = "USD") -> go.Figure:
    """Candlestick (or close line for close-only data) with volume beneath on a shared x-axis.

    Bars sit at midday of their date so that hovering Monday's candle is never lost at the edge of
    the weekend's axis break; a 7-day asset (``every_day``) and a view of more than DENSE_SESSIONS
    have no breaks at all.
    """
    colors = THEMES[theme_name(theme)]
    ticker = str(bars["ticker"].iloc[0]) if not bars.empty else ""
    x = pd.DatetimeIndex(bars["date"]) + pd.Timedelta(hours=12)
    has_ohlc = bars[["open", "high", "low"]].notna().all(axis=1).any()
    if has_ohlc:
        price = dict(
            type="candlestick", x=x, open=bars["open"], high=bars["high"], low=bars["low"], close=bars["close"],
            name=ticker, xaxis="x", yaxis="y",
            # the candle's own colours make a poor label: the theme's, like every other hover, and no
            # name box beside it (drawn in the candle's colour; the page names the ticker)
            hoverlabel=dict(bgcolor=colors["hover_bg"], font=dict(color=colors["hover_text"]), namelength=0))
    else:
        price = dict(type="scatter", x=x, y=bars["close"], name=ticker, mode="lines", xaxis="x", yaxis="y",
                     hovertemplate=f"{ticker}: %{{y:,.2f}} {currency}<extra></extra>")
    traces = [price]
    if bars["volume"].notna().any():
        traces.append(_volume(x, bars["volume"].astype("float64")))
    markers, lines = event_markers(events, colors, yaxis="y3", noon=True, line_yref="y3")
    breaks = [] if every_day or len(x) > DENSE_SESSIONS else [dict(bounds=["sat", "mon"]), dict(values=list(holidays))]
    axes = _price_and_volume_axes()
    x_axis = dict(rangeslider=dict(visible=False), rangebreaks=breaks, hoverformat="%Y-%m-%d")
    return base_figure(
        theme, 560, [*traces, *markers], shapes=lines, hovermode="x",
        xaxis={**axes["xaxis"], **x_axis}, xaxis2={**axes["xaxis2"], **x_axis},
        yaxis={**axes["yaxis"], "title": dict(text=f"Price ({currency})")},
        yaxis2={**axes["yaxis2"], "title": dict(text="Volume")},
        yaxis3={**_HIDDEN_01, "overlaying": "y"})


def _volume(x: pd.DatetimeIndex, volume: pd.Series) -> dict:
    """Bars, or a stepped area centred on each session when there are too many to tell apart."""
    shape = (dict(type="bar", marker=dict(color=_VOLUME_COLOR)) if len(x) <= DENSE_SESSIONS else
             dict(type="scatter", mode="lines", fill="tozeroy", fillcolor=_VOLUME_COLOR,
                  line=dict(shape="hvh", width=0, color=_VOLUME_COLOR)))
    return dict(x=x, y=volume, name="Volume", xaxis="x2", yaxis="y2",
                hovertemplate="Volume %{y:,.0f}<extra></extra>", **shape)


def rolling_figure(beta: pd.Series, correlation: pd.Series, benchmark: str,
                   theme: str = "light") -> go.Figure:
    traces = [dict(type="scatter", x=beta.index, y=beta.values, name=f"Beta to {benchmark}", mode="lines",
                   hovertemplate="Beta %{y:.2f}<extra></extra>"),
              dict(type="scatter", x=correlation.index, y=correlation.values, name=f"Correlation to {benchmark}",
                   mode="lines", hovertemplate="Correlation %{y:.2f}<extra></extra>")]
    return base_figure(theme, 300, traces, shapes=[hline(0, width=1, color=THEMES[theme_name(theme)]["zero"])])


def drawdown_figure(drawdown: pd.Series, theme: str = "light") -> go.Figure:
    trace = dict(type="scatter", x=drawdown.index, y=drawdown.values, name="Drawdown", mode="lines",
                 fill="tozeroy", line=dict(color="#c92a2a"), hovertemplate="%{y:.1%}<extra></extra>")
    return base_figure(theme, 260, [trace], yaxis=dict(tickformat=".0%"), showlegend=False)


def car_figure(daily: pd.DataFrame, theme: str = "light") -> go.Figure:
    """Cumulative abnormal return by event day, one trace per ticker and the EW portfolio."""
    colors = THEMES[theme_name(theme)]
    styles = line_styles()
    traces = []
    for ticker, rows in daily.groupby("ticker", sort=False):
        is_portfolio = ticker == PORTFOLIO
        traces.append(dict(
            type="scatter", x=rows["day"], y=rows["car"], name=ticker, mode="lines+markers",
            line=dict(width=4, dash="dash", color=colors["portfolio"]) if is_portfolio else next(styles),
            hovertemplate=f"{ticker}: %{{y:.2%}}<extra></extra>",
        ))
    return _event_days_figure(traces, theme, "Cumulative abnormal return")


def caar_figure(path: pd.DataFrame, theme: str = "light") -> go.Figure:
    """CAAR by event day with its 95% band (columns day, caar, lower, upper)."""
    traces = [
        dict(type="scatter", x=path["day"], y=path["upper"], mode="lines", line=dict(width=0), showlegend=False,
             hoverinfo="skip"),
        dict(type="scatter", x=path["day"], y=path["lower"], mode="lines", line=dict(width=0), fill="tonexty",
             fillcolor="rgba(31,119,180,0.2)", name="95% band", hovertemplate="95% band from %{y:.2%}<extra></extra>"),
        dict(type="scatter", x=path["day"], y=path["caar"], mode="lines+markers", name="CAAR",
             line=dict(width=3, color="#1f77b4"), hovertemplate="CAAR %{y:.2%}<extra></extra>"),
    ]
    return _event_days_figure(traces, theme, "Cumulative average abnormal return")


def _event_days_figure(traces: list, theme: str, title: str) -> go.Figure:
    """Paths by event day, day 0 and zero marked; the hover takes the nearest day however far (a
    few days across the width)."""
    zero = THEMES[theme_name(theme)]["zero"]
    return base_figure(theme, 420, traces, margin=dict(b=56),  # the x-axis title
                       hoverdistance=-1,
                       shapes=[vline(0, width=1, dash="dot", color="#d9480f"), hline(0, width=1, color=zero)],
                       xaxis=dict(title=dict(text="Event day (sessions from day 0)"), dtick=1),
                       yaxis=dict(title=dict(text=title), tickformat=".0%"))
