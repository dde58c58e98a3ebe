"""How a refresh token travels: in the payload (mobile) or an HttpOnly cookie (web)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from strawberry.types import Info

from accounts.schema.types import User
from api.context import Context
from api.errors import Error, Forbidden
from api.middleware import GRAPHQL_PATH

if TYPE_CHECKING:
    from tokens.services import IssuedTokens


@strawberry.enum(description="Where the refresh token is delivered and read from.")
class TokenTransport(Enum):
    BODY = strawberry.enum_value("BODY", description="In the payload (mobile apps).")
    COOKIE = strawberry.enum_value(
        "COOKIE",
        description="In an HttpOnly cookie scoped to the GraphQL endpoint (web); the "
        "payload's refreshToken is null.",
    )


@strawberry.type(description="The result of signing in or refreshing.")
class AuthPayload:
    access_token: str | None = strawberry.field(
        description="A short-lived ES256 JWT: send it as `Authorization: Bearer …`."
    )
    access_token_expires_at: datetime | None = strawberry.field(
        description="When the access token stops working; refresh shortly before."
    )
    refresh_token: str | None = strawberry.field(
        description="Single use: exchange it with `refresh` for a new pair. Null with the "
        "COOKIE transport."
    )
    user: User | None = strawberry.field(description="The signed-in user.")
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


# The cookie rides only to the GraphQL endpoint.
COOKIE_PATH = GRAPHQL_PATH


def set_refresh_cookie(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        settings.REFRESH_COOKIE_NAME,
        token,
        max_age=int(settings.REFRESH_TOKEN_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        secure=settings.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


def clear_refresh_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.REFRESH_COOKIE_NAME,
        path=COOKIE_PATH,
        samesite=settings.REFRESH_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    # delete_cookie() has no `httponly`/`secure` switches for every case; keep them exact.
    morsel = response.cookies[settings.REFRESH_COOKIE_NAME]
    morsel["httponly"] = True
    morsel["secure"] = settings.REFRESH_COOKIE_SECURE


def auth_payload(
    info: Info[Context, None], issued: IssuedTokens, transport: TokenTransport
) -> AuthPayload:
    """Build the payload; with COOKIE, put the refresh token in the HttpOnly cookie."""
    refresh_token: str | None = issued.refresh_token
    if transport is TokenTransport.COOKIE:
        set_refresh_cookie(info.context.response, issued.refresh_token)
        refresh_token = None
    return AuthPayload(
        access_token=issued.access_token,
        access_token_expires_at=issued.access_token_expires_at,
        refresh_token=refresh_token,
        user=issued.session.user,  # type: ignore[arg-type]
        errors=[],
    )


def failed_auth_payload(errors: list[Error]) -> AuthPayload:
    return AuthPayload(
        access_token=None,
        access_token_expires_at=None,
        refresh_token=None,
        user=None,
        errors=errors,
    )


def refresh_token_from(info: Info[Context, None], passed: str | None) -> str | None:
    """The token passed as an argument, else the cookie (only from an allowed Origin)."""
    if passed:
        return passed
    request: HttpRequest = info.context.request
    cookie = request.COOKIES.get(settings.REFRESH_COOKIE_NAME)
    if not cookie:
        return None
    # A cookie rides along on any cross-site request; only our own web clients may use it.
    origin = request.META.get("HTTP_ORIGIN")
    if not origin or origin not in settings.CORS_ALLOWED_ORIGINS:
        raise Forbidden("Cookie-authenticated calls are only accepted from allowed origins.")
    return cookie
