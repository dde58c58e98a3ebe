"""Refusals that say what to do: the cookie refresh from a foreign Origin, and a plain-HTTP
call to a server that answers over https only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tokens.tests.helpers import LOGOUT, login, refresh

pytestmark = pytest.mark.django_db


# --- the cookie refresh -----------------------------------------------------------------


def test_a_refused_cookie_refresh_names_the_origin_and_the_setting(gql, user, password):
    login(gql, "ada@example.com", password, transport="COOKIE")
    result = refresh(gql, None, transport="COOKIE", headers={"Origin": "https://app.example"})
    assert result.error_codes == ["FORBIDDEN"]
    message = result.errors[0]["message"]
    assert "'https://app.example'" in message
    assert "CORS_ALLOWED_ORIGINS" in message and "transport BODY" in message


def test_a_cookie_call_without_an_origin_says_so(gql, user, password):
    login(gql, "ada@example.com", password, transport="COOKIE")
    message = gql(LOGOUT, {}).errors[0]["message"]
    assert "no Origin header" in message and "CORS_ALLOWED_ORIGINS" in message


def test_a_long_origin_is_cut_short_in_the_message(gql, user, password):
    login(gql, "ada@example.com", password, transport="COOKIE")
    origin = "https://" + "a" * 5000 + ".example"
    message = refresh(gql, None, transport="COOKIE", headers={"Origin": origin}).errors[0][
        "message"
    ]
    assert len(message) < 500 and "aaaa" in message


# --- plain HTTP in production -----------------------------------------------------------

HTTPS_ONLY = override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$", r"^readyz$", r"^metrics$"],
)


def error(response: Any) -> dict[str, Any]:
    body = json.loads(response.content)
    assert body["data"] is None
    [only] = body["errors"]
    assert only["extensions"]["code"] == "BAD_REQUEST"
    return only


@HTTPS_ONLY
def test_a_plain_http_get_is_redirected_with_a_json_body():
    response = Client().get("/graphql/", {"query": "{ me { id } }"})
    assert response.status_code == 308  # keeps the method, unlike a 301
    target = "https://testserver/graphql/?query=%7B+me+%7B+id+%7D+%7D"
    assert response["Location"] == target
    assert response["Content-Type"] == "application/json"
    assert error(response)["message"].startswith(f"Use {target}:")
    head = Client().head("/.well-known/jwks.json")
    assert (head.status_code, head["Location"]) == (308, "https://testserver/.well-known/jwks.json")


@HTTPS_ONLY
def test_a_plain_http_post_is_refused_not_redirected_and_not_run(user, password):
    client = Client()
    response = client.post(
        "/graphql/",
        data=json.dumps(
            {
                "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": {"i": {"email": "ada@example.com", "password": password}},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not response.has_header("Location")
    message = error(response)["message"]
    assert message.startswith("Use https://testserver/graphql/:")
    assert "was not run" in message and "exposed" in message
    from tokens.models import Session

    assert not Session.objects.exists()


@HTTPS_ONLY
@override_settings(SECURE_SSL_HOST="api.example.com")
def test_the_https_url_uses_secure_ssl_host():
    response = Client().get("/graphql/")
    assert response["Location"] == "https://api.example.com/graphql/"


@HTTPS_ONLY
def test_health_probes_stay_reachable_over_plain_http():
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code in {200, 503}  # served, not redirected


@HTTPS_ONLY
def test_https_requests_are_served():
    over_tls = Client(headers={"X-Forwarded-Proto": "https"})
    response = over_tls.post(
        "/graphql/", data=json.dumps({"query": "{ me { id } }"}), content_type="application/json"
    )
    assert json.loads(response.content) == {"data": {"me": None}}
