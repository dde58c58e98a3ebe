"""Registering, removing and signing in with passkeys. The browser side: README, "Passkeys"."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.errors import Error
from api.mutations import OkPayload, payload_from
from api.permissions import stepped_up, viewer_user
from passkeys import services
from passkeys.schema.types import Passkey
from tokens.schema.transport import AuthPayload, SignInTransport, auth_payload

_CREDENTIAL = (
    "The JSON of the browser's `PublicKeyCredential.toJSON()`, stringified (at most 32768 "
    "characters)."
)


@strawberry.type(description="Options for `navigator.credentials.create()`.")
class StartPasskeyRegistrationPayload:
    options: str | None = strawberry.field(
        description="`PublicKeyCredentialCreationOptionsJSON`: pass the parsed object to "
        "`PublicKeyCredential.parseCreationOptionsFromJSON`. Valid once, for "
        "PASSKEY_CHALLENGE_LIFETIME (5 minutes by default)."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The passkey just registered.")
class FinishPasskeyRegistrationPayload:
    passkey: Passkey | None = strawberry.field(description="The new passkey; null on error.")
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The result of removing a passkey.")
class RemovePasskeyPayload(OkPayload):
    ok: bool = strawberry.field(description="True when the passkey was removed.")
    errors: list[Error] = strawberry.field(description="What went wrong; empty on success.")
    removed_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The `id` of the passkey removed, as `passkeys` gives it, to evict from "
        "a normalised cache; null on error.",
    )


@strawberry.type(description="Options for `navigator.credentials.get()`.")
class StartPasskeyLoginPayload:
    options: str | None = strawberry.field(
        description="`PublicKeyCredentialRequestOptionsJSON` without allowCredentials (the "
        "browser offers the user's passkeys for this site): pass the parsed object to "
        "`PublicKeyCredential.parseRequestOptionsFromJSON`. Valid once, for "
        "PASSKEY_CHALLENGE_LIFETIME."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Start adding a passkey to the viewer's account (needs a recent sign-in: "
        "STEP_UP_REQUIRED otherwise). A discoverable credential is asked for; the viewer's "
        "existing passkeys are excluded."
    )
    def start_passkey_registration(
        self, info: Info[Context, None]
    ) -> StartPasskeyRegistrationPayload:
        user = viewer_user(info)
        return payload_from(
            StartPasskeyRegistrationPayload,
            stepped_up(info, lambda: services.passkey_registration_start(user=user)),
            ok=lambda options: StartPasskeyRegistrationPayload(options=options, errors=[]),
        )

    @strawberry.mutation(
        description="Finish adding a passkey with the browser's answer to "
        "`startPasskeyRegistration`'s options. PASSKEY_INVALID: expired or used options, "
        "wrong site, bad response; PASSKEY_ALREADY_REGISTERED."
    )
    def finish_passkey_registration(
        self,
        info: Info[Context, None],
        credential: Annotated[str, strawberry.argument(description=_CREDENTIAL)],
        name: Annotated[
            str | None,
            strawberry.argument(
                description='A name to recognise it by, e.g. "Work laptop" (at most 60 '
                'characters); "Passkey" when omitted.'
            ),
        ] = None,
    ) -> FinishPasskeyRegistrationPayload:
        user = viewer_user(info)
        return payload_from(
            FinishPasskeyRegistrationPayload,
            lambda: services.passkey_registration_finish(
                user=user,
                credential=credential,
                name=name,
                caller=info.context.caller,
                session_id=info.context.viewer.session_id,
            ),
            ok=lambda passkey: FinishPasskeyRegistrationPayload(
                passkey=Passkey.from_model(passkey), errors=[]
            ),
        )

    @strawberry.mutation(
        description="Remove one of the viewer's passkeys (needs a recent sign-in: "
        "STEP_UP_REQUIRED otherwise); NOT_FOUND for an unknown id."
    )
    def remove_passkey(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A passkey's `id`, from `passkeys`.")
        ],
    ) -> RemovePasskeyPayload:
        user = viewer_user(info)
        return payload_from(
            RemovePasskeyPayload,
            stepped_up(
                info,
                lambda: services.passkey_remove(
                    user=user,
                    passkey_id=str(id),
                    caller=info.context.caller,
                    session_id=info.context.viewer.session_id,
                ),
            ),
            ok=lambda removed: RemovePasskeyPayload(
                ok=True, errors=[], removed_id=strawberry.ID(str(removed))
            ),
        )

    @strawberry.mutation(
        description="Start signing in with a passkey alone (no email first); anonymous, rate "
        "limited per client IP. Also gives the options for a passkey `reauthenticate`."
    )
    def start_passkey_login(self, info: Info[Context, None]) -> StartPasskeyLoginPayload:
        return payload_from(
            StartPasskeyLoginPayload,
            lambda: services.passkey_login_start(caller=info.context.caller),
            ok=lambda options: StartPasskeyLoginPayload(options=options, errors=[]),
        )

    @strawberry.mutation(
        description="Sign in with a passkey: the browser's answer to `startPasskeyLogin`'s "
        "options. The passkey is both factors (possession and the user's PIN or biometrics), "
        "so no second factor is asked. Same payload and transports as `login`; "
        "PASSKEY_INVALID when the answer cannot be verified."
    )
    def passkey_login(
        self,
        info: Info[Context, None],
        credential: Annotated[str, strawberry.argument(description=_CREDENTIAL)],
        transport: SignInTransport,
    ) -> AuthPayload:
        return payload_from(
            AuthPayload,
            lambda: services.passkey_login(
                credential=credential, transport=transport.name, caller=info.context.caller
            ),
            ok=lambda issued: auth_payload(info, issued, transport),
        )
