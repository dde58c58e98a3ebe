"""What a verified access token says (`AccessClaims`), and its refusal."""

from __future__ import annotations

from dataclasses import dataclass


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
