from enum import StrEnum


class PasskeyErrorCode(StrEnum):
    """Registering and using passkeys (WebAuthn)."""

    # Anything about a passkey response that cannot be trusted: a bad, expired or used
    # challenge, a wrong origin or RP ID, a bad signature or attestation, an unknown
    # credential, a sign counter that went back. One code: the client can only start over.
    PASSKEY_INVALID = "PASSKEY_INVALID"
    PASSKEY_ALREADY_REGISTERED = "PASSKEY_ALREADY_REGISTERED"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = PasskeyErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    PasskeyErrorCode.PASSKEY_INVALID: "The passkey response could not be verified (expired or "
    "already used request, wrong site, bad signature, unknown or cloned passkey); start again.",
    PasskeyErrorCode.PASSKEY_ALREADY_REGISTERED: "This passkey is already registered to an "
    "account.",
}
