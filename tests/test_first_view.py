"""The visited page rides in the app's layout answer, as Dash's routing callback would render it."""

import json

import dash
import pytest

from dashboard.first_view import THEME_COOKIE
from tests.conftest import routing_request


def find(node, component_id):
    """The component with ``component_id`` in a layout answer (JSON), or None."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        values = node.values()
    elif isinstance(node, list):
        values = node
    else:
        return None
    return next((hit for v in values if (hit := find(v, component_id)) is not None), None)


def layout_answer(client, referer=None, theme=None):
    if theme:
        client.set_cookie(THEME_COOKIE, theme)
    headers = {"Referer": referer} if referer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    assert {"Referer", "Cookie"} <= set(response.vary)
    return response.get_json()


def route(client, pathname, search, theme="light"):
    """Dash's own routing callback, asked for the same address."""
    return client.post("/_dash-update-component", json=routing_request(pathname, search, theme))


def routed(client, pathname, search, theme="light"):
    answer = route(client, pathname, search, theme)
    assert answer.status_code == 200
    return answer.get_json()["response"]


@pytest.mark.parametrize("pathname,search,title", [
    ("/ticker/MARA", "?start=2025-07-01&end=2025-08-29", "minerdash · Ticker"),
    ("/", "?tickers=MARA,RIOT&start=2025-06-02", "minerdash · Overview"),
    ("/events/bitmain-us-factory", "", "minerdash · Event study"),
    ("/ticker/ZZZ", "", "minerdash · Ticker"),
    ("/no/such/page", "", "minerdash"),
])
def test_the_layout_holds_the_page_the_routing_callback_would_draw(app, pathname, search, title):
    client = app.server.test_client()
    client.get("/")  # Dash registers its routing callback on the first request
    for theme in ("light", "dark"):
        answer = layout_answer(client, f"http://localhost{pathname}{search}", theme)
        content = find(answer, "_pages_content")["props"]["children"]
        expected = routed(client, pathname, search, theme)
        assert content == expected["_pages_content"]["children"]
        assert find(answer, "_pages_store")["props"]["data"] == expected["_pages_store"]["data"]
        assert find(answer, "theme-store")["props"]["data"] == theme
        # the Location already holds the address, so it reports nothing and nothing is routed again
        location = find(answer, "_pages_location")["props"]
        assert (location["pathname"], location["search"]) == (pathname, search)
        assert location["href"] == f"http://localhost{pathname}{search}" and location["hash"] == ""
    if pathname == "/ticker/MARA":
        price = find(content, "ticker-price")["props"]["figure"]
        assert price["layout"]["template"]["layout"]["paper_bgcolor"] == "rgb(17,17,17)"  # plotly_dark
        assert find(content, "ticker-dates")["props"]["start_date"] == "2025-07-01"


@pytest.mark.parametrize("referer", [None, "ftp://localhost/ticker/MARA",
                                     "http://localhost/ticker/" + "M" * 3000, "not a url"])
def test_without_a_usable_referer_the_container_is_left_to_the_routing_callback(app, referer):
    answer = layout_answer(app.server.test_client(), referer)
    assert find(answer, "_pages_content")["props"].get("children") is None
    assert "pathname" not in find(answer, "_pages_location")["props"]
    assert find(answer, "theme-store")["props"]["data"] == "light"


def test_a_strange_theme_cookie_draws_the_light_theme(app):
    client = app.server.test_client()
    answer = layout_answer(client, "http://localhost/ticker/MARA", theme='"><script>')
    assert find(answer, "theme-store")["props"]["data"] == "light"
    assert "<script>" not in json.dumps(answer)


def test_a_page_that_fails_leaves_the_container_to_the_routing_callback(app, monkeypatch, caplog):
    """A bug in a page's layout must not take the whole app down with the layout answer: the shell
    loads, the traceback is logged, and the routing callback answers that page with a 500."""
    from dashboard.pages import ticker

    def broken(**_kwargs):
        raise ZeroDivisionError("a bug")

    client = app.server.test_client()
    client.get("/")
    page = next(p for p in dash.page_registry.values() if p["module"] == ticker.__name__)
    monkeypatch.setitem(page, "layout", broken)
    answer = layout_answer(client, "http://localhost/ticker/MARA")
    assert find(answer, "_pages_content")["props"].get("children") is None
    assert find(answer, "ticker-picker") is None and find(answer, "theme-switch") is not None
    assert "first view of /ticker/MARA failed" in caplog.text and "ZeroDivisionError" in caplog.text
    assert route(client, "/ticker/MARA", "").status_code == 500
