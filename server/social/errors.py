"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class SocialErrorCode(DomainErrorCode):
    """Sign-in with an external identity provider."""

    GOOGLE_AUTH_FAILED = (
        auto(),
        "Google's answer could not be trusted or used (bad, expired or replayed token or state, "
        "unverified address on an existing account).",
    )
    # Google's token or key endpoint could not be reached: retrying later may work, which
    # a client cannot tell from GOOGLE_AUTH_FAILED.
    GOOGLE_UNAVAILABLE = auto(), "Google could not be reached; retrying later may work."
    # A deployment choice (GOOGLE_CLIENT_IDS empty), not an outage: retrying will not help,
    # so a client can hide its Google button rather than offer a retry.
    GOOGLE_SIGN_IN_DISABLED = (
        auto(),
        "Sign-in with Google is turned off on this server; retrying will not help.",
    )
