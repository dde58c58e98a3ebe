"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class TokenErrorCode(DomainErrorCode):
    """Refresh-token and session failures."""

    TOKEN_REUSED = (
        auto(),
        "A refresh token was used twice: the session has been ended for safety; sign in again.",
    )
    SESSION_REVOKED = (
        auto(),
        "The session was ended (logout, password change, revoked or expired); sign in again.",
    )
    REFRESH_TOKEN_MISSING = (
        auto(),
        "No refresh token was presented: with transport BODY pass `refreshToken`; with COOKIE the "
        "browser sent no cookie (call with credentials 'include', from a page on the same site as "
        "the API).",
    )
