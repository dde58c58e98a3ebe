"""GraphiQL loads nothing from a CDN: a pinned copy served by the API, under a strict CSP,
and (in development) the API's own origin may refresh with the cookie."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.test import Client

from api.graphiql import ASSETS_DIR, CONTENT_TYPES
from tokens.tests.helpers import data, login, refresh

pytestmark = pytest.mark.django_db

# The integrity hashes unpkg publishes for these exact versions (the ones Strawberry's own
# GraphiQL page pins): the vendored files are the released packages, unmodified.
PINNED_SRI = {
    "graphiql.min.js": "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql.min.css": "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    "react.production.min.js": "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom.production.min.js": (
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"
    ),
}


def page(client: Client) -> str:
    response = client.get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_loads_only_from_this_server_under_a_strict_csp(client):
    html = page(client)
    assert "unpkg" not in html and "jsdelivr" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', html)
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.group(1).split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    # No inline script or style that such a policy would block.
    assert re.findall(r"<script[^>]*>\s*[^<\s]", html) == []
    assert "<style" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(urls) == 6
    for url in urls:
        assert url.startswith("/graphiql/assets/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        name = url.rsplit("/", 1)[1]
        assert response["Content-Type"] == CONTENT_TYPES[name]
        body = b"".join(response.streaming_content)
        assert b"unpkg.com" not in body and b"cdn.jsdelivr" not in body


def test_the_vendored_files_are_the_pinned_releases():
    for name, expected in PINNED_SRI.items():
        digest = base64.b64encode(hashlib.sha384((ASSETS_DIR / name).read_bytes()).digest())
        assert digest.decode() == expected, name


def test_only_the_listed_assets_are_served(client, settings):
    assert client.get("/graphiql/assets/LICENSES.txt").status_code == 404
    assert client.get("/graphiql/assets/..%2Fgraphiql.py").status_code == 404
    settings.GRAPHQL_GRAPHIQL = False
    assert client.get("/graphiql/assets/graphiql.min.js").status_code == 404


def test_headers_persist_across_reloads():
    init = (ASSETS_DIR / "graphiql-init.js").read_text()
    assert "shouldPersistHeaders: true" in init


def test_graphiql_on_the_api_origin_may_refresh_with_the_cookie(gql, user, settings):
    # bin/dev serves on http://localhost:8000 (API_ORIGIN); GraphiQL's fetch sends that Origin.
    from conftest import PASSWORD

    assert "http://localhost:8000" in settings.CORS_ALLOWED_ORIGINS
    data(login(gql, user.email, PASSWORD, transport="COOKIE"))
    result = refresh(gql, None, transport="COOKIE", headers={"Origin": "http://localhost:8000"})
    assert data(result)["refresh"]["errors"] == []
    assert data(result)["refresh"]["accessToken"]
    other = refresh(gql, None, transport="COOKIE", headers={"Origin": "http://evil.example"})
    assert other.error_codes == ["FORBIDDEN"]
