"""Who is calling: the viewer behind a request's bearer token, resolved lazily.

The bearer token (if any) is verified once per request: locally for the signature and
claims, plus whatever the configured verifier adds (the revocation check). The user row is
loaded from the database only when a resolver asks for `viewer.user`.
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from api.context import Context
from api.errors import Unauthenticated
from observability.context import note_viewer
from tokens.verifier import AccessClaims, AccessTokenRejected, get_access_token_verifier

if TYPE_CHECKING:
    from accounts.models import User

# The name operators already filter on (rejected tokens), kept when this moved from api/.
logger = logging.getLogger("api.context")


class Viewer:
    """The caller. Anonymous when `claims` is None."""

    def __init__(self, claims: AccessClaims | None) -> None:
        self.claims = claims

    @property
    def is_authenticated(self) -> bool:
        return self.claims is not None

    @property
    def user_id(self) -> str | None:
        return self.claims.user_id if self.claims else None

    @property
    def session_id(self) -> str | None:
        return self.claims.session_id if self.claims else None

    @cached_property
    def user(self) -> User | None:
        """The signed-in user, or None when anonymous. One query, on first use."""
        if self.claims is None:
            return None
        user = _load_user(self.claims.user_id)
        if user is None or not user.is_active:
            # A deleted or disabled account must not keep acting on a still-valid token.
            raise Unauthenticated()
        return user

    @cached_property
    def display_user(self) -> User | None:
        """The user for read-only resolvers (the `me` query), without a database query when
        the snapshot came back with the revocation check (tokens/user_snapshot.py). Fields
        outside the snapshot load from PostgreSQL on first access. Never pass it to a
        service that writes: use `user` there.
        """
        if self.claims is None:
            return None
        if "user" in self.__dict__:
            return self.user
        from tokens.user_snapshot import snapshot_load, snapshot_remember

        cached = snapshot_load(self.claims.user_snapshot)
        if cached is not None and cached.is_active and str(cached.pk) == self.claims.user_id:
            return cached
        user = self.user
        if user is not None:
            snapshot_remember(user)
        return user

    def authenticated_within(self, window: timedelta) -> bool:
        """True when this session signed in or re-authenticated within `window` (step-up).
        One query: the stamp changes on `reauthenticate`, after the access token was made."""
        if self.claims is None:
            return False
        from tokens.models import Session

        try:
            session_id = uuid.UUID(self.claims.session_id)
        except (ValueError, TypeError):
            return False
        return Session.objects.filter(
            pk=session_id,
            user_id=self.claims.user_id,
            authenticated_at__gte=timezone.now() - window,
        ).exists()

    def require_user(self) -> User:
        user = self.user
        if user is None:
            raise Unauthenticated()
        return user


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


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header; '' when the header is malformed."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()


def build_context(request: HttpRequest, response: object) -> Context:
    context = Context(request=request, response=response, viewer=Viewer(None))  # type: ignore[arg-type]
    token = bearer_token(request)
    if token is None:
        return context
    try:
        context.viewer = Viewer(get_access_token_verifier()(token))
        note_viewer(user_id=context.viewer.user_id, session_id=context.viewer.session_id)
    except AccessTokenRejected as exc:
        logger.info("access token rejected: %s", exc)
        context.auth_error = Unauthenticated("The access token is invalid or has expired.")
    return context
