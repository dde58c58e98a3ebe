from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from strawberry.types import Info

from accounts import models, services
from accounts.email_codes import VerificationMethod as VerificationMethodValue
from accounts.schema.types import Profile, User
from api.context import Context
from api.errors import Error
from api.mutations import OkPayload, OkShaped, ok_payload, payload_from
from api.permissions import stepped_up, viewer_user

VerificationMethod = strawberry.enum(
    VerificationMethodValue,
    name="VerificationMethod",
    description="How a verification or password-reset email lets its reader prove they got it.",
)
for _value in VerificationMethod.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = {
        "LINK": "A link to the web client carrying a token (`verifyEmail`, `resetPassword`).",
        "CODE": "A 6-digit code to type into the app, for apps that cannot open links "
        "(`verifyEmailWithCode`, `resetPasswordWithCode`); valid for EMAIL_CODE_LIFETIME "
        "(default 10 minutes), five tries, once.",
    }[_value.name]


def _method(value: str | None) -> VerificationMethodValue:
    """The service's method for an argument that may be null (null: a link, the default)."""
    return VerificationMethodValue.LINK if value is None else VerificationMethodValue(value)


def _method_argument(code_mutation: str) -> object:
    """The `method` argument of a mutation that emails a link or a code for `code_mutation`."""
    return strawberry.argument(
        description=f"A link (default; also for null) or a 6-digit code for `{code_mutation}`."
    )


# The arguments the emailed-code and password mutations share.
NewPassword = Annotated[
    str,
    strawberry.argument(
        description="10 to 128 characters; not common, all digits or like the email."
    ),
]
EmailedTo = Annotated[
    str, strawberry.argument(description="The address the code was sent to; any case.")
]
EmailedCode = Annotated[str, strawberry.argument(description="The 6 digits from the email.")]


@strawberry.input(
    description=(
        "Profile fields. An omitted field is left unchanged; an explicit null clears it "
        "(empty text, no links). Text is trimmed of surrounding spaces. Errors name the "
        "field by its path, e.g. `profile.displayName` or `links[2]`."
    )
)
class ProfileInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Name shown to others; at most 50 characters."
    )
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Given name; at most 150 characters."
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Family name; at most 150 characters."
    )
    short_intro: str | None = strawberry.field(
        default=strawberry.UNSET, description="One line about the user; at most 160 characters."
    )
    bio: str | None = strawberry.field(
        default=strawberry.UNSET, description="A longer description; at most 5000 characters."
    )
    website: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An http(s) URL of at most 200 characters, or empty.",
    )
    links: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most 10 http(s) URLs of at most 200 characters each; blank entries "
        "are dropped. Replaces the whole list.",
    )

    def to_data(self) -> services.ProfileData:
        values: dict[str, object] = {}
        for name, value in vars(self).items():
            if value is strawberry.UNSET:
                continue
            if value is None:
                # An explicit null clears the field.
                value = [] if name == "links" else ""
            values[name] = value
        return services.ProfileData(**values)  # type: ignore[arg-type]


@strawberry.input(description="A new account: email, password and an optional profile.")
class RegisterInput:
    email: str = strawberry.field(
        description="The sign-in address; at most 254 characters, compared case-insensitively."
    )
    password: str = strawberry.field(
        description="At least 10 characters and at most 128; not a common or all-numeric "
        "password, not too close to the email."
    )
    profile: ProfileInput | None = strawberry.field(
        default=None, description="Profile fields to start with; errors are named `profile.…`."
    )
    verification_method: VerificationMethod | None = strawberry.field(  # type: ignore[valid-type]
        default=VerificationMethodValue.LINK,
        description="What the verification email carries: a link (default; also for null) "
        "or a 6-digit code for `verifyEmailWithCode`.",
    )


@strawberry.type(description="Always the same for a new and an existing address.")
class RegisterPayload(OkPayload):
    ok: bool = strawberry.field(
        description="True when the request was accepted: check your inbox to verify."
    )


@strawberry.type(description="The result of `updateProfile`.")
class UpdateProfilePayload:
    user: User | None = strawberry.field(
        description="The signed-in user with the changed profile (same `id` as `me`, so "
        "normalised caches update); null when there are errors."
    )
    profile: Profile | None = strawberry.field(
        description="The profile after the change.",
        deprecation_reason="Use `user { profile }`, which normalised caches can update.",
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Create an unverified account and send a verification email. Registering an "
            "address that already has an account answers exactly the same."
        )
    )
    def register(
        self,
        info: Info[Context, None],
        input: Annotated[
            RegisterInput, strawberry.argument(description="The new account's details.")
        ],
    ) -> RegisterPayload:
        return ok_payload(
            RegisterPayload,
            lambda: services.user_register(
                email=input.email,
                password=input.password,
                profile=input.profile.to_data() if input.profile else None,
                caller=info.context.caller,
                verification_method=_method(input.verification_method),
            ),
        )

    @strawberry.mutation(description="Change the signed-in user's profile.")
    def update_profile(
        self,
        info: Info[Context, None],
        input: Annotated[
            ProfileInput,
            strawberry.argument(description="The fields to change; omitted ones stay as they are."),
        ],
    ) -> UpdateProfilePayload:
        user = viewer_user(info)

        def updated(profile: models.Profile) -> UpdateProfilePayload:
            user.profile = profile  # so that `user { profile }` shows the change without a query
            return UpdateProfilePayload(user=user, profile=profile, errors=[])  # type: ignore[arg-type]

        return payload_from(
            UpdateProfilePayload,
            lambda: services.profile_update(user=user, data=input.to_data()),
            ok=updated,
        )


@strawberry.type(description="Result of verifyEmail.")
class VerifyEmailPayload(OkPayload):
    ok: bool = strawberry.field(description="True when the address is now verified.")
    errors: list[Error] = strawberry.field(
        description="INVALID_TOKEN or TOKEN_EXPIRED when the link cannot be used; with a "
        "code, INVALID_CODE, INVALID_EMAIL or RATE_LIMITED; else empty."
    )


@strawberry.type
class _EmailRequestPayload(OkPayload):
    """An email asked for by address: the same answer whether or not the address has an
    account (each subclass is its own GraphQL type; this one is not in the schema)."""

    errors: list[Error] = strawberry.field(
        description="INVALID_EMAIL or RATE_LIMITED; empty on success."
    )


_SAME_ANSWER = "Always the same whether or not the address has an account."


@strawberry.type(description=_SAME_ANSWER)
class ResendVerificationEmailPayload(_EmailRequestPayload):
    ok: bool = strawberry.field(
        description="True when the request was accepted: if the address has an unverified "
        "account, an email is on its way."
    )


@strawberry.type(description=_SAME_ANSWER)
class RequestPasswordResetPayload(_EmailRequestPayload):
    ok: bool = strawberry.field(
        description="True when the request was accepted: if the address has an account, a "
        "reset link is on its way."
    )


@strawberry.type(description="Result of resetPassword. The user is not signed in.")
class ResetPasswordPayload(OkPayload):
    ok: bool = strawberry.field(
        description="True when the password was set and every session ended; sign in again."
    )
    errors: list[Error] = strawberry.field(
        description="INVALID_TOKEN, TOKEN_EXPIRED or PASSWORD_TOO_WEAK; with a code, "
        "INVALID_CODE, INVALID_EMAIL, PASSWORD_TOO_WEAK or RATE_LIMITED; empty on success."
    )


@strawberry.type(description="Result of changePassword.")
class ChangePasswordPayload(OkPayload):
    ok: bool = strawberry.field(
        description="True when the password was changed; every other session has ended."
    )
    errors: list[Error] = strawberry.field(
        description="INVALID_CREDENTIALS, PASSWORD_TOO_WEAK or RATE_LIMITED; empty on success."
    )


def _email_request[P: OkShaped](
    payload: type[P],
    send: Callable[..., object],
    info: Info[Context, None],
    email: str,
    method: str | None,
) -> P:
    """`payload` of a service that emails `email` a link or a code (`method`)."""
    return ok_payload(
        payload, lambda: send(email=email, caller=info.context.caller, method=_method(method))
    )


@strawberry.type
class EmailFlowsMutation:
    @strawberry.mutation(
        description="Mark the address verified with the token from the verification email. "
        "A token works once."
    )
    def verify_email(
        self,
        info: Info[Context, None],
        token: Annotated[
            str,
            strawberry.argument(
                description="The `token` query parameter of the link in the verification email."
            ),
        ],
    ) -> VerifyEmailPayload:
        return ok_payload(
            VerifyEmailPayload,
            lambda: services.user_verify_email(token=token, caller=info.context.caller),
        )

    @strawberry.mutation(
        description="Mark the address verified with the 6-digit code from a verification "
        "email sent with `method: CODE`. A code works once, for EMAIL_CODE_LIFETIME (default "
        "10 minutes) and five tries; a newer request replaces it. Wrong, expired, used and "
        "unknown alike answer INVALID_CODE."
    )
    def verify_email_with_code(
        self,
        info: Info[Context, None],
        email: EmailedTo,
        code: EmailedCode,
    ) -> VerifyEmailPayload:
        return ok_payload(
            VerifyEmailPayload,
            lambda: services.user_verify_email_with_code(
                email=email, code=code, caller=info.context.caller
            ),
        )

    @strawberry.mutation(
        description="Send the verification email again. Answers the same whether or not "
        "the address has an account; one request per address per cooldown."
    )
    def resend_verification_email(
        self,
        info: Info[Context, None],
        email: Annotated[
            str, strawberry.argument(description="The address to verify; at most 254 characters.")
        ],
        method: Annotated[
            VerificationMethod | None,  # type: ignore[valid-type]
            _method_argument("verifyEmailWithCode"),
        ] = VerificationMethodValue.LINK,
    ) -> ResendVerificationEmailPayload:
        return _email_request(
            ResendVerificationEmailPayload, services.verification_email_resend, info, email, method
        )

    @strawberry.mutation(
        description="Email a password-reset link. Answers the same whether or not the "
        "address has an account; one request per address per cooldown."
    )
    def request_password_reset(
        self,
        info: Info[Context, None],
        email: Annotated[
            str,
            strawberry.argument(
                description="The account's address; at most 254 characters, any case."
            ),
        ],
        method: Annotated[
            VerificationMethod | None,  # type: ignore[valid-type]
            _method_argument("resetPasswordWithCode"),
        ] = VerificationMethodValue.LINK,
    ) -> RequestPasswordResetPayload:
        return _email_request(
            RequestPasswordResetPayload, services.password_reset_request, info, email, method
        )

    @strawberry.mutation(
        description="Set a new password with the token from the reset email. Ends every "
        "session; does not sign in. A token works once."
    )
    def reset_password(
        self,
        info: Info[Context, None],
        token: Annotated[
            str,
            strawberry.argument(
                description="The `token` query parameter of the link in the reset email."
            ),
        ],
        new_password: NewPassword,
    ) -> ResetPasswordPayload:
        return ok_payload(
            ResetPasswordPayload,
            lambda: services.password_reset(
                token=token, new_password=new_password, caller=info.context.caller
            ),
        )

    @strawberry.mutation(
        description="Set a new password with the 6-digit code from a reset email sent with "
        "`method: CODE`. Ends every session; does not sign in. A code works once, for "
        "EMAIL_CODE_LIFETIME (default 10 minutes) and five tries; a newer request replaces "
        "it. Wrong, expired, used and unknown alike answer INVALID_CODE; a weak password "
        "does not spend the code."
    )
    def reset_password_with_code(
        self,
        info: Info[Context, None],
        email: EmailedTo,
        code: EmailedCode,
        new_password: NewPassword,
    ) -> ResetPasswordPayload:
        return ok_payload(
            ResetPasswordPayload,
            lambda: services.password_reset_with_code(
                email=email, code=code, new_password=new_password, caller=info.context.caller
            ),
        )

    @strawberry.mutation(
        description="Change the signed-in user's password. Ends every other session and "
        "keeps the current one. Needs a recent sign-in (STEP_UP_REQUIRED otherwise: call "
        "reauthenticate)."
    )
    def change_password(
        self,
        info: Info[Context, None],
        old_password: Annotated[str, strawberry.argument(description="The current password.")],
        new_password: NewPassword,
    ) -> ChangePasswordPayload:
        user = viewer_user(info)
        return ok_payload(
            ChangePasswordPayload,
            stepped_up(
                info,
                lambda: services.password_change(
                    user=user,
                    old_password=old_password,
                    new_password=new_password,
                    current_session_id=info.context.viewer.session_id,
                    caller=info.context.caller,
                ),
            ),
        )
