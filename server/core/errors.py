"""Domain errors: what the user can fix, reported in a mutation payload's `errors`.

Each domain owns an enum of its codes (`accounts/errors.py`, `tokens/errors.py`, …), a
`DomainErrorCode`; `api/errors.py` merges them into the single GraphQL `ErrorCode` enum that
clients see.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from enum import StrEnum, auto


class DomainErrorCode(StrEnum):
    """The base of every domain's error enum: a member is declared as
    `NAME = auto(), "what it means"`; its value is its name (what clients branch on) and its
    `description` is the GraphQL description of that value. api/errors.py merges every
    installed app's enum into the one GraphQL `ErrorCode`."""

    description: str

    def __new__(cls, value: str, description: str = "") -> DomainErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name


class CoreErrorCode(DomainErrorCode):
    """Codes that any domain may raise."""

    VALIDATION_ERROR = (
        auto(),
        "An input is malformed, too long or out of range; `field` names it by its path (e.g. "
        "`profile.displayName`, `links[2]`).",
    )
    RATE_LIMITED = auto(), "Too many attempts: wait `retryAfter` seconds and try again."
    INVALID_TOKEN = (
        auto(),
        "The token (from an email link, or a refresh token) is not valid, was already used, or "
        "was never issued.",
    )
    TOKEN_EXPIRED = auto(), "The token was valid but has expired; ask for a new one."
    NOT_FOUND = auto(), "The thing referred to does not exist, or is not the viewer's."
    STEP_UP_REQUIRED = (
        auto(),
        "A sensitive change needs a recent sign-in: call `reauthenticate` (password, or a "
        "second factor when the account has one), then retry within STEP_UP_WINDOW (default 10 "
        "minutes).",
    )


# Seconds until the limit that refused last (in this request's context) lets an attempt
# through (set by core/ratelimit.py); read once by the RATE_LIMITED error raised right after
# the refusal.
_retry_after: ContextVar[int | None] = ContextVar("ratelimit_retry_after", default=None)


def note_retry_after(seconds: int) -> None:
    _retry_after.set(seconds)


def take_retry_after() -> int | None:
    """Seconds after which the last refused attempt may be retried; None when nothing was
    refused since the last call."""
    value = _retry_after.get()
    _retry_after.set(None)
    return value


class DomainError(Exception):
    """A failure the user can act on; never carries a secret in its message."""

    def __init__(
        self,
        code: StrEnum,
        message: str,
        field: str | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if retry_after is None and code == CoreErrorCode.RATE_LIMITED:
            retry_after = take_retry_after()
        # Seconds until a RATE_LIMITED attempt may be retried (from the limit that refused).
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"DomainError({self.code!s}, {self.message!r}, field={self.field!r})"


class DomainErrors(DomainError):
    """Several field errors at once, e.g. an invalid email and a weak password."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.code, first.message, first.field, retry_after=first.retry_after)

    def __iter__(self):
        return iter(self.errors)


def raise_if_any(errors: list[DomainError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)


class ServiceUnavailableError(Exception):
    """A backing service the request needs (Redis) cannot be reached right now.

    Not a DomainError: the user cannot fix it, only retry. The API turns it into HTTP 503
    with a top-level SERVICE_UNAVAILABLE error and `Retry-After` (config/views.py).
    """

    def __init__(self, service: str, retry_after: int) -> None:
        super().__init__(f"{service} is unavailable")
        self.service = service
        self.retry_after = retry_after
