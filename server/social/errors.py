from enum import StrEnum


class SocialErrorCode(StrEnum):
    """Sign-in with an external identity provider."""

    GOOGLE_AUTH_FAILED = "GOOGLE_AUTH_FAILED"
