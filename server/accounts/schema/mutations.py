from __future__ import annotations

import strawberry
from strawberry.types import Info

from accounts import services
from accounts.schema.types import Profile
from api.context import Context
from api.errors import Error, errors_from
from api.permissions import viewer_user
from core.errors import DomainError


@strawberry.input(description="Profile fields; omitted fields are left unchanged.")
class ProfileInput:
    display_name: str | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    short_intro: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    links: list[str] | None = strawberry.UNSET

    def to_data(self) -> services.ProfileData:
        values = {
            name: value
            for name, value in vars(self).items()
            if value is not strawberry.UNSET and value is not None
        }
        return services.ProfileData(**values)


@strawberry.input(description="A new account: email, password and an optional profile.")
class RegisterInput:
    email: str
    password: str
    profile: ProfileInput | None = None


@strawberry.type(description="Always the same for a new and an existing address.")
class RegisterPayload:
    ok: bool = strawberry.field(
        description="True when the request was accepted: check your inbox to verify."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.input(description="Profile fields to change; omitted fields are left unchanged.")
class UpdateProfileInput(ProfileInput):
    pass


@strawberry.type
class UpdateProfilePayload:
    profile: Profile | None = strawberry.field(description="The profile after the change.")
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Create an unverified account and send a verification email. Registering an "
            "address that already has an account answers exactly the same."
        )
    )
    def register(self, info: Info[Context, None], input: RegisterInput) -> RegisterPayload:
        try:
            services.user_register(
                email=input.email,
                password=input.password,
                profile=input.profile.to_data() if input.profile else None,
            )
        except DomainError as exc:
            return RegisterPayload(ok=False, errors=errors_from(exc))
        return RegisterPayload(ok=True, errors=[])

    @strawberry.mutation(description="Change the signed-in user's profile.")
    def update_profile(
        self, info: Info[Context, None], input: UpdateProfileInput
    ) -> UpdateProfilePayload:
        user = viewer_user(info)
        try:
            profile = services.profile_update(user=user, data=input.to_data())
        except DomainError as exc:
            return UpdateProfilePayload(profile=None, errors=errors_from(exc))
        return UpdateProfilePayload(profile=profile, errors=[])  # type: ignore[arg-type]
