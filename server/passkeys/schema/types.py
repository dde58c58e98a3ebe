from __future__ import annotations

from datetime import datetime

import strawberry

from passkeys import models


@strawberry.type(description="A passkey (WebAuthn credential) registered to the viewer.")
class Passkey:
    id: strawberry.ID = strawberry.field(description="Pass it to `removePasskey`.")
    name: str = strawberry.field(description="The name the user gave it (at most 60 characters).")
    created_at: datetime = strawberry.field(description="When it was registered.")
    last_used_at: datetime | None = strawberry.field(
        description="When it last signed in or confirmed a sign-in; null if never used."
    )
    backed_up: bool = strawberry.field(
        description="True when the passkey is synced to the user's other devices (e.g. by "
        "their password manager), so losing this device does not lose it."
    )

    @classmethod
    def from_model(cls, passkey: models.Passkey) -> Passkey:
        return cls(
            id=strawberry.ID(str(passkey.pk)),
            name=passkey.name,
            created_at=passkey.created_at,
            last_used_at=passkey.last_used_at,
            backed_up=passkey.backed_up,
        )
