"""The viewer on the fast path: the user row without the ORM's query building, and `me`
from a cached snapshot read in the revocation check's round trip.

Plain counterpart: `tokens.viewer.Viewer` and `tokens.viewer.build_context`. config passes
`authenticate` below to `build_context` while FAST_PATH_ENABLED is on.
"""

from __future__ import annotations

import functools
import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import connection

from fastpath.revocation import verify_access_token, verify_and_read
from fastpath.user_snapshot import snapshot_key, snapshot_load, snapshot_remember
from fastpath.verifier import verify_signature_cached
from tokens.verifier import AccessClaims, get_access_token_verifier
from tokens.viewer import Viewer

if TYPE_CHECKING:
    from accounts.models import User


class FastViewer(Viewer):
    """A Viewer that loads its row with one prepared SELECT and may answer `display_user`
    from the snapshot that came back with the revocation check. Everything else (and any
    method added to Viewer) is the plain viewer's."""

    def __init__(self, claims: AccessClaims | None, snapshot: str | None = None) -> None:
        super().__init__(claims)
        # The cached user row read beside the revocation marks; not part of the claims.
        self.snapshot = snapshot
        # Set when display_user was built from the snapshot (fastpath/me_answers.py keeps
        # only such answers).
        self.shown_from_snapshot = False

    def load_user(self, user_id: str) -> User | None:
        return _load_user(user_id)

    @cached_property
    def display_user(self) -> User | None:
        """The user for read-only resolvers (the `me` query), without a database query when
        the snapshot is warm. Fields outside the snapshot load from PostgreSQL on first
        access. Never pass it to a service that writes: use `user` there.
        """
        if self.claims is None:
            return None
        if "user" in self.__dict__:
            return self.user
        cached = snapshot_load(self.snapshot)
        if cached is not None and cached.is_active and str(cached.pk) == self.claims.user_id:
            self.shown_from_snapshot = True
            return cached
        user = self.user
        if user is not None:
            snapshot_remember(user)
        return user


def authenticate(token: str) -> Viewer:
    """The viewer of a bearer token; raises AccessTokenRejected.

    With the fast verifier configured, the snapshot rides in its round trip; any other
    configured verifier (a test's, another deployment's) is honoured, without a snapshot.
    """
    verifier = get_access_token_verifier()
    if verifier is not verify_access_token:
        return FastViewer(verifier(token))
    claims, snapshot = verify_and_read_snapshot(token)
    return FastViewer(claims, snapshot)


def verify_and_read_snapshot(token: str) -> tuple[AccessClaims, str | None]:
    """The token's claims and the cached row of its user (None when not cached)."""
    # The user id is only known once the signature is checked (remembered: the second
    # check below is a dictionary look-up); the snapshot key rides in the revocation MGET.
    user_id = verify_signature_cached(token).user_id
    claims, (snapshot,) = verify_and_read(token, [snapshot_key(user_id)])
    return claims, snapshot if isinstance(snapshot, str) else None


@functools.cache
def _user_select(vendor: str) -> tuple[str, list[str], list[tuple[int, list[Any], Any]]]:
    """The SELECT, the attribute names, and the converters of the columns that need one
    on this database backend (per vendor, as the SQL compiler would apply them)."""
    from accounts.models import User

    meta = User._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    names = [f.attname for f in fields]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    # Identifiers from the model definition, quoted; the only value is a bound parameter.
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    converters = []
    for index, f in enumerate(fields):
        column = f.get_col(meta.db_table)
        # SQLite returns UUIDs as hex text and datetimes as naive strings: without these,
        # `me` would show another id and date than `login.user` (one user, two shapes).
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return sql, names, converters


def _load_user(user_id: str) -> User | None:
    """The user row by primary key: one query on the hot path of every signed-in request.

    Written out once instead of built by the ORM per request (which cost as much as the
    round trip to PostgreSQL itself); the instance is the same as `User.objects.get` gives,
    field conversions included.
    """
    from accounts.models import User

    try:
        pk = uuid.UUID(user_id)
    except (ValueError, TypeError):
        return None
    sql, names, converters = _user_select(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [User._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        values = list(row)
        for index, functions, column in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        row = values
    return User.from_db(connection.alias, names, row)
