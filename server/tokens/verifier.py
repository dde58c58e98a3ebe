"""The seam between the GraphQL context and token verification.

The request context asks `get_access_token_verifier()` for a callable that turns a bearer
string into `AccessClaims` or raises `AccessTokenRejected`. The callable is a setting
(`ACCESS_TOKEN_VERIFIER`) so that tests and other deployments can swap it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str
    jti: str
    issued_at: int
    expires_at: int
    # When the token's session began (claim `sct`), to the microsecond: sign-out-everywhere
    # ends the sessions begun before it, whatever their tokens' `iat`. None for tokens
    # without the claim, which fall back to `issued_at`.
    session_created_at: float | None = None


class AccessTokenRejected(Exception):
    """The bearer token is not acceptable. The reason is for logs, never for clients."""


class AccessTokenVerifier(Protocol):
    def __call__(self, token: str, /) -> AccessClaims: ...


@functools.cache
def get_access_token_verifier() -> AccessTokenVerifier:
    verifier: AccessTokenVerifier = import_string(settings.ACCESS_TOKEN_VERIFIER)
    return verifier
