"""Who is calling: the viewer behind a request's bearer token, resolved lazily.

The bearer token (if any) is verified once per request: locally for the signature and
claims (tokens/access.py), then one Redis round trip for the revocation marks
(tokens/revocation.py), which also brings the user's snapshot (tokens/snapshot.py). The
user row is loaded from PostgreSQL only when a resolver asks for `viewer.user`, or for
`display_user` when the snapshot is cold.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone

from api.context import Context
from api.errors import Unauthenticated
from observability.context import note_viewer
from tokens.access import check_not_expired, verify_signature_cached
from tokens.revocation import check_access
from tokens.snapshot import snapshot_key, snapshot_load, snapshot_remember
from tokens.verifier import AccessClaims, AccessTokenRejected

if TYPE_CHECKING:
    from accounts.models import User

# The name operators already filter on (rejected tokens), kept when this moved from api/.
logger = logging.getLogger("api.context")


class Viewer:
    """The caller. Anonymous when `claims` is None."""

    def __init__(self, claims: AccessClaims | None, snapshot: str | None = None) -> None:
        self.claims = claims
        # The cached user row read beside the revocation marks; not part of the claims.
        self.snapshot = snapshot
        # Set when display_user was built from the snapshot (tokens/me_answers.py keeps
        # only such answers).
        self.shown_from_snapshot = False

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
    """The viewer of a bearer token; raises AccessTokenRejected.

    The signature's outcome is remembered per token (tokens/access.py); expiry and
    revocation are checked on every request, in one Redis round trip that also reads the
    user's snapshot.
    """
    claims = check_not_expired(verify_signature_cached(token))
    (snapshot,) = check_access(claims, also=[snapshot_key(claims.user_id)])
    return Viewer(claims, snapshot if isinstance(snapshot, str) else None)


def build_context(request: HttpRequest, response: object) -> Context:
    """The GraphQL context of a request. The bearer token is checked once per request,
    however many contexts are built for it (the endpoint builds one to consult its
    response caches before Strawberry builds its own)."""
    known: tuple[Viewer, Unauthenticated | None] | None = getattr(request, "gatehouse_viewer", None)
    if known is None:
        known = _viewer_of(request)
        request.gatehouse_viewer = known  # type: ignore[attr-defined]
    viewer, auth_error = known
    return Context(request=request, response=response, viewer=viewer, auth_error=auth_error)  # type: ignore[arg-type]


def _viewer_of(request: HttpRequest) -> tuple[Viewer, Unauthenticated | None]:
    token = bearer_token(request)
    if token is None:
        return Viewer(None), None
    try:
        viewer = authenticate(token)
    except AccessTokenRejected as exc:
        logger.info("access token rejected: %s", exc)
        return Viewer(None), Unauthenticated("The access token is invalid or has expired.")
    note_viewer(user_id=viewer.user_id, session_id=viewer.session_id)
    return viewer, None
