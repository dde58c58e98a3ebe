"""Schema extensions: refuse bad bearer tokens before any resolver runs."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, FieldNode, OperationDefinitionNode
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
