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

from api.errors import Error, errors_from
from core.errors import DomainError


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


class OkPayload(Protocol):
    """A payload of `ok` and `errors` only (most of the email and password flows)."""

    def __init__(self, *, ok: bool, errors: list[Error]) -> None: ...


def ok_payload[P: OkPayload](payload: type[P], service: Callable[[], object]) -> P:
    """`payload(ok=True, errors=[])` after the service call, or `ok=False` with its errors."""
    return payload_from(payload, service, ok=lambda _: payload(ok=True, errors=[]))
