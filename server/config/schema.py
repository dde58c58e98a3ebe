"""The one GraphQL schema: each domain contributes its Query and Mutation types."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import strawberry
from django.conf import settings
from graphql import DocumentNode, GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.base import get_object_definition
from strawberry.types.graphql import OperationType
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

import accounts.schema
import accounts.schema.types
import api.node
import content.schema
import membership.schema
import membership.schema.types
import mfa.schema
import observability.metrics
import observability.tracing
import passkeys.schema
import securitylog.schema
import social.schema
import tokens.schema
from api.errors import BadRequest, TopLevelError
from api.gate import Gate, GateLimits, unnamed_choice
from api.scalars import SCALAR_OVERRIDES
from core.errors import ServiceUnavailableError


def field_add(type_: type, field: StrawberryDjangoField) -> None:
    """Add `field` (a resolver made with strawberry_django.field) to a Django type another
    package defined, as strawberry_django's own type processing sets up the fields it finds.

    Strawberry has no `extend type`: this is how a domain contributes a field to a type of
    a domain below it (`User.subscription` from membership) without that domain importing
    it. Runs before the schema is built, which is when fields are read.
    """
    definition = get_object_definition(type_, strict=True)
    field.origin = type_
    field.django_name = field.python_name
    field.is_relation = False
    field.origin_django_type = type_.__strawberry_django_definition__  # type: ignore[attr-defined]
    definition.fields.append(field)


field_add(accounts.schema.types.User, membership.schema.types.subscription)

Query = merge_types(
    "Query",
    (
        accounts.schema.Query,
        membership.schema.Query,
        content.schema.Query,
        tokens.schema.Query,
        securitylog.schema.Query,
        mfa.schema.Query,
        passkeys.schema.Query,
        api.node.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        accounts.schema.Mutation,
        membership.schema.Mutation,
        tokens.schema.Mutation,
        mfa.schema.Mutation,
        social.schema.Mutation,
        passkeys.schema.Mutation,
    ),
)

Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Reads. Public fields answer anonymous callers; `me`, `sessions` and `securityEvents` "
    "need a bearer token."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Writes. Problems the user can fix come back in each payload's `errors`; failures of the "
    "request itself are top-level errors with `extensions.code`."
)

logger = logging.getLogger("api.graphql")

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


class GatehouseSchema(strawberry.Schema):
    """Strawberry's schema with the request gate (api/gate.py) and our error logging."""

    def __init__(self, *, gate: Gate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate

    def parse_document(self, query: str) -> DocumentNode:
        """Parse with the gate's token limit (remembered); raises GraphQLError."""
        return self.gate.verdict(query).document

    def execute_sync(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        if unnamed_choice(query, operation_name, self.gate):
            return ExecutionResult(
                data=None,
                errors=[
                    BadRequest(
                        "The document holds several operations: name the one to run in "
                        "`operationName`."
                    )
                ],
            )
        return super().execute_sync(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: StrawberryExecutionContext | None = None,
    ) -> None:
        """Log what went wrong without the document or the variables: both may carry
        passwords and tokens (Strawberry's default logs the document, wrapped, at ERROR).

        A client's mistake (syntax, validation, variable coercion, our limits, a refusal
        raised as a top-level error) is not a server error: INFO, one line. Anything else
        raised by a resolver is a bug: ERROR with its traceback (the client sees it masked).
        """
        name = execution_context.operation_name if execution_context else None
        label = name if isinstance(name, str) and _NAME.fullmatch(name) else "anonymous"
        refused = [e for e in errors if _client_error(e)]
        if refused:
            codes = sorted({str((e.extensions or {}).get("code", "BAD_REQUEST")) for e in refused})
            logger.info(
                "GraphQL operation %s refused: %d client error(s) (%s)",
                label,
                len(refused),
                ", ".join(codes),
            )
        for error in errors:
            if isinstance(error.original_error, ServiceUnavailableError):
                # An outage, not a bug: the client gets 503 and retries (config/views.py).
                logger.warning("GraphQL operation %s: a service it needs is unavailable", label)
            elif not _client_error(error):
                path = ".".join(str(p) for p in error.path or ())
                logger.error(
                    "GraphQL operation %s failed at %s: %s",
                    label,
                    path,
                    type(error.original_error).__name__,
                    exc_info=error.original_error,
                )


def _client_error(error: GraphQLError) -> bool:
    """Errors before execution have no path; top-level errors are deliberate refusals."""
    original = error.original_error
    return (
        error.path is None
        or isinstance(original, TopLevelError)
        or isinstance(error, TopLevelError)
    )


def build_schema(
    *,
    max_depth: int | None = None,
    max_fields: int | None = None,
    max_aliases: int | None = None,
    max_tokens: int | None = None,
    introspection: bool | None = None,
) -> GatehouseSchema:
    gate = Gate(
        GateLimits(
            max_tokens=max_tokens or settings.GRAPHQL_MAX_TOKENS,
            max_depth=max_depth or settings.GRAPHQL_MAX_DEPTH,
            max_fields=max_fields or settings.GRAPHQL_MAX_FIELDS,
            max_aliases=max_aliases or settings.GRAPHQL_MAX_ALIASES,
            introspection=(
                settings.GRAPHQL_INTROSPECTION if introspection is None else introspection
            ),
        )
    )
    return GatehouseSchema(
        query=Query,
        mutation=Mutation,
        gate=gate,
        # The gate first: a refused document never reaches the others. Only the operation's
        # span (when tracing) comes before it, to time and describe refusals too.
        extensions=[
            *observability.tracing.schema_extensions(),
            gate.extension,
            DjangoOptimizerExtension,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides=SCALAR_OVERRIDES,
    )


schema = build_schema()
# The metrics label operations by the names this schema knows (observability/metrics.py).
observability.metrics.know_schema(schema.as_str())
