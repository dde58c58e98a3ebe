from enum import StrEnum


class TokenErrorCode(StrEnum):
    """Refresh-token and session failures."""

    TOKEN_REUSED = "TOKEN_REUSED"
    SESSION_REVOKED = "SESSION_REVOKED"
    REFRESH_TOKEN_MISSING = "REFRESH_TOKEN_MISSING"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = TokenErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    TokenErrorCode.TOKEN_REUSED: "A refresh token was used twice: the session has been ended "
    "for safety; sign in again.",
    TokenErrorCode.SESSION_REVOKED: "The session was ended (logout, password change, revoked "
    "or expired); sign in again.",
    TokenErrorCode.REFRESH_TOKEN_MISSING: "No refresh token was presented: with transport "
    "BODY pass `refreshToken`; with COOKIE the browser sent no cookie (call with credentials "
    "'include', from a page on the same site as the API).",
}
