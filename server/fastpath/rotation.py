"""Refresh rotation's common case in one statement on PostgreSQL.

Plain counterpart: the locked path of `tokens.services.rotation.session_refresh` (the
session row under FOR UPDATE, annotated by the live-session definition), which handles
every case on every database. config sets REFRESH_ROTATION_SHORTCUT to `rotate_if_current`
while FAST_PATH_ENABLED is on: one UPDATE … RETURNING whose WHERE clause is compiled from
the same definition (tokens/models.py, `LIVENESS_RULES`), so both paths agree on which
sessions are live (tokens/tests/test_session_states.py runs the table through both).
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from fastpath.compiled import Statement, with_slots
from tokens.models import Limits, Session, live_q
from tokens.refresh import ParsedRefreshToken, hash_token, successor_of
from tokens.services.signin import IssuedTokens, issue_tokens


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
# And for the values the SET list takes (written here, not compiled).
_SET_SLOTS: dict[str, Any] = {
    "successor_hash": "\x00successor token hash",
    "now": datetime(1903, 3, 3, tzinfo=UTC),
    "user_agent": "\x00user agent",
    "ip_address": "\x00ip address",
}


@functools.cache
def _rotate_sql() -> tuple[Statement, list[str], list[str]]:
    """The rotation statement (each parameter a slot, or a constant of the live-session
    definition) and the column names of the session and the user it returns.

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
    set_params = [_SET_SLOTS[name] for name in ("successor_hash", "now", "now")]
    set_params += [_SET_SLOTS["user_agent"], _SET_SLOTS["ip_address"]]
    statement = with_slots(sql, [*set_params, *compiled], {**_SET_SLOTS, **_SLOTS})
    return statement, session_names, user_names


def rotate_if_current(
    parsed: ParsedRefreshToken, *, user_agent: str, ip_address: str | None
) -> IssuedTokens | None:
    """The REFRESH_ROTATION_SHORTCUT of the fast path: the common case in one statement on
    PostgreSQL (the presented token is the session's current one and the session is live,
    so rotate it). None when any condition fails (and on other databases), and the locked
    path of tokens.services.rotation decides.

    A single UPDATE is atomic on its own; two concurrent ones on a row serialise, and the
    second re-checks `token_hash` after the first has committed, so it matches nothing and
    takes the locked path (the grace window).
    """
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    limits = Limits.at(now)
    successor = successor_of(parsed)
    statement, session_names, user_names = _rotate_sql()
    params = statement.params(
        {
            "successor_hash": hash_token(successor),
            "now": now,
            "user_agent": (user_agent or "")[:300],
            "ip_address": ip_address or None,
            "sid": parsed.session_id,
            "hash": hash_token(parsed.token),
            "used_after": limits.used_after,
            "created_after": limits.created_after,
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    session = Session.from_db(connection.alias, session_names, row[: len(session_names)])
    session.user = User.from_db(connection.alias, user_names, row[len(session_names) :])
    return issue_tokens(session, successor)
