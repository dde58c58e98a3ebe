"""Refresh tokens: opaque, single use, `<session>.<generation>.<nonce>.<tag>`.

- `tag` is an HMAC of the rest under a key derived from SECRET_KEY, so a token that we
  never issued is refused as INVALID_TOKEN without touching the session. Only a token we
  really issued can count as a *reused* one, and only that revokes a session: knowing a
  session id (it is in every access token) is not enough to sign someone out.
- The successor of a token is derived from the token itself (an HMAC), not stored. When
  twenty tabs present the same token at once, the first rotates the session and the others,
  inside the grace window, recompute the very same successor: nothing secret is kept in
  Redis or in PostgreSQL, only SHA-256 hashes of the current token and of its parent.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings

from core.errors import CoreErrorCode, DomainError

_TAG_SALT = "gatehouse.tokens.refresh.tag"
_NEXT_SALT = "gatehouse.tokens.refresh.next"
_NONCE_BYTES = 24
_TAG_BYTES = 16
MAX_TOKEN_LENGTH = 200

INVALID_REFRESH = DomainError(
    CoreErrorCode.INVALID_TOKEN, "This refresh token is not valid; sign in again.", "refreshToken"
)


@dataclass(frozen=True, slots=True)
class ParsedRefreshToken:
    session_id: uuid.UUID
    generation: int
    token: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@functools.lru_cache(maxsize=16)
def _derived_key(salt: str, secret: str) -> bytes:
    # What django.utils.crypto.salted_hmac derives on every call (a SHA-256 of salt and
    # secret), once per pair: a refresh computes three HMACs.
    return hashlib.sha256((salt + secret).encode()).digest()


def salted_sha256(salt: str, value: str, secret: str) -> bytes:
    """The same bytes as Django's `salted_hmac(salt, value, secret=secret,
    algorithm="sha256").digest()` (tokens issued either way stay valid)."""
    return hmac.new(_derived_key(salt, secret), value.encode(), hashlib.sha256).digest()


def _tag(body: str, secret: str) -> str:
    return _b64(salted_sha256(_TAG_SALT, body, secret)[:_TAG_BYTES])


def _compose(session_id: uuid.UUID, generation: int, nonce: bytes) -> str:
    body = f"{session_id.hex}.{generation}.{_b64(nonce)}"
    return f"{body}.{_tag(body, settings.SECRET_KEY)}"


def new_refresh_token(session_id: uuid.UUID) -> str:
    """Generation 0 of a new session."""
    return _compose(session_id, 0, secrets.token_bytes(_NONCE_BYTES))


def successor_of(parsed: ParsedRefreshToken) -> str:
    """The token that replaces `parsed`; the same every time it is asked for."""
    nonce = salted_sha256(_NEXT_SALT, parsed.token, settings.SECRET_KEY)[:_NONCE_BYTES]
    return _compose(parsed.session_id, parsed.generation + 1, nonce)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_refresh_token(token: str) -> ParsedRefreshToken | None:
    """The token's parts when we issued it (its tag verifies), else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split(".")
    if len(parts) != 4:
        return None
    sid_hex, generation, _nonce, tag = parts
    if not generation.isdigit() or len(generation) > 9:
        return None
    try:
        session_id = uuid.UUID(hex=sid_hex)
    except ValueError:
        return None
    body = token.rpartition(".")[0]
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(hmac.compare_digest(tag, _tag(body, key)) for key in keys):
        return None
    return ParsedRefreshToken(session_id=session_id, generation=int(generation), token=token)
