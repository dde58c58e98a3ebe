"""Passkeys (WebAuthn credentials) and the random user handle they carry.

A passkey is found again by its credential ID, which the authenticator returns with every
assertion. A discoverable sign-in also returns the user handle that was given to the
authenticator at registration: a random value per account (`PasskeyUser`), never the email
address or the primary key, so that nothing stored on the device identifies the person.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# WebAuthn Level 3: user handles are at most 64 bytes. 32 random bytes are plenty.
USER_HANDLE_BYTES = 32
# The spec caps credential IDs at 1023 bytes; anything longer is refused before storing.
MAX_CREDENTIAL_ID_BYTES = 1023


def new_user_handle() -> bytes:
    return secrets.token_bytes(USER_HANDLE_BYTES)


class PasskeyUser(models.Model):
    """The WebAuthn user handle of one account, made on its first passkey registration and
    kept (also after its passkeys are removed) so every passkey of the account carries it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkey_user"
    )
    handle = models.BinaryField(max_length=64, unique=True, default=new_user_handle)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Passkey user handle of {self.user_id}"


class DeviceType(models.TextChoices):
    # WebAuthn's "credential device type", from the backup-eligible flag.
    SINGLE_DEVICE = "single_device", "Bound to one device"
    MULTI_DEVICE = "multi_device", "Synced between devices"


class Passkey(models.Model):
    """One registered WebAuthn credential of a user."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    credential_id = models.BinaryField(max_length=MAX_CREDENTIAL_ID_BYTES, unique=True)
    # The COSE-encoded public key, as the authenticator gave it.
    public_key = models.BinaryField(max_length=2048)
    # The authenticator's signature counter at the last use; 0 for authenticators that do
    # not count (most synced passkeys).
    sign_count = models.BigIntegerField(default=0)
    # Hints for the browser ("internal", "hybrid", "usb"…), sent back in allow/exclude lists.
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False)
    device_type = models.CharField(max_length=16, choices=DeviceType.choices)
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set when an assertion with a valid signature came with a counter that did not go up:
    # the sign of a cloned authenticator (or a replayed assertion). Kept for support.
    sign_count_regressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="passkeys_user_created")]

    def __str__(self) -> str:
        return f"Passkey {self.name!r} of {self.user_id}"
