"""The narrow seam through which second factors use passkeys (the passkeys app, one layer
down): request options for a user, an assertion checked for a user, and how many a user
has. Nothing else of passkeys is known here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from accounts.models import User
from core.errors import DomainError
from mfa.errors import MfaErrorCode

UNAVAILABLE = "Passkeys are not available."


def _services() -> ModuleType | None:
    # Looked up by name until the passkeys app offers these functions.
    try:
        services = importlib.import_module("passkeys.services")
    except ImportError:
        return None
    if not hasattr(services, "begin_authentication") or not hasattr(
        services, "finish_authentication"
    ):
        return None
    return services


def passkey_count(user: User) -> int:
    services = _services()
    if services is None or not hasattr(services, "passkey_count"):
        return 0
    return int(services.passkey_count(user=user))


def authentication_options(user: User) -> str | None:
    """WebAuthn request options (JSON) for this user's passkeys; None without passkeys."""
    services = _services()
    if services is None or passkey_count(user) == 0:
        return None
    return str(services.begin_authentication(user))


def assertion_check(*, credential_json: str, user: User) -> None:
    """Raise INVALID_SECOND_FACTOR (field `passkey`) unless the assertion is by one of the
    user's passkeys, against the options last begun for them."""
    services = _services()
    if services is None:
        raise DomainError(MfaErrorCode.INVALID_SECOND_FACTOR, UNAVAILABLE, "passkey")
    try:
        asserted = services.finish_authentication(credential_json, user)
    except DomainError as exc:
        raise DomainError(MfaErrorCode.INVALID_SECOND_FACTOR, exc.message, "passkey") from None
    if asserted is None or asserted.pk != user.pk:
        raise DomainError(
            MfaErrorCode.INVALID_SECOND_FACTOR, "This passkey is not this account's.", "passkey"
        )
