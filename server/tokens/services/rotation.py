"""Rotating a refresh token: a new pair for a live session, the presented token spent.

Two ways in, one definition of a live session (tokens/models.py, `LIVENESS_RULES`):

- On PostgreSQL, the common case (the presented token is the session's current one and
  the session is live) is one UPDATE … RETURNING whose WHERE clause is compiled from that
  definition.
- Everything else (the parent token in its grace window, a spent token, a session that is
  over) and every refresh on other databases (the SQLite quick start) goes through the
  locked path: the session row under FOR UPDATE, annotated by the same definition.
"""

from __future__ import annotations

import functools
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, refresh_token_reused, security_event
from tokens.errors import TokenErrorCode
from tokens.models import Limits, Session, live_q
from tokens.refresh import (
    INVALID_REFRESH,
    ParsedRefreshToken,
    hash_token,
    parse_refresh_token,
    successor_of,
)
from tokens.services.ending import session_end
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


def _refresh_locked(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | DomainError:
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
        session.user_agent = (user_agent or "")[:300] or session.user_agent
        session.ip_address = ip_address or session.ip_address
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
    security_event.send(
        sender=Session,
        kind=SecurityEventKind.REFRESH_TOKEN_REUSED,
        user_id=session.user_id,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        method="refresh",
        session_id=str(session.pk),
    )
    return DomainError(
        TokenErrorCode.TOKEN_REUSED,
        "This refresh token was already used; the session has been ended for safety.",
        None,
    )


def _columns(model: type[Model], alias: str) -> tuple[str, list[str]]:
    """`alias.col, …` of the model's concrete fields (quoted) and their attnames, for from_db."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in fields), names


# Stand-ins for the values of one rotation while its WHERE clause is compiled; each is
# swapped for the real value by position in the parameter list.
_SLOTS: dict[str, Any] = {
    "sid": uuid.UUID("5e55105e-0000-4000-8000-000000000001"),
    "hash": "\x00presented token hash",
    "used_after": datetime(1901, 1, 1, tzinfo=UTC),
    "created_after": datetime(1902, 2, 2, tzinfo=UTC),
}


@functools.cache
def _rotate_sql() -> tuple[str, tuple[str | None, ...], tuple[Any, ...], list[str], list[str]]:
    """The rotation statement: SQL, the slot each WHERE parameter fills (None: a constant
    of the definition, kept as compiled), the constants, and the column names.

    The WHERE clause is the live-session definition compiled by Django's SQL compiler for
    the session row itself, not a subquery: when two UPDATEs race for one row, PostgreSQL
    re-checks the WHERE clause of the second against the row the first committed, so the
    second no longer matches `token_hash` and takes the locked path.
    """
    limits = Limits(used_after=_SLOTS["used_after"], created_after=_SLOTS["created_after"])
    query = (
        Session.objects.filter(pk=_SLOTS["sid"], token_hash=_SLOTS["hash"])
        .filter(live_q(limits))
        .query
    )
    where, compiled = query.get_compiler(connection=connection).compile(query.where)
    slots: list[str | None] = []
    for value in compiled:
        found = [
            name for name, mark in _SLOTS.items() if type(value) is type(mark) and value == mark
        ]
        slots.append(found[0] if found else None)
    missing = set(_SLOTS) - set(slots)
    if missing:
        raise RuntimeError(f"the rotation statement lost its parameters {sorted(missing)}")
    quote = connection.ops.quote_name
    table = quote(Session._meta.db_table)
    user_table = quote(User._meta.db_table)
    returning, session_names = _columns(Session, table)
    session_cols, _ = _columns(Session, "r")
    user_cols, user_names = _columns(User, "u")
    # Identifiers come from the models, quoted; every value is a bound parameter.
    sql = f"""
        WITH r AS (
            UPDATE {table} SET
                generation = {table}.generation + 1,
                parent_hash = {table}.token_hash,
                token_hash = %s,
                rotated_at = %s,
                last_used_at = %s,
                user_agent = COALESCE(NULLIF(%s, ''), {table}.user_agent),
                ip_address = COALESCE(%s::inet, {table}.ip_address)
            WHERE {where}
            RETURNING {returning}
        )
        SELECT {session_cols}, {user_cols} FROM r JOIN {user_table} u ON u.id = r.user_id
    """  # noqa: S608
    return sql, tuple(slots), tuple(compiled), session_names, user_names


def _rotate_if_current(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | None:
    """The common case in one statement on PostgreSQL: the presented token is the session's
    current one and the session is live, so rotate it. None when any condition fails (and
    on other databases, where the locked path does it all).

    A single UPDATE is atomic on its own; two concurrent ones on a row serialise, and the
    second re-checks `token_hash` after the first has committed, so it matches nothing and
    takes the locked path (the grace window).
    """
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    limits = Limits.at(now)
    successor = successor_of(parsed)
    sql, slots, compiled, session_names, user_names = _rotate_sql()
    values: dict[str, Any] = {
        "sid": parsed.session_id,
        "hash": hash_token(parsed.token),
        "used_after": limits.used_after,
        "created_after": limits.created_after,
    }
    where_params: list[Any] = [
        c if s is None else values[s] for s, c in zip(slots, compiled, strict=True)
    ]
    set_params: list[Any] = [
        hash_token(successor),
        now,
        now,
        (user_agent or "")[:300],
        ip_address or None,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *where_params])
        row = cursor.fetchone()
    if row is None:
        return None
    session = Session.from_db(connection.alias, session_names, row[: len(session_names)])
    session.user = User.from_db(connection.alias, user_names, row[len(session_names) :])
    return issue_tokens(session, successor)


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
