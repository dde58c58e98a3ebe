from enum import StrEnum


class TokenErrorCode(StrEnum):
    """Refresh-token and session failures."""

    TOKEN_REUSED = "TOKEN_REUSED"
    SESSION_REVOKED = "SESSION_REVOKED"


DESCRIPTIONS: dict[StrEnum, str] = {
    TokenErrorCode.TOKEN_REUSED: "A refresh token was used twice: the session has been ended "
    "for safety; sign in again.",
    TokenErrorCode.SESSION_REVOKED: "The session was ended (logout, password change, revoked "
    "or expired); sign in again.",
}
