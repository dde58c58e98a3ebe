from enum import StrEnum


class MfaErrorCode(StrEnum):
    """Second factors and the two-step sign-in."""

    SECOND_FACTOR_REQUIRED = "SECOND_FACTOR_REQUIRED"
    INVALID_SECOND_FACTOR = "INVALID_SECOND_FACTOR"
    CHALLENGE_EXPIRED = "CHALLENGE_EXPIRED"
    TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED"
    TOTP_NOT_STARTED = "TOTP_NOT_STARTED"
    TOTP_NOT_ENABLED = "TOTP_NOT_ENABLED"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = MfaErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    MfaErrorCode.SECOND_FACTOR_REQUIRED: "The first factor was right and the account has a "
    "second one: no session yet. Finish with `verifySecondFactor` and the payload's "
    "`secondFactor.challenge`.",
    MfaErrorCode.INVALID_SECOND_FACTOR: "The authenticator code, recovery code or passkey is "
    "wrong, was already used, or is not available; `field` names which.",
    MfaErrorCode.CHALLENGE_EXPIRED: "The sign-in challenge is unknown, expired, already used, "
    "burned by too many wrong codes, or was started with another transport: sign in again.",
    MfaErrorCode.TOTP_ALREADY_ENABLED: "The account already has an authenticator app; disable "
    "it first to enrol another.",
    MfaErrorCode.TOTP_NOT_STARTED: "No authenticator enrolment is waiting for a code: call "
    "startTotpEnrollment first.",
    MfaErrorCode.TOTP_NOT_ENABLED: "The account has no authenticator app to disable.",
}
