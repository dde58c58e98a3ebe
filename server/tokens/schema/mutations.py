from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from django.conf import settings
from strawberry.types import Info

from api.context import Context
from api.errors import Error
from api.mutations import OkPayload, ok_payload, payload_from
from api.permissions import stepped_up, viewer_user
from tokens import services
from tokens.schema.transport import (
    AuthPayload,
    TokenTransport,
    auth_payload,
    clear_refresh_cookie,
    refresh_token_from,
)


@strawberry.type(description="The result of ending one or more sessions.")
class LogoutPayload(OkPayload):
    ok: bool = strawberry.field(description="True when the session(s) ended.")
    errors: list[Error] = strawberry.field(description="What went wrong; empty on success.")
    removed_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="`revokeSession`: the `id` of the session it ended, as `sessions` gives "
        "it, to evict from a normalised cache. Null for logout and logoutAll, and on error.",
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Exchange a refresh token for a new pair. With transport BODY the token "
        "is read only from the `refreshToken` argument, with COOKIE only from the HttpOnly "
        "cookie; none presented gives REFRESH_TOKEN_MISSING. The presented token is spent; "
        "reusing a spent one ends the session."
    )
    def refresh(
        self,
        info: Info[Context, None],
        transport: Annotated[
            TokenTransport,
            strawberry.argument(
                description="BODY: read `refreshToken`, return the new one in the payload; "
                "COOKIE: read and replace the HttpOnly cookie."
            ),
        ],
        refresh_token: Annotated[
            str | None,
            strawberry.argument(
                description="The refresh token; with BODY only (COOKIE refuses it)."
            ),
        ] = None,
    ) -> AuthPayload:

        def rotated() -> services.IssuedTokens:
            return services.session_refresh(
                refresh_token=refresh_token_from(info, transport, refresh_token),
                caller=info.context.caller,
            )

        def refused() -> None:
            if transport is TokenTransport.COOKIE:
                clear_refresh_cookie(info.context.response)

        return payload_from(
            AuthPayload,
            rotated,
            ok=lambda issued: auth_payload(info, issued, transport),
            on_failure=refused,
        )

    @strawberry.mutation(
        description="End the session of a refresh token: its refresh and access tokens stop "
        "working. With transport BODY the token is read only from the `refreshToken` "
        "argument, with COOKIE only from the cookie (which is cleared); without transport, "
        "the argument when given, else the cookie. None presented gives "
        "REFRESH_TOKEN_MISSING."
    )
    def logout(
        self,
        info: Info[Context, None],
        refresh_token: Annotated[
            str | None,
            strawberry.argument(
                description="The refresh token of the session to end (BODY transport); omit "
                "it to use the cookie."
            ),
        ] = None,
        transport: Annotated[
            TokenTransport | None,
            strawberry.argument(
                description="BODY: end the session of `refreshToken`; COOKIE: of the cookie's "
                "token. Omitted: the argument if given, else the cookie."
            ),
        ] = None,
    ) -> LogoutPayload:

        cookie = info.context.request.COOKIES.get(settings.REFRESH_COOKIE_NAME)
        # The cookie is cleared only when it is what was (or failed to be) presented, or it
        # holds the very token being ended: a logout by argument must not strand the
        # browser's own, different session without its cookie.
        from_cookie = transport is TokenTransport.COOKIE or (
            transport is None and not refresh_token
        )

        def end(token: str) -> LogoutPayload:
            if from_cookie or (cookie and cookie == token):
                clear_refresh_cookie(info.context.response)
            return ok_payload(
                LogoutPayload,
                lambda: services.session_logout(refresh_token=token, caller=info.context.caller),
            )

        def unreadable() -> None:
            if from_cookie:
                clear_refresh_cookie(info.context.response)

        # Read first: a call refused for its Origin (Forbidden, not a payload error)
        # propagates before the cookie is touched.
        return payload_from(
            LogoutPayload,
            lambda: refresh_token_from(info, transport, refresh_token),
            ok=end,
            on_failure=unreadable,
        )

    @strawberry.mutation(
        description="End every session of the viewer, or every other one with keepCurrent. "
        "Needs a recent sign-in (STEP_UP_REQUIRED otherwise: call reauthenticate)."
    )
    def logout_all(
        self,
        info: Info[Context, None],
        keep_current: Annotated[
            bool,
            strawberry.argument(description="True to keep the session making this request."),
        ] = False,
    ) -> LogoutPayload:
        user = viewer_user(info)
        keep = info.context.viewer.session_id if keep_current else None

        def end_all() -> None:
            if not keep_current:
                clear_refresh_cookie(info.context.response)
            services.sessions_end_all(user=user, keep_session_id=keep, caller=info.context.caller)

        return ok_payload(LogoutPayload, stepped_up(info, end_all))

    @strawberry.mutation(description="End one of the viewer's sessions.")
    def revoke_session(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A session's `id`, from `sessions`.")
        ],
    ) -> LogoutPayload:
        user = viewer_user(info)
        return payload_from(
            LogoutPayload,
            lambda: services.session_revoke(
                user=user, session_id=str(id), caller=info.context.caller
            ),
            # The service accepted it as a UUID: answer it the way `sessions` spells it.
            ok=lambda _: LogoutPayload(
                ok=True, errors=[], removed_id=strawberry.ID(str(uuid.UUID(str(id))))
            ),
        )
