"""The charts: rebased performance, price and volume, rolling beta, drawdown, CAR and CAAR paths.

Only scatter, candlestick and bar traces and a few shapes are drawn: the partial plotly.js bundle
the pages load (finance) covers exactly these.
"""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.analytics.event_study import PORTFOLIO
from dashboard.figures.markers import add_event_markers
from dashboard.figures.theme import (
    BENCHMARK_LINE,
    THEMES,
    base_figure,
    base_layout,
    epoch_ms,
    line_styles,
    theme_name,
)

_HIDDEN_01 = dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True)


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
    figure = base_figure(theme, 520, t=72, b=46)  # the legend above, event day labels below
    styles = line_styles()
    for column in rebased.columns:
        series = rebased[column].dropna()
        figure.add_trace(go.Scatter(
            x=epoch_ms(series.index), y=series.to_numpy(np.float32), name=column, mode="lines",
            line=BENCHMARK_LINE if column == benchmark else next(styles),
            hovertemplate=f"{column}: %{{y:.1f}}<extra></extra>",
        ))
    add_event_markers(figure, events, colors)
    title = f"Rebased (100 on {pd.Timestamp(base_date):%Y-%m-%d})" if base_date is not None else "Rebased"
    figure.update_layout(yaxis2=_HIDDEN_01)
    figure.update_yaxes(title_text=title, type=scale, selector=dict(overlaying=None))
    if scale == "log" and not rebased.empty:
        ticks = log_ticks(float(np.nanmin(rebased.to_numpy())), float(np.nanmax(rebased.to_numpy())))
        if len(ticks) >= 2:
            figure.update_layout(yaxis=dict(tickvals=ticks, ticktext=[_tick_text(t) for t in ticks]))
    figure.update_xaxes(type="date", showspikes=True, spikemode="across", spikethickness=1)
    return figure


def price_figure(bars: pd.DataFrame, events: list[dict], theme: str = "light",
                 every_day: bool = False, holidays: list[str] = (), currency: str = "USD") -> go.Figure:
    """Candlestick (or close line for close-only data) with volume beneath on a shared x-axis.

    Bars sit at midday of their date so that hovering Monday's candle is never lost at the edge of
    the weekend's axis break; a 7-day asset (``every_day``) has no breaks at all.
    """
    colors = THEMES[theme_name(theme)]
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25],
                           vertical_spacing=0.03)
    figure.update_layout(**base_layout(theme, 560))
    ticker = str(bars["ticker"].iloc[0]) if not bars.empty else ""
    x = pd.DatetimeIndex(bars["date"]) + pd.Timedelta(hours=12)
    has_ohlc = bars[["open", "high", "low"]].notna().all(axis=1).any()
    if has_ohlc:
        figure.add_trace(go.Candlestick(
            x=x, open=bars["open"], high=bars["high"], low=bars["low"], close=bars["close"], name=ticker,
            # the candle's own colours make a poor label: the theme's, like every other hover, and no
            # name box beside it (drawn in the candle's colour; the page names the ticker)
            hoverlabel=dict(bgcolor=colors["hover_bg"], font=dict(color=colors["hover_text"]), namelength=0)),
            row=1, col=1)
    else:
        figure.add_trace(go.Scatter(x=x, y=bars["close"], name=ticker, mode="lines",
                                    hovertemplate=f"{ticker}: %{{y:,.2f}} {currency}<extra></extra>"),
                         row=1, col=1)
    if bars["volume"].notna().any():
        figure.add_trace(go.Bar(x=x, y=bars["volume"].astype("float64"), name="Volume",
                                marker_color="#6c757d", hovertemplate="Volume %{y:,.0f}<extra></extra>"),
                         row=2, col=1)
    add_event_markers(figure, events, colors, yaxis="y3", noon=True, line_yref="y3")
    figure.update_layout(yaxis3={**_HIDDEN_01, "overlaying": "y"}, hovermode="x")
    breaks = [] if every_day else [dict(bounds=["sat", "mon"]), dict(values=list(holidays))]
    figure.update_xaxes(rangeslider_visible=False, rangebreaks=breaks, hoverformat="%Y-%m-%d")
    figure.update_yaxes(title_text=f"Price ({currency})", row=1, col=1)
    figure.update_yaxes(title_text="Volume", row=2, col=1)
    return figure


def rolling_figure(beta: pd.Series, correlation: pd.Series, benchmark: str,
                   theme: str = "light") -> go.Figure:
    figure = base_figure(theme, 300)
    figure.add_trace(go.Scatter(x=beta.index, y=beta.values, name=f"Beta to {benchmark}", mode="lines",
                                hovertemplate="Beta %{y:.2f}<extra></extra>"))
    figure.add_trace(go.Scatter(x=correlation.index, y=correlation.values,
                                name=f"Correlation to {benchmark}", mode="lines",
                                hovertemplate="Correlation %{y:.2f}<extra></extra>"))
    figure.add_hline(y=0, line_width=1, line_color=THEMES[theme_name(theme)]["zero"])
    return figure


def drawdown_figure(drawdown: pd.Series, theme: str = "light") -> go.Figure:
    figure = base_figure(theme, 260)
    figure.add_trace(go.Scatter(x=drawdown.index, y=drawdown.values, name="Drawdown", mode="lines",
                                fill="tozeroy", line=dict(color="#c92a2a"),
                                hovertemplate="%{y:.1%}<extra></extra>"))
    figure.update_yaxes(tickformat=".0%")
    figure.update_layout(showlegend=False)
    return figure


def car_figure(daily: pd.DataFrame, theme: str = "light") -> go.Figure:
    """Cumulative abnormal return by event day, one trace per ticker and the EW portfolio."""
    colors = THEMES[theme_name(theme)]
    figure = base_figure(theme, 420, b=56)  # the x-axis title
    styles = line_styles()
    for ticker, rows in daily.groupby("ticker", sort=False):
        is_portfolio = ticker == PORTFOLIO
        figure.add_trace(go.Scatter(
            x=rows["day"], y=rows["car"], name=ticker, mode="lines+markers",
            line=dict(width=4, dash="dash", color=colors["portfolio"]) if is_portfolio else next(styles),
            hovertemplate=f"{ticker}: %{{y:.2%}}<extra></extra>",
        ))
    _event_axes(figure, colors, "Cumulative abnormal return")
    return figure


def caar_figure(path: pd.DataFrame, theme: str = "light") -> go.Figure:
    """CAAR by event day with its 95% band (columns day, caar, lower, upper)."""
    colors = THEMES[theme_name(theme)]
    figure = base_figure(theme, 420, b=56)
    figure.add_trace(go.Scatter(x=path["day"], y=path["upper"], mode="lines", line=dict(width=0),
                                showlegend=False, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=path["day"], y=path["lower"], mode="lines", line=dict(width=0),
                                fill="tonexty", fillcolor="rgba(31,119,180,0.2)", name="95% band",
                                hovertemplate="95% band from %{y:.2%}<extra></extra>"))
    figure.add_trace(go.Scatter(x=path["day"], y=path["caar"], mode="lines+markers", name="CAAR",
                                line=dict(width=3, color="#1f77b4"),
                                hovertemplate="CAAR %{y:.2%}<extra></extra>"))
    _event_axes(figure, colors, "Cumulative average abnormal return")
    return figure


def _event_axes(figure: go.Figure, colors: dict, title: str) -> None:
    figure.update_layout(hoverdistance=-1)  # a few days across the width: hover the nearest, however far
    figure.add_vline(x=0, line_width=1, line_dash="dot", line_color="#d9480f")
    figure.add_hline(y=0, line_width=1, line_color=colors["zero"])
    figure.update_xaxes(title_text="Event day (sessions from day 0)", dtick=1)
    figure.update_yaxes(title_text=title, tickformat=".0%")
