"""Signing in: check a password (or take a verified Google identity) and start a session
with its first access + refresh token pair.

Whether a correct first factor starts a session at once or asks for a second one is
decided above this package (mfa.services): `login_credentials_check` only says whose
password it is.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.email_address import has_refused_chars
from accounts.errors import AccountErrorCode
from accounts.models import User, normalize_email
from accounts.services import login_attempt_record, login_attempts_forget
from core.deferred import defer
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, security_event_send
from tokens.access import issue_access_token
from tokens.models import AuthMethod, Session
from tokens.refresh import hash_token, new_refresh_token


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    session: Session


def issue_tokens(session: Session, refresh_token: str) -> IssuedTokens:
    """A new access token for `session`, paired with its current refresh token."""
    access, expires_at = issue_access_token(
        user_id=str(session.user_id),
        session_id=str(session.pk),
        session_created_at=session.created_at,
    )
    return IssuedTokens(
        access_token=access,
        access_token_expires_at=expires_at,
        refresh_token=refresh_token,
        session=session,
    )


def _new_session(
    *, user: User, auth_method: AuthMethod, user_agent: str, ip_address: str | None
) -> tuple[Session, str]:
    """A session row as a sign-in begins it (not yet written), and its first refresh token."""
    session_id = uuid.uuid4()
    refresh_token = new_refresh_token(session_id)
    now = timezone.now()
    session = Session(
        id=session_id,
        user=user,
        created_at=now,
        last_used_at=now,
        rotated_at=now,
        authenticated_at=now,
        user_agent=(user_agent or "")[:300],
        ip_address=ip_address or None,
        auth_method=auth_method,
        generation=0,
        token_hash=hash_token(refresh_token),
    )
    return session, refresh_token


def session_start(
    *,
    user: User,
    auth_method: AuthMethod,
    user_agent: str,
    ip_address: str | None,
    last_login: bool = False,
) -> IssuedTokens:
    """Create a Session row and return a fresh access + refresh token pair (in the
    caller's transaction when there is one). With `last_login`, the user's last_login is
    stamped in the same write (a sign-in)."""
    session, refresh_token = _new_session(
        user=user, auth_method=auth_method, user_agent=user_agent, ip_address=ip_address
    )
    _session_insert(session, last_login=last_login)
    security_event_send(
        SecurityEventKind.SIGN_IN,
        user.pk,
        ip_address=session.ip_address,
        user_agent=session.user_agent,
        method=str(auth_method),
        session_id=session.pk,
    )
    return issue_tokens(session, refresh_token)


class SessionInsertShortcut(Protocol):
    def __call__(self, session: Session, /, *, last_login: bool) -> bool: ...


def _session_insert(session: Session, *, last_login: bool) -> None:
    """Write the new row, and with `last_login` stamp the user's last_login at its
    creation time, all or nothing. The setting SESSION_INSERT_SHORTCUT may do it in one
    round trip (it answers False where it cannot, and this does it)."""
    path = settings.SESSION_INSERT_SHORTCUT
    shortcut: SessionInsertShortcut | None = import_string(path) if path else None
    if shortcut is not None and shortcut(session, last_login=last_login):
        return
    # No savepoint: inside a caller's transaction a failure here fails the whole sign-in
    # anyway, and a savepoint would cost two more round trips (SAVEPOINT, RELEASE).
    with transaction.atomic(savepoint=False):
        if last_login:
            User.objects.filter(pk=session.user_id).update(last_login=session.created_at)
        session.save(force_insert=True)


class UserLookupShortcut(Protocol):
    def __call__(self, users: Callable[[], QuerySet[User]], email: str, /) -> list[User] | None: ...


def _all_users() -> QuerySet[User]:
    return User.objects.all()


def _user_by_email(users: Callable[[], QuerySet[User]], email: str) -> User | None:
    """The user with this (normalized) address in `users()`. The setting
    SIGN_IN_LOOKUP_SHORTCUT may look it up instead ([the user], [], or None where it
    cannot, and this does)."""
    path = settings.SIGN_IN_LOOKUP_SHORTCUT
    shortcut: UserLookupShortcut | None = import_string(path) if path else None
    found = shortcut(users, email) if shortcut is not None else None
    if found is not None:
        return found[0] if found else None
    return users().filter(email=email).first()


def _burn_password_hash(password: str) -> None:
    # Same work as checking a real password, so an unknown email answers as slowly.
    User().set_password(password)


def session_authenticated(*, user: User, session_id: str | None) -> bool:
    """Stamp the user's session `session_id` as authenticated now (re-authentication for a
    sensitive change, or a second factor). False when it is not one of theirs."""
    if not session_id:
        return False
    return bool(
        Session.objects.filter(pk=session_id, user=user, revoked_at__isnull=True).update(
            authenticated_at=timezone.now()
        )
    )


def login_credentials_check(
    *,
    email: str,
    password: str,
    ip_address: str | None,
    user_agent: str = "",
    users: Callable[[], QuerySet[User]] = _all_users,
) -> User:
    """Check email + password: the user they belong to, who may sign in, looked up in what
    `users` builds (default: all users; a caller may annotate what it needs next, so that
    it comes in the same statement; it must build the same query on every call).

    A wrong password and an unknown email both give INVALID_CREDENTIALS, after the same
    password-hashing work. EMAIL_NOT_VERIFIED and ACCOUNT_DISABLED are only told to someone
    who knows the password, so they reveal nothing to anyone else.
    """
    if has_refused_chars(email.strip()):
        # No stored address holds a control or invisible character (NUL would not even
        # reach PostgreSQL): say what is wrong rather than look it up.
        raise DomainError(
            AccountErrorCode.INVALID_EMAIL,
            "Enter a valid email address (it contains invisible or control characters).",
            "email",
        )
    normalized = normalize_email(email)
    if not login_attempt_record(email=normalized, ip_address=ip_address):
        raise DomainError(
            CoreErrorCode.RATE_LIMITED, "Too many sign-in attempts; try again later.", None
        )
    invalid = DomainError(
        AccountErrorCode.INVALID_CREDENTIALS, "The email or password is not correct.", None
    )
    if not password or len(password) > 4096:
        _burn_password_hash("x")
        raise invalid
    user = _user_by_email(users, normalized) if normalized else None
    if user is None or not user.has_usable_password():
        _burn_password_hash(password)
        raise invalid
    if not user.check_password(password):
        security_event_send(
            SecurityEventKind.SIGN_IN_FAILED,
            user.pk,
            ip_address=ip_address,
            user_agent=user_agent,
            method="password",
        )
        raise invalid
    if not user.is_active:
        raise DomainError(AccountErrorCode.ACCOUNT_DISABLED, "This account is disabled.", None)
    if not user.email_verified:
        raise DomainError(
            AccountErrorCode.EMAIL_NOT_VERIFIED,
            "Verify your email address first; we sent you a link.",
            None,
        )
    # The answer does not wait for Redis here (core/deferred.py).
    defer(functools.partial(login_attempts_forget, email=normalized))
    return user


def session_start_signed_in(
    *, user: User, auth_method: AuthMethod, user_agent: str, ip_address: str | None
) -> IssuedTokens:
    """Every factor passed: record the sign-in and start the session."""
    # last_login as Django's own login sets it; it also spends reset links sent before this
    # sign-in (the reset token covers last_login), as accounts/email_tokens.py promises.
    return session_start(
        user=user,
        auth_method=auth_method,
        user_agent=user_agent,
        ip_address=ip_address,
        last_login=True,
    )
