"""Plotly figures from DataFrames: pure functions, no I/O and no callbacks.

Text that comes from event files is HTML-escaped before it reaches plotly, whose labels accept a
subset of HTML: a title is always shown as the characters it contains.
"""

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TEMPLATES = {"light": "plotly_white", "dark": "plotly_dark"}
EVENT_COLOR = "#d9480f"
PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#e377c2", "#8c564b", "#bcbd22",
           "#7f7f7f", "#ff7f0e", "#d62728"]


def epoch_ms(index: pd.DatetimeIndex) -> np.ndarray:
    """Dates as milliseconds since the epoch: a date axis reads them, and they travel as a
    compact typed array instead of one ISO string per point (about half the bytes)."""
    return pd.DatetimeIndex(index).as_unit("ms").asi8.astype(np.float64)


def _base(theme: str, height: int) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        template=TEMPLATES.get(theme, TEMPLATES["light"]),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        height=height,
        margin=dict(l=50, r=20, t=30, b=40),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
        uirevision="keep",
    )
    return figure


def event_marker(event, reactions=()) -> dict:
    """What the charts need of an Event: where it goes and its hover card's pieces."""
    return {"id": event.id, "session": event.session, "title": event.title,
            "category": event.category, "published_ny": event.published_ny,
            "source": event.source, "reactions": list(reactions)}


def event_hover(event: dict) -> str:
    """One event's hover card; every piece of text escaped."""
    lines = [f"<b>{html.escape(event['title'])}</b>",
             f"{html.escape(event['published_ny'])} · {html.escape(event['category'])}"]
    if event.get("source"):
        lines.append(html.escape(event["source"]))
    for reaction in event.get("reactions", []):
        lines.append(html.escape(reaction))
    return "<br>".join(lines)


def _add_events(figure: go.Figure, events: list[dict], y: float, row=None, col=None) -> None:
    if not events:
        return
    for event in events:
        figure.add_vline(x=pd.Timestamp(event["session"]).strftime("%Y-%m-%d"), line_width=1,
                         line_dash="dot", line_color=EVENT_COLOR, opacity=0.7,
                         **({"row": row, "col": col} if row else {}))
    trace = go.Scatter(
        x=[pd.Timestamp(e["session"]) for e in events],
        y=[y] * len(events),
        mode="markers",
        name="Events",
        marker=dict(symbol="triangle-down", size=13, color=EVENT_COLOR, line=dict(width=1, color="white")),
        hovertext=[event_hover(e) for e in events],
        customdata=[e["id"] for e in events],
        hovertemplate="%{hovertext}<extra></extra>",
    )
    if row:
        figure.add_trace(trace, row=row, col=col)
    else:
        figure.add_trace(trace)


def overview_figure(rebased: pd.DataFrame, benchmark: str | None, events: list[dict],
                    theme: str = "light") -> go.Figure:
    """Rebased performance: one trace per ticker (its symbol), the benchmark dashed, events marked.

    ``rebased`` is indexed by date with one column per ticker, each starting at 100.
    """
    figure = _base(theme, 520)
    colors = iter(PALETTE)
    for column in rebased.columns:
        series = rebased[column].dropna()
        is_benchmark = column == benchmark
        figure.add_trace(go.Scatter(
            x=epoch_ms(series.index), y=series.to_numpy(np.float32), name=column, mode="lines",
            line=dict(dash="dash", width=2, color="#f2a900") if is_benchmark
            else dict(width=2, color=next(colors)),
            hovertemplate=f"{column}: %{{y:.1f}}<extra></extra>",
        ))
    top = float(rebased.max().max()) if not rebased.empty else 100.0
    _add_events(figure, events, top * 1.04)
    figure.update_yaxes(title_text="Rebased (start = 100)", type="log" if top > 400 else "linear")
    figure.update_xaxes(type="date", showspikes=True, spikemode="across", spikethickness=1)
    return figure


def _missing_sessions(dates: pd.DatetimeIndex) -> list[str]:
    """Weekdays without a bar (holidays), for rangebreaks that hide them."""
    if len(dates) < 2:
        return []
    weekdays = pd.bdate_range(dates.min(), dates.max())
    return [d.strftime("%Y-%m-%d") for d in weekdays.difference(dates)]


def price_figure(bars: pd.DataFrame, events: list[dict], theme: str = "light") -> go.Figure:
    """Candlestick (or close line for close-only data) with volume beneath on a shared x-axis."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25],
                           vertical_spacing=0.03)
    figure.update_layout(_base(theme, 560).layout)
    ticker = bars["ticker"].iloc[0] if not bars.empty else ""
    has_ohlc = bars[["open", "high", "low"]].notna().all(axis=1).any()
    if has_ohlc:
        figure.add_trace(go.Candlestick(x=bars["date"], open=bars["open"], high=bars["high"],
                                        low=bars["low"], close=bars["close"], name=ticker), row=1, col=1)
    else:
        figure.add_trace(go.Scatter(x=bars["date"], y=bars["close"], name=ticker, mode="lines"),
                         row=1, col=1)
    if bars["volume"].notna().any():
        figure.add_trace(go.Bar(x=bars["date"], y=bars["volume"].astype("float64"), name="Volume",
                                marker_color="#6c757d"), row=2, col=1)
    high = bars["high"].max() if has_ohlc else bars["close"].max()
    _add_events(figure, events, float(high) * 1.04 if pd.notna(high) else 0, row=1, col=1)
    figure.update_xaxes(rangeslider_visible=False,
                        rangebreaks=[dict(bounds=["sat", "mon"]),
                                     dict(values=_missing_sessions(pd.DatetimeIndex(bars["date"])))])
    figure.update_yaxes(title_text="Price", row=1, col=1)
    figure.update_yaxes(title_text="Volume", row=2, col=1)
    figure.update_layout(hovermode="x")
    return figure


def rolling_figure(beta: pd.Series, correlation: pd.Series, benchmark: str, theme: str = "light") -> go.Figure:
    figure = _base(theme, 300)
    figure.add_trace(go.Scatter(x=beta.index, y=beta.values, name=f"Beta to {benchmark}", mode="lines"))
    figure.add_trace(go.Scatter(x=correlation.index, y=correlation.values,
                                name=f"Correlation to {benchmark}", mode="lines"))
    figure.add_hline(y=0, line_width=1, line_color="#adb5bd")
    return figure


def drawdown_figure(drawdown: pd.Series, theme: str = "light") -> go.Figure:
    figure = _base(theme, 260)
    figure.add_trace(go.Scatter(x=drawdown.index, y=drawdown.values, name="Drawdown", mode="lines",
                                fill="tozeroy", line=dict(color="#c92a2a"),
                                hovertemplate="%{y:.1%}<extra></extra>"))
    figure.update_yaxes(tickformat=".0%")
    return figure


def car_figure(daily: pd.DataFrame, theme: str = "light") -> go.Figure:
    """Cumulative abnormal return by event day, one trace per ticker and the EW portfolio."""
    figure = _base(theme, 420)
    figure.update_layout(hovermode="x unified")
    colors = iter(PALETTE)
    for ticker, rows in daily.groupby("ticker", sort=False):
        is_portfolio = ticker == "EW"
        figure.add_trace(go.Scatter(
            x=rows["day"], y=rows["car"], name=ticker, mode="lines+markers",
            line=dict(width=4, dash="dash", color="#212529" if theme == "light" else "#f8f9fa")
            if is_portfolio else dict(width=2, color=next(colors)),
            hovertemplate=f"{ticker}: %{{y:.2%}}<extra></extra>",
        ))
    figure.add_vline(x=0, line_width=1, line_dash="dot", line_color=EVENT_COLOR)
    figure.add_hline(y=0, line_width=1, line_color="#adb5bd")
    figure.update_xaxes(title_text="Event day (sessions from day 0)", dtick=1)
    figure.update_yaxes(title_text="Cumulative abnormal return", tickformat=".0%")
    return figure
