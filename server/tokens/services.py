"""Writes for tokens: sign-in, refresh rotation, logout, logout-all, session revocation,
and ending everyone's sessions at once.

PostgreSQL is the truth for every refresh; Redis gets a hot copy of each revocation as it
is made (tokens/revocation.py).
"""

from __future__ import annotations

import functools
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.email_address import has_refused_chars
from accounts.errors import AccountErrorCode
from accounts.models import User, normalize_email
from accounts.services import login_attempt_record, login_attempts_forget
from core.errors import CoreErrorCode, DomainError
from core.events import counts_sign_in, refresh_token_reused
from tokens import revocation
from tokens.access import issue_access_token
from tokens.errors import TokenErrorCode
from tokens.models import AuthMethod, GlobalTokenState, Session, UserTokenState
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


@counts_sign_in("password")
def session_login(
    *, email: str, password: str, user_agent: str, ip_address: str | None
) -> IssuedTokens:
    """Check email + password and start a session.

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
    login_attempts_forget(email=normalized)
    # As Django's own login does; it also spends reset links sent before this sign-in
    # (the reset token covers last_login), as accounts/email_tokens.py promises.
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return session_start(
        user=user, auth_method=AuthMethod.PASSWORD, user_agent=user_agent, ip_address=ip_address
    )


# --- refresh ----------------------------------------------------------------------------


def _ended_by_user_state(session: Session, state: UserTokenState | None) -> bool:
    if state is None or session.pk == state.kept_session_id:
        return False
    return session.created_at < state.tokens_valid_after


def _ended_by_everyone_mark(session: Session) -> bool:
    return GlobalTokenState.objects.filter(sessions_valid_after__gt=session.created_at).exists()


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


def _columns(model: type[Model], alias: str) -> tuple[str, list[str]]:
    """`alias.col, …` of the model's concrete fields (quoted) and their attnames, for from_db."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in fields), names


@functools.cache
def _locked_session_sql() -> tuple[str, list[str], list[str], list[str]]:
    quote = connection.ops.quote_name
    session_cols, session_names = _columns(Session, "s")
    user_cols, user_names = _columns(User, "u")
    state_cols, state_names = _columns(UserTokenState, "t")
    # Identifiers come from the models, quoted; the session id is a bound parameter.
    sql = (
        f"SELECT {session_cols}, {user_cols}, {state_cols} "  # noqa: S608
        f"FROM {quote(Session._meta.db_table)} s "
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = s.{quote('user_id')} "
        f"LEFT JOIN {quote(UserTokenState._meta.db_table)} t "
        f"ON t.{quote('user_id')} = s.{quote('user_id')} "
        f"WHERE s.{quote('id')} = %s FOR UPDATE OF s"
    )
    return sql, session_names, user_names, state_names


def _locked_session_orm(
    parsed: ParsedRefreshToken,
) -> tuple[Session, UserTokenState | None] | tuple[None, None]:
    # The portable form, for the SQLite quick start.
    session = (
        Session.objects.select_for_update()
        .select_related("user", "user__token_state")
        .filter(pk=parsed.session_id)
        .first()
    )
    if session is None:
        return None, None
    try:
        state: UserTokenState | None = session.user.token_state
    except UserTokenState.DoesNotExist:
        state = None
    return session, state


def _locked_session(
    parsed: ParsedRefreshToken,
) -> tuple[Session, UserTokenState | None] | tuple[None, None]:
    """The session row, locked, with its user and the user's token state: one query.

    FOR UPDATE OF the session row only: concurrent rotations of one session queue here, so
    no session ever has two live refresh tokens. Written out rather than built by the ORM,
    whose query compilation cost more than the round trip on this hot path.
    """
    if connection.vendor != "postgresql":
        return _locked_session_orm(parsed)
    sql, session_names, user_names, state_names = _locked_session_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.session_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    n_session, n_user = len(session_names), len(user_names)
    session = Session.from_db(connection.alias, session_names, row[:n_session])
    user = User.from_db(connection.alias, user_names, row[n_session : n_session + n_user])
    state_row = row[n_session + n_user :]
    state = None
    if state_row[0] is not None:
        state = UserTokenState.from_db(connection.alias, state_names, state_row)
    session.user = user
    return session, state


_ROTATED_FIELDS = (
    "generation",
    "parent_hash",
    "token_hash",
    "rotated_at",
    "last_used_at",
    "user_agent",
    "ip_address",
)


def _refresh_locked(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | DomainError:
    """The rotation itself; returns the error instead of raising so that a revocation for
    reuse commits."""
    session, state = _locked_session(parsed)
    if session is None:
        return INVALID_REFRESH
    now = timezone.now()
    if (
        session.revoked_at is not None
        or not session.user.is_active
        or _ended_by_user_state(session, state)
        or _ended_by_everyone_mark(session)
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
        # Rare on PostgreSQL, where _rotate_if_current rotates a current token first.
        session.save(update_fields=_ROTATED_FIELDS)
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
    refresh_token_reused.send(None)
    return DomainError(
        TokenErrorCode.TOKEN_REUSED,
        "This refresh token was already used; the session has been ended for safety.",
        None,
    )


@functools.cache
def _rotate_sql() -> tuple[str, list[str], list[str]]:
    quote = connection.ops.quote_name
    session_table = quote(Session._meta.db_table)
    user_table = quote(User._meta.db_table)
    state_table = quote(UserTokenState._meta.db_table)
    global_table = quote(GlobalTokenState._meta.db_table)
    returning, session_names = _columns(Session, "s")
    session_cols, _ = _columns(Session, "r")
    user_cols, user_names = _columns(User, "u")
    # Identifiers come from the models, quoted; every value is a bound parameter.
    sql = f"""
        WITH r AS (
            UPDATE {session_table} s SET
                generation = s.generation + 1,
                parent_hash = s.token_hash,
                token_hash = %(next_hash)s,
                rotated_at = %(now)s,
                last_used_at = %(now)s,
                user_agent = COALESCE(NULLIF(%(agent)s, ''), s.user_agent),
                ip_address = COALESCE(%(ip)s::inet, s.ip_address)
            WHERE s.id = %(sid)s
              AND s.token_hash = %(hash)s
              AND s.revoked_at IS NULL
              AND s.last_used_at > %(idle_limit)s
              AND s.created_at > %(absolute_limit)s
              AND EXISTS (
                  SELECT 1 FROM {user_table} u WHERE u.id = s.user_id AND u.is_active
              )
              AND NOT EXISTS (
                  SELECT 1 FROM {state_table} t
                  WHERE t.user_id = s.user_id
                    AND t.tokens_valid_after > s.created_at
                    AND (t.kept_session_id IS NULL OR t.kept_session_id <> s.id)
              )
              AND NOT EXISTS (
                  SELECT 1 FROM {global_table} g WHERE g.sessions_valid_after > s.created_at
              )
            RETURNING {returning}
        )
        SELECT {session_cols}, {user_cols} FROM r JOIN {user_table} u ON u.id = r.user_id
    """  # noqa: S608
    return sql, session_names, user_names


def _rotate_if_current(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | None:
    """The common case in one statement: the presented token is the session's current one
    and the session is live, so rotate it. None when any condition fails.

    A single UPDATE is atomic on its own; two concurrent ones on a row serialise, and the
    second re-checks `token_hash` after the first has committed, so it matches nothing and
    takes the locked path (the grace window). The same rules as `_refresh_locked`.
    """
    if connection.vendor != "postgresql":
        return None  # the quick start's SQLite takes the locked path every time
    now = timezone.now()
    successor = successor_of(parsed)
    sql, session_names, user_names = _rotate_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "sid": parsed.session_id,
                "hash": hash_token(parsed.token),
                "next_hash": hash_token(successor),
                "now": now,
                "agent": (user_agent or "")[:300],
                "ip": ip_address or None,
                "idle_limit": now - settings.REFRESH_TOKEN_LIFETIME,
                "absolute_limit": now - settings.SESSION_ABSOLUTE_LIFETIME,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    session = Session.from_db(connection.alias, session_names, row[: len(session_names)])
    session.user = User.from_db(connection.alias, user_names, row[len(session_names) :])
    return _issue(session, successor)


def session_refresh(*, refresh_token: str, user_agent: str, ip_address: str | None) -> IssuedTokens:
    """Rotate a refresh token: a new pair, the presented token is spent.

    Raises INVALID_TOKEN, TOKEN_EXPIRED, SESSION_REVOKED or TOKEN_REUSED (which also
    revokes the session).
    """
    parsed = parse_refresh_token(refresh_token)
    if parsed is None:
        raise INVALID_REFRESH
    rotated = _rotate_if_current(parsed, user_agent=user_agent, ip_address=ip_address)
    if rotated is not None:
        return rotated
    # Not the current token of a live session: the parent in its grace window, a spent or
    # foreign token, an ended or expired session. Sort it out under the row lock.
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


@transaction.atomic
def sessions_end_everyone(*, started_before: datetime | None = None) -> GlobalTokenState:
    """End every session of every user begun before `started_before` (default: now), with
    one write whatever the number of sessions.

    The mark only ever moves forward: a later call with an earlier instant does not bring
    back sessions an earlier call ended. Refresh tokens of those sessions are refused by
    PostgreSQL and their access tokens by the Redis copy, on the very next request in every
    process.
    """
    now = timezone.now()
    cutoff = now if started_before is None else min(started_before, now)
    state, created = GlobalTokenState.objects.select_for_update().get_or_create(
        id=1, defaults={"sessions_valid_after": cutoff, "marked_at": now}
    )
    if not created:
        state.sessions_valid_after = max(state.sessions_valid_after, cutoff)
        state.marked_at = now
        state.save(update_fields=["sessions_valid_after", "marked_at"])
    revocation.mark_all_revoked(state.sessions_valid_after, now)
    return state


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
