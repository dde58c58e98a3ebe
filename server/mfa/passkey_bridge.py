"""The narrow seam through which second factors use passkeys (the passkeys app, one layer
down): request options for a user, an assertion checked for a user, and how many a user
has. Nothing else of passkeys (WebAuthn, its challenges) is known here.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from accounts.models import User
from core.errors import CoreErrorCode, DomainError
from core.net import Caller
from mfa.errors import MfaErrorCode
from passkeys import selectors as passkey_selectors
from passkeys import services as passkey_services


def passkey_count(user: User) -> int:
    return passkey_selectors.passkey_count(user.pk)


def passkeys_exist(user_id: OuterRef) -> Exists:
    """EXISTS(the passkeys of the user `user_id` refers to), to fold into another query."""
    return Exists(passkey_selectors.passkeys_of_user(user_id))


def passkey_owner_column() -> tuple[str, str]:
    """(table, user-id column) of the passkeys, for a statement written out in SQL."""
    return passkey_selectors.passkey_owner_column()


def authentication_options(user: User) -> str | None:
    """WebAuthn request options (JSON) listing this user's passkeys; None without any."""
    if not passkey_count(user):
        return None
    return passkey_services.begin_authentication(user)


def assertion_check(*, credential_json: str, user: User) -> None:
    """Raise INVALID_SECOND_FACTOR (field `passkey`) unless the assertion was made by one
    of the user's passkeys, answering options begun for them (or discoverable ones)."""
    try:
        owner = passkey_services.finish_authentication(credential_json, user)
    except DomainError as exc:
        raise DomainError(MfaErrorCode.INVALID_SECOND_FACTOR, exc.message, "passkey") from None
    if owner.pk != user.pk:  # finish_authentication already refuses this; kept explicit
        raise DomainError(
            MfaErrorCode.INVALID_SECOND_FACTOR, "This passkey is not this account's.", "passkey"
        )


def passkey_remove_if_there(*, user: User, passkey_id: str, caller: Caller) -> bool:
    """Remove one of the user's passkeys (logged as PASSKEY_REMOVED); False when it is gone
    already."""
    try:
        passkey_services.passkey_remove(user=user, passkey_id=passkey_id, caller=caller)
    except DomainError as exc:
        if exc.code is CoreErrorCode.NOT_FOUND:
            return False
        raise
    return True
