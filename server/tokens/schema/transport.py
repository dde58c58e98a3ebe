"""How a refresh token travels: in the payload (mobile) or an HttpOnly cookie (web)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from strawberry.types import Info

from accounts.schema.types import User
from api.context import Context
from api.endpoint import GRAPHQL_PATH
from api.errors import Error, Forbidden
from core.errors import CoreErrorCode, DomainError
from tokens.errors import TokenErrorCode

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


# The `transport` argument of every sign-in mutation.
SignInTransport = Annotated[
    TokenTransport,
    strawberry.argument(description="BODY (mobile) or COOKIE (web): where the refresh token goes."),
]


@strawberry.enum(description="A second factor that can finish a sign-in.")
class SecondFactorMethod(Enum):
    TOTP = strawberry.enum_value("TOTP", description="A code from an authenticator app.")
    RECOVERY_CODE = strawberry.enum_value(
        "RECOVERY_CODE", description="One of the account's single-use recovery codes."
    )
    PASSKEY = strawberry.enum_value(
        "PASSKEY", description="A passkey: answer `passkeyOptions` with navigator.credentials.get."
    )


@strawberry.type(
    description="The second step of a sign-in: the first factor was right and the account "
    "has a second one. Finish with `verifySecondFactor`."
)
class SecondFactorChallenge:
    challenge: str = strawberry.field(
        description="Opaque and single use; pass it to verifySecondFactor with the same "
        "transport. A few wrong codes burn it."
    )
    expires_at: datetime = strawberry.field(
        description="After this, sign in again (SECOND_FACTOR_CHALLENGE_LIFETIME, 5 minutes "
        "by default)."
    )
    methods: list[SecondFactorMethod] = strawberry.field(
        description="The second factors this account can use."
    )
    passkey_options: str | None = strawberry.field(
        description="When PASSKEY is in methods: WebAuthn request options as JSON "
        "(PublicKeyCredentialRequestOptionsJSON) for navigator.credentials.get."
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
    second_factor: SecondFactorChallenge | None = strawberry.field(
        default=None,
        description="Set (with the error SECOND_FACTOR_REQUIRED and no tokens) when the "
        "first factor was right and the account has a second one; null otherwise.",
    )


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


_MISSING_ARGUMENT = DomainError(
    TokenErrorCode.REFRESH_TOKEN_MISSING,
    "No refresh token was presented: with transport BODY pass it as the `refreshToken` "
    "argument (the cookie is only read with transport COOKIE).",
    "refreshToken",
)
_MISSING_COOKIE = DomainError(
    TokenErrorCode.REFRESH_TOKEN_MISSING,
    "No refresh token cookie came with this request. The browser sends it only when the "
    "call is made with credentials (fetch `credentials: 'include'`, XHR `withCredentials`) "
    "to the same host name that set it (page and API on different sites block it under "
    "SameSite), over HTTPS when it is Secure; or the session was never started with "
    "transport COOKIE. Sign in again.",
    "refreshToken",
)
_ARGUMENT_WITH_COOKIE = DomainError(
    CoreErrorCode.VALIDATION_ERROR,
    "With transport COOKIE the refresh token is read from the cookie only; do not pass "
    "`refreshToken` (or use transport BODY).",
    "refreshToken",
)


def refresh_token_from(
    info: Info[Context, None], transport: TokenTransport | None, passed: str | None
) -> str:
    """The refresh token the caller presented, read only where `transport` says.

    BODY reads only the argument and COOKIE only the HttpOnly cookie (from an allowed
    Origin). Were BODY to fall back to the cookie, any script on an allowed origin could
    have the HttpOnly token handed back in a payload. None (logout only): the argument when
    given, else the cookie; logout returns no token, so nothing leaks. Raises
    REFRESH_TOKEN_MISSING when nothing was presented.
    """
    if transport is TokenTransport.BODY or (transport is None and passed):
        if not passed:
            raise _MISSING_ARGUMENT
        return passed
    if passed:
        raise _ARGUMENT_WITH_COOKIE
    request: HttpRequest = info.context.request
    cookie = request.COOKIES.get(settings.REFRESH_COOKIE_NAME)
    if not cookie:
        raise _MISSING_COOKIE
    # A cookie rides along on any cross-site request; only our own web clients may use it.
    origin = request.META.get("HTTP_ORIGIN")
    if not origin or origin not in settings.CORS_ALLOWED_ORIGINS:
        # Says what was seen and what would allow it: the Origin is the caller's own header
        # (cut short, and quoted so that nothing in it reads as our words).
        seen = f"the Origin {origin[:200]!r}" if origin else "no Origin header"
        raise Forbidden(
            f"Cookie-authenticated calls are only accepted from allowed origins; this request "
            f"came with {seen}. A web client's origin is allowed by listing it in the "
            "server's CORS_ALLOWED_ORIGINS; an app outside a browser uses transport BODY."
        )
    return cookie
