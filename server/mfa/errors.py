"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class MfaErrorCode(DomainErrorCode):
    """Second factors and the two-step sign-in."""

    SECOND_FACTOR_REQUIRED = (
        auto(),
        "The first factor was right and the account has a second one: no session yet. Finish with "
        "`verifySecondFactor` and the payload's `secondFactor.challenge`.",
    )
    INVALID_SECOND_FACTOR = (
        auto(),
        "The authenticator code, recovery code or passkey is wrong, was already used, or is not "
        "available; `field` names which.",
    )
    CHALLENGE_EXPIRED = (
        auto(),
        "The sign-in challenge is unknown, expired, already used, burned by too many wrong codes, "
        "or was started with another transport: sign in again.",
    )
    TOTP_ALREADY_ENABLED = (
        auto(),
        "The account already has an authenticator app; disable it first to enrol another.",
    )
    TOTP_NOT_STARTED = (
        auto(),
        "No authenticator enrolment is waiting for a code: call startTotpEnrollment first.",
    )
    TOTP_NOT_ENABLED = auto(), "The account has no authenticator app to disable."
    REAUTHENTICATION_REQUIRED = (
        auto(),
        "Adding an authenticator app from a session that signed in or re-authenticated more "
        "than SECOND_FACTOR_ENROL_FRESHNESS (a minute) ago needs proof in the same call: "
        "`proof.password`, or `proof.recoveryCode` / `proof.passkey` when the account has a "
        "second factor. The message says which.",
    )
