"""Access tokens: forged ones are refused, keys rotate, anyone with the JWKS can verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.test import Client, override_settings

from accounts.models import User
from api.context import Caller
from tokens.access import issue_access_token
from tokens.keys import generate_private_jwk, keyset
from tokens.models import AuthMethod
from tokens.services import session_start
from tokens.tests.helpers import ME, REFRESH, data

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_for(user: User, session_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": str(user.pk),
        "sid": session_id,
        "jti": "forged",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return claims


def sign(claims: dict[str, Any], **headers: Any) -> str:
    signing = keyset().signing
    return jwt.encode(
        claims,
        signing.private_key,
        algorithm="ES256",
        headers={"kid": signing.kid, "typ": "at+jwt", **headers},
    )


@pytest.fixture
def session_id(user: User) -> str:
    issued = session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(ip_address=None, user_agent="t")
    )
    return str(issued.session.pk)


def forgeries(user: User, session_id: str) -> dict[str, str]:
    good = sign(claims_for(user, session_id))
    header, payload, signature = good.split(".")
    raw_signature = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw_signature[10] ^= 0x01
    public_pem = keyset().signing.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_header = b64(
        json.dumps({"alg": "HS256", "kid": keyset().signing.kid, "typ": "at+jwt"}).encode()
    )
    hs_signature = b64(
        hmac.new(public_pem, f"{hs_header}.{payload}".encode(), hashlib.sha256).digest()
    )
    none_header = b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    stranger = generate_private_jwk("stranger")
    stranger_key = jwt.algorithms.ECAlgorithm.from_jwk(stranger)
    public_jwk = {k: v for k, v in keyset().signing.public_jwk.items()}
    refresh_token = session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(ip_address=None, user_agent="t")
    ).refresh_token
    return {
        "alg none": f"{none_header}.{payload}.",
        "flipped signature byte": f"{header}.{payload}.{b64(bytes(raw_signature))}",
        "HS256 with the public key": f"{hs_header}.{payload}.{hs_signature}",
        "unknown kid": jwt.encode(
            claims_for(user, session_id),
            stranger_key,  # type: ignore[arg-type]
            algorithm="ES256",
            headers={"kid": "stranger", "typ": "at+jwt"},
        ),
        "jku header": sign(claims_for(user, session_id), jku="https://evil.example/jwks"),
        "x5u header": sign(claims_for(user, session_id), x5u="https://evil.example/cert"),
        "jwk header": sign(claims_for(user, session_id), jwk=public_jwk),
        "wrong iss": sign(claims_for(user, session_id, iss="someone-else")),
        "wrong aud": sign(claims_for(user, session_id, aud="another-api")),
        "expired": sign(
            claims_for(user, session_id, iat=int(time.time()) - 900, exp=int(time.time()) - 600)
        ),
        "wrong typ": sign(claims_for(user, session_id), typ="JWT"),
        "refresh token as access token": refresh_token,
        "garbage": "not-a-token",
    }


def test_a_valid_token_is_accepted(gql, user, session_id):
    result = gql(ME, token=sign(claims_for(user, session_id)))
    assert data(result)["me"]["id"] == str(user.pk)


@pytest.mark.parametrize(
    "kind",
    [
        "alg none",
        "flipped signature byte",
        "HS256 with the public key",
        "unknown kid",
        "jku header",
        "x5u header",
        "jwk header",
        "wrong iss",
        "wrong aud",
        "expired",
        "wrong typ",
        "refresh token as access token",
        "garbage",
    ],
)
def test_forged_tokens_are_refused_with_unauthenticated(gql, user, session_id, kind):
    token = forgeries(user, session_id)[kind]
    result = gql(ME, token=token)
    assert result.data is None
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert token not in json.dumps(result.body)


def test_an_access_token_is_refused_as_a_refresh_token(gql, user, session_id):
    access = sign(claims_for(user, session_id))
    result = gql(REFRESH, {"token": access, "transport": "BODY"})
    payload = data(result)["refresh"]
    assert payload["accessToken"] is None and payload["refreshToken"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_TOKEN"]


def test_keys_rotate_without_signing_anyone_out(gql, user, session_id):
    # given: key A signs
    key_a, key_b = generate_private_jwk("key-a"), generate_private_jwk("key-b")
    with override_settings(JWT_PRIVATE_KEYS=json.dumps({"keys": [key_a]})):
        token_a, _ = issue_access_token(user_id=str(user.pk), session_id=session_id)
    # when: key B is published and signs, A only verifies
    with override_settings(JWT_PRIVATE_KEYS=json.dumps({"keys": [key_b, key_a]})):
        token_b, _ = issue_access_token(user_id=str(user.pk), session_id=session_id)
        assert jwt.get_unverified_header(token_b)["kid"] == "key-b"
        # then: both verify
        assert data(gql(ME, token=token_a))["me"]["id"] == str(user.pk)
        assert data(gql(ME, token=token_b))["me"]["id"] == str(user.pk)
    # when: A is removed
    with override_settings(JWT_PRIVATE_KEYS=json.dumps({"keys": [key_b]})):
        # then: A's tokens are refused, B's still work
        assert gql(ME, token=token_a).error_codes == ["UNAUTHENTICATED"]
        assert data(gql(ME, token=token_b))["me"]["id"] == str(user.pk)


def test_an_independent_verifier_with_only_the_jwks_accepts_our_tokens(user, session_id):
    # given: only what any other service can fetch
    response = Client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    document = json.loads(response.content)
    assert all("d" not in key for key in document["keys"])  # no private halves published
    token, _ = issue_access_token(user_id=str(user.pk), session_id=session_id)

    # when
    kid = jwt.get_unverified_header(token)["kid"]
    public_key = jwt.PyJWKSet.from_dict(document)[kid].key
    claims = jwt.decode(
        token,
        public_key,
        algorithms=["ES256"],
        audience=settings.JWT_AUDIENCE,
        issuer=settings.JWT_ISSUER,
        options={"require": ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]},
    )

    # then
    assert claims["sub"] == str(user.pk) and claims["sid"] == session_id
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    assert claims["exp"] - claims["iat"] == settings.ACCESS_TOKEN_LIFETIME.total_seconds()


def test_generate_signing_key_prints_a_usable_private_jwk(capsys):
    from django.core.management import call_command

    call_command("generate_signing_key", "--kid", "2026-rotation", "--set")
    document = json.loads(capsys.readouterr().out)
    with override_settings(JWT_PRIVATE_KEYS=json.dumps(document)):
        assert keyset().signing.kid == "2026-rotation"
        assert keyset().jwks["keys"][0]["crv"] == "P-256"


def test_a_token_signed_with_the_real_key_to_live_a_day_is_refused(gql, user, session_id):
    now = int(time.time())
    token = sign(claims_for(user, session_id, iat=now - 10, exp=now + 86_400))

    result = gql(ME, token=token)

    assert result.data is None
    assert result.error_codes == ["UNAUTHENTICATED"]


@override_settings(JWT_LEEWAY=timedelta(seconds=30))
def test_the_lifetime_check_tolerates_the_leeway_and_no_more(gql, user, session_id):
    lifetime = int(settings.ACCESS_TOKEN_LIFETIME.total_seconds())
    now = int(time.time())
    within = sign(claims_for(user, session_id, iat=now, exp=now + lifetime + 30))
    beyond = sign(claims_for(user, session_id, iat=now, exp=now + lifetime + 31))

    assert data(gql(ME, token=within))["me"]["id"] == str(user.pk)
    assert gql(ME, token=beyond).error_codes == ["UNAUTHENTICATED"]
