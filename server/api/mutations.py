"""The one way a mutation calls a service: what the user can fix becomes payload `errors`.

A `DomainError` from the service (wrong password, expired link, RATE_LIMITED…) is caught
here, once, and answered by `failed_payload`: the payload with the errors and nothing else.
Everything else (UNAUTHENTICATED, FORBIDDEN, a bug) propagates as a top-level error. "Must
be signed in" is `api.permissions.viewer_user`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

import strawberry

from api.errors import Error, errors_from
from core.errors import DomainError

# The `errors` of most payloads.
WHAT_TO_FIX = "What to fix; empty on success."


def failed_payload[P](payload: type[P], errors: list[Error], **fields: Any) -> P:
    """`payload` carrying `errors`: its `ok` False, every other field null unless given in
    `fields` (the second step of a sign-in adds its challenge)."""
    values: dict[str, Any] = {
        field.name: False if field.name == "ok" else None
        for field in dataclasses.fields(payload)  # type: ignore[arg-type]
    }
    return payload(**{**values, **fields, "errors": errors})


def payload_from[T, P](
    payload: type[P],
    service: Callable[[], T],
    *,
    ok: Callable[[T], P],
    on_failure: Callable[[], None] | None = None,
) -> P:
    """`ok(result)` of the service call, or the failed `payload` when it raised a
    DomainError (after `on_failure`, e.g. clearing a cookie that failed)."""
    try:
        result = service()
    except DomainError as exc:
        if on_failure is not None:
            on_failure()
        return failed_payload(payload, errors_from(exc))
    return ok(result)


@strawberry.type
class OkPayload:
    """The base of a payload of `ok` and `errors` only (most of the email and password
    flows). Not in the schema itself: each subclass is its own GraphQL type and redeclares
    `ok` with what True means there (and `errors` when it lists the codes); a redeclared
    field keeps its place, so `ok` comes first."""

    ok: bool
    errors: list[Error] = strawberry.field(description=WHAT_TO_FIX)


class OkShaped(Protocol):
    """What `ok_payload` builds: a payload of `ok` and `errors` (an OkPayload)."""

    def __init__(self, *, ok: bool, errors: list[Error]) -> None: ...


def ok_payload[P: OkShaped](payload: type[P], service: Callable[[], object]) -> P:
    """`payload(ok=True, errors=[])` after the service call, or `ok=False` with its errors."""
    return payload_from(payload, service, ok=lambda _: payload(ok=True, errors=[]))
