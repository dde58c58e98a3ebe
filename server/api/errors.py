"""Error conventions of the API.

- What the user can fix: a `DomainError` from a service becomes payload `errors`, each with
  a code from the single GraphQL `ErrorCode` enum merged from the domains' own enums.
- Cross-cutting failures: a top-level GraphQL error whose `extensions.code` is one of
  UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, BAD_REQUEST, SERVICE_UNAVAILABLE (HTTP 503,
  with `extensions.retryAfter` seconds), INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from enum import Enum
from typing import Any

import strawberry
from django.apps import apps
from graphql import GraphQLError

from core.errors import DomainError, DomainErrorCode, DomainErrors, take_retry_after


def domain_error_enums() -> tuple[type[DomainErrorCode], ...]:
    """Every installed app's error enum: the `DomainErrorCode` subclasses its `errors`
    module defines, in INSTALLED_APPS order (which is the order of the merged enum's values
    in the schema).

    Found through the app registry, so that this toolkit names no domain: a domain joins the
    enum by defining its codes, and the toolkit stays below every domain in the layers.
    """
    found: list[type[DomainErrorCode]] = []
    for app in apps.get_app_configs():
        name = f"{app.name}.errors"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, DomainErrorCode)
            and value.__module__ == name
        )
    return tuple(found)


DOMAIN_ERROR_ENUMS = domain_error_enums()


def _merged_members() -> dict[str, str]:
    members: dict[str, str] = {}
    for enum in DOMAIN_ERROR_ENUMS:
        for member in enum:
            if member.name in members:
                raise RuntimeError(f"error code {member.name} is defined by two domains")
            members[member.name] = member.value
    return members


_ErrorCode: type[Enum] = Enum("ErrorCode", _merged_members())  # type: ignore[misc]
ErrorCode = strawberry.enum(
    _ErrorCode,
    description="Why a mutation could not do what was asked; stable, for clients to branch on.",
)
# Each domain describes its own codes, on its enum's members.
_CODE_DESCRIPTIONS = {
    member.name: member.description for enum in DOMAIN_ERROR_ENUMS for member in enum
}
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _CODE_DESCRIPTIONS.get(_value.name)


@strawberry.type(description="A problem the user can fix, reported in a mutation payload.")
class Error:
    field: str | None = strawberry.field(
        description="The input field at fault, by its path in the input, in camelCase: "
        "`email`, `profile.displayName`, `links[2]`; null for the whole request."
    )
    message: str = strawberry.field(description="A human-readable explanation, in English.")
    code: ErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="A stable code to branch on."
    )
    retry_after: int | None = strawberry.field(
        default=None,
        description="With RATE_LIMITED: seconds to wait before trying again. Null otherwise.",
    )


def _camel(name: str | None) -> str | None:
    """`profile.display_name` → `profile.displayName`; list indexes (`links[2]`) are kept."""
    if not name:
        return None

    def segment(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(word[:1].upper() + word[1:] for word in rest)

    return ".".join(segment(part) for part in name.split("."))


def errors_from(exc: DomainError) -> list[Error]:
    items = exc.errors if isinstance(exc, DomainErrors) else [exc]
    return [
        Error(
            field=_camel(item.field),
            message=item.message,
            code=ErrorCode(item.code.value),
            retry_after=item.retry_after,
        )
        for item in items
    ]


# --- top-level errors -----------------------------------------------------------------

TOP_LEVEL_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "RATE_LIMITED",
        "BAD_REQUEST",
        "SERVICE_UNAVAILABLE",
        "INTERNAL_SERVER_ERROR",
    }
)


class TopLevelError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"
    default_message = "Internal server error."

    def __init__(self, message: str | None = None, **extensions: Any) -> None:
        super().__init__(
            message or self.default_message, extensions={"code": self.code, **extensions}
        )


class Unauthenticated(TopLevelError):
    code = "UNAUTHENTICATED"
    default_message = "Sign in, or refresh your access token, and try again."


class Forbidden(TopLevelError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class RateLimited(TopLevelError):
    """`extensions.retryAfter`: seconds to wait, like the payload Error's `retryAfter`."""

    code = "RATE_LIMITED"
    default_message = "Too many requests; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        if retry_after is None:
            retry_after = take_retry_after()
        extra = {} if retry_after is None else {"retryAfter": retry_after}
        super().__init__(message, **extra)


class BadRequest(TopLevelError):
    code = "BAD_REQUEST"
    default_message = "The request is not valid."


class ServiceUnavailable(TopLevelError):
    """A service the request needs (Redis) is down: answered with HTTP 503 and Retry-After
    (config/views.py), from the domains' core.errors.ServiceUnavailableError."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "The service is briefly unavailable; try again shortly."


# graphql-core's "Did you mean 'password'?" (fields, arguments, input fields, types, enum
# values): names the client has not seen. Suggestion lists never contain a question mark.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def shape_error(error: GraphQLError, *, hide_suggestions: bool = False) -> GraphQLError:
    """Give every error a code and mask what was not meant for the client.

    With `hide_suggestions` (production, where introspection is off) messages lose
    graphql-core's suggestions, which would leak the schema name by name.
    """
    code = (error.extensions or {}).get("code")
    if code in TOP_LEVEL_CODES:
        return error
    if error.path is None:
        # No path: it failed before any resolver ran (syntax, validation, variable
        # coercion, limits), so it is about the request, and its message is safe to show.
        return GraphQLError(
            without_suggestions(error.message) if hide_suggestions else error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": "BAD_REQUEST"},
        )
    return GraphQLError(
        "Internal server error.",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )
