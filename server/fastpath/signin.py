"""A sign-in's statements, compiled once (fastpath/compiled.py), in as few round trips as
they can be.

Plain counterparts in `tokens.services.signin`; config sets SIGN_IN_LOOKUP_SHORTCUT to
`user_by_email` and SESSION_INSERT_SHORTCUT to `insert_session` while FAST_PATH_ENABLED is
on. Both answer "not here" (None, False) on databases other than PostgreSQL, and the plain
code runs.

- `user_by_email`: the user lookup of `login_credentials_check`, with whatever the caller's
  query adds (the second-factor flag of mfa.selectors.users_signing_in), compiled once per
  query builder.
- `insert_session`: the plain path is a transaction of two ORM writes (BEGIN, the user's
  last_login UPDATE, the session INSERT, COMMIT: four round trips). Here the same two
  statements go to PostgreSQL as one query; PostgreSQL runs the statements of one query as
  one transaction, so they still happen all or nothing (inside a caller's transaction, as
  part of it). Session rows have no save signals to skip.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery

from accounts.models import User
from fastpath.compiled import Statement, with_slots
from tokens.models import Session

# Stand-ins while the statements are compiled; each is swapped for the real value.
_EMAIL = "\x00stand-in email"
_USER = uuid.UUID("5e55105e-0000-4000-8000-000000000002")
_SESSION = uuid.UUID("5e55105e-0000-4000-8000-000000000003")
_MOMENT = datetime(1903, 3, 3, tzinfo=UTC)


@functools.lru_cache(maxsize=16)
def _lookup(
    users: Callable[[], QuerySet[User]],
) -> tuple[Statement, list[str], list[str]] | None:
    """The statement of `users().filter(email=…).first()`, the user's column names and the
    annotations after them; None when its rows need converting (not the case on
    PostgreSQL for the user's columns and boolean annotations)."""
    query = users().filter(email=_EMAIL).order_by("pk")[:1].query
    compiler = query.get_compiler(connection=connection)
    sql, compiled = compiler.as_sql()
    names = [field.attname for field in User._meta.concrete_fields]
    annotations = list(query.annotation_select)
    expressions = [column for column, _, _ in compiler.select]
    if compiler.get_converters(expressions) or len(expressions) != len(names) + len(annotations):
        return None
    return with_slots(sql, compiled, {"email": _EMAIL}), names, annotations


def user_by_email(users: Callable[[], QuerySet[User]], email: str, /) -> list[User] | None:
    """The SIGN_IN_LOOKUP_SHORTCUT of the fast path: [the user] or [] on PostgreSQL, None
    where the plain lookup must run. `users` must build the same query on every call (it
    is compiled once per builder)."""
    if connection.vendor != "postgresql":
        return None
    compiled = _lookup(users)
    if compiled is None:
        return None
    statement, names, annotations = compiled
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params({"email": email}))
        row = cursor.fetchone()
    if row is None:
        return []
    user = User.from_db(connection.alias, names, row[: len(names)])
    for name, value in zip(annotations, row[len(names) :], strict=True):
        setattr(user, name, value)
    return [user]


_INSERTED = Session._meta.local_concrete_fields


@functools.cache
def _write_sql(last_login: bool) -> str:
    """The UPDATE of last_login (with `last_login`) and the session INSERT, as Django's
    compilers write them."""
    statements: list[str] = []
    if last_login:
        update = UpdateQuery(User)
        update.add_update_values({"last_login": _MOMENT})
        update.add_q(Q(pk=_USER))
        sql, _ = update.get_compiler(connection=connection).as_sql()
        statements.append(sql)
    insert = InsertQuery(Session)
    insert.insert_values(_INSERTED, [Session(id=_SESSION, user_id=_USER, created_at=_MOMENT)])
    ((sql, _),) = insert.get_compiler(connection=connection).as_sql()
    statements.append(sql)
    return "; ".join(statements)


def _write_params(session: Session, last_login: bool) -> list[Any]:
    """The parameters Django's compilers give those statements for `session` (each value
    prepared by its field, as SQLInsertCompiler and the pk lookup prepare it)."""
    params: list[Any] = []
    if last_login:
        params.append(
            User._meta.get_field("last_login").get_db_prep_save(session.created_at, connection)
        )
        params.append(User._meta.pk.get_db_prep_value(session.user_id, connection))
    params.extend(
        field.get_db_prep_save(field.pre_save(session, True), connection) for field in _INSERTED
    )
    return params


def insert_session(session: Session, /, *, last_login: bool) -> bool:
    """The SESSION_INSERT_SHORTCUT of the fast path: False on other databases (the plain
    writes run instead)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_write_sql(last_login), _write_params(session, last_login))
    # As Model.save would leave it: saved, so that a later save() is an UPDATE.
    session._state.adding = False
    session._state.db = connection.alias
    return True
