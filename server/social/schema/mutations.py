"""Google sign-in: the web code flow (start, then code + state) and mobile ID tokens."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.errors import Error
from api.mutations import payload_from
from mfa.schema.types import sign_in_payload
from social import services
from tokens.schema.transport import AuthPayload, SignInTransport


@strawberry.input(
    description=(
        "Either `code` and `state` (web, after Google redirected back) or `idToken` and "
        "`nonce` (mobile, from a native Google SDK); exactly one pair."
    )
)
class GoogleLoginInput:
    code: str | None = strawberry.field(
        default=None, description="The authorization code Google appended to the redirect URI."
    )
    state: str | None = strawberry.field(
        default=None, description="The `state` returned by startGoogleLogin (and by Google)."
    )
    id_token: str | None = strawberry.field(
        default=None, description="An ID token obtained by a native Google SDK."
    )
    nonce: str | None = strawberry.field(
        default=None,
        description="The nonce the app gave the SDK (16 to 256 characters); each works once.",
    )


@strawberry.type(description="Where to send the browser to sign in with Google.")
class StartGoogleLoginPayload:
    authorization_url: str | None = strawberry.field(
        description="Google's sign-in page; send the browser there. Valid for 10 minutes."
    )
    state: str | None = strawberry.field(
        description="Comes back on the redirect URI; pass it to googleLogin with the code."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Start the web sign-in with Google (authorization code flow with PKCE). "
            "`redirectUri` must be one of the configured GOOGLE_REDIRECT_URIS. "
            "GOOGLE_SIGN_IN_DISABLED when this server has sign-in with Google turned off."
        )
    )
    def start_google_login(
        self,
        info: Info[Context, None],
        redirect_uri: Annotated[
            str,
            strawberry.argument(
                description="Where Google sends the browser back; exactly one of "
                "GOOGLE_REDIRECT_URIS."
            ),
        ],
    ) -> StartGoogleLoginPayload:
        return payload_from(
            StartGoogleLoginPayload,
            lambda: services.google_login_start(
                redirect_uri=redirect_uri, caller=info.context.caller
            ),
            ok=lambda started: StartGoogleLoginPayload(
                authorization_url=started.authorization_url, state=started.state, errors=[]
            ),
        )

    @strawberry.mutation(
        description=(
            "Sign in, or sign up, with Google: web (code and state) or mobile (idToken and "
            "nonce). Same payload and transports as `login`, second step included. "
            "GOOGLE_SIGN_IN_DISABLED when this server has sign-in with Google turned off."
        )
    )
    def google_login(
        self,
        info: Info[Context, None],
        input: Annotated[
            GoogleLoginInput,
            strawberry.argument(description="The web pair or the mobile pair."),
        ],
        transport: SignInTransport,
    ) -> AuthPayload:
        return sign_in_payload(
            info,
            transport,
            partial(
                services.google_login,
                code=input.code,
                state=input.state,
                id_token=input.id_token,
                nonce=input.nonce,
            ),
        )
