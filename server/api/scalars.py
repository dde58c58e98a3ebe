"""Scalars with one wire format, so that every client parses them the same way."""

from __future__ import annotations

from datetime import UTC, datetime

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

RFC3339_URL = "https://datatracker.ietf.org/doc/html/rfc3339"


def serialize_datetime(value: datetime) -> str:
    """Always UTC, always microseconds, always `Z`: `2026-11-30T06:25:56.123456Z`.

    `datetime.isoformat` drops the fraction when it is zero and keeps whatever offset the
    value had; two formats for one scalar make clients compare strings that differ.
    """
    if value.tzinfo is None:
        # USE_TZ stores UTC; a naive value is a UTC value that lost its offset.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and "T" in value.upper():
            return parsed.astimezone(UTC)
    raise StrawberryInputCoercionError(
        f"DateTime must be RFC 3339 with a time zone offset, e.g. 2026-11-30T06:25:56Z: {value!r}."
    )


DATETIME = ScalarDefinition(
    name="DateTime",
    description=(
        "A point in time: RFC 3339, always in UTC with microseconds and a `Z`, e.g. "
        "`2026-11-30T06:25:56.123456Z`. Inputs accept any RFC 3339 offset."
    ),
    specified_by_url=RFC3339_URL,
    serialize=serialize_datetime,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)

SCALAR_OVERRIDES = {datetime: DATETIME}
