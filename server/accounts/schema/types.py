from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
import strawberry_django

from accounts import models


@strawberry.enum(description="How the account was first created.")
class RegisterMethod(Enum):
    EMAIL = strawberry.enum_value("email", description="Registered with email and password.")
    GOOGLE = strawberry.enum_value("google", description="Created by a first Google sign-in.")


@strawberry_django.type(models.Profile, description="What a user tells others about themselves.")
class Profile:
    display_name: str = strawberry_django.field(description="Name shown to others.")
    first_name: str = strawberry_django.field(description="Given name.")
    last_name: str = strawberry_django.field(description="Family name.")
    short_intro: str = strawberry_django.field(description="One line about the user.")
    bio: str = strawberry_django.field(description="A longer description.")
    website: str = strawberry_django.field(description="Personal website URL, or empty.")
    links: list[str] = strawberry_django.field(description="Social and other links (URLs).")


@strawberry_django.type(models.User, description="A member. Only ever shown to its owner.")
class User:
    """Fields that domains above this one add (the subscription) are wired onto this type at
    the composition root (config/schema.py), so that accounts imports none of them."""

    id: strawberry.ID = strawberry_django.field(description="Opaque, stable identifier.")
    email: str = strawberry_django.field(description="Sign-in address, lower-cased.")
    email_verified: bool = strawberry_django.field(
        description="Whether the owner proved they receive mail at `email`."
    )
    date_joined: datetime = strawberry_django.field(description="When the account was created.")
    profile: Profile = strawberry_django.field(description="The user's public profile.")

    @strawberry_django.field(description="How the account was first created.")
    def register_method(self, root: models.User) -> RegisterMethod:
        return RegisterMethod(root.register_method)
