from enum import StrEnum


class TokenErrorCode(StrEnum):
    """Refresh-token and session failures."""

    TOKEN_REUSED = "TOKEN_REUSED"
    SESSION_REVOKED = "SESSION_REVOKED"
    REFRESH_TOKEN_MISSING = "REFRESH_TOKEN_MISSING"
