"""The one way a mutation calls a service: what the user can fix becomes payload `errors`.

A `DomainError` from the service (wrong password, expired link, RATE_LIMITED…) is mapped to
the payload by `payload_from`; everything else (UNAUTHENTICATED, FORBIDDEN, a bug)
propagates as a top-level error. "Must be signed in" is `api.permissions.viewer_user`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from api.errors import Error, errors_from
from core.errors import DomainError


def payload_from[T, P](
    service: Callable[[], T],
    *,
    ok: Callable[[T], P],
    failed: Callable[[list[Error]], P],
) -> P:
    """`ok(result)` of the service call, or `failed(errors)` when it raised a DomainError."""
    try:
        result = service()
    except DomainError as exc:
        return failed(errors_from(exc))
    return ok(result)


class OkPayload(Protocol):
    """A payload of `ok` and `errors` only (most of the email and password flows)."""

    def __init__(self, *, ok: bool, errors: list[Error]) -> None: ...


def ok_payload[P: OkPayload](payload: type[P], service: Callable[[], object]) -> P:
    """`payload(ok=True, errors=[])` after the service call, or `ok=False` with its errors."""
    return payload_from(
        service,
        ok=lambda _: payload(ok=True, errors=[]),
        failed=lambda errors: payload(ok=False, errors=errors),
    )
