"""Schema extensions: refuse bad bearer tokens before any resolver runs."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension

# Mutations that authenticate with a refresh token, not the access token. A client whose
# access token has just expired must still be able to call them.
REFRESH_AUTHENTICATED_FIELDS = frozenset({"refresh", "logout", "__typename"})


def _root_fields(document: object, operation_name: str | None) -> set[str] | None:
    definitions = getattr(document, "definitions", ())
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1:
        return None
    return {
        selection.name.value
        for selection in operations[0].selection_set.selections
        if isinstance(selection, FieldNode)
    } or None


class RejectBadBearer(SchemaExtension):
    """A present but bad access token yields UNAUTHENTICATED, even on public fields.

    Otherwise a client with an expired token would silently see anonymous data instead
    of refreshing.
    """

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        error = getattr(context, "auth_error", None)
        if error is not None:
            fields = _root_fields(
                self.execution_context.graphql_document, self.execution_context.operation_name
            )
            if fields is None or not fields <= REFRESH_AUTHENTICATED_FIELDS:
                self.execution_context.result = ExecutionResult(data=None, errors=[error])
        yield


@functools.lru_cache(maxsize=256)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


@functools.lru_cache(maxsize=256)
def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document

    return validate_document(schema, document, rules)


class ApiGate(RejectBadBearer):
    """Token limit, parsing and validation (each cached), bad-bearer refusal: one extension.

    Strawberry's ParserCache, MaxTokensLimiter, AddValidationRules and ValidationCache do
    the same as four extensions; each extension costs context-manager set-up on every
    request, which was a measurable share of a small query's time.
    """

    def __init__(self, *, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            # Parsed documents are shared between requests: nothing may mutate them.
            context.graphql_document = _parse(context.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = _validate(
            context.schema._schema,
            context.graphql_document,
            (*context.validation_rules, *self.rules),
        )
        yield
