from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry_django.relay import DjangoCursorConnection, DjangoCursorEdge

from core.events import SecurityEventKind as SecurityEventKindValue
from securitylog import models

SecurityEventKind = strawberry.enum(
    SecurityEventKindValue,
    name="SecurityEventKind",
    description="What happened, in a security log entry. New kinds may be added.",
)
_KIND_DESCRIPTIONS = {
    "SIGN_IN": "A session started; `method` says how (password, google, …).",
    "SIGN_IN_FAILED": "A sign-in to this account was refused (a wrong password).",
    "NEW_DEVICE": "A sign-in from a device (browser and system) not seen on this account "
    "before; a notice was emailed.",
    "SECOND_FACTOR_FAILED": "A wrong authenticator code, recovery code or passkey.",
    "PASSWORD_CHANGED": "The password was changed (changePassword).",
    "PASSWORD_RESET": "The password was reset from an email; `method` is link or code.",
    "EMAIL_CHANGED": "The account's email address was changed.",
    "EMAIL_VERIFIED": "The address was verified; `method` is link or code.",
    "TOTP_ENABLED": "An authenticator app was set up.",
    "TOTP_DISABLED": "The authenticator app was removed.",
    "RECOVERY_CODES_GENERATED": "New recovery codes were made (the old ones stopped working).",
    "RECOVERY_CODE_USED": "A recovery code was used to sign in.",
    "PASSKEY_ADDED": "A passkey was registered.",
    "PASSKEY_REMOVED": "A passkey was removed.",
    "STEP_UP": "The user confirmed who they are again for a sensitive change.",
    "REFRESH_TOKEN_REUSED": "A spent refresh token was presented again (it may have been "
    "stolen); that session was ended.",
    "SESSION_ENDED": "A session was signed out (`method` logout) or revoked (`method` revoke).",
    "ALL_SESSIONS_ENDED": "Every session (but perhaps the current one) was ended: sign out "
    "everywhere, a password change or reset, or a disabled account.",
}
for _value in SecurityEventKind.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _KIND_DESCRIPTIONS.get(_value.name)


@strawberry.type(description="One entry of the viewer's security log.")
class SecurityEvent:
    id: strawberry.ID = strawberry.field(description="The entry's id (a UUID).")
    kind: SecurityEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When it happened.")
    method: str | None = strawberry.field(
        description="How, as a short word: password, google, passkey, code, link, logout, "
        "revoke, refresh…; null when not applicable."
    )
    ip_address: str | None = strawberry.field(
        description="The client IP the request came from; null when not known (e.g. an "
        "event caused by an administrator or a background job)."
    )
    user_agent: str | None = strawberry.field(
        description="The client's User-Agent, at most 300 characters; null when not known."
    )
    device: str | None = strawberry.field(
        description='The device in words, from the User-Agent, e.g. "Chrome on Linux"; null '
        "when not known."
    )

    @classmethod
    def from_model(cls, event: models.SecurityEvent) -> SecurityEvent:
        return cls(
            id=strawberry.ID(str(event.pk)),
            kind=SecurityEventKindValue(event.kind),
            occurred_at=event.occurred_at,
            method=event.method or None,
            ip_address=event.ip_address or None,
            user_agent=event.user_agent or None,
            device=event.device or None,
        )


# A plain type, not a relay Node (the contract's `id` is the entry's own): Strawberry's
# connection only needs the nodes' ordering fields for its cursors, which the rows carry.
@strawberry.type(name="SecurityEventEdge", description="One log entry of a page, with its cursor.")
class SecurityEventEdge(DjangoCursorEdge[SecurityEvent]):  # type: ignore[type-var]
    pass


@strawberry.type(
    name="SecurityEventConnection",
    description="A page of the viewer's security log, newest first, with keyset cursors.",
)
class SecurityEventConnection(DjangoCursorConnection[SecurityEvent]):  # type: ignore[type-var]
    edges: list[SecurityEventEdge] = strawberry.field(  # type: ignore[assignment]
        description="The entries of this page, each with its cursor."
    )

    @classmethod
    def resolve_node(cls, node: Any, *, info: Any, **kwargs: Any) -> SecurityEvent:
        # The page is read as model rows (the keyset cursor needs them); each becomes the
        # GraphQL type here.
        return SecurityEvent.from_model(node)
