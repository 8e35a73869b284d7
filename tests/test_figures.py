"""The figures are built whole, as dicts validated once; they must be what plotly's own builders
(update_layout, add_hline, add_vline) make, which re-validate the layout at every call. What a
chart draws for many sessions."""

import csv

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.charts import DENSE_SESSIONS, price_figure
from dashboard.figures.theme import base_figure, base_layout, hline, vline
from dashboard.sources.csv_file import read_price_csv


def test_lines_are_plotlys_own_hline_and_vline():
    figure = go.Figure(layout={"template": {}})
    figure.add_hline(y=0, line_width=1, line_color="#adb5bd")
    figure.add_vline(x=0, line_width=1, line_dash="dot", line_color="#d9480f")
    built = go.Figure(layout={"template": {}, "shapes": [hline(0, width=1, color="#adb5bd"),
                                                        vline(0, width=1, dash="dot", color="#d9480f")]})
    assert built.to_plotly_json()["layout"]["shapes"] == figure.to_plotly_json()["layout"]["shapes"]


def test_base_figure_is_the_theme_layout_updated_by_the_charts_keys():
    trace = go.Scatter(x=[1, 2], y=[3, 4])
    slow = go.Figure(layout={"template": {}})
    slow.update_layout(**base_layout("dark", 300, t=72))
    slow.add_trace(trace)
    slow.update_layout(showlegend=False, yaxis=dict(tickformat=".0%"))
    fast = base_figure("dark", 300, [trace], margin=dict(t=72), showlegend=False, yaxis=dict(tickformat=".0%"))
    assert fast.to_plotly_json() == slow.to_plotly_json()
    assert fast.layout.margin.t == 72 and fast.layout.margin.l == 72 and fast.layout.height == 300


@pytest.mark.parametrize("sessions", [DENSE_SESSIONS, DENSE_SESSIONS + 1, 1507])
def test_volume_is_bars_until_they_blur_then_the_same_numbers_as_an_area(market_data, sessions):
    """And beyond DENSE_SESSIONS the axis runs on calendar time: a weekend's gap is then under a
    pixel, and plotly walks every break to place each point."""
    found = read_price_csv(market_data / "MARA.csv")
    bars = found.bars.tail(sessions).assign(ticker="MARA")
    with (market_data / "MARA.csv").open() as handle:
        volumes = [float(r["Volume"]) for r in csv.DictReader(handle)][-sessions:]
    figure = price_figure(bars, [], holidays=["2025-07-04"])
    breaks = [b.bounds or b.values for b in figure.layout.xaxis.rangebreaks]
    assert [b.bounds or b.values for b in figure.layout.xaxis2.rangebreaks] == breaks
    assert breaks == ([("sat", "mon"), ("2025-07-04",)] if sessions <= DENSE_SESSIONS else [])
    volume = next(t for t in figure.data if t.name == "Volume")
    assert list(volume.y) == volumes and len(volume.x) == sessions
    assert volume.x[0] == pd.Timestamp(bars["date"].iloc[0]) + pd.Timedelta(hours=12)  # midday, as the candles
    if sessions <= DENSE_SESSIONS:
        assert volume.type == "bar"
    else:  # one stepped path, each session's level centred on its candle, filled down to zero
        assert (volume.type, volume.fill, volume.line.shape, volume.line.width) == ("scatter", "tozeroy", "hvh", 0)
        assert volume.fillcolor == volume.line.color
