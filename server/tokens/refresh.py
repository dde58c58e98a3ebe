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
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

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


def _tag(body: str, secret: str) -> str:
    digest = salted_hmac(_TAG_SALT, body, secret=secret, algorithm="sha256").digest()
    return _b64(digest[:_TAG_BYTES])


def _compose(session_id: uuid.UUID, generation: int, nonce: bytes) -> str:
    body = f"{session_id.hex}.{generation}.{_b64(nonce)}"
    return f"{body}.{_tag(body, settings.SECRET_KEY)}"


def new_refresh_token(session_id: uuid.UUID) -> str:
    """Generation 0 of a new session."""
    return _compose(session_id, 0, secrets.token_bytes(_NONCE_BYTES))


def successor_of(parsed: ParsedRefreshToken) -> str:
    """The token that replaces `parsed`; the same every time it is asked for."""
    nonce = salted_hmac(
        _NEXT_SALT, parsed.token, secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()[:_NONCE_BYTES]
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
