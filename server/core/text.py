"""Text that can be stored: PostgreSQL refuses NUL in text values ("A string literal cannot
contain NUL characters"), so a NUL from a client must become a clear validation error
before any query, never an internal error. Services check their string inputs here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from core.errors import CoreErrorCode, DomainError, raise_if_any

NUL = "\x00"
NUL_MESSAGE = "Must not contain NUL characters."


def has_nul(value: str | Iterable[str] | None) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return NUL in value
    return any(NUL in item for item in value)


def refuse_nul(
    fields: Mapping[str, str | Iterable[str] | None],
    *,
    code: StrEnum = CoreErrorCode.VALIDATION_ERROR,
) -> None:
    """Raise one error per field (snake_case name → value or values) that contains NUL."""
    raise_if_any(
        [DomainError(code, NUL_MESSAGE, name) for name, value in fields.items() if has_nul(value)]
    )
