"""Request gating: cached parsing and validation, and refusing bad bearer tokens.

Used by api/schema.py's GatehouseSchema on every operation.
"""

from __future__ import annotations

import functools

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)

# Mutations that authenticate with a refresh token, not the access token. A client whose
# access token has just expired must still be able to call them.
REFRESH_AUTHENTICATED_FIELDS = frozenset({"refresh", "logout", "__typename"})


def bearer_refused(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether a present but bad bearer token refuses this operation.

    Otherwise a client with an expired token would silently see anonymous data instead
    of refreshing.
    """
    fields = _root_fields(document, operation_name)
    return fields is None or not fields <= REFRESH_AUTHENTICATED_FIELDS


@functools.lru_cache(maxsize=512)
def _root_fields(document: DocumentNode, operation_name: str | None) -> frozenset[str] | None:
    """The root field names of the one operation to run; None when it is ambiguous."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1:
        return None
    return (
        frozenset(
            selection.name.value
            for selection in operations[0].selection_set.selections
            if isinstance(selection, FieldNode)
        )
        or None
    )


def lean_operation(
    document: DocumentNode, operation_name: str | None, lean: frozenset[str]
) -> bool:
    fields = _root_fields(document, operation_name)
    return fields is not None and fields <= lean


# Clients send the same few documents over and over: each is parsed and validated once per
# process. Bounded, so that unique query texts cannot grow memory.
@functools.lru_cache(maxsize=256)
def parse_cached(query: str, max_tokens: int) -> DocumentNode:
    """Parsed documents are shared between requests: nothing may mutate them."""
    return parse(query, max_tokens=max_tokens)


@functools.lru_cache(maxsize=256)
def validate_cached(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document

    return validate_document(schema, document, rules)
