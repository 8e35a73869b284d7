"""News on the charts: one marker trace per category (with its legend entry), a dotted line per
event when few are shown, a number on each marker when few enough to list them under the chart,
and a hover card whose text is always shown as text (plotly labels accept some HTML: every piece
is escaped) and wrapped to fit a phone.
"""

import html
import textwrap
from urllib.parse import urlparse

import pandas as pd

from dashboard.events.model import CATEGORIES

# Shape and colour per category, chosen to read on white and on the dark theme alike.
CATEGORY_STYLE = {
    "company": ("circle", "#1971c2"),
    "industry": ("triangle-down", "#d9480f"),
    "policy": ("square", "#c2255c"),
    "macro": ("diamond", "#7048e8"),
    "bitcoin": ("star", "#f08c00"),
    "market": ("triangle-up", "#2f9e44"),
    "earnings": ("hexagon", "#0c8599"),
    "filing": ("square-open", "#868e96"),
    "press": ("circle-open", "#5c7cfa"),
    "news": ("x-thin-open", "#a61e4d"),
}
NUMBERED_UP_TO = 12  # events numbered on the chart and listed under it
LINES_UP_TO = 60  # events drawn with a dotted line across the chart
_WRAP = 38  # characters per hover line: fits a 390 px phone


def event_marker(event, reactions=()) -> dict:
    """What the charts need of an Event: where it goes and its hover card's pieces."""
    return {"id": event.id, "session": event.session, "title": event.title,
            "category": event.category, "published_ny": event.published_ny,
            "source": event.source, "reactions": list(reactions)}


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else host or None


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, _WRAP, break_long_words=True, max_lines=4, placeholder=" …") or [""]


def event_hover(event: dict) -> str:
    """One event's hover card, escaped and wrapped: title, when, category, source host, reactions."""
    lines = [f"<b>{html.escape(line)}</b>" for line in _wrapped(event["title"])]
    lines.append(f"{html.escape(event['published_ny'])} · {html.escape(event['category'])}")
    host = _host(event.get("source"))
    if host:
        lines.append(html.escape(host))
    for reaction in event.get("reactions", []):
        lines.extend(html.escape(line) for line in _wrapped(reaction))
    return "<br>".join(lines)


def numbered(events: list[dict]) -> dict[str, int]:
    """Event id → its number on the chart (by session), when few enough to be numbered."""
    if not events or len(events) > NUMBERED_UP_TO:
        return {}
    ordered = sorted(events, key=lambda e: (pd.Timestamp(e["session"]), e["id"]))
    return {e["id"]: n for n, e in enumerate(ordered, start=1)}


def event_markers(events: list[dict], theme_colors: dict, yaxis: str = "y2", xaxis: str = "x",
                  noon: bool = False, line_yref: str = "paper") -> tuple[list[dict], list[dict]]:
    """(traces, shapes) of markers at the top of a chart (on a hidden 0–1 axis ``yaxis``), one
    trace per category, and a dotted line per event when few are shown.

    ``noon`` puts them at midday, as the price chart does with its bars, to stay clear of the
    axis breaks between sessions.
    """
    if not events:
        return [], []
    shift = pd.Timedelta(hours=12) if noon else pd.Timedelta(0)
    lines = [dict(type="line", x0=x, x1=x, y0=0, y1=1, xref=xaxis, yref=line_yref,
                  line=dict(width=1, dash="dot", color=CATEGORY_STYLE[event["category"]][1]),
                  opacity=0.6, layer="below")
             for event in events for x in [pd.Timestamp(event["session"]) + shift]] \
        if len(events) <= LINES_UP_TO else []
    numbers = numbered(events)
    traces = []
    for category in CATEGORIES:
        chosen = [e for e in events if e["category"] == category]
        if not chosen:
            continue
        symbol, color = CATEGORY_STYLE[category]
        traces.append(dict(
            type="scatter", x=[pd.Timestamp(e["session"]) + shift for e in chosen],
            y=[0.97] * len(chosen),
            xaxis=xaxis, yaxis=yaxis,
            mode="markers+text" if numbers else "markers",
            text=[str(numbers[e["id"]]) for e in chosen] if numbers else None,
            textposition="bottom center",
            textfont=dict(size=11, color=theme_colors["text"]),
            name=category.capitalize(),
            legendgroup="events",
            marker=dict(symbol=symbol, size=12, color=color, line=dict(width=1, color=color)),
            hovertext=[event_hover(e) for e in chosen],
            customdata=[e["id"] for e in chosen],
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
        ))
    return traces, lines
