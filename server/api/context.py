"""Per-request context: who is calling (the viewer), from where (the caller) and why a
bearer token was refused.

The viewer itself is built by the tokens domain (tokens/viewer.py); the toolkit only knows
what resolvers may ask of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from strawberry.django.context import StrawberryDjangoContext

from api.errors import Unauthenticated
from core.net import NO_REQUEST as NO_REQUEST
from core.net import Caller as Caller
from observability import context as request_log

if TYPE_CHECKING:
    # For the type checker only: at run time the toolkit does not import any domain.
    from accounts.models import User


class Viewer(Protocol):
    """The caller, as resolvers see it. Anonymous when `is_authenticated` is False."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def user_id(self) -> str | None: ...

    @property
    def session_id(self) -> str | None: ...

    @property
    def user(self) -> User | None:
        """The signed-in user (one query, on first use), or None when anonymous."""

    @property
    def display_user(self) -> User | None:
        """The user for read-only resolvers, possibly from a cached snapshot."""

    def require_user(self) -> User:
        """The signed-in user, or a top-level UNAUTHENTICATED error."""

    def authenticated_within(self, window: timedelta) -> bool:
        """True when the caller's session signed in or re-authenticated within `window`
        (step-up before a sensitive change); False when anonymous."""


class AnonymousViewer:
    """Nobody signed in."""

    is_authenticated = False
    user_id = None
    session_id = None
    user = None
    display_user = None

    def require_user(self) -> User:
        raise Unauthenticated()

    def authenticated_within(self, window: timedelta) -> bool:
        return False


@dataclass
class Context(StrawberryDjangoContext):
    viewer: Viewer = field(default_factory=AnonymousViewer)
    # Set when a bearer token was present but unacceptable: the operation is refused with
    # UNAUTHENTICATED (GatehouseSchema.execute_sync, config/schema.py) rather than served as
    # anonymous.
    auth_error: Unauthenticated | None = None

    @cached_property
    def caller(self) -> Caller:
        """Where the request comes from: read on first use (an answer kept by the endpoint
        never needs it), once per request however many contexts are built for it."""
        known: Caller | None = getattr(self.request, "gatehouse_caller", None)
        if known is None:
            logged = request_log.current()
            known = Caller.of(
                self.request,
                request_id=logged.request_id
                if logged is not None
                else request_log.request_id_from(self.request.META.get("HTTP_X_REQUEST_ID")),
            )
            self.request.gatehouse_caller = known  # type: ignore[attr-defined]
        return known
