"""The tokens carried by email links: email verification and password reset.

Neither is stored anywhere. Both are made at send time (in the worker) and checked
statelessly against the current state of the account, so that the state change they
cause is what spends them:

- Verification: a signed `{user, digest of the email, issued at}`. Once the address is
  verified (or the account's email changed) the token no longer matches and is refused.
- Password reset: Django's `PasswordResetTokenGenerator` scheme, an HMAC over the password
  hash, last login, the per-user reset counter and the issue time. Setting a password,
  signing in, or requesting a newer reset (which bumps the counter) spends it.

Tampered and spent tokens raise INVALID_TOKEN; genuine tokens past their lifetime raise
TOKEN_EXPIRED.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from accounts.models import User
from core.errors import CoreErrorCode, DomainError

VERIFY_EMAIL_SALT = "gatehouse.accounts.verify-email"
PASSWORD_RESET_SALT = "gatehouse.accounts.password-reset"

# Real tokens are far shorter; longer input is refused before any work.
MAX_TOKEN_LENGTH = 512

# Tokens are opaque to clients; these are the only messages they ever see about them.
_INVALID = "This link is invalid or has already been used."
_EXPIRED = "This link has expired; ask for a new one."


def _now() -> int:
    """Seconds since the epoch; the one clock of this module (tests move it forward)."""
    return int(time.time())


def _invalid(field: str) -> DomainError:
    return DomainError(CoreErrorCode.INVALID_TOKEN, _INVALID, field)


def _expired(field: str) -> DomainError:
    return DomainError(CoreErrorCode.TOKEN_EXPIRED, _EXPIRED, field)


def _lifetime_seconds(lifetime: timedelta) -> int:
    return int(lifetime.total_seconds())


# --- email verification ---------------------------------------------------------------


def _email_digest(email: str) -> str:
    # The token is readable (signed, not encrypted) and travels in a URL: it names the
    # address it was sent to without spelling it out.
    return salted_hmac(VERIFY_EMAIL_SALT, email, algorithm="sha256").hexdigest()[:20]


def verification_token_make(*, user: User) -> str:
    payload = {"u": user.pk.hex, "e": _email_digest(user.email), "t": _now()}
    return signing.Signer(salt=VERIFY_EMAIL_SALT).sign_object(payload, compress=False)


def _user(user_id: uuid.UUID, *, lock: bool) -> User | None:
    users = User.objects.select_for_update() if lock else User.objects.all()
    return users.filter(pk=user_id).first()


def verification_token_check(*, token: str, lock: bool = False, field: str = "token") -> User:
    """The unverified user this token was made for, or INVALID_TOKEN / TOKEN_EXPIRED."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid(field)
    try:
        payload: Any = signing.Signer(salt=VERIFY_EMAIL_SALT).unsign_object(token)
        user_hex, digest, issued_at = str(payload["u"]), str(payload["e"]), int(payload["t"])
        user_id = uuid.UUID(hex=user_hex)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _invalid(field) from None
    # Locked by the caller that is about to spend the token, so a token works only once
    # even when two requests present it at the same moment.
    user = _user(user_id, lock=lock)
    if (
        user is None
        or not user.is_active
        or user.email_verified
        or not constant_time_compare(_email_digest(user.email), digest)
    ):
        raise _invalid(field)
    if _now() - issued_at > _lifetime_seconds(settings.EMAIL_VERIFICATION_TOKEN_LIFETIME):
        raise _expired(field)
    return user


# --- password reset -------------------------------------------------------------------


class _ResetTokenGenerator:
    """Reset links in the shape of Django's PasswordResetTokenGenerator (`<ts36>-<hmac>`,
    so links already sent stay valid), written with Django's public helpers rather than
    its generator's private methods."""

    key_salt = PASSWORD_RESET_SALT
    algorithm = "sha256"

    @property
    def secrets(self) -> list[str | bytes]:
        return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]

    def hash_value(self, user: Any, timestamp: int) -> str:
        # What Django's generator hashes (pk, password hash, last login, timestamp, email),
        # plus the reset counter, so that requesting a new link spends the links sent
        # before.
        login = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        email = getattr(user, user.get_email_field_name(), "") or ""
        value = f"{user.pk}{user.password}{login}{timestamp}{email}"
        return f"{value}:{user.password_reset_counter}"

    def token(self, user: Any, timestamp: int, secret: str | bytes) -> str:
        digest = salted_hmac(
            self.key_salt, self.hash_value(user, timestamp), secret=secret, algorithm=self.algorithm
        ).hexdigest()[::2]
        return f"{int_to_base36(timestamp)}-{digest}"

    def make_at(self, user: User, timestamp: int) -> str:
        return self.token(user, timestamp, settings.SECRET_KEY)

    def matches(self, user: User, token: str, timestamp: int) -> bool:
        return any(
            constant_time_compare(self.token(user, timestamp, secret), token)
            for secret in self.secrets
        )


_reset_tokens = _ResetTokenGenerator()


def _reset_timestamp() -> int:
    # Django counts seconds since 2001-01-01; keep its format so its hash scheme applies.
    return _now() - 978307200


def reset_token_make(*, user: User) -> str:
    return f"{user.pk.hex}-{_reset_tokens.make_at(user, _reset_timestamp())}"


def reset_token_check(*, token: str, lock: bool = False, field: str = "token") -> User:
    """The user this reset token was made for, or INVALID_TOKEN / TOKEN_EXPIRED."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid(field)
    try:
        user_hex, ts_b36, _hash = token.split("-")
        user_id = uuid.UUID(hex=user_hex)
        if len(ts_b36) > 13:  # base36_to_int refuses more; keep the error ours
            raise ValueError
        timestamp = base36_to_int(ts_b36)
    except ValueError:
        raise _invalid(field) from None
    user = _user(user_id, lock=lock)
    if user is None or not user.is_active:
        raise _invalid(field)
    if not _reset_tokens.matches(user, f"{ts_b36}-{_hash}", timestamp):
        raise _invalid(field)
    if _reset_timestamp() - timestamp > _lifetime_seconds(settings.PASSWORD_RESET_TOKEN_LIFETIME):
        raise _expired(field)
    return user


# --- "this wasn't me" -----------------------------------------------------------------

NOT_ME_SALT = "gatehouse.accounts.not-me"


# How long the "this wasn't me" link of a security notice works. Not spent by use: using it
# again only signs the account out again (and removes nothing more).
def _not_me_lifetime() -> timedelta:
    value: timedelta = settings.SECURITY_NOTICE_LINK_LIFETIME
    return value


class NotMeClaim:
    """What a "this wasn't me" link stands for: the account, the change the notice was
    about ("" for a new sign-in) and the id of what that change added ("" when none)."""

    def __init__(self, *, user: User, change: str, object_id: str) -> None:
        self.user = user
        self.change = change
        self.object_id = object_id


def not_me_token_make(*, user: User, change: str = "", object_id: str = "") -> str:
    """The token of the "this wasn't me" link of a security notice (made at send time)."""
    payload = {"u": user.pk.hex, "c": change, "o": object_id, "t": _now()}
    return signing.Signer(salt=NOT_ME_SALT).sign_object(payload, compress=False)


def not_me_token_check(*, token: str, field: str = "token") -> NotMeClaim:
    """The claim of a "this wasn't me" token, or INVALID_TOKEN / TOKEN_EXPIRED."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid(field)
    try:
        payload: Any = signing.Signer(salt=NOT_ME_SALT).unsign_object(token)
        user_id = uuid.UUID(hex=str(payload["u"]))
        change, object_id, issued_at = str(payload["c"]), str(payload["o"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _invalid(field) from None
    user = _user(user_id, lock=False)
    if user is None:
        raise _invalid(field)
    if _now() - issued_at > _lifetime_seconds(_not_me_lifetime()):
        raise _expired(field)
    return NotMeClaim(user=user, change=change, object_id=object_id)
