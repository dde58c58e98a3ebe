"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class PasskeyErrorCode(DomainErrorCode):
    """Registering and using passkeys (WebAuthn)."""

    # Anything about a passkey response that cannot be trusted: a bad, expired or used
    # challenge, a wrong origin or RP ID, a bad signature or attestation, an unknown
    # credential, a sign counter that went back. One code: the client can only start over.
    PASSKEY_INVALID = (
        auto(),
        "The passkey response could not be verified (expired or already used request, wrong site, "
        "bad signature, unknown or cloned passkey); start again.",
    )
    PASSKEY_ALREADY_REGISTERED = auto(), "This passkey is already registered to an account."
