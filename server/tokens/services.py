"""Writes for tokens: sign-in, refresh rotation, logout, logout-all, session revocation.

PostgreSQL is the truth for every refresh; Redis gets a hot copy of each revocation as it
is made (tokens/revocation.py).
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.errors import AccountErrorCode
from accounts.models import User, normalize_email
from core import ratelimit
from core.errors import CoreErrorCode, DomainError
from tokens import revocation
from tokens.access import issue_access_token
from tokens.errors import TokenErrorCode
from tokens.models import AuthMethod, Session, UserTokenState
from tokens.refresh import (
    ParsedRefreshToken,
    hash_token,
    new_refresh_token,
    parse_refresh_token,
    successor_of,
)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    session: Session


INVALID_REFRESH = DomainError(
    CoreErrorCode.INVALID_TOKEN, "This refresh token is not valid; sign in again.", "refreshToken"
)


def _issue(session: Session, refresh_token: str) -> IssuedTokens:
    access, expires_at = issue_access_token(
        user_id=str(session.user_id), session_id=str(session.pk)
    )
    return IssuedTokens(
        access_token=access,
        access_token_expires_at=expires_at,
        refresh_token=refresh_token,
        session=session,
    )


@transaction.atomic
def session_start(
    *, user: User, auth_method: AuthMethod, user_agent: str, ip_address: str | None
) -> IssuedTokens:
    """Create a Session row and return a fresh access + refresh token pair."""
    session_id = uuid.uuid4()
    refresh_token = new_refresh_token(session_id)
    now = timezone.now()
    session = Session.objects.create(
        id=session_id,
        user=user,
        created_at=now,
        last_used_at=now,
        rotated_at=now,
        user_agent=(user_agent or "")[:300],
        ip_address=ip_address or None,
        auth_method=auth_method,
        generation=0,
        token_hash=hash_token(refresh_token),
    )
    return _issue(session, refresh_token)


# --- login ------------------------------------------------------------------------------


def _burn_password_hash(password: str) -> None:
    # Same work as checking a real password, so an unknown email answers as slowly.
    User().set_password(password)


def _login_allowed(email: str, ip_address: str | None) -> bool:
    window = settings.LOGIN_RATE_WINDOW
    allowed = ratelimit.hit(
        "login:email", email, limit=settings.LOGIN_RATE_LIMIT_PER_EMAIL, window=window
    )
    if ip_address:
        allowed = (
            ratelimit.hit(
                "login:ip", ip_address, limit=settings.LOGIN_RATE_LIMIT_PER_IP, window=window
            )
            and allowed
        )
    return allowed


def session_login(
    *, email: str, password: str, user_agent: str, ip_address: str | None
) -> IssuedTokens:
    """Check email + password and start a session.

    A wrong password and an unknown email both give INVALID_CREDENTIALS, after the same
    password-hashing work. EMAIL_NOT_VERIFIED and ACCOUNT_DISABLED are only told to someone
    who knows the password, so they reveal nothing to anyone else.
    """
    normalized = normalize_email(email)
    if not _login_allowed(normalized, ip_address):
        raise DomainError(
            CoreErrorCode.RATE_LIMITED, "Too many sign-in attempts; try again later.", None
        )
    invalid = DomainError(
        AccountErrorCode.INVALID_CREDENTIALS, "The email or password is not correct.", None
    )
    if not password or len(password) > 4096:
        _burn_password_hash("x")
        raise invalid
    user = User.objects.filter(email=normalized).first() if normalized else None
    if user is None or not user.has_usable_password():
        _burn_password_hash(password)
        raise invalid
    if not user.check_password(password):
        raise invalid
    if not user.is_active:
        raise DomainError(AccountErrorCode.ACCOUNT_DISABLED, "This account is disabled.", None)
    if not user.email_verified:
        raise DomainError(
            AccountErrorCode.EMAIL_NOT_VERIFIED,
            "Verify your email address first; we sent you a link.",
            None,
        )
    ratelimit.reset("login:email", normalized)
    return session_start(
        user=user, auth_method=AuthMethod.PASSWORD, user_agent=user_agent, ip_address=ip_address
    )


# --- refresh ----------------------------------------------------------------------------


def _ended_by_user_state(session: Session, state: UserTokenState | None) -> bool:
    if state is None or session.pk == state.kept_session_id:
        return False
    return session.created_at < state.tokens_valid_after


def _expired(session: Session, now: datetime) -> bool:
    return (
        session.last_used_at + settings.REFRESH_TOKEN_LIFETIME <= now
        or session.created_at + settings.SESSION_ABSOLUTE_LIFETIME <= now
    )


def _revoke(session: Session, *, reason: str, now: datetime) -> None:
    Session.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoke_reason=reason
    )
    # Published at once, not on commit: a caller's outer transaction (or a test's) must not
    # leave a window in which the session's access tokens still pass. Should the transaction
    # roll back, the session merely has to sign in again: the safe side.
    revocation.mark_session_revoked(session.pk, now)


def _locked_session(parsed: ParsedRefreshToken) -> Session | None:
    # FOR UPDATE OF the session row only: concurrent rotations of one session queue here,
    # so no session ever has two live refresh tokens.
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("user", "user__token_state")
        .filter(pk=parsed.session_id)
        .first()
    )


def _token_state(user: User) -> UserTokenState | None:
    try:
        return user.token_state
    except UserTokenState.DoesNotExist:
        return None


def _refresh_locked(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | DomainError:
    """The rotation itself; returns the error instead of raising so that a revocation for
    reuse commits."""
    session = _locked_session(parsed)
    if session is None:
        return INVALID_REFRESH
    now = timezone.now()
    if (
        session.revoked_at is not None
        or not session.user.is_active
        or _ended_by_user_state(session, _token_state(session.user))
    ):
        return DomainError(
            TokenErrorCode.SESSION_REVOKED, "This session has ended; sign in again.", None
        )
    if _expired(session, now):
        return DomainError(
            CoreErrorCode.TOKEN_EXPIRED, "This session has expired; sign in again.", None
        )
    presented = hash_token(parsed.token)
    if hmac.compare_digest(presented, session.token_hash):
        successor = successor_of(parsed)
        session.generation = parsed.generation + 1
        session.parent_hash = presented
        session.token_hash = hash_token(successor)
        session.rotated_at = now
        session.last_used_at = now
        session.user_agent = (user_agent or "")[:300] or session.user_agent
        session.ip_address = ip_address or session.ip_address
        session.save(
            update_fields=[
                "generation",
                "parent_hash",
                "token_hash",
                "rotated_at",
                "last_used_at",
                "user_agent",
                "ip_address",
            ]
        )
        return _issue(session, successor)
    if (
        session.parent_hash
        and hmac.compare_digest(presented, session.parent_hash)
        and now - session.rotated_at <= settings.REFRESH_REUSE_GRACE
    ):
        # Another tab rotated this token a moment ago: answer with the same successor.
        successor = successor_of(parsed)
        if not hmac.compare_digest(hash_token(successor), session.token_hash):
            return INVALID_REFRESH
        return _issue(session, successor)
    # A token we issued, already spent, outside the grace window: it leaked or was stolen.
    _revoke(session, reason="reused", now=now)
    return DomainError(
        TokenErrorCode.TOKEN_REUSED,
        "This refresh token was already used; the session has been ended for safety.",
        None,
    )


def session_refresh(*, refresh_token: str, user_agent: str, ip_address: str | None) -> IssuedTokens:
    """Rotate a refresh token: a new pair, the presented token is spent.

    Raises INVALID_TOKEN, TOKEN_EXPIRED, SESSION_REVOKED or TOKEN_REUSED (which also
    revokes the session).
    """
    parsed = parse_refresh_token(refresh_token)
    if parsed is None:
        raise INVALID_REFRESH
    with transaction.atomic():
        outcome = _refresh_locked(parsed, user_agent=user_agent, ip_address=ip_address)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


# --- logout and revocation --------------------------------------------------------------


@transaction.atomic
def session_logout(*, refresh_token: str) -> None:
    """End the session a refresh token belongs to (any token of it that we issued)."""
    parsed = parse_refresh_token(refresh_token)
    if parsed is None:
        raise INVALID_REFRESH
    session = Session.objects.filter(pk=parsed.session_id).only("pk", "revoked_at").first()
    if session is None:
        raise INVALID_REFRESH
    _revoke(session, reason="logout", now=timezone.now())


@transaction.atomic
def session_revoke(*, user: User, session_id: str) -> None:
    """End one of `user`'s sessions. Another user's session answers like an unknown id."""
    not_found = DomainError(CoreErrorCode.NOT_FOUND, "No such session.", "id")
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError:
        raise not_found from None
    session = Session.objects.filter(pk=pk, user=user).only("pk", "revoked_at").first()
    if session is None:
        raise not_found
    _revoke(session, reason="revoked", now=timezone.now())


@transaction.atomic
def sessions_end_all(*, user: User, keep_session_id: str | None = None) -> None:
    """End every session of `user` (except keep_session_id) with one write.

    Access and refresh tokens of those sessions are refused on the very next request, in
    every server process: refresh checks PostgreSQL, access tokens the Redis copy.
    """
    now = timezone.now()
    kept: uuid.UUID | None = None
    if keep_session_id:
        try:
            kept = uuid.UUID(str(keep_session_id))
        except ValueError:
            kept = None
    UserTokenState.objects.bulk_create(
        [UserTokenState(user_id=user.pk, tokens_valid_after=now, kept_session_id=kept)],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["tokens_valid_after", "kept_session_id"],
    )
    revocation.mark_user_revoked(user.pk, now, kept)


# --- housekeeping -----------------------------------------------------------------------


def sessions_delete_stale(
    *, revoked_before: timedelta, batch_size: int = 1000, now: datetime | None = None
) -> int:
    """Delete expired sessions and those ended more than `revoked_before` ago, in batches.

    Each batch is its own short transaction so the server keeps serving meanwhile.
    """
    from tokens.selectors import stale_session_ids

    now = now or timezone.now()
    deleted = 0
    while True:
        ids = stale_session_ids(now=now, revoked_before=revoked_before, limit=batch_size)
        if not ids:
            return deleted
        with transaction.atomic():
            count, _ = Session.objects.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            return deleted
