"""Answers of `me`-only documents, remembered per process and keyed by the viewer's snapshot.

`{ me { id email } }` is what clients ask most (on every page load, and polled), and its
answer is a pure function of the document and the viewer's user row, which arrives as the
snapshot (tokens/snapshot.py) in the revocation check's own round trip. Running the
document (Strawberry's HTTP layer and graphql-core) costs about half of such a request. So
the endpoint (config/views.py) remembers the encoded answer per process under (document,
operation name, user id, snapshot text), and the next request with the same key gets the
same bytes without running anything.

Why a stored answer is never wrong for the request that gets it:
- The key holds the whole snapshot text, so a change to any field the answer shows is
  another key (a user's save drops their snapshot; the next one is read from PostgreSQL).
  Old entries are simply never asked for again.
- Only answers computed from the snapshot are stored (the viewer says so), and only for a
  snapshot of an active user whose id is the token's: the same rules `display_user` applies.
- The token is checked before the lookup (signature, expiry, revocation, in get_context):
  a refused token, an anonymous request or one without a snapshot runs the document.
- Only documents whose answer depends on nothing else qualify (`answerable`): one query
  operation, no variables, no directives, no arguments, no fragments, only `me` and
  `__typename` at the root, and inside `me` only fields read straight from the snapshot.
- Answers with errors, or with a status, header or cookie set by a resolver, are not kept
  (the endpoint checks before it calls `store`).

Bounded: documents longer than MAX_DOCUMENT_CHARS are not remembered, nor answers longer
than MAX_ENTRY_BYTES, and the store is emptied when it reaches MAX_ENTRIES.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)

# Fields of the User type that come straight from the snapshot's columns (checked against
# tokens.snapshot.SNAPSHOT_FIELDS by the tests).
ANSWERABLE_FIELDS = frozenset(
    {"id", "email", "emailVerified", "registerMethod", "dateJoined", "__typename"}
)
MAX_DOCUMENT_CHARS = 2048
MAX_ENTRY_BYTES = 2048
MAX_ENTRIES = 2048

_answers: dict[tuple[str, str | None, str, str], bytes] = {}


def _plain_fields(selection_set: SelectionSetNode | None) -> list[FieldNode] | None:
    """The selections when every one is a field without arguments or directives (whose
    values could change the answer); None otherwise, or when there is no selection set."""
    if selection_set is None:
        return None
    fields = [
        node
        for node in selection_set.selections
        if isinstance(node, FieldNode) and not node.arguments and not node.directives
    ]
    return fields if len(fields) == len(selection_set.selections) else None


def answerable(query: str, operation_name: str | None) -> bool:
    """Whether the document's answer depends only on the viewer's snapshot."""
    # Measured before the memo, so that long texts never become its keys.
    return len(query) <= MAX_DOCUMENT_CHARS and _answerable(query, operation_name)


@functools.lru_cache(maxsize=256)
def _answerable(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query, no_location=True, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError:
        return False
    # One operation and nothing else (a fragment definition would be unused or spread).
    if len(document.definitions) != 1:
        return False
    (operation,) = document.definitions
    if (
        not isinstance(operation, OperationDefinitionNode)
        or operation.operation != OperationType.QUERY
        or operation.variable_definitions
        or operation.directives
    ):
        return False
    if operation_name is not None and (
        operation.name is None or operation.name.value != operation_name
    ):
        return False
    roots = _plain_fields(operation.selection_set)
    if roots is None or not all(root.name.value in {"me", "__typename"} for root in roots):
        return False
    mes = [root for root in roots if root.name.value == "me"]
    if not mes:
        return False
    for me in mes:
        fields = _plain_fields(me.selection_set)
        if fields is None or not all(
            field.selection_set is None and field.name.value in ANSWERABLE_FIELDS
            for field in fields
        ):
            return False
    return True


@dataclass
class Ticket:
    """One request's use of the store: the remembered answer (`hit`), or where to keep one."""

    key: tuple[str, str | None, str, str]
    viewer: Any
    hit: bytes | None = None

    def store(self, body: bytes) -> None:
        """Keep an answer the endpoint found keepable, if the viewer built it from the
        snapshot."""
        if len(body) > MAX_ENTRY_BYTES or not getattr(self.viewer, "shown_from_snapshot", False):
            return
        if len(_answers) >= MAX_ENTRIES:
            _answers.clear()
        _answers[self.key] = body


def lookup(
    context: Any, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> Ticket | None:
    """None when this request must run its document without the store; else a Ticket with
    the remembered answer or the key to keep this one under."""
    if variables or context.auth_error is not None:
        return None
    viewer = context.viewer
    snapshot = getattr(viewer, "snapshot", None)
    claims = getattr(viewer, "claims", None)
    if not snapshot or claims is None or not answerable(query, operation_name):
        return None
    key = (query, operation_name, claims.user_id, snapshot)
    return Ticket(key=key, viewer=viewer, hit=_answers.get(key))


def forget_all() -> None:
    """Empty this process's store (tests)."""
    _answers.clear()
