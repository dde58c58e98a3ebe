"""Talking to Google: the web code flow (PKCE) and ID token verification.

Nothing here touches the database. Every endpoint is a setting, so that tests run the
whole protocol against a local OpenID provider.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from social.models import normalize_issuer

logger = logging.getLogger(__name__)

ID_TOKEN_ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]
# What Google reports back as granted for "openid email profile". Asking with these exact
# names keeps oauthlib from refusing the token response with "Scope has changed".
SCOPES = [
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
]
# A nonce shorter than this would be guessable and not worth remembering.
MIN_NONCE_LENGTH = 16
MAX_NONCE_LENGTH = 256
_STATE_PREFIX = "social:google:state:"
_NONCE_PREFIX = "social:google:nonce:"


class GoogleAuthFailed(Exception):
    """The ID token or the code cannot be trusted. The reason is for logs only."""


class GoogleUnavailable(Exception):
    """Google's token or certificate endpoint could not be reached or answered 5xx."""


@dataclass(frozen=True)
class GoogleIdentity:
    """The verified claims we use from an ID token."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    given_name: str
    family_name: str
    name: str
    expires_at: int


@dataclass(frozen=True)
class PendingLogin:
    """What startGoogleLogin remembers until the user comes back with a code."""

    code_verifier: str
    nonce: str
    redirect_uri: str


# --- web code flow ------------------------------------------------------------------------


def _flow(*, redirect_uri: str, state: str | None = None) -> Flow:
    client_config = {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_IDS[0],
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTHORIZATION_URL,
            "token_uri": settings.GOOGLE_TOKEN_URL,
            "redirect_uris": list(settings.GOOGLE_REDIRECT_URIS),
        }
    }
    return Flow.from_client_config(
        client_config, scopes=SCOPES, redirect_uri=redirect_uri, state=state
    )


def _state_key(state: str) -> str:
    # Hashed so that a state never sits in Redis in a form that could be replayed from a dump.
    return _STATE_PREFIX + hashlib.sha256(state.encode()).hexdigest()


def redirect_uri_allowed(redirect_uri: str) -> bool:
    # Exact string comparison: prefix or pattern matching is how open redirects happen.
    return redirect_uri in settings.GOOGLE_REDIRECT_URIS


def authorization_start(*, redirect_uri: str) -> tuple[str, str]:
    """Build Google's authorization URL (PKCE S256 + nonce) and remember the pending login.

    Returns (authorization_url, state).
    """
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    flow = _flow(redirect_uri=redirect_uri, state=state)
    url, returned_state = flow.authorization_url(
        access_type="online", nonce=nonce, prompt="select_account"
    )
    assert returned_state == state
    assert flow.code_verifier is not None
    pending = {"code_verifier": flow.code_verifier, "nonce": nonce, "redirect_uri": redirect_uri}
    cache.set(
        _state_key(state), pending, timeout=int(settings.GOOGLE_STATE_LIFETIME.total_seconds())
    )
    return url, state


def pending_login_spend(*, state: str) -> PendingLogin:
    """Take the pending login of `state` out of the cache; a state works once."""
    if not state or len(state) > 512:
        raise GoogleAuthFailed("malformed state")
    key = _state_key(state)
    data = cache.get(key)
    # Only the caller whose delete removed the key may use it: two concurrent requests
    # with the same state both read it, but exactly one delete succeeds.
    if not isinstance(data, dict) or not cache.delete(key):
        raise GoogleAuthFailed("unknown, expired or already used state")
    return PendingLogin(
        code_verifier=data["code_verifier"], nonce=data["nonce"], redirect_uri=data["redirect_uri"]
    )


def _refuse_server_errors(response: requests.Response) -> requests.Response:
    if response.status_code >= 500:
        raise GoogleUnavailable(f"token endpoint answered {response.status_code}")
    return response


def code_exchange(*, code: str, pending: PendingLogin) -> str:
    """Trade the authorization code (with the PKCE verifier) for an ID token."""
    if not code or len(code) > 2048:
        raise GoogleAuthFailed("malformed code")
    flow = _flow(redirect_uri=pending.redirect_uri)
    flow.code_verifier = pending.code_verifier
    flow.oauth2session.register_compliance_hook("access_token_response", _refuse_server_errors)
    try:
        token = flow.fetch_token(code=code, timeout=settings.GOOGLE_HTTP_TIMEOUT.total_seconds())
    except requests.RequestException as exc:
        raise GoogleUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
    except OAuth2Error as exc:
        # e.g. invalid_grant: a wrong, used or expired code, or a PKCE mismatch.
        raise GoogleAuthFailed(f"token endpoint refused the code: {exc.error}") from exc
    except Warning as exc:
        # The granted scopes differ from the requested ones (the user unticked one):
        # oauthlib still hands over the parsed response, and the ID token is all we need.
        token = getattr(exc, "token", None)
        if token is None:
            raise GoogleAuthFailed("unexpected token response") from exc
    except ValueError as exc:
        raise GoogleAuthFailed("malformed token response") from exc
    id_token = token.get("id_token") if hasattr(token, "get") else None
    if not isinstance(id_token, str) or not id_token:
        raise GoogleAuthFailed("token response without an id_token")
    return id_token


# --- ID token verification ----------------------------------------------------------------

_clients: dict[tuple[str, float, float, float], jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def _jwks_client() -> jwt.PyJWKClient:
    """One key cache per process (and per configuration, which tests change)."""
    config = (
        settings.GOOGLE_CERTS_URL,
        settings.GOOGLE_CERTS_LIFETIME.total_seconds(),
        settings.GOOGLE_CERTS_REFETCH_COOLDOWN.total_seconds(),
        settings.GOOGLE_HTTP_TIMEOUT.total_seconds(),
    )
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            url, lifespan, cooldown, timeout = config
            client = jwt.PyJWKClient(
                url,
                cache_jwk_set=True,
                lifespan=lifespan,
                cooldown_duration=cooldown,
                timeout=timeout,
            )
            _clients[config] = client
        return client


def _signing_key(kid: str) -> Any:
    try:
        return _jwks_client().get_signing_key(kid).key
    except jwt.PyJWKClientConnectionError as exc:
        raise GoogleUnavailable("certificate endpoint unreachable") from exc
    except jwt.PyJWKClientError as exc:
        raise GoogleAuthFailed("no Google key with the token's kid") from exc
    except jwt.PyJWTError as exc:  # a malformed key set
        raise GoogleUnavailable(f"unusable key set: {type(exc).__name__}") from exc


def _email_verified(value: object) -> bool:
    # Google has sent this claim both as a boolean and as the string "true".
    return value is True or value == "true"


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def id_token_verify(*, token: str, nonce: str) -> GoogleIdentity:
    """Check an ID token's signature and claims; raise GoogleAuthFailed on anything wrong.

    Signature (RS256, a key from GOOGLE_CERTS_URL), `iss` in GOOGLE_ISSUERS, `aud` one of
    GOOGLE_CLIENT_IDS (always checked), `exp`/`iat`, `sub` and the expected nonce.
    `email_verified` is reported, not required: whether it is needed depends on the account.
    """
    if not token or len(token) > 8192:
        raise GoogleAuthFailed("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise GoogleAuthFailed("malformed token") from exc
    # Refused before any key lookup: `none`, HS256 with a public key as secret, and any
    # other algorithm confusion.
    if header.get("alg") != ID_TOKEN_ALGORITHM:
        raise GoogleAuthFailed(f"algorithm {header.get('alg')!r} is not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise GoogleAuthFailed("token without kid")
    key = _signing_key(kid)
    audiences = list(settings.GOOGLE_CLIENT_IDS)
    if not audiences:
        raise GoogleAuthFailed("no Google client IDs configured")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ID_TOKEN_ALGORITHM],
            audience=audiences,
            issuer=list(settings.GOOGLE_ISSUERS),
            leeway=settings.GOOGLE_CLOCK_SKEW,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise GoogleAuthFailed(f"rejected: {type(exc).__name__}") from exc
    # A token meant for several audiences is not one Google issues to sign-in clients.
    if not isinstance(claims["aud"], str) or claims["aud"] not in audiences:
        raise GoogleAuthFailed("aud is not exactly one of our client IDs")
    if claims["iss"] not in settings.GOOGLE_ISSUERS:
        raise GoogleAuthFailed("wrong issuer")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise GoogleAuthFailed("missing or malformed sub")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise GoogleAuthFailed("nonce mismatch")
    return GoogleIdentity(
        issuer=normalize_issuer(claims["iss"]),
        subject=subject,
        email=_text(claims, "email"),
        email_verified=_email_verified(claims.get("email_verified")),
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        name=_text(claims, "name"),
        expires_at=int(claims["exp"]),
    )


def nonce_check(nonce: str) -> None:
    if not (MIN_NONCE_LENGTH <= len(nonce) <= MAX_NONCE_LENGTH):
        raise GoogleAuthFailed("nonce of the wrong length")


def nonce_spend(*, nonce: str, expires_at: int, now: float) -> None:
    """Remember a nonce until its token expires, so that a token is accepted only once.

    Mobile clients choose their own nonce; replaying an intercepted ID token with its
    nonce is exactly what this refuses.
    """
    ttl = max(1, int(expires_at - now + settings.GOOGLE_CLOCK_SKEW.total_seconds()))
    key = _NONCE_PREFIX + hashlib.sha256(nonce.encode()).hexdigest()
    if not cache.add(key, 1, timeout=ttl):
        raise GoogleAuthFailed("nonce already used")
