"""GraphQL types of second factors, and the sign-in payload that may carry a challenge."""

from __future__ import annotations

from typing import Protocol

import strawberry
from strawberry.types import Info

from api.context import Caller, Context
from api.errors import Error, errors_from
from api.mutations import OkPayload, failed_payload, payload_from
from mfa import services
from mfa.selectors import SecondFactorSummary
from tokens.schema.transport import (
    AuthPayload,
    SecondFactorChallenge,
    SecondFactorMethod,
    TokenTransport,
    auth_payload,
)
from tokens.services import IssuedTokens


@strawberry.type(description="The viewer's second factors.")
class SecondFactors:
    totp_enabled: bool = strawberry.field(
        description="True when an authenticator app is set up and confirmed."
    )
    recovery_codes_remaining: int = strawberry.field(
        description="Unused recovery codes left (0 to 10)."
    )
    passkey_count: int = strawberry.field(description="Passkeys registered to the account.")

    @classmethod
    def from_summary(cls, summary: SecondFactorSummary) -> SecondFactors:
        return cls(
            totp_enabled=summary.totp_enabled,
            recovery_codes_remaining=summary.recovery_codes_remaining,
            passkey_count=summary.passkey_count,
        )


@strawberry.input(description="Email and password.")
class LoginInput:
    email: str = strawberry.field(description="The account's email address, in any case.")
    password: str = strawberry.field(description="The account's password (at most 128 characters).")


@strawberry.input(
    description="The second step of a sign-in: the challenge and exactly one of `code`, "
    "`recoveryCode` or `passkey`."
)
class VerifySecondFactorInput:
    challenge: str = strawberry.field(
        description="`secondFactor.challenge` from the login or googleLogin payload."
    )
    code: str | None = strawberry.field(
        default=None, description="The 6-digit code the authenticator app shows now."
    )
    recovery_code: str | None = strawberry.field(
        default=None,
        description="One of the account's recovery codes (`xxxxx-xxxxx`; dashes, spaces and "
        "case do not matter). Each works once; using one emails a notice.",
    )
    passkey: str | None = strawberry.field(
        default=None,
        description="JSON of `PublicKeyCredential.toJSON()` of an assertion made with "
        "`secondFactor.passkeyOptions`.",
    )


@strawberry.input(
    description="Prove it is you again: exactly one of `password` (accounts without a second "
    "factor) or a second factor (`code`, `recoveryCode`, `passkey`)."
)
class ReauthenticateInput:
    password: str | None = strawberry.field(
        default=None, description="The account's password; only without a second factor."
    )
    code: str | None = strawberry.field(
        default=None, description="The 6-digit code the authenticator app shows now."
    )
    recovery_code: str | None = strawberry.field(
        default=None, description="One of the account's recovery codes; each works once."
    )
    passkey: str | None = strawberry.field(
        default=None,
        description="JSON of `PublicKeyCredential.toJSON()` of an assertion made with the "
        "options of startPasskeyLogin.",
    )


@strawberry.type(description="A new authenticator secret, pending until confirmed.")
class StartTotpEnrollmentPayload:
    secret: str | None = strawberry.field(
        description="The base32 secret, for typing into the app by hand; shown once."
    )
    otpauth_uri: str | None = strawberry.field(
        description="`otpauth://totp/…` with the issuer and the account's email: show it as a "
        "QR code."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The result of confirming an authenticator app.")
class ConfirmTotpEnrollmentPayload:
    recovery_codes: list[str] | None = strawberry.field(
        description="Ten single-use recovery codes, shown this once: only when the account "
        "had none left; null otherwise (the existing ones still work)."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The result of removing the authenticator app.")
class DisableTotpPayload(OkPayload):
    ok: bool = strawberry.field(description="True when the authenticator app was removed.")


@strawberry.type(description="New recovery codes.")
class RegenerateRecoveryCodesPayload:
    recovery_codes: list[str] | None = strawberry.field(
        description="Ten new single-use codes, shown this once; every older code stops working."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The result of re-authenticating.")
class ReauthenticatePayload(OkPayload):
    ok: bool = strawberry.field(
        description="True when this session may make sensitive changes for STEP_UP_WINDOW."
    )


@strawberry.type(description="The result of a security email's “this wasn't me” link.")
class SecureAccountPayload(OkPayload):
    ok: bool = strawberry.field(
        description="True when every session of the account ended (and the added second "
        "factor, if still there, was removed)."
    )


def challenge_type(challenge: services.Challenge) -> SecondFactorChallenge:
    return SecondFactorChallenge(
        challenge=challenge.challenge,
        expires_at=challenge.expires_at,
        methods=[SecondFactorMethod(method.value) for method in challenge.methods],
        passkey_options=challenge.passkey_options,
    )


class SignIn(Protocol):
    """A sign-in service with its credentials bound (`functools.partial`): what is left to
    give it is the transport and the caller, the same for every sign-in."""

    def __call__(self, *, transport: str, caller: Caller) -> IssuedTokens: ...


def sign_in_payload(
    info: Info[Context, None], transport: TokenTransport, sign_in: SignIn
) -> AuthPayload:
    """The AuthPayload of a sign-in: tokens, the errors, or the second step (null tokens,
    SECOND_FACTOR_REQUIRED and `secondFactor`).

    Every mutation whose sign-in may stop at the second-factor stage (login,
    verifySecondFactor, googleLogin) answers through this."""

    def attempt() -> IssuedTokens | services.SecondFactorRequired:
        try:
            return sign_in(transport=transport.name, caller=info.context.caller)
        except services.SecondFactorRequired as required:
            return required

    def answer(result: IssuedTokens | services.SecondFactorRequired) -> AuthPayload:
        if isinstance(result, services.SecondFactorRequired):
            return failed_payload(
                AuthPayload, errors_from(result), second_factor=challenge_type(result.challenge)
            )
        return auth_payload(info, result, transport)

    return payload_from(AuthPayload, attempt, ok=answer)
