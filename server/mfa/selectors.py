"""Reads: which second factors an account has."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection
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


@functools.cache
def _signing_in_statement() -> tuple[str, list[str]]:
    """The SQL of `user_signing_in` and the attribute names of the user's columns."""
    q = connection.ops.quote_name
    fields = list(User._meta.concrete_fields)
    totp_user = TotpDevice._meta.get_field("user")
    totp_confirmed = TotpDevice._meta.get_field("confirmed_at")
    passkeys, passkey_user = passkey_bridge.passkey_owner_column()
    user_id = q(str(User._meta.pk.column))
    columns = ", ".join(f"u.{q(str(f.column))}" for f in fields)
    sql = f"""
        SELECT {columns},
            EXISTS (SELECT 1 FROM {q(TotpDevice._meta.db_table)} t
                    WHERE t.{q(str(totp_user.column))} = u.{user_id}
                      AND t.{q(str(totp_confirmed.column))} IS NOT NULL)
            OR EXISTS (SELECT 1 FROM {q(passkeys)} p WHERE p.{q(passkey_user)} = u.{user_id})
        FROM {q(User._meta.db_table)} u
        WHERE u.{q(str(User._meta.get_field("email").column))} = %s
        LIMIT 1
    """  # noqa: S608  (identifiers from the models, quoted; the address is a parameter)
    return sql, [f.attname for f in fields]


def user_signing_in(email: str) -> User | None:
    """The user with `email` as a password sign-in loads it (`users_signing_in`), in one
    statement written out in SQL on PostgreSQL: building the two EXISTS with the ORM cost
    more than a millisecond on every sign-in. tests/test_signin.py holds it to the ORM's
    answer. Other databases take the ORM query."""
    if connection.vendor != "postgresql":
        return users_signing_in().filter(email=email).first()
    sql, names = _signing_in_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [email])
        row = cursor.fetchone()
    if row is None:
        return None
    user = User.from_db(connection.alias, names, row[:-1])
    setattr(user, _FLAG, bool(row[-1]))
    return user


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
