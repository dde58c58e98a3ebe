"""ID token verification, state handling and the code exchange, against the local provider.

These exercise social/google.py and the verification step of the service; the GraphQL
contract is in test_google_login.py.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from core.errors import CoreErrorCode, DomainError
from social import google
from social.google import GoogleAuthFailed, GoogleUnavailable, PendingLogin
from social.services import google_identity_verify
from social.tests.conftest import ANDROID_CLIENT_ID, IOS_CLIENT_ID, REDIRECT_URI, WEB_CLIENT_ID
from social.tests.helpers import follow_authorization, hs256_forgery, unsigned_token
from social.tests.provider import DELETE, pooled_key

NONCE = "n-0123456789abcdef-mobile"


def test_a_valid_token_gives_the_identity_with_a_normalised_issuer(provider):
    # given a token whose iss uses Google's short spelling
    token = provider.id_token(nonce=NONCE, iss="accounts.google.com")

    # when
    identity = google.id_token_verify(token=token, nonce=NONCE)

    # then
    assert identity.issuer == "https://accounts.google.com"
    assert identity.subject == provider.claims["sub"]
    assert identity.email == "grace@example.com"
    assert identity.email_verified is True
    assert (identity.given_name, identity.family_name, identity.name) == (
        "Grace",
        "Hopper",
        "Grace Hopper",
    )


@pytest.mark.parametrize("audience", [WEB_CLIENT_ID, IOS_CLIENT_ID, ANDROID_CLIENT_ID])
def test_every_configured_client_id_is_an_accepted_audience(provider, audience):
    token = provider.id_token(nonce=NONCE, aud=audience)

    assert google.id_token_verify(token=token, nonce=NONCE).subject == provider.claims["sub"]


def _forged_with_another_key(provider):
    claims = provider.id_token_claims(nonce=NONCE)
    # Same kid as a published key, signed by a key that is not Google's.
    return provider.sign(claims, key=pooled_key(5))


def _alg_none(provider):
    return unsigned_token(provider.id_token_claims(nonce=NONCE), kid=provider.kid)


def _hs256_with_public_key_as_secret(provider):
    return hs256_forgery(
        provider.id_token_claims(nonce=NONCE),
        kid=provider.kid,
        public_jwk=provider.jwks()["keys"][0],
    )


REFUSED_TOKENS = {
    "bad signature": _forged_with_another_key,
    "alg none": _alg_none,
    "alg HS256": _hs256_with_public_key_as_secret,
    "tampered payload": lambda p: (
        lambda parts: ".".join(
            [parts[0], jwt.utils.base64url_encode(b'{"sub":"someone-else"}').decode(), parts[2]]
        )
    )(p.id_token(nonce=NONCE).split(".")),
    "wrong iss": lambda p: p.id_token(nonce=NONCE, iss="https://evil.example.com"),
    "aud of another client": lambda p: p.id_token(
        nonce=NONCE, aud="someone-else.apps.googleusercontent.com"
    ),
    "aud list with another client": lambda p: p.id_token(
        nonce=NONCE, aud=[WEB_CLIENT_ID, "someone-else.apps.googleusercontent.com"]
    ),
    "no aud": lambda p: p.id_token(nonce=NONCE, aud=DELETE),
    "expired": lambda p: p.id_token(
        nonce=NONCE, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600
    ),
    "issued in the future": lambda p: p.id_token(nonce=NONCE, iat=int(time.time()) + 3600),
    "no exp": lambda p: p.id_token(nonce=NONCE, exp=DELETE),
    "missing sub": lambda p: p.id_token(nonce=NONCE, sub=DELETE),
    "empty sub": lambda p: p.id_token(nonce=NONCE, sub=""),
    "wrong nonce": lambda p: p.id_token(nonce="a-different-nonce-0123456789"),
    "no nonce": lambda p: p.id_token(nonce=None),
    "unknown kid": lambda p: p.sign(
        p.id_token_claims(nonce=NONCE), kid="not-a-google-kid", key=pooled_key(0)
    ),
    "not a jwt": lambda p: "definitely-not-a-token",
}


@pytest.mark.parametrize("make_token", REFUSED_TOKENS.values(), ids=REFUSED_TOKENS.keys())
def test_untrustworthy_tokens_are_refused(provider, make_token):
    token = make_token(provider)

    with pytest.raises(GoogleAuthFailed):
        google.id_token_verify(token=token, nonce=NONCE)


def test_signing_keys_are_cached_and_refetched_on_an_unknown_kid(provider, settings):
    settings.GOOGLE_CERTS_REFETCH_COOLDOWN = timedelta(0)
    # given two verifications with the same key
    for _ in range(3):
        google.id_token_verify(token=provider.id_token(nonce=NONCE), nonce=NONCE)
    assert provider.certs_fetches == 1

    # when Google rotates to a new key
    provider.rotate_key()
    identity = google.id_token_verify(token=provider.id_token(nonce=NONCE), nonce=NONCE)

    # then the new kid made us fetch the keys once more, and the new key is cached too
    assert identity.subject == provider.claims["sub"]
    assert provider.certs_fetches == 2
    google.id_token_verify(token=provider.id_token(nonce=NONCE), nonce=NONCE)
    assert provider.certs_fetches == 2


def test_forged_kids_cannot_make_us_hammer_google(provider, settings):
    settings.GOOGLE_CERTS_REFETCH_COOLDOWN = timedelta(seconds=30)
    google.id_token_verify(token=provider.id_token(nonce=NONCE), nonce=NONCE)
    assert provider.certs_fetches == 1

    for index in range(20):
        token = provider.sign(
            provider.id_token_claims(nonce=NONCE), kid=f"forged-{index}", key=pooled_key(0)
        )
        with pytest.raises(GoogleAuthFailed):
            google.id_token_verify(token=token, nonce=NONCE)

    # Within the cooldown at most one refetch happens, however many unknown kids arrive.
    assert provider.certs_fetches <= 2


def test_an_unreachable_certificate_endpoint_is_unavailable_not_failed(
    provider, settings, closed_port_url
):
    settings.GOOGLE_CERTS_URL = closed_port_url + "/certs"

    with pytest.raises(GoogleUnavailable):
        google.id_token_verify(token=provider.id_token(nonce=NONCE), nonce=NONCE)


# --- state -------------------------------------------------------------------------------


def test_authorization_url_carries_pkce_s256_nonce_and_state(provider):
    url, state = google.authorization_start(redirect_uri=REDIRECT_URI)

    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(provider.authorization_url + "?")
    assert params["client_id"] == WEB_CLIENT_ID
    assert params["redirect_uri"] == REDIRECT_URI
    assert params["response_type"] == "code"
    assert params["state"] == state
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert "openid" in params["scope"].split()
    pending = google.pending_login_spend(state=state)
    assert pending.nonce == params["nonce"]
    assert pending.redirect_uri == REDIRECT_URI
    # The verifier itself never leaves the server; only its S256 hash is in the URL.
    assert pending.code_verifier not in url


def test_a_state_is_spent_on_first_use(provider):
    _, state = google.authorization_start(redirect_uri=REDIRECT_URI)

    google.pending_login_spend(state=state)
    with pytest.raises(GoogleAuthFailed):
        google.pending_login_spend(state=state)


def test_a_state_expires(provider, settings):
    settings.GOOGLE_STATE_LIFETIME = timedelta(seconds=1)
    _, state = google.authorization_start(redirect_uri=REDIRECT_URI)

    time.sleep(1.2)

    with pytest.raises(GoogleAuthFailed):
        google.pending_login_spend(state=state)


def test_concurrent_uses_of_one_state_let_exactly_one_through(provider):
    # given one pending login and eight requests racing for it (real Redis)
    _, state = google.authorization_start(redirect_uri=REDIRECT_URI)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def spend() -> None:
        barrier.wait()
        try:
            google.pending_login_spend(state=state)
            outcomes.append("spent")
        except GoogleAuthFailed:
            outcomes.append("refused")

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * 7 + ["spent"]


def test_nonces_of_mobile_tokens_work_once():
    expires_at = int(time.time()) + 60

    google.nonce_spend(nonce=NONCE, expires_at=expires_at, now=time.time())
    with pytest.raises(GoogleAuthFailed):
        google.nonce_spend(nonce=NONCE, expires_at=expires_at, now=time.time())


# --- code exchange -----------------------------------------------------------------------


def test_the_code_is_exchanged_with_the_pkce_verifier(provider):
    url, state = google.authorization_start(redirect_uri=REDIRECT_URI)
    code, _ = follow_authorization(url)
    pending = google.pending_login_spend(state=state)

    id_token = google.code_exchange(code=code, pending=pending)

    assert google.id_token_verify(token=id_token, nonce=pending.nonce).email == (
        "grace@example.com"
    )


def test_a_wrong_code_verifier_is_refused_by_the_provider(provider):
    url, state = google.authorization_start(redirect_uri=REDIRECT_URI)
    code, _ = follow_authorization(url)
    pending = google.pending_login_spend(state=state)
    stolen = PendingLogin(
        code_verifier="x" * 64, nonce=pending.nonce, redirect_uri=pending.redirect_uri
    )

    with pytest.raises(GoogleAuthFailed):
        google.code_exchange(code=code, pending=stolen)


def test_a_token_endpoint_answering_5xx_is_unavailable(provider):
    url, state = google.authorization_start(redirect_uri=REDIRECT_URI)
    code, _ = follow_authorization(url)
    provider.token_status = 503

    with pytest.raises(GoogleUnavailable):
        google.code_exchange(code=code, pending=google.pending_login_spend(state=state))


# --- the verification step of the service ------------------------------------------------


@pytest.mark.parametrize(
    "pairs",
    [
        {},
        {"code": "c"},
        {"state": "s"},
        {"id_token": "t"},
        {"code": "c", "nonce": "n" * 20},
        {"code": "c", "state": "s", "id_token": "t", "nonce": "n" * 20},
        {"code": "c", "state": "s", "nonce": "n" * 20},
        {"code": " ", "state": " "},
    ],
)
def test_exactly_one_pair_must_be_sent(pairs):
    with pytest.raises(DomainError) as caught:
        google_identity_verify(**pairs)

    assert caught.value.code == "VALIDATION_ERROR"


def test_a_short_mobile_nonce_is_refused_as_a_validation_error(provider):
    # The app chose the nonce: the developer is told what to fix (issue: client contract).
    token = provider.id_token(nonce="short")

    with pytest.raises(DomainError) as caught:
        google_identity_verify(id_token=token, nonce="short")

    assert caught.value.code == CoreErrorCode.VALIDATION_ERROR
    assert caught.value.field == "nonce"


def test_failures_never_log_the_token(provider, caplog):
    token = provider.id_token(nonce=NONCE, aud="someone-else.apps.googleusercontent.com")

    with caplog.at_level("DEBUG"), pytest.raises(DomainError):
        google_identity_verify(id_token=token, nonce=NONCE)

    assert caplog.records, "the refusal should be logged"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert token.split(".")[1] not in logged
    assert NONCE not in logged
