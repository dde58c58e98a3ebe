"""Rotating a refresh token: a new pair for a live session, the presented token spent.

One definition of a live session (tokens/models.py, `LIVENESS_RULES`). The common case
(the current token of a live session) is one UPDATE on PostgreSQL
(tokens/services/rotation_statement.py); the session row under FOR UPDATE, annotated by
that definition, handles every case (the current token, the parent token in its grace
window, a spent token, a session that is over) on every database.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, refresh_token_reused, security_event_send
from core.net import Caller
from tokens.errors import TokenErrorCode
from tokens.models import Session
from tokens.refresh import (
    INVALID_REFRESH,
    ParsedRefreshToken,
    hash_token,
    parse_refresh_token,
    successor_of,
)
from tokens.services.ending import session_end
from tokens.services.rotation_statement import rotate_current
from tokens.services.signin import IssuedTokens, issue_tokens

SESSION_ENDED = DomainError(
    TokenErrorCode.SESSION_REVOKED, "This session has ended; sign in again.", None
)
SESSION_EXPIRED = DomainError(
    CoreErrorCode.TOKEN_EXPIRED, "This session has expired; sign in again.", None
)

_ROTATED_FIELDS = (
    "generation",
    "parent_hash",
    "token_hash",
    "rotated_at",
    "last_used_at",
    "user_agent",
    "ip_address",
)


def _locked_session(parsed: ParsedRefreshToken, now: datetime) -> Session | None:
    """The session row, locked, with its user and whether it is ended or expired: one query.

    FOR UPDATE OF the session row only: concurrent rotations of one session queue here, so
    no session ever has two live refresh tokens. (SQLite has no row locks; it lets one
    writer in at a time.)
    """
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("user")
        .with_liveness(now=now)
        .filter(pk=parsed.session_id)
        .first()
    )


def _refresh_locked(parsed: ParsedRefreshToken, *, caller: Caller) -> IssuedTokens | DomainError:
    """The rotation under the row lock; returns the error instead of raising so that a
    revocation for reuse commits."""
    now = timezone.now()
    session = _locked_session(parsed, now)
    if session is None:
        return INVALID_REFRESH
    if not session.not_ended:  # type: ignore[attr-defined]
        return SESSION_ENDED
    if not session.not_expired:  # type: ignore[attr-defined]
        return SESSION_EXPIRED
    presented = hash_token(parsed.token)
    if hmac.compare_digest(presented, session.token_hash):
        successor = successor_of(parsed)
        session.generation = parsed.generation + 1
        session.parent_hash = presented
        session.token_hash = hash_token(successor)
        session.rotated_at = now
        session.last_used_at = now
        session.user_agent = (caller.user_agent or "")[:300] or session.user_agent
        session.ip_address = caller.ip_address or session.ip_address
        session.save(update_fields=_ROTATED_FIELDS)
        return issue_tokens(session, successor)
    if (
        session.parent_hash
        and hmac.compare_digest(presented, session.parent_hash)
        and now - session.rotated_at <= settings.REFRESH_REUSE_GRACE
    ):
        # Another tab rotated this token a moment ago: answer with the same successor.
        successor = successor_of(parsed)
        if not hmac.compare_digest(hash_token(successor), session.token_hash):
            return INVALID_REFRESH
        return issue_tokens(session, successor)
    # A token we issued, already spent, outside the grace window: it leaked or was stolen.
    session_end(session.pk, reason="reused", now=now)
    refresh_token_reused.send(None)
    security_event_send(
        SecurityEventKind.REFRESH_TOKEN_REUSED,
        session.user_id,
        caller,
        method="refresh",
        session_id=session.pk,
    )
    return DomainError(
        TokenErrorCode.TOKEN_REUSED,
        "This refresh token was already used; the session has been ended for safety.",
        None,
    )


def session_refresh(*, refresh_token: str, caller: Caller) -> IssuedTokens:
    """Rotate a refresh token: a new pair, the presented token is spent.

    Raises INVALID_TOKEN, TOKEN_EXPIRED, SESSION_REVOKED or TOKEN_REUSED (which also
    revokes the session).
    """
    parsed = parse_refresh_token(refresh_token)
    if parsed is None:
        raise INVALID_REFRESH
    # The common case, the live session's current token, in one statement; the locked
    # path decides everything else.
    issued = rotate_current(parsed, caller=caller, now=timezone.now())
    if issued is not None:
        return issued
    with transaction.atomic():
        outcome = _refresh_locked(parsed, caller=caller)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome
