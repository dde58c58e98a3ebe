"""Per-request context: who is calling, resolved lazily.

The bearer token (if any) is verified once per request: locally for the signature and
claims, plus whatever the configured verifier adds (the revocation check). The user row is
loaded from the database only when a resolver asks for `viewer.user`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.http import HttpRequest
from strawberry.django.context import StrawberryDjangoContext

from api.errors import Unauthenticated
from tokens.verifier import AccessClaims, AccessTokenRejected, get_access_token_verifier

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


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
        from accounts.selectors import user_get

        user = user_get(user_id=self.claims.user_id)
        if user is None or not user.is_active:
            # A deleted or disabled account must not keep acting on a still-valid token.
            raise Unauthenticated()
        return user

    def require_user(self) -> User:
        user = self.user
        if user is None:
            raise Unauthenticated()
        return user


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header; '' when the header is malformed."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()


@dataclass
class Context(StrawberryDjangoContext):
    viewer: Viewer = field(default_factory=lambda: Viewer(None))
    # Set when a bearer token was present but unacceptable: the operation is refused with
    # UNAUTHENTICATED (see api/extensions.py) rather than served as anonymous.
    auth_error: Unauthenticated | None = None


def build_context(request: HttpRequest, response: object) -> Context:
    context = Context(request=request, response=response)  # type: ignore[arg-type]
    token = bearer_token(request)
    if token is None:
        return context
    try:
        context.viewer = Viewer(get_access_token_verifier()(token))
    except AccessTokenRejected as exc:
        logger.info("access token rejected: %s", exc)
        context.auth_error = Unauthenticated("The access token is invalid or has expired.")
    return context
