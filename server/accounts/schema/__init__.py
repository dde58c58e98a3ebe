from strawberry.tools import merge_types

from accounts.schema.mutations import EmailFlowsMutation
from accounts.schema.mutations import Mutation as ProfileMutation
from accounts.schema.queries import Query

Mutation = merge_types("Mutation", (ProfileMutation, EmailFlowsMutation))

__all__ = ["Mutation", "Query"]
