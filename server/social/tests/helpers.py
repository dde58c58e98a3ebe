from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from social.tests.conftest import REDIRECT_URI


def follow_authorization(authorization_url: str) -> tuple[str, str]:
    """Do what the browser does: visit the provider, get redirected back with code + state."""
    response = requests.get(authorization_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = parse_qs(urlsplit(location).query)
    return params["code"][0], params["state"][0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned_token(claims: dict[str, Any], *, kid: str) -> str:
    """`alg: none`: a token anyone can write."""
    return jwt.encode(claims, "", algorithm="none", headers={"kid": kid})


def hs256_forgery(claims: dict[str, Any], *, kid: str, public_jwk: dict[str, Any]) -> str:
    """The algorithm-confusion forgery: HMAC with the public key as the shared secret."""
    header = {"alg": "HS256", "kid": kid, "typ": "JWT"}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    secret = public_jwk["n"].encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)
