from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from tokens import models


@strawberry.enum(description="How a session was signed in.")
class AuthMethod(Enum):
    PASSWORD = strawberry.enum_value("password", description="Email and password.")
    GOOGLE = strawberry.enum_value("google", description="Sign-in with Google.")
    PASSKEY = strawberry.enum_value("passkey", description="A passkey alone (WebAuthn).")


@strawberry.type(description="One signed-in device of the viewer.")
class Session:
    id: strawberry.ID = strawberry.field(description="Pass it to `revokeSession` to end it.")
    created_at: datetime = strawberry.field(description="When the user signed in.")
    last_used_at: datetime = strawberry.field(description="The last refresh of its tokens.")
    user_agent: str = strawberry.field(description="The device's User-Agent, as last seen.")
    ip_address: str | None = strawberry.field(description="The client IP, as last seen.")
    auth_method: AuthMethod = strawberry.field(description="How the user signed in.")
    current: bool = strawberry.field(description="True for the session making this request.")

    @classmethod
    def from_model(cls, session: models.Session, *, current_id: str | None) -> Session:
        return cls(
            id=strawberry.ID(str(session.pk)),
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            user_agent=session.user_agent,
            ip_address=session.ip_address,
            auth_method=AuthMethod(session.auth_method),
            current=str(session.pk) == current_id,
        )
