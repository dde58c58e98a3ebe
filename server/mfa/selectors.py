"""Reads: which second factors an account has."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists

from accounts.models import User
from mfa import passkey_bridge
from mfa.models import RecoveryCode, TotpDevice


@dataclass(frozen=True)
class SecondFactorSummary:
    totp_enabled: bool
    recovery_codes_remaining: int
    passkey_count: int

    @property
    def any(self) -> bool:
        """A second factor that a sign-in must pass (recovery codes only stand in for one)."""
        return self.totp_enabled or self.passkey_count > 0


def totp_enabled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_remaining(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def second_factor_enabled(user: User) -> bool:
    """Whether a sign-in must pass a second factor. On the path of every sign-in, so one
    round trip: both indexed EXISTS in one statement."""
    confirmed_totp = Exists(TotpDevice.objects.filter(user=user, confirmed_at__isnull=False))
    return bool(
        User.objects.filter(pk=user.pk)
        .annotate(second=confirmed_totp | passkey_bridge.passkeys_exist(user))
        .values_list("second", flat=True)
        .first()
    )


def second_factors_summary(user: User) -> SecondFactorSummary:
    return SecondFactorSummary(
        totp_enabled=totp_enabled(user),
        recovery_codes_remaining=recovery_codes_remaining(user),
        passkey_count=passkey_bridge.passkey_count(user),
    )
