"""Ending sessions: logout, revoking one session, signing a user out everywhere (logout-all,
a password change or reset, a disabled account), ending everyone's sessions at once, and
deleting the records of sessions that are over."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, security_event_send
from core.models import delete_in_batches
from core.net import NO_REQUEST, Caller
from tokens import revocation
from tokens.models import GlobalTokenState, Session, UserTokenState
from tokens.refresh import INVALID_REFRESH, parse_refresh_token
from tokens.selectors import stale_session_ids


def session_end(session_id: uuid.UUID, *, reason: str, now: datetime) -> None:
    """Revoke one session (if not already) and publish it to the access-token check."""
    Session.objects.filter(pk=session_id, revoked_at__isnull=True).update(
        revoked_at=now, revoke_reason=reason
    )
    # Published at once, not on commit: a caller's outer transaction (or a test's) must not
    # leave a window in which the session's access tokens still pass. Should the transaction
    # roll back, the session merely has to sign in again: the safe side.
    revocation.mark_session_revoked(session_id, now)


@transaction.atomic
def session_logout(*, refresh_token: str, caller: Caller = NO_REQUEST) -> None:
    """End the session a refresh token belongs to (any token of it that we issued)."""
    parsed = parse_refresh_token(refresh_token)
    if parsed is None:
        raise INVALID_REFRESH
    user_id = Session.objects.filter(pk=parsed.session_id).values_list("user_id", flat=True).first()
    if user_id is None:
        raise INVALID_REFRESH
    session_end(parsed.session_id, reason="logout", now=timezone.now())
    # The address and device in the user's security log are the requester's: who ended the
    # session, from where (none when no request did: a password reset's signal, an
    # operator command). securitylog records the event once the transaction commits.
    security_event_send(
        SecurityEventKind.SESSION_ENDED,
        user_id,
        caller,
        method="logout",
        session_id=parsed.session_id,
    )


@transaction.atomic
def session_revoke(*, user: User, session_id: str, caller: Caller = NO_REQUEST) -> None:
    """End one of `user`'s sessions. Another user's session answers like an unknown id."""
    not_found = DomainError(CoreErrorCode.NOT_FOUND, "No such session.", "id")
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError:
        raise not_found from None
    if not Session.objects.filter(pk=pk, user=user).exists():
        raise not_found
    session_end(pk, reason="revoked", now=timezone.now())
    security_event_send(
        SecurityEventKind.SESSION_ENDED,
        user.pk,
        caller,
        method="revoke",
        session_id=pk,
    )


@transaction.atomic
def sessions_end_all(
    *,
    user: User,
    keep_session_id: str | None = None,
    caller: Caller = NO_REQUEST,
) -> None:
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
    security_event_send(
        SecurityEventKind.ALL_SESSIONS_ENDED,
        user.pk,
        caller,
        method="",
        session_id=kept,
    )


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


def sessions_delete_stale(
    *, revoked_before: timedelta, batch_size: int = 1000, now: datetime | None = None
) -> int:
    """Delete expired sessions and those ended more than `revoked_before` ago, in batches.

    Each batch is its own short transaction so the server keeps serving meanwhile.
    """
    now = now or timezone.now()
    return delete_in_batches(
        Session,
        lambda limit: list(stale_session_ids(now=now, revoked_before=revoked_before, limit=limit)),
        batch_size=batch_size,
    )
