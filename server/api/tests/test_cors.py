"""Browsers' preflights for the headers real GraphQL clients send; GET and POST only."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

CLIENT_HEADERS = [
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
    "authorization",
    "content-type",
]


def preflight(path: str, method: str, headers: list[str]):
    return Client().options(
        path,
        headers={
            "Origin": settings.FRONTEND_URL,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": ", ".join(headers),
        },
    )


@pytest.mark.parametrize("path", ["/graphql/", "/graphql"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_preflight_allows_apollo_and_trace_headers(db, path, method):
    response = preflight(path, method, CLIENT_HEADERS)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == settings.FRONTEND_URL
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed_headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert set(CLIENT_HEADERS) <= allowed_headers
    allowed_methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert method in allowed_methods


def test_only_get_and_post_are_allowed(db):
    response = preflight("/graphql/", "DELETE", ["content-type"])
    allowed_methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert allowed_methods <= {"GET", "POST", "OPTIONS"}
    assert {"GET", "POST"} <= allowed_methods


def test_another_origin_gets_no_cors_headers(db):
    response = Client().options(
        "/graphql/",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apollographql-client-name",
        },
    )
    assert "Access-Control-Allow-Origin" not in response


def test_an_apollo_request_gets_its_answer_with_cors_headers(db):
    response = Client().post(
        "/graphql/",
        data='{"query": "{ me { id } }"}',
        content_type="application/json",
        headers={
            "Origin": settings.FRONTEND_URL,
            "apollographql-client-name": "web",
            "apollographql-client-version": "1.0",
            "apollo-require-preflight": "true",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == settings.FRONTEND_URL


def test_a_browser_on_another_origin_may_send_and_read_the_request_id_and_retry_after(db):
    # The log correlates by the X-Request-ID a client sends; the web client falls back to
    # the Retry-After header. Cross-origin, a browser hides both unless they are allowed.
    assert preflight("/graphql/", "POST", ["x-request-id"]).status_code == 200
    allowed = preflight("/graphql/", "POST", ["x-request-id"])["Access-Control-Allow-Headers"]
    assert "x-request-id" in {h.strip() for h in allowed.split(",")}
    response = Client().post(
        "/graphql/",
        data='{"query": "{ __typename }"}',
        content_type="application/json",
        headers={"Origin": settings.FRONTEND_URL},
    )
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "x-request-id"} <= exposed
