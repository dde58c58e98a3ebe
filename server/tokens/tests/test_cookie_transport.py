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


def test_refresh_without_any_token_says_the_token_is_missing(gql):
    payload = data(refresh(gql, None))["refresh"]
    assert codes(payload) == ["REFRESH_TOKEN_MISSING"]
    assert "refreshToken" in payload["errors"][0]["message"]


def test_body_refresh_never_hands_out_the_httponly_cookie(gql, user, password):
    # given: a web session whose refresh token sits in the HttpOnly cookie
    _, cookie = cookie_login(gql, password)

    # when: a script on an allowed origin asks for BODY without an argument
    result = refresh(gql, None, transport="BODY", headers=ORIGIN)

    # then: nothing is read from the cookie, nothing is rotated, no token in the body
    payload = data(result)["refresh"]
    assert codes(payload) == ["REFRESH_TOKEN_MISSING"]
    assert payload["refreshToken"] is None and payload["accessToken"] is None
    assert cookie.value not in result.response.content.decode()
    assert "gh_refresh" not in result.response.cookies
    still = refresh(gql, None, transport="COOKIE", headers=ORIGIN)
    assert data(still)["refresh"]["errors"] == []


def test_cookie_refresh_reads_only_the_cookie(gql, user, password):
    body_token = data(login(gql, "ada@example.com", password))["login"]["refreshToken"]

    result = refresh(gql, body_token, transport="COOKIE", headers=ORIGIN)

    payload = data(result)["refresh"]
    assert codes(payload) == ["VALIDATION_ERROR"]
    assert payload["accessToken"] is None
    # the token passed as an argument was not spent
    assert data(refresh(gql, body_token))["refresh"]["errors"] == []


def test_cookie_refresh_without_the_cookie_explains_why(gql):
    payload = data(refresh(gql, None, transport="COOKIE", headers=ORIGIN))["refresh"]
    assert codes(payload) == ["REFRESH_TOKEN_MISSING"]
    assert "credentials" in payload["errors"][0]["message"]


LOGOUT_WITH = """
mutation Logout($token: String, $transport: TokenTransport) {
  logout(refreshToken: $token, transport: $transport) { ok errors { code } }
}
"""


def test_body_logout_without_an_argument_ends_nothing(gql, user, password):
    payload, _ = cookie_login(gql, password)

    result = gql(LOGOUT_WITH, {"transport": "BODY"}, headers=ORIGIN)

    assert data(result)["logout"] == {"ok": False, "errors": [{"code": "REFRESH_TOKEN_MISSING"}]}
    assert "gh_refresh" not in result.response.cookies
    assert data(gql(ME, token=payload["accessToken"]))["me"] is not None


def test_logout_without_any_token_says_the_token_is_missing(gql):
    result = gql(LOGOUT, {})
    assert data(result)["logout"] == {"ok": False, "errors": [{"code": "REFRESH_TOKEN_MISSING"}]}


def test_logout_by_argument_leaves_the_browsers_other_session_and_its_cookie(gql, user, password):
    # given: the browser's web session in the cookie, and a second (mobile-style) session
    cookie_login(gql, password)
    other = data(login(gql, "ada@example.com", password))["login"]

    # when: the second session is ended by its token, no transport named
    result = gql(LOGOUT_WITH, {"token": other["refreshToken"]}, headers=ORIGIN)

    # then: that session is over, the cookie is untouched and its session still refreshes
    assert data(result)["logout"] == {"ok": True, "errors": []}
    assert "gh_refresh" not in result.response.cookies
    assert codes(data(refresh(gql, other["refreshToken"]))["refresh"]) != []
    renewed = refresh(gql, None, transport="COOKIE", headers=ORIGIN)
    assert data(renewed)["refresh"]["errors"] == []
