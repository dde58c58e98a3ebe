"""The Google sign-in contract through /graphql/, against the local OpenID provider."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from accounts.models import RegisterMethod, User
from social.models import SocialAccount
from social.tests.conftest import IOS_CLIENT_ID, REDIRECT_URI
from social.tests.helpers import follow_authorization, unsigned_token
from social.tests.provider import DELETE, pooled_key
from tokens.models import AuthMethod, Session

START = """
mutation Start($redirectUri: String!) {
  startGoogleLogin(redirectUri: $redirectUri) {
    authorizationUrl state errors { field code message }
  }
}
"""

LOGIN = """
mutation Google($input: GoogleLoginInput!, $transport: TokenTransport!) {
  googleLogin(input: $input, transport: $transport) {
    accessToken accessTokenExpiresAt refreshToken
    user { email emailVerified registerMethod profile { displayName firstName lastName } }
    errors { field code message }
  }
}
"""

ME = "{ me { email emailVerified registerMethod profile { displayName } } }"

NONCE = "mobile-nonce-0123456789abcdef"


def start(gql, redirect_uri: str = REDIRECT_URI) -> dict:
    result = gql(START, {"redirectUri": redirect_uri})
    assert result.status == 200 and not result.errors, result.body
    return result.data["startGoogleLogin"]


def web_login(gql, code: str, state: str, transport: str = "BODY") -> dict:
    result = gql(LOGIN, {"input": {"code": code, "state": state}, "transport": transport})
    assert result.status == 200 and not result.errors, result.body
    return result.data["googleLogin"]


def mobile_login(gql, id_token: str, nonce: str = NONCE, transport: str = "BODY") -> dict:
    result = gql(LOGIN, {"input": {"idToken": id_token, "nonce": nonce}, "transport": transport})
    assert result.status == 200 and not result.errors, result.body
    return result.data["googleLogin"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def assert_refused(payload: dict, code: str = "GOOGLE_AUTH_FAILED") -> None:
    assert codes(payload) == [code]
    assert payload["accessToken"] is None
    assert payload["refreshToken"] is None
    assert payload["user"] is None


# --- web ----------------------------------------------------------------------------------


def test_full_web_flow_start_provider_redirect_code_login_then_me(gql, provider):
    # given the client starts the flow
    started = start(gql)
    assert started["errors"] == []
    query = parse_qs(urlsplit(started["authorizationUrl"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [started["state"]]

    # when the browser goes to Google and comes back with a code
    code, state = follow_authorization(started["authorizationUrl"])
    assert state == started["state"]
    payload = web_login(gql, code, state)

    # then the user is signed up and signed in
    assert payload["errors"] == []
    assert payload["refreshToken"]
    assert payload["user"] == {
        "email": "grace@example.com",
        "emailVerified": True,
        "registerMethod": "GOOGLE",
        "profile": {"displayName": "Grace Hopper", "firstName": "Grace", "lastName": "Hopper"},
    }
    me = gql(ME, token=payload["accessToken"])
    assert me.errors == []
    assert me.data["me"]["email"] == "grace@example.com"

    user = User.objects.get(email="grace@example.com")
    assert user.register_method == RegisterMethod.GOOGLE
    assert not user.has_usable_password()
    account = SocialAccount.objects.get(user=user)
    assert (account.issuer, account.subject) == (
        "https://accounts.google.com",
        provider.claims["sub"],
    )
    assert Session.objects.get(user=user).auth_method == AuthMethod.GOOGLE


def test_web_flow_with_cookie_transport_sets_the_refresh_cookie(gql, provider):
    code, state = follow_authorization(start(gql)["authorizationUrl"])

    result = gql(LOGIN, {"input": {"code": code, "state": state}, "transport": "COOKIE"})

    payload = result.data["googleLogin"]
    assert payload["errors"] == []
    assert payload["accessToken"]
    assert payload["refreshToken"] is None
    cookie = result.response.cookies[settings.REFRESH_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"]


def test_the_same_google_identity_signs_in_to_the_same_account_even_after_an_email_change(
    gql, provider
):
    # given a first sign-in
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    first = web_login(gql, code, state)
    assert first["errors"] == []

    # when the person changes their Google address and signs in again
    provider.claims["email"] = "grace.hopper@example.org"
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    second = web_login(gql, code, state)

    # then it is the same account, found by (issuer, sub), not by email
    assert second["errors"] == []
    assert second["user"]["email"] == "grace@example.com"
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1


def test_a_reused_state_is_refused_before_google_is_asked(gql, provider):
    # given a completed sign-in, and a second code obtained for the same state
    started = start(gql)
    code, state = follow_authorization(started["authorizationUrl"])
    second_code, _ = follow_authorization(started["authorizationUrl"])
    assert web_login(gql, code, state)["errors"] == []
    requests_before = provider.token_requests

    # when the state is used again
    payload = web_login(gql, second_code, state)

    # then
    assert_refused(payload)
    assert provider.token_requests == requests_before
    assert Session.objects.count() == 1


def test_an_unknown_state_is_refused_and_nothing_is_created(gql, provider):
    code, _ = follow_authorization(start(gql)["authorizationUrl"])

    payload = web_login(gql, code, "a-state-we-never-issued")

    assert_refused(payload)
    assert provider.token_requests == 0
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_redirect_uri_outside_the_allowlist_is_refused(gql, provider):
    for uri in (
        "https://evil.example.com/auth/google/callback",
        REDIRECT_URI + "/../../steal",
        REDIRECT_URI + "?next=https://evil.example.com",
        REDIRECT_URI.replace("http://", "https://"),
    ):
        payload = start(gql, uri)

        assert payload["authorizationUrl"] is None
        assert payload["state"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("GOOGLE_AUTH_FAILED", "redirectUri")
        ]


@pytest.mark.parametrize(
    "override",
    [
        {"aud": "someone-else.apps.googleusercontent.com"},
        {"iss": "https://evil.example.com"},
        {"nonce": "not-the-nonce-we-sent-0123456789"},
        {"sub": DELETE},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    ],
    ids=["aud", "iss", "nonce", "sub", "expired"],
)
def test_a_bad_id_token_from_the_token_endpoint_is_refused(gql, provider, override):
    provider.token_overrides = override
    code, state = follow_authorization(start(gql)["authorizationUrl"])

    assert_refused(web_login(gql, code, state))
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_an_unreachable_token_endpoint_gives_a_clear_error_not_a_500(
    gql, provider, settings, closed_port_url
):
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    settings.GOOGLE_TOKEN_URL = closed_port_url + "/token"

    result = gql(LOGIN, {"input": {"code": code, "state": state}, "transport": "BODY"})

    assert result.status == 200
    assert result.errors == []
    payload = result.data["googleLogin"]
    assert_refused(payload, "GOOGLE_UNAVAILABLE")
    assert "try again" in payload["errors"][0]["message"]
    assert not User.objects.exists()


def test_a_failing_token_endpoint_gives_a_clear_error(gql, provider):
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    provider.token_status = 503

    assert_refused(web_login(gql, code, state), "GOOGLE_UNAVAILABLE")


# --- mobile -------------------------------------------------------------------------------


def test_mobile_flow_with_an_ios_client_id(gql, provider):
    token = provider.id_token(nonce=NONCE, aud=IOS_CLIENT_ID)

    payload = mobile_login(gql, token)

    assert payload["errors"] == []
    assert payload["refreshToken"]
    assert payload["user"]["email"] == "grace@example.com"
    assert gql(ME, token=payload["accessToken"]).data["me"]["registerMethod"] == "GOOGLE"


def _other_key(p):
    return p.sign(p.id_token_claims(nonce=NONCE), key=pooled_key(5))


def _alg_none(p):
    return unsigned_token(p.id_token_claims(nonce=NONCE), kid=p.kid)


MOBILE_REFUSALS = {
    "bad signature": _other_key,
    "alg none": _alg_none,
    "wrong iss": lambda p: p.id_token(nonce=NONCE, iss="https://accounts.evil.example"),
    "aud of another client": lambda p: p.id_token(
        nonce=NONCE, aud="another-app.apps.googleusercontent.com"
    ),
    "expired": lambda p: p.id_token(
        nonce=NONCE, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600
    ),
    "missing sub": lambda p: p.id_token(nonce=NONCE, sub=DELETE),
    "wrong nonce": lambda p: p.id_token(nonce="another-nonce-0123456789abcdef"),
    "email not verified": lambda p: p.id_token(nonce=NONCE, email_verified=False),
    "no email": lambda p: p.id_token(nonce=NONCE, email=DELETE),
}


@pytest.mark.parametrize("make_token", MOBILE_REFUSALS.values(), ids=MOBILE_REFUSALS.keys())
def test_mobile_refusals_create_and_link_nothing(gql, provider, user, make_token):
    # given an existing password account with Google's address
    provider.claims["email"] = user.email

    payload = mobile_login(gql, make_token(provider))

    assert_refused(payload)
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    assert not Session.objects.exists()


def test_a_reused_nonce_is_refused(gql, provider):
    token = provider.id_token(nonce=NONCE)
    assert mobile_login(gql, token)["errors"] == []

    # The same token (and nonce) again, as someone who intercepted it would send it.
    assert_refused(mobile_login(gql, token))
    # And a fresh token carrying an already used nonce.
    assert_refused(mobile_login(gql, provider.id_token(nonce=NONCE)))
    assert Session.objects.count() == 1


def test_an_unreachable_certificate_endpoint_gives_a_clear_error(
    gql, provider, settings, closed_port_url
):
    settings.GOOGLE_CERTS_URL = closed_port_url + "/certs"

    result = gql(
        LOGIN,
        {"input": {"idToken": provider.id_token(nonce=NONCE), "nonce": NONCE}, "transport": "BODY"},
    )

    assert result.status == 200 and result.errors == []
    assert_refused(result.data["googleLogin"], "GOOGLE_UNAVAILABLE")


def test_sending_both_pairs_is_a_validation_error(gql, provider):
    result = gql(
        LOGIN,
        {
            "input": {"code": "c", "state": "s", "idToken": "t", "nonce": NONCE},
            "transport": "BODY",
        },
    )

    assert_refused(result.data["googleLogin"], "VALIDATION_ERROR")


@pytest.mark.parametrize("nonce", ["too-short", "n" * 257])
def test_a_nonce_of_the_wrong_length_is_a_validation_error(gql, provider, nonce):
    # The app picked it: the developer must hear what to fix, not "sign-in failed".
    payload = mobile_login(gql, provider.id_token(nonce=nonce), nonce)
    assert_refused(payload, "VALIDATION_ERROR")
    assert payload["errors"][0]["field"] == "nonce"


# --- linking ------------------------------------------------------------------------------


def test_unverified_google_email_on_an_existing_account_asks_for_the_password(gql, provider, user):
    provider.claims.update(email=user.email, email_verified=False)

    payload = mobile_login(gql, provider.id_token(nonce=NONCE))

    assert_refused(payload)
    assert "password" in payload["errors"][0]["message"]
    assert not SocialAccount.objects.exists()


def test_a_verified_google_email_links_an_existing_verified_account(gql, provider, user, password):
    provider.claims["email"] = user.email.upper()

    payload = mobile_login(gql, provider.id_token(nonce=NONCE))

    assert payload["errors"] == []
    assert payload["user"]["email"] == user.email
    assert payload["user"]["registerMethod"] == "EMAIL"
    assert SocialAccount.objects.get().user_id == user.pk
    user.refresh_from_db()
    # The owner proved the address when registering: their password keeps working.
    assert user.check_password(password)


def test_linking_an_unverified_password_account_verifies_it_and_drops_the_password(
    gql, provider, password
):
    # given someone registered the address with a password but never proved they own it
    squatter = User.objects.create_user("grace@example.com", password, email_verified=False)

    # when the real owner signs in with Google
    payload = mobile_login(gql, provider.id_token(nonce=NONCE))

    # then the account is theirs: verified, and the squatter's password no longer works
    assert payload["errors"] == []
    squatter.refresh_from_db()
    assert squatter.email_verified is True
    assert not squatter.has_usable_password()
    assert SocialAccount.objects.get().user_id == squatter.pk


def test_a_disabled_account_is_refused(gql, provider, user):
    user.is_active = False
    user.save()
    provider.claims["email"] = user.email

    payload = mobile_login(gql, provider.id_token(nonce=NONCE))

    assert_refused(payload, "ACCOUNT_DISABLED")
    assert not SocialAccount.objects.exists()


def test_a_disabled_linked_account_is_refused(gql, provider):
    assert mobile_login(gql, provider.id_token(nonce=NONCE))["errors"] == []
    User.objects.update(is_active=False)

    second_nonce = "second-nonce-0123456789abcdef"
    payload = mobile_login(gql, provider.id_token(nonce=second_nonce), second_nonce)

    assert_refused(payload, "ACCOUNT_DISABLED")


def test_a_hanging_token_endpoint_gives_up_after_the_timeout(
    gql, provider, settings, silent_port_url
):
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    settings.GOOGLE_TOKEN_URL = silent_port_url + "/token"
    settings.GOOGLE_HTTP_TIMEOUT = timedelta(milliseconds=500)

    began = time.monotonic()
    payload = web_login(gql, code, state)

    assert_refused(payload, "GOOGLE_UNAVAILABLE")
    assert time.monotonic() - began < 3


def test_a_hanging_certificate_endpoint_gives_up_after_the_timeout(
    gql, provider, settings, silent_port_url
):
    settings.GOOGLE_CERTS_URL = silent_port_url + "/certs"
    settings.GOOGLE_HTTP_TIMEOUT = timedelta(milliseconds=500)

    began = time.monotonic()
    payload = mobile_login(gql, provider.id_token(nonce=NONCE))

    assert_refused(payload, "GOOGLE_UNAVAILABLE")
    assert time.monotonic() - began < 3


def test_starting_and_signing_in_are_rate_limited_per_ip(gql, provider):
    for _ in range(30):
        assert start(gql)["errors"] == []

    assert codes(start(gql)) == ["RATE_LIMITED"]


def test_a_code_cannot_be_redeemed_with_another_pending_login(gql, provider):
    # given two started sign-ins, e.g. the victim's and an attacker's
    first = start(gql)
    second = start(gql)
    code_for_first, _ = follow_authorization(first["authorizationUrl"])

    # when the first one's code is sent with the second one's state
    payload = web_login(gql, code_for_first, second["state"])

    # then the provider refuses it: the second state's PKCE verifier does not match
    assert_refused(payload)
    assert provider.token_requests == 1
    assert not User.objects.exists()


def test_fewer_granted_scopes_still_sign_in_with_the_id_token(gql, provider):
    provider.granted_scope = "openid https://www.googleapis.com/auth/userinfo.email"
    code, state = follow_authorization(start(gql)["authorizationUrl"])

    payload = web_login(gql, code, state)

    assert payload["errors"] == []
    assert payload["user"]["email"] == "grace@example.com"
