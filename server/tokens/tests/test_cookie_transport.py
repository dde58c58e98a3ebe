"""COOKIE transport for web clients: HttpOnly, path-scoped, Origin-checked."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tokens.tests.helpers import LOGOUT, ME, codes, data, login, refresh

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "http://localhost:5173"}


def cookie_login(gql, password):
    result = login(gql, "ada@example.com", password, transport="COOKIE")
    return data(result)["login"], result.response.cookies["gh_refresh"]


def test_cookie_login_sets_an_httponly_path_scoped_cookie(gql, user, password):
    payload, cookie = cookie_login(gql, password)
    assert payload["errors"] == []
    assert payload["refreshToken"] is None
    assert payload["accessToken"]
    assert cookie.value.count(".") == 3
    assert cookie["httponly"] is True
    assert cookie["path"] == "/graphql/"
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # development; production forces Secure (settings)


@override_settings(REFRESH_COOKIE_SECURE=True, REFRESH_COOKIE_SAMESITE="None")
def test_cookie_follows_the_security_settings(gql, user, password):
    _, cookie = cookie_login(gql, password)
    assert cookie["secure"] is True
    assert cookie["samesite"] == "None"


def test_refresh_reads_the_cookie_from_an_allowed_origin(gql, user, password):
    _, first = cookie_login(gql, password)
    result = refresh(gql, None, transport="COOKIE", headers=ORIGIN)
    payload = data(result)["refresh"]
    assert payload["errors"] == [] and payload["refreshToken"] is None
    rotated = result.response.cookies["gh_refresh"].value
    assert rotated not in {"", first.value}
    assert data(gql(ME, token=payload["accessToken"]))["me"]["email"] == "ada@example.com"


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null"])
def test_cookie_refresh_from_another_origin_is_refused(gql, user, password, origin):
    cookie_login(gql, password)
    headers = {"Origin": origin} if origin else {}
    result = refresh(gql, None, transport="COOKIE", headers=headers)
    assert result.error_codes == ["FORBIDDEN"]
    assert result.data is None


def test_cookie_logout_ends_the_session_and_clears_the_cookie(gql, user, password):
    payload, _ = cookie_login(gql, password)
    refused = gql(LOGOUT, {}, headers={"Origin": "https://evil.example"})
    assert refused.error_codes == ["FORBIDDEN"]
    assert data(gql(ME, token=payload["accessToken"]))["me"] is not None

    result = gql(LOGOUT, {}, headers=ORIGIN)

    assert data(result)["logout"] == {"ok": True, "errors": []}
    cleared = result.response.cookies["gh_refresh"]
    assert cleared.value == "" and cleared["max-age"] == 0
    assert gql(ME, token=payload["accessToken"]).error_codes == ["UNAUTHENTICATED"]


def test_refresh_without_any_token_is_invalid(gql):
    payload = data(refresh(gql, None))["refresh"]
    assert codes(payload) == ["INVALID_TOKEN"]
