"""Who is calling: the viewer behind a request's bearer token, resolved lazily.

The bearer token (if any) is verified once per request: locally for the signature and
claims, plus whatever the configured verifier adds (the revocation check). The user row is
loaded from the database only when a resolver asks for `viewer.user`. This is the plain
path; config may pass a faster `authenticate` to `build_context` (fastpath/viewer.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

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
        user = self.load_user(self.claims.user_id)
        if user is None or not user.is_active:
            # A deleted or disabled account must not keep acting on a still-valid token.
            raise Unauthenticated()
        return user

    @property
    def display_user(self) -> User | None:
        """The user for read-only resolvers (the `me` query). Here the same as `user`; a
        viewer may answer it from a cached copy of the row, so never pass it to a service
        that writes: use `user` there."""
        return self.user

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

    def load_user(self, user_id: str) -> User | None:
        """The user row by primary key, or None (also for an id that is not a UUID)."""
        return _load_user(user_id)


def _load_user(user_id: str) -> User | None:
    from accounts.models import User

    try:
        pk = uuid.UUID(user_id)
    except (ValueError, TypeError):
        return None
    return User.objects.filter(pk=pk).first()


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header; '' when the header is malformed."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()


def authenticate(token: str) -> Viewer:
    """The viewer of a bearer token, through the configured verifier; raises
    AccessTokenRejected."""
    return Viewer(get_access_token_verifier()(token))


def build_context(
    request: HttpRequest, response: object, *, authenticate: Callable[[str], Viewer] = authenticate
) -> Context:
    context = Context(request=request, response=response, viewer=Viewer(None))  # type: ignore[arg-type]
    token = bearer_token(request)
    if token is None:
        return context
    try:
        context.viewer = authenticate(token)
        note_viewer(user_id=context.viewer.user_id, session_id=context.viewer.session_id)
    except AccessTokenRejected as exc:
        logger.info("access token rejected: %s", exc)
        context.auth_error = Unauthenticated("The access token is invalid or has expired.")
    return context
