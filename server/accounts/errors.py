"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class AccountErrorCode(DomainErrorCode):
    """What can go wrong with an account, in words a client can branch on."""

    INVALID_CREDENTIALS = (
        auto(),
        "The email or password is wrong (which one is not told), or the current password given to "
        "changePassword is wrong.",
    )
    EMAIL_NOT_VERIFIED = (
        auto(),
        "The address is not verified yet: follow the link in the verification email, or ask for "
        "another with resendVerificationEmail.",
    )
    ACCOUNT_DISABLED = auto(), "The account has been disabled by an administrator."
    INVALID_EMAIL = auto(), "Not a valid email address (at most 254 characters)."
    PASSWORD_TOO_WEAK = (
        auto(),
        "The password is too short (under 10 characters), too common, all digits, or too close to "
        "the email; the message says which.",
    )
    INVALID_CODE = (
        auto(),
        "The emailed one-time code is wrong, expired, replaced by a newer one, already used or "
        "tried too often (five tries), or no code was sent to this address: which one is not "
        "told. Ask for a new code.",
    )
