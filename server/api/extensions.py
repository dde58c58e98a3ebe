"""The request gate's rules: the cost limits, one expensive mutation per operation, and
which operations a bad bearer token refuses.

Each rule reads only the document's syntax tree, in time linear in its size, so the gate
(api/gate.py) runs them before the spec's validation rules, whose cost grows faster.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

# Mutations that authenticate with a refresh token, not the access token. A client whose
# access token has just expired must still be able to call them.
REFRESH_AUTHENTICATED_FIELDS = frozenset({"refresh", "logout", "__typename"})


def bearer_refused(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether a present but bad bearer token refuses this operation.

    Otherwise a client with an expired token would silently see anonymous data instead
    of refreshing.
    """
    fields = root_fields(document, operation_name)
    return fields is None or not fields <= REFRESH_AUTHENTICATED_FIELDS


def root_fields(document: DocumentNode, operation_name: str | None) -> frozenset[str] | None:
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


# --- cost limits ----------------------------------------------------------------------
#
# A document's work can grow exponentially with its size: `fragment F0 on Query { ...F1
# ...F1 }` doubles per fragment. Both rules below measure each fragment once (memoised)
# and multiply repeats out arithmetically instead of expanding spreads, so a document is
# measured in time linear in its size. A fragment met again while it is being measured is
# a cycle: it counts as nothing here (NoFragmentCycles reports it), so these rules never
# loop, whatever order the rules run in.


class _FragmentWalk[T]:
    """A measure of selection sets that meets each fragment once: memoised, and a fragment
    that is unknown, or met again while it is being measured (a cycle), measures as
    `empty` (the spec rules report both)."""

    empty: T

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, T] = {}
        self.active: set[str] = set()

    def selection_set(self, node: SelectionSetNode) -> T:
        raise NotImplementedError

    def fragment(self, name: str) -> T:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return self.empty
        self.active.add(name)
        try:
            result = self.selection_set(definition.selection_set)
        finally:
            self.active.discard(name)
        self.memo[name] = result
        return result


class _Measure(_FragmentWalk[tuple[int, int, int]]):
    """Fields and aliases counted with repeats (each saturating just above its cap) and
    depth, each fragment measured once."""

    empty = (0, 0, 0)

    def __init__(self, document: DocumentNode, max_fields: int, max_aliases: int) -> None:
        super().__init__(document)
        self.max_fields = max_fields
        self.max_aliases = max_aliases

    def selection_set(self, node: SelectionSetNode) -> tuple[int, int, int]:
        """(fields, depth, aliases) of a selection set."""
        fields = depth = aliases = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                sub_fields, sub_depth, sub_aliases = (
                    self.selection_set(selection.selection_set)
                    if selection.selection_set
                    else (0, -1, 0)
                )
                fields += 1 + sub_fields
                aliases += (selection.alias is not None) + sub_aliases
                # Introspection fields do not count towards depth (as QueryDepthLimiter).
                if not selection.name.value.startswith("__"):
                    depth = max(depth, sub_depth + 1)
            else:
                if isinstance(selection, InlineFragmentNode):
                    sub_fields, sub_depth, sub_aliases = self.selection_set(selection.selection_set)
                else:
                    assert isinstance(selection, FragmentSpreadNode)
                    sub_fields, sub_depth, sub_aliases = self.fragment(selection.name.value)
                fields += sub_fields
                aliases += sub_aliases
                depth = max(depth, sub_depth)
            fields = min(fields, self.max_fields + 1)
            aliases = min(aliases, self.max_aliases + 1)
        return fields, depth, aliases


def _operation_label(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


def cost_errors(
    document: DocumentNode, *, max_fields: int, max_depth: int, max_aliases: int
) -> list[GraphQLError]:
    """The operations that select more than `max_fields` fields or `max_aliases` aliases
    (counting every repeat of a fragment), or nest deeper than `max_depth`.

    It replaces strawberry's QueryDepthLimiter and MaxAliasesLimiter, which expand every
    fragment spread again (exponential time).
    """
    errors: list[GraphQLError] = []
    measure = _Measure(document, max_fields, max_aliases)
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        try:
            fields, depth, aliases = measure.selection_set(operation.selection_set)
        except RecursionError:
            fields, depth, aliases = max_fields + 1, max_depth + 1, 0
        label = _operation_label(operation)
        if depth > max_depth:
            errors.append(
                GraphQLError(f"'{label}' exceeds maximum operation depth of {max_depth}", operation)
            )
        if fields > max_fields:
            errors.append(
                GraphQLError(
                    f"'{label}' selects more than {max_fields} fields, counting each "
                    "repeat of a fragment; ask for less or split it into several requests.",
                    operation,
                )
            )
        if aliases > max_aliases:
            errors.append(
                GraphQLError(
                    f"'{label}' uses more than {max_aliases} aliases, counting each "
                    "repeat of a fragment.",
                    operation,
                )
            )
    return errors


# Mutations that hash a password (Argon2, deliberately slow) or call Google over the
# network. Aliases and fragments on Mutation could otherwise make one request pay for
# many of them.
EXPENSIVE_MUTATIONS = (
    "login",
    "register",
    "resetPassword",
    "changePassword",
    "googleLogin",
    # Each checks a password (a deliberately slow hash) when given one.
    "reauthenticate",
    "disableTotp",
)
_EXPENSIVE = frozenset(EXPENSIVE_MUTATIONS)


class _ExpensiveCount(_FragmentWalk[int]):
    """How many expensive root fields a mutation selects, fragments multiplied out (each
    fragment counted once, saturating at 2)."""

    empty = 0

    def selection_set(self, node: SelectionSetNode) -> int:
        count = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                count += selection.name.value in _EXPENSIVE
            elif isinstance(selection, InlineFragmentNode):
                count += self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self.fragment(selection.name.value)
            if count > 1:
                return 2
        return count


def expensive_mutation_errors(document: DocumentNode) -> list[GraphQLError]:
    """At most one of EXPENSIVE_MUTATIONS per operation, aliases and fragments included."""
    errors: list[GraphQLError] = []
    count = _ExpensiveCount(document)
    for operation in document.definitions:
        if (
            isinstance(operation, OperationDefinitionNode)
            and operation.operation == OperationType.MUTATION
        ):
            try:
                too_many = count.selection_set(operation.selection_set) > 1
            except RecursionError:
                too_many = True
            if too_many:
                errors.append(
                    GraphQLError(
                        f"'{_operation_label(operation)}' runs more than one of "
                        f"{', '.join(EXPENSIVE_MUTATIONS)}; send one per request.",
                        operation,
                    )
                )
    return errors
