from enum import StrEnum


class AccountErrorCode(StrEnum):
    """What can go wrong with an account, in words a client can branch on."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
