"""The request gate's outcomes remembered per process, and lean operations.

Plain counterparts: `api.extensions.parse_document`, `validate_gated` and `root_fields`,
which parse and validate every request's document again, and Strawberry's schema
extensions, which run on every operation. config's GatehouseSchema takes these instead
while FAST_PATH_ENABLED is on. The gate's rules themselves (cost limit, one expensive
mutation, bearer refusal) are the same either way: only their outcomes are remembered.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema

from api.extensions import parse_document, root_fields, validate_gated


# Clients send the same few documents over and over: each is parsed and validated once per
# process. Bounded, so that unique query texts cannot grow memory.
@functools.lru_cache(maxsize=256)
def parse_cached(query: str, max_tokens: int) -> DocumentNode:
    """Parsed documents are shared between requests: nothing may mutate them."""
    return parse_document(query, max_tokens)


class _Same:
    """A parsed document as a cache key by identity.

    graphql-core's nodes hash by value, walking the whole tree on every lookup (a dozen
    nested hashes for `{ me { id email } }`, hundreds for a large document), and the
    caches below were looked up that way on every request. parse_cached hands out the same
    object for the same text, so identity finds it; an equal document parsed elsewhere
    only misses (and is validated again). The key holds the document, so its id cannot be
    reused while the entry lives."""

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.document is self.document


@functools.lru_cache(maxsize=256)
def _validate_same(
    schema: GraphQLSchema,
    same: _Same,
    rules: tuple[type[ASTValidationRule], ...],
    gate: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    return validate_gated(schema, same.document, rules, gate)


def validate_cached(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    gate: tuple[type[ASTValidationRule], ...] = (),
) -> list[GraphQLError]:
    """`validate_gated`, once per parsed document (the rule classes are made once per
    schema)."""
    return _validate_same(schema, _Same(document), rules, gate)


@functools.lru_cache(maxsize=512)
def _root_fields_same(same: _Same, operation_name: str | None) -> frozenset[str] | None:
    return root_fields(same.document, operation_name)


# Operations made only of these root fields return no querysets: strawberry_django's
# optimizer has nothing to do for them, and they skip its per-request and per-field hooks.
LEAN_ROOT_FIELDS = frozenset(
    {
        "__typename",
        "me",
        "sessions",
        "login",
        "refresh",
        "logout",
        "logoutAll",
        "revokeSession",
        "register",
        "updateProfile",
    }
)

_lean = contextvars.ContextVar("gatehouse_lean_operation", default=False)


def lean_operation(document: DocumentNode | None, operation_name: str | None) -> bool:
    """Whether the operation to run selects only LEAN_ROOT_FIELDS at its root."""
    if document is None:
        return False
    fields = _root_fields_same(_Same(document), operation_name)
    return fields is not None and fields <= LEAN_ROOT_FIELDS


@contextmanager
def lean_while(lean: bool) -> Iterator[None]:
    """Within: `skip_extensions()` answers `lean` (for this request's execution only)."""
    token = _lean.set(lean)
    try:
        yield
    finally:
        _lean.reset(token)


def skip_extensions() -> bool:
    """True while a lean operation runs: the schema's extensions have nothing to do."""
    return _lean.get()
