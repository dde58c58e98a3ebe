"""Reads: which second factors an account has."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

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


# The attribute `users_signing_in` sets on each user it loads.
_FLAG = "second_factor_on"


def users_signing_in() -> QuerySet[User]:
    """Users as a password sign-in loads them: each carries whether it must pass a second
    factor, read in the same statement as the row (both indexed EXISTS), so that
    `second_factor_enabled` costs nothing after the password check. The flag is as of
    before that check: a second factor confirmed while it runs applies from the next
    sign-in."""
    confirmed_totp = Exists(
        TotpDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
    )
    return User.objects.annotate(
        **{_FLAG: confirmed_totp | passkey_bridge.passkeys_exist(OuterRef("pk"))}
    )


def second_factor_enabled(user: User) -> bool:
    """Whether a sign-in must pass a second factor: as loaded with the user by
    `users_signing_in`, or else in one round trip (both indexed EXISTS in one statement)."""
    loaded = user.__dict__.get(_FLAG)
    if loaded is not None:
        return bool(loaded)
    return bool(users_signing_in().filter(pk=user.pk).values_list(_FLAG, flat=True).first())


def second_factors_summary(user: User) -> SecondFactorSummary:
    return SecondFactorSummary(
        totp_enabled=totp_enabled(user),
        recovery_codes_remaining=recovery_codes_remaining(user),
        passkey_count=passkey_bridge.passkey_count(user),
    )
