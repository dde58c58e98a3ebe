"""Reads for passkeys."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, QuerySet

from passkeys.models import Passkey, PasskeyUser


def passkeys_of_user(user_id: uuid.UUID | str | OuterRef) -> QuerySet[Passkey]:
    """The user's passkeys, oldest first (`user_id` may refer to an outer query's user)."""
    return Passkey.objects.filter(user_id=user_id).order_by("created_at", "id")


def passkey_owner_column() -> tuple[str, str]:
    """(table, user-id column) of the passkeys, for a statement written out in SQL."""
    return Passkey._meta.db_table, str(Passkey._meta.get_field("user").column)


def user_has_passkeys(user_id: uuid.UUID | str) -> bool:
    return Passkey.objects.filter(user_id=user_id).exists()


def passkey_count(user_id: uuid.UUID | str) -> int:
    return Passkey.objects.filter(user_id=user_id).count()


def passkey_descriptors(user_id: uuid.UUID | str) -> list[tuple[bytes, list[str]]]:
    """(credential ID, transports) of each of the user's passkeys, for the browser's
    allow and exclude lists."""
    return [
        (bytes(credential_id), list(transports or []))
        for credential_id, transports in passkeys_of_user(user_id).values_list(
            "credential_id", "transports"
        )
    ]


def passkey_by_credential_id(credential_id: bytes) -> Passkey | None:
    return Passkey.objects.select_related("user").filter(credential_id=credential_id).first()


def user_handle_of(user_id: uuid.UUID | str) -> bytes | None:
    handle = PasskeyUser.objects.filter(user_id=user_id).values_list("handle", flat=True).first()
    return bytes(handle) if handle is not None else None
