"""Second factors of an account: an authenticator app (TOTP) and recovery codes.

Passkeys, the other second factor, live in the passkeys app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import user_keyed


class TotpDevice(models.Model):
    """The account's authenticator app: at most one, pending until a first code confirms it.

    `secret` is the base32 TOTP secret encrypted with Fernet (mfa/crypto.py), never in
    clear. `last_used_step` is the time step (unix time // 30) of the newest accepted code:
    a code of that step or an earlier one is refused, so each code works once.
    """

    user = user_keyed(related_name="totp_device")
    secret = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"Authenticator of {self.user_id} ({state})"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as a keyed hash (mfa/crypto.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recoverycode_unique")
        ]

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id} ({'used' if self.used_at else 'unused'})"
