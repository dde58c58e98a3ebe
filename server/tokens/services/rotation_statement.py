"""A refresh's common case in one statement on PostgreSQL: the presented token is the
session's current one and the session is live.

`UPDATE … RETURNING` of the session row, written out once in plain SQL (names from the
models' metadata), sent through `connection.cursor()`: one round trip, no transaction of
its own (one statement is atomic), and nothing for the ORM to build on every refresh, which
cost more than the round trip itself. Every other case (a spent or parent token, an ended
or expired session, another database) finds no row here and takes the locked ORM path
(tokens/services/rotation.py), which words the refusal.

Its WHERE clause is a copy of the live-session definition (tokens/models.py,
`LIVENESS_RULES`) as SQL; tokens/tests/test_session_states.py holds it to that definition
on every state a session can be in, as it does the Redis copy of the ending rules.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection
from django.db.models import Field, Model

from accounts.models import User
from api.context import Caller
from tokens.models import GlobalTokenState, Limits, Session, UserTokenState
from tokens.refresh import ParsedRefreshToken, hash_token, successor_of
from tokens.services.signin import IssuedTokens, issue_tokens


@functools.cache
def _statement() -> tuple[str, list[str], list[str]]:
    """The SQL (with named parameters) and the attribute names of the session's and the
    user's columns it returns (the payload shows the user: no second query for it)."""
    q = connection.ops.quote_name

    def col(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return q(str(field.column))

    session, states, marks, users = (
        q(model._meta.db_table) for model in (Session, UserTokenState, GlobalTokenState, User)
    )
    fields = list(Session._meta.concrete_fields)
    user_fields = list(User._meta.concrete_fields)
    returning = ", ".join(
        [f"s.{q(str(f.column))}" for f in fields] + [f"u.{q(str(f.column))}" for f in user_fields]
    )
    s = functools.partial(col, Session)
    sql = f"""
        UPDATE {session} AS s SET
            {s("generation")} = s.{s("generation")} + 1,
            {s("parent_hash")} = %(presented)s,
            {s("token_hash")} = %(successor)s,
            {s("rotated_at")} = %(now)s,
            {s("last_used_at")} = %(now)s,
            {s("user_agent")} = COALESCE(NULLIF(%(user_agent)s, ''), s.{s("user_agent")}),
            {s("ip_address")} = COALESCE(%(ip_address)s::inet, s.{s("ip_address")})
        FROM {users} u
        WHERE s.{s("id")} = %(session_id)s
          -- the session's user, active
          AND u.{col(User, "id")} = s.{s("user")} AND u.{col(User, "is_active")}
          AND s.{s("token_hash")} = %(presented)s
          -- not revoked
          AND s.{s("revoked_at")} IS NULL
          -- not signed out everywhere (the kept session aside)
          AND NOT EXISTS (
            SELECT 1 FROM {states} t
            WHERE t.{col(UserTokenState, "user")} = s.{s("user")}
              AND t.{col(UserTokenState, "tokens_valid_after")} > s.{s("created_at")}
              AND (t.{col(UserTokenState, "kept_session_id")} IS NULL
                   OR t.{col(UserTokenState, "kept_session_id")} <> s.{s("id")}))
          -- not ended for everyone
          AND NOT EXISTS (
            SELECT 1 FROM {marks} g
            WHERE g.{col(GlobalTokenState, "sessions_valid_after")} > s.{s("created_at")})
          -- used within REFRESH_TOKEN_LIFETIME, begun within SESSION_ABSOLUTE_LIFETIME
          AND s.{s("last_used_at")} > %(used_after)s
          AND s.{s("created_at")} > %(created_after)s
        RETURNING {returning}
    """  # noqa: S608  (identifiers from the models, quoted; every value is a parameter)
    return sql, [f.attname for f in fields], [f.attname for f in user_fields]


def rotate_current(
    parsed: ParsedRefreshToken, *, caller: Caller, now: datetime
) -> IssuedTokens | None:
    """The new pair when `parsed` is the live session's current token; None when the
    locked path must decide (and on databases other than PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    sql, names, user_names = _statement()
    successor = successor_of(parsed)
    limits = Limits.at(now)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "session_id": parsed.session_id,
                "presented": hash_token(parsed.token),
                "successor": hash_token(successor),
                "now": now,
                "user_agent": (caller.user_agent or "")[:300],
                "ip_address": caller.ip_address or None,
                "used_after": limits.used_after,
                "created_after": limits.created_after,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    session = Session.from_db(connection.alias, names, row[: len(names)])
    session.user = User.from_db(connection.alias, user_names, row[len(names) :])
    return issue_tokens(session, successor)
