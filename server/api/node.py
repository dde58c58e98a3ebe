"""`Query.node`: Relay's refetch entry point for every type that implements `Node`.

Each Node type answers for its own ids through its `resolve_nodes` (which applies that
type's visibility rules, e.g. only published articles), so nothing here knows the types.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from api.errors import BadRequest


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


def _is_node(definition: Any) -> bool:
    origin = getattr(definition, "origin", None)
    return isinstance(origin, type) and issubclass(origin, relay.Node)
