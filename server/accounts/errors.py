from enum import StrEnum


class AccountErrorCode(StrEnum):
    """What can go wrong with an account, in words a client can branch on."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
    INVALID_CODE = "INVALID_CODE"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = AccountErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    AccountErrorCode.INVALID_CREDENTIALS: "The email or password is wrong (which one is not "
    "told), or the current password given to changePassword is wrong.",
    AccountErrorCode.EMAIL_NOT_VERIFIED: "The address is not verified yet: follow the link in "
    "the verification email, or ask for another with resendVerificationEmail.",
    AccountErrorCode.ACCOUNT_DISABLED: "The account has been disabled by an administrator.",
    AccountErrorCode.INVALID_EMAIL: "Not a valid email address (at most 254 characters).",
    AccountErrorCode.PASSWORD_TOO_WEAK: "The password is too short (under 10 characters), too "
    "common, all digits, or too close to the email; the message says which.",
    AccountErrorCode.INVALID_CODE: "The emailed one-time code is wrong, expired, replaced by "
    "a newer one, already used or tried too often (five tries), or no code was sent to this "
    "address: which one is not told. Ask for a new code.",
}
