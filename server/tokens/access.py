"""Access tokens: short-lived ES256 JWTs, verified locally by anyone holding the JWKS."""

from __future__ import annotations

import functools
import secrets
import time
from datetime import UTC, datetime

import jwt
from django.conf import settings

from tokens.keys import ALGORITHM, keyset
from tokens.verifier import AccessClaims, AccessTokenRejected

ACCESS_TOKEN_TYPE = "at+jwt"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]
# Headers that would let a token name its own verification key: never honoured.
_FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit"})


def issue_access_token(
    *,
    user_id: str,
    session_id: str,
    now: float | None = None,
    session_created_at: datetime | None = None,
) -> tuple[str, datetime]:
    issued_at = int(time.time() if now is None else now)
    expires_at = issued_at + int(settings.ACCESS_TOKEN_LIFETIME.total_seconds())
    signing = keyset().signing
    claims: dict[str, object] = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": user_id,
        "sid": session_id,
        "jti": secrets.token_urlsafe(12),
        "iat": issued_at,
        "exp": expires_at,
    }
    if session_created_at is not None:
        claims["sct"] = round(session_created_at.timestamp(), 6)
    token = jwt.encode(
        claims,
        signing.private_key,
        algorithm=ALGORITHM,
        headers={"kid": signing.kid, "typ": ACCESS_TOKEN_TYPE},
    )
    return token, datetime.fromtimestamp(expires_at, tz=UTC)


def decode_access_token(token: str) -> AccessClaims:
    """Check signature, header and claims locally; no I/O."""
    return check_not_expired(verify_signature(token))


@functools.lru_cache(maxsize=4096)
def verify_signature_cached(token: str) -> AccessClaims:
    """`verify_signature`, remembered per process for the same token string.

    A client sends the same access token with every request for its whole lifetime, and
    the ES256 check is most of a small request's token work. Only successes are
    remembered (an exception is never cached); the caller checks expiry and revocation on
    every use. Forgotten when the key set or the token settings change (tokens/signals.py).
    """
    return verify_signature(token)


def check_not_expired(claims: AccessClaims) -> AccessClaims:
    """The one check of a token that changes with the clock (`verify_signature` checked
    `exp` too, but its outcome may be remembered beyond that moment)."""
    if claims.expires_at + settings.JWT_LEEWAY.total_seconds() <= time.time():
        raise AccessTokenRejected("ExpiredSignatureError")
    return claims


def verify_signature(token: str) -> AccessClaims:
    """Signature, header and claims: the same outcome for the same token until the key set
    or the token settings change, apart from expiry (`check_not_expired`)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AccessTokenRejected("malformed token") from exc
    if header.get("alg") != ALGORITHM or header.get("typ") != ACCESS_TOKEN_TYPE:
        raise AccessTokenRejected("wrong alg or typ")
    if _FORBIDDEN_HEADERS.intersection(header):
        raise AccessTokenRejected("token names its own key")
    public_key = keyset().verifying.get(header.get("kid", ""))
    if public_key is None:
        raise AccessTokenRejected("unknown kid")
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": REQUIRED_CLAIMS},
            leeway=settings.JWT_LEEWAY,
        )
    except jwt.PyJWTError as exc:
        raise AccessTokenRejected(type(exc).__name__) from exc
    if not all(isinstance(claims[name], str) for name in ("sub", "sid", "jti")):
        raise AccessTokenRejected("malformed claims")
    # A token that was minted to live longer than we issue them (a leaked signing key, a
    # misconfigured issuer, a lifetime lowered since) would outlive every revocation entry,
    # whose TTLs assume ACCESS_TOKEN_LIFETIME (tokens/revocation.py).
    longest = (settings.ACCESS_TOKEN_LIFETIME + settings.JWT_LEEWAY).total_seconds()
    if int(claims["exp"]) - int(claims["iat"]) > longest:
        raise AccessTokenRejected("lifetime longer than ACCESS_TOKEN_LIFETIME")
    return AccessClaims(
        user_id=claims["sub"],
        session_id=claims["sid"],
        jti=claims["jti"],
        issued_at=int(claims["iat"]),
        expires_at=int(claims["exp"]),
        session_created_at=_session_created_at(claims.get("sct")),
    )


def _session_created_at(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
