"""`Query.node`: Relay's refetch entry point for every type that implements `Node`.

Each Node type answers for its own ids through its `resolve_nodes` (which applies that
type's visibility rules, e.g. only published articles, only the viewer themself), so
nothing here knows the types but one shape of id: a bare UUID is a `User`'s, whose `id`
stayed the account's UUID when User became a Node (accounts/schema/types.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from api.errors import BadRequest

_BIGINT_MAX = 2**63 - 1


def pk_ids(node_ids: list[str]) -> list[int]:
    """The ids that can be integer primary keys (any other cannot name an object): ASCII
    digits only (`"²".isdigit()` is true, and `int` refuses it) and within a bigint, so
    that no id a client makes up reaches the database as an error."""
    return [
        int(node_id)
        for node_id in node_ids
        if node_id.isascii() and node_id.isdigit() and int(node_id) <= _BIGINT_MAX
    ]


def _pk_text(obj: Any) -> str:
    return str(obj.pk)


def in_order_of[T](
    node_ids: list[str], found: Iterable[T], key: Callable[[T], str] = _pk_text
) -> list[T | None]:
    """What a `resolve_nodes` returns: the objects found, in the order of `node_ids`, and
    None for each id that names nothing the viewer may see."""
    by_id = {key(obj): obj for obj in found}
    return [by_id.get(node_id) for node_id in node_ids]


@strawberry.type
class Query:
    @strawberry.field(
        description="Any object that implements `Node`, by its global `id` (Relay refetching); "
        "null when there is no such object or the viewer may not see it."
    )
    def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id, as the object's `id` field gives it."),
        ],
    ) -> relay.Node | None:
        global_id = _user_id(id)
        if global_id is None:
            try:
                global_id = relay.GlobalID.from_id(id)
            except ValueError:
                raise BadRequest("`id` is not a global id.") from None
        graphql_type: Any = info.schema.get_type_by_name(global_id.type_name)
        if graphql_type is None or not _is_node(graphql_type):
            return None
        node_type: Any = global_id.resolve_type(info)
        # resolve_nodes, not resolve_node: strawberry_django's resolve_node queries the model
        # directly and would skip the type's visibility rules.
        (found,) = node_type.resolve_nodes(info=info, node_ids=[global_id.node_id], required=False)
        return found


# The GraphQL name of the one Node type whose ids are bare UUIDs.
USER_TYPE = "User"


def _user_id(value: str) -> relay.GlobalID | None:
    """A dashed UUID (what `User.id` gives) as the global id it stands for; else None.
    Only the dashed form: a base64 global id never has that shape, so the two cannot
    be confused."""
    if len(value) != 36 or value.count("-") != 4:
        return None
    try:
        return relay.GlobalID(type_name=USER_TYPE, node_id=str(uuid.UUID(value)))
    except ValueError:
        return None


def _is_node(definition: Any) -> bool:
    origin = getattr(definition, "origin", None)
    return isinstance(origin, type) and issubclass(origin, relay.Node)
