"""Sign-in with a password (and its second step), second-factor enrolment, step-up."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.mutations import ok_payload, payload_from
from api.permissions import stepped_up, viewer_user
from mfa import services
from mfa.schema.types import (
    ConfirmTotpEnrollmentPayload,
    DisableTotpPayload,
    LoginInput,
    ReauthenticateInput,
    ReauthenticatePayload,
    RegenerateRecoveryCodesPayload,
    SecureAccountPayload,
    StartTotpEnrollmentPayload,
    VerifySecondFactorInput,
    sign_in_payload,
)
from tokens.schema.transport import AuthPayload, SignInTransport
from tokens.services import password_sign_in


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Sign in with email and password: starts a session on this device. When "
        "the account has a second factor, no session starts yet: the payload has null tokens, "
        "the error SECOND_FACTOR_REQUIRED and `secondFactor` (finish with verifySecondFactor)."
    )
    def login(
        self,
        info: Info[Context, None],
        input: Annotated[LoginInput, strawberry.argument(description="Email and password.")],
        transport: SignInTransport,
    ) -> AuthPayload:
        return sign_in_payload(
            info,
            transport,
            partial(password_sign_in, email=input.email, password=input.password),
        )

    @strawberry.mutation(
        description="The second step of a sign-in: answer `secondFactor.challenge` with an "
        "authenticator code, a recovery code or a passkey, with the same transport as the "
        "first step. Starts the session. Errors: INVALID_SECOND_FACTOR (wrong or used), "
        "CHALLENGE_EXPIRED (sign in again), RATE_LIMITED."
    )
    def verify_second_factor(
        self,
        info: Info[Context, None],
        input: Annotated[
            VerifySecondFactorInput,
            strawberry.argument(description="The challenge and one second factor."),
        ],
        transport: SignInTransport,
    ) -> AuthPayload:
        return sign_in_payload(
            info,
            transport,
            partial(
                services.second_factor_verify,
                challenge=input.challenge,
                code=input.code,
                recovery_code=input.recovery_code,
                passkey=input.passkey,
            ),
        )

    @strawberry.mutation(
        description="Prove it is you again, so that this session may make sensitive changes "
        "(changePassword, logoutAll, second factors, passkeys) for STEP_UP_WINDOW. An account "
        "with a second factor must use it."
    )
    def reauthenticate(
        self,
        info: Info[Context, None],
        input: Annotated[
            ReauthenticateInput,
            strawberry.argument(description="Exactly one: password, code, recoveryCode, passkey."),
        ],
    ) -> ReauthenticatePayload:
        user = viewer_user(info)
        return ok_payload(
            ReauthenticatePayload,
            lambda: services.reauthenticate(
                user=user,
                caller=info.context.caller,
                session_id=info.context.viewer.session_id,
                password=input.password,
                code=input.code,
                recovery_code=input.recovery_code,
                passkey=input.passkey,
            ),
        )

    @strawberry.mutation(
        description="Start setting up an authenticator app: a new secret and its otpauth:// "
        "URI, pending until confirmTotpEnrollment. Replaces a pending one. Needs a recent "
        "sign-in (STEP_UP_REQUIRED)."
    )
    def start_totp_enrollment(self, info: Info[Context, None]) -> StartTotpEnrollmentPayload:
        user = viewer_user(info)
        return payload_from(
            StartTotpEnrollmentPayload,
            stepped_up(info, lambda: services.totp_enrollment_start(user=user)),
            ok=lambda enrollment: StartTotpEnrollmentPayload(
                secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri, errors=[]
            ),
        )

    @strawberry.mutation(
        description="Finish setting up the authenticator app with the code it shows. From "
        "then on, sign-ins ask for a second factor, and the owner is emailed a notice. When "
        "this session signed in or re-authenticated more than SECOND_FACTOR_ENROL_FRESHNESS "
        "(a minute) ago, `proof` is needed too: without it, REAUTHENTICATION_REQUIRED."
    )
    def confirm_totp_enrollment(
        self,
        info: Info[Context, None],
        code: Annotated[
            str, strawberry.argument(description="The 6-digit code the app shows now.")
        ],
        proof: Annotated[
            ReauthenticateInput | None,
            strawberry.argument(
                description="It is you, proved again in this call (as in `reauthenticate`): "
                "the password, or a recovery code or passkey when the account has a second "
                "factor. Needed only when the session did not sign in within the last minute; "
                "it then counts as a re-authentication."
            ),
        ] = None,
    ) -> ConfirmTotpEnrollmentPayload:
        user = viewer_user(info)
        viewer = info.context.viewer
        given = (
            None
            if proof is None
            else services.Proof(
                password=proof.password,
                code=proof.code,
                recovery_code=proof.recovery_code,
                passkey=proof.passkey,
            )
        )
        return payload_from(
            ConfirmTotpEnrollmentPayload,
            lambda: services.totp_enrollment_confirm(
                user=user,
                code=code,
                caller=info.context.caller,
                session_id=viewer.session_id,
                recently_authenticated=viewer.authenticated_within(services.enrol_freshness()),
                proof=given,
            ),
            ok=lambda codes: ConfirmTotpEnrollmentPayload(recovery_codes=codes, errors=[]),
        )

    @strawberry.mutation(
        description="Remove the authenticator app: the password (when the account has one) "
        "and a current code or a recovery code. Needs a recent sign-in (STEP_UP_REQUIRED)."
    )
    def disable_totp(
        self,
        info: Info[Context, None],
        password: Annotated[
            str | None, strawberry.argument(description="The account's password, if it has one.")
        ] = None,
        code: Annotated[
            str | None, strawberry.argument(description="The code the app shows now.")
        ] = None,
        recovery_code: Annotated[
            str | None, strawberry.argument(description="Or one of the recovery codes.")
        ] = None,
    ) -> DisableTotpPayload:
        user = viewer_user(info)
        return ok_payload(
            DisableTotpPayload,
            stepped_up(
                info,
                lambda: services.totp_disable(
                    user=user,
                    caller=info.context.caller,
                    session_id=info.context.viewer.session_id,
                    password=password,
                    code=code,
                    recovery_code=recovery_code,
                ),
            ),
        )

    @strawberry.mutation(
        description="Replace every recovery code with ten new ones (shown once). Needs a "
        "second factor and a recent sign-in (STEP_UP_REQUIRED)."
    )
    def regenerate_recovery_codes(
        self, info: Info[Context, None]
    ) -> RegenerateRecoveryCodesPayload:
        user = viewer_user(info)
        return payload_from(
            RegenerateRecoveryCodesPayload,
            stepped_up(
                info,
                lambda: services.recovery_codes_regenerate(
                    user=user,
                    caller=info.context.caller,
                    session_id=info.context.viewer.session_id,
                ),
            ),
            ok=lambda codes: RegenerateRecoveryCodesPayload(recovery_codes=codes, errors=[]),
        )

    @strawberry.mutation(
        description="The “this wasn't me” link of a security email (a second factor added, a "
        "sign-in from a new device): removes the second factor the email told of, if it is "
        "still there, and ends every session of the account. Needs no sign-in: the link's "
        "token is the proof. INVALID_TOKEN, TOKEN_EXPIRED (SECURITY_NOTICE_LINK_LIFETIME, a "
        "week). Then reset the password."
    )
    def secure_account(
        self,
        info: Info[Context, None],
        token: Annotated[
            str,
            strawberry.argument(description="The `token` query parameter of the email's link."),
        ],
    ) -> SecureAccountPayload:
        return ok_payload(
            SecureAccountPayload,
            lambda: services.account_secure(token=token, caller=info.context.caller),
        )
