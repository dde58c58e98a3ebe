from enum import StrEnum


class SocialErrorCode(StrEnum):
    """Sign-in with an external identity provider."""

    GOOGLE_AUTH_FAILED = "GOOGLE_AUTH_FAILED"
    # Google's token or key endpoint could not be reached: retrying later may work, which
    # a client cannot tell from GOOGLE_AUTH_FAILED.
    GOOGLE_UNAVAILABLE = "GOOGLE_UNAVAILABLE"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = SocialErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    SocialErrorCode.GOOGLE_AUTH_FAILED: "Google's answer could not be trusted or used (bad, "
    "expired or replayed token or state, unverified address on an existing account).",
    SocialErrorCode.GOOGLE_UNAVAILABLE: "Google could not be reached; retrying later may work.",
}
