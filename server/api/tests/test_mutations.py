"""The mutation helper: what the user can fix goes to the payload, everything else up."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.errors import Error, Forbidden
from api.mutations import ok_payload, payload_from
from core.errors import CoreErrorCode, DomainError, DomainErrors


@dataclass
class Payload:
    ok: bool
    errors: list[Error]


def test_a_domain_error_becomes_the_payload_errors_with_camel_case_fields():
    def service() -> None:
        raise DomainErrors(
            [
                DomainError(CoreErrorCode.VALIDATION_ERROR, "Too long.", "profile.display_name"),
                DomainError(CoreErrorCode.VALIDATION_ERROR, "Bad link.", "links[2]"),
            ]
        )

    payload = ok_payload(Payload, service)
    assert payload.ok is False
    assert [(e.field, e.message, e.code.name) for e in payload.errors] == [  # type: ignore[attr-defined]
        ("profile.displayName", "Too long.", "VALIDATION_ERROR"),
        ("links[2]", "Bad link.", "VALIDATION_ERROR"),
    ]


def test_the_result_goes_to_ok():
    payload = payload_from(Payload, lambda: 41, ok=lambda n: Payload(ok=n + 1 == 42, errors=[]))
    assert payload == Payload(ok=True, errors=[])


@dataclass
class Result:
    thing: int | None
    ok: bool
    errors: list[Error]


def test_a_failed_payload_has_only_its_errors():
    def service() -> int:
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such thing.", "id")

    cleared = []
    payload = payload_from(
        Result,
        service,
        ok=lambda n: Result(thing=n, ok=True, errors=[]),
        on_failure=lambda: cleared.append(True),
    )
    assert (payload.thing, payload.ok, cleared) == (None, False, [True])
    assert [(e.field, e.code.name) for e in payload.errors] == [("id", "NOT_FOUND")]  # type: ignore[attr-defined]


def test_top_level_errors_are_not_payload_errors():
    def service() -> None:
        raise Forbidden()

    with pytest.raises(Forbidden):
        ok_payload(Payload, service)
