from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
import strawberry_django
from strawberry import relay
from strawberry.types import Info

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
class User(relay.Node):
    """Fields that domains above this one add (the subscription) are wired onto this type at
    the composition root (config/schema.py), so that accounts imports none of them.

    A `Node` whose `id` stays what it always was, the account's UUID: clients already key
    their caches and compare with it (and with the access token's `sub`), and a UUID is as
    globally unique as a Relay id must be. `Query.node` takes it as it is (api/node.py)."""

    @strawberry_django.field(
        name="id",
        only=["id"],
        description="Opaque, stable identifier: the account's UUID (dashed), the same in "
        "`me`, `login.user` and `updateProfile.user`. Also its global id: `node(id:)` "
        "refetches the viewer with it.",
    )
    def _id(self, root: models.User) -> strawberry.ID:
        return strawberry.ID(str(root.pk))

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[models.User | None]:
        """`Query.node`: the viewer themself, and nobody else (another id answers null,
        like an unknown one, so ids cannot be probed)."""
        viewer = info.context.viewer
        mine = _uuid_or_none(viewer.user_id)
        return [
            viewer.display_user if mine is not None and _uuid_or_none(node_id) == mine else None
            for node_id in node_ids
        ]

    email: str = strawberry_django.field(description="Sign-in address, lower-cased.")
    email_verified: bool = strawberry_django.field(
        description="Whether the owner proved they receive mail at `email`."
    )
    date_joined: datetime = strawberry_django.field(description="When the account was created.")
    profile: Profile = strawberry_django.field(description="The user's public profile.")

    @strawberry_django.field(description="How the account was first created.")
    def register_method(self, root: models.User) -> RegisterMethod:
        return RegisterMethod(root.register_method)


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None
