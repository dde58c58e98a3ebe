"""A sign-in's writes in one round trip on PostgreSQL.

Plain counterpart: `tokens.services.signin._session_insert`, a transaction of two ORM
writes (BEGIN, the user's last_login UPDATE, the session INSERT, COMMIT: four round
trips). config sets SESSION_INSERT_SHORTCUT to `insert_session` while FAST_PATH_ENABLED is
on. The same two statements, compiled by Django's own SQL compilers from the same model
instance, go to PostgreSQL as one query; PostgreSQL runs the statements of one query as
one transaction, so they still happen all or nothing (inside a caller's transaction, as
part of it). Session rows have no save signals to skip.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.sql import InsertQuery, UpdateQuery

from accounts.models import User
from tokens.models import Session


def insert_session(session: Session, /, *, last_login: bool) -> bool:
    """The SESSION_INSERT_SHORTCUT of the fast path: False on other databases (the plain
    writes run instead)."""
    if connection.vendor != "postgresql":
        return False
    statements: list[str] = []
    params: list[Any] = []
    if last_login:
        update = UpdateQuery(User)
        update.add_update_values({"last_login": session.created_at})
        update.add_q(Q(pk=session.user_id))
        sql, update_params = update.get_compiler(connection=connection).as_sql()
        statements.append(sql)
        params.extend(update_params)
    insert = InsertQuery(Session)
    insert.insert_values(Session._meta.local_concrete_fields, [session])
    ((sql, insert_params),) = insert.get_compiler(connection=connection).as_sql()
    statements.append(sql)
    params.extend(insert_params)
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
    # As Model.save would leave it: saved, so that a later save() is an UPDATE.
    session._state.adding = False
    session._state.db = connection.alias
    return True
